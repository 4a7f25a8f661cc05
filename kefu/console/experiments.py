"""A/B experiments over response strategies (prompt version, retrieval settings, LLM on/off).

One experiment runs at a time. A new conversation joins it with a variant picked by a hash of
the experiment and the subject (the customer once known, else the browser's id), weighted as
the experiment says, and the pick is stored, so a subject keeps its variant for the whole
experiment. When a customer identifies mid-conversation and was already assigned, the
conversation follows the customer's variant from the next turn on.

Reading the results follows a fixed-horizon rule (kefu.analytics.stats): the comparison of each
variant with the first (the control) is called only once every variant has reached the
experiment's minimum sample, planned before it starts; before that the advice is to keep going,
because looking early and stopping at the first small p-value inflates false positives. With
more than one treatment the significance level is divided among them (Bonferroni).
"""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kefu.analytics import stats
from kefu.console import analytics, views
from kefu.errors import Conflict, InvalidInput, NotFound
from kefu.llm.prompts import variants as prompt_variants
from kefu.storage.db import storage_errors
from kefu.storage.models import Conversation, Experiment, ExperimentAssignment, utcnow
from kefu.types import Strategy

METRICS = ("resolved", "csat", "thumbs_up")
ALPHA = 0.05


class VariantSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., pattern=r"^[A-Za-z0-9 _-]{1,60}$")
    weight: float = Field(1.0, gt=0, le=1000)
    strategy: Strategy = Field(default_factory=Strategy)


class NewExperiment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., min_length=1, max_length=120)
    description: str = Field("", max_length=2000)
    metric: str = "resolved"
    min_samples_per_variant: int | None = Field(None, ge=10, le=1_000_000)
    variants: list[VariantSpec] = Field(..., min_length=2, max_length=4)

    @field_validator("metric")
    @classmethod
    def _metric(cls, value: str) -> str:
        if value not in METRICS:
            raise ValueError(f"the metric is one of {', '.join(METRICS)}")
        return value


def default_min_samples(metric: str) -> int:
    """Enough to see a 10-point change at a 50 % rate (proportions) or 30 ratings (CSAT)."""
    if metric == "csat":
        return 30
    return stats.sample_size_two_proportions(0.5, 0.1)


class Experiments:
    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        try:
            spec = NewExperiment.model_validate(body)
        except ValidationError as exc:
            raise InvalidInput(f"the experiment is not valid: {exc.errors()[0]['msg']}") from exc
        names = [v.name for v in spec.variants]
        if len(set(names)) != len(names):
            raise InvalidInput("each variant needs its own name")
        known = set(prompt_variants("answer"))
        for v in spec.variants:
            version = v.strategy.prompt_version
            if version is not None and version not in known:
                raise InvalidInput(f"there is no answer prompt {version!r} (known: "
                                   f"{', '.join(sorted(known)) or 'none'})")
        row = Experiment(name=spec.name.strip(), description=spec.description,
                         metric=spec.metric,
                         min_samples=spec.min_samples_per_variant
                         or default_min_samples(spec.metric),
                         variants=[v.model_dump(mode="json") for v in spec.variants])
        try:
            with storage_errors(), self._factory.begin() as session:
                session.add(row)
                session.flush()
                return _shape(row)
        except IntegrityError as exc:
            raise Conflict(f"there is already an experiment called {spec.name}") from exc

    def list(self) -> list[dict[str, Any]]:
        with storage_errors(), self._factory() as session:
            return [_shape(e) for e in session.scalars(
                select(Experiment).order_by(Experiment.id.desc()))]

    def get(self, experiment_id: int) -> dict[str, Any]:
        with storage_errors(), self._factory() as session:
            row = _get(session, experiment_id)
            shaped = _shape(row)
            shaped["results"] = results(session, row)
            return shaped

    def start(self, experiment_id: int) -> dict[str, Any]:
        with storage_errors(), self._factory.begin() as session:
            row = _get(session, experiment_id)
            if row.status != "draft":
                raise Conflict(f"the experiment is {row.status}; only a draft can start")
            running = session.scalar(select(Experiment.name).where(
                Experiment.status == "running"))
            if running:
                raise Conflict(f"the experiment {running!r} is running; stop it first")
            row.status, row.started_at = "running", utcnow()
            return _shape(row)

    def stop(self, experiment_id: int) -> dict[str, Any]:
        with storage_errors(), self._factory.begin() as session:
            row = _get(session, experiment_id)
            if row.status != "running":
                raise Conflict(f"the experiment is {row.status}, not running")
            row.status, row.stopped_at = "stopped", utcnow()
            return _shape(row)

    # ------------------------------------------------------------------ assignment
    def assign(self, session: Session, client_ref: str | None) -> dict[str, Any] | None:
        """The running experiment's variant for a new conversation (None: no experiment)."""
        running = session.scalar(select(Experiment).where(Experiment.status == "running"))
        if running is None:
            return None
        subject = f"client:{client_ref}" if client_ref else f"anon:{uuid.uuid4()}"
        return _membership(running, _variant_of(session, running, subject))

    def identify(self, session: Session, experiment: dict[str, Any] | None,
                 customer_id: str) -> dict[str, Any] | None:
        """The conversation's customer is now known: they keep the variant they had, or the
        conversation's becomes theirs."""
        if not experiment:
            return experiment
        running = session.get(Experiment, experiment.get("id"))
        if running is None or running.status != "running":
            return experiment
        subject = f"customer:{customer_id}"
        held = session.scalar(select(ExperimentAssignment.variant).where(
            ExperimentAssignment.experiment_id == running.id,
            ExperimentAssignment.subject == subject))
        if held is None:
            session.add(ExperimentAssignment(experiment_id=running.id, subject=subject,
                                             variant=experiment["variant"]))
            return experiment
        return _membership(running, held)


