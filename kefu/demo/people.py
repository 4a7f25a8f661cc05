"""Name and place material for the demo shop's customers: Chinese names with their pinyin,
English names, and cities with the province/state, postcode prefix and phone area code."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class City:
    name: str
    state: str
    zip_prefix: str  # the leading digits of a postcode; the rest is random
    area_code: str  # US phone area code; empty for Chinese cities
    districts: tuple[str, ...] = ()


# fmt: off
# (characters, pinyin)
ZH_SURNAMES: tuple[tuple[str, str], ...] = (
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"),
    ("杨", "yang"), ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"),
    ("徐", "xu"), ("孙", "sun"), ("马", "ma"), ("朱", "zhu"), ("胡", "hu"),
    ("郭", "guo"), ("何", "he"), ("林", "lin"), ("高", "gao"), ("罗", "luo"),
    ("郑", "zheng"), ("梁", "liang"), ("谢", "xie"), ("宋", "song"), ("唐", "tang"),
    ("韩", "han"), ("冯", "feng"), ("邓", "deng"), ("曹", "cao"), ("彭", "peng"),
)

ZH_GIVEN_NAMES: tuple[tuple[str, str], ...] = (
    ("芳", "fang"), ("伟", "wei"), ("娜", "na"), ("秀英", "xiuying"), ("敏", "min"),
    ("静", "jing"), ("丽", "li"), ("强", "qiang"), ("磊", "lei"), ("军", "jun"),
    ("洋", "yang"), ("勇", "yong"), ("艳", "yan"), ("杰", "jie"), ("娟", "juan"),
    ("涛", "tao"), ("明", "ming"), ("超", "chao"), ("秀兰", "xiulan"), ("霞", "xia"),
    ("平", "ping"), ("刚", "gang"), ("桂英", "guiying"), ("子涵", "zihan"), ("浩然", "haoran"),
    ("雨桐", "yutong"), ("思远", "siyuan"), ("欣怡", "xinyi"), ("俊杰", "junjie"),
    ("梓萱", "zixuan"), ("晓东", "xiaodong"), ("佳怡", "jiayi"), ("宇航", "yuhang"),
    ("雪梅", "xuemei"), ("志强", "zhiqiang"), ("海燕", "haiyan"),
)

EN_FIRST_NAMES: tuple[str, ...] = (
    "Noah", "Emma", "Liam", "Olivia", "James", "Ava", "Lucas", "Mia", "Ethan", "Sophia",
    "Mason", "Isabella", "Logan", "Amelia", "Aiden", "Harper", "Daniel", "Evelyn", "Henry",
    "Abigail", "Jack", "Emily", "Owen", "Ella", "Samuel", "Grace", "Leo", "Chloe", "Isaac",
    "Lily", "Julian", "Nora", "Mateo", "Zoe", "Omar", "Priya", "Yusuf", "Aisha", "Sofia",
    "Diego",
)

EN_LAST_NAMES: tuple[str, ...] = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Lopez",
    "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Thompson",
    "White", "Harris", "Clark", "Lewis", "Walker", "Hall", "Young", "King", "Wright", "Scott",
    "Green", "Baker", "Adams", "Nelson", "Hill", "Campbell", "Patel", "Kim", "Nguyen", "Khan",
)

# fmt: on

ZH_CITIES: tuple[City, ...] = (
    City("北京市", "北京", "100", "", ("朝阳区", "海淀区", "东城区", "丰台区")),
    City("上海市", "上海", "200", "", ("浦东新区", "徐汇区", "静安区", "闵行区")),
    City("广州市", "广东省", "510", "", ("天河区", "越秀区", "海珠区")),
    City("深圳市", "广东省", "518", "", ("南山区", "福田区", "宝安区")),
    City("杭州市", "浙江省", "310", "", ("西湖区", "上城区", "滨江区")),
    City("南京市", "江苏省", "210", "", ("鼓楼区", "玄武区", "建邺区")),
    City("苏州市", "江苏省", "215", "", ("姑苏区", "吴中区", "工业园区")),
    City("成都市", "四川省", "610", "", ("锦江区", "武侯区", "高新区")),
    City("武汉市", "湖北省", "430", "", ("江汉区", "武昌区", "洪山区")),
    City("西安市", "陕西省", "710", "", ("雁塔区", "碑林区", "未央区")),
    City("重庆市", "重庆", "400", "", ("渝中区", "江北区", "南岸区")),
    City("天津市", "天津", "300", "", ("和平区", "南开区", "河西区")),
    City("长沙市", "湖南省", "410", "", ("岳麓区", "芙蓉区", "天心区")),
    City("青岛市", "山东省", "266", "", ("市南区", "崂山区", "黄岛区")),
    City("厦门市", "福建省", "361", "", ("思明区", "湖里区", "集美区")),
    City("郑州市", "河南省", "450", "", ("金水区", "二七区", "中原区")),
)

# fmt: off
ZH_STREETS: tuple[str, ...] = (
    "人民路", "中山路", "解放路", "建设路", "和平路", "文化路", "长江路", "新华路",
    "学院路", "青年路", "滨江大道", "光明街", "花园路", "科技路", "东风路", "迎宾路",
)
# fmt: on

US_CITIES: tuple[City, ...] = (
    City("New York", "NY", "100", "212"),
    City("Brooklyn", "NY", "112", "718"),
    City("Los Angeles", "CA", "900", "213"),
    City("San Francisco", "CA", "941", "415"),
    City("San Diego", "CA", "921", "619"),
    City("Chicago", "IL", "606", "312"),
    City("Houston", "TX", "770", "713"),
    City("Austin", "TX", "787", "512"),
    City("Dallas", "TX", "752", "214"),
    City("Phoenix", "AZ", "850", "602"),
    City("Philadelphia", "PA", "191", "215"),
    City("Seattle", "WA", "981", "206"),
    City("Portland", "OR", "972", "503"),
    City("Denver", "CO", "802", "303"),
    City("Boston", "MA", "021", "617"),
    City("Atlanta", "GA", "303", "404"),
    City("Columbus", "OH", "432", "614"),
    City("Charlotte", "NC", "282", "704"),
    City("Minneapolis", "MN", "554", "612"),
    City("Miami", "FL", "331", "305"),
)

# fmt: off
US_STREET_NAMES: tuple[str, ...] = (
    "Maple", "Oak", "Pine", "Cedar", "Elm", "Willow", "Lake", "Hill", "Park", "River",
    "Sunset", "Highland", "Washington", "Lincoln", "Jefferson", "Main", "Spring", "Forest",
    "Meadow", "Chestnut",
)
# fmt: on

US_STREET_SUFFIXES: tuple[str, ...] = ("Street", "Avenue", "Road", "Lane", "Drive", "Court")

ZH_CARD_BRANDS: tuple[str, ...] = ("unionpay", "unionpay", "visa", "mastercard")
EN_CARD_BRANDS: tuple[str, ...] = ("visa", "visa", "mastercard", "amex", "discover")
