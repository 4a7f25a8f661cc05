"""Markdown documents split into passages at their ``## `` headings."""

from __future__ import annotations

import re
from dataclasses import dataclass

_H1 = re.compile(r"^#\s+(.+)$", re.MULTILINE)
_H2 = re.compile(r"^##\s+(.+)$", re.MULTILINE)


@dataclass(frozen=True)
class Chunk:
    doc_id: str
    title: str
    section: str
    text: str


def split_markdown(doc_id: str, content: str) -> list[Chunk]:
    """One chunk per ``## `` section (an FAQ question with its answer, or a policy section).

    Text before the first section is its own chunk, titled after the document.
    """
    h1 = _H1.search(content)
    title = h1.group(1).strip() if h1 else doc_id
    body = content[h1.end():] if h1 else content
    heads = list(_H2.finditer(body))
    chunks: list[Chunk] = []
    intro = body[: heads[0].start()] if heads else body
    if intro.strip():
        chunks.append(Chunk(doc_id, title, title, intro.strip()))
    for i, head in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(body)
        text = body[head.end():end].strip()
        if text:
            chunks.append(Chunk(doc_id, title, head.group(1).strip(), text))
    return chunks
