"""``kefu kb``: the shop's own files in the knowledge base: add, list, remove.

A running server picks the changes up within its check interval (30 s), with no restart.
"""

from __future__ import annotations

import json
from collections import Counter
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from kefu.errors import KefuError, NotFound, UserError
from kefu.types import Language

if TYPE_CHECKING:  # the parsers load only when a kb command runs
    from kefu.knowledge.ingest import DocumentInfo, Outcome

kb_app = typer.Typer(help="The knowledge base: the shop's policies, FAQ and pages.",
                     no_args_is_help=True, pretty_exceptions_enable=False)


class DocType(StrEnum):
    policy = "policy"
    faq = "faq"
    product = "product"
    page = "page"


class KbLanguage(StrEnum):
    en = "en"
    zh = "zh"


@kb_app.command("add")
def add_command(
    paths: Annotated[list[Path], typer.Argument(
        help="Files or directories (read recursively): .md .html .htm .pdf .txt, and FAQ "
             ".csv/.json with question and answer columns.")],
    doc_type: Annotated[DocType | None, typer.Option(
        "--type", help="Document type; default: faq for FAQ files, else page.")] = None,
    language: Annotated[KbLanguage | None, typer.Option(
        help="The documents' language; default: detected from each one's text.")] = None,
    doc_id: Annotated[str | None, typer.Option(
        "--id", help="The document's id (one file only); default: <language>/<file name>.")]
    = None,
) -> None:
    """Add or update documents from files; unchanged ones are left alone.

    Each file is written on its own: one that fails is reported and writes nothing, the others
    still go in, and the command exits 1.
    """
    from kefu.knowledge.ingest import Options, ingest_paths
    from kefu.storage.db import storage_errors

    lang: Language | None = None if language is None else "zh" if language is KbLanguage.zh \
        else "en"
    options = Options(doc_type=doc_type.value if doc_type else None, language=lang,
                      doc_id=doc_id)
    factory, engine = _database()
    try:
        with storage_errors():
            outcomes = ingest_paths(factory, paths, options)
    except KefuError as exc:
        _fail(exc)
    finally:
        engine.dispose()
    for outcome in outcomes:
        _report(outcome)
    counts = Counter(o.status for o in outcomes)
    typer.echo(", ".join(f"{counts[s]} {s}" for s in ("added", "updated", "unchanged"))
               + f", {counts['skipped']} skipped, {counts['error']} failed")
    if counts["error"]:
        raise typer.Exit(1)


@kb_app.command("remove")
def remove_command(
    targets: Annotated[list[str], typer.Argument(
        help="Document ids, or the files (or directories) they were added from.")],
) -> None:
    """Remove documents by id or by the file (or directory) they came from.

    Exits 1 if any id or path matched nothing.
    """
    from kefu.knowledge.ingest import remove_documents
    from kefu.storage.db import storage_errors

    factory, engine = _database()
    failed = False
    try:
        for target in targets:
            try:
                with storage_errors(), factory.begin() as session:
                    ids = remove_documents(session, target)
            except NotFound as exc:
                typer.echo(f"error: {target}: {exc}", err=True)
                failed = True
                continue
            for doc_id in ids:
                typer.echo(f"removed: {doc_id}")
    except KefuError as exc:
        _fail(exc)
    finally:
        engine.dispose()
    if failed:
        raise typer.Exit(1)


@kb_app.command("list")
def list_command(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON array, for scripts.")] = False,
) -> None:
    """List the documents: id, type, language, passages, last update, title, source."""
    from kefu.knowledge.ingest import list_documents
    from kefu.storage.db import storage_errors

    factory, engine = _database()
    try:
        with storage_errors(), factory() as session:
            docs = list_documents(session)
    except KefuError as exc:
        _fail(exc)
    finally:
        engine.dispose()
    if as_json:
        typer.echo(json.dumps([_as_dict(d) for d in docs], ensure_ascii=False, indent=2))
        return
    if not docs:
        typer.echo("no documents; add some with `kefu kb add PATH`")
    for d in docs:
        typer.echo(f"{d.id}\t{d.doc_type}\t{d.language}\t{_chunks(d.chunks)}\t"
                   f"{d.updated_at:%Y-%m-%d %H:%M}\t{d.title}\t{d.source or '-'}")


