"""The rules of kefu.dialogue.prefill on rows built in memory (the address rule, which reads the
database, is tested through the product in tests/integration/test_prefill.py), and the slot
fillers the suggestions rely on: a rejection, a correction, where the new option starts."""

from __future__ import annotations

from kefu.dialogue import slots as fill
from kefu.dialogue.prefill import Prefill
from kefu.profile.builder import Fact, Profile
from kefu.storage.models import Order, OrderItem, Payment, PaymentMethod, Variant

CARD = PaymentMethod(id="card", kind="credit_card", brand="visa", last_four="4242")
GIFT = PaymentMethod(id="gift", kind="gift_card", balance_cents=500)
PAYPAL = PaymentMethod(id="pp", kind="paypal")
PREFILL = Prefill(None, lambda _id: None)  # type: ignore[arg-type]


def _order(method: str, cents: int = 2500) -> Order:
    return Order(id="o1", items=[OrderItem(variant_id="s-black", product_id="tee",
                                           name="Tee", price_cents=cents,
                                           options={"size": "S", "color": "black"})],
                 payments=[Payment(transaction_type="payment", amount_cents=cents,
                                   payment_method_id=method)])


def _profile(*facts: Fact) -> Profile:
    return Profile("c", "C", "en", "member", 0, "USD", 1, list(facts))


def _fact(kind: str, value: str, source: str = "order", polarity: str = "like") -> Fact:
    return Fact(kind, value, polarity, source, "o0", None)


def _variants() -> list[Variant]:
    return [Variant(id=f"{s.lower()}-{c}", product_id="tee", options={"size": s, "color": c},
                    price_cents=2500, available=s != "XL")
            for s in ("S", "M", "L", "XL") for c in ("black", "blue")]


def test_a_refund_is_suggested_to_the_method_the_order_was_paid_with() -> None:
    found = PREFILL.refund_method(_order("card"), [CARD, GIFT])
    assert found is not None and found.value == "card" and found.note == "note_paid_with"
    assert PREFILL.refund_method(_order("gone"), [CARD, GIFT]) is None  # no longer on file


def test_a_gift_card_pays_a_difference_only_when_its_balance_covers_it() -> None:
    usual = _profile(_fact("payment", "card"))
    assert PREFILL.pay_method(_order("gift"), [CARD, GIFT], usual, 400).value == "gift"
    falls = PREFILL.pay_method(_order("gift"), [CARD, GIFT], usual, 900)
    assert falls is not None and falls.value == "card" and falls.note == "note_usual_method"
    assert PREFILL.pay_method(_order("gift"), [CARD, GIFT], None, 900) is None
    refund = PREFILL.pay_method(_order("gift"), [CARD, GIFT], None, -900)
    assert refund is not None and refund.value == "gift"  # a refund needs no balance


def test_a_new_method_is_the_usual_one_only_when_it_is_another_one() -> None:
    usual = _profile(_fact("payment", "card"))
    assert PREFILL.new_method(_order("pp"), [CARD, PAYPAL], usual).value == "card"
    assert PREFILL.new_method(_order("card"), [CARD, PAYPAL], usual) is None
    assert PREFILL.new_method(_order("pp"), [CARD, PAYPAL], _profile()) is None
    poor = _profile(_fact("payment", "gift"))  # $5 cannot pay a $25 order
    assert PREFILL.new_method(_order("pp"), [GIFT, PAYPAL], poor) is None


def test_the_usual_size_keeps_the_other_options_and_needs_stock() -> None:
    line = _order("card").items[0]
    bought = _profile(_fact("size", "m"), _fact("colour", "blue"))
    found = PREFILL.variant(line, _variants(), bought)
    assert found is not None and found.value == "m-black" and found.params == {"size": "M"}
    said = _profile(_fact("size", "m"), _fact("size", "L", source="message"))
    assert PREFILL.variant(line, _variants(), said).value == "l-black"  # said beats bought
    assert PREFILL.variant(line, _variants(), _profile(_fact("size", "xl"))) is None  # no stock
    assert PREFILL.variant(line, _variants(), _profile(_fact("size", "s"))) is None  # same
    shoe = _profile(_fact("size", "42"), _fact("size", "m"))  # a size of other products
    assert PREFILL.variant(line, _variants(), shoe).value == "m-black"
    hated = _profile(_fact("size", "m", source="message", polarity="dislike"))
    assert PREFILL.variant(line, _variants(), hated) is None
    assert PREFILL.variant(line, _variants(), None) is None


