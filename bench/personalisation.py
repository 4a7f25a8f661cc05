"""Turns a returning customer needs to cancel their order, with and without the profile's
likely-order guess, on the demo shop.

    .venv/bin/python bench/personalisation.py [--customers 40]

For demo customers with exactly one pending order, a scripted customer opens with "I want to
cancel my order, my email is …" and then answers what kefu asks: "yes" to a proposed order,
the order number when asked which, "no longer needed" when asked why, "yes" to the final
confirmation. Counts the customer's messages until the order is cancelled, and checks that no
order changed before that final yes (a wrong guess is never applied unconfirmed). Both runs
use the same customers in the same process (the guess switched off for the baseline).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from pathlib import Path

from sqlalchemy import func, select

from kefu.demo import seed_demo
from kefu.service import Kefu
from kefu.settings import Settings
from kefu.storage.db import upgrade
from kefu.storage.models import Customer, Order

MAX_TURNS = 8


def cancel(kefu: Kefu, email: str, order_id: str) -> tuple[int, bool]:
    """(customer messages needed, whether anything changed before the final yes)."""
    conv = kefu.conversations.create("widget")
    text = f"I want to cancel my order, my email is {email}"
    for turn in range(1, MAX_TURNS + 1):
        reply = kefu.conversations.post(conv.id, text).reply
        assert reply is not None
        with kefu.factory() as session:
            status = session.get(Order, order_id).status  # type: ignore[union-attr]
        if status == "cancelled":
            return turn, text != "yes"
        said = reply.text
        if "Is it about order" in said:
            text = "yes"
        elif "Which order" in said:
            text = order_id
        elif "reason" in said.lower() or "why" in said.lower():
            text = "no longer needed"
        else:
            text = "yes"
    return MAX_TURNS + 1, False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=40)
    args = parser.parse_args()
    print(f"$ python bench/personalisation.py --customers {args.customers}")
    print(f"machine: {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), llm="none", rate_per_customer=10_000)
        upgrade(settings.resolved_database_url)
        kefu = Kefu.from_settings(settings)
        with kefu.factory.begin() as session:
            seed_demo(session)
        with kefu.factory() as session:
            pending = (select(Order.customer_id).where(Order.status == "pending")
                       .group_by(Order.customer_id).having(func.count() == 1))
            rows = session.execute(
                select(Customer.email, Order.id).join(Order, Order.customer_id == Customer.id)
                .where(Order.status == "pending", Customer.language == "en",
                       Customer.id.in_(pending)).order_by(Customer.id)
                .limit(2 * args.customers)).all()
        assert kefu.pipeline.flows is not None
        half = len(rows) // 2
        results = {}
        for label, guess, sample in (("with the profile", True, rows[:half]),
                                     ("without (asks which order)", False, rows[half:])):
            kefu.pipeline.flows.guess_order = guess
            runs = [cancel(kefu, email, order_id) for email, order_id in sample]
            results[label] = ([t for t, _ in runs], sum(early for _, early in runs))
        kefu.close()
    for label, (turns, early) in results.items():
        print(f"{label:28} customers {len(turns):3}  median turns {statistics.median(turns):.1f}"
              f"  mean {statistics.mean(turns):.2f}  changed before the final yes: {early}")


if __name__ == "__main__":
    main()
