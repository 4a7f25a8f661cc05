"""Prometheus metrics for operations (served at /metrics, for admins and API keys).

Counters and histograms live in the process; with several workers, set
``PROMETHEUS_MULTIPROC_DIR`` (prometheus-client's multiprocess mode) and each worker writes its
samples there for /metrics to merge.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

from kefu.types import TurnResult

TURNS = Counter("kefu_turns", "Customer turns answered by the assistant.", ["action", "language"])
TURN_SECONDS = Histogram(
    "kefu_turn_seconds", "From the customer's message to the stored reply.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32))
HANDOFFS = Counter("kefu_handoffs", "Turns that asked for a person.")
TOOL_WRITES = Counter("kefu_tool_writes", "Order actions written by tools.", ["actor"])
CONSOLE = Counter("kefu_console_actions", "What staff did in the console.", ["action"])
HTTP = Histogram("kefu_http_request_seconds", "HTTP requests, by route and status.",
                 ["method", "route", "status"],
                 buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
SIGN_INS = Counter("kefu_staff_sign_ins", "Console sign-in attempts.", ["outcome"])


def observe_turn(result: TurnResult, latency_ms: float) -> None:
    TURNS.labels(result.decision.action.value, result.inbound.language).inc()
    TURN_SECONDS.observe(latency_ms / 1000)
    if result.decision.state.handoff:
        HANDOFFS.inc()
    for kind, _ in result.events:
        if kind == "tool":
            TOOL_WRITES.labels("assistant").inc()


def exposition() -> tuple[bytes, str]:
    """The metrics in Prometheus' text format (merged across workers in multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST
