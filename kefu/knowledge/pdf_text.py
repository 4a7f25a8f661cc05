"""A PDF's text, page by page (pypdf), with headings where the type size gives them away.

Lines set clearly larger than the body text (the size most characters are set in) and short
enough to be a heading become headings, one level per size. Everything else is kept as
paragraphs. A scanned PDF has no text to extract and needs OCR first.
"""

from __future__ import annotations

import io
import logging
import math
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from pypdf import PdfReader

from kefu.errors import InvalidInput
from kefu.knowledge.blocks import Block

HEADING_SIZE_RATIO = 1.15  # this much larger than the body text makes a heading
MAX_HEADING_CHARS = 120


@dataclass(frozen=True)
class PdfText:
    title: str | None  # from the document's metadata
    pages: list[str]
    heading_sizes: dict[str, float]  # line text → type size, for lines larger than the body


def read_pdf(data: bytes) -> PdfText:
    """Every page's text, or InvalidInput when the file is not a PDF pypdf can read."""
    try:
        with _quiet_pypdf():
            return _read(data)
    except InvalidInput:
        raise
    except Exception as exc:  # pypdf raises many kinds on damaged files; each means "unreadable"
        raise InvalidInput(f"not a readable PDF ({type(exc).__name__}: {exc})") from exc


def pdf_blocks(pdf: PdfText) -> list[Block]:
    """Headings and paragraphs (runs of lines between headings and blank lines)."""
    sizes = sorted(set(pdf.heading_sizes.values()), reverse=True)
    blocks: list[Block] = []
    for page in pdf.pages:
        lines: list[str] = []
        for raw in [*page.split("\n"), ""]:
            line = " ".join(raw.split())
            size = pdf.heading_sizes.get(line)
            if line and size is None:
                lines.append(line)
                continue
            if lines:
                blocks.append(Block("\n".join(lines)))
                lines = []
            if line and size is not None:
                blocks.append(Block(line, 1 + sizes.index(size)))
    return blocks


def _read(data: bytes) -> PdfText:
    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted and not reader.decrypt(""):
        raise InvalidInput("the PDF is encrypted; save an unprotected copy first")
    collector = _Runs()
    pages = [page.extract_text(visitor_text=collector.visit) for page in reader.pages]
    meta = reader.metadata
    title = " ".join(str(meta.title).split()) if meta is not None and meta.title else None
    return PdfText(title or None, pages, collector.heading_sizes())


@dataclass
class _Runs:
    """The text runs pypdf reports, by their rendered type size (points, one decimal)."""

    chars: Counter[float] = field(default_factory=Counter)
    runs: list[tuple[str, float]] = field(default_factory=list)

    def visit(self, text: Any, cm: Sequence[float], tm: Sequence[float], _font: Any,
              font_size: Any) -> None:
        size = round(float(font_size or 0) * _scale(tm) * _scale(cm), 1)
        for line in str(text).split("\n"):
            line = " ".join(line.split())
            if line and size > 0:
                self.chars[size] += len(line)
                self.runs.append((line, size))

    def heading_sizes(self) -> dict[str, float]:
        if not self.chars:
            return {}
        body = self.chars.most_common(1)[0][0]
        return {
            line: size for line, size in self.runs
            if size >= body * HEADING_SIZE_RATIO and len(line) <= MAX_HEADING_CHARS
        }


def _scale(matrix: Sequence[float]) -> float:
    """How much a text or transformation matrix enlarges type (1.0 when absent)."""
    if len(matrix) < 4:
        return 1.0
    return math.sqrt(abs(matrix[0] * matrix[3] - matrix[1] * matrix[2])) or 1.0


@contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """pypdf logs what it repairs in damaged files; a clear error replaces that noise."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)
