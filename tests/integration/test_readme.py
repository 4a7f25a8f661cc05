"""The README's demo customers and example questions are true of the demo shop."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kefu.demo import seed_demo
from kefu.service import Kefu
from kefu.settings import Settings

README = Path(__file__).resolve().parents[2] / "README.md"
ROW = re.compile(
    r"^\| (?P<name>[^|]+) \| (?P<email>\S+@\S+) \| (?P<zip>\d+) \| (?P<orders>[^|]+) \|$",
    re.MULTILINE,
)


@pytest.fixture(scope="module")
def kefu(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    data_dir = tmp_path_factory.mktemp("readme")
    from kefu.storage.db import upgrade

    settings = Settings(data_dir=data_dir, env="dev")
    upgrade(settings.resolved_database_url)
    product = Kefu.from_settings(settings)
    with product.factory.begin() as session:
        seed_demo(session)
    product.warm()
    yield product
    product.close()


def readme_customers() -> list[dict[str, str]]:
    rows = [m.groupdict() for m in ROW.finditer(README.read_text())]
    assert len(rows) >= 3
    return rows


@pytest.mark.parametrize("row", readme_customers(), ids=lambda r: r["email"])
def test_each_demo_customer_gets_the_status_the_readme_says(
    kefu: Kefu, row: dict[str, str]
) -> None:
    for order_id, status in re.findall(r"(KF\d{8}) ([a-z ]+?)(?:,|$)", row["orders"].strip()):
        conv = kefu.conversations.create()
        reply = kefu.conversations.post(
            conv.id, f"Where is my order {order_id}? My email is {row['email']}"
        ).reply.text
        assert f"Order {order_id} is" in reply and status in reply


def test_the_readme_examples(kefu: Kefu) -> None:
    text = README.read_text()
    examples = re.findall(r"`((?:Where is my order |我叫|I am )[^`]+)`", text)
    assert len(examples) == 4
    for example in examples:
        conv = kefu.conversations.create()
        reply = kefu.conversations.post(conv.id, example).reply.text
        if "KF" in example:
            assert "shipped" in reply or "已发货" in reply
        else:  # authenticated by name and zip; asked which of their orders
            assert "KF2026" in reply and ("Which order" in reply or "哪一个订单" in reply)
