"""Turns through the real pipeline and store, persisted in SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from kefu.conversations import Conversations
from kefu.errors import Conflict, InvalidInput, MessageTooLong, NotFound
from kefu.service import Kefu
from kefu.settings import Settings
from kefu.storage.models import Event, Message
from tests.shop import MeetingRetriever, seed_small_shop


@pytest.fixture
def kefu(db_url: str, tmp_path):  # type: ignore[no-untyped-def]
    product = Kefu.from_settings(Settings(database_url=db_url, data_dir=tmp_path))
    with product.factory.begin() as session:
        seed_small_shop(session)
    product.warm()
    yield product
    product.close()


def say(kefu: Kefu, conv_id: str, text: str) -> str:
    return kefu.conversations.post(conv_id, text).reply.text


def test_order_status_after_email_authentication(kefu: Kefu) -> None:
    conv = kefu.conversations.create()
    first = say(kefu, conv.id, "Where is my order KF00000001?")
    assert "email" in first.lower()  # asked to prove who they are, nothing revealed
    assert "shipped" not in first.lower()
    reply = say(kefu, conv.id, "it's noah@example.com")
    assert "KF00000001" in reply
    assert "shipped" in reply
    assert "TRK0001" in reply and "UPS" in reply


def test_chinese_name_and_postcode_authentication(kefu: Kefu) -> None:
    conv = kefu.conversations.create()
    reply = say(kefu, conv.id, "我叫王芳，邮编200031，我的订单到哪了？")
    assert "KF00000003" in reply
    assert "已发货" in reply
    assert "机械键盘（青轴）" in reply
    assert "¥" in reply


def test_name_must_match_the_zip(kefu: Kefu) -> None:
    conv = kefu.conversations.create()
    reply = say(kefu, conv.id, "I'm Noah Brown, zip 99999, where is my order KF00000001")
    assert "couldn't find an account" in reply
    reply = say(kefu, conv.id, "Sorry: Noah Brown, 80279")
    assert "KF00000001" in reply and "shipped" in reply


def test_another_customers_order_is_not_revealed(kefu: Kefu) -> None:
    conv = kefu.conversations.create()
    say(kefu, conv.id, "my email is noah@example.com")
    reply = say(kefu, conv.id, "where is order KF00000004?")
    assert "couldn't find order KF00000004" in reply
    assert "delivered" not in reply.lower()
    assert "KF00000001" in reply and "KF00000002" in reply  # their own orders, to choose from


def test_several_orders_ask_which_one(kefu: Kefu) -> None:
    conv = kefu.conversations.create()
    reply = say(kefu, conv.id, "where is my order? noah@example.com")
    assert "Which order" in reply and "KF00000001" in reply and "KF00000002" in reply
    reply = say(kefu, conv.id, "KF00000002")
    assert "KF00000002 is pending" in reply


def test_knowledge_answer_with_citation_in_both_languages(kefu: Kefu) -> None:
    conv = kefu.conversations.create()
    turn = kefu.conversations.post(conv.id, "How long does delivery take?")
    assert "3 to 5 business days" in turn.reply.text
    assert turn.reply.citations == ("en/shipping.md#Delivery times",)
    reply = say(kefu, conv.id, "运费怎么算？包邮吗")
    assert "满50美元包邮" in reply and "来源" in reply


def test_handoff_marks_the_conversation(kefu: Kefu) -> None:
    conv = kefu.conversations.create()
    turn = kefu.conversations.post(conv.id, "I want to talk to a human")
    assert turn.status == "handoff"
    assert "customer service team" in turn.reply.text
    assert kefu.conversations.history(conv.id).status == "handoff"


def test_repeated_misunderstanding_hands_off(kefu: Kefu) -> None:
    conv = kefu.conversations.create()
    statuses = [kefu.conversations.post(conv.id, "blorp zingle").status for _ in range(3)]
    assert statuses == ["open", "open", "handoff"]


def test_state_survives_a_restart(kefu: Kefu, db_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    conv = kefu.conversations.create()
    say(kefu, conv.id, "Where is my order KF00000001?")
    kefu.close()
    again = Kefu.from_settings(Settings(database_url=db_url, data_dir=tmp_path))
    reply = say(again, conv.id, "noah@example.com")
    assert "KF00000001" in reply and "shipped" in reply
    history = again.conversations.history(conv.id)
    assert [m.role for m in history.messages] == ["user", "assistant"] * 2
    assert [m.seq for m in history.messages] == [1, 2, 3, 4]
    again.close()


def test_bad_messages_write_nothing(kefu: Kefu) -> None:
    conv = kefu.conversations.create()
    with pytest.raises(InvalidInput):
        kefu.conversations.post(conv.id, "   \n\t ")
    with pytest.raises(MessageTooLong):
        kefu.conversations.post(conv.id, "x" * 5000)
    with pytest.raises(NotFound):
        kefu.conversations.post("no-such-conversation", "hello")
    with kefu.factory() as session:
        assert session.scalar(select(func.count()).select_from(Message)) == 0


def test_turn_writes_messages_and_events(kefu: Kefu) -> None:
    conv = kefu.conversations.create()
    kefu.conversations.post(conv.id, "hello")
    with kefu.factory() as session:
        kinds = session.scalars(select(Event.kind).where(Event.conversation_id == conv.id)).all()
    assert sorted(kinds) == ["action", "conversation_created", "intent", "sentiment"]


def test_two_turns_at_once_one_is_refused_and_nothing_is_half_written(kefu: Kefu) -> None:
    pipeline = replace(kefu.pipeline, retriever=MeetingRetriever(kefu.knowledge))
    conversations = Conversations(kefu.factory, pipeline, kefu.settings.secret_key)
    conv = conversations.create()
    outcomes: list[object] = []

    def post(text: str) -> None:
        try:
            outcomes.append(conversations.post(conv.id, text))
        except Conflict as exc:
            outcomes.append(exc)

    questions = ("How long does delivery take?", "Is shipping free?")
    threads = [threading.Thread(target=post, args=(q,)) for q in questions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sum(isinstance(o, Conflict) for o in outcomes) == 1
    history = conversations.history(conv.id)
    assert [m.seq for m in history.messages] == [1, 2]
    assert history.messages[0].text in questions


def test_an_order_named_before_identification_and_not_theirs(kefu: Kefu) -> None:
    conv = kefu.conversations.create()
    say(kefu, conv.id, "where is KF00000004")
    reply = say(kefu, conv.id, "noah@example.com")  # KF00000004 is Ivan's
    assert "couldn't find order KF00000004 on your account" in reply
    assert "KF00000001" in reply  # their own orders to choose from
    reply = say(kefu, conv.id, "KF00000001")
    assert "KF00000001 is shipped" in reply


def test_no_and_yes_are_not_misunderstandings(kefu: Kefu) -> None:
    conv = kefu.conversations.create()
    assert "anything else" in say(kefu, conv.id, "thanks")
    assert "Goodbye" in say(kefu, conv.id, "no")
    assert "What can I help you with" in say(kefu, conv.id, "yes")
    assert kefu.conversations.history(conv.id).status == "open"


def test_a_shared_email_proves_nobody(kefu: Kefu) -> None:
    from kefu.storage.models import Customer

    with kefu.factory.begin() as session:
        session.get(Customer, "ivan_li").email = "NOAH@example.com"  # type: ignore[union-attr]
    conv = kefu.conversations.create()
    reply = say(kefu, conv.id, "where is my order? noah@example.com")
    assert "couldn't find an account" in reply


def test_three_failed_identity_checks_hand_off(kefu: Kefu) -> None:
    conv = kefu.conversations.create()
    say(kefu, conv.id, "where is my order")
    for guess in ("a@example.com", "b@example.com"):
        assert "couldn't find an account" in say(kefu, conv.id, guess)
    turn = kefu.conversations.post(conv.id, "c@example.com")
    assert turn.status == "handoff"


def test_replacing_the_shop_forgets_who_was_authenticated(kefu: Kefu) -> None:
    from kefu.storage.models import Conversation
    from kefu.storage.shop import replace_shop

    conv = kefu.conversations.create()
    assert "KF00000001" in say(kefu, conv.id, "where is KF00000001? noah@example.com")
    with kefu.factory.begin() as session:
        replace_shop(session, [])  # a store without Noah: his id could be anybody's now
    with kefu.factory() as session:
        stored = session.get(Conversation, conv.id)
        assert stored is not None and stored.customer_id is None
        assert stored.state["customer_id"] is None
    reply = say(kefu, conv.id, "and KF00000002?")
    assert "KF00000002 is" not in reply and "couldn't find an account" in reply


def test_timestamps_are_utc_on_every_database(kefu: Kefu) -> None:
    conv = kefu.conversations.create()
    turn = kefu.conversations.post(conv.id, "hello")
    assert turn.message.created_at.utcoffset() is not None
    stored = kefu.conversations.history(conv.id).messages[0].created_at
    assert stored.utcoffset() is not None and stored.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
