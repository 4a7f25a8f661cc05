"""The demo shop's product types: bilingual names and descriptions, a base price and the option
axes its variants are drawn from. Option keys and values are English and lower case."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProductSpec:
    category: str
    name: str
    name_zh: str
    base_price_cents: int
    options: dict[str, tuple[str, ...]]
    description: str
    description_zh: str


SIZES = ("XS", "S", "M", "L", "XL", "XXL")


def _p(
    category: str,
    name: str,
    name_zh: str,
    price: int,
    options: dict[str, tuple[str, ...]],
    description: str,
    description_zh: str,
) -> ProductSpec:
    return ProductSpec(category, name, name_zh, price, options, description, description_zh)


# fmt: off
ELECTRONICS = [
    _p(
        "electronics", "Mechanical Keyboard", "机械键盘", 8999,
        {"switch type": ("clicky", "linear", "tactile"), "color": ("black", "white"),
         "backlight": ("RGB", "white", "none")},
        "A full-size keyboard with hot-swappable switches and double-shot keycaps. "
        "Clicky switches give a crisp sound, linear ones a smooth silent press.",
        "全尺寸机械键盘，支持热插拔轴体，采用双色注塑键帽。青轴（clicky）段落感清脆，"
        "线性轴顺滑安静。",
    ),
    _p(
        "electronics", "Wireless Earbuds", "无线蓝牙耳机", 5999,
        {"color": ("black", "white", "blue"), "case": ("standard", "wireless charging")},
        "True wireless earbuds with 8 hours of playback and a pocket-size charging case. "
        "Sweat resistant, with touch controls on each bud.",
        "真无线蓝牙耳机，单次续航 8 小时，充电盒小巧便携。防汗设计，耳机支持触控操作。",
    ),
    _p(
        "electronics", "Bluetooth Speaker", "蓝牙音箱", 4499,
        {"color": ("black", "blue", "red", "green"), "size": ("mini", "standard")},
        "A rugged, waterproof speaker with deep bass and 12 hours of battery life. "
        "Pair two for stereo sound.",
        "坚固防水的便携音箱，低音浑厚，续航 12 小时。两台配对即可组成立体声。",
    ),
    _p(
        "electronics", "Smart Watch", "智能手表", 19999,
        {"case size": ("41mm", "45mm"), "strap": ("silicone", "leather", "metal"),
         "color": ("black", "silver", "rose gold")},
        "Tracks heart rate, sleep and more than 50 workout types, and shows your phone's "
        "notifications. Battery lasts up to 7 days.",
        "可监测心率、睡眠，支持 50 多种运动模式，并同步手机通知。续航最长 7 天。",
    ),
    _p(
        "electronics", "Portable Power Bank", "移动电源", 3499,
        {"capacity": ("10000mAh", "20000mAh", "26800mAh"), "color": ("black", "white")},
        "Charges a phone several times over with 20W fast charging through USB-C. "
        "Slim enough to slip into a jacket pocket.",
        "支持 USB-C 20W 快充，可为手机多次充满电。机身轻薄，可轻松放进外套口袋。",
    ),
    _p(
        "electronics", "Wireless Mouse", "无线鼠标", 2499,
        {"color": ("black", "white", "grey"), "connectivity": ("bluetooth", "usb receiver")},
        "A quiet, ergonomic mouse with adjustable DPI and a battery that lasts for months.",
        "静音人体工学鼠标，DPI 可调，一节电池可使用数月。",
    ),
    _p(
        "electronics", "USB-C Hub", "USB-C 扩展坞", 3999,
        {"ports": ("4-in-1", "7-in-1", "9-in-1"), "color": ("silver", "space grey")},
        "Adds HDMI, USB-A, SD card and Ethernet ports to any USB-C laptop, with pass-through "
        "charging up to 100W.",
        "为 USB-C 笔记本扩展 HDMI、USB-A、SD 卡和网口，支持最高 100W 充电直通。",
    ),
    _p(
        "electronics", "Noise-Cancelling Headphones", "降噪头戴式耳机", 24999,
        {"color": ("black", "silver", "navy"), "connectivity": ("wireless", "wired")},
        "Over-ear headphones with adaptive noise cancelling and 30 hours of battery. "
        "Soft memory-foam cushions for long flights.",
        "头戴式耳机，具备自适应主动降噪，续航 30 小时。记忆棉耳罩柔软舒适，适合长途飞行。",
    ),
    _p(
        "electronics", "E-Reader", "电子书阅读器", 12999,
        {"storage": ("8GB", "32GB"), "color": ("black", "white"),
         "connectivity": ("wifi", "wifi + 4G")},
        "A glare-free 6.8-inch e-ink screen with warm light, weeks of battery and room for "
        "thousands of books.",
        "6.8 英寸防眩光墨水屏，支持暖光，续航可达数周，可存储数千本书。",
    ),
    _p(
        "electronics", "Action Camera", "运动相机", 29999,
        {"resolution": ("4K", "5K"), "bundle": ("standard", "adventure kit")},
        "A waterproof action camera with image stabilisation, a front screen for selfies and "
        "voice control.",
        "防水运动相机，具备防抖功能，前置屏幕方便自拍，支持语音控制。",
    ),
    _p(
        "electronics", "Wireless Charging Pad", "无线充电板", 1999,
        {"power": ("10W", "15W"), "color": ("black", "white")},
        "A slim Qi charging pad that works through most phone cases. Includes a USB-C cable.",
        "轻薄 Qi 无线充电板，隔着大多数手机壳也能充电，附赠 USB-C 数据线。",
    ),
    _p(
        "electronics", "Smart Plug", "智能插座", 1499,
        {"pack size": ("1-pack", "2-pack", "4-pack"), "plug type": ("US", "CN")},
        "Switch lamps and appliances from your phone, set schedules and see energy use.",
        "用手机远程开关台灯和电器，可设置定时并查看用电量。",
    ),
]

HOME = [
    _p(
        "home", "LED Desk Lamp", "LED 护眼台灯", 3999,
        {"color": ("black", "white", "silver"), "brightness": ("standard", "high")},
        "A dimmable lamp with five colour temperatures, a flexible arm and a USB charging port.",
        "可调光台灯，五档色温，灯臂可自由弯折，并带 USB 充电口。",
    ),
    _p(
        "home", "Throw Blanket", "毛毯", 3499,
        {"material": ("fleece", "wool", "cotton"), "color": ("grey", "beige", "navy")},
        "A soft throw for the sofa or bed, 130 by 170 cm, machine washable.",
        "柔软毛毯，尺寸 130×170 厘米，适合沙发或床上使用，可机洗。",
    ),
    _p(
        "home", "Scented Candle", "香薰蜡烛", 1899,
        {"scent": ("lavender", "vanilla", "sandalwood", "citrus"), "size": ("small", "large")},
        "A soy wax candle in a glass jar with a cotton wick. The large size burns for about "
        "60 hours.",
        "大豆蜡香薰蜡烛，玻璃杯装，棉质烛芯。大号可燃烧约 60 小时。",
    ),
    _p(
        "home", "Bath Towel Set", "浴巾套装", 4299,
        {"color": ("white", "grey", "navy", "sage"), "pieces": ("2-piece", "4-piece")},
        "Thick, absorbent towels in long-staple cotton that stay soft wash after wash.",
        "长绒棉浴巾，厚实吸水，多次洗涤后依然柔软。",
    ),
    _p(
        "home", "Air Purifier", "空气净化器", 15999,
        {"room size": ("small", "medium", "large"), "filter type": ("HEPA", "HEPA + carbon")},
        "Removes dust, pollen and smoke with a true HEPA filter. Night mode runs almost silently.",
        "采用真 HEPA 滤网，有效去除灰尘、花粉和烟雾。夜间模式几乎无声。",
    ),
    _p(
        "home", "Robot Vacuum", "扫地机器人", 27999,
        {"color": ("black", "white"), "feature": ("vacuum only", "vacuum and mop")},
        "Maps your home with lidar, cleans room by room and returns to its dock to recharge.",
        "激光雷达建图，可按房间清扫，电量不足时自动回充。",
    ),
    _p(
        "home", "Memory Foam Pillow", "记忆棉枕头", 3999,
        {"firmness": ("soft", "medium", "firm"), "size": ("standard", "king")},
        "A contoured pillow that supports the neck, with a removable, washable cover.",
        "人体工学曲线设计，贴合颈部；枕套可拆卸清洗。",
    ),
    _p(
        "home", "Wall Clock", "挂钟", 2599,
        {"color": ("black", "white", "wood"), "diameter": ("30cm", "40cm")},
        "A minimalist wall clock with a silent sweep movement: no ticking at night.",
        "极简风格挂钟，静音扫秒机芯，夜里不会滴答作响。",
    ),
    _p(
        "home", "Bedding Set", "床上用品四件套", 8999,
        {"size": ("twin", "queen", "king"), "color": ("white", "grey", "blush", "navy")},
        "A duvet cover, fitted sheet and two pillowcases in breathable cotton sateen.",
        "含被套、床笠和两个枕套，采用透气的纯棉贡缎面料。",
    ),
    _p(
        "home", "Ceramic Plant Pot", "陶瓷花盆", 1599,
        {"size": ("small", "medium", "large"), "color": ("white", "terracotta", "green")},
        "A glazed pot with a drainage hole and a matching saucer, for indoor plants.",
        "釉面陶瓷花盆，带排水孔和配套托盘，适合室内绿植。",
    ),
]

KITCHEN = [
    _p(
        "kitchen", "Water Bottle", "水杯", 2499,
        {"capacity": ("500ml", "750ml", "1000ml"), "material": ("glass", "stainless steel"),
         "color": ("black", "blue", "green")},
        "A leak-proof bottle with a wide mouth. The stainless steel version keeps drinks cold "
        "for 24 hours; the glass one has a protective silicone sleeve.",
        "防漏广口水杯。不锈钢款可保冷 24 小时；玻璃款配有硅胶防护套。",
    ),
    _p(
        "kitchen", "Electric Kettle", "电热水壶", 3999,
        {"capacity": ("1L", "1.7L"), "material": ("glass", "stainless steel")},
        "Boils water in minutes, with five preset temperatures for tea and coffee and "
        "automatic shut-off.",
        "几分钟即可烧开，设有五档预设温度适合泡茶和咖啡，具备自动断电保护。",
    ),
    _p(
        "kitchen", "Drip Coffee Maker", "滴滤咖啡机", 6999,
        {"capacity": ("4 cups", "8 cups", "12 cups"), "color": ("black", "silver")},
        "A programmable coffee maker with a reusable filter and a warming plate.",
        "可预约的滴滤咖啡机，配可重复使用的滤网和保温底盘。",
    ),
    _p(
        "kitchen", "Chef's Knife", "主厨刀", 5999,
        {"blade length": ("6 inch", "8 inch"), "handle": ("wood", "resin")},
        "A forged knife with a full tang and a razor-sharp edge that is easy to hone.",
        "锻造主厨刀，全龙骨结构，刀刃锋利且易于打磨。",
    ),
    _p(
        "kitchen", "Non-Stick Frying Pan", "不粘煎锅", 3499,
        {"diameter": ("20cm", "24cm", "28cm"), "stove type": ("gas", "induction")},
        "A frying pan with a PFOA-free non-stick coating and a stay-cool handle.",
        "煎锅采用不含 PFOA 的不粘涂层，手柄防烫。",
    ),
    _p(
        "kitchen", "Rice Cooker", "电饭煲", 7999,
        {"capacity": ("3L", "5L"), "color": ("white", "black")},
        "Cooks white rice, brown rice and porridge, with a keep-warm mode and a delay timer.",
        "可煮白米饭、糙米饭和粥，具备保温和预约功能。",
    ),
    _p(
        "kitchen", "Blender", "破壁料理机", 8999,
        {"power": ("600W", "1000W"), "color": ("black", "red", "silver")},
        "A high-speed blender for smoothies, soups and crushed ice, with a 1.5-litre jar.",
        "高速料理机，可制作果昔、浓汤和碎冰，配 1.5 升杯体。",
    ),
    _p(
        "kitchen", "Tea Set", "茶具套装", 4999,
        {"material": ("ceramic", "glass"), "pieces": ("4-piece", "6-piece")},
        "A teapot with a removable infuser and matching cups, for loose-leaf tea.",
        "茶壶配可拆卸滤网及同款茶杯，适合冲泡散茶。",
    ),
    _p(
        "kitchen", "Lunch Box", "便当盒", 1999,
        {"capacity": ("800ml", "1200ml"), "material": ("glass", "stainless steel", "plastic")},
        "A sealed lunch box with compartments; the glass version is microwave safe.",
        "带分格的密封便当盒，玻璃款可直接放入微波炉加热。",
    ),
    _p(
        "kitchen", "Coffee Mug", "马克杯", 1299,
        {"capacity": ("350ml", "450ml"), "color": ("white", "black", "blue", "green")},
        "A stoneware mug with a comfortable handle, dishwasher and microwave safe.",
        "粗陶马克杯，把手握感舒适，可用洗碗机清洗，可微波加热。",
    ),
]

APPAREL = [
    _p(
        "apparel", "Cotton T-Shirt", "纯棉T恤", 1999,
        {"size": SIZES, "color": ("white", "black", "navy", "grey")},
        "A classic crew-neck tee in heavyweight organic cotton that keeps its shape.",
        "经典圆领T恤，采用厚实有机棉，穿着不易变形。",
    ),
    _p(
        "apparel", "Hoodie", "连帽卫衣", 4999,
        {"size": SIZES, "color": ("black", "grey", "green", "navy")},
        "A brushed-fleece hoodie with a kangaroo pocket and ribbed cuffs.",
        "内里磨毛的连帽卫衣，带袋鼠兜和罗纹袖口。",
    ),
    _p(
        "apparel", "Running Shoes", "跑步鞋", 8999,
        {"size": ("38", "39", "40", "41", "42", "43", "44", "45"),
         "color": ("black", "white", "blue")},
        "Light, cushioned running shoes with a breathable knit upper. Sizes are EU sizes.",
        "轻量缓震跑鞋，透气针织鞋面。尺码为欧码。",
    ),
    _p(
        "apparel", "Denim Jeans", "牛仔裤", 5999,
        {"waist": ("28", "30", "32", "34", "36"), "fit": ("slim", "regular", "relaxed")},
        "Stretch denim jeans with a mid rise, five pockets and a button fly.",
        "弹力牛仔裤，中腰设计，经典五袋款，纽扣门襟。",
    ),
    _p(
        "apparel", "Down Jacket", "羽绒服", 15999,
        {"size": SIZES, "color": ("black", "navy", "red", "beige")},
        "A warm, packable jacket filled with 90% duck down and finished with a water-repellent "
        "shell.",
        "填充 90% 白鸭绒，保暖且可收纳，外层面料防泼水。",
    ),
    _p(
        "apparel", "Wool Socks", "羊毛袜", 1599,
        {"size": ("S/M", "L/XL"), "pack": ("3 pairs", "6 pairs")},
        "Merino wool socks that keep feet warm and dry on long walks.",
        "美利奴羊毛袜，长时间行走也能保持双脚温暖干爽。",
    ),
    _p(
        "apparel", "Baseball Cap", "棒球帽", 1999,
        {"color": ("black", "white", "navy", "khaki")},
        "A six-panel cotton cap with an adjustable strap and a curved brim.",
        "六片式纯棉棒球帽，后部可调节，弧形帽檐。",
    ),
    _p(
        "apparel", "Silk Scarf", "真丝围巾", 6999,
        {"pattern": ("floral", "paisley", "solid"), "color": ("blue", "red", "ivory")},
        "A 100% mulberry silk scarf, 90 by 90 cm, with hand-rolled edges.",
        "100% 桑蚕丝方巾，尺寸 90×90 厘米，手工卷边。",
    ),
    _p(
        "apparel", "Polo Shirt", "POLO衫", 3499,
        {"size": SIZES, "color": ("white", "navy", "green")},
        "A piqué cotton polo with a two-button placket, smart enough for the office.",
        "珠地棉 POLO 衫，两粒扣门襟，适合通勤穿着。",
    ),
    _p(
        "apparel", "Yoga Leggings", "瑜伽裤", 3999,
        {"size": ("XS", "S", "M", "L", "XL"), "color": ("black", "navy", "plum")},
        "High-waisted leggings in a four-way stretch fabric with a hidden waistband pocket.",
        "高腰瑜伽裤，四向弹力面料，腰头带隐藏口袋。",
    ),
]

OUTDOOR = [
    _p(
        "outdoor", "Camping Tent", "露营帐篷", 16999,
        {"capacity": ("2-person", "4-person", "6-person"), "color": ("green", "orange", "grey")},
        "A freestanding dome tent that pitches in minutes, with a full rain fly and two doors.",
        "自立式穹顶帐篷，几分钟即可搭好，配全覆盖外帐和双门设计。",
    ),
    _p(
        "outdoor", "Sleeping Bag", "睡袋", 8999,
        {"comfort rating": ("5°C", "-5°C"), "size": ("regular", "long")},
        "A mummy-shaped sleeping bag with synthetic insulation that stays warm when damp.",
        "木乃伊式睡袋，采用化纤保暖填充，受潮后依然保暖。",
    ),
    _p(
        "outdoor", "Hiking Backpack", "登山背包", 11999,
        {"capacity": ("30L", "45L", "60L"), "color": ("black", "green", "orange")},
        "A ventilated backpack with an adjustable harness, hip belt and rain cover.",
        "背负透气的登山包，背负系统可调，配腰带和防雨罩。",
    ),
    _p(
        "outdoor", "Trekking Poles", "登山杖", 4999,
        {"material": ("aluminium", "carbon fiber"), "color": ("black", "blue")},
        "A pair of collapsible poles with cork grips and quick-lock adjustment.",
        "一对可折叠登山杖，软木握把，快速锁扣调节长度。",
    ),
    _p(
        "outdoor", "Camping Stove", "露营炉", 3999,
        {"fuel type": ("butane", "propane"), "size": ("single burner", "double burner")},
        "A compact stove with piezo ignition and a wind shield, for cooking at camp.",
        "小巧的露营炉，电子点火并配挡风板，方便野外烹饪。",
    ),
    _p(
        "outdoor", "LED Headlamp", "LED 头灯", 2499,
        {"brightness": ("300 lumens", "600 lumens"), "color": ("black", "orange")},
        "A rechargeable headlamp with a red night mode and a tilting beam.",
        "可充电头灯，带红光夜视模式，灯头角度可调。",
    ),
    _p(
        "outdoor", "Folding Camp Chair", "折叠露营椅", 3999,
        {"color": ("green", "blue", "grey"), "size": ("standard", "oversized")},
        "A sturdy folding chair with a cup holder and a carry bag; holds up to 120 kg.",
        "结实的折叠椅，带杯架和收纳袋，承重可达 120 公斤。",
    ),
    _p(
        "outdoor", "Insulated Cooler", "保温箱", 7999,
        {"capacity": ("20L", "35L", "50L"), "color": ("white", "blue", "tan")},
        "A rotomoulded cooler that keeps ice for up to five days.",
        "滚塑一体成型保温箱，冰块最长可保存五天。",
    ),
    _p(
        "outdoor", "Waterproof Rain Jacket", "防水冲锋衣", 12999,
        {"size": SIZES, "color": ("black", "red", "blue")},
        "A breathable, seam-sealed shell with a helmet-compatible hood and pit zips.",
        "透气防水外套，全压胶处理，帽子可容纳头盔，腋下带透气拉链。",
    ),
    _p(
        "outdoor", "Bicycle Helmet", "自行车头盔", 5999,
        {"size": ("S", "M", "L"), "color": ("black", "white", "red")},
        "A lightweight helmet with 18 vents, a rear light and a dial fit system.",
        "轻量骑行头盔，18 个通风孔，带尾灯和旋钮调节系统。",
    ),
]

BEAUTY = [
    _p(
        "beauty", "Facial Cleanser", "洁面乳", 1599,
        {"skin type": ("oily", "dry", "sensitive"), "size": ("100ml", "200ml")},
        "A gentle, fragrance-free cleanser that removes make-up without drying the skin.",
        "温和无香洁面乳，可卸除淡妆且不紧绷。",
    ),
    _p(
        "beauty", "Moisturizing Cream", "保湿面霜", 2999,
        {"size": ("50ml", "100ml"), "formula": ("day", "night")},
        "A rich cream with ceramides and hyaluronic acid for lasting hydration.",
        "含神经酰胺和玻尿酸的滋润面霜，持久保湿。",
    ),
    _p(
        "beauty", "Sunscreen", "防晒霜", 1899,
        {"protection": ("SPF 30", "SPF 50"), "size": ("50ml", "100ml")},
        "A light, non-greasy broad-spectrum sunscreen that leaves no white cast.",
        "清爽不油腻的广谱防晒霜，不泛白。",
    ),
    _p(
        "beauty", "Lipstick", "口红", 2499,
        {"shade": ("classic red", "rose", "coral", "nude", "berry"), "finish": ("matte", "satin")},
        "A long-wearing lipstick with a creamy texture and vitamin E.",
        "持久口红，质地顺滑，添加维生素 E。",
    ),
    _p(
        "beauty", "Hair Dryer", "吹风机", 6999,
        {"power": ("1200W", "1800W"), "color": ("black", "white", "pink")},
        "An ionic hair dryer with three heat settings, a cool shot and a diffuser.",
        "负离子吹风机，三档温度，带冷风键和扩散风嘴。",
    ),
    _p(
        "beauty", "Electric Toothbrush", "电动牙刷", 4999,
        {"color": ("black", "white", "blue"), "brush heads": ("2 heads", "4 heads")},
        "A sonic toothbrush with a two-minute timer, pressure sensor and a travel case.",
        "声波电动牙刷，两分钟定时，压力感应，附旅行收纳盒。",
    ),
    _p(
        "beauty", "Eau de Parfum", "香水", 7999,
        {"scent": ("floral", "woody", "citrus", "amber"), "size": ("30ml", "50ml", "100ml")},
        "A long-lasting fragrance in a refillable glass bottle.",
        "持久留香的香水，玻璃瓶身可重复灌装。",
    ),
    _p(
        "beauty", "Shampoo", "洗发水", 1399,
        {"hair type": ("normal", "oily", "dry", "colour-treated"), "size": ("300ml", "500ml")},
        "A sulphate-free shampoo that cleans gently and leaves hair soft.",
        "不含硫酸盐的洗发水，温和清洁，洗后头发柔顺。",
    ),
]

OFFICE = [
    _p(
        "office", "Ergonomic Office Chair", "人体工学办公椅", 29999,
        {"color": ("black", "grey"), "armrests": ("fixed", "adjustable"),
         "headrest": ("yes", "no")},
        "A mesh office chair with lumbar support, adjustable seat depth and a synchronised tilt.",
        "网布人体工学椅，带腰部支撑，座深可调，同步倾仰。",
    ),
    _p(
        "office", "Standing Desk", "电动升降桌", 39999,
        {"size": ("120x60cm", "140x70cm", "160x80cm"), "color": ("white", "black", "walnut")},
        "An electric sit-stand desk with two motors and four memory presets.",
        "双电机电动升降桌，支持四档高度记忆。",
    ),
    _p(
        "office", "Notebook", "笔记本", 999,
        {"size": ("A5", "A4"), "ruling": ("lined", "dotted", "blank")},
        "A hardcover notebook with 192 numbered pages of fountain-pen-friendly paper.",
        "精装笔记本，192 页带页码，纸张适合钢笔书写。",
    ),
    _p(
        "office", "Fountain Pen", "钢笔", 3999,
        {"nib size": ("fine", "medium", "broad"), "color": ("black", "blue", "burgundy")},
        "A brass fountain pen with a steel nib; takes standard ink cartridges or a converter.",
        "黄铜笔身钢笔，钢制笔尖，可使用标准墨囊或吸墨器。",
    ),
    _p(
        "office", "Monitor Arm", "显示器支架", 5999,
        {"type": ("single", "dual"), "color": ("black", "silver")},
        "A gas-spring arm for monitors up to 32 inches, with cable management.",
        "气弹簧显示器支架，适用于最大 32 英寸显示器，带理线功能。",
    ),
    _p(
        "office", "Desk Organizer", "桌面收纳盒", 2499,
        {"material": ("bamboo", "metal mesh"), "size": ("small", "large")},
        "Keeps pens, notes and cables in order, with a slot for your phone.",
        "收纳笔、便签和数据线，并设有手机卡槽。",
    ),
    _p(
        "office", "Laptop Backpack", "电脑双肩包", 6999,
        {"size": ("13 inch", "15 inch", "17 inch"), "color": ("black", "grey", "navy")},
        "A water-resistant backpack with a padded laptop sleeve and a luggage strap.",
        "防泼水双肩包，配加厚电脑隔层和拉杆箱固定带。",
    ),
    _p(
        "office", "Whiteboard", "白板", 4599,
        {"size": ("60x45cm", "90x60cm", "120x90cm"), "frame": ("aluminium", "wood")},
        "A magnetic dry-erase board that wipes clean without ghosting. Comes with markers.",
        "磁性白板，擦拭干净不留痕，附赠白板笔。",
    ),
]

SPORTS = [
    _p(
        "sports", "Yoga Mat", "瑜伽垫", 2999,
        {"thickness": ("4mm", "6mm", "8mm"), "color": ("purple", "blue", "grey", "green")},
        "A non-slip mat made of natural rubber, with alignment lines printed on top.",
        "天然橡胶防滑瑜伽垫，表面印有体式辅助线。",
    ),
    _p(
        "sports", "Adjustable Dumbbells", "可调节哑铃", 19999,
        {"max weight": ("10kg", "20kg", "32kg"), "pack": ("single", "pair")},
        "Dumbbells that change weight with a turn of the handle, saving space at home.",
        "旋转手柄即可调节重量，节省家中空间。",
    ),
    _p(
        "sports", "Jump Rope", "跳绳", 1299,
        {"type": ("speed", "weighted"), "color": ("black", "red", "blue")},
        "A tangle-free rope with ball-bearing handles and an adjustable length.",
        "防缠绕跳绳，轴承手柄，长度可调。",
    ),
    _p(
        "sports", "Basketball", "篮球", 2999,
        {"size": ("size 5", "size 6", "size 7"), "surface": ("indoor", "outdoor")},
        "A composite leather ball with deep channels for a secure grip.",
        "复合皮篮球，深沟槽设计，手感扎实。",
    ),
    _p(
        "sports", "Tennis Racket", "网球拍", 9999,
        {"grip size": ("G2", "G3", "G4"), "weight": ("270g", "300g")},
        "A graphite racket with a 100 square-inch head, strung and ready to play.",
        "碳素网球拍，拍面 100 平方英寸，已穿线可直接使用。",
    ),
]

PRODUCT_SPECS: list[ProductSpec] = [
    *ELECTRONICS, *HOME, *KITCHEN, *APPAREL, *OUTDOOR, *BEAUTY, *OFFICE, *SPORTS,
]
# fmt: on
