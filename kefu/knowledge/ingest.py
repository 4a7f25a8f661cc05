"""Adding the shop's own files to the knowledge base, and removing and listing them.

One file is one ``kb_documents`` row, written in its own transaction, so a batch never leaves a
document half-written: a file that fails (unsupported, empty, over ``MAX_FILE_BYTES``, corrupt,
unreadable, changed or removed while it was read) writes nothing, and the others still go in.

A document's id is ``<language>/<name>``, where name is the file's name or, for a file found in
a directory that was given, its path below that directory (``en/policies/returns.md``); ``--id``
chooses another. A file already in the knowledge base keeps its id (it is found by its source,
the file's absolute path), and a file never silently replaces another file's document: a demo
page (no source) with the same id is replaced, another file's is refused, and so is a copy of a
document already there under another id (a duplicate upload would only repeat its passages).

Adding is idempotent: the same converted text and metadata is "unchanged" and writes nothing;
otherwise the row is "updated" and its ``updated_at`` moves, which is what running servers watch
(kefu.knowledge.cache) to rebuild their index without a restart.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Literal

from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kefu.errors import Conflict, InvalidInput, NotFound, UserError
from kefu.knowledge.chunking import split_markdown
from kefu.knowledge.formats import Converted, convert, format_of
from kefu.nlu.language import detect_language
from kefu.storage.models import KnowledgeDocument, utcnow
from kefu.types import Language

MAX_FILE_BYTES = 20 * 1024 * 1024  # larger files are refused: split them, or convert them first
MAX_ID_CHARS = 200  # KnowledgeDocument.id
MAX_TITLE_CHARS = 300  # KnowledgeDocument.title
DOC_TYPES = ("policy", "faq", "product", "page")

Status = Literal["added", "updated", "unchanged", "skipped", "error"]


@dataclass(frozen=True)
class Options:
    """What the caller says about the files; None means infer it (doc type: faq for FAQ files,
    else page; language: detected from the text; id: ``<language>/<name>``)."""

    doc_type: str | None = None
    language: Language | None = None
    doc_id: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What happened to one file."""

    source: str
    status: Status
    doc_id: str | None = None
    chunks: int = 0
    reason: str = ""


@dataclass(frozen=True)
class DocumentInfo:
    id: str
    title: str
    language: str
    doc_type: str
    source: str | None
    chunks: int
    updated_at: datetime


@dataclass(frozen=True)
class _Target:
    path: Path
    name: str  # the name part of the default id


@dataclass(frozen=True)
class _Document:
    id: str
    title: str
    language: str
    doc_type: str
    content: str
    content_hash: str
    source: str


def ingest_paths(factory: sessionmaker[Session], paths: Iterable[Path],
                 options: Options | None = None) -> list[Outcome]:
    """Add or update every file named or found (recursively) in ``paths``, each in its own
    transaction. Files of an unsupported type found in a directory are skipped; named ones are
    errors."""
    options = options or Options()
    paths = list(paths)
    if options.doc_type is not None and options.doc_type not in DOC_TYPES:
        raise InvalidInput(f"unknown document type {options.doc_type!r}; one of {DOC_TYPES}")
    if options.doc_id is not None and (len(paths) != 1 or paths[0].is_dir()):
        raise InvalidInput("--id names one document: give exactly one file with it")
    outcomes: list[Outcome] = []
    for found in (f for path in paths for f in _expand(path)):
        outcomes.append(found if isinstance(found, Outcome) else _ingest(factory, found, options))
    return outcomes


def _ingest(factory: sessionmaker[Session], target: _Target, options: Options) -> Outcome:
    source = _source(target.path)
    try:
        data, before = read_whole_file(target.path)
        doc = _document(target, source, convert(target.path.name, data), options)
        _require_unchanged_on_disk(target.path, before)
        with factory.begin() as session:
            status, doc_id = _store(session, doc, explicit_id=options.doc_id is not None)
    except UserError as exc:
        return Outcome(source, "error", reason=str(exc))
    except OSError as exc:
        return Outcome(source, "error", reason=f"cannot read the file: {_os_reason(exc)}")
    except IntegrityError:
        return Outcome(source, "error", reason="another process wrote this document at the "
                                               "same time; nothing was written, add it again")
    return Outcome(source, status, doc_id, len(split_markdown(doc_id, doc.content)))


def read_whole_file(path: Path) -> tuple[bytes, os.stat_result]:
    """The file's bytes, read once and fully, with what it looked like when it was opened."""
    if not stat.S_ISREG(path.stat().st_mode):
        raise InvalidInput("not a regular file")  # a pipe or a device would block or never end
    with path.open("rb") as file:
        before = os.fstat(file.fileno())
        if before.st_size > MAX_FILE_BYTES:
            raise InvalidInput(f"the file is larger than {MAX_FILE_BYTES // 2**20} MB")
        if before.st_size == 0:
            raise InvalidInput("the file is empty")
        data = file.read(MAX_FILE_BYTES + 1)
    if len(data) != before.st_size:
        raise InvalidInput("the file changed while it was read; nothing was written, add it again")
    return data, before


