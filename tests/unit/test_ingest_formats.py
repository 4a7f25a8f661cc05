"""Every supported file kind becomes Markdown whose sections are the passages we expect."""

from __future__ import annotations

import json

import pytest

from kefu.errors import InvalidInput
from kefu.knowledge.chunking import MAX_CHUNK_CHARS, split_markdown
from kefu.knowledge.formats import convert


def sections(name: str, data: bytes) -> list[tuple[str, str]]:
    converted = convert(name, data)
    return [(c.section, c.text) for c in split_markdown(name, converted.content)]


def make_pdf(pages: list[list[tuple[int, str]]], title: str | None = None) -> bytes:
    """A valid PDF written by hand: Helvetica lines of the given point sizes, page by page."""
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b"",
                            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for lines in pages:
        y, ops = 760, []
        for size, text in lines:
            escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"BT /F1 {size} Tf 1 0 0 1 72 {y} Tm ({escaped}) Tj ET")
            y -= int(size * 1.6)
        stream = "\n".join(ops).encode("latin-1")
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents "
                       f"{len(objects)} 0 R /Resources << /Font << /F1 3 0 R >> >> >>".encode())
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>".encode()
    info = ""
    if title:
        objects.append(f"<< /Title ({title}) >>".encode())
        info = f" /Info {len(objects)} 0 R"
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, obj)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R{info} >>\n".encode()
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


RETURNS_PDF = [
    [(24, "Return Policy"), (11, "You can return items within 30 days."),
     (11, "Items must be unused."), (16, "Refunds"), (11, "Refunds reach your card in 5 days.")],
    [(16, "Exchanges"), (11, "Exchanges of size or colour are free.")],
]


def test_markdown_is_kept_and_split_at_its_sections() -> None:
    doc = b"# Returns\n\nIntro.\n\n## Window\nThirty days.\n\n## How\nPost it back.\n"
    converted = convert("returns.md", doc)
    assert converted.title == "Returns" and converted.content == doc.decode()
    assert sections("returns.md", doc) == [
        ("Returns", "Intro."), ("Window", "Thirty days."), ("How", "Post it back.")]


def test_markdown_without_a_title_takes_front_matter_or_file_name() -> None:
    fronted = convert("care.md", b'---\ntitle: "Care guide"\nlang: en\n---\nWash cold.\n')
    assert fronted.title == "Care guide"
    assert fronted.content == "# Care guide\n\nWash cold.\n"  # the front matter is dropped
    assert convert("size-guide.md", b"Measure your chest.\n").title == "Size guide"


def test_html_headings_become_sections_and_scripts_styles_and_navigation_go() -> None:
    page = b"""<!doctype html><html><head><title>Shipping | Shop</title>
    <style>p { color: red }</style><script>var token = "SECRET-TOKEN";</script></head>
    <body><header><nav><a href="/">Home</a> <a href="/sale">SALE NAV</a></nav></header>
    <main><h1>Shipping policy</h1><p>We ship <b>worldwide</b>.</p>
    <h2>Delivery times</h2><p>Orders arrive in 3 to 5 business days.</p>
    <ul><li>Standard: 5 days</li><li><p>Express: 2 days</p></li></ul>
    <script>alert("INLINE-SCRIPT")</script><noscript>NOSCRIPT</noscript>
    <h2>Costs</h2><table><tr><th>Zone</th><th>Cost</th></tr><tr><td>EU</td><td>5 EUR</td></tr>
    </table><!-- HIDDEN COMMENT --></main><footer>FOOTER TEXT</footer></body></html>"""
    converted = convert("shipping.html", page)
    assert converted.title == "Shipping policy"
    assert sections("shipping.html", page) == [
        ("Shipping policy", "We ship worldwide."),
        ("Delivery times", "Orders arrive in 3 to 5 business days.\n\n"
                           "- Standard: 5 days\n- Express: 2 days"),
        ("Costs", "Zone | Cost\n\nEU | 5 EUR"),
    ]
    for dropped in ("SECRET-TOKEN", "INLINE-SCRIPT", "NOSCRIPT", "SALE NAV", "color", "FOOTER",
                    "HIDDEN COMMENT"):
        assert dropped not in converted.content


def test_html_without_h1_uses_its_title_and_lifts_shallow_headings_to_sections() -> None:
    page = b"<html><head><title>Warranty</title></head><body><h3>Length</h3><p>Two years.</p>" \
           b"<h4>Batteries</h4><p>One year.</p><h3>Claims</h3><p>Email us.</p></body></html>"
    converted = convert("w.htm", page)
    assert converted.title == "Warranty"
    assert sections("w.htm", page) == [
        ("Length", "Two years.\n\n### Batteries\n\nOne year."), ("Claims", "Email us.")]


def test_deeply_nested_html_does_not_exhaust_the_stack() -> None:
    page = b"<div>" * 5000 + b"<p>Deep text.</p>" + b"</div>" * 5000
    assert sections("deep.html", page) == [("Deep", "Deep text.")]


def test_pdf_pages_become_text_with_headings_from_the_type_size() -> None:
    converted = convert("returns.pdf", make_pdf(RETURNS_PDF))
    assert converted.title == "Return Policy"
    assert sections("returns.pdf", make_pdf(RETURNS_PDF)) == [
        ("Return Policy", "You can return items within 30 days.\nItems must be unused."),
        ("Refunds", "Refunds reach your card in 5 days."),
        ("Exchanges", "Exchanges of size or colour are free."),  # from page 2
    ]


def test_pdf_title_comes_from_its_metadata_and_plain_pages_stay_paragraphs() -> None:
    pdf = make_pdf([[(11, "Open daily from nine."), (11, "Closed on holidays.")]], title="Hours")
    converted = convert("hours.pdf", pdf)
    assert converted.title == "Hours"
    assert sections("hours.pdf", pdf) == [("Hours", "Open daily from nine.\nClosed on holidays.")]


@pytest.mark.parametrize("data", [
    make_pdf(RETURNS_PDF)[:300],  # truncated
    b"%PDF-1.4\nthis is not a PDF at all",
    b"GIF89a not even pretending",
])
def test_a_corrupt_pdf_is_refused_clearly(data: bytes) -> None:
    with pytest.raises(InvalidInput, match="not a readable PDF"):
        convert("broken.pdf", data)


def test_a_pdf_without_text_is_refused_with_a_hint() -> None:
    with pytest.raises(InvalidInput, match="scanned PDF needs OCR"):
        convert("scan.pdf", make_pdf([[]]))


def test_plain_text_takes_its_first_line_as_title() -> None:
    assert sections("hours.txt", b"Store hours\n\nWe open at 9.\nWe close at 6.\n") == [
        ("Store hours", "We open at 9.\nWe close at 6.")]
    one_line = convert("notes.txt", b"Just one line about gift wrapping.\n")
    assert one_line.title == "Notes" and "gift wrapping" in one_line.content


def test_faq_csv_pairs_are_one_passage_each() -> None:
    data = (b'question,answer\nHow long does shipping take?,3 to 5 business days.\n'
            b'"Can I return, if opened?","Yes, within 30 days.\n# keep me as text"\n'
            b',an answer without a question\n')
    converted = convert("faq.csv", data)
    assert converted.is_faq and converted.title == "FAQ"
    assert sections("faq.csv", data) == [
        ("How long does shipping take?", "3 to 5 business days."),
        ("Can I return, if opened?", "Yes, within 30 days.\n # keep me as text"),
    ]


def test_faq_csv_accepts_q_a_columns_semicolons_and_gbk() -> None:
    text = "Q;A\n退货需要多久？;七天内寄回即可。\n运费谁付？;质量问题由我们承担。\n"
    data = text.encode("gb18030")
    assert sections("常见问题.csv", data) == [
        ("退货需要多久？", "七天内寄回即可。"), ("运费谁付？", "质量问题由我们承担。")]


def test_faq_json_list_or_titled_object() -> None:
    pairs = [{"question": "Do you ship abroad?", "answer": "Yes, to 40 countries."},
             {"q": "Gift wrap?", "a": "Free on request."}, {"question": "no answer"}]
    assert sections("faq.json", json.dumps(pairs).encode()) == [
        ("Do you ship abroad?", "Yes, to 40 countries."), ("Gift wrap?", "Free on request.")]
    titled = convert("help.json", json.dumps({"title": "Help centre", "items": pairs}).encode())
    assert titled.title == "Help centre" and titled.is_faq


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("faq.csv", b"name,price\nmug,9\n", "no question/answer pairs"),
    ("faq.json", b'{"question": "not a list"}', "expected a list"),
    ("faq.json", b"[{", "not valid JSON"),
    ("manual.docx", b"PK\x03\x04", "unsupported file type '.docx'"),
    ("README", b"hello", "unsupported file type '(none)'"),
    ("empty.md", b" \n\t\n", "the file is empty"),
    ("title-only.md", b"# Only a title\n", "no text to index"),
    ("scripts.html", b"<script>x()</script><style>p{}</style>", "no text to index"),
    ("binary.txt", b"\x00\x01\x02\xff\xfe\x00", "not text"),
])
def test_unusable_files_are_refused_with_the_reason(name: str, data: bytes, reason: str) -> None:
    with pytest.raises(InvalidInput, match=reason.replace("(", r"\(").replace(")", r"\)")):
        convert(name, data)


def test_long_sections_split_at_paragraphs_and_subheadings_never_across_sections() -> None:
    para = {w: " ".join([w] * 100) + "." for w in ("alpha", "beta", "gamma", "delta")}
    doc = (f"# Guide\n\n## Long\n\n{para['alpha']}\n\n{para['beta']}\n\n{para['gamma']}\n"
           f"### Detail\n{para['delta']}\n\n## Short\n\nOne line.\n")
    chunks = split_markdown("en/guide.md", doc)
    assert [c.section for c in chunks] == ["Long", "Long", "Long › Detail", "Short"]
    assert chunks[0].text == f"{para['alpha']}\n\n{para['beta']}"  # whole paragraphs
    assert chunks[1].text == para["gamma"] and chunks[2].text == para["delta"]
    assert all(len(c.text) <= MAX_CHUNK_CHARS for c in chunks)


def test_an_overlong_paragraph_splits_at_sentences() -> None:
    sentence = "退货请在七天内联系客服。"
    chunks = split_markdown("zh/long.md", "# 长\n\n## 退货\n\n" + sentence * 250)
    assert len(chunks) == 3 and {c.section for c in chunks} == {"退货"}
    assert all(c.text.endswith("。") and len(c.text) <= MAX_CHUNK_CHARS for c in chunks)
    assert "".join(c.text for c in chunks) == sentence * 250  # nothing lost or repeated
