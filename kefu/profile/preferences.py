"""Explicit preference statements in one customer message, in English and Chinese, with no model.

``extract_preferences("I usually wear an M and I'm not a fan of pink")`` gives a size M that the
customer likes and a pink they dislike. Kinds and their values:

=========== ==================================================================================
size        "S" "M" "L" "XL" "XXL" "XS" "XXXL" (2XL→XXL, medium→M, 中码→M), or a number with
            a size context: "size 42", "EU 41", "42码", "穿39", "a 10.5 in shoes"
colour      English canonical names: black white grey blue navy red pink green … (黑色→black,
            深蓝/dark blue→navy, 浅蓝/light blue→blue, gray→grey); every catalog colour, with
            the catalog's Chinese names (kefu.respond.option_terms: 珊瑚色→coral, 浅粉色→blush)
brand       as written: "Nike", "New Balance", "Levi's", "李宁" — a capitalised name right after a
            brand cue ("I only buy", "fan of", "我喜欢Nike"), a known Chinese brand, or an
            unknown Chinese name after an exclusive cue (只买/只用/认准/牌子是); never a
            currency, a nationality, a payment method or a carrier ("I prefer Visa")
price_max   cents and currency: "20000 CNY" ("under 200 yuan", "200元以内", "budget $50")
price_min   the same ("above $100", "500元以上"); "between $30 and $60" gives both
material    cotton leather wool cashmere silk linen polyester nylon denim … synthetic
style       slim relaxed oversized casual formal minimalist plain vintage sporty classic …
language    "en" or "zh" ("please reply in Chinese", "请说中文", "I can't read Chinese" → dislike)
payment     "paypal", "gift card", "credit card", or a card brand "visa" "mastercard" "amex"
            ("I usually pay with PayPal", "我一般用礼品卡付款"); a refund to one is about an
            order, not a preference
=========== ==================================================================================

The rule that keeps order questions out: **a value counts only when a preference cue governs
it**. A cue is a verb or phrase of liking, wanting or habit said by the customer ("I like/love/
prefer/want/need/wear/only buy", "usually", "my size is", "I'm an M", "my favourite", "looking
for", 喜欢/爱/偏好/想要/要/只买/一般/平时/穿…), of disliking ("hate", "not a fan of", "avoid",
"allergic to", 讨厌/受不了/过敏…), a budget cue for prices ("budget", "spend", "anything",
"do you have", 预算/价位/有没有/推荐…; "200元以内" and "my budget is $50" are cues by
themselves), or a reply-language verb for languages ("reply/speak/read", 说/用/回复/看不懂).
English verbs count only with "I"/"we" as subject (or at the start of a clause) and outside a
question: "would you like", "colours like orange" and "can I use Visa?" are not cues.

A cue governs the values after it up to the end of the sentence, unless one of these comes
first: a contrast ("but", "however", 但是/不过), a word about an order or its delivery ("order",
"arrived", "return", "exchange", "refund", 订单/快递/退/换/我买的…), or a question clause
after a comma (", do you have…", "，请问…/有没有…"). A value with no cue before it in its
clause may take a cue after it in the same clause, or in a short clause that follows and names
no value ("black is my favourite", "黑色我最喜欢", "对羊毛过敏", "绿色的好好看，我喜欢"), unless
that clause speaks of an order. A message that is only a value is an answer to a question kefu
asked: a price phrase ("under 200 yuan", "300以下吧") counts, and so does any value with a word
of politeness ("Purple, please!", "紫色，谢谢"); a bare "black" does not.
So "my order of a black M shirt hasn't arrived" gives nothing (no cue), "I'd like to exchange
the L for an XL" gives nothing (the exchange stops the cue), and "I wear an M" gives size M.

Polarity: a negated cue turns a like into a dislike ("I don't like", "不喜欢", "不要"); a
negated dislike ("I don't hate pink") and a cue of doubt ("not sure", "don't know", "随便",
"无所谓") give nothing. Within a liking cue's reach, "not", "over", "rather than", "instead of",
而不是 turn what follows into a dislike ("black, not blue", "cotton over polyester"). Prices
are always "like"; a negated cue turns a floor into a ceiling ("I don't want to spend more than
$100" → price_max). A size followed by a fit complaint ("M is too small", "M码偏小") is dropped.

Amounts with no currency take the ``currency`` argument, else CNY for Chinese and USD for
English (``language``, else guessed from the script). ``span`` and ``text`` are the value's own
words in the message (``text == message[span[0]:span[1]]``). Any text gives a list, never an
exception; every pattern is linear in the length of the text.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from kefu.nlu.numbers import ZH_NUMERAL, zh_int
from kefu.respond.option_terms import ZH_OPTION_TERMS

KINDS = ("size", "colour", "brand", "price_max", "price_min", "material", "style", "language",
         "payment")
LIKE, DISLIKE = "like", "dislike"
_PRICES = frozenset({"price_max", "price_min"})


@dataclass(frozen=True)
class Preference:
    """One stated preference: what (``kind``, normalised ``value``), which way (``polarity``
    "like" or "dislike"), and where in the message (``span``, ``text``)."""

    kind: str
    value: str
    polarity: str
    span: tuple[int, int]
    text: str


@dataclass(frozen=True)
class _Mention:
    kind: str
    value: str
    start: int
    end: int
    cued: bool = False  # a budget phrase that states a preference by itself ("200元以内")


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern[str]
    polarity: str | None  # None: a cue of doubt, which cancels
    kinds: frozenset[str] | None = None  # None: every kind
    subject: bool = False  # an English verb: only after "I"/"we" or at a clause's start
    forward: bool = True  # governs the values after it
    backward: bool = False  # governs a value before it in the same clause
    brand: bool = False  # a capitalised name right after it is a brand
    chinese: bool = False


@dataclass(frozen=True)
class _Cue:
    start: int
    end: int
    polarity: str | None
    rule: _Rule


# ---------------------------------------------------------------------------------------------
# Text folding and segments

_FOLD: dict[int, int | str] = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FOLD |= {0x2019: "'", 0x2018: "'"}
_SENTENCE_END = re.compile(r"[!?。！？;；\n…]+|\.(?!\d)")
_CLAUSE_END = re.compile(r"[,，:：]")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _fold(text: str) -> str:
    """Full-width ASCII to ASCII and curly apostrophes to straight ones: same length."""
    return text.translate(_FOLD)


def _ends(pattern: re.Pattern[str], text: str) -> list[int]:
    return [m.start() for m in pattern.finditer(text)]


class _Segments:
    """Sentence and clause boundaries of a message, for quick look-ups by offset."""

    def __init__(self, text: str) -> None:
        self.length = len(text)
        self.sentence_ends = _ends(_SENTENCE_END, text)
        self.commas = _ends(_CLAUSE_END, text)

    def sentence(self, pos: int) -> tuple[int, int]:
        i = bisect_right(self.sentence_ends, pos - 1)
        start = self.sentence_ends[i - 1] + 1 if i else 0
        end = self.sentence_ends[i] if i < len(self.sentence_ends) else self.length
        return start, end

    def clause(self, pos: int) -> tuple[int, int]:
        start, end = self.sentence(pos)
        i = bisect_right(self.commas, pos - 1)
        if i and self.commas[i - 1] + 1 > start:
            start = self.commas[i - 1] + 1
        if i < len(self.commas) and self.commas[i] < end:
            end = self.commas[i]
        return start, end

    def comma_between(self, a: int, b: int) -> bool:
        i = bisect_right(self.commas, a - 1)
        return i < len(self.commas) and self.commas[i] < b


# ---------------------------------------------------------------------------------------------
# Lexicons: alias → canonical value

_EN_COLOURS = {
    "black": "black", "white": "white", "off-white": "white", "grey": "grey", "gray": "grey",
    "charcoal": "grey", "light grey": "grey", "dark grey": "grey", "light gray": "grey",
    "dark gray": "grey", "space grey": "space grey", "space gray": "space grey",
    "silver": "silver", "blue": "blue", "light blue": "blue", "sky blue": "blue",
    "baby blue": "blue", "royal blue": "blue", "navy": "navy", "navy blue": "navy",
    "dark blue": "navy", "red": "red", "wine red": "burgundy", "burgundy": "burgundy",
    "maroon": "burgundy", "pink": "pink", "hot pink": "pink", "baby pink": "pink",
    "blush": "blush", "purple": "purple", "violet": "purple", "plum": "plum",
    "orange": "orange", "yellow": "yellow", "mustard": "yellow", "green": "green",
    "dark green": "green", "olive": "green", "olive green": "green", "army green": "green",
    "forest green": "green", "mint": "green", "sage": "sage", "sage green": "sage",
    "teal": "teal", "turquoise": "teal", "brown": "brown", "chocolate": "brown",
    "camel": "brown", "tan": "tan", "beige": "beige", "ivory": "ivory", "khaki": "khaki",
    "gold": "gold", "golden": "gold", "rose gold": "rose gold", "coral": "coral",
    "terracotta": "terracotta", "walnut": "walnut",
}
_ZH_COLOURS = {
    "玫瑰金": "rose gold", "深空灰": "space grey", "象牙白": "ivory", "海军蓝": "navy",
    "藏青": "navy", "藏蓝": "navy", "深蓝": "navy", "酒红": "burgundy", "枣红": "burgundy",
    "卡其": "khaki", "天蓝": "blue", "浅蓝": "blue", "宝蓝": "blue", "湖蓝": "blue",
    "蓝色": "blue", "墨绿": "green", "军绿": "green", "浅绿": "green", "深绿": "green",
    "橄榄绿": "green", "绿色": "green", "浅灰": "grey", "深灰": "grey",
    "灰色": "grey", "粉红": "pink", "浅粉": "blush", "玫红": "pink", "粉色": "pink",
    "米白": "beige", "米色": "beige", "杏色": "beige", "咖啡色": "brown", "咖色": "brown",
    "驼色": "brown", "焦糖色": "brown", "棕色": "brown", "褐色": "brown", "橙色": "orange",
    "橘色": "orange", "橘黄": "orange", "金色": "gold", "银色": "silver", "紫色": "purple",
    "黄色": "yellow", "红色": "red", "白色": "white", "黑色": "black",
}
# the catalog's own Chinese names for its colours and materials ("珊瑚色" coral, "铝合金")
_ZH_COLOURS |= {zh: _EN_COLOURS[en] for en, zh in ZH_OPTION_TERMS.items() if en in _EN_COLOURS}
_ZH_COLOUR_CHARS = {  # one character, then 的/款/系: "黑的", with the words that are not colours
    "黑": ("black", "拉漆黑"), "白": ("white", "明坦告空洁清雪蛋"), "红": ("red", "网走爆通口"),
    "蓝": ("blue", "_"), "绿": ("green", "_"), "灰": ("grey", "石"),
    "粉": ("pink", "奶面米底蜜散香花淀衣"), "紫": ("purple", "_"), "黄": ("yellow", "蛋焦"),
}
_EN_MATERIALS = {
    "cotton": "cotton", "organic cotton": "cotton", "leather": "leather",
    "genuine leather": "leather", "real leather": "leather", "wool": "wool",
    "woollen": "wool", "woolen": "wool", "merino": "wool", "cashmere": "cashmere",
    "silk": "silk", "linen": "linen", "polyester": "polyester", "nylon": "nylon",
    "denim": "denim", "fleece": "fleece", "goose down": "down", "duck down": "down",
    "bamboo": "bamboo", "glass": "glass", "stainless steel": "stainless steel",
    "steel": "stainless steel", "ceramic": "ceramic", "porcelain": "ceramic",
    "plastic": "plastic", "metal": "metal", "silicone": "silicone", "aluminium": "aluminium",
    "aluminum": "aluminium", "wood": "wood", "wooden": "wood", "synthetic": "synthetic",
    "synthetics": "synthetic", "acrylic": "acrylic", "spandex": "spandex",
    "elastane": "spandex", "lycra": "spandex", "suede": "suede", "velvet": "velvet",
    "canvas": "canvas", "rubber": "rubber",
}
_ZH_MATERIALS = {
    "纯棉": "cotton", "全棉": "cotton", "棉质": "cotton", "棉": "cotton", "真皮": "leather",
    "皮革": "leather", "皮质": "leather", "牛皮": "leather", "羊皮": "leather",
    "羊毛": "wool", "毛呢": "wool", "美利奴": "wool", "羊绒": "cashmere", "真丝": "silk",
    "丝绸": "silk", "蚕丝": "silk", "亚麻": "linen", "涤纶": "polyester",
    "聚酯纤维": "polyester", "尼龙": "nylon", "锦纶": "nylon", "牛仔": "denim",
    "抓绒": "fleece", "摇粒绒": "fleece", "羽绒": "down", "竹纤维": "bamboo",
    "玻璃": "glass", "不锈钢": "stainless steel", "陶瓷": "ceramic", "塑料": "plastic",
    "塑胶": "plastic", "金属": "metal", "硅胶": "silicone", "铝合金": "aluminium",
    "实木": "wood", "原木": "wood", "木质": "wood", "木头": "wood", "化纤": "synthetic",
    "人造纤维": "synthetic", "合成纤维": "synthetic", "帆布": "canvas", "麂皮": "suede",
    "丝绒": "velvet",
}
_ZH_MATERIALS |= {
    zh: _EN_MATERIALS[en] for en, zh in ZH_OPTION_TERMS.items() if en in _EN_MATERIALS
}
_EN_STYLES = {
    "slim": "slim", "slim fit": "slim", "slim-fit": "slim", "skinny": "slim",
    "regular fit": "regular", "relaxed": "relaxed", "relaxed fit": "relaxed",
    "loose fit": "relaxed", "loose-fitting": "relaxed", "loose fitting": "relaxed",
    "loose clothes": "relaxed", "loose cut": "relaxed", "baggy": "relaxed",
    "oversized": "oversized", "oversize": "oversized", "casual": "casual", "formal": "formal",
    "minimalist": "minimalist", "minimal": "minimalist", "plain": "plain",
    "solid colour": "plain", "solid color": "plain", "vintage": "vintage", "retro": "vintage",
    "sporty": "sporty", "athletic": "sporty", "classic": "classic", "matte": "matte",
    "glossy": "glossy", "shiny": "glossy", "floral": "floral", "striped": "striped",
}
_ZH_STYLES = {
    "修身": "slim", "紧身": "slim", "宽松": "relaxed", "宽大": "relaxed", "落肩": "oversized",
    "oversize": "oversized", "休闲": "casual", "正式": "formal",
    "简约": "minimalist", "极简": "minimalist", "纯色": "plain", "复古": "vintage",
    "运动风": "sporty", "经典款": "classic", "哑光": "matte", "亮面": "glossy",
    "碎花": "floral", "条纹": "striped",
}
_ZH_BRANDS = (
    "古驰 香奈儿 迪奥 爱马仕 普拉达 巴宝莉 蔻驰 新百伦 匡威 万斯 亚瑟士 始祖鸟 "
    "李宁 安踏 特步 回力 鸿星尔克 波司登 太平鸟 海澜之家 森马 优衣库 无印良品 华为 小米 联想 "
    "荣耀 耐克 阿迪达斯 彪马 斯凯奇 三星 索尼 戴森 飞利浦 兰蔻 雅诗兰黛 欧莱雅 资生堂 "
    "完美日记 花西子 百雀羚 自然堂 珀莱雅 海尔 格力 九阳 苏泊尔 罗技"
).split()
_NOT_BRANDS = frozenset(
    "i i'm i'd i've it it's its this that these those the you your yours we my me they he she "
    "everything anything something nothing all any please thanks thank hi hello hey ok okay "
    "also and but so yes no not sure monday tuesday wednesday thursday friday saturday sunday "
    "january february march april may june july august september october november december "
    "christmas xs s m l xl xxl xxxl english chinese mandarin help to with for of how know what "
    "when where why which can could would should will".split()
) | frozenset(_EN_COLOURS) | frozenset(_EN_MATERIALS) | frozenset(_EN_STYLES)
_NOT_BRAND_NAMES = frozenset({  # whole names that are not shop brands: places, money, payment
    "american", "australian", "european", "british", "japanese", "korean", "italian", "french",
    "german", "asian", "uk", "us", "usa", "eu", "usd", "gbp", "eur", "aud", "cad", "cny", "rmb",
    "hkd", "jpy", "visa", "mastercard", "american express", "amex", "paypal", "alipay",
    "wechat", "wechat pay", "apple pay", "google pay", "unionpay", "dhl", "ups", "fedex", "usps",
    "sf", "ems", "swift", "atm", "atms", "iban", "pin", "ok",
})
_ZH_NOT_BRANDS = ("国货", "进口", "正品", "大牌", "名牌", "便宜", "贵", "质量", "这个", "那个",
                  "这种", "那种", "一种", "品牌", "牌子", "自己", "国产", "日系", "韩系", "欧美",
                  "一样", "同款", "新款", "打折", "特价", "码")
_LETTER_SIZES = {"XXS": "XXS", "XS": "XS", "S": "S", "M": "M", "L": "L", "XL": "XL",
                 "XXL": "XXL", "2XL": "XXL", "XXXL": "XXXL", "3XL": "XXXL", "4XL": "4XL",
                 "5XL": "5XL", "SMALL": "S", "MEDIUM": "M", "LARGE": "L", "EXTRA LARGE": "XL",
                 "EXTRA-LARGE": "XL", "X-LARGE": "XL", "EXTRA SMALL": "XS", "EXTRA-SMALL": "XS",
                 "X-SMALL": "XS", "小码": "S", "中码": "M"}
_CURRENCIES = {
    "$": "USD", "us$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD", "buck": "USD",
    "bucks": "USD", "美元": "USD", "美金": "USD", "刀": "USD", "¥": "CNY", "￥": "CNY",
    "rmb": "CNY", "cny": "CNY", "yuan": "CNY", "kuai": "CNY", "元": "CNY", "块": "CNY",
    "块钱": "CNY", "人民币": "CNY", "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR",
    "欧元": "EUR", "£": "GBP", "gbp": "GBP", "pound": "GBP", "pounds": "GBP", "英镑": "GBP",
    "hk$": "HKD", "hkd": "HKD", "港币": "HKD",
}


def _alternation(aliases: Iterable[str]) -> str:
    """A regex alternation of ``aliases``, longest first, spaces matching any whitespace."""
    ordered = sorted(set(aliases), key=len, reverse=True)
    return "|".join(re.escape(a).replace(r"\ ", r"\s+") for a in ordered)


def _en_words(aliases: Iterable[str], tail: str = "") -> re.Pattern[str]:
    return re.compile(rf"(?<![A-Za-z])(?:{_alternation(aliases)})(?![A-Za-z]){tail}", re.I)


# ---------------------------------------------------------------------------------------------
# Mentions: every value a preference could be about, wherever it is

_EN_COLOUR_RE = _en_words(
    _EN_COLOURS,
    r"(?!\s+(?:friday|noise|tea|juice|wine|card|member|membership|tier|level|list|belt|eye|"
    r"flag|carpet|pepper|plan|box|account|status|subscription|customer|medal|package)\b)"
    r"(?!-(?:tier|level|member))",
)
_ZH_COLOUR_RE = re.compile(
    rf"(?:{_alternation(_ZH_COLOURS)})色?"
    + "".join(
        rf"|(?<![{skip}发变泛偏微]){char}(?=[的款系])|(?:(?<=荧光)|(?<=[亮纯深浅暗淡])){char}"
        for char, (_, skip) in _ZH_COLOUR_CHARS.items()
    )
)
_EN_MATERIAL_RE = _en_words(_EN_MATERIALS)
_EN_DOWN_RE = re.compile(r"(?<![A-Za-z])down(?=[\s-]+(?:jackets?|coats?|filled|parkas?)\b)", re.I)
_ZH_MATERIAL_RE = re.compile(
    rf"(?!牛仔裤){_alternation(k for k in _ZH_MATERIALS if k != '棉')}|棉(?!签)|皮(?=[的制料面])"
)
_EN_STYLE_RE = _en_words(_EN_STYLES)
_EN_PAYMENTS = {
    "paypal": "paypal", "pay pal": "paypal", "gift card": "gift card", "gift cards": "gift card",
    "giftcard": "gift card", "credit card": "credit card", "credit cards": "credit card",
    "visa": "visa", "mastercard": "mastercard", "master card": "mastercard", "amex": "amex",
    "american express": "amex",
}
_ZH_PAYMENTS = {"礼品卡": "gift card", "购物卡": "gift card", "信用卡": "credit card",
                "贝宝": "paypal", "维萨": "visa", "万事达": "mastercard"}
_EN_PAYMENT_RE = _en_words(_EN_PAYMENTS)
_ZH_PAYMENT_RE = re.compile(_alternation(_ZH_PAYMENTS))
_ZH_STYLE_RE = re.compile(  # 商务 only of clothes, not of travel ("商务出差")
    rf"{_alternation(_ZH_STYLES)}|商务(?=风|款|装|休闲|衬衫|西装|皮鞋)", re.I
)
_LANGUAGE_RE = re.compile(
    r"(?<![A-Za-z])(english|chinese|mandarin|putonghua)(?![A-Za-z])(?!\s+(?:new\s+year|brands?|"
    r"products?|sizes?|sizing|style|food|version|edition|website|app|customers?|characters?|"
    r"people|company|shop|store|market|sellers?|manufacturers?|made|labels?|instructions|manual|"
    r"menu|subtitles?|tea|silk|medicine)\b)"
    r"|(?<!古代)(?<!现代)(中文|汉语|普通话|国语|英文|英语)(?!版|说明|字幕|包装|界面|菜单|名|标签)",
    re.I,
)
_SIZE_NUM = r"(\d{1,2}(?:\.5)?)"
_SIZE_LETTER = r"(XXXL|XXL|XXS|XL|XS|[2-5]XL|S|M|L)"
_SIZE_RES = [
    re.compile(rf"(?<![A-Za-z])size(?![A-Za-z])(?:\s+is|\s*[:：]|'s)?\s*(?:(?:EU|US|UK)\s*)?"
               rf"(?:{_SIZE_LETTER}|{_SIZE_NUM})(?![A-Za-z0-9])", re.I),
    re.compile(rf"(?<![A-Za-z])(?:EU|US|UK)\s?{_SIZE_NUM}(?![\d.%])"),
    re.compile(rf"(?<![A-Za-z])(?:wear|wears|wearing|take|takes)\s+(?:an?\s+)?{_SIZE_NUM}"
               r"(?![\d.%])(?!\s*(?:years?|days?|hours?|pairs?|pieces?|items?|of)\b)", re.I),
    re.compile(rf"(?<![A-Za-z0-9.]){_SIZE_NUM}(?=\s+in\s+(?:[a-z]+\s+)?(?:shoes|sneakers|trainers"
               r"|boots|jeans|trousers|pants|shirts|tops|dresses|heels|sandals|most\s+brands))",
               re.I),
    re.compile(r"(?<![A-Za-z])(?:size|wear|wears|wearing|take|takes|i'm|i\s+am|am)\s+"
               r"(?:(?:usually|normally|always|typically|generally|mostly|just|now|currently"
               r"|actually|more\s+of)\s+)?"
               r"(?:an?\s+|size\s+)?(extra[\s-]small|extra[\s-]large|x-large|x-small|small|medium"
               r"|large)(?![A-Za-z])", re.I),
    re.compile(rf"(?<![A-Za-z0-9'&.-]){_SIZE_LETTER}(?![A-Za-z0-9'&-])(?!\.\w)"),
    re.compile(r"(?<![A-Za-z0-9'&.-])(xxxl|xxl|xxs|xl|xs|[2-5]xl)(?![A-Za-z0-9'&-])", re.I),
    re.compile(rf"(?<![A-Za-z]){_SIZE_LETTER}\s*(?=码)", re.I),
    re.compile(r"(小码|中码)"),
    re.compile(rf"(?<![\d.月第]){_SIZE_NUM}\s*码(?![码数])"),
    re.compile(rf"(?:穿|尺码|鞋码|码数)(?:是|一般是|为|都是)?\s*{_SIZE_NUM}"
               r"(?![\d.%元块多天个年月日岁斤公])"),
]
_FIT_COMPLAINT = re.compile(
    r"too\s+(?:small|big|large|tight|loose|short|long)|runs?\s+(?:small|big|large)"
    r"|(?:a\s+)?(?:bit|little)\s+(?:small|big|large|tight|loose|short|long)"
    r"|(?:doesn't|didn't|does\s+not|did\s+not)\s+fit|太小|太大|偏小|偏大|小了|大了|太紧|太松"
    r"|too\s+(?:narrow|wide)|有点(?:紧|小|大|松|短|长|窄|宽)|偏紧|偏松|紧了|不合适|不合身|穿不下"
    r"|穿不进|太窄|太宽|太长|太短|窄了|短了|长了",
    re.I,
)

_CUR_PRE = r"US\$|HK\$|\$|¥|￥|€|£|RMB|CNY|USD|EUR|GBP|HKD"
_CUR_SUF = (r"(?:dollars?|bucks?|usd|yuan|rmb|cny|kuai|euros?|eur|pounds?|gbp|hkd)(?![A-Za-z])"
            r"|块钱|块|元|人民币|美元|美金|欧元|英镑|港币|刀")


def _amount(tag: str) -> str:
    return (
        rf"(?P<pre{tag}>{_CUR_PRE})?\s?"
        rf"(?P<num{tag}>(?<![\d.,])(?:\d{{1,3}}(?:,\d{{3}})+(?:\.\d{{1,2}})?|\d+(?:\.\d{{1,2}})?)"
        rf"|{ZH_NUMERAL}{{1,8}})"
        rf"(?P<mul{tag}>\s?[kK](?![A-Za-z])|千|万)?"
        rf"(?:\s?(?P<suf{tag}>{_CUR_SUF}))?"
    )


_A, _B = _amount("a"), _amount("b")
_EN = r"(?<![A-Za-z])"
_PRICE_RULES: list[tuple[re.Pattern[str], str, bool]] = [  # pattern, kind (or "range"), cued
    (re.compile(rf"{_EN}(?:under|below|less\s+than|lower\s+than|cheaper\s+than|no\s+more\s+than"
                rf"|not\s+more\s+than|no\s+higher\s+than|not\s+over|not\s+above|not\s+exceeding"
                rf"|at\s+most|max(?:imum)?(?:\s+of)?|up\s+to|within|tops|<=?|≤)\s*{_A}", re.I),
     "price_max", False),
    (re.compile(rf"{_EN}nothing\s+(?:over|above|more\s+than|pricier\s+than|higher\s+than"
                rf"|exceeding)\s*{_A}", re.I), "price_max", True),
    (re.compile(rf"{_EN}(?:budget|price\s+range)(?:\s*(?:is|of|at|around|about|roughly"
                rf"|approximately|:|'s))*\s*{_A}", re.I), "price_max", True),
    (re.compile(rf"{_A}\s*(?:or\s+less|or\s+under|or\s+below|or\s+cheaper|max(?:imum)?"
                r"|at\s+(?:the\s+)?most|tops)(?![A-Za-z])", re.I), "price_max", False),
    (re.compile(rf"{_EN}(?:over|above|more\s+than|higher\s+than|at\s+least|no\s+less\s+than"
                rf"|not\s+less\s+than|min(?:imum)?(?:\s+of)?|starting\s+(?:at|from)|>=?|≥)\s*{_A}",
                re.I), "price_min", False),
    (re.compile(rf"{_A}\s*(?:or\s+more|or\s+above|or\s+over|and\s+up|and\s+above|plus|\+"
                r"|or\s+higher|minimum|at\s+least)(?![A-Za-z])", re.I), "price_min", False),
    (re.compile(rf"{_EN}(?:between|from)\s*{_A}\s*(?:and|to|-|–|~)\s*{_B}", re.I),
     "range", False),
    (re.compile(rf"(?:不超过|不高于|不到|低于|少于|小于|最多|顶多|最高|控制在|别超过)"
                rf"(?:只|只能|能|可以|愿意|就)?(?:花|出|付|接受)?\s*在?{_A}"
                r"(?:以内|以下|之内|内)?"), "price_max", False),
    (re.compile(rf"{_A}\s*(?:以内|以下|之内|封顶)"), "price_max", True),
    (re.compile(rf"预算(?:是|在|大概|大约|差不多|只有|就|为|:|：|也就|不多)*\s*{_A}"
                r"(?:左右|以内|以下|之内)?"), "price_max", True),
    (re.compile(rf"(?:不低于|高于|超过|多于|大于|至少|起码|最低|最少)\s*{_A}"), "price_min", False),
    (re.compile(rf"{_A}\s*(?:以上|起|往上)"), "price_min", False),
    (re.compile(rf"{_A}\s*(?:到|至|-|–|~|—|－|to)\s*{_B}(?:\s*(?:之间|左右))?", re.I),
     "range", False),
]
_UNIT_AFTER = re.compile(
    r"\s*(?:days?|weeks?|months?|years?|hours?|minutes?|items?|pieces?|pcs|pairs?|orders?"
    r"|reviews?|colou?rs?|sizes?|times?|people|cm|mm|kg|g|ml|l|%|percent|inch|天|周|个|件|双|条|次"
    r"|小时|分钟|年|月|岁|斤|公斤|克|厘米|米|码|号|折|%|寸|人)(?![A-Za-z])",
    re.I,
)
_RANGE_CONTEXT = re.compile(r"(?:价位|价格|价钱|预算|budget|price|range|between|from|在)\s*$", re.I)


def _aliases(pattern: re.Pattern[str], text: str, kind: str,
             table: dict[str, str]) -> Iterator[_Mention]:
    for m in pattern.finditer(text):
        key = re.sub(r"\s+", " ", m[0].lower())
        bare = key.rstrip("色")
        value = table.get(key) or table.get(bare) or table.get(bare + "色")
        if value is None and kind == "colour" and m[0][0] in _ZH_COLOUR_CHARS:
            value = _ZH_COLOUR_CHARS[m[0][0]][0]
        if value is not None:
            yield _Mention(kind, value, m.start(), m.end())


def _sizes(text: str) -> Iterator[_Mention]:
    for pattern in _SIZE_RES:
        for m in pattern.finditer(text):
            group = next(i for i in range(1, (pattern.groups or 0) + 1) if m.group(i))
            raw = re.sub(r"\s+", " ", m.group(group)).upper()
            value = _LETTER_SIZES.get(raw, raw)
            after = text[m.end(group):m.end(group) + 16]
            if not _FIT_COMPLAINT.search(re.split(r"[,，.。!！?？;；]", after, maxsplit=1)[0]):
                yield _Mention("size", value, m.start(group), m.end(group))


def _languages(text: str) -> Iterator[_Mention]:
    for m in _LANGUAGE_RE.finditer(text):
        word = m[0].lower()
        value = "en" if word in ("english", "英文", "英语") else "zh"
        yield _Mention("language", value, m.start(), m.end())


def _cents(m: re.Match[str], tag: str) -> int | None:
    number = m[f"num{tag}"]
    value = zh_int(number) if _CJK.match(number) else _decimal(number)
    if value is None:
        return None
    factor = {"k": 1000, "千": 1000, "万": 10000}.get((m[f"mul{tag}"] or "").strip().lower(), 1)
    cents = int(Decimal(value) * factor * 100)
    if not _currency_of(m, tag) and (cents < 1000 or cents % 100):
        return None  # a bare number is a price only if whole and at least 10 ("一起", "1.3以下")
    return cents if cents > 0 else None


def _decimal(number: str) -> Decimal | None:
    try:
        return Decimal(number.replace(",", ""))
    except InvalidOperation:
        return None


def _currency_of(m: re.Match[str], tag: str) -> str | None:
    for group in (f"pre{tag}", f"suf{tag}"):
        word = (m[group] or "").strip().lower()
        if word:
            return _CURRENCIES.get(word)
    return None


def _prices(text: str, default_currency: str) -> Iterator[_Mention]:
    for pattern, kind, cued in _PRICE_RULES:
        for m in pattern.finditer(text):
            yield from _price(text, m, kind, cued, default_currency)


def _price(text: str, m: re.Match[str], kind: str, cued: bool,
           default_currency: str) -> Iterator[_Mention]:
    tags = ("a", "b") if kind == "range" else ("a",)
    currencies = [_currency_of(m, t) for t in tags]
    stated = next((c for c in currencies if c), None)
    if stated is None and (_UNIT_AFTER.match(text, m.end()) or m[0].endswith("+")):
        return  # "within 7 days", "不超过3天", "60+": not money
    if kind == "range" and stated is None and not (
        "between" in m[0].lower() or "之间" in m[0]
        or _RANGE_CONTEXT.search(text, max(0, m.start() - 12), m.start())
    ):
        return
    amounts = [_cents(m, t) for t in tags]
    if any(a is None for a in amounts):
        return
    currency = stated or default_currency
    kinds = ("price_min", "price_max") if kind == "range" else (kind,)
    for k, cents in zip(kinds, amounts, strict=True):
        yield _Mention(k, f"{cents} {currency}", m.start(), m.end(), cued)


# ---------------------------------------------------------------------------------------------
# Cues

_ADV = (
    r"really|just|absolutely|quite|also|personally|still|usually|always|mostly|generally"
    r"|normally|typically|only|much|particularly|definitely|do|does|did|would|will|should|could"
    r"|can|actually|totally|rather|kind\s+of|sort\s+of|tend\s+to|mainly|honestly|so|and|then"
    r"|please|but|even|ever|often|strongly|to|am|are|have|had|been|pretty|truly|kinda|def"
    r"|hi|hello|hey|ok|okay|well|oh|yes|yeah|um|also|want\s+to|wanna|like\s+to|need\s+to"
    r"|have\s+to|plan\s+to|going\s+to|able\s+to|willing\s+to|try\s+to|sure|certainly|prefer\s+to"
)
_NEG = (
    r"don't|dont|do\s+not|didn't|doesn't|does\s+not|never|not|won't|wouldn't|would\s+not"
    r"|can't|cant|cannot|no\s+longer|hardly|rarely|isn't"
)
_EN_LEAD = re.compile(
    rf"(?P<subj>(?<![A-Za-z'])(?:i|we)(?:'d|'m|'ve|'ll|'re)?(?![A-Za-z']))?"
    rf"(?:\s*(?<![A-Za-z'])(?:{_ADV}|{_NEG})(?![A-Za-z']))*\s*$",
    re.I,
)
_EN_NEG = re.compile(rf"(?<![A-Za-z'])(?:{_NEG})(?![A-Za-z'])|n't", re.I)
_EN_NEG_TAIL = re.compile(
    rf"(?<![A-Za-z'])(?:{_NEG})(?:\s+(?:{_ADV}))*\s*$|n't(?:\s+(?:{_ADV}))*\s*$", re.I
)
_ZH_NEG_TAIL = re.compile(
    r"(?:[不没甭勿莫]|(?<![特分区个级类差告识])别)"
    r"(?:太|大|怎么|是很|是太|是特别|很|会|想|再|能|那么|是我们?|是|一定|要|用|给我)?$"
)


def _en(words: str, polarity: str | None, *, kinds: frozenset[str] | None = None,
        subject: bool = False, forward: bool = True, backward: bool = False,
        brand: bool = False) -> _Rule:
    pattern = re.compile(rf"(?<![A-Za-z'])(?:{words})(?![A-Za-z])", re.I)
    return _Rule(pattern, polarity, kinds, subject, forward, backward, brand)


def _zh(words: str, polarity: str | None, *, kinds: frozenset[str] | None = None,
        forward: bool = True, backward: bool = False, brand: bool = False) -> _Rule:
    return _Rule(re.compile(words, re.I), polarity, kinds, False, forward, backward, brand,
                 chinese=True)


_SIZE = frozenset({"size"})
_LANG = frozenset({"language"})
_RULES: tuple[_Rule, ...] = (
    _en(r"lov(?:e|es|ed|ing)|lik(?:e|es|ed)|adore[sd]?|prefer(?:s|red)?|enjoy(?:s|ed)?|fancy"
        r"|want(?:s|ed)?|wanna|needs?|wear(?:s|ing)?|buy(?:s|ing)?|use|shop(?:\s+(?:at|from))?"
        r"|go\s+(?:for|with)|went\s+(?:for|with)|stick\s+(?:with|to)|take|swear\s+by|trust|favou?r|choose|pick"
        r"|lean\s+towards?|into|partial\s+to"
        r"|(?:a\s+)?(?:big\s+|huge\s+)?fan\s+of|rather(?:\s+have)?"
        r"|usually|normally|always|typically|generally|mostly|only",
        LIKE, subject=True, brand=True),
    _en(r"dislike[sd]?|hate[sd]?|detest|can't\s+stand|cannot\s+stand|can't\s+bear"
        r"|not\s+(?:a\s+|the\s+)?(?:big\s+|huge\s+)?fan\s+of|not\s+(?:really\s+|very\s+)?into"
        r"|not\s+keen\s+on|not\s+crazy\s+about|not\s+big\s+on|avoid(?:ing)?|allergic\s+to"
        r"|sensitive\s+to|steer\s+clear\s+of|except|anything\s+but|everything\s+but|no\s+more",
        DISLIKE, brand=True),
    _en(r"no(?=\s+(?!more\s+than|less\s+than|longer|problem|worries|idea|thanks|thank|rush"
        r"|need|matter|way|one|doubt|reply|response|answer|update|tracking)[a-z])", DISLIKE),
    _en(r"(?:my\s+)?(?:fav(?:ou?rite)?s?|fave)", LIKE, backward=True, brand=True),
    _en(r"looking\s+for|searching\s+for|shopping\s+for|in\s+the\s+market\s+for|interested\s+in"
        r"|preferably|ideally", LIKE),
    _en(r"my\s+(?:colou?r|thing|style|go-to|jam|size)|suits?\s+me|fits?\s+me|works?\s+(?:best\s+"
        r"|well\s+)?for\s+me|looks?\s+(?:good|great|best|nice)\s+on\s+me|please|(?:is|are|would\s+be)"
        r"\s+(?:ideal|perfect|fine|great|best|ok|okay)|is\s+what\s+(?:i|we)\s+(?:usually\s+"
        r"|normally\s+|always\s+|typically\s+)?(?:wear|buy|get|take|like|prefer|want)",
        LIKE, forward=False, backward=True),
    _en(r"(?:is|are|feels?|gets?)\s+(?:too\s+|so\s+|really\s+|very\s+|a\s+bit\s+)?(?:itchy"
        r"|scratchy)|makes?\s+(?:me|my\s+skin)\s+(?:itch|sweat)|irritates\s+my\s+skin",
        DISLIKE, forward=False, backward=True),
    _en(r"not\s+sure|unsure|no\s+idea|don't\s+know|do\s+not\s+know|don't\s+care|doesn't\s+matter"
        r"|does\s+not\s+matter|whatever|don't\s+remember|forgot|not\s+certain", None),
    _en(r"(?:i'm|i\s+am)(?:\s+(?:usually|normally|always|typically|generally|mostly|probably"
        r"|just|now|currently|actually|more\s+of))*\s+(?:an?|size)(?=\s)|my\s+(?:usual\s+|normal\s+|regular\s+)?(?:[a-z]+\s+)?"
        r"size(?:\s+is|'s)?", LIKE, kinds=_SIZE),
    _en(r"budget|price\s+range|spend|pay|afford|anything|something|any|options?|do\s+you\s+have"
        r"|have\s+you\s+got|got\s+any|show\s+me|recommend|suggest|looking", LIKE, kinds=_PRICES),
    _en(r"my\s+(?:price\s+)?(?:range|budget|limit|max(?:imum)?)", LIKE, kinds=_PRICES,
        backward=True),
    _en(r"reply|respond|answer|speak|talk|write|chat|communicate|switch(?:\s+to)?|use|read"
        r"|understand|say|type|text|explain|in", LIKE, kinds=_LANG, backward=True),
    _en(r"not\s+(?:very\s+|that\s+|so\s+)?good|bad|poor|limited|terrible|weak|rusty", DISLIKE,
        kinds=_LANG, forward=False, backward=True),
    _zh(r"喜欢|最爱|偏爱|钟爱|热爱|爱穿|爱用|爱买|偏好|青睐|中意|想要|想找|在找|想买|需要|考虑"
        r"|(?<![重主需])要(?!是|求|么|多久|几|等|不)|倾向于?|首选",
        LIKE, backward=True, brand=True),
    _zh(r"只信|信任|信赖|只买|只穿|只用|只认|认准|推荐|优先|总是|一直|习惯|经常|向来|专买"
        r"|(?:要|会|才|就|再)买(?!了|过|的|到)",
        LIKE, brand=True),
    _zh(r"穿(?!了|过|着|上去|起来)|一般|通常|平时|平常", LIKE, backward=True, brand=True),
    _zh(r"就好|就行|就可以|都行|都可以|也行|也可以|最好|为好|为主|适合我|比较适合|合适"
        r"|是我的最爱|我的最爱|粉丝|铁粉|死忠粉", LIKE, forward=False, backward=True),
    _zh(r"讨厌|受不了|接受不了|不能接受|排斥|避开|拒绝|过敏|反感|不感冒|嫌弃", DISLIKE,
        backward=True, brand=True),
    _zh(r"除了|别给我|比起|相比于?|相较于?|不(?:会|再|想)?买(?!了|过|的|到)", DISLIKE,
        brand=True),
    _zh(r"扎人|扎|刺痒|不透气|太闷", DISLIKE, forward=False, backward=True),
    _zh(r"不知道|不确定|不清楚|不记得|忘了|随便|无所谓", None),
    _zh(r"我(?:的(?:脚|鞋子?|衣服|裤子|尺码|鞋码|码数?))?(?:一般|通常|平时)?是"
        r"|(?:尺码|码数|鞋码)(?:一般|通常|平时)?(?:是|为|[:：])", LIKE, kinds=_SIZE),
    _zh(r"预算|价位|价格|价钱|有没有|有什么|有啥|找|求|看看|给我|帮我|来(?:个|一)|想花|能花",
        LIKE, kinds=_PRICES),
    _zh(r"说|讲|用|回复|回答|交流|沟通|懂|会|打字|聊|切换|改用", LIKE, kinds=_LANG, backward=True),
    _zh(r"不好|不太好|不行|很差|不熟|不太会", DISLIKE, kinds=_LANG, forward=False, backward=True),
)

_CONTRAST = re.compile(
    r"(?<![A-Za-z])(?:(?<!everything\s)(?<!anything\s)(?<!all\s)but(?!\s+not\b)|however|though"
    r"|although|whereas|while|yet)(?![A-Za-z])|但是|但|不过|可是|然而",
    re.I,
)
_BLOCKERS = re.compile(
    r"(?<![A-Za-z])(?:order(?:s|ed|ing)?|package|parcel|shipment|deliver(?:y|ed|ies)?"
    r"|arriv(?:e|ed|al|es)|ship(?:ped|ping|s)?|track(?:ing)?|refund(?:ed|s)?|return(?:ed|ing|s)?"
    r"|exchang(?:e|ed|ing)|swap|replace(?:ment|d)?|cancel(?:led|ed)?|receiv(?:e|ed)|charged"
    r"|paid|bought|purchased|broken?|damaged|defective|missing|wrong|sent|know|ask|check"
    r"|confirm|change|coupon|discount|voucher|postage|free)(?![A-Za-z])"
    r"|订单|下单|下的单|单号|快递|物流|包裹|发货|发错|寄|到货|没到|到了|到哪|收到|签收|退|换|取消"
    r"|(?:我|刚|上次|之前|昨天|前天|已经)(?:买|拍|下单)(?:的|了)|买了|买的|拍了|花了|坏|破|(?<!不)错"
    r"|发给我|发成|寄给我"
    r"|问一下|查|改成|付款|付了|扣款|包邮|运费|邮费|优惠|红包|返现|券|满(?=\d|[一二三四五六七八九十百千])",
    re.I,
)
_QUESTION_CLAUSE = re.compile(
    r"[,，]\s*(?:(?:do|does|did|can|could|will|would|is|are|was|were|have|has|what|when|where"
    r"|why|how|which)\s+(?:you|it|they|there|this|that|i|we|the|my)(?![A-Za-z])|any\s+chance"
    r"|请问|能不能|可不可以|是不是|什么时候|怎么|为什么|多少钱|哪|还?有没有|有没)",
    re.I,
)
_FLIP = re.compile(
    r"(?<![A-Za-z])(?:not|rather\s+than|instead\s+of|over|never)(?![A-Za-z])|而不是|不是|而非",
    re.I,
)


_LOOK_BACK = 80  # characters of a clause read before a cue for its subject and negation


_EN_QUESTION = re.compile(
    r"\s*(?:can|could|may|might|do|does|did|should|will|would|is|are|was|were|how|why|where"
    r"|what|when|which|who|if)(?![A-Za-z])",
    re.I,
)


def _in_question(text: str, segments: _Segments, pos: int) -> bool:
    """``pos`` is in an English question ("Can I use Visa?", "Why doesn't it work when I…?")."""
    start, end = segments.sentence(pos)
    return text.startswith("?", end) and bool(_EN_QUESTION.match(text, start))


def _cues(text: str, segments: _Segments) -> list[_Cue]:
    cues: list[_Cue] = []
    for rule in _RULES:
        for m in rule.pattern.finditer(text):
            if rule.subject and _in_question(text, segments, m.start()):
                continue  # asking, not stating: a verb of liking in a question is no cue
            clause_start = segments.clause(m.start())[0]
            window = max(clause_start, m.start() - _LOOK_BACK)
            cue = _cue(rule, m, text[window:m.start()], at_clause_start=window == clause_start)
            if cue is not None:
                cues.append(cue)
    return sorted(cues, key=lambda c: (c.start, c.end))


def _cue(rule: _Rule, m: re.Match[str], before: str, *, at_clause_start: bool) -> _Cue | None:
    if rule.chinese:
        negated = bool(_ZH_NEG_TAIL.search(before))
    else:
        if rule.subject and not _has_subject(before, at_clause_start):
            return None
        negated = bool(_EN_NEG_TAIL.search(before))
    polarity = rule.polarity
    if negated:
        polarity = DISLIKE if polarity == LIKE else None
    return _Cue(m.start(), m.end(), polarity, rule)


def _has_subject(before: str, at_clause_start: bool) -> bool:
    """``before`` ends with "I"/"we" and auxiliaries or adverbs ("I don't really "), or has
    nothing but those since the clause began ("Really love", "please avoid")."""
    lead = _EN_LEAD.search(before)
    if lead is None:
        return False
    if lead["subj"] or (at_clause_start and not before[:lead.start()].strip()):
        return True
    # "I'm 180 cm and usually wear L": a verb coordinated with the clause's subject
    return bool(_COORDINATED.match(before, lead.start())
                and _SUBJECT_WORD.search(before, 0, lead.start()))


_COORDINATED = re.compile(r"\s*(?:and|but|so|then|or)(?![A-Za-z])", re.I)
_SUBJECT_WORD = re.compile(r"(?<![A-Za-z'])(?:i|we)(?:'m|'d|'ve|'ll|'re)?(?![A-Za-z'])", re.I)


# ---------------------------------------------------------------------------------------------
# Brands: a capitalised name right after a brand cue, and well-known Chinese brand names

_NAME_TOKEN = r"[A-Z](?:[A-Za-z0-9'&-]|\.(?=[A-Za-z]))*"
_EN_BRAND_AFTER = re.compile(
    r"\s*(?:(?i:the|only|mostly|just|from|stuff|things|products|clothes|shoes|gear|brand|brands"
    r"|like|with|to|by|is|are|buying|wearing|using|getting|anything|everything|shopping|at)\s+)*"
    rf"(?P<b>{_NAME_TOKEN}(?:\s+{_NAME_TOKEN}){{0,2}})"
)
_EN_BRAND_MORE = re.compile(rf"\s*(?:,|and|or|&|/)\s*(?P<b>{_NAME_TOKEN})")
_ZH_BRAND_STRONG = re.compile(  # an unknown Chinese name only after an exclusive cue
    r"(?:(?:一直|习惯|平时|一般|都)(?:买|用|穿)\s*(?P<b>[A-Za-z][A-Za-z0-9&'.-]*)"
    r"|(?:(?:只|专)(?:买|用|穿)|只认|认准|(?:牌子|品牌)(?:是|就是))\s*"
    r"(?P<c>[A-Za-z][A-Za-z0-9&'.-]*(?:\s[A-Z][A-Za-z0-9&'.-]*)?|[\u4e00-\u9fff]{2,4}?))"
    r"(?=的|家|牌|品牌|这|，|。|,|\.|!|！|？|\?|$|产品|衣服|鞋|手机|电脑|运动|衣)"
)
_ZH_BRAND_WEAK = re.compile(  # "我喜欢Nike", "不喜欢古驰这种牌子", "喜欢苹果的产品"
    r"(?:喜欢|爱|偏爱|最爱|钟爱|用|穿|讨厌)\s*(?:(?P<b>[A-Z][A-Za-z0-9&'.-]+)"
    r"|(?P<c>[\u4e00-\u9fff]{2,4}?)(?=这种牌子|这个牌子|家的|的产品|的牌子|牌子|品牌))"
)
_ZH_BRAND_NAMES = re.compile(rf"(?<!王者)(?:{_alternation(_ZH_BRANDS)})(?!级)")


def _brand_name(raw: str) -> str | None:
    name = raw.rstrip(".'-")
    words = name.lower().split()
    if not words or name.lower() in _NOT_BRAND_NAMES or any(w in _NOT_BRANDS for w in words):
        return None
    if len(words) > 1 and name.isupper():  # shouting ("I NEED HELP WITH MY CARD"), not a name
        return None
    if raw.upper() in _LETTER_SIZES or name.upper() in _LETTER_SIZES:
        return None
    if _CJK.match(name) and (
        name[0] in "的了着过这那一个些是在和与来去于到得不没也都很太还就才又再"
        or any(word in name for word in _ZH_NOT_BRANDS)
        or _ZH_COLOUR_RE.search(name) or _ZH_MATERIAL_RE.search(name)
        or _ZH_STYLE_RE.search(name) or _LANGUAGE_RE.search(name)
    ):
        return None
    return name


def _brands(text: str, cues: list[_Cue]) -> Iterator[_Mention]:
    for cue in cues:
        if not cue.rule.brand or cue.rule.chinese:
            continue
        m = _EN_BRAND_AFTER.match(text, cue.end)
        while m is not None:
            name = _brand_name(m["b"])
            if name is None:
                break
            yield _Mention("brand", name, m.start("b"), m.start("b") + len(name))
            m = _EN_BRAND_MORE.match(text, m.start("b") + len(name))
    for pattern in (_ZH_BRAND_STRONG, _ZH_BRAND_WEAK):
        for m in pattern.finditer(text):
            group = "b" if m["b"] else "c"
            name = _brand_name(m[group])
            if name is not None:
                yield _Mention("brand", name, m.start(group), m.start(group) + len(name))
    for m in _ZH_BRAND_NAMES.finditer(text):
        yield _Mention("brand", m[0], m.start(), m.end())


def _mentions(text: str, cues: list[_Cue], default_currency: str) -> list[_Mention]:
    found = [
        *_aliases(_EN_COLOUR_RE, text, "colour", _EN_COLOURS),
        *_aliases(_ZH_COLOUR_RE, text, "colour", _ZH_COLOURS),
        *_aliases(_EN_MATERIAL_RE, text, "material", _EN_MATERIALS),
        *(_Mention("material", "down", m.start(), m.end()) for m in _EN_DOWN_RE.finditer(text)),
        *_aliases(_ZH_MATERIAL_RE, text, "material", _ZH_MATERIALS | {"皮": "leather"}),
        *_aliases(_EN_STYLE_RE, text, "style", _EN_STYLES),
        *_aliases(_ZH_STYLE_RE, text, "style", _ZH_STYLES | {"商务": "formal"}),
        *_aliases(_EN_PAYMENT_RE, text, "payment", _EN_PAYMENTS),
        *_aliases(_ZH_PAYMENT_RE, text, "payment", _ZH_PAYMENTS),
        *_languages(text),
        *_sizes(text),
        *_prices(text, default_currency),
        *_brands(text, cues),
    ]
    return _without_overlaps(found)


def _without_overlaps(mentions: list[_Mention]) -> list[_Mention]:
    """The longest mentions win; mentions on one span (a range's two bounds) stay together."""
    owner: dict[int, tuple[int, int]] = {}  # offset → the span that holds it
    kept: dict[tuple[int, int, str], _Mention] = {}
    for m in sorted(mentions, key=lambda m: (-(m.end - m.start), m.start, m.kind)):
        span = (m.start, m.end)
        if any(owner.get(i, span) != span for i in range(m.start, m.end)):
            continue
        for i in range(m.start, m.end):
            owner[i] = span
        kept.setdefault((m.start, m.end, m.kind), m)
    return sorted(kept.values(), key=lambda m: (m.start, m.kind))


# ---------------------------------------------------------------------------------------------
# Attribution: which cue, if any, governs each mention


class _Context:
    """One message's cues, stops and mentions, indexed by offset."""

    def __init__(self, text: str, segments: _Segments, cues: list[_Cue],
                 mentions: list[_Mention]) -> None:
        self.text = text
        self.segments = segments
        self.cues = cues
        self.cue_starts = [c.start for c in cues]
        self.blockers = _starts(_BLOCKERS, text)
        # a cue stops at a contrast, a blocker or a question clause
        self.stops = sorted(self.blockers + _starts(_CONTRAST, text)
                            + _starts(_QUESTION_CLAUSE, text))
        self.mentions = mentions
        self.mention_starts = [m.start for m in mentions]


def _starts(pattern: re.Pattern[str], text: str) -> list[int]:
    return [m.start() for m in pattern.finditer(text)]


def _any_in(starts: list[int], a: int, b: int) -> bool:
    i = bisect_left(starts, a)
    return i < len(starts) and starts[i] < b


def _allows(cue: _Cue, kind: str) -> bool:
    return cue.rule.kinds is None or kind in cue.rule.kinds


def _forward(ctx: _Context, m: _Mention) -> _Cue | None:
    """The nearest cue before the mention in its sentence that nothing stops."""
    sentence_start = ctx.segments.sentence(m.start)[0]
    for i in range(bisect_left(ctx.cue_starts, m.end) - 1, -1, -1):
        cue = ctx.cues[i]
        if cue.start >= m.start:  # a cue inside a phrase: "最多只能花500元"
            if cue.end <= m.end and cue.rule.forward and _allows(cue, m.kind):
                return cue
            continue
        if cue.start < sentence_start or _any_in(ctx.stops, cue.end, m.start):
            return None
        if cue.end <= m.start and cue.rule.forward and _allows(cue, m.kind):
            return cue
    return None


_SHORT_CLAUSE = 12  # characters: "Black, please.", "绿色的好好看，我喜欢！"


def _backward(ctx: _Context, m: _Mention) -> _Cue | None:
    """The first cue after the mention in its clause (or in a short clause that follows it
    and names no value) that may govern a value before it; none if the clause has a blocker."""
    clause_start, clause_end = ctx.segments.clause(m.start)
    if clause_end < ctx.segments.sentence(m.start)[1]:
        after = ctx.segments.clause(clause_end + 1)[1]
        if after - clause_end <= _SHORT_CLAUSE and not _any_in(
            ctx.mention_starts, clause_end, after
        ):
            clause_end = after
    if _any_in(ctx.blockers, clause_start, clause_end):
        return None
    for i in range(bisect_left(ctx.cue_starts, m.end), len(ctx.cues)):
        cue = ctx.cues[i]
        if cue.start >= clause_end:
            return None
        if cue.rule.backward and _allows(cue, m.kind):
            return cue
    return None


def _doubted(ctx: _Context, m: _Mention) -> bool:
    """A cue of doubt ("not sure", "随便") before the mention in its sentence, unstopped."""
    sentence_start = ctx.segments.sentence(m.start)[0]
    for i in range(bisect_left(ctx.cue_starts, m.start) - 1, -1, -1):
        cue = ctx.cues[i]
        if cue.start < sentence_start:
            return False
        if (cue.polarity is None and cue.rule.kinds is None and cue.end <= m.start
                and not _any_in(ctx.stops, cue.end, m.start)):
            return True
    return False


def _inside_mention(ctx: _Context, pos: int) -> bool:
    i = bisect_right(ctx.mention_starts, pos)
    return any(k.start <= pos < k.end for k in ctx.mentions[max(0, i - 2):i])


def _flipped(ctx: _Context, a: int, b: int) -> bool:
    return any(not _inside_mention(ctx, f.start()) for f in _FLIP.finditer(ctx.text, a, b))


_FILLER = re.compile(
    r"(?<![A-Za-z])(?:please|pls|maybe|ideally|preferably|only|just|ok|okay|thanks|thank\s+you"
    r"|something|anything|hi|hello|hey)(?![A-Za-z])|你好|您好|[\s\W吧的啊呢呀哈就谢]",
    re.I,
)


_POLITE = re.compile(r"(?<![A-Za-z])(?:please|pls|thanks|thank\s+you)(?![A-Za-z])|谢谢|麻烦了?|吧",
                     re.I)


_ALONE_REST = 40  # characters besides the value, at most, in a message that is an answer


def _alone(ctx: _Context, m: _Mention) -> bool:
    """The message is the value and little else — an answer to "what is your budget?" or
    "which colour?": a price phrase ("under 200 yuan", "300以下吧"), or any other value with a
    word of politeness ("Purple, please!", "紫色，谢谢！")."""
    if len(ctx.text) - (m.end - m.start) > _ALONE_REST:
        return False
    rest = ctx.text[:m.start] + " " + ctx.text[m.end:]
    return not _FILLER.sub("", _POLITE.sub("", rest)) and (
        m.kind in _PRICES or bool(_POLITE.search(rest))
    )


def _polarity(ctx: _Context, m: _Mention) -> str | None:
    forward = _forward(ctx, m)
    cue = forward
    if forward is None or ctx.segments.comma_between(forward.end, m.start):
        cue = _backward(ctx, m) or forward
    if cue is None:
        if ((m.kind in _PRICES and m.cued) or _alone(ctx, m)) and not _any_in(
            ctx.blockers, *ctx.segments.clause(m.start)
        ):
            return LIKE
        return None
    if cue.polarity is None or _doubted(ctx, m):
        return None
    if cue is forward and cue.polarity == LIKE and _flipped(ctx, cue.end, m.start):
        return DISLIKE
    return cue.polarity


def _guess_language(text: str) -> str:
    return "zh" if _CJK.search(text) else "en"


def candidates(
    text: str, language: str | None = None, *, currency: str | None = None
) -> list[Preference]:
    """Every value the lexicons and patterns find in ``text``, cued or not, each as a "like":
    what :func:`extract_preferences` chooses from (and the benchmark's baseline)."""
    if not text or not isinstance(text, str):
        return []
    work = _fold(text)
    mentions = _mentions(work, _cues(work, _Segments(work)), _currency(work, language, currency))
    return [Preference(m.kind, m.value, LIKE, (m.start, m.end), text[m.start:m.end])
            for m in mentions]


def _currency(work: str, language: str | None, currency: str | None) -> str:
    if currency:
        return currency
    return "CNY" if (language or _guess_language(work)) == "zh" else "USD"


# A payment method is a preference only when a habit or a liking introduces it ("I usually pay
# with PayPal", "I'd rather not use gift cards", "我一般用信用卡"): "I want to pay with my Visa"
# is about the purchase at hand (and, in a bank's or shop's messages, very common).
_HABIT = re.compile(r"\b(?:usually|always|normally|generally|mostly|typically|prefer|preferred|"
                    r"rather|favou?rite|(?<!would )(?<!'d )(?:like|love)|hate|dislike|"
                    r"can'?t stand|never)\b|平时|一般|通常|总是|习惯|喜欢|偏好|讨厌|更愿意|从不",
                    re.I)


def _habit(text: str, start: int) -> bool:
    """A habit or a liking in the clause before offset ``start``."""
    clause = re.split(r"[.!?;。！？；]", text[:start])[-1]
    return bool(_HABIT.search(clause))


def extract_preferences(
    text: str, language: str | None = None, *, currency: str | None = None
) -> list[Preference]:
    """The preferences ``text`` states, in the order they are written (see the module's
    docstring for the kinds, values and the rule that keeps order questions out).

    ``language`` ("en" or "zh", else guessed) decides the currency of a bare amount when
    ``currency`` (an ISO code) is not given: CNY for Chinese, USD for English.
    """
    if not text or not isinstance(text, str):
        return []
    work = _fold(text)
    segments = _Segments(work)
    cues = _cues(work, segments)
    mentions = _mentions(work, cues, _currency(work, language, currency))
    ctx = _Context(work, segments, cues, mentions)
    found: list[Preference] = []
    seen: set[tuple[str, str, str]] = set()
    for m in mentions:
        polarity = _polarity(ctx, m)
        if polarity is None or (m.kind == "payment" and not _habit(work, m.start)):
            continue
        kind = m.kind
        if kind in _PRICES and polarity == DISLIKE:  # "I don't want to spend more than $100"
            kind = "price_max" if kind == "price_min" else "price_min"
        if kind in _PRICES:
            polarity = LIKE
        key = (kind, m.value, polarity)
        if key not in seen:
            seen.add(key)
            found.append(Preference(kind, m.value, polarity, (m.start, m.end),
                                    text[m.start:m.end]))
    return found
