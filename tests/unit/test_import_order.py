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
