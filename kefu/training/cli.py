"""``kefu data``: clean, split and augment labelled training files (CSV or JSONL)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from kefu.errors import InvalidInput, KefuError
from kefu.training.datasets import Example, load_examples, write_examples

data_app = typer.Typer(help="Prepare labelled training data: clean, split, augment.",
                       no_args_is_help=True, pretty_exceptions_enable=False)

_SHOWN_LABELS = 30
_SHOWN_CONFLICTS = 5

InputArg = Annotated[Path, typer.Argument(help="A .csv or .jsonl file with text and labels.")]
OutOpt = Annotated[Path, typer.Option("--out", help="Where to write (.csv or .jsonl).")]
SeedOpt = Annotated[int, typer.Option(help="Random seed (same seed, same output).")]


@data_app.command("clean")
def clean_command(
    input_path: InputArg,
    out: OutOpt,
    test_out: Annotated[Path | None, typer.Option(
        "--test-out", help="Also split: the test part goes here, the rest to --out.")] = None,
    test_size: Annotated[float, typer.Option(help="Share of each label put in the test part.")]
    = 0.2,
    seed: SeedOpt = 0,
    mask: Annotated[bool, typer.Option(
        "--mask/--no-mask", help="Mask emails, phones, card and ID numbers.")] = True,
    label_column: Annotated[str | None, typer.Option(
        help="Label column (default: intent, label or category).")] = None,
) -> None:
    """Normalise, mask personal data, drop empties, duplicates and conflicts; optionally split."""
    from kefu.training.clean import clean, stratified_split

    try:
        if test_out is not None and test_out.resolve() == out.resolve():
            raise InvalidInput("--out and --test-out must be different files")
        report = clean(load_examples(input_path, label_column), mask=mask)
        parts = [(out, report.examples)]
        if test_out is not None:
            train, test = stratified_split(report.examples, test_size=test_size, seed=seed)
            parts = [(out, train), (test_out, test)]
        for path, examples in parts:
            write_examples(path, examples)
    except KefuError as exc:
        _fail(exc)
    typer.echo(f"rows in: {report.rows_in}")
    typer.echo(f"empty dropped: {report.empty_dropped}")
    typer.echo(f"duplicates dropped: {report.duplicates_dropped}")
    typer.echo(f"conflicts dropped: {report.conflicts_dropped} rows "
               f"({len(report.conflicts)} texts with more than one label)")
    for text, labels in list(report.conflicts.items())[:_SHOWN_CONFLICTS]:
        typer.echo(f"  conflict: {text!r} → {', '.join(labels)}")
    masked = ", ".join(f"{kind} {n}" for kind, n in report.pii_masked.items())
    typer.echo(f"pii masked: {masked}" if mask else "pii masked: off (--no-mask)")
    typer.echo(f"rows out: {report.rows_out} ("
               + ", ".join(f"{path}: {len(examples)}" for path, examples in parts) + ")")
    typer.echo(_labels_line(report.examples))


@data_app.command("augment")
def augment_command(
    input_path: InputArg,
    out: OutOpt,
    factor: Annotated[int, typer.Option(help="New examples per original.")] = 1,
    seed: SeedOpt = 0,
    label_column: Annotated[str | None, typer.Option(
        help="Label column (default: intent, label or category).")] = None,
) -> None:
    """Write the originals followed by augmented variants (see kefu.training.augment)."""
    from kefu.training.augment import augment_report

    try:
        report = augment_report(load_examples(input_path, label_column), factor=factor, seed=seed)
        write_examples(out, report.examples)
    except KefuError as exc:
        _fail(exc)
    typer.echo(f"originals: {report.originals}")
    typer.echo(f"added: {report.added} ({report.short} originals got fewer than {factor})")
    used = ", ".join(f"{name} {n}" for name, n in sorted(report.used.items()))
    typer.echo(f"augmentations used: {used or 'none'}")
    typer.echo(f"rows out: {len(report.examples)} ({out})")


def _labels_line(examples: Sequence[Example]) -> str:
    counts = Counter(e.label for e in examples)
    if len(counts) > _SHOWN_LABELS:
        (top, most), (low, least) = counts.most_common()[0], counts.most_common()[-1]
        return f"labels: {len(counts)} (largest {top} {most}, smallest {low} {least})"
    return f"labels: {len(counts)} (" + ", ".join(
        f"{label} {n}" for label, n in sorted(counts.items())) + ")"


def _fail(exc: KefuError) -> NoReturn:
    typer.echo(f"kefu: {exc}", err=True)
    raise typer.Exit(2) from exc
