"""The NLU artefact: the trained heads (intent, polarity, emotion) and what they were built from.

A directory holding ``heads.npz`` (arrays only, loaded without pickle) and ``meta.json``
(version, encoder, training data digest, out-of-scope threshold, measured scores). kefu ships one
(``kefu/nlu/models/shipped``); ``kefu train nlu`` writes new versions under
``data_dir/models/nlu/<version>``, and the server loads the newest unless a setting names one.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from kefu.errors import RuntimeFailure
from kefu.nlu.heads import LinearHead

FORMAT = 1
SHIPPED = Path(__file__).with_name("models") / "shipped"


@dataclass(frozen=True)
class NluModel:
    intent: LinearHead
    threshold: float  # calibrated confidence under which kefu abstains (out_of_scope)
    polarity: LinearHead | None = None
    emotion: LinearHead | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return str(self.meta.get("version", "unversioned"))

    def save(self, path: Path) -> Path:
        """Write the artefact into ``path`` (which must not exist yet), atomically."""
        path.parent.mkdir(parents=True, exist_ok=True)
        arrays = self.intent.to_arrays("intent")
        for name, head in (("polarity", self.polarity), ("emotion", self.emotion)):
            if head is not None:
                arrays.update(head.to_arrays(name))
        meta = {**self.meta, "format": FORMAT, "threshold": self.threshold}
        with tempfile.TemporaryDirectory(dir=path.parent) as tmp:
            staged = Path(tmp) / "model"
            staged.mkdir()
            np.savez(staged / "heads.npz", **arrays)  # type: ignore[arg-type]
            (staged / "meta.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n")
            staged.rename(path)
        return path

    @classmethod
    def load(cls, path: Path) -> NluModel:
        try:
            meta = json.loads((path / "meta.json").read_text())
            with np.load(path / "heads.npz", allow_pickle=False) as npz:
                arrays = {k: npz[k] for k in npz.files}
        except (OSError, ValueError) as exc:
            raise RuntimeFailure(f"cannot load the NLU model in {path}: {exc}") from exc
        if meta.get("format") != FORMAT:
            raise RuntimeFailure(f"{path} holds NLU format {meta.get('format')}, not {FORMAT}")
        heads = {
            name: LinearHead.from_arrays(arrays, name) if f"{name}.weight" in arrays else None
            for name in ("polarity", "emotion")
        }
        return cls(LinearHead.from_arrays(arrays, "intent"), float(meta["threshold"]),
                   heads["polarity"], heads["emotion"], meta)


def trained_dir(data_dir: Path) -> Path:
    return data_dir / "models" / "nlu"


def resolve(data_dir: Path, explicit: Path | None = None) -> Path:
    """The artefact the server loads: the one named, else the newest trained, else shipped."""
    if explicit is not None:
        return explicit
    root = trained_dir(data_dir)
    versions = sorted(p for p in root.iterdir() if (p / "meta.json").exists()) if root.is_dir() \
        else []
    return versions[-1] if versions else SHIPPED


def copy_heads(source: NluModel, intent: LinearHead, threshold: float,
               meta: dict[str, Any]) -> NluModel:
    """A new model with a new intent head and ``source``'s sentiment heads."""
    return NluModel(intent, threshold, source.polarity, source.emotion, meta)


def remove(path: Path) -> None:
    shutil.rmtree(path)
