"""Versioned prompt files, one per task and language (``prompts/<task>.<lang>.txt``).

A file starts with ``version: <id>`` and has sections opened by ``--- <name>`` lines
(``system``, ``user`` and optionally ``strict``, the stricter instruction of a retry). The
system section is the fixed head of every prompt of that task, so llama.cpp's prefix cache
reads it once; what changes per turn goes in ``user``. Placeholders are ``str.format`` fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

from kefu.llm.base import ChatMessage


@dataclass(frozen=True)
class Prompt:
    version: str
    sections: dict[str, str]

    def messages(self, system: dict[str, str], user: dict[str, str],
                 strict: dict[str, str] | None = None) -> list[ChatMessage]:
        """The chat messages: the system section, then the user section (and the strict
        instruction after it on a retry)."""
        text = self.sections["user"].format(**user)
        if strict is not None:
            text = f"{text}\n\n{self.sections['strict'].format(**strict)}"
        return [{"role": "system", "content": self.sections["system"].format(**system)},
                {"role": "user", "content": text}]


@cache
def load(task: str, language: str, variant: str | None = None) -> Prompt:
    """The task's prompt; ``variant`` picks an alternative (``<task>.<lang>.<variant>.txt``),
    which an experiment can compare with the current one."""
    lang = "zh" if language == "zh" else "en"
    name = f"{task}.{lang}.{variant}.txt" if variant else f"{task}.{lang}.txt"
    path = resources.files("kefu.llm") / "prompts" / name
    if not path.is_file():
        raise ValueError(f"there is no prompt {name}")
    raw = path.read_text(encoding="utf-8")
    head, _, body = raw.partition("\n--- ")
    if not head.startswith("version:"):
        raise ValueError(f"prompt {name} must start with 'version: <id>'")
    sections: dict[str, str] = {}
    for block in ("--- " + body).split("\n--- "):
        title, _, text = block.removeprefix("--- ").partition("\n")
        sections[title.strip()] = text.strip()
    missing = {"system", "user"} - set(sections)
    if missing:
        raise ValueError(f"prompt {name} lacks the section(s) {sorted(missing)}")
    return Prompt(head.removeprefix("version:").strip(), sections)


def variants(task: str) -> list[str]:
    """The alternative prompts of a task, by variant name."""
    folder = resources.files("kefu.llm") / "prompts"
    found = {p.name.split(".")[2] for p in folder.iterdir()
             if p.name.startswith(f"{task}.") and p.name.count(".") == 3}
    return sorted(found)
