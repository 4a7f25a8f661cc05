"""`kefu train nlu`, `kefu eval nlu`, `kefu nlu parse`, `kefu encoder`, as an operator runs them."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from kefu.settings import Settings
from kefu.training.corpora import SHARED
from tests.processes import must_run_kefu, run_kefu

TINY = {
    "track_order": ["where is my parcel", "has my order shipped", "track my package please",
                    "when will my order arrive", "order status?", "我的快递到哪了",
                    "订单发货了吗", "帮我查物流"],
    "cancel_order": ["cancel my order", "I want to cancel the purchase", "please cancel it",
                     "stop my order", "call off my order", "取消订单", "我不要了，帮我取消",
                     "订单能取消吗"],
    "out_of_scope": ["what's the weather today", "tell me a joke", "who is the president",
                     "how tall is everest", "明天会下雨吗", "讲个笑话", "今天星期几",
                     "推荐一部电影"],
}


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("nlu-demo")
    must_run_kefu("demo", data_dir=data_dir)
    return data_dir


def _tiny_csv(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["text", "intent"])
        for intent, texts in TINY.items():
            w.writerows([t, intent] for t in texts)
    return path


def test_train_writes_a_versioned_artefact_that_the_server_then_loads(tmp_path: Path) -> None:
    data = _tiny_csv(tmp_path / "tiny.csv")
    out = json.loads(must_run_kefu("train", "nlu", "--data", str(data), data_dir=tmp_path))
    artefact = Path(out["path"])
    assert artefact.parent.name == "nlu" and artefact.parent.parent.name == "models"
    assert (artefact / "heads.npz").is_file() and (artefact / "meta.json").is_file()
    meta = json.loads((artefact / "meta.json").read_text())
    assert meta["version"] == out["version"] and meta["intent"]["examples"] == 24
    assert meta["sentiment"]["reviews_zh_held_out_accuracy"] > 0.8  # kept from the shipped one
    parsed = json.loads(must_run_kefu("nlu", "parse", "where is my parcel?", "--json",
                                      data_dir=tmp_path))
    assert parsed["intent"]["name"] == "track_order"
    assert {a["name"] for a in parsed["alternatives"]} <= set(TINY)  # the new label set
    from kefu.nlu.model import resolve

    assert resolve(tmp_path).name == out["version"]


def test_eval_on_a_file_prints_the_scores_as_json(tmp_path: Path) -> None:
    data = _tiny_csv(tmp_path / "tiny.csv")
    out = json.loads(must_run_kefu("eval", "nlu", "--data", str(data), "--json",
                                   data_dir=tmp_path))
    assert out["n"] == 24
    assert {"accuracy", "macro_f1", "oos_recall", "per_intent", "confused"} <= set(out)
    assert out["accuracy"] >= 0.75 and out["oos_recall"] >= 0.5
    text = must_run_kefu("eval", "nlu", "--data", str(data), data_dir=tmp_path)
    assert "macro-F1" in text and "per intent" in text


def test_eval_refuses_bad_requests_with_a_clear_message(tmp_path: Path) -> None:
    neither = run_kefu("eval", "nlu", data_dir=tmp_path)
    assert neither.returncode == 2 and "exactly one" in neither.stderr
    missing = run_kefu("eval", "nlu", "--data", "nope.csv", data_dir=tmp_path)
    assert missing.returncode == 2 and "no such file" in missing.stderr
    absent = run_kefu("eval", "nlu", "--dataset", "bitext", "--shared", str(tmp_path),
                      data_dir=tmp_path)
    assert absent.returncode == 2 and "not here" in absent.stderr
    assert "Traceback" not in missing.stderr + absent.stderr


def test_parse_shows_the_full_analysis(demo_dir: Path) -> None:
    text = "我叫王芳，电话13812345678，上周五买的蓝色机械键盘有问题，想退货"
    out = json.loads(must_run_kefu("nlu", "parse", text, "--json", data_dir=demo_dir))
    assert out["language"] == "zh" and out["script"] == "zh"
    assert out["intent"]["name"] == "return_item"
    kinds = {e["kind"]: e["value"] for e in out["entities"]}
    assert kinds["person"] == "王芳" and kinds["phone"] == "+8613812345678"
    assert kinds["option"] == "color=blue" and kinds["product"]
    assert kinds["date"].count("-") == 2
    assert out["sentiment"]["polarity"] in {"negative", "neutral"}
    empty = json.loads(must_run_kefu("nlu", "parse", "", "--json", data_dir=demo_dir))
    assert empty["intent"]["name"] == "out_of_scope"
    mixed = json.loads(must_run_kefu("nlu", "parse", "我的 order 到哪了? please check",
                                     "--json", data_dir=demo_dir))
    assert mixed["script"] == "mixed"


def test_the_data_commands_are_part_of_kefu(tmp_path: Path) -> None:
    data = _tiny_csv(tmp_path / "tiny.csv")
    text = must_run_kefu("data", "clean", str(data), "--out", "train.csv", "--test-out",
                         "test.csv", data_dir=tmp_path)
    assert "rows out" in text or "train" in text
    assert (tmp_path / "train.csv").is_file() and (tmp_path / "test.csv").is_file()


def test_encoder_build_and_check(tmp_path: Path) -> None:
    cache = str(Settings().cache_dir)
    assert "encoder ready" in must_run_kefu("encoder", "build", data_dir=tmp_path,
                                            KEFU_CACHE_DIR=cache)
    out = json.loads(must_run_kefu("encoder", "check", "--json", data_dir=tmp_path,
                                   KEFU_CACHE_DIR=cache))
    assert out["n"] > 100 and out["cosine_min"] >= 0.98


needs_shared = pytest.mark.skipif(not (SHARED / "bitext").is_dir(),
                                  reason="../shared/data is not here")


@needs_shared
def test_eval_on_bitext_and_out_of_scope_with_a_sample(tmp_path: Path) -> None:
    bitext = json.loads(must_run_kefu("eval", "nlu", "--dataset", "bitext", "--limit", "600",
                                      "--json", data_dir=tmp_path))
    assert bitext["n"] == 600 and bitext["accuracy"] > 0.9 and bitext["oos_recall"] is None
    oos = json.loads(must_run_kefu("eval", "nlu", "--dataset", "oos", "--limit", "150",
                                   "--json", data_dir=tmp_path))
    assert oos["n"] == 300 and oos["oos_recall"] is not None
    assert 0 < oos["in_scope_accepted"] <= 1
