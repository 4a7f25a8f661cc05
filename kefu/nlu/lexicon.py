"""Cue phrases of the first intent recognizer, as data: intent -> language -> cues.

Names follow the Bitext customer-support taxonomy where one exists, so that later, trained
recognizers and external data map onto the same intents. A cue is a lowercase substring; a
longer cue counts for more.
"""

from __future__ import annotations

from kefu.nlu.taxonomy import INTENTS

CUES: dict[str, dict[str, tuple[str, ...]]] = {
    "greeting": {
        "en": ("hello", "hi ", "hi,", "hey", "good morning", "good evening", "good afternoon"),
        "zh": ("你好", "您好", "在吗", "哈喽", "早上好", "晚上好"),
    },
    "goodbye": {
        "en": ("bye", "goodbye", "see you", "that's all", "that is all"),
        "zh": ("再见", "拜拜", "没有了", "就这样"),
    },
    "thanks": {
        "en": ("thank", "thx", "appreciate", "great, thanks", "cheers"),
        "zh": ("谢谢", "多谢", "感谢", "辛苦了"),
    },
    "track_order": {
        "en": (
            "where is my order", "where's my order", "track", "tracking", "order status",
            "status of my order", "has my order shipped", "when will my order", "my package",
            "my parcel", "delivery status", "shipped yet", "where is my package", "my order",
        ),
        "zh": (
            "我的订单", "订单状态", "到哪了", "到哪里了", "物流", "快递", "发货了吗", "什么时候到",
            "查订单", "查一下订单", "订单", "包裹", "运单",
        ),
    },
    "cancel_order": {
        "en": ("cancel my order", "cancel the order", "cancel order", "cancel"),
        "zh": ("取消订单", "取消", "不想要了"),
    },
    "return_item": {
        "en": ("return", "send it back", "send back"),
        "zh": ("退货", "退回"),
    },
    "exchange_item": {
        "en": ("exchange", "swap", "different size", "different color"),
        "zh": ("换货", "换一个", "换尺码", "换颜色"),
    },
    "get_refund": {
        "en": ("refund", "money back", "reimburse"),
        "zh": ("退款", "退钱"),
    },
    "track_refund": {
        "en": ("refund status", "where is my refund", "haven't received my refund", "refund yet"),
        "zh": ("退款进度", "退款到哪", "退款还没到", "退款状态"),
    },
    "contact_human_agent": {
        "en": (
            "human", "real person", "agent", "representative", "talk to someone",
            "speak to someone", "customer service", "operator",
        ),
        "zh": ("人工", "真人", "客服人员", "转人工", "找人"),
    },
    "complaint": {
        "en": ("complain", "complaint", "terrible", "awful", "unacceptable", "worst", "angry"),
        "zh": ("投诉", "太差", "垃圾", "气死", "不满意", "差评"),
    },
    "delivery_period": {
        "en": (
            "how long", "delivery time", "shipping time", "how many days", "arrive", "when will",
        ),
        "zh": ("多久", "几天", "多长时间", "送达时间", "配送时间"),
    },
    "delivery_options": {
        "en": ("shipping option", "delivery option", "express", "shipping cost", "free shipping",
               "shipping fee", "carrier", "postage", "delivery cost"),
        "zh": ("配送方式", "快递方式", "运费", "邮费", "包邮", "加急", "顺丰"),
    },
    "check_refund_policy": {
        "en": ("refund policy", "return policy", "returns policy", "can i return", "return window"),
        "zh": ("退款政策", "退货政策", "能退吗", "可以退", "七天无理由", "无理由退货"),
    },
    "check_payment_methods": {
        "en": ("payment method", "pay with", "paypal", "credit card", "gift card", "accept"),
        "zh": ("支付方式", "付款方式", "怎么付", "支付宝", "微信支付", "信用卡", "礼品卡"),
    },
    "warranty": {
        "en": ("warranty", "guarantee", "broken", "defective", "repair"),
        "zh": ("保修", "质保", "坏了", "维修", "故障"),
    },
    "membership": {
        "en": ("membership", "member", "points", "loyalty", "tier"),
        "zh": ("会员", "积分", "等级"),
    },
    "recover_password": {
        "en": ("password", "can't log in", "cannot log in", "forgot", "reset"),
        "zh": ("密码", "登录不了", "登不上", "忘记"),
    },
    "create_account": {
        "en": ("create an account", "sign up", "register", "open an account"),
        "zh": ("注册", "创建账号", "开户"),
    },
    "delete_account": {
        "en": ("delete my account", "close my account", "remove my account"),
        "zh": ("注销", "删除账号", "删除账户"),
    },
    "affirm": {
        "en": ("yes", "yeah", "yep", "correct", "sure", "ok", "okay"),
        "zh": ("是的", "对", "好的", "可以", "嗯", "没错"),
    },
    "deny": {
        "en": ("no", "nope", "not really", "wrong"),
        "zh": ("不是", "不对", "不用", "没有"),
    },
}

# Intents answered from the shop's knowledge (policies, FAQ, catalog text) until the dialogue
# issue gives them flows: every intent of the taxonomy but small talk, handoff and order look-ups
# (and the keyword recognizer's own warranty and membership).
KNOWLEDGE_INTENTS = frozenset(INTENTS) - {
    "greeting", "goodbye", "thanks", "affirm", "deny", "contact_human_agent", "complaint",
    "track_order", "track_refund", "out_of_scope",
} | {"warranty", "membership"}
ORDER_INTENTS = frozenset({"track_order", "track_refund"})
