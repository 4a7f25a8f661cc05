"""Chinese names of common product option values (colours, materials, connectivity…).

Catalog options are stored in English; Chinese replies show these names. A bilingual entity
matcher can read the same table the other way ("蓝色" → blue).
"""

from __future__ import annotations

ZH_OPTION_TERMS: dict[str, str] = {
    # colours
    "black": "黑色", "white": "白色", "grey": "灰色", "gray": "灰色", "space grey": "深空灰",
    "silver": "银色", "blue": "蓝色", "navy": "藏青色", "green": "绿色", "sage": "鼠尾草绿",
    "red": "红色", "burgundy": "酒红色", "pink": "粉色", "blush": "浅粉色", "rose": "玫瑰色",
    "rose gold": "玫瑰金", "purple": "紫色", "plum": "梅紫色", "orange": "橙色",
    "yellow": "黄色", "beige": "米色", "ivory": "象牙白", "khaki": "卡其色", "tan": "棕褐色",
    "brown": "棕色", "terracotta": "陶土色", "walnut": "胡桃木色", "wood": "原木色",
    "coral": "珊瑚色", "nude": "裸色", "berry": "莓果色", "classic red": "经典红",
    # materials
    "glass": "玻璃", "stainless steel": "不锈钢", "aluminium": "铝合金", "ceramic": "陶瓷",
    "cotton": "棉", "wool": "羊毛", "fleece": "抓绒", "leather": "皮革", "metal": "金属",
    "silicone": "硅胶", "carbon fiber": "碳纤维", "metal mesh": "金属网", "resin": "树脂",
    "polyester": "涤纶", "plastic": "塑料",
    # connectivity and kinds
    "wireless": "无线", "wired": "有线", "bluetooth": "蓝牙", "usb receiver": "USB 接收器",
    "clicky": "青轴", "linear": "红轴", "tactile": "茶轴",
    "small": "小号", "medium": "中号", "large": "大号", "standard": "标准",
    "regular": "常规", "slim": "修身", "relaxed": "宽松", "single": "单只", "pair": "一双",
    "matte": "哑光", "satin": "缎光", "floral": "花香", "woody": "木质香", "citrus": "柑橘香",
    "vanilla": "香草", "sandalwood": "檀香", "yes": "有", "no": "无", "none": "无",
}


def option_in(value: str, language: str) -> str:
    """The option value as a customer of ``language`` reads it."""
    if language != "zh":
        return value
    return ZH_OPTION_TERMS.get(value.lower(), value)
