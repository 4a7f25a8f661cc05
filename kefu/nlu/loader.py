"""Assemble the understanding stage from settings."""

from __future__ import annotations

from kefu.nlu.base import IntentRecognizer
from kefu.settings import Settings


def load_recognizer(settings: Settings) -> IntentRecognizer:
    if settings.nlu == "keywords":
        from kefu.nlu.keywords import KeywordIntentRecognizer

        return KeywordIntentRecognizer()
    from kefu.nlu.encoder import load_encoder
    from kefu.nlu.model import NluModel, resolve
    from kefu.nlu.recognizer import EncoderRecognizer

    encoder = load_encoder(settings.encoder, settings.cache_dir, settings.encoder_threads)
    return EncoderRecognizer(encoder, NluModel.load(resolve(settings.data_dir,
                                                            settings.nlu_model)))