def _variant_of(session: Session, experiment: Experiment, subject: str) -> str:
    held = session.scalar(select(ExperimentAssignment.variant).where(
        ExperimentAssignment.experiment_id == experiment.id,
        ExperimentAssignment.subject == subject))
    if held is not None:
        return held
    weights = [(v["name"], float(v["weight"])) for v in experiment.variants]
    variant = stats.assign_variant(str(experiment.id), subject, weights)
    try:
        with session.begin_nested():
            session.add(ExperimentAssignment(experiment_id=experiment.id, subject=subject,
                                             variant=variant))
    except IntegrityError:  # another worker stored the same subject's (identical) pick
        pass
    return variant


def _membership(experiment: Experiment, variant: str) -> dict[str, Any]:
    spec = next((v for v in experiment.variants if v["name"] == variant),
                experiment.variants[0])
    return {"id": experiment.id, "name": experiment.name, "variant": spec["name"],
            "strategy": spec.get("strategy") or {}}


def _get(session: Session, experiment_id: int) -> Experiment:
    row = session.get(Experiment, experiment_id)
    if row is None:
        raise NotFound(f"no experiment {experiment_id}")
    return row


def _shape(e: Experiment) -> dict[str, Any]:
    return {"id": e.id, "name": e.name, "description": e.description, "metric": e.metric,
            "status": e.status, "variants": e.variants,
            "min_samples_per_variant": e.min_samples, "created_at": views.iso(e.created_at),
            "started_at": views.iso(e.started_at), "stopped_at": views.iso(e.stopped_at)}


def results(session: Session, experiment: Experiment) -> dict[str, Any]:
    """Per variant: the sample, the metric with its 95 % interval, CSAT; and each treatment
    compared with the control (the first variant)."""
    ids = [c for c, exp in session.execute(
        select(Conversation.id, Conversation.experiment).where(
            Conversation.experiment.is_not(None)))
        if isinstance(exp, dict) and exp.get("id") == experiment.id]
    convs = analytics.load_ids(session, ids)
    names = [v["name"] for v in experiment.variants]
    groups: dict[str, list[analytics.ConversationFacts]] = {n: [] for n in names}
    for c in convs:
        groups.setdefault((c.experiment or {}).get("variant", names[0]), []).append(c)
    rows = [_variant_row(name, groups.get(name, []), experiment.metric) for name in names]
    alpha = ALPHA / max(1, len(names) - 1)
    comparisons = [_compare(rows[0], row, groups, experiment, alpha) for row in rows[1:]]
    return {"variants": rows, "comparison": comparisons[0] if comparisons else None,
            "comparisons": comparisons, "alpha": alpha}


def _successes(convs: list[analytics.ConversationFacts], metric: str) -> tuple[int, int]:
    if metric == "thumbs_up":
        ratings = [r for c in convs for r in c.thumbs.values()]
        return sum(r == "up" for r in ratings), len(ratings)
    return sum(c.outcome == "resolved" for c in convs), len(convs)


def _variant_row(name: str, convs: list[analytics.ConversationFacts],
                 metric: str) -> dict[str, Any]:
    scores = [float(c.csat) for c in convs if c.csat]
    row: dict[str, Any] = {"name": name, "conversations": len(convs),
                           "csat_avg": round(sum(scores) / len(scores), 3) if scores else None,
                           "csat_n": len(scores)}
    if metric == "csat":
        row.update(n=len(scores), successes=None,
                   rate=row["csat_avg"], ci_low=None, ci_high=None)
        return row
    won, n = _successes(convs, metric)
    interval = stats.wilson_interval(won, n)
    row.update(n=n, successes=won, rate=round(won / n, 4) if n else None,
               ci_low=round(interval.low, 4), ci_high=round(interval.high, 4))
    return row


def _compare(control: dict[str, Any], treatment: dict[str, Any],
             groups: dict[str, list[analytics.ConversationFacts]], experiment: Experiment,
             alpha: float) -> dict[str, Any]:
    if experiment.metric == "csat":
        values = {name: [float(c.csat) for c in groups.get(name, []) if c.csat]
                  for name in (control["name"], treatment["name"])}
        result = stats.compare_means(control["name"], values[control["name"]],
                                     treatment["name"], values[treatment["name"]],
                                     alpha=alpha, min_samples=experiment.min_samples)
    else:
        result = stats.compare_proportions(
            control["name"], control["successes"], control["n"], treatment["name"],
            treatment["successes"], treatment["n"], alpha=alpha,
            min_samples=experiment.min_samples)
    return {"control": result.control, "treatment": result.treatment,
            "difference": round(result.difference, 4), "ci_low": round(result.ci_low, 4),
            "ci_high": round(result.ci_high, 4), "p_value": round(result.p_value, 6),
            "significant": result.significant, "enough_data": result.enough_data,
            "advice": result.advice}
