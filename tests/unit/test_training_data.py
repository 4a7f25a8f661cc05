"""Data preparation: labelled files, cleaning, PII masking, splitting, augmentation, `kefu data`."""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kefu.errors import InvalidInput
from kefu.training.augment import (
    augment,
    augment_report,
    contraction,
    identifiers,
    is_chinese,
    particle,
    politeness_zh,
    strip_punctuation,
    typo,
    width,
)
from kefu.training.clean import (
    clean,
    cn_id_valid,
    luhn_valid,
    mask_pii,
    mask_pii_counted,
    normalise,
    stratified_split,
)
from kefu.training.cli import data_app
from kefu.training.datasets import Example, load_examples, write_examples

E = Example
TRICKY = [
    E('Where is my order, "KF20261234"?', "track_order"),
    E("第一行\n第二行，我要退款", "get_refund"),
    E("  spaces  ", "greeting"),
]


# --- files ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["data.csv", "data.jsonl", "DATA.CSV"])
def test_written_files_load_back_unchanged(tmp_path: Path, name: str) -> None:
    path = tmp_path / "sub" / name
    write_examples(path, TRICKY)
    assert load_examples(path) == TRICKY


def test_csv_with_category_column_as_in_banking77(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text("\ufefftext,category\nHow do I locate my card?,card_arrival\n",
                    encoding="utf-8")
    assert load_examples(path) == [E("How do I locate my card?", "card_arrival")]


def test_bitext_csv_uses_utterance_and_prefers_intent_over_category(tmp_path: Path) -> None:
    path = tmp_path / "bitext.csv"
    path.write_text("\ufeffflags,utterance,category,intent\nBM,cancel it,ORDER,cancel_order\n",
                    encoding="utf-8")
    assert load_examples(path) == [E("cancel it", "cancel_order")]
    assert load_examples(path, label_column="category") == [E("cancel it", "ORDER")]


def test_jsonl_with_label_key_and_numeric_labels(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text('{"text": "好评", "label": 1}\n\n{"text": "差评", "label": 0}\n',
                    encoding="utf-8")
    assert load_examples(path) == [E("好评", "1"), E("差评", "0")]


def test_short_csv_rows_read_as_empty_fields(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("text,intent\nhello\n\nbye,goodbye\n", encoding="utf-8")
    assert load_examples(path) == [E("hello", ""), E("bye", "goodbye")]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("d.txt", "text,intent\na,b\n", "unknown file type '.txt'"),
        ("d.csv", "", "the file is empty"),
        ("d.csv", "text,intent\n", "header but no rows"),
        ("d.csv", "words,intent\na,b\n", "no text column .*found words, intent"),
        ("d.csv", "text,topic\na,b\n", "no label column .*intent or label or category"),
        ("d.jsonl", '{"text": "a", "intent": "b"}\n{"text": "a", intent}\n',
         r"d\.jsonl:2: not valid JSON"),
        ("d.jsonl", '{"text": "a", "intent": "b"}\n\n["a", "b"]\n', r":3: expected a JSON object"),
        ("d.jsonl", '{"text": "a", "intent": "b"}\n{"text": "c"}\n', r":2: missing key 'intent'"),
        ("d.jsonl", '{"text": ["a"], "intent": "b"}\n', r":1: 'text' must be a string"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InvalidInput, match=message):
        load_examples(path)


def test_missing_file_and_unknown_label_column(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="no such file"):
        load_examples(tmp_path / "absent.csv")
    path = tmp_path / "d.csv"
    path.write_text("text,intent\na,b\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"no label column .*expected topic"):
        load_examples(path, label_column="topic")


def test_non_utf8_file_and_unknown_output_type_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_bytes("text,intent\n客服,x\n".encode("gbk"))
    with pytest.raises(InvalidInput, match="not UTF-8"):
        load_examples(path)
    with pytest.raises(InvalidInput, match="unknown file type"):
        write_examples(tmp_path / "out.xlsx", TRICKY)


# --- normalisation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＫＦ２０２６", "kf2026"),
        ("Ｈｅｌｌｏ　Ｗｏｒｌｄ", "hello world"),
        ("  Where\tis \n my   ORDER?  ", "where is my order?"),
        ("zero\u200bwidth\u200d\ufeff and\x00 control\x07", "zerowidth and control"),
        ("我的订单ＫＦ２０２６１２３４到哪了？", "我的订单kf20261234到哪了?"),
        ("\u200b \u3000 ", ""),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


# --- PII -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail me at wang.fang+shop@example.com.cn now", "mail me at <EMAIL> now"),
        ("电话13812345678谢谢", "电话<PHONE>谢谢"),
        ("call +86 138-1234-5678 today", "call <PHONE> today"),
        ("my number is 138 1234 5678", "my number is <PHONE>"),
        ("uk office +44 20 7946 0958.", "uk office <PHONE>."),
        ("us: +1 (555) 123-4567", "us: <PHONE>"),
        ("card 4111 1111 1111 1111 please", "card <CARD> please"),
        ("卡号5500-0000-0000-0004", "卡号<CARD>"),
        ("amex 378282246310005", "amex <CARD>"),
        ("身份证11010519491231002x", "身份证<ID>"),
        ("card 4111 1111 1111 1111 2 items", "card <CARD> 2 items"),
    ],
)
def test_mask_pii_masks_each_kind(text: str, expected: str) -> None:
    assert mask_pii(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "order kf20261234 and #w1234567 please",  # order ids are features, not PII
        "card 4111 1111 1111 1112",  # fails Luhn
        "id 110105194912310021",  # wrong ID check character
        "id 010105194912310026",  # checksum right, but no region starts with 0
        "12345678901 is not a mobile number",  # 12x is not a mainland prefix
        "+12 34 is too short",
        "ordered on 2026-01-02, 3 items for 1299 yuan",
        "a1234567890123 part number glued to letters",
    ],
)
def test_mask_pii_leaves_what_is_not_pii(text: str) -> None:
    assert mask_pii(text) == text


def test_checksums() -> None:
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")
    assert cn_id_valid("11010519491231002X") and cn_id_valid("11010519491231002x")
    assert not cn_id_valid("11010519491231002Y") and not cn_id_valid("1101051949123100")


def test_mask_pii_counts_each_kind() -> None:
    text, counts = mask_pii_counted("a@b.io, c@d.io, 13812345678, 4111111111111111")
    assert text == "<EMAIL>, <EMAIL>, <PHONE>, <CARD>"
    assert counts == Counter(email=2, phone=1, card=1)


# --- clean ---------------------------------------------------------------------------------


def test_clean_drops_empties_duplicates_and_conflicts() -> None:
    rows = [
        E("Where is my order?", "track_order"),
        E("WHERE  is my order?", "track_order"),  # duplicate after normalisation
        E("Ｗｈｅｒｅ is my order?", " track_order "),  # and after NFKC, label stripped
        E("cancel it", "cancel_order"),
        E("Cancel it", "delete_account"),  # conflict: every copy goes
        E("cancel it", "cancel_order"),
        E("  \u200b ", "greeting"),
        E("hello", ""),
        E("我要退款", "get_refund"),
    ]
    report = clean(rows)
    assert report.examples == [E("where is my order?", "track_order"), E("我要退款", "get_refund")]
    assert (report.rows_in, report.empty_dropped, report.duplicates_dropped) == (9, 2, 2)
    assert report.conflicts_dropped == 3
    assert report.conflicts == {"cancel it": ("cancel_order", "delete_account")}
    assert report.rows_out == 2


def test_clean_masks_before_deduplicating_and_can_leave_pii() -> None:
    rows = [E("email me: a@b.io", "x"), E("email me: c@d.io", "x"), E("call 13812345678", "y")]
    report = clean(rows)
    assert report.examples == [E("email me: <EMAIL>", "x"), E("call <PHONE>", "y")]
    assert report.pii_masked == {"email": 2, "id": 0, "card": 0, "phone": 1}
    assert report.duplicates_dropped == 1
    assert [e.text for e in clean(rows, mask=False).examples][:2] == [
        "email me: a@b.io", "email me: c@d.io"]


# --- split ---------------------------------------------------------------------------------


def _dataset() -> list[Example]:
    sizes = {"a": 100, "b": 50, "c": 10, "d": 2, "e": 1}
    rows = [E(f"{label} {i}", label) for label, n in sizes.items() for i in range(n)]
    random.Random(1).shuffle(rows)
    return rows


def test_stratified_split_keeps_each_labels_share() -> None:
    rows = _dataset()
    train, test = stratified_split(rows, test_size=0.2, seed=0)
    assert Counter(e.label for e in test) == {"a": 20, "b": 10, "c": 2, "d": 1}
    assert Counter(e.label for e in train) == {"a": 80, "b": 40, "c": 8, "d": 1, "e": 1}
    assert sorted(train + test, key=rows.index) == rows
    assert train == [e for e in rows if e in train]  # input order kept


def test_stratified_split_is_deterministic_for_a_seed() -> None:
    rows = _dataset()
    assert stratified_split(rows, seed=3) == stratified_split(list(rows), seed=3)
    assert stratified_split(rows, seed=3)[1] != stratified_split(rows, seed=4)[1]


@pytest.mark.parametrize("size", [0, 1, -0.1, 1.5])
def test_stratified_split_refuses_a_bad_test_size(size: float) -> None:
    with pytest.raises(InvalidInput, match="test size"):
        stratified_split(_dataset(), test_size=size)


# --- augment -------------------------------------------------------------------------------

ORIGINALS = [
    E("Where is my order KF20261234?", "track_order"),
    E("I do not want it, can you cancel #W1234567?", "cancel_order"),
    E("please send the invoice to <EMAIL>", "get_invoice"),
    E("hello there", "greeting"),
    E("我的订单KF20261234到哪了？", "track_order"),
    E("你好，我要退款。", "get_refund"),
    E("可以退款吗", "get_refund"),
]


def test_augment_is_deterministic_and_seed_dependent() -> None:
    assert augment(ORIGINALS, factor=3, seed=7) == augment(list(ORIGINALS), factor=3, seed=7)
    assert augment(ORIGINALS, factor=3, seed=7) != augment(ORIGINALS, factor=3, seed=8)


def test_augment_returns_originals_then_new_distinct_texts_with_their_labels() -> None:
    report = augment_report(ORIGINALS, factor=4, seed=0)
    out = report.examples
    assert out[: len(ORIGINALS)] == ORIGINALS
    texts = [e.text for e in out]
    assert len(texts) == len(set(texts))
    assert report.short == 0
    assert report.added == len(out) - len(ORIGINALS) == 4 * len(ORIGINALS)
    assert Counter(e.label for e in out) == {
        label: 5 * n for label, n in Counter(e.label for e in ORIGINALS).items()}


def test_augment_keeps_language_identifiers_and_masks() -> None:
    out = augment(ORIGINALS, factor=6, seed=1)[len(ORIGINALS):]
    by_label = {label: [e.text for e in out if e.label == label] for label in ("track_order",
                                                                                "get_invoice")}
    assert all("<EMAIL>" in t for t in by_label["get_invoice"])
    assert all(re.search(r"KF\d{8}", t) for t in by_label["track_order"])
    zh = [e.text for e in out if e.label == "get_refund"]
    assert zh and all(is_chinese(t) for t in zh)
    en = [e.text for e in out if e.label in ("cancel_order", "greeting")]
    assert en and not any(is_chinese(t) for t in en)


def test_augment_adds_no_politeness_to_conversational_intents() -> None:
    report = augment_report([E("hello there", "greeting"), E("bye now", "goodbye")], factor=8)
    assert report.used["politeness"] == 0
    assert report.used["typo"] > 0


def test_augment_factor_zero_and_negative() -> None:
    assert augment(ORIGINALS, factor=0) == ORIGINALS
    with pytest.raises(InvalidInput, match="factor"):
        augment(ORIGINALS, factor=-1)


def _edit_distance(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def test_typo_changes_one_word_slightly_and_never_an_order_id() -> None:
    for seed in range(30):
        text = "where is KF20261234 now"
        changed = typo(text, random.Random(seed))
        assert changed is not None and "KF20261234" in changed
        assert 1 <= _edit_distance(text, changed) <= 2
    assert typo("KF20261234 <EMAIL> 好", random.Random(0)) is None


def test_contraction_both_ways() -> None:
    rng = random.Random(0)
    assert contraction("I do not know", rng) == "I don't know"
    assert contraction("I don't know", rng) == "I do not know"
    assert contraction("Cannot log in", rng) == "Can't log in"
    assert contraction("nothing here", rng) is None


def test_punctuation_is_stripped_outside_identifiers() -> None:
    assert strip_punctuation("hi, is #W1234567 here?!", random.Random(0)) == "hi is #W1234567 here"
    assert strip_punctuation("你好，我要退款。", random.Random(0)) == "你好我要退款"


def test_chinese_variants() -> None:
    rng = random.Random(0)
    assert width("你好，我要退款。", rng) == "你好,我要退款."
    assert width("3.5元,可以吗?", rng) == "3.5元，可以吗？"
    assert politeness_zh("你好，我要退款", rng) == "我要退款"
    assert politeness_zh("怎么退款", rng) in {
        f"{p}怎么退款" for p in ("你好，", "您好，", "亲，", "请问", "你好，请问", "亲，请问")}
    assert particle("可以退款吗", rng) is None
    assert re.fullmatch("我要退款[吧啊呀]。", particle("我要退款。", rng) or "")


def test_identifiers_are_replaced_by_fresh_ones_of_the_same_format() -> None:
    text = "order kf20261234, #W1234567, mail li@example.com"
    changed = identifiers(text, random.Random(0))
    assert changed is not None
    m = re.fullmatch(r"order kf(\d{8}), #W(\d{7}), mail ([a-z.]+\d+@[a-z0-9.]+)", changed)
    assert m is not None and (m[1], m[2]) != ("20261234", "1234567")
    assert identifiers("no ids here", random.Random(0)) is None


# --- CLI -----------------------------------------------------------------------------------

RAW_CSV = """text,intent
Where is my order?,track_order
WHERE IS MY ORDER?,track_order
Track my parcel,track_order
Where's my stuff,track_order
Is it shipped yet,track_order
cancel it,cancel_order
cancel it,delete_account
"my email is a@b.io, cancel",cancel_order
Cancel my order,cancel_order
Stop the order,cancel_order
Don't send it,cancel_order
 ,greeting
"""


def _write(tmp_path: Path, content: str = RAW_CSV, name: str = "raw.csv") -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def test_cli_clean_writes_split_files_and_a_summary(tmp_path: Path) -> None:
    raw = _write(tmp_path)
    train, test = tmp_path / "train.csv", tmp_path / "test.jsonl"
    result = CliRunner().invoke(
        data_app, ["clean", str(raw), "--out", str(train), "--test-out", str(test),
                   "--test-size", "0.25", "--seed", "1"])
    assert result.exit_code == 0, result.output
    for line in ("rows in: 12", "empty dropped: 1", "duplicates dropped: 1",
                 "conflicts dropped: 2 rows (1 texts", "pii masked: email 1, id 0, card 0, phone 0",
                 "labels: 2 (cancel_order 4, track_order 4)"):
        assert line in result.stdout
    assert f"{train}: 6" in result.stdout and f"{test}: 2" in result.stdout
    rows = [json.loads(line) for line in test.read_text(encoding="utf-8").splitlines()]
    assert sorted(r["intent"] for r in rows) == ["cancel_order", "track_order"]
    assert E("my email is <EMAIL>, cancel", "cancel_order") in (
        load_examples(train) + load_examples(test))


def test_cli_clean_without_split_or_mask(tmp_path: Path) -> None:
    out = tmp_path / "clean.jsonl"
    result = CliRunner().invoke(data_app, ["clean", str(_write(tmp_path)), "--out", str(out),
                                           "--no-mask"])
    assert result.exit_code == 0, result.output
    assert "pii masked: off" in result.stdout
    assert E("my email is a@b.io, cancel", "cancel_order") in load_examples(out)
    assert len(load_examples(out)) == 8


def test_cli_augment(tmp_path: Path) -> None:
    source = tmp_path / "clean.csv"
    write_examples(source, ORIGINALS)
    out = tmp_path / "aug.csv"
    result = CliRunner().invoke(data_app, ["augment", str(source), "--out", str(out),
                                           "--factor", "2", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "originals: 7" in result.stdout and "added: 14" in result.stdout
    assert load_examples(out) == augment(ORIGINALS, factor=2, seed=3)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["clean", "{tmp}/absent.csv", "--out", "{tmp}/o.csv"], "absent.csv: no such file"),
        (["clean", "{tmp}/bad.jsonl", "--out", "{tmp}/o.csv"], "bad.jsonl:2: not valid JSON"),
        (["clean", "{tmp}/raw.csv", "--out", "{tmp}/o.txt"], "unknown file type '.txt'"),
        (["clean", "{tmp}/raw.csv", "--out", "{tmp}/o.csv", "--test-out", "{tmp}/o.csv"],
         "must be different files"),
        (["clean", "{tmp}/raw.csv", "--out", "{tmp}/o.csv", "--test-out", "{tmp}/t.csv",
          "--test-size", "1.5"], "test size must be between 0 and 1"),
        (["augment", "{tmp}/raw.csv", "--out", "{tmp}/o.csv", "--factor", "-1"],
         "factor must be 0 or more"),
    ],
)
def test_cli_errors_are_one_line_with_exit_code_2(
    tmp_path: Path, args: list[str], message: str
) -> None:
    _write(tmp_path)
    _write(tmp_path, '{"text": "a", "intent": "b"}\nnot json\n', "bad.jsonl")
    result = CliRunner().invoke(data_app, [a.format(tmp=tmp_path) for a in args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stderr.startswith("kefu: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.output
    assert not (tmp_path / "o.csv").exists()
