"""usearch 2.26 imported before onnxruntime 1.32 crashes the process (segmentation fault); kefu's
vector index imports them in the order that works, whatever the caller imported before."""

from __future__ import annotations

import subprocess
import sys


def test_the_vector_index_then_the_encoder_runtime_load_in_one_process() -> None:
    code = ("import kefu.knowledge.vector_index, onnxruntime, numpy; "
            "from kefu.knowledge.vector_index import HnswIndex; print('ok')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"


def test_hybrid_retrieval_on_hnsw_with_the_onnx_encoder_in_one_process() -> None:
    """The application's path: the retriever (and so usearch) imported first, then the encoder's
    onnxruntime session, then an HNSW search."""
    code = (
        "from kefu.knowledge.hybrid import HybridRetriever\n"
        "from kefu.knowledge.bm25 import SourceDocument\n"
        "from kefu.knowledge.vector_cache import VectorCache\n"
        "from kefu.knowledge.vector_index import HnswIndex\n"
        "from kefu.nlu.encoder import load_encoder\n"
        "from kefu.settings import Settings\n"
        "s = Settings()\n"
        "vectors = VectorCache(load_encoder('onnx', s.cache_dir, s.encoder_threads), None, 't')\n"
        "doc = SourceDocument('en/s.md', 'en', '# Shipping\\n\\n## Delivery times\\n"
        "Standard delivery takes 3 to 5 business days.\\n', 'policy')\n"
        "r = HybridRetriever([doc], vectors, hnsw_from=1)\n"
        "assert isinstance(r.vector_index, HnswIndex)\n"
        "print(r.search('how long does delivery take', 'en')[0].citation)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "en/s.md#Delivery times"