def test_a_rejection_is_the_whole_message() -> None:
    for text in ("no", "No.", "no, not that one", "wrong order", "No, another order", "不是这个"):
        assert fill.rejects(text), text
    for text in ("No longer needed", "no thanks, the gift card", "yes", "", "the blue one"):
        assert not fill.rejects(text), text


def test_a_no_that_says_what_instead_is_a_correction() -> None:
    assert fill.corrects("No, refund it to my gift card")
    assert fill.corrects("不是，退到礼品卡")
    for text in ("no", "No, don't do it", "no, cancel the request", "不是，不要了"):
        assert not fill.corrects(text), text


def test_the_new_option_starts_after_the_item_not_at_the_first_to() -> None:
    order = _order("card")
    line = order.items[0]
    assert fill.order_lines("I would like to exchange the Tee I received", order) == [line]
    assert fill.new_variant("I would like to exchange the Tee I received", line,
                            _variants()) is None
    picked = fill.new_variant("I want to change the Tee to size M", line, _variants())
    assert picked is not None and picked.id == "m-black"
    assert fill.new_variant("I want to exchange the black Tee", line, _variants()) is None
    assert fill.new_variant("that's all", line, _variants(), whole=True) is None  # not size S


def test_a_suggested_address_is_shown_masked() -> None:
    home = {"address1": "12 Elm Street", "address2": "", "city": "Austin", "state": "TX",
            "country": "USA", "zip": "73301"}
    assert fill.describe_address(home) == "12 Elm Street, Austin, TX, USA, 73301"
    assert fill.describe_address(home, masked=True) == "1* E** S*****, Austin, TX, USA, 73***"
    zh = {"address1": "锦江区东风路355号", "address2": "26号楼1002室", "city": "成都市",
          "state": "四川省", "country": "China", "zip": "610171"}
    shown = fill.describe_address(zh, masked=True)
    assert shown.startswith("锦江区*******,") and "东风路" not in shown and "610171" not in shown


def test_a_method_named_after_not_is_not_the_one_wanted() -> None:
    methods = [CARD, GIFT, PAYPAL]
    assert fill.payment_method("No, not PayPal, use my Visa", methods, None) == "card"
    assert fill.payment_method("use the visa card, not the gift card", methods, None) == "card"
    assert fill.payment_method("No, not the Visa", methods, None) is None
    assert fill.payment_method("No, not the Visa", methods, None, negated=True) == "card"


def test_a_one_word_known_name_is_redacted_only_as_written() -> None:
    from kefu.privacy.pii import redact

    text = "Grace asked: is there a grace period?"
    shown = redact(text, known_names=["Grace"]).text
    assert shown.startswith("[PERSON_1] asked") and "grace period" in shown
    assert "aisha" not in redact("hi, aisha khan here", known_names=["Aisha Khan"]).text


def test_a_stated_payment_preference_comes_before_the_one_orders_show() -> None:
    said = Fact("payment", "paypal", "like", "message", "c#1", None)
    bought = _profile(_fact("payment", "card"), said)
    found = PREFILL.pay_method(_order("gone"), [CARD, PAYPAL], bought, 100)
    assert found is not None and found.value == "pp" and found.note == "note_said_method"
    hated = _profile(_fact("payment", "card"),
                     Fact("payment", "credit card", "dislike", "message", "c#2", None))
    assert PREFILL.pay_method(_order("gone"), [CARD, PAYPAL], hated, 100) is None
    visa = _profile(Fact("payment", "visa", "like", "message", "c#3", None))
    assert PREFILL.new_method(_order("pp"), [CARD, PAYPAL], visa).value == "card"
    current = _profile(Fact("payment", "paypal", "like", "message", "c#4", None),
                       _fact("payment", "card"))  # what they said is already the order's
    assert PREFILL.new_method(_order("pp"), [CARD, PAYPAL], current).value == "card"
