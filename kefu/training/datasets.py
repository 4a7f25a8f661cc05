"""Labelled text files: CSV (with a header) or JSONL, one example per row / line.

The text column is ``text`` or ``utterance`` (Bitext). The label column is the one named, else
the first of ``intent``, ``label``, ``category`` present: BANKING77 has ``text,category``;
Bitext has both ``category`` and ``intent``, and ``intent`` wins. Column names match ignoring
case and surrounding spaces. Files are UTF-8; a byte-order mark is ignored. Other columns are
ignored. Writing always uses ``text`` and ``intent``, so written files load back unchanged.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kefu.errors import InvalidInput

TEXT_COLUMNS: tuple[str, ...] = ("text", "utterance")
LABEL_COLUMNS: tuple[str, ...] = ("intent", "label", "category")
_KINDS = {".csv": "csv", ".jsonl": "jsonl"}


@dataclass(frozen=True)
class Example:
    """One labelled utterance."""

    text: str
    label: str


def load_examples(path: Path | str, label_column: str | None = None) -> list[Example]:
    """Every row of a ``.csv`` or ``.jsonl`` file, in file order.

    Raises InvalidInput for a missing or unreadable file, an unknown extension, an empty file,
    missing columns, or a malformed line (the message names the line).
    """
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    kind = _kind(path)
    raw = _read_text(path)
    if not raw.strip():
        raise InvalidInput(f"{path}: the file is empty")
    read = _read_csv if kind == "csv" else _read_jsonl
    examples = read(path, raw, label_column)
    if not examples:
        raise InvalidInput(f"{path}: the file has a header but no rows")
    return examples


def write_examples(path: Path | str, examples: Iterable[Example]) -> None:
    """Write examples as CSV or JSONL (chosen by the extension); parent folders are created."""
    path = Path(path)
    kind = _kind(path)
    body = _csv_text(examples) if kind == "csv" else _jsonl_text(examples)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8", newline="")
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot write ({exc.strerror or exc})") from exc


def _kind(path: Path) -> str:
    kind = _KINDS.get(path.suffix.lower())
    if kind is None:
        known = ", ".join(_KINDS)
        raise InvalidInput(f"{path}: unknown file type {path.suffix or '(none)'!r}; use {known}")
    return kind


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{path}: not UTF-8 text (bad byte at offset {exc.start})") from exc
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read ({exc.strerror or exc})") from exc


def _resolve(path: Path, names: Sequence[str], label_column: str | None) -> tuple[str, str]:
    """The actual (text, label) column names among ``names``."""
    by_key = {name.strip().lower(): name for name in reversed(names)}
    found = ", ".join(names) or "none"
    text = next((by_key[c] for c in TEXT_COLUMNS if c in by_key), None)
    if text is None:
        raise InvalidInput(f"{path}: no text column (expected text or utterance; found {found})")
    wanted = LABEL_COLUMNS if label_column is None else (label_column.strip().lower(),)
    label = next((by_key[c] for c in wanted if c in by_key), None)
    if label is None:
        raise InvalidInput(
            f"{path}: no label column (expected {' or '.join(wanted)}; found {found})"
        )
    return text, label


def _read_csv(path: Path, raw: str, label_column: str | None) -> list[Example]:
    reader = csv.reader(io.StringIO(raw, newline=""))
    try:
        header = next(reader)
        text_col, label_col = _resolve(path, header, label_column)
        ti, li = header.index(text_col), header.index(label_col)
        return [_csv_example(row, ti, li) for row in reader if row]
    except csv.Error as exc:
        raise InvalidInput(f"{path}:{reader.line_num}: malformed CSV ({exc})") from exc


def _csv_example(row: list[str], ti: int, li: int) -> Example:
    def field(i: int) -> str:
        return row[i] if i < len(row) else ""

    return Example(field(ti), field(li))


def _read_jsonl(path: Path, raw: str, label_column: str | None) -> list[Example]:
    columns: tuple[str, str] | None = None
    examples: list[Example] = []
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        obj = _json_object(path, number, line)
        if columns is None:
            columns = _resolve(path, list(obj), label_column)
        examples.append(Example(*(_json_field(path, number, obj, c) for c in columns)))
    return examples


def _json_object(path: Path, number: int, line: str) -> dict[str, Any]:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
    if not isinstance(obj, dict):
        raise InvalidInput(f"{path}:{number}: expected a JSON object, got {type(obj).__name__}")
    return obj


def _json_field(path: Path, number: int, obj: dict[str, Any], key: str) -> str:
    if key not in obj:
        raise InvalidInput(f"{path}:{number}: missing key {key!r}")
    value = obj[key]
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise InvalidInput(f"{path}:{number}: {key!r} must be a string, got {type(value).__name__}")


def _csv_text(examples: Iterable[Example]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["text", "intent"])
    writer.writerows([e.text, e.label] for e in examples)
    return buffer.getvalue()


def _jsonl_text(examples: Iterable[Example]) -> str:
    lines = (json.dumps({"text": e.text, "intent": e.label}, ensure_ascii=False) for e in examples)
    return "".join(line + "\n" for line in lines)
