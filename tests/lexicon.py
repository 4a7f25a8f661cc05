"""The demo catalog as a CatalogLexicon, built once per test run (jieba loads its dictionary
the first time)."""

from __future__ import annotations

import itertools
from functools import cache

from kefu.demo.catalog import PRODUCT_SPECS
from kefu.nlu.catalog_match import CatalogLexicon, CatalogProduct


@cache
def demo_lexicon() -> CatalogLexicon:
    """Every demo product, with one variant per combination of its options. Product ids follow
    the demo generator: p1001 is the first spec (Mechanical Keyboard)."""
    return CatalogLexicon(
        CatalogProduct(
            f"p{1001 + i}", spec.name, spec.name_zh,
            tuple(dict(zip(spec.options, combo, strict=True))
                  for combo in itertools.product(*spec.options.values())),
        )
        for i, spec in enumerate(PRODUCT_SPECS)
    )


def product_id(name: str) -> str:
    """The demo product id of the product called ``name``."""
    return next(f"p{1001 + i}" for i, s in enumerate(PRODUCT_SPECS) if s.name == name)
