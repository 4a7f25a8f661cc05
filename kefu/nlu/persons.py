"""Person names that customers give: after a cue, or (Chinese) as the whole message.

English: after "my name is", "name:", "call me" (any case: "my name is noah brown" gives
"Noah Brown") or after "I'm", "I am", "this is", "it's" (capitalised words only), one to three
words. Chinese: a surname and one or two given characters after 我叫/我的名字是/名字是/姓名
(any characters), after 我是/收件人/收货人/联系人 (the surname must be a common one), or a whole
message of two to four Han characters that starts with a common surname ("王芳"). English bare
names are not reported: "Thank You" would be one. The value is the name as written.
"""

from __future__ import annotations

import re

from kefu.types import Entity

_EN_WORD = r"[A-Za-z][A-Za-z'’-]{0,30}"
_EN_STRONG = re.compile(
    r"(?i:(?<![A-Za-z])(?:my\s{1,3}name\s{1,3}is|my\s{1,3}name['’]s|the\s{1,3}name\s{1,3}is"
    r"|name\s{0,3}[:：]|call\s{1,3}me))"
    rf"\s{{0,3}}({_EN_WORD}(?:\s{{1,2}}{_EN_WORD}){{0,2}})"
)
_EN_WEAK = re.compile(
    r"(?i:(?<![A-Za-z])(?:i\s{1,3}am|i['’]m|this\s{1,3}is|it['’]s))"
    rf"\s{{1,3}}({_EN_WORD}(?:\s{{1,2}}{_EN_WORD}){{0,2}})"
)
_NAME_WORD = re.compile(r"[A-Z](?:[a-z]+(?:[A-Z][a-z]+)?|['’][A-Z][a-z]+)(?:-[A-Z][a-z]+)?")
_EN_STOP_CAPS = frozenset(
    "A An The My Your Our Not So Very Just Still Here There Looking Trying Going Having Getting "
    "Waiting Wondering Calling Writing Contacting Asking Confused Unhappy Disappointed Frustrated "
    "Really Also Please Hi Hello Hey Thanks Thank Yes No Ok Okay Fine Good Great Happy Sad Angry "
    "Upset Sure Interested It This That What Why How When Where Who In On At From With And But "
    "Or For To Of Sorry About Back Done Ready New Now Today Tomorrow Yesterday Glad Worried "
    "Concerned Afraid Unable Able Tired Annoyed Mad Pleased Order Customer Buying English "
    "Chinese Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March "
    "April May June July August September October November December Christmas".split()
)
_EN_STOP = frozenset(
    "and or but my i im the a an from here to with please thanks thank order email zip phone "
    "is was in at on of for".split()
)

_HAN = "\u4e00-\u9fff"
_ZH_CUE = re.compile(
    r"(我叫|我的名字(?:是|叫)|名字(?:是|叫)|姓名(?:是|\s?[:：])?|(?:收件|收货|联系)人(?:是|\s?[:：])?"
    r"|我是)"
    rf"\s{{0,2}}([{_HAN}]{{2,4}}|[A-Z][a-z]{{1,30}}(?:\s[A-Z][a-z]{{1,30}}){{0,2}})"
)
_ZH_BARE = re.compile(rf"\s*([{_HAN}]{{2,4}})\s*[。.!！~]?\s*")

SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏"
    "吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵"
    "钱严覃武戴莫孔汤康施牛樊葛邢齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿焦俞左柳甘祝包宁尚符舒阮"
    "柯纪梅童凌毕季裴霍涂苗谷盛曲翁冉骆蓝游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤穆农卓古吉缪简"
    "项芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂佟臧闵苟邬边卞姬仇栾隋刁荣巫寇桑郎甄丛仲虞"
    "敖巩佘池邝高"
)
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 诸葛 上官 司徒 东方 皇甫 慕容 令狐 夏侯 尉迟 公孙 长孙 宇文 端木 独孤 "
    "南宫 西门".split()
)
_STOP_FIRST = frozenset("的是了在想要吗呢吧啊呀我你您他她也就都和跟与从用说已刚订")
_STOP_SECOND = _STOP_FIRST | frozenset(
    "邮手电今昨前后上下这那有没买住地号收问请帮先家到去来还给让会能可需不一"
)
_STOP_BIGRAMS = frozenset(
    "明天 今天 昨天 前天 后天 订单 邮编 邮箱 手机 电话 地址 想要 需要 现在 已经 刚刚 上周 下周 "
    "这个 那个 一个 买了 以前 之前".split()
)
_NOT_NAMES = frozenset(
    "谢谢 谢了 谢啦 马上 高兴 方便 安全 周末 江湖 黄色 白色 金色 蓝色 何时 何必 钱呢 毛病 龙井 "
    "白天 黄金 林子 程序 苏宁 汤圆 包邮 包装 包裹 管理 华为 金额 余额 尤其 宁愿 易用 齐全 "
    "段落 牛逼 江苏 江西 甘肃 宁夏 宁波 武汉 苏州 郑州 石家庄 沈阳 徐州 金华 吉林 江门 黄山 包头 "
    "柳州 桂林 秦皇岛 汤臣".split()
)


def find_persons(text: str) -> list[Entity]:
    """Every person name given in ``text``."""
    found = [e for m in _EN_STRONG.finditer(text) if (e := _en_name(m, strong=True))]
    found += [e for m in _EN_WEAK.finditer(text) if (e := _en_name(m, strong=False))]
    found += [e for m in _ZH_CUE.finditer(text) if (e := _zh_cued(m))]
    bare = _ZH_BARE.fullmatch(text)
    if bare and zh_name(bare[1], need_surname=True) == bare[1]:
        found.append(Entity("person", bare[1], bare.start(1), bare.end(1), bare[1]))
    return found


def _en_name(m: re.Match[str], strong: bool) -> Entity | None:
    words = [(w.group(0), w.start(), w.end()) for w in re.finditer(r"\S+", m[1])]
    capitalised = bool(words) and words[0][0][0].isupper()
    taken: list[tuple[str, int, int]] = []
    for word, start, end in words:
        ok = (
            _NAME_WORD.fullmatch(word) is not None and word not in _EN_STOP_CAPS
            if capitalised
            else strong and word.isalpha() and word.lower() not in _EN_STOP
        )
        if not ok:
            break
        taken.append((word, start, end))
    if not taken:
        return None
    base = m.start(1)
    start, end = base + taken[0][1], base + taken[-1][2]
    name = " ".join(w for w, _, _ in taken)
    return Entity("person", m.string[start:end], start, end, name if capitalised else name.title())


def _zh_cued(m: re.Match[str]) -> Entity | None:
    run = m[2]
    if run[0].isascii():
        return _en_in_zh(m)
    name = zh_name(run, need_surname=m[1] == "我是" or m[1].startswith(("收", "联")))
    if name is None:
        return None
    return Entity("person", name, m.start(2), m.start(2) + len(name), name)


def _en_in_zh(m: re.Match[str]) -> Entity | None:
    words = m[2].split()
    if words[0] in _EN_STOP_CAPS:
        return None
    return Entity("person", m[2], m.start(2), m.end(2), m[2])


def zh_name(run: str, need_surname: bool) -> str | None:
    """The Chinese name at the start of ``run``: a surname and one or two given characters."""
    surname = run[:2] if run[:2] in COMPOUND_SURNAMES else run[:1]
    if surname in _STOP_FIRST:
        return None
    if need_surname and surname not in SURNAMES and surname not in COMPOUND_SURNAMES:
        return None
    rest = run[len(surname):]
    given = ""
    for i, ch in enumerate(rest[:2]):
        stops = _STOP_FIRST if i == 0 else _STOP_SECOND
        if ch in stops or rest[i:i + 2] in _STOP_BIGRAMS:
            break
        given += ch
    name = surname + given
    return name if given and name not in _NOT_NAMES else None
