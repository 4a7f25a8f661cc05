"""The pure stages of a turn: track, decide, review, the outbound guard and the templates."""

from __future__ import annotations

import pytest

from kefu.dialogue.policy import MAX_IDENTITY_FAILURES, MAX_MISUNDERSTOOD, decide, review
from kefu.dialogue.tracker import track
from kefu.errors import RuntimeFailure
from kefu.guard.outbound import OutboundViolation, check, named_orders
from kefu.respond.templates import TemplateResponder
from kefu.types import (
    Action,
    Decision,
    Entity,
    Grounding,
    Inbound,
    Intent,
    OrderLine,
    OrderView,
    Passage,
    Reply,
    State,
    Understanding,
)


def understood(intent: str, *entities: tuple[str, str]) -> Understanding:
    return Understanding(Intent(intent, 0.9),
                         tuple(Entity(k, v, 0, len(v), v) for k, v in entities))


ORDER = OrderView("KF00000001", "shipped", "USD", 8999,
                  (OrderLine("Water Bottle", {"color": "blue"}, 8999, "水杯"),),
                  ("TRK1",), "UPS", "2026-10-03")


def test_track_fills_slots_and_keeps_the_order_question_open() -> None:
    state = track(State(), Inbound("where is KF00000001", "en"),
                  understood("track_order", ("order_id", "KF00000001")))
    assert state.active_intent == "track_order" and state.slots["order_id"] == "KF00000001"
    later = track(state, Inbound("a@b.co", "en"), understood("out_of_scope", ("email", "a@b.co")))
    assert later.slots["email"] == "a@b.co" and later.active_intent == "track_order"
    assert later.turns == 2 and "where is" in later.slots["recent_text"]


@pytest.mark.parametrize(
    ("intent", "entities", "action"),
    [
        ("track_order", (), Action.ORDER_STATUS),
        ("out_of_scope", (("email", "a@b.co"),), Action.ORDER_STATUS),
        ("greeting", (), Action.GREET),
        ("thanks", (), Action.THANKS),
        ("deny", (), Action.GOODBYE),
        ("affirm", (), Action.ACKNOWLEDGE),
        ("contact_human_agent", (), Action.HANDOFF),
        ("delivery_period", (), Action.ANSWER),
        ("out_of_scope", (), Action.ANSWER),
    ],
)
def test_decide(intent: str, entities: tuple[tuple[str, str], ...], action: Action) -> None:
    assert decide(State(), understood(intent, *entities)).action is action


def test_an_answer_without_grounding_becomes_clarify_then_handoff() -> None:
    state = State()
    for _ in range(MAX_MISUNDERSTOOD - 1):
        decision = review(Decision(Action.ANSWER, state), Grounding())
        assert decision.action is Action.CLARIFY
        state = decision.state
    final = review(Decision(Action.ANSWER, state), Grounding())
    assert final.action is Action.HANDOFF and final.state.handoff


def test_an_understood_turn_resets_the_miss_counter() -> None:
    grounded = Grounding(passages=(Passage("en/x.md", "X", "Y", "text", 1.0),))
    decision = review(Decision(Action.ANSWER, State(misunderstood=2)), grounded)
    assert decision.action is Action.ANSWER and decision.state.misunderstood == 0


def test_repeated_failed_identity_checks_hand_off() -> None:
    state = State()
    for _ in range(MAX_IDENTITY_FAILURES - 1):
        decision = review(Decision(Action.IDENTITY_FAILED, state), Grounding())
        assert decision.action is Action.IDENTITY_FAILED
        state = decision.state
    assert review(Decision(Action.IDENTITY_FAILED, state), Grounding()).action is Action.HANDOFF


def test_outbound_guard_allows_grounded_and_named_orders_only() -> None:
    reply = Reply("Order KF00000001 is shipped. See also KF00000002.", "en")
    with pytest.raises(OutboundViolation) as info:
        check(reply, Grounding(order=ORDER), set())
    assert isinstance(info.value, RuntimeFailure)
    assert check(reply, Grounding(order=ORDER), {"KF00000002"}) is reply
    named = named_orders(understood("track_order", ("order_id", "KF00000003")),
                         Decision(Action.ORDER_NOT_FOUND, State(), "KF00000002"))
    assert named == {"KF00000002", "KF00000003"}


def test_outbound_guard_lets_a_page_quote_its_own_example_order_number() -> None:
    page = Passage("en/faq.md", "FAQ", "Order numbers", "Order numbers start with KF, for "
                   "example KF20260173.", 1.0, "en", "faq")
    reply = Reply("Order numbers start with KF, for example KF20260173.", "en")
    assert check(reply, Grounding(passages=(page,)), set()) is reply
    with pytest.raises(OutboundViolation):
        check(Reply("Your order KF20260174 is late.", "en"), Grounding(passages=(page,)), set())


def test_order_status_template_in_both_languages() -> None:
    responder = TemplateResponder("Shop")
    decision = Decision(Action.ORDER_STATUS, State(), "KF00000001")
    en = responder.respond(decision, Grounding(order=ORDER), "en").text
    assert en.startswith("Order KF00000001 is shipped.")
    assert "UPS" in en and "TRK1" in en and "Water Bottle (blue)" in en and "$89.99" in en
    zh = responder.respond(decision, Grounding(order=ORDER), "zh").text
    assert zh.startswith("订单 KF00000001 已发货。") and "水杯（蓝色）" in zh


def test_knowledge_answer_cites_and_stops_at_a_sentence() -> None:
    text = "First sentence here. " * 40
    passage = Passage("en/shipping.md", "Shipping", "Times", text, 2.0)
    reply = TemplateResponder("Shop").respond(
        Decision(Action.ANSWER, State()), Grounding(passages=(passage,)), "en")
    body, source = reply.text.split("\n\nSource: ")
    assert source == "Shipping › Times" and body.endswith(".") and len(body) <= 420
    assert reply.citations == ("en/shipping.md#Times",)
