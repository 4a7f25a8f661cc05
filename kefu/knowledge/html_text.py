"""An HTML page's headings, paragraphs and list items (Beautiful Soup, Python's own parser).

Scripts, styles, forms and navigation are dropped, and so are the page's own header, footer and
sidebars (those inside ``<main>`` or an ``<article>`` are kept). When the page has a ``<main>``,
only it is read. The walk is iterative, so no nesting depth can exhaust the stack.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

from bs4 import BeautifulSoup
from bs4.element import NavigableString, PageElement, PreformattedString, Tag

from kefu.knowledge.blocks import Block, squash

_DROPPED = ["script", "style", "noscript", "template", "nav", "iframe", "svg", "canvas", "form",
            "button", "select", "object", "embed", "head"]
_PAGE_CHROME = ["header", "footer", "aside"]
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_BLOCKS = frozenset({
    "address", "article", "blockquote", "body", "caption", "dd", "details", "div", "dl", "dt",
    "figcaption", "figure", "hr", "html", "li", "main", "ol", "p", "section", "summary", "table",
    "tbody", "tfoot", "thead", "tr", "ul",
})


@dataclass(frozen=True)
class HtmlPage:
    title: str | None  # the <title>, when the page has one
    blocks: list[Block]


def read_html(data: bytes) -> HtmlPage:
    """The page's text as blocks; its encoding is taken from a BOM or ``<meta charset>``,
    else guessed (UTF-8, then Windows-1252)."""
    with warnings.catch_warnings():  # "looks like a file name", "replaced undecodable bytes"
        warnings.simplefilter("ignore")
        soup = BeautifulSoup(data, "html.parser")
    title_tag = soup.find("title")
    title = squash(title_tag.get_text(" ")).replace("\n", " ") if title_tag else None
    _drop_chrome(soup)
    root = soup.find("main") or soup.find("body") or soup
    return HtmlPage(title or None, _Writer().walk(root))


def _drop_chrome(soup: BeautifulSoup) -> None:
    doomed = soup.find_all(_DROPPED) + soup.find_all(None, {"role": "navigation"})
    doomed += [t for t in soup.find_all(_PAGE_CHROME) if t.find_parent(["main", "article"]) is None]
    for tag in doomed:
        if not tag.decomposed:
            tag.decompose()


@dataclass(frozen=True)
class _Leave:
    tag: Tag


@dataclass
class _Writer:
    blocks: list[Block] = field(default_factory=list)
    inline: list[str] = field(default_factory=list)
    bullet: bool = False

    def walk(self, root: Tag | BeautifulSoup) -> list[Block]:
        stack: list[PageElement | _Leave] = list(reversed(root.contents))
        while stack:
            node = stack.pop()
            if isinstance(node, _Leave):
                self.flush()
                self.bullet = self.bullet and node.tag.name != "li"
            elif isinstance(node, NavigableString):
                if not isinstance(node, PreformattedString):  # comments, doctype, CDATA
                    self.inline.append(str(node))
            elif isinstance(node, Tag):
                stack.extend(self._enter(node))
        self.flush()
        return self.blocks

    def _enter(self, tag: Tag) -> list[PageElement | _Leave]:
        """What to visit next (children and a leave marker, in reverse), after writing what
        the tag itself stands for."""
        name = tag.name
        if name in _HEADINGS:
            self._whole(Block(" ".join(tag.get_text(" ").split()), _HEADINGS[name]))
            return []
        if name == "pre":
            self._whole(Block(tag.get_text().strip("\n")))
            return []
        if name == "br":
            self.inline.append("\n")
            return []
        if name in ("td", "th") and "".join(self.inline).strip():
            self.inline.append(" | ")  # a table row is one line, its cells apart
        if name not in _BLOCKS:
            return list(reversed(tag.contents))
        self.flush()
        self.bullet = self.bullet or name == "li"
        return [_Leave(tag), *reversed(tag.contents)]

    def _whole(self, block: Block) -> None:
        self.flush()
        if block.text.strip():
            self.blocks.append(block)

    def flush(self) -> None:
        text = squash("".join(self.inline))
        self.inline = []
        if text:
            self.blocks.append(Block(text, bullet=self.bullet))
            self.bullet = False