def remove_documents(session: Session, id_or_path: str) -> list[str]:
    """Delete the document with this id, else every document whose source is this file or lies
    under this directory; the ids removed. NotFound when nothing matches."""
    doc = session.get(KnowledgeDocument, id_or_path)
    if doc is not None:
        session.delete(doc)
        return [doc.id]
    path = _source(Path(id_or_path).expanduser())
    under = path.rstrip(os.sep) + os.sep
    rows = session.execute(select(KnowledgeDocument.id, KnowledgeDocument.source)
                           .where(KnowledgeDocument.source.is_not(None)))
    ids = sorted(i for i, src in rows if src is not None and (src == path or src.startswith(under)))
    if not ids:
        raise NotFound(f"no document has the id or source {id_or_path!r}")
    session.execute(delete(KnowledgeDocument).where(KnowledgeDocument.id.in_(ids)))
    return ids


def list_documents(session: Session) -> list[DocumentInfo]:
    docs = session.scalars(select(KnowledgeDocument).order_by(KnowledgeDocument.id))
    return [
        DocumentInfo(d.id, d.title, d.language, d.doc_type, d.source,
                     len(split_markdown(d.id, d.content)), d.updated_at)
        for d in docs
    ]


def _expand(path: Path) -> Iterator[_Target | Outcome]:
    if not path.is_dir():
        yield _Target(path, path.name)  # a missing or unsupported file fails when it is read
        return
    for root, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(f for f in files if not f.startswith(".")):
            found = Path(root, name)
            if format_of(name) is None:
                yield Outcome(_source(found), "skipped", reason="unsupported file type")
            else:
                yield _Target(found, found.relative_to(path).as_posix())


def _document(target: _Target, source: str, converted: Converted, options: Options) -> _Document:
    language = options.language or detect_language(converted.content)
    doc_id = (options.doc_id or f"{language}/{target.name}").strip()
    if not doc_id or len(doc_id) > MAX_ID_CHARS:
        raise InvalidInput(f"the id must be 1 to {MAX_ID_CHARS} characters; choose one with --id")
    return _Document(
        id=doc_id,
        title=converted.title[:MAX_TITLE_CHARS],
        language=language,
        doc_type=options.doc_type or ("faq" if converted.is_faq else "page"),
        content=converted.content,
        content_hash=hashlib.sha256(converted.content.encode("utf-8")).hexdigest(),
        source=source,
    )


def _require_unchanged_on_disk(path: Path, before: os.stat_result) -> None:
    """The file is still there as it was read: indexing a deleted or half-saved file would
    contradict the shop's files."""
    try:
        after = path.stat()
    except FileNotFoundError:
        raise InvalidInput(
            "the file was removed while it was being indexed; nothing was written") from None
    if (after.st_ino, after.st_size, after.st_mtime_ns) != (
            before.st_ino, before.st_size, before.st_mtime_ns):
        raise InvalidInput(
            "the file changed while it was being indexed; nothing was written, add it again")


def _store(session: Session, doc: _Document, explicit_id: bool) -> tuple[Status, str]:
    """Insert or update the file's row (and drop any other row from the same file)."""
    same_source = list(session.scalars(
        select(KnowledgeDocument).where(KnowledgeDocument.source == doc.source)
        .order_by(KnowledgeDocument.updated_at)))
    if same_source and not explicit_id:
        doc = replace(doc, id=same_source[0].id)
    existing = session.get(KnowledgeDocument, doc.id)
    if existing is not None and existing.source not in (None, doc.source):
        raise Conflict(f"the id {doc.id!r} belongs to {existing.source}; choose another with "
                       f"--id, or `kefu kb remove {doc.id}` first")
    twin = session.scalars(select(KnowledgeDocument.id).where(
        KnowledgeDocument.content_hash == doc.content_hash, KnowledgeDocument.id != doc.id,
        or_(KnowledgeDocument.source.is_(None), KnowledgeDocument.source != doc.source))).first()
    if twin is not None:
        raise Conflict(f"the same text is already in the knowledge base as {twin!r}; "
                       f"`kefu kb remove {twin}` first if this file replaces it")
    for other in same_source:
        if other.id != doc.id:
            session.delete(other)
    if existing is None:
        session.add(KnowledgeDocument(**_fields(doc), updated_at=utcnow()))
        return "added", doc.id
    if all(getattr(existing, k) == v for k, v in _fields(doc).items()):
        return "unchanged", doc.id
    for key, value in _fields(doc).items():
        setattr(existing, key, value)
    existing.updated_at = utcnow()
    return "updated", doc.id


def _fields(doc: _Document) -> dict[str, str]:
    return {
        "id": doc.id, "title": doc.title, "language": doc.language, "doc_type": doc.doc_type,
        "content": doc.content, "content_hash": doc.content_hash, "source": doc.source,
    }


def _source(path: Path) -> str:
    return str(path.resolve())


def _os_reason(exc: OSError) -> str:
    return (exc.strerror or str(exc)).lower()
