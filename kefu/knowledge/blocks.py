"""Headings and paragraphs read out of a file, written as the Markdown the chunker splits."""

from __future__ import annotations

import re
from dataclasses import dataclass

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[^\S\n]+")


@dataclass(frozen=True)
class Block:
    """A heading (``level`` 1–6, as in ``<h1>``…``<h6>``) or a paragraph (``level`` 0)."""

    text: str
    level: int = 0
    bullet: bool = False


def clean_text(text: str) -> str:
    """Unix newlines, page breaks as blank lines, no control characters (PostgreSQL refuses
    NUL in text)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0c", "\n\n")
    return _CONTROL.sub("", text)


def squash(text: str) -> str:
    """Runs of spaces as one space, each line trimmed, empty lines dropped."""
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def assemble(title: str, blocks: list[Block]) -> str:
    """``# title`` then the blocks: the shallowest heading level below the title becomes
    ``##`` (a section), deeper ones ``###``…; list items stay together as one paragraph."""
    if blocks and blocks[0].level and blocks[0].text == title:
        blocks = blocks[1:]
    levels = sorted({b.level for b in blocks if b.level})
    depth = {level: min(2 + i, 6) for i, level in enumerate(levels)}
    parts = [f"# {title}"]
    for i, block in enumerate(blocks):
        if block.level:
            parts.append(f"\n\n{'#' * depth[block.level]} {block.text}")
        elif block.bullet:
            joiner = "\n" if i and blocks[i - 1].bullet else "\n\n"
            parts.append(f"{joiner}- {block.text}")
        else:
            parts.append(f"\n\n{escape_headings(block.text)}")
    return "".join(parts) + "\n"


def escape_headings(text: str) -> str:
    """Text whose lines start with ``#`` indented by a space, so they stay text."""
    return re.sub(r"^(?=#)", " ", text, flags=re.MULTILINE)
