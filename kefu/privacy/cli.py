"""``kefu privacy``: a customer's data as JSON, its erasure, and retention by hand."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from kefu.errors import KefuError
from kefu.settings import Settings, get_settings

privacy_app = typer.Typer(help="Customers' data: export, erasure, retention.",
                          no_args_is_help=True)
Customer = Annotated[str, typer.Option("--customer", help="The customer's id.")]


def _factory(settings: Settings):  # type: ignore[no-untyped-def]
    from kefu.storage.db import make_engine, make_sessionmaker

    return make_sessionmaker(make_engine(settings.resolved_database_url,
                                         settings.db_busy_timeout_s))


def _fail(exc: KefuError) -> typer.Exit:
    typer.echo(f"kefu: {exc}", err=True)
    return typer.Exit(2)


@privacy_app.command("export")
def export(customer: Customer, out: Annotated[Path | None, typer.Option(
        help="Write the JSON here (default: standard output).")] = None) -> None:
    """Everything kefu holds about the customer, as JSON (recorded as done)."""
    from kefu.privacy.erasure import export_customer

    settings = get_settings()
    try:
        data = export_customer(_factory(settings), settings.secret_key, customer, "cli")
    except KefuError as exc:
        raise _fail(exc) from exc
    text = json.dumps(data, ensure_ascii=False, indent=1)
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        typer.echo(f"wrote {out}")


@privacy_app.command("erase")
def erase(customer: Customer, yes: Annotated[bool, typer.Option(
        "--yes", help="Do not ask for confirmation.")] = False) -> None:
    """Remove or anonymise the customer's data everywhere kefu keeps it (cannot be undone)."""
    from kefu.privacy.erasure import erase_customer
    from kefu.ratelimit import make_rate_limiter

    settings = get_settings()
    if not yes:
        typer.confirm(f"Erase customer {customer}'s data for good?", abort=True)
    limiter = make_rate_limiter(settings.redis_url)
    try:
        report = erase_customer(_factory(settings), settings.secret_key, customer, "cli",
                                lambda cid: limiter.reset(f"customer:{cid}"))
    except KefuError as exc:
        raise _fail(exc) from exc
    finally:
        limiter.close()
    typer.echo(json.dumps(report.as_json(), indent=1))


@privacy_app.command("rotate-key")
def rotate_key() -> None:
    """Re-encrypt every sensitive column under the current data key (the first of
    KEFU_DATA_KEYS); plaintext stored before encryption is encrypted too."""
    from kefu.privacy.rotate import rotate

    done = rotate(_factory(get_settings()))
    typer.echo(json.dumps(done, indent=1))


@privacy_app.command("retention")
def retention() -> None:
    """Apply the retention periods now (the server also does it every hour)."""
    from kefu.privacy.retention import Periods, apply_retention

    s = get_settings()
    report = apply_retention(_factory(s), Periods(s.retention_conversations_days,
                                                  s.retention_events_days,
                                                  s.retention_audit_days))
    typer.echo(json.dumps(asdict(report), indent=1))
