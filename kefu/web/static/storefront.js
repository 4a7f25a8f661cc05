(function () {
  "use strict";

  var TEXT = {
    en: {
      title: "Kefu Demo Shop",
      shop: "Kefu Demo Shop",
      heroTitle: "Good things, with friendly help.",
      heroText:
        "Questions about an order, delivery, returns or a product? Our assistant answers right away, in English or Chinese.",
      cta: "Ask our assistant",
      perk1: "Free returns within 30 days",
      perk2: "Fast shipping",
      perk3: "Help in English and 中文",
      products: "Products",
      count: function (n) {
        return n === 1 ? "1 product" : n + " products";
      },
      from: "from",
      loadError: "We couldn't load the products. Please refresh the page.",
      empty: "No products yet.",
      footer:
        "A demo shop. The chat in the corner is kefu, a self-hosted customer-service agent."
    },
    zh: {
      title: "Kefu 演示商城",
      shop: "Kefu 演示商城",
      heroTitle: "好物优选，贴心服务。",
      heroText: "订单、物流、退换货或商品有疑问？智能客服即时解答，中英文都可以。",
      cta: "咨询客服",
      perk1: "30 天无忧退货",
      perk2: "极速发货",
      perk3: "支持中文和 English",
      products: "全部商品",
      count: function (n) {
        return "共 " + n + " 件商品";
      },
      from: "起",
      loadError: "商品加载失败，请刷新页面重试。",
      empty: "暂无商品。",
      footer: "这是一个演示商城。右下角的聊天窗口是 kefu —— 可自行部署的智能客服。"
    }
  };

  // Chinese names for the demo shop's category slugs; anything else is shown as it comes.
  var CATEGORY_ZH = {
    apparel: "服饰",
    beauty: "美妆",
    electronics: "数码",
    home: "家居",
    kitchen: "厨房",
    office: "办公",
    outdoor: "户外",
    sports: "运动"
  };

  var LANG_KEY = "kefu.shop.lang";
  var products = null;
  var loadFailed = false;

  function detectLanguage() {
    var saved = null;
    try {
      saved = localStorage.getItem(LANG_KEY);
    } catch (e) {
      saved = null;
    }
    if (saved === "en" || saved === "zh") return saved;
    return String(navigator.language || "").toLowerCase().indexOf("zh") === 0 ? "zh" : "en";
  }

  var lang = detectLanguage();

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // A stable, pleasant colour per product, so cards differ without any images.
  function hue(value) {
    var h = 0;
    for (var i = 0; i < value.length; i++) h = (h * 31 + value.charCodeAt(i)) % 360;
    return h;
  }

  function initials(name) {
    var words = String(name || "?").trim().split(/\s+/);
    var first = Array.from(words[0] || "?")[0] || "?";
    var second = words.length > 1 ? Array.from(words[1])[0] || "" : "";
    return (first + second).toUpperCase();
  }

  function formatPrice(amount, currency) {
    try {
      return new Intl.NumberFormat(lang === "zh" ? "zh-CN" : "en-US", {
        style: "currency",
        currency: currency || "USD"
      }).format(amount);
    } catch (e) {
      return (currency || "") + " " + Number(amount).toFixed(2);
    }
  }

  function card(product) {
    var name = (lang === "zh" && product.name_zh) || product.name;
    var h = hue(String(product.id) + (product.name || ""));
    var item = el("li", "card");
    item.setAttribute("data-product-id", product.id);
    var thumb = el("div", "thumb", initials(product.name));
    thumb.setAttribute("aria-hidden", "true");
    thumb.style.background =
      "linear-gradient(135deg, hsl(" + h + " 70% 62%), hsl(" + ((h + 40) % 360) + " 65% 52%))";
    var body = el("div", "card-body");
    if (product.category) {
      var category = String(product.category);
      var label = (lang === "zh" && CATEGORY_ZH[category.toLowerCase()]) || category;
      body.appendChild(el("div", "category", label));
    }
    body.appendChild(el("h3", "name", name));
    var price = el("div", "price");
    if (typeof product.price_from === "number") {
      var amount = formatPrice(product.price_from, product.currency);
      if (lang === "zh") {
        price.appendChild(document.createTextNode(amount));
        price.appendChild(el("small", null, " " + TEXT.zh.from));
      } else {
        price.appendChild(el("small", null, TEXT.en.from));
        price.appendChild(document.createTextNode(amount));
      }
    }
    body.appendChild(price);
    item.appendChild(thumb);
    item.appendChild(body);
    return item;
  }

  function renderProducts() {
    var grid = document.getElementById("products");
    var count = document.getElementById("product-count");
    grid.textContent = "";
    count.textContent = "";
    if (loadFailed) {
      grid.appendChild(el("li", "notice", TEXT[lang].loadError));
      return;
    }
    if (products === null) {
      for (var i = 0; i < 8; i++) {
        var sk = el("li", "card skeleton");
        sk.setAttribute("aria-hidden", "true");
        sk.appendChild(el("div", "thumb"));
        var b = el("div", "card-body");
        b.appendChild(el("div", "line"));
        b.appendChild(el("div", "line"));
        sk.appendChild(b);
        grid.appendChild(sk);
      }
      return;
    }
    if (!products.length) {
      grid.appendChild(el("li", "notice", TEXT[lang].empty));
      return;
    }
    count.textContent = TEXT[lang].count(products.length);
    products.forEach(function (p) {
      grid.appendChild(card(p));
    });
  }

  function applyLanguage() {
    var t = TEXT[lang];
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    document.title = t.title;
    Array.prototype.forEach.call(document.querySelectorAll("[data-i18n]"), function (node) {
      var value = t[node.getAttribute("data-i18n")];
      if (typeof value === "string") node.textContent = value;
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-lang]"), function (btn) {
      btn.setAttribute("aria-pressed", String(btn.getAttribute("data-lang") === lang));
    });
    renderProducts();
  }

  function setLanguage(next) {
    lang = next;
    try {
      localStorage.setItem(LANG_KEY, next);
    } catch (e) {
      /* storage disabled: the choice lasts for this page view */
    }
    applyLanguage();
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-lang]"), function (btn) {
    btn.addEventListener("click", function () {
      setLanguage(btn.getAttribute("data-lang"));
    });
  });

  document.getElementById("ask").addEventListener("click", function () {
    if (window.Kefu) window.Kefu.open();
  });

  applyLanguage();

  fetch("/v1/catalog/products?limit=24", { headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    })
    .then(function (body) {
      products = Array.isArray(body.products) ? body.products : [];
      renderProducts();
    })
    .catch(function () {
      loadFailed = true;
      renderProducts();
    });
})();
