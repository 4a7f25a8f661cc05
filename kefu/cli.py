"""The ``kefu`` command (Typer): serve, chat, demo, db, store, apikey, data, train, eval, nlu,
encoder, kb, llm."""

from __future__ import annotations

import io
import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from kefu.errors import KefuError
from kefu.knowledge.cli import kb_app
from kefu.llm.cli import llm_app
from kefu.privacy.cli import privacy_app
from kefu.recommend.cli import eval_recommend
from kefu.settings import Settings, get_settings
from kefu.tau.cli import tau_retail
from kefu.training.cli import data_app
from kefu.training.nlu_cli import encoder_app, eval_app, nlu_app, train_app
from kefu.types import Language


class Lang(StrEnum):
    en = "en"
    zh = "zh"


app = typer.Typer(help="kefu (客服): a customer-service agent for online shops.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
db_app = typer.Typer(help="The database schema.", no_args_is_help=True)
store_app = typer.Typer(help="Import or export a whole store.", no_args_is_help=True)
key_app = typer.Typer(help="API keys for server-to-server clients.", no_args_is_help=True)
admin_app = typer.Typer(help="Staff accounts of the console (/console).", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(store_app, name="store")
app.add_typer(key_app, name="apikey")
app.add_typer(admin_app, name="admin")
app.add_typer(data_app, name="data")
app.add_typer(train_app, name="train")
app.add_typer(eval_app, name="eval")
app.add_typer(nlu_app, name="nlu")
app.add_typer(encoder_app, name="encoder")
app.add_typer(kb_app, name="kb")
app.add_typer(llm_app, name="llm")
app.add_typer(privacy_app, name="privacy")
eval_app.command("tau-retail")(tau_retail)
eval_app.command("recommend")(eval_recommend)


def _settings() -> Settings:
    try:
        return get_settings()
    except ValueError as exc:
        typer.echo(f"kefu: configuration refused: {exc}", err=True)
        raise typer.Exit(2) from exc


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database schema to the latest version."""
    from kefu.storage.db import upgrade

    settings = _settings()
    settings.ensure_data_dir()
    upgrade(settings.resolved_database_url)
    typer.echo(f"database is up to date: {_safe_url(settings.resolved_database_url)}")


@app.command()
def demo(
    if_empty: Annotated[bool, typer.Option(help="Only seed a database with no products.")] = False,
    history: Annotated[bool, typer.Option(
        help="Also a month of made-up conversations for the console's dashboard.")] = True,
) -> None:
    """Create (or reset) the deterministic demo shop in the configured database."""
    from sqlalchemy import func, select

    from kefu.demo import seed_demo
    from kefu.demo.history import seed_history
    from kefu.storage.db import make_engine, make_sessionmaker, upgrade
    from kefu.storage.models import Product

    settings = _settings()
    settings.ensure_data_dir()
    upgrade(settings.resolved_database_url)
    engine = make_engine(settings.resolved_database_url)
    factory = make_sessionmaker(engine)
    with factory.begin() as session:
        if if_empty and session.scalar(select(func.count()).select_from(Product)):
            typer.echo("the shop already has products; leaving it as it is")
            return
        summary = seed_demo(session)
        made = seed_history(session) if history else 0
    engine.dispose()
    typer.echo(f"demo shop ready: {summary}")
    if made:
        typer.echo(f"demo history: {made} made-up conversations of the last 30 days")
    typer.echo("the staff console is at /console; make its first account with "
               "`kefu admin create admin`")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[int | None, typer.Option(help="Server processes.")] = None,
) -> None:
    """Serve the API, the storefront and the widget."""
    import uvicorn

    settings = _settings()
    host, port = host or settings.host, port or settings.port
    workers = workers or settings.workers
    if settings.uses_placeholder_secret:
        typer.echo("kefu: warning: KEFU_SECRET_KEY is the development placeholder; set a random "
                   "secret (and KEFU_ENV=prod) before serving real customers", err=True)
    typer.echo(f"kefu is serving {settings.shop_name} at http://{host}:{port}/")
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # each worker writes its metrics here and /metrics merges them (prometheus-client)
        shared = settings.ensure_data_dir() / "prometheus"
        shutil.rmtree(shared, ignore_errors=True)
        shared.mkdir()
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(shared)
    uvicorn.run("kefu.api.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_level="info")


@app.command()
def chat(
    language: Annotated[Lang | None, typer.Option(help="Reply language until detected.")] = None,
) -> None:
    """Talk to the assistant in the terminal: one message per line; `quit` ends."""
    from kefu.service import Kefu
    from kefu.storage.db import upgrade

    settings = _settings()
    settings.ensure_data_dir()
    upgrade(settings.resolved_database_url)
    kefu = Kefu.from_settings(settings)
    kefu.warm()
    lang: Language | None = None if language is None else "zh" if language is Lang.zh else "en"
    try:
        conv = kefu.conversations.create("cli", lang)
    except KefuError as exc:
        kefu.close()
        typer.echo(f"kefu: {exc}", err=True)
        raise typer.Exit(1) from exc
    interactive = sys.stdin.isatty()
    # Undecodable bytes reach the inbound guard (which refuses them) instead of ending the chat.
    lines = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="surrogateescape")
    try:
        while True:
            if interactive:
                typer.echo("you> ", nl=False)
            line = lines.readline()
            if not line or line.strip().lower() in ("quit", "exit", "退出"):
                break
            if not line.strip():
                continue
            try:
                turn = kefu.conversations.post(conv.id, line)
            except KefuError as exc:
                typer.echo(f"kefu: {exc}", err=True)
                continue
            if turn.reply is not None:  # None: a person holds the conversation (console)
                typer.echo(f"kefu> {turn.reply.text}")
    finally:
        kefu.close()


@store_app.command("import")
def store_import(
    directory: Annotated[Path, typer.Argument(help="Folder with users/orders/products.json.")],
    fmt: Annotated[str, typer.Option("--format", help="Store format.")] = "tau-retail",
) -> None:
    """Load a store (replacing the current shop data) from files."""
    from kefu.store.tau import import_tau_retail

    _require_format(fmt)
    factory, engine = _db()
    try:
        with factory.begin() as session:
            summary = import_tau_retail(session, directory)
    except KefuError as exc:
        typer.echo(f"kefu: import failed: {exc}", err=True)
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()
    typer.echo(f"imported: {summary}")


@store_app.command("export")
def store_export(
    directory: Annotated[Path, typer.Argument(help="Folder to write the files into.")],
    fmt: Annotated[str, typer.Option("--format", help="Store format.")] = "tau-retail",
) -> None:
    """Write the shop's customers, orders and products to files."""
    from kefu.store.tau import export_tau_retail

    _require_format(fmt)
    directory.mkdir(parents=True, exist_ok=True)
    factory, engine = _db()
    with factory() as session:
        export_tau_retail(session, directory)
    engine.dispose()
    typer.echo(f"exported to {directory}")


@key_app.command("create")
def apikey_create(name: Annotated[str, typer.Argument(help="Who the key is for.")]) -> None:
    """Create an API key; it is printed once and stored only as a hash."""
    from kefu.apikeys import create_api_key

    factory, engine = _db()
    key = create_api_key(factory, _settings().secret_key, name)
    engine.dispose()
    typer.echo(key)


@key_app.command("revoke")
def apikey_revoke(name: Annotated[str, typer.Argument(help="The key's name.")]) -> None:
    """Revoke every active key with this name."""
    from kefu.apikeys import revoke_api_key

    factory, engine = _db()
    count = revoke_api_key(factory, name)
    engine.dispose()
    typer.echo(f"revoked {count} key(s)")


@contextmanager
def _accounts() -> Iterator[Any]:
    """The staff accounts of the configured database; a refusal ends the command (exit 2)."""
    from kefu.ratelimit import MemoryRateLimiter
    from kefu.staff.accounts import StaffAccounts

    factory, engine = _db()
    try:
        yield StaffAccounts(factory, _settings().secret_key, MemoryRateLimiter())
    except KefuError as exc:
        typer.echo(f"kefu: {exc}", err=True)
        raise typer.Exit(2) from exc
    finally:
        engine.dispose()


def _password(given: str | None) -> str:
    if given is not None:
        return given
    if not sys.stdin.isatty():  # piped: the first line
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@admin_app.command("create")
def admin_create(
    username: Annotated[str, typer.Argument(help="The sign-in name (lower case).")],
    role: Annotated[str, typer.Option(help="admin or agent.")] = "admin",
    name: Annotated[str, typer.Option(help="The name shown to customers and colleagues.")] = "",
    password: Annotated[str | None, typer.Option(
        help="Default: asked for (hidden), or the first line of standard input.")] = None,
) -> None:
    """Create a staff account (the first admin, say) to sign in at /console."""
    with _accounts() as accounts:
        staff = accounts.create(username, name or username, _password(password), role)
    typer.echo(f"created {staff.role} {staff.username}")


@admin_app.command("list")
def admin_list() -> None:
    """The staff accounts."""
    with _accounts() as accounts:
        for s in accounts.list():
            typer.echo(f"{s.username}\t{s.role}\t{s.display_name}"
                       f"{chr(9) + 'disabled' if s.disabled else ''}")


@admin_app.command("disable")
def admin_disable(username: Annotated[str, typer.Argument()]) -> None:
    """No more sign-ins for this account; its sessions end now."""
    with _accounts() as accounts:
        accounts.disable(username)
    typer.echo(f"disabled {username}")


@admin_app.command("password")
def admin_password(
    username: Annotated[str, typer.Argument()],
    password: Annotated[str | None, typer.Option(help="Default: asked for (hidden).")] = None,
) -> None:
    """Set a new password; the account's sessions end."""
    with _accounts() as accounts:
        accounts.set_password(username, _password(password))
    typer.echo(f"password changed for {username}")


def _require_format(fmt: str) -> None:
    if fmt != "tau-retail":
        typer.echo(f"kefu: unknown format {fmt!r}; supported: tau-retail", err=True)
        raise typer.Exit(2)


def _db() -> tuple[sessionmaker[Session], Engine]:
    from kefu.storage.db import make_engine, make_sessionmaker, upgrade

    settings = _settings()
    settings.ensure_data_dir()
    upgrade(settings.resolved_database_url)
    engine = make_engine(settings.resolved_database_url)
    return make_sessionmaker(engine), engine


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
