"""The intent taxonomy: Bitext's 27 customer-support intents, named exactly as there so that
external data maps directly, plus the conversational and shop intents kefu needs.

Each intent has a one-line meaning; the shipped training utterances (``kefu/nlu/data``) and the
evaluation follow these definitions.
"""

from __future__ import annotations

BITEXT_INTENTS: dict[str, str] = {
    "cancel_order": "cancel an order that was placed",
    "change_order": "change an order: items, quantity, size/colour variant, payment method",
    "change_shipping_address": "change the delivery address of an order",
    "check_cancellation_fee": "ask whether cancelling costs a fee, and how much",
    "check_invoice": "look at / check an existing invoice or bill",
    "check_payment_methods": "ask which payment methods the shop accepts",
    "check_refund_policy": "ask about the refund / return policy and its conditions",
    "complaint": "complain about the shop, a product or the service",
    "contact_customer_service": "ask how to reach customer service (hours, phone, email)",
    "contact_human_agent": "ask to talk to a human / live agent",
    "create_account": "open a new account",
    "delete_account": "close / delete an account",
    "delivery_options": "ask which delivery / shipping methods exist",
    "delivery_period": "ask how long delivery takes / when a parcel will arrive in general",
    "edit_account": "change account details (name, phone, email, profile)",
    "get_invoice": "obtain / download / be sent an invoice",
    "get_refund": "ask for money back",
    "newsletter_subscription": "subscribe to or unsubscribe from the newsletter",
    "payment_issue": "report a problem paying (declined, charged twice, error)",
    "place_order": "buy something / place a new order",
    "recover_password": "forgotten password, reset it",
    "registration_problems": "problems signing up / registering",
    "review": "leave a review or feedback about the shop or a product",
    "set_up_shipping_address": "add / set up a (new default) shipping address in the account",
    "switch_account": "switch between accounts / log in as another account",
    "track_order": "where is my order, its status",
    "track_refund": "status of a refund already asked for",
}

SHOP_INTENTS: dict[str, str] = {
    "greeting": "hello",
    "goodbye": "bye",
    "thanks": "thank you",
    "affirm": "yes / confirm",
    "deny": "no / decline",
    "product_question": "a question about a product: features, sizes, materials, stock, price",
    "recommend_product": "ask for a product suggestion",
    "return_item": "send back an item that was received",
    "exchange_item": "swap a received item for another size / colour / product",
    "out_of_scope": "anything a shop's customer service does not handle",
}

INTENTS: dict[str, str] = {**BITEXT_INTENTS, **SHOP_INTENTS}
OUT_OF_SCOPE = "out_of_scope"
EMOTIONS: tuple[str, ...] = ("angry", "frustrated", "neutral", "satisfied")
