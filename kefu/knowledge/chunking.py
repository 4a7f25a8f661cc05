"""Markdown documents split into passages at their ``# `` and ``## `` headings.

Every format is converted to this Markdown at ingestion (kefu.knowledge.formats), so one splitter
serves them all. A section (an FAQ question with its answer, or a policy section) is one passage
while it is at most ``MAX_CHUNK_CHARS`` long; a longer one is cut at its ``###`` sub-headings and
paragraphs (a paragraph longer still at its sentences), and no passage ever spans two sections.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

MAX_CHUNK_CHARS = 1200

_H1 = re.compile(r"^#[ \t]+(.+)$", re.MULTILINE)
_SECTION = re.compile(r"^#{1,2}[ \t]+(.+)$", re.MULTILINE)
_SUBHEADING = re.compile(r"#{3,6}[ \t]+(.+)")
_BLOCK_BREAK = re.compile(r"\n[ \t]*\n|\n(?=#{3,6}[ \t])")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？；])")


@dataclass(frozen=True)
class Chunk:
    doc_id: str
    title: str
    section: str
    text: str


def split_markdown(doc_id: str, content: str) -> list[Chunk]:
    """The document's passages, in order, each named after its title and section.

    The first ``# `` heading is the title; text before the first section is its own passage,
    named after the title. Empty sections give no passage.
    """
    h1 = _H1.search(content)
    title = h1.group(1).strip() if h1 else doc_id
    body = content[: h1.start()] + content[h1.end():] if h1 else content
    return [
        Chunk(doc_id, title, name, text)
        for section, text in _sections(title, body)
        for name, text in _pieces(section, text)
    ]


def _sections(title: str, body: str) -> Iterator[tuple[str, str]]:
    heads = list(_SECTION.finditer(body))
    yield title, body[: heads[0].start()] if heads else body
    for i, head in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(body)
        yield head.group(1).strip(), body[head.end():end]


def _pieces(section: str, text: str) -> Iterator[tuple[str, str]]:
    """The section whole when it fits, else cut at sub-headings and paragraphs."""
    text = text.strip()
    if len(text) <= MAX_CHUNK_CHARS:
        if text:
            yield section, text
        return
    name, buffer = section, ""
    for block in _BLOCK_BREAK.split(text):
        block = block.strip()
        sub = _SUBHEADING.match(block)
        if sub:
            if buffer:
                yield name, buffer
            name, buffer = f"{section} › {sub.group(1).strip()}", ""
            block = block[sub.end():].strip()
        for part in _fitting(block):
            if buffer and len(buffer) + 2 + len(part) > MAX_CHUNK_CHARS:
                yield name, buffer
                buffer = ""
            buffer = f"{buffer}\n\n{part}" if buffer else part
    if buffer:
        yield name, buffer


def _fitting(paragraph: str) -> list[str]:
    """The paragraph, or when it is too long, runs of its sentences that fit (a sentence longer
    than the limit is cut at it)."""
    if len(paragraph) <= MAX_CHUNK_CHARS:
        return [paragraph] if paragraph else []
    parts: list[str] = []
    current = ""
    for sentence in _sentences(paragraph):
        if current and len(current) + len(sentence) > MAX_CHUNK_CHARS:
            parts.append(current.strip())
            current = ""
        while len(sentence) > MAX_CHUNK_CHARS:
            parts.append(sentence[:MAX_CHUNK_CHARS].strip())
            sentence = sentence[MAX_CHUNK_CHARS:]
        current += sentence
    if current.strip():
        parts.append(current.strip())
    return [p for p in parts if p]


def _sentences(text: str) -> list[str]:
    out: list[str] = []
    start = 0
    for end in _SENTENCE_END.finditer(text):
        out.append(text[start:end.end()])
        start = end.end()
    out.append(text[start:])
    return [s for s in out if s]