def _report(outcome: Outcome) -> None:
    if outcome.status == "error":
        typer.echo(f"error: {outcome.source}: {outcome.reason}", err=True)
    elif outcome.status == "skipped":
        typer.echo(f"skipped: {outcome.source}: {outcome.reason}")
    else:
        typer.echo(f"{outcome.status}: {outcome.doc_id} ({_chunks(outcome.chunks)}) "
                   f"from {outcome.source}")


def _chunks(count: int) -> str:
    return f"{count} chunk" if count == 1 else f"{count} chunks"


def _as_dict(doc: DocumentInfo) -> dict[str, object]:
    return {
        "id": doc.id, "title": doc.title, "language": doc.language, "type": doc.doc_type,
        "source": doc.source, "chunks": doc.chunks, "updated_at": doc.updated_at.isoformat(),
    }


def _database() -> tuple[sessionmaker[Session], Engine]:
    """The configured database, migrated to the current schema."""
    from kefu.settings import get_settings
    from kefu.storage.db import make_engine, make_sessionmaker, upgrade

    try:
        settings = get_settings()
    except ValueError as exc:
        typer.echo(f"kefu: configuration refused: {exc}", err=True)
        raise typer.Exit(2) from exc
    settings.ensure_data_dir()
    upgrade(settings.resolved_database_url)
    engine = make_engine(settings.resolved_database_url, settings.db_busy_timeout_s)
    return make_sessionmaker(engine), engine


def _fail(exc: KefuError) -> NoReturn:
    """A mistake in the command (exit 2) or a failure of kefu or the database (exit 1)."""
    typer.echo(f"kefu: {exc}", err=True)
    raise typer.Exit(2 if isinstance(exc, UserError) else 1) from exc


class SearchMode(StrEnum):
    hybrid = "hybrid"
    bm25 = "bm25"
    dense = "dense"


@kb_app.command("search")
def search_command(
    query: Annotated[str, typer.Argument(help="A question, in any language.")],
    language: Annotated[str | None, typer.Option(
        help="Only passages in this language (en, zh); default: every language.")] = None,
    doc_type: Annotated[list[str] | None, typer.Option(
        "--type", help="Only these kinds: policy, faq, page, product (repeatable).")] = None,
    k: Annotated[int, typer.Option("-k", help="How many passages.")] = 5,
    mode: Annotated[SearchMode, typer.Option(help="hybrid, bm25 or dense.")] = SearchMode.hybrid,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object, for scripts.")] = False,
) -> None:
    """What retrieval finds for a question: passages with scores, citations and the sentences
    an answer without a language model would quote."""
    from kefu.knowledge.bm25 import SourceDocument
    from kefu.knowledge.extractive import extract_answer
    from kefu.knowledge.hybrid import HybridRetriever
    from kefu.service import _vectors
    from kefu.settings import get_settings
    from kefu.storage.db import storage_errors
    from kefu.storage.models import KnowledgeDocument

    factory, engine = _database()
    try:
        with storage_errors(), factory() as session:
            docs = [SourceDocument(d.id, d.language, d.content, d.doc_type or "page")
                    for d in session.query(KnowledgeDocument).order_by(KnowledgeDocument.id)]
        settings = get_settings()
        vectors = None if mode is SearchMode.bm25 else _vectors(
            settings.model_copy(update={"retrieval": "hybrid"}))
        found = HybridRetriever(docs, vectors, mode.value).search(
            query, language, k, doc_types=doc_type or None)
    except KefuError as exc:
        _fail(exc)
    finally:
        engine.dispose()
    rows = [{"doc_id": p.doc_id, "title": p.title, "section": p.section, "citation": p.citation,
             "language": p.language, "type": p.doc_type, "score": p.score,
             "lexical": p.lexical, "semantic": p.semantic,
             "answer": extract_answer(query, p.text), "text": p.text} for p in found]
    if as_json:
        typer.echo(json.dumps({"query": query, "mode": mode.value, "results": rows},
                              ensure_ascii=False, indent=1))
        return
    if not rows:
        typer.echo("nothing found")
    for i, r in enumerate(rows, 1):
        typer.echo(f"{i}. {r['citation']} [{r['language']}, {r['type']}] score {r['score']} "
                   f"(bm25 {r['lexical']}, cosine {r['semantic']})\n   {r['answer']}")
