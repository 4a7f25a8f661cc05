"""The shop's words for each action, in English and Chinese."""

from __future__ import annotations

PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "greet": "Hello! I'm the {shop} assistant. I can check your order status or answer "
                 "questions about shipping, returns, refunds, payment and more.",
        "greet_known": "Hello {name}! How can I help you today?",
        "thanks": "You're welcome! Is there anything else I can help with?",
        "acknowledge": "Alright. What can I help you with? I can check an order or answer "
                       "questions about shipping, returns, refunds and more.",
        "goodbye": "Thank you for shopping with {shop}. Goodbye!",
        "ask_identity": "I can look that up for you. First, please confirm who you are: tell me "
                        "the email address on your account, or your full name and zip code.",
        "identity_failed": "Sorry, I couldn't find an account with those details. Please check "
                           "the email address, or give your full name and zip code.",
        "order_not_found_no_orders": "I couldn't find order {order_id} on your account, and "
                                     "there are no other orders on it.",
        "ask_order": "Which order do you mean, {name}? Your recent orders are:\n{orders}\n"
                     "Please tell me the order number.",
        "no_orders": "I couldn't find any orders on your account, {name}.",
        "order_not_found": "I couldn't find order {order_id} on your account. Please check the "
                           "order number; your recent orders are:\n{orders}",
        "order_line": "- {order_id} ({date}): {status}",
        "status": "Order {order_id} is {status}.",
        "shipped": "It was shipped on {shipped_at} with {carrier}; tracking number {tracking}.",
        "delivered": "It was delivered on {delivered_at}.",
        "items": "Items: {items}. Total: {total}.",
        "refunded": "Refunded so far: {amount} (gift cards at once, other methods within 5 to "
                    "7 business days).",
        "answer": "{text}\n\nSource: {source}",
        "answer_other": "{text}\n\nSource (our Chinese page): {source}",
        "clarify": "Sorry, I didn't quite get that. I can check an order's status or answer "
                   "questions about shipping, returns, refunds, exchanges, warranty, payment, "
                   "your account and membership. Could you rephrase?",
        "decline": "I can't help with that. I can check your orders, help with returns, "
                   "refunds and exchanges, and answer questions about our shop.",
        "sorry": "I'm sorry about the trouble, and I'll do my best to sort this out. ",
        "handoff": "I'm passing this conversation to a member of our customer service team. "
                   "They will reply here as soon as possible; you don't need to repeat anything.",
        "offer_human": "\n\nIf you'd like, I can also connect you with a member of our team.",
    },
    "zh": {
        "greet": "您好！我是{shop}的智能客服。我可以帮您查询订单状态，也可以解答配送、退货、"
                 "退款、支付等问题。",
        "greet_known": "{name}，您好！请问有什么可以帮您？",
        "thanks": "不客气！还有什么可以帮您的吗？",
        "acknowledge": "好的。请问有什么可以帮您？我可以查询订单，"
                       "也可以解答配送、退货、退款等问题。",
        "goodbye": "感谢您光临{shop}，再见！",
        "ask_identity": "我可以帮您查询。请先验证您的身份：告诉我您账户的邮箱，"
                        "或者您的姓名和邮编。",
        "identity_failed": "抱歉，没有找到与这些信息匹配的账户。请核对邮箱，或提供您的姓名和邮编。",
        "order_not_found_no_orders": "您的账户下没有找到订单 {order_id}，账户下也没有其他订单。",
        "ask_order": "{name}，请问是哪一个订单？您最近的订单有：\n{orders}\n请告诉我订单号。",
        "no_orders": "{name}，您的账户下没有找到订单。",
        "order_not_found": "您的账户下没有找到订单 {order_id}。请核对订单号；"
                           "您最近的订单有：\n{orders}",
        "order_line": "- {order_id}（{date}）：{status}",
        "status": "订单 {order_id} {status}。",
        "shipped": "已于 {shipped_at} 由 {carrier} 发出，运单号 {tracking}。",
        "delivered": "已于 {delivered_at} 送达。",
        "items": "商品：{items}。合计：{total}。",
        "refunded": "已退款：{amount}（礼品卡即时到账，其他方式 5–7 个工作日到账）。",
        "answer": "{text}\n\n来源：{source}",
        "answer_other": "{text}\n\n来源（英文页面）：{source}",
        "clarify": "抱歉，我没有理解您的意思。我可以查询订单状态，或解答配送、退货、退款、换货、"
                   "保修、支付、账户和会员方面的问题。能换个说法吗？",
        "decline": "这个我帮不了您。我可以查询订单、办理退货、退款和换货，并解答关于本店的问题。",
        "sorry": "非常抱歉给您带来不便，我会尽力帮您解决。",
        "handoff": "我正在为您转接人工客服，客服人员会尽快在这里回复您，您无需重复说明问题。",
        "offer_human": "\n\n如果需要，我也可以为您转接人工客服。",
    },
}

STATUS: dict[str, dict[str, str]] = {
    "en": {
        "pending": "pending (not yet processed)",
        "processed": "processed and being prepared for shipping",
        "shipped": "shipped",
        "delivered": "delivered",
        "cancelled": "cancelled",
        "return requested": "awaiting your return (return requested)",
        "returned": "returned",
        "exchange requested": "awaiting your exchange (exchange requested)",
        "exchanged": "exchanged",
        "pending (item modified)": "pending, with modified items",
    },
    "zh": {
        "pending": "待处理",
        "processed": "已处理，正在备货",
        "shipped": "已发货",
        "delivered": "已送达",
        "cancelled": "已取消",
        "return requested": "已申请退货",
        "returned": "已退货",
        "exchange requested": "已申请换货",
        "exchanged": "已换货",
        "pending (item modified)": "待处理（商品已修改）",
    },
}

CURRENCY = {"USD": "${:,.2f}", "CNY": "¥{:,.2f}"}
