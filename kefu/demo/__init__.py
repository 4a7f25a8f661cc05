"""The deterministic bilingual demo shop (客服示范商店): catalogue, customers, orders and
policy pages, for demos, tests and benchmarks."""

from kefu.demo.documents import DemoDocument, load_demo_documents
from kefu.demo.generator import DemoShop, DemoSummary, generate_demo_shop, seed_demo

__all__ = [
    "DemoDocument",
    "DemoShop",
    "DemoSummary",
    "generate_demo_shop",
    "load_demo_documents",
    "seed_demo",
]
