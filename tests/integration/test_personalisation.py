"""The personalisation benchmark's claim, on a few shoppers per action: with the profile every
order action takes fewer customer messages, and no suggestion is ever applied unconfirmed or
wrongly (bench/personalisation.py has the full run and its figures)."""

from __future__ import annotations

import statistics
from pathlib import Path

from bench.personalisation import ACTIONS, fresh, measure


def test_returning_customers_finish_in_fewer_turns_and_nothing_wrong_is_applied(
        tmp_path: Path) -> None:
    results = measure(4, fresh(tmp_path))
    assert set(results) == set(ACTIONS)
    for action, modes in results.items():
        with_, without = modes["with"], modes["without"]
        assert [g.order_id for g, _ in with_] == [g.order_id for g, _ in without]  # same people
        for _, outcome in with_ + without:
            assert outcome.done and not outcome.wrong and not outcome.early, (action, outcome)
        turns = statistics.mean(o.turns for _, o in with_)
        assert turns < statistics.mean(o.turns for _, o in without), action
