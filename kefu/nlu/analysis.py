"""One message's full analysis, as ``kefu nlu parse`` shows it."""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any

from kefu.guard.inbound import screen
from kefu.nlu.entities import EntityRecognizer
from kefu.settings import Settings
from kefu.types import Inbound


def analyse(settings: Settings, text: str) -> dict[str, Any]:
    from kefu.service import Kefu
    from kefu.storage.db import is_current

    kefu = Kefu.from_settings(settings)
    try:
        pipeline = kefu.pipeline
        if is_current(kefu.engine):
            kefu.entities.refresh(force=True)
        else:  # no shop yet: every entity but the catalog's
            pipeline = replace(pipeline, extractor=EntityRecognizer())
        inbound = screen(text, max_chars=max(settings.max_message_chars, len(text)),
                         fallback=settings.default_language) if text.strip() else \
            Inbound("", settings.default_language, text)
        seen = pipeline.understand(inbound)
    finally:
        kefu.close()
    return {
        "text": inbound.text, "language": inbound.language, "script": seen.script,
        "intent": asdict(seen.intent), "alternatives": [asdict(i) for i in seen.alternatives],
        "sentiment": asdict(seen.sentiment), "entities": [asdict(e) for e in seen.entities],
    }
