"""Files of every supported kind converted to the Markdown the chunker splits.

=================  ===========================================================================
.md .markdown      kept as written; a YAML front matter's ``title:`` is used when there is no
                   ``# `` heading, and the front matter itself is dropped
.html .htm         headings become ``#``/``##``…, paragraphs and list items are kept; scripts,
                   styles and navigation are dropped (kefu.knowledge.html_text)
.pdf               each page's text; headings where the type size shows them
                   (kefu.knowledge.pdf_text)
.txt .text         as written; the first line is the title when it is short, else the file name
.csv .json         FAQ: question/answer pairs (columns or keys ``question``/``answer``, ``q``/``a``
                   or ``问题``/``答案``), each pair one ``## question`` section, so one passage
=================  ===========================================================================

Text files may be UTF-8 (with or without a BOM), UTF-16 with a BOM or GB18030 (GBK).
Every converted document starts with its ``# title`` and has at least one passage.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import Literal

from kefu.errors import InvalidInput
from kefu.knowledge.blocks import assemble, clean_text, escape_headings
from kefu.knowledge.chunking import split_markdown
from kefu.knowledge.html_text import read_html
from kefu.knowledge.pdf_text import pdf_blocks, read_pdf

Format = Literal["markdown", "html", "pdf", "text", "faq_csv", "faq_json"]

FORMATS: dict[str, Format] = {
    ".md": "markdown", ".markdown": "markdown",
    ".html": "html", ".htm": "html",
    ".pdf": "pdf",
    ".txt": "text", ".text": "text",
    ".csv": "faq_csv", ".json": "faq_json",
}
QUESTION_KEYS = ("question", "q", "问题")
ANSWER_KEYS = ("answer", "a", "答案")
FAQ_LIST_KEYS = ("faq", "faqs", "items", "questions", "pairs")
MAX_TITLE_LINE = 100

_H1 = re.compile(r"^#[ \t]+(.+)$", re.MULTILINE)
_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---[ \t]*(?:\n|\Z)", re.DOTALL)
_FRONT_TITLE = re.compile(r"^title:[ \t]*(.+)$", re.MULTILINE)


@dataclass(frozen=True)
class Converted:
    title: str
    content: str  # Markdown, starting with "# title"
    is_faq: bool


def format_of(name: str) -> Format | None:
    return FORMATS.get(PurePath(name).suffix.lower())


def convert(name: str, data: bytes) -> Converted:
    """The file's text as Markdown; InvalidInput says why a file cannot be used."""
    kind = format_of(name)
    if kind is None:
        supported = " ".join(sorted(FORMATS))
        raise InvalidInput(f"unsupported file type {PurePath(name).suffix or '(none)'!r} "
                           f"(supported: {supported})")
    if not data.strip():
        raise InvalidInput("the file is empty")
    converted = _CONVERTERS[kind](name, data)
    if not split_markdown(name, converted.content):
        raise InvalidInput("no text to index" + (
            " (a scanned PDF needs OCR first)" if kind == "pdf" else ""))
    return converted


def decode_text(data: bytes) -> str:
    """UTF-8 (BOM or not), UTF-16 with a BOM, or GB18030; never a binary file."""
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    for encoding in ("utf-16",) if utf16 else ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return clean_text(text)
    raise InvalidInput("not text in UTF-8, UTF-16 or GB18030 (is it a binary file?)")


def file_title(name: str) -> str:
    """A title made from a file name: ``return-policy.md`` → ``Return policy``."""
    stem = " ".join(re.split(r"[-_\s]+", PurePath(name).stem)).strip() or PurePath(name).name
    return "FAQ" if stem.lower() in ("faq", "faqs") else stem[:1].upper() + stem[1:]


def _markdown(name: str, data: bytes) -> Converted:
    text = decode_text(data)
    front = _FRONT_MATTER.match(text)
    front_title = _FRONT_TITLE.search(front.group(1)) if front else None
    text = text[front.end():] if front else text
    h1 = _H1.search(text)
    if h1:
        return Converted(h1.group(1).strip(), text, is_faq=False)
    title = front_title.group(1).strip().strip("'\"") if front_title else file_title(name)
    return Converted(title, f"# {title}\n\n{text.strip()}\n", is_faq=False)


def _text(name: str, data: bytes) -> Converted:
    text = decode_text(data).strip()
    first, _, rest = text.partition("\n")
    if 0 < len(first.strip()) <= MAX_TITLE_LINE and rest.strip():
        title, body = " ".join(first.split()).lstrip("# "), rest.strip()
    else:
        title, body = file_title(name), text
    return Converted(title, f"# {title}\n\n{body}\n", is_faq=False)


def _html(name: str, data: bytes) -> Converted:
    page = read_html(data)
    h1 = next((b.text for b in page.blocks if b.level == 1), None)
    title = h1 or page.title or file_title(name)
    return Converted(title, assemble(title, page.blocks), is_faq=False)


def _pdf(name: str, data: bytes) -> Converted:
    pdf = read_pdf(data)
    blocks = pdf_blocks(pdf)
    opening = blocks[0].text if blocks and blocks[0].level else None
    title = pdf.title or opening or file_title(name)
    return Converted(title, assemble(title, blocks), is_faq=False)


def _faq_csv(name: str, data: bytes) -> Converted:
    text = decode_text(data)
    header = text.partition("\n")[0]
    delimiter = max(",;\t", key=header.count)  # a comma unless the header has more of another
    try:
        rows = list(csv.DictReader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:
        raise InvalidInput(f"not a readable CSV file ({exc})") from exc
    return _faq(file_title(name), rows)


def _faq_json(name: str, data: bytes) -> Converted:
    try:
        doc = json.loads(decode_text(data))
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"not valid JSON ({exc})") from exc
    title = file_title(name)
    items = doc
    if isinstance(doc, dict):
        title = doc["title"].strip() if isinstance(doc.get("title"), str) else title
        items = next((doc[k] for k in FAQ_LIST_KEYS if isinstance(doc.get(k), list)), None)
    if not isinstance(items, list):
        raise InvalidInput('expected a list of {"question": …, "answer": …} objects, or an '
                           f"object with the list under one of: {', '.join(FAQ_LIST_KEYS)}")
    return _faq(title or file_title(name), [i for i in items if isinstance(i, dict)])


def _faq(title: str, rows: Iterable[Mapping[object, object]]) -> Converted:
    pairs = [pair for row in rows if (pair := _pair(row))]
    if not pairs:
        raise InvalidInput("no question/answer pairs (expected columns or keys question and "
                           "answer, or q and a)")
    sections = [f"## {question}\n\n{escape_headings(answer)}" for question, answer in pairs]
    return Converted(title, f"# {title}\n\n" + "\n\n".join(sections) + "\n", is_faq=True)


def _pair(row: Mapping[object, object]) -> tuple[str, str] | None:
    fields = {str(k).strip().lower(): v for k, v in row.items() if k is not None}
    question = _first_text(fields, QUESTION_KEYS)
    answer = _first_text(fields, ANSWER_KEYS)
    if not question or not answer:
        return None
    return " ".join(clean_text(question).split()), clean_text(answer).strip()


def _first_text(fields: Mapping[str, object], keys: tuple[str, ...]) -> str:
    for key in keys:
        value = fields.get(key)
        if isinstance(value, str | int | float) and not isinstance(value, bool) \
                and str(value).strip():
            return str(value)
    return ""


_CONVERTERS = {
    "markdown": _markdown,
    "html": _html,
    "pdf": _pdf,
    "text": _text,
    "faq_csv": _faq_csv,
    "faq_json": _faq_json,
}
