"""The shop's files into the knowledge base, on SQLite and PostgreSQL, and through `kefu kb`."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

import kefu.knowledge.ingest as ingest_module
from kefu.errors import InvalidInput, NotFound
from kefu.knowledge.cache import KnowledgeCache
from kefu.knowledge.formats import Converted
from kefu.knowledge.ingest import (
    MAX_FILE_BYTES,
    Options,
    Outcome,
    ingest_paths,
    list_documents,
    remove_documents,
)
from kefu.storage.models import KnowledgeDocument
from tests.processes import must_run_kefu, run_kefu

RETURNS_MD = ("# Returns\n\nUnworn items can be returned within 30 days.\n\n"
              "## Labels\nPrint a label.\n")
FAQ_ZH = ("问题,答案\n退款多久到账？,退款在三到五个工作日内原路退回。\n"
          "可以开发票吗？,可以，下单后在订单页申请电子发票。\n")


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


def add(factory: sessionmaker[Session], *paths: Path, **options: str) -> list[Outcome]:
    return ingest_paths(factory, list(paths), Options(**options))  # type: ignore[arg-type]


def rows(factory: sessionmaker[Session]) -> dict[str, KnowledgeDocument]:
    with factory() as session:
        return {d.id: d for d in session.scalars(select(KnowledgeDocument))}


def test_add_then_unchanged_then_updated(session_factory: sessionmaker[Session],
                                          tmp_path: Path) -> None:
    path = write(tmp_path / "returns.md", RETURNS_MD)
    [first] = add(session_factory, path)
    assert (first.status, first.doc_id, first.chunks) == ("added", "en/returns.md", 2)
    doc = rows(session_factory)["en/returns.md"]
    assert (doc.title, doc.language, doc.doc_type, doc.source) == (
        "Returns", "en", "page", str(path.resolve()))
    assert doc.content_hash == hashlib.sha256(RETURNS_MD.encode()).hexdigest()

    [again] = add(session_factory, path)
    assert again.status == "unchanged"
    assert rows(session_factory)["en/returns.md"].updated_at == doc.updated_at

    write(path, RETURNS_MD.replace("30 days", "60 days"))
    [changed] = add(session_factory, path)
    after = rows(session_factory)["en/returns.md"]
    assert changed.status == "updated" and "60 days" in after.content
    assert after.updated_at > doc.updated_at

    [retyped] = add(session_factory, path, doc_type="policy")  # metadata alone is a change too
    assert retyped.status == "updated"
    assert rows(session_factory)["en/returns.md"].doc_type == "policy"
    assert len(rows(session_factory)) == 1


def test_list_and_remove_by_id_file_or_directory(session_factory: sessionmaker[Session],
                                                  tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    write(docs / "returns.md", RETURNS_MD)
    write(docs / "zh" / "faq.csv", FAQ_ZH)
    write(docs / "help" / "hours.txt", "Store hours\n\nOpen 9 to 6.\n")
    write(docs / "logo.png", b"\x89PNG")  # found in a directory: skipped, not an error
    outcomes = add(session_factory, docs)
    assert sorted((o.status, o.doc_id) for o in outcomes) == [
        ("added", "en/help/hours.txt"), ("added", "en/returns.md"), ("added", "zh/zh/faq.csv"),
        ("skipped", None)]
    with session_factory() as session:
        listed = {d.id: d for d in list_documents(session)}
    assert listed["zh/zh/faq.csv"].doc_type == "faq" and listed["zh/zh/faq.csv"].chunks == 2
    assert listed["en/help/hours.txt"].title == "Store hours"

    with session_factory.begin() as session:
        assert remove_documents(session, "en/returns.md") == ["en/returns.md"]
    with session_factory.begin() as session:
        assert remove_documents(session, str(docs / "zh" / "faq.csv")) == ["zh/zh/faq.csv"]
    with session_factory.begin() as session:
        assert remove_documents(session, str(docs / "help")) == ["en/help/hours.txt"]
    with session_factory.begin() as session, pytest.raises(NotFound):
        remove_documents(session, "en/returns.md")
    assert rows(session_factory) == {}


def test_a_bad_file_writes_nothing_and_the_others_still_go_in(
        session_factory: sessionmaker[Session], tmp_path: Path) -> None:
    good = write(tmp_path / "returns.md", RETURNS_MD)
    faq = write(tmp_path / "faq.csv", FAQ_ZH)
    corrupt = write(tmp_path / "manual.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog")
    empty = write(tmp_path / "empty.txt", b"")
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)  # sparse: refused before it is read
    unsupported = write(tmp_path / "catalogue.docx", b"PK\x03\x04")
    no_pairs = write(tmp_path / "prices.csv", "name,price\nmug,9\n")
    missing = tmp_path / "gone.md"
    outcomes = add(session_factory, good, corrupt, empty, huge, unsupported, no_pairs, missing,
                   faq)
    reasons = {Path(o.source).name: o.reason for o in outcomes if o.status == "error"}
    assert reasons.keys() == {"manual.pdf", "empty.txt", "huge.txt", "catalogue.docx",
                              "prices.csv", "gone.md"}
    assert "not a readable PDF" in reasons["manual.pdf"]
    assert reasons["empty.txt"] == "the file is empty"
    assert reasons["huge.txt"] == "the file is larger than 20 MB"
    assert "unsupported file type '.docx'" in reasons["catalogue.docx"]
    assert "no question/answer pairs" in reasons["prices.csv"]
    assert "no such file" in reasons["gone.md"]
    assert set(rows(session_factory)) == {"en/returns.md", "zh/faq.csv"}


def test_a_file_removed_while_being_indexed_writes_nothing(
        session_factory: sessionmaker[Session], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "returns.md", RETURNS_MD)
    real_convert = ingest_module.convert

    def convert_then_delete(name: str, data: bytes) -> Converted:
        converted = real_convert(name, data)
        path.unlink()  # the operator deletes it while kefu parses it
        return converted

    monkeypatch.setattr(ingest_module, "convert", convert_then_delete)
    [outcome] = add(session_factory, path)
    assert outcome.status == "error" and "removed while it was being indexed" in outcome.reason
    assert rows(session_factory) == {}


def test_ids_never_silently_replace_another_files_document(
        session_factory: sessionmaker[Session], tmp_path: Path) -> None:
    with session_factory.begin() as session:  # a demo page: no source, replaceable
        session.add(KnowledgeDocument(id="en/returns.md", title="Demo", language="en",
                                      doc_type="policy", content="# Demo\n\nOld.\n",
                                      content_hash="x"))
    ours = write(tmp_path / "a" / "returns.md", RETURNS_MD)
    theirs = write(tmp_path / "b" / "returns.md", RETURNS_MD.replace("30", "14"))
    assert add(session_factory, ours)[0].status == "updated"
    [refused] = add(session_factory, theirs)
    assert refused.status == "error" and "belongs to" in refused.reason
    [chosen] = add(session_factory, theirs, doc_id="en/returns-b.md")
    assert (chosen.status, chosen.doc_id) == ("added", "en/returns-b.md")
    assert add(session_factory, theirs)[0].doc_id == "en/returns-b.md"  # keeps the id it got
    copy = write(tmp_path / "c" / "returns-copy.md", RETURNS_MD)
    [duplicate] = add(session_factory, copy)
    assert duplicate.status == "error"
    assert "already in the knowledge base as 'en/returns.md'" in duplicate.reason
    with pytest.raises(InvalidInput, match="exactly one file"):
        add(session_factory, ours, theirs, doc_id="x")
    assert set(rows(session_factory)) == {"en/returns.md", "en/returns-b.md"}


def test_the_running_index_sees_added_changed_and_removed_documents(
        session_factory: sessionmaker[Session], tmp_path: Path) -> None:
    cache = KnowledgeCache(session_factory)
    cache.refresh(force=True)
    assert cache.search("returned within days", "en") == []

    en = write(tmp_path / "returns.md", RETURNS_MD)
    zh = write(tmp_path / "faq.csv", FAQ_ZH)
    assert [o.status for o in add(session_factory, en, zh)] == ["added", "added"]
    cache.refresh(force=True)
    [hit, *_] = cache.search("can items be returned", "en")
    assert hit.doc_id == "en/returns.md" and "30 days" in hit.text
    [zh_hit, *_] = cache.search("退款多久到账", "zh")
    assert (zh_hit.doc_id, zh_hit.section) == ("zh/faq.csv", "退款多久到账？")
    assert "三到五个工作日" in zh_hit.text

    write(en, RETURNS_MD.replace("30 days", "45 days"))
    add(session_factory, en)
    cache.refresh(force=True)
    assert "45 days" in cache.search("can items be returned", "en")[0].text

    with session_factory.begin() as session:
        remove_documents(session, str(zh))
    cache.refresh(force=True)
    assert cache.search("退款多久到账", "zh") == []


def test_the_index_sees_a_change_that_keeps_count_newest_time_and_largest_hash(
        session_factory: sessionmaker[Session]) -> None:
    """A writer on a machine whose clock is behind: the newest time and the largest hash stay
    the same, yet the content changed."""
    with session_factory.begin() as session:
        session.add(KnowledgeDocument(
            id="en/a.md", title="A", language="en", content="# A\n\nApples.",
            content_hash="f" * 64, updated_at=datetime(2026, 6, 1, tzinfo=UTC)))
        session.add(KnowledgeDocument(
            id="en/b.md", title="B", language="en", content="# B\n\nBananas.",
            content_hash="1" * 64, updated_at=datetime(2026, 1, 1, tzinfo=UTC)))
    cache = KnowledgeCache(session_factory)
    cache.refresh(force=True)
    assert cache.search("bananas", "en")
    with session_factory.begin() as session:
        session.execute(update(KnowledgeDocument).where(KnowledgeDocument.id == "en/b.md").values(
            content="# B\n\nCherries.", content_hash="2" * 64,
            updated_at=datetime(2026, 2, 1, tzinfo=UTC)))
    cache.refresh(force=True)
    assert cache.search("bananas", "en") == [] and cache.search("cherries", "en")


def test_kb_commands_as_an_operator_runs_them(tmp_path: Path) -> None:
    data_dir, docs = tmp_path / "var", tmp_path / "docs"
    data_dir.mkdir()
    write(docs / "returns.md", RETURNS_MD)
    write(docs / "shipping.html", "<html><body><nav>Menu</nav><h1>Shipping</h1>"
                                  "<h2>Times</h2><p>Three to five days.</p></body></html>")
    write(docs / "hours.txt", "Store hours\n\nOpen 9 to 6.\n")
    write(docs / "faq.csv", FAQ_ZH)

    out = must_run_kefu("kb", "add", str(docs), data_dir=data_dir)
    assert "4 added, 0 updated, 0 unchanged, 0 skipped, 0 failed" in out
    listed = {d["id"]: d for d in json.loads(must_run_kefu("kb", "list", "--json",
                                                           data_dir=data_dir))}
    assert {i: (d["type"], d["language"], d["chunks"]) for i, d in listed.items()} == {
        "en/returns.md": ("page", "en", 2), "en/shipping.html": ("page", "en", 1),
        "en/hours.txt": ("page", "en", 1), "zh/faq.csv": ("faq", "zh", 2)}
    assert listed["en/shipping.html"]["title"] == "Shipping"
    assert listed["zh/faq.csv"]["source"] == str((docs / "faq.csv").resolve())
    assert "0 added, 0 updated, 4 unchanged" in must_run_kefu("kb", "add", str(docs),
                                                              data_dir=data_dir)

    bad = write(tmp_path / "broken.pdf", b"%PDF-1.7 truncated")
    done = run_kefu("kb", "add", str(bad), str(docs / "returns.md"), data_dir=data_dir)
    assert done.returncode == 1
    assert f"error: {bad.resolve()}: not a readable PDF" in done.stderr
    assert "1 unchanged, 0 skipped, 1 failed" in done.stdout

    assert "removed: en/hours.txt" in must_run_kefu("kb", "remove", "en/hours.txt",
                                                    data_dir=data_dir)
    assert "removed: zh/faq.csv" in must_run_kefu("kb", "remove", str(docs / "faq.csv"),
                                                  data_dir=data_dir)
    missing = run_kefu("kb", "remove", "en/nothing.md", data_dir=data_dir)
    assert missing.returncode == 1 and "error: en/nothing.md: no document" in missing.stderr
    remaining = json.loads(must_run_kefu("kb", "list", "--json", data_dir=data_dir))
    assert sorted(d["id"] for d in remaining) == ["en/returns.md", "en/shipping.html"]
