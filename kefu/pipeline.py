"""One turn, end to end, in one direction (GUIDE §1):

inbound guard → understand → track → decide → act (+ ground) → respond → outbound guard.
Persisting and emitting is the caller's (kefu.conversations), in one transaction per turn.
"""

from __future__ import annotations

from dataclasses import dataclass

from kefu.dialogue.act import act
from kefu.dialogue.policy import decide, review
from kefu.dialogue.tracker import track
from kefu.guard import outbound
from kefu.guard.inbound import screen
from kefu.guard.outbound import named_orders
from kefu.knowledge.base import ProductAnswerer, Retriever
from kefu.nlu.base import EntityExtractor, IntentRecognizer
from kefu.nlu.language import detect_script
from kefu.respond.base import Responder
from kefu.store.base import StoreBackend
from kefu.types import Decision, Inbound, Language, State, TurnResult, Understanding


@dataclass(frozen=True)
class Pipeline:
    """The stages of a turn, each behind its own seam."""

    recognizer: IntentRecognizer
    extractor: EntityExtractor
    retriever: Retriever
    responder: Responder
    products: ProductAnswerer | None = None
    max_message_chars: int = 2000
    default_language: Language = "en"

    def understand(self, inbound: Inbound) -> Understanding:
        seen = self.recognizer.recognize(inbound.text, inbound.language)
        return Understanding(
            seen.intent, self.extractor.extract(inbound.text), seen.sentiment,
            detect_script(inbound.text), seen.alternatives,
        )

    def run(self, text: str, state: State, store: StoreBackend) -> TurnResult:
        inbound = screen(
            text, max_chars=self.max_message_chars,
            fallback=state.language or self.default_language,
        )
        understanding = self.understand(inbound)
        tracked = track(state, inbound, understanding)
        decision, grounding = act(
            decide(tracked, understanding), inbound, understanding, store, self.retriever,
            self.products,
        )
        decision = review(decision, grounding)
        reply = self.responder.respond(decision, grounding, inbound.language)
        reply = outbound.check(reply, grounding, named_orders(understanding, decision))
        return TurnResult(inbound, understanding, decision, reply, _events(understanding, decision))


def _events(
    understanding: Understanding, decision: Decision
) -> tuple[tuple[str, dict[str, object]], ...]:
    intent = understanding.intent
    entities = [e.kind for e in understanding.entities]
    feeling = understanding.sentiment
    return (
        ("intent", {"intent": intent.name, "confidence": intent.confidence, "entities": entities,
                    "script": understanding.script}),
        ("sentiment", {"polarity": feeling.polarity, "score": feeling.score,
                       "emotion": feeling.emotion, "confidence": feeling.confidence}),
        ("action", {"action": decision.action.value, "order_id": decision.order_id}),
    )
