"""What `kefu data augment` does to the shipped model's generalisation.

    .venv/bin/python bench/augment.py [--factor 1] [--test 4000]

Trains the intent head twice on kefu's own utterances — as shipped, and with `augment(factor)`
added — and scores both on the same seeded sample of Bitext (../shared/data; skipped when
absent), which neither saw. Same encoder, same C, same run.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kefu.errors import NotFound
from kefu.nlu.encoder import load_encoder
from kefu.nlu.heads import fit_head
from kefu.nlu.recognizer import encoder_text
from kefu.settings import Settings
from kefu.training.augment import augment_report
from kefu.training.corpora import bitext, builtin_intents
from kefu.training.evaluate import score


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--factor", type=int, default=1)
    parser.add_argument("--test", type=int, default=4000)
    args = parser.parse_args()
    try:
        test = random.Random(0).sample(bitext(), args.test)
    except NotFound as exc:
        print(f"skipped: {exc}")
        return
    settings = Settings()
    encoder = load_encoder(settings.encoder, settings.cache_dir, settings.encoder_threads)
    own = builtin_intents()
    report = augment_report(own, factor=args.factor, seed=0)
    test_vectors = encoder.encode([encoder_text(e.text) for e in test])
    print(f"$ python bench/augment.py --factor {args.factor} --test {args.test}")
    print(f"augmentations used: {dict(report.used)}")
    for name, rows in (("shipped utterances", own), ("with augmentation", report.examples)):
        head, _ = fit_head(encoder.encode([encoder_text(e.text) for e in rows]),
                           [e.label for e in rows],
                           c=30.0, folds=0)
        guess = [head.labels[i] for i in head.probabilities(test_vectors).argmax(axis=1)]
        s = score([e.label for e in test], guess)
        print(f"{name:20} train {len(rows):6}  Bitext accuracy {s.accuracy:.4f}  "
              f"macro-F1 {s.macro_f1:.4f}")


if __name__ == "__main__":
    main()
