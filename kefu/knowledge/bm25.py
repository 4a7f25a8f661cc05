"""What the indexes are built from: a document of the shop, in one language, of one kind.

Lexical (BM25) search itself lives in kefu/knowledge/hybrid.py (``mode="bm25"``, or no
vectors), beside the dense half it is fused with.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SourceDocument:
    doc_id: str
    language: str
    content: str
    doc_type: str = "page"
