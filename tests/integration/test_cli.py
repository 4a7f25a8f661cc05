"""The `kefu` command, run as a user runs it: a real process, real files, real databases."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.processes import kefu_env, kefu_serve, run_kefu


def kefu(*args: str, data_dir: Path, stdin: str | None = None,
         env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run_kefu(*args, data_dir=data_dir, stdin=stdin, **(env or {}))


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("demo")
    done = kefu("demo", data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    assert "demo shop ready" in done.stdout
    return data_dir


def _customer_with_order(data_dir: Path, language: str, status: str) -> tuple[str, str]:
    with sqlite3.connect(data_dir / "kefu.sqlite3") as db:
        row = db.execute(
            "SELECT c.email, o.id FROM customers c JOIN orders o ON o.customer_id = c.id "
            "WHERE c.language = ? AND o.status = ? ORDER BY o.id LIMIT 1", (language, status)
        ).fetchone()
    assert row, f"the demo has no {language} customer with a {status} order"
    return str(row[0]), str(row[1])


def test_chat_from_a_pipe_in_both_languages(demo_dir: Path) -> None:
    email, order_id = _customer_with_order(demo_dir, "en", "delivered")
    zh_email, zh_order = _customer_with_order(demo_dir, "zh", "shipped")
    script = (f"hello\nWhere is my order {order_id}?\n{email}\n\n"
              f"我的订单{zh_order}到哪了？邮箱{zh_email}\nquit\nnot read after quit\n")
    done = kefu("chat", data_dir=demo_dir, stdin=script)
    assert done.returncode == 0, done.stderr
    replies = [line for line in done.stdout.splitlines() if line.startswith("kefu> ")]
    assert len(replies) == 4
    assert "email" in replies[1]
    assert order_id in replies[2] and "delivered" in replies[2]
    # One customer per conversation: another customer's order is not shown.
    assert f"没有找到订单 {zh_order}" in replies[3]


def test_chat_reports_bad_lines_and_goes_on(demo_dir: Path) -> None:
    done = kefu("chat", data_dir=demo_dir, stdin="x" * 3000 + "\nthanks\n")
    assert done.returncode == 0
    assert "limit is 2000" in done.stderr
    assert "You're welcome" in done.stdout


def test_demo_reset_is_deterministic(demo_dir: Path, tmp_path: Path) -> None:
    assert kefu("demo", data_dir=tmp_path).returncode == 0
    query = "SELECT id, customer_id, status FROM orders ORDER BY id"
    with sqlite3.connect(demo_dir / "kefu.sqlite3") as a, \
            sqlite3.connect(tmp_path / "kefu.sqlite3") as b:
        assert a.execute(query).fetchall() == b.execute(query).fetchall()
    kept = kefu("demo", "--if-empty", data_dir=tmp_path)
    assert "leaving it as it is" in kept.stdout


def test_db_upgrade_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    done = kefu("db", "upgrade", data_dir=tmp_path, env={"KEFU_DATABASE_URL": pg_url})
    assert done.returncode == 0, done.stderr
    assert "database is up to date" in done.stdout
    assert not (tmp_path / "kefu.sqlite3").exists()


def test_store_import_and_export_round_trip(tau_dir: Path, tmp_path: Path) -> None:
    done = kefu("store", "import", "--format", "tau-retail", str(tau_dir), data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    out = tmp_path / "export"
    done = kefu("store", "export", "--format", "tau-retail", str(out), data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    for name in ("users.json", "orders.json", "products.json"):
        assert json.loads((out / name).read_text()) == json.loads((tau_dir / name).read_text())


def test_store_import_refuses_a_bad_folder(tmp_path: Path) -> None:
    done = kefu("store", "import", str(tmp_path / "nowhere"), data_dir=tmp_path)
    assert done.returncode == 1
    assert "import failed" in done.stderr and "Traceback" not in done.stderr
    done = kefu("store", "import", "--format", "shopify", str(tmp_path), data_dir=tmp_path)
    assert done.returncode == 2 and "unknown format" in done.stderr


def test_prod_refuses_the_placeholder_secret(tmp_path: Path) -> None:
    done = kefu("db", "upgrade", data_dir=tmp_path, env={"KEFU_ENV": "prod"})
    assert done.returncode == 2
    assert "KEFU_SECRET_KEY" in done.stderr


def test_apikey_create_prints_a_key_once(tmp_path: Path) -> None:
    done = kefu("apikey", "create", "crm", data_dir=tmp_path)
    assert done.returncode == 0 and done.stdout.startswith("kefu_")
    with sqlite3.connect(tmp_path / "kefu.sqlite3") as db:
        stored = db.execute("SELECT key_hash FROM api_keys").fetchone()[0]
    assert done.stdout.strip() not in stored


def test_a_conversation_continues_after_the_server_restarts(demo_dir: Path) -> None:
    email, order_id = _customer_with_order(demo_dir, "en", "shipped")
    with kefu_serve(demo_dir) as server:
        created = httpx.post(f"{server.base_url}/v1/conversations", json={}).json()
        url = f"{server.base_url}/v1/conversations/{created['id']}"
        auth = {"X-Conversation-Token": created["token"]}
        first = httpx.post(f"{url}/messages", headers=auth,
                           json={"text": f"Where is my order {order_id}?"}).json()
        assert "email" in first["reply"]["text"]
    with kefu_serve(demo_dir) as server:  # a new process: only the database remembers
        url = f"{server.base_url}/v1/conversations/{created['id']}"
        reply = httpx.post(f"{url}/messages", headers=auth, json={"text": email}).json()["reply"]
        assert order_id in reply["text"] and "shipped" in reply["text"]
        history = httpx.get(url, headers=auth).json()["messages"]
        assert [m["seq"] for m in history] == [1, 2, 3, 4]


def test_chat_on_a_fresh_data_dir_and_with_undecodable_bytes(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kefu", "chat"], cwd=tmp_path, env=kefu_env(tmp_path),
        input=b"hello\n\xff\xfe broken\nthanks\n", capture_output=True, timeout=300, check=False,
    )
    out, err = done.stdout.decode(), done.stderr.decode()
    assert done.returncode == 0, err
    assert "Traceback" not in err
    assert "not valid text" in err
    replies = [line for line in out.splitlines() if line.startswith("kefu> ")]
    assert len(replies) == 2 and "You're welcome" in replies[1]
