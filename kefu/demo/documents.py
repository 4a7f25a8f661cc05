"""The demo shop's policy and FAQ pages, packaged as Markdown under ``content/<language>/``."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable

LANGUAGES = ("en", "zh")
TOPICS = (
    "account",
    "exchanges",
    "faq",
    "membership",
    "payment",
    "refunds",
    "returns",
    "shipping",
    "warranty",
)


@dataclass(frozen=True)
class DemoDocument:
    id: str  # "en/shipping.md"
    title: str
    language: str
    doc_type: str  # "policy" | "faq"
    content: str
    content_hash: str  # sha256 hex of content


def load_demo_documents() -> list[DemoDocument]:
    """Every packaged page, English first, each language's files in name order."""
    root = resources.files("kefu.demo").joinpath("content")
    docs: list[DemoDocument] = []
    for language in LANGUAGES:
        files = [f for f in root.joinpath(language).iterdir() if f.name.endswith(".md")]
        docs.extend(_document(language, f) for f in sorted(files, key=lambda f: f.name))
    return docs


def _document(language: str, file: Traversable) -> DemoDocument:
    content = file.read_text(encoding="utf-8")
    return DemoDocument(
        id=f"{language}/{file.name}",
        title=first_heading(content),
        language=language,
        doc_type="faq" if file.name == "faq.md" else "policy",
        content=content,
        content_hash=hashlib.sha256(content.encode("utf-8")).hexdigest(),
    )


def first_heading(markdown: str) -> str:
    """The text of the first level-one (``# ``) heading."""
    for line in markdown.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    raise ValueError("the document has no '# ' title")
