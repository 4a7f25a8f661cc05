/*
 * kefu chat widget: one <script> tag embeds a customer-service chat in any page.
 *
 *   <script src="https://kefu.example.com/static/widget.js" defer
 *           data-api-base="https://kefu.example.com"></script>
 *
 * Data attributes on that tag (all optional):
 *   data-api-base   where the kefu API lives (default: the origin widget.js was loaded from)
 *   data-css        stylesheet URL (default: widget.css next to widget.js)
 *   data-language   "en" or "zh" (default: <html lang>, then navigator.language)
 *   data-title      panel title (default: "Customer service" / "在线客服")
 *   data-accent     accent colour, any CSS colour (default: indigo)
 *   data-max-chars  longest message the input accepts (default: 2000)
 *
 * A page can also drive it through window.Kefu: open(), close(), toggle(), newConversation().
 * Message text is only ever rendered with textContent.
 *
 * While the panel is open it listens to the conversation's live events (an agent's replies,
 * who is answering), with a 15 s poll as the fallback. Stored answers get thumbs up/down and,
 * once someone has answered, the conversation can be rated (1-5 and an optional comment).
 */
(function () {
  "use strict";

  if (window.Kefu && window.Kefu.version) return; // embedded twice: keep the first one

  var STORAGE_KEY = "kefu.conversation";
  var CLIENT_KEY = "kefu.client";
  var OPEN_KEY = "kefu.open";
  var FEEDBACK_PREFIX = "kefu.feedback."; // + conversation id + "." + seq -> "up" | "down"
  var CSAT_PREFIX = "kefu.csat."; // + conversation id -> the score sent
  var POLL_MS = 15000;
  var EVENTS_MIN_MS = 1000; // live-events reconnect backoff: 1 s, doubling...
  var EVENTS_MAX_MS = 30000; // ...up to 30 s
  var EVENTS_HEALTHY_MS = 20000; // a connection that lived this long starts the backoff afresh
  var SVG_NS = "http://www.w3.org/2000/svg";

  var STRINGS = {
    en: {
      title: "Customer service",
      subtitle: "Orders, delivery and returns",
      placeholder: "Type your message…",
      send: "Send",
      newConversation: "New conversation",
      close: "Close chat",
      open: "Chat with us",
      welcome: "Hi! Ask us about an order, shipping, returns or any product.",
      typing: "Assistant is typing",
      agent: "Agent",
      you: "You",
      assistant: "Assistant",
      loading: "Loading your conversation…",
      errBusy: "We're still answering your previous message. Please try again in a moment.",
      errTooLong: "That message is too long. Please shorten it and try again.",
      errInvalid: "That message couldn't be sent. Please check it and try again.",
      errExpired: "Your previous conversation has ended, so we started a new one. Please send your message again.",
      errUnavailable: "The service is temporarily unavailable. Please try again shortly.",
      errNetwork: "Couldn't reach the server. Check your connection and try again.",
      errInterrupted: "The reply was interrupted. Please try again.",
      errGeneric: "Something went wrong. Please try again.",
      errStart: "Couldn't start a conversation. Please try again.",
      statusAgent: "You're chatting with {name} from our team",
      statusAgentAnon: "You're chatting with a member of our team",
      statusHandoff: "Waiting for a member of our team to join…",
      statusBack: "You're back with the assistant",
      helpful: "Helpful",
      notHelpful: "Not helpful",
      rate: "Rate this conversation",
      rateTitle: "How did we do?",
      rateScore: "{n} out of 5",
      rateComment: "Anything else you'd like to tell us? (optional)",
      rateSend: "Send rating",
      rateCancel: "Cancel",
      rateThanks: "Thank you for your feedback!"
    },
    zh: {
      title: "在线客服",
      subtitle: "订单 · 物流 · 退换货",
      placeholder: "请输入您的问题…",
      send: "发送",
      newConversation: "新对话",
      close: "关闭对话",
      open: "联系客服",
      welcome: "您好！订单、物流、退换货或商品问题都可以问我们。",
      typing: "客服正在输入",
      agent: "人工客服",
      you: "我",
      assistant: "客服助手",
      loading: "正在加载对话记录…",
      errBusy: "我们还在回复您的上一条消息，请稍后再试。",
      errTooLong: "消息太长了，请缩短后再发送。",
      errInvalid: "消息无法发送，请检查后重试。",
      errExpired: "之前的对话已结束，我们已为您开启新对话，请重新发送消息。",
      errUnavailable: "服务暂时不可用，请稍后再试。",
      errNetwork: "无法连接服务器，请检查网络后重试。",
      errInterrupted: "回复中断了，请重试。",
      errGeneric: "出了点问题，请重试。",
      errStart: "无法开始对话，请重试。",
      statusAgent: "您正在与客服 {name} 对话",
      statusAgentAnon: "您正在与人工客服对话",
      statusHandoff: "正在为您转接人工客服，请稍候…",
      statusBack: "您已回到智能助手对话",
      helpful: "有帮助",
      notHelpful: "没帮助",
      rate: "评价本次对话",
      rateTitle: "您对本次服务满意吗？",
      rateScore: "{n} 分（满分 5 分）",
      rateComment: "还有什么想告诉我们的吗？（选填）",
      rateSend: "提交评价",
      rateCancel: "取消",
      rateThanks: "感谢您的评价！"
    }
  };

  // ---------------------------------------------------------------- configuration

  var script = document.currentScript;
  if (!script) {
    var candidates = document.querySelectorAll("script[src*='widget.js']");
    script = candidates[candidates.length - 1] || null;
  }
  var data = (script && script.dataset) || {};
  var scriptUrl = script && script.src ? new URL(script.src, document.baseURI) : null;

  function trimSlash(value) {
    return value.replace(/\/+$/, "");
  }

  var config = {
    apiBase: trimSlash(data.apiBase || (scriptUrl ? scriptUrl.origin : window.location.origin)),
    css: data.css || (scriptUrl ? new URL("widget.css", scriptUrl).href : "/static/widget.css"),
    language: data.language || "",
    title: data.title || "",
    accent: data.accent || "",
    maxChars: parseInt(data.maxChars || "2000", 10) || 2000
  };

  function normLang(value) {
    var v = String(value || "").toLowerCase();
    if (v.indexOf("zh") === 0) return "zh";
    if (v.indexOf("en") === 0) return "en";
    return null;
  }

  function currentLanguage() {
    return (
      normLang(config.language) ||
      normLang(document.documentElement.getAttribute("lang")) ||
      normLang(navigator.language) ||
      "en"
    );
  }

  function t(key) {
    var table = STRINGS[currentLanguage()] || STRINGS.en;
    return table[key] || STRINGS.en[key] || key;
  }

  // t() with {placeholders} filled in as plain text.
  function fmt(key, values) {
    return t(key).replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  // ---------------------------------------------------------------- storage (may be disabled)

  var memoryStore = {};

  function storageGet(store, key) {
    try {
      return window[store].getItem(key);
    } catch (e) {
      return Object.prototype.hasOwnProperty.call(memoryStore, store + key)
        ? memoryStore[store + key]
        : null;
    }
  }

  function storageSet(store, key, value) {
    try {
      if (value === null) window[store].removeItem(key);
      else window[store].setItem(key, value);
    } catch (e) {
      if (value === null) delete memoryStore[store + key];
      else memoryStore[store + key] = value;
    }
  }

  function loadStored() {
    var raw = storageGet("localStorage", STORAGE_KEY);
    if (!raw) return null;
    try {
      var value = JSON.parse(raw);
      if (value && typeof value.id === "string" && typeof value.token === "string") {
        return { id: value.id, token: value.token };
      }
    } catch (e) {
      /* corrupt entry: forget it below */
    }
    storageSet("localStorage", STORAGE_KEY, null);
    return null;
  }

  function saveStored(conv) {
    storageSet(
      "localStorage",
      STORAGE_KEY,
      conv ? JSON.stringify({ id: conv.id, token: conv.token }) : null
    );
  }

  // ---------------------------------------------------------------- DOM helpers

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (name) {
        if (name === "text") node.textContent = attrs[name];
        else node.setAttribute(name, attrs[name]);
      });
    }
    (children || []).forEach(function (child) {
      node.appendChild(child);
    });
    return node;
  }

  // Icons are built from fixed path data (never from user text).
  function icon(paths, className) {
    var svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", "kefu-icon " + (className || ""));
    paths.forEach(function (d) {
      var path = document.createElementNS(SVG_NS, "path");
      path.setAttribute("d", d);
      svg.appendChild(path);
    });
    return svg;
  }

  var ICON_CHAT = [
    "M4 5.5A2.5 2.5 0 0 1 6.5 3h11A2.5 2.5 0 0 1 20 5.5v8a2.5 2.5 0 0 1-2.5 2.5H10l-4.2 3.6c-.5.4-1.3.1-1.3-.6V16A2.5 2.5 0 0 1 4 13.5z"
  ];
  var ICON_CLOSE = ["M6 6l12 12M18 6L6 18"];
  var ICON_SEND = ["M4.5 12h13M12.5 6.5L18 12l-5.5 5.5"];
  var ICON_NEW = ["M12 5v14M5 12h14"];
  var ICON_MINIMISE = ["M6 9l6 6 6-6"];
  var ICON_THUMB = [
    "M3.5 10.5h3.5v9.5H3.5z",
    "M7 10.5l3.7-6.4a1.5 1.5 0 0 1 2.8 1L12.8 9H18a2 2 0 0 1 2 2.3l-1.3 6.9a2.2 2.2 0 0 1-2.2 1.8H7"
  ];
  var ICON_STAR = [
    "M12 3.6l2.5 5.2 5.7.8-4.1 4 1 5.6L12 16.5l-5.1 2.7 1-5.6-4.1-4 5.7-.8z"
  ];

  // ---------------------------------------------------------------- state

  var state = {
    conv: loadStored(), // {id, token}
    history: null, // the GET of the stored conversation: pending or settled
    creating: null, // a pending POST /v1/conversations
    inFlight: false,
    generation: 0, // bumped on reset: late answers for an old conversation are dropped
    turn: 0, // bumped on every send: a poll that overlaps a turn is dropped
    seqs: {}, // seq -> true for every message already on screen
    open: false,
    pollTimer: null,
    abort: null,
    events: null, // the live-events connection while the panel is open (see startEvents)
    queued: [], // messages the live events brought while a turn was in flight
    mode: null, // the conversation's status: "open" (the assistant), "handoff", "agent"
    modeKey: "", // the STRINGS key of the status line shown, "" for none
    agentName: "", // the person who took over, when known
    statusEpoch: 0, // bumped by every live status event: an older poll's status is dropped
    csatOpen: false, // the rating form is showing
    csatScore: 0,
    csatBusy: false
  };

  var ui = {};

  // ---------------------------------------------------------------- API

  function ApiError(status, code, message) {
    this.name = "ApiError";
    this.status = status; // 0: the server could not be reached
    this.code = code;
    this.message = message;
  }
  ApiError.prototype = Object.create(Error.prototype);
  ApiError.prototype.constructor = ApiError;

  async function request(method, path, body, options) {
    var opts = options || {};
    var headers = { Accept: opts.accept || "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (opts.conv) headers["X-Conversation-Token"] = opts.conv.token;
    try {
      return await fetch(config.apiBase + path, {
        method: method,
        headers: headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: opts.signal,
        credentials: "omit",
        cache: "no-store"
      });
    } catch (err) {
      if (err && err.name === "AbortError") throw err;
      throw new ApiError(0, "network", String((err && err.message) || err));
    }
  }

  async function errorFromResponse(response) {
    var body = null;
    try {
      body = await response.json();
    } catch (e) {
      body = null;
    }
    var e = (body && body.error) || {};
    return new ApiError(response.status, e.code || "http_" + response.status, e.message || "");
  }

  async function getJson(method, path, body, options) {
    var response = await request(method, path, body, options);
    if (!response.ok) throw await errorFromResponse(response);
    return response.json();
  }

  // A POST whose answer body is not needed ({} or nothing at all).
  async function postAction(path, body, conv) {
    var response = await request("POST", path, body, { conv: conv });
    if (!response.ok) throw await errorFromResponse(response);
  }

  function conversationPath(conv, suffix) {
    return "/v1/conversations/" + encodeURIComponent(conv.id) + (suffix || "");
  }

  function isGone(err) {
    return err instanceof ApiError && (err.status === 404 || err.status === 401);
  }

  function messageForError(err, fallbackKey) {
    if (!(err instanceof ApiError)) return t(fallbackKey || "errGeneric");
    switch (err.status) {
      case 0:
        return t("errNetwork");
      case 409:
        return t("errBusy");
      case 413:
        return t("errTooLong");
      case 400:
      case 422:
        return t("errInvalid");
      case 502:
      case 503:
      case 504:
        return t("errUnavailable");
      default:
        return t(fallbackKey || "errGeneric");
    }
  }

  // ---------------------------------------------------------------- rendering

  function nearBottom() {
    var m = ui.messages;
    return m.scrollHeight - m.scrollTop - m.clientHeight < 80;
  }

  function scrollToBottom(force) {
    if (force || nearBottom()) ui.messages.scrollTop = ui.messages.scrollHeight;
  }

  function formatTime(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return "";
    try {
      return d.toLocaleString(currentLanguage() === "zh" ? "zh-CN" : "en", {
        dateStyle: "medium",
        timeStyle: "short"
      });
    } catch (e) {
      return d.toISOString();
    }
  }

  function roleClass(role) {
    if (role === "user") return "kefu-user";
    if (role === "agent") return "kefu-agent";
    return "kefu-assistant";
  }

  function makeBubble(role) {
    var bubble = el("div", { class: "kefu-msg " + roleClass(role) });
    if (role === "agent") bubble.setAttribute("data-label", agentLabel(bubble));
    return bubble;
  }

  // An agent's bubble is labelled with their name, or "Agent" when the server gave none.
  function agentLabel(bubble) {
    return bubble.getAttribute("data-agent-name") || t("agent");
  }

  // The sources an answer is grounded on ("en/refunds.md#Where the money goes",
  // "catalog:p1001/v123"), shown under it as plain text: never links, never fetched.
  function addCitations(bubble, citations) {
    if (!citations || !citations.length) return;
    var box = el("div", { class: "kefu-cites" });
    for (var i = 0; i < citations.length; i++) {
      box.appendChild(el("span", { class: "kefu-cite", text: String(citations[i]) }));
    }
    bubble.appendChild(box);
  }

  // Puts a stored Msg into a bubble: its complete text, seq, language and time.
  function fillBubble(bubble, msg) {
    bubble.textContent = msg.text || "";
    addCitations(bubble, msg.citations);
    if (typeof msg.seq === "number") {
      bubble.setAttribute("data-seq", String(msg.seq));
      state.seqs[msg.seq] = true;
    }
    if (msg.language) bubble.setAttribute("lang", msg.language === "zh" ? "zh-CN" : "en");
    if (msg.created_at) bubble.title = formatTime(msg.created_at);
    if (msg.role !== "user") bubble.setAttribute("data-done", "1");
    if (msg.role === "agent") {
      var name = typeof msg.agent_name === "string" ? msg.agent_name.trim() : "";
      if (name) {
        bubble.setAttribute("data-agent-name", name);
        noteAgentName(name);
      }
      bubble.setAttribute("data-label", agentLabel(bubble));
    }
    if (msg.role === "assistant" && typeof msg.seq === "number") addThumbs(bubble, msg);
  }

  // ---------------------------------------------------------------- thumbs up / down

  function feedbackKey(conv, seq) {
    return FEEDBACK_PREFIX + conv.id + "." + seq;
  }

  function labelThumb(button) {
    var label = t(button.getAttribute("data-rating") === "up" ? "helpful" : "notHelpful");
    button.setAttribute("aria-label", label);
    button.title = label;
  }

  // Two buttons under a stored assistant answer; the choice is kept for this browser session.
  function addThumbs(bubble, msg) {
    var conv = state.conv;
    if (!conv) return;
    var seq = msg.seq;
    var current = storageGet("sessionStorage", feedbackKey(conv, seq));
    if (current !== "up" && current !== "down") {
      current = msg.feedback === "up" || msg.feedback === "down" ? msg.feedback : null;
    }
    var busy = false;
    var row = el("div", { class: "kefu-thumbs" });
    var buttons = ["up", "down"].map(function (rating) {
      var button = el(
        "button",
        {
          type: "button",
          class: "kefu-thumb kefu-thumb-" + rating,
          "data-testid": "thumb-" + rating,
          "data-rating": rating,
          "aria-pressed": "false"
        },
        [icon(ICON_THUMB)]
      );
      labelThumb(button);
      button.addEventListener("click", function () {
        choose(rating);
      });
      row.appendChild(button);
      return button;
    });

    function show(rating) {
      buttons.forEach(function (b) {
        b.setAttribute("aria-pressed", b.getAttribute("data-rating") === rating ? "true" : "false");
      });
    }

    async function choose(rating) {
      if (busy || rating === current) return;
      if (!state.conv || state.conv.id !== conv.id) return;
      var gen = state.generation;
      var before = current;
      current = rating;
      show(rating);
      busy = true;
      row.setAttribute("aria-busy", "true");
      clearError();
      try {
        await postAction(
          conversationPath(conv, "/messages/" + encodeURIComponent(String(seq)) + "/feedback"),
          { rating: rating },
          conv
        );
        storageSet("sessionStorage", feedbackKey(conv, seq), rating);
      } catch (err) {
        if (gen !== state.generation) return;
        current = before;
        show(before);
        showError(messageForError(err));
      } finally {
        busy = false;
        row.removeAttribute("aria-busy");
      }
    }

    show(current);
    bubble.appendChild(row);
  }

  function hideEmpty() {
    if (ui.empty.parentNode) ui.empty.parentNode.removeChild(ui.empty);
  }

  function updateEmpty() {
    if (ui.messages.querySelector(".kefu-msg, .kefu-typing")) {
      hideEmpty();
    } else {
      ui.empty.textContent = t("welcome");
      ui.messages.appendChild(ui.empty);
    }
  }

  function appendNode(node) {
    hideEmpty();
    var stick = nearBottom();
    ui.messages.appendChild(node);
    scrollToBottom(stick);
  }

  // Adds a stored Msg in seq order; a seq already on screen is skipped. True when added.
  function insertMessage(msg) {
    if (typeof msg.seq === "number" && state.seqs[msg.seq]) return false;
    var bubble = makeBubble(msg.role);
    fillBubble(bubble, msg);
    hideEmpty();
    var later = null;
    if (typeof msg.seq === "number") {
      var placed = ui.messages.querySelectorAll(".kefu-msg[data-seq]");
      for (var i = 0; i < placed.length; i++) {
        if (Number(placed[i].getAttribute("data-seq")) > msg.seq) {
          later = placed[i];
          break;
        }
      }
    }
    ui.messages.insertBefore(bubble, later);
    return true;
  }

  function renderMessages(messages, forceScroll) {
    var stick = forceScroll || nearBottom();
    (messages || [])
      .slice()
      .sort(function (a, b) {
        return a.seq - b.seq;
      })
      .forEach(insertMessage);
    updateEmpty();
    updateCsat();
    scrollToBottom(stick);
  }

  function clearMessages() {
    state.seqs = {};
    while (ui.messages.firstChild) ui.messages.removeChild(ui.messages.firstChild);
    updateEmpty();
    updateCsat();
  }

  // The highest seq on screen: where the live events pick up.
  function lastSeq() {
    var last = 0;
    Object.keys(state.seqs).forEach(function (key) {
      var n = Number(key);
      if (n > last) last = n;
    });
    return last;
  }

  function showTyping() {
    hideTyping();
    appendNode(
      el("div", { class: "kefu-typing", role: "status", "aria-label": t("typing") }, [
        el("span", { class: "kefu-dot" }),
        el("span", { class: "kefu-dot" }),
        el("span", { class: "kefu-dot" })
      ])
    );
  }

  function hideTyping() {
    var typing = ui.messages.querySelector(".kefu-typing");
    if (typing) typing.parentNode.removeChild(typing);
  }

  function showError(text) {
    ui.error.textContent = text;
    ui.error.hidden = false;
  }

  function clearError() {
    ui.error.textContent = "";
    ui.error.hidden = true;
  }

  function setStatus(text) {
    ui.status.textContent = text || "";
    ui.status.hidden = !text;
  }

  // ---------------------------------------------------------------- who is answering

  // status: "agent" (a person holds the conversation), "handoff" (waiting for one) or
  // "open" (the assistant). name: the person's display name when the server sent it.
  function applyStatus(status, name) {
    if (typeof status !== "string") return;
    var prev = state.mode;
    var given = typeof name === "string" ? name.trim() : "";
    if (given) state.agentName = given;
    // taken over just now, by someone not named yet (their first message names them)
    else if (status === "agent" && prev !== null && prev !== "agent") state.agentName = "";
    state.mode = status;
    if (status === "agent") {
      state.modeKey = state.agentName ? "statusAgent" : "statusAgentAnon";
    } else if (status === "handoff") {
      state.modeKey = "statusHandoff";
    } else if (status === "open") {
      if (prev === "agent" || prev === "handoff") state.modeKey = "statusBack";
      else if (prev !== "open") state.modeKey = "";
    } else {
      state.modeKey = "";
    }
    renderMode();
  }

  // An agent's message names its author: the status line can name them too.
  function noteAgentName(name) {
    state.agentName = name;
    if (state.mode === "agent") {
      state.modeKey = "statusAgent";
      renderMode();
    }
  }

  function renderMode() {
    var key = state.modeKey;
    ui.mode.textContent = key ? fmt(key, { name: state.agentName }) : "";
    ui.mode.setAttribute("data-status", key ? state.mode || "" : "");
    ui.mode.hidden = !key;
  }

  function resetMode() {
    state.mode = null;
    state.modeKey = "";
    state.agentName = "";
    renderMode();
  }

  // ---------------------------------------------------------------- rating the conversation

  function csatKey(conv) {
    return CSAT_PREFIX + conv.id;
  }

  function csatSent() {
    return !!state.conv && !!storageGet("sessionStorage", csatKey(state.conv));
  }

  // Offered once someone (the assistant or a person) has answered.
  function hasReply() {
    return !!ui.messages.querySelector(
      ".kefu-msg.kefu-assistant[data-seq], .kefu-msg.kefu-agent[data-seq]"
    );
  }

  function updateCsat() {
    if (!ui.csat) return;
    var sent = csatSent();
    var offered = !!state.conv && (sent || hasReply());
    if (!offered || sent) state.csatOpen = false;
    ui.csat.hidden = !offered;
    ui.csatOpen.hidden = sent || state.csatOpen;
    ui.csatForm.hidden = sent || !state.csatOpen;
    ui.csatThanks.hidden = !sent;
    ui.csatThanks.textContent = sent ? t("rateThanks") : "";
    ui.csatScores.forEach(function (b) {
      var n = Number(b.getAttribute("data-score"));
      b.setAttribute("aria-pressed", n === state.csatScore ? "true" : "false");
      b.classList.toggle("kefu-on", n <= state.csatScore);
      b.disabled = state.csatBusy;
    });
    ui.csatSend.disabled = state.csatBusy || !state.csatScore;
    ui.csatCancel.disabled = state.csatBusy;
    ui.csatComment.disabled = state.csatBusy;
  }

  function resetCsat() {
    state.csatOpen = false;
    state.csatScore = 0;
    state.csatBusy = false;
    if (ui.csatComment) ui.csatComment.value = "";
    updateCsat();
  }

  function openCsat() {
    if (!state.conv || csatSent()) return;
    state.csatOpen = true;
    updateCsat();
    ui.csatScores[0].focus();
  }

  function cancelCsat() {
    state.csatOpen = false;
    state.csatScore = 0;
    ui.csatComment.value = "";
    updateCsat();
    ui.csatOpen.focus();
  }

  async function sendCsat() {
    var conv = state.conv;
    if (!conv || state.csatBusy || !state.csatScore) return;
    var gen = state.generation;
    var body = { score: state.csatScore };
    var comment = ui.csatComment.value.trim();
    if (comment) body.comment = comment;
    state.csatBusy = true;
    updateCsat();
    clearError();
    try {
      await postAction(conversationPath(conv, "/csat"), body, conv);
    } catch (err) {
      if (gen !== state.generation) return;
      state.csatBusy = false;
      updateCsat();
      // 409: already rated (in another tab, say): nothing left to do but thank them
      if (!(err instanceof ApiError && err.status === 409)) {
        showError(messageForError(err));
        return;
      }
    }
    if (gen !== state.generation) return;
    storageSet("sessionStorage", csatKey(conv), String(body.score));
    state.csatBusy = false;
    state.csatOpen = false;
    ui.csatComment.value = "";
    updateCsat();
  }

  function markUnread() {
    if (!state.open) ui.launcher.classList.add("kefu-unread");
  }

  function updateSendState() {
    ui.send.disabled = state.inFlight || !ui.input.value.trim();
    ui.root.classList.toggle("kefu-busy", state.inFlight);
  }

  function autoGrow() {
    ui.input.style.height = "auto";
    ui.input.style.height = Math.min(ui.input.scrollHeight, 140) + "px";
  }

  function applyLanguage() {
    var lang = currentLanguage();
    var title = config.title || t("title");
    ui.root.setAttribute("lang", lang === "zh" ? "zh-CN" : "en");
    ui.title.textContent = title;
    ui.subtitle.textContent = t("subtitle");
    ui.input.placeholder = t("placeholder");
    ui.input.setAttribute("aria-label", t("placeholder"));
    ui.send.setAttribute("aria-label", t("send"));
    ui.send.title = t("send");
    ui.newBtn.setAttribute("aria-label", t("newConversation"));
    ui.newBtn.title = t("newConversation");
    ui.closeBtn.setAttribute("aria-label", t("close"));
    ui.closeBtn.title = t("close");
    ui.launcher.setAttribute("aria-label", state.open ? t("close") : t("open"));
    ui.messages.setAttribute("aria-label", title);
    ui.empty.textContent = t("welcome");
    Array.prototype.forEach.call(ui.messages.querySelectorAll(".kefu-agent"), function (b) {
      b.setAttribute("data-label", agentLabel(b));
    });
    Array.prototype.forEach.call(ui.messages.querySelectorAll(".kefu-thumb"), labelThumb);
    renderMode();
    ui.csatOpenText.textContent = t("rate");
    ui.csatTitle.textContent = t("rateTitle");
    ui.csatScores.forEach(function (b) {
      var label = fmt("rateScore", { n: b.getAttribute("data-score") });
      b.setAttribute("aria-label", label);
      b.title = label;
    });
    ui.csatComment.placeholder = t("rateComment");
    ui.csatComment.setAttribute("aria-label", t("rateComment"));
    ui.csatCancel.textContent = t("rateCancel");
    ui.csatSend.textContent = t("rateSend");
    updateCsat();
  }

  // ---------------------------------------------------------------- conversation lifecycle

  // Drops the stored conversation and everything on screen; late answers are ignored.
  function forgetConversation() {
    state.generation += 1;
    stopEvents();
    state.queued = [];
    if (state.abort) state.abort.abort();
    state.abort = null;
    state.conv = null;
    state.history = null;
    state.creating = null;
    state.inFlight = false;
    saveStored(null);
    hideTyping();
    resetMode();
    resetCsat();
    clearMessages();
    setStatus("");
    updateSendState();
  }

  // Fetches and renders the stored conversation. Resolves once settled, never rejects.
  function loadHistory() {
    var conv = state.conv;
    var gen = state.generation;
    setStatus(t("loading"));
    state.history = getJson("GET", conversationPath(conv), undefined, { conv: conv }).then(
      function (body) {
        if (gen !== state.generation) return;
        setStatus("");
        noteCsat(conv, body);
        renderMessages(body.messages, true);
        applyStatus(body.status);
      },
      function (err) {
        if (gen !== state.generation) return;
        setStatus("");
        if (isGone(err)) {
          forgetConversation(); // expired or not ours: start a fresh one when needed
          return;
        }
        state.history = null; // transient: retried by the next open or send
        if (state.open) showError(messageForError(err));
      }
    );
    return state.history;
  }

  // A server that says the conversation was rated: no second rating is offered.
  function noteCsat(conv, body) {
    if (body && typeof body.csat === "number" && body.csat >= 1) {
      storageSet("sessionStorage", csatKey(conv), String(body.csat));
    }
  }

  // A random id of this browser, kept in localStorage: an experiment shows a returning
  // visitor the same variant. It says nothing about who the visitor is.
  function clientRef() {
    var ref = storageGet("localStorage", CLIENT_KEY);
    if (!ref || !/^[A-Za-z0-9_-]{8,64}$/.test(ref)) {
      var bytes = new Uint8Array(16);
      window.crypto.getRandomValues(bytes);
      ref = Array.prototype.map
        .call(bytes, function (b) {
          return ("0" + b.toString(16)).slice(-2);
        })
        .join("");
      storageSet("localStorage", CLIENT_KEY, ref);
    }
    return ref;
  }

  function createConversation() {
    if (state.creating) return state.creating;
    var gen = state.generation;
    var creating = getJson("POST", "/v1/conversations", {
      channel: "widget",
      language: currentLanguage(),
      client_ref: clientRef()
    }).then(
      function (body) {
        if (gen !== state.generation) return null;
        state.conv = { id: body.id, token: body.token };
        state.history = Promise.resolve();
        state.creating = null;
        saveStored(state.conv);
        renderMessages(body.messages, true);
        return state.conv;
      },
      function (err) {
        if (gen === state.generation) state.creating = null;
        throw err;
      }
    );
    state.creating = creating;
    return creating;
  }

  // The conversation to talk in: the stored one (history loaded first) or a new one.
  async function ensureConversation() {
    for (var attempt = 0; attempt < 3; attempt++) {
      if (!state.conv) {
        var created = await createConversation();
        if (created) {
          startEvents();
          return created;
        }
        continue; // reset while creating: try again with the new generation
      }
      await (state.history || loadHistory());
      if (state.conv) {
        startEvents();
        return state.conv;
      }
    }
    throw new ApiError(-1, "reset", "conversation was reset");
  }

  function openConversationQuietly() {
    ensureConversation().catch(function (err) {
      showError(messageForError(err, "errStart"));
    });
  }

  function newConversation() {
    forgetConversation();
    clearError();
    if (state.open) {
      openConversationQuietly();
      ui.input.focus();
    }
  }

  // ---------------------------------------------------------------- SSE

  // Text goes in with feed(); onEvent(name, data) is called for every complete frame.
  function SseParser(onEvent) {
    var buffer = "";

    function dispatch(frame) {
      var name = "message";
      var dataLines = [];
      frame.split("\n").forEach(function (line) {
        if (!line || line.charAt(0) === ":") return; // blank or comment (keep-alive)
        var i = line.indexOf(":");
        var field = i === -1 ? line : line.slice(0, i);
        var value = i === -1 ? "" : line.slice(i + 1);
        if (value.charAt(0) === " ") value = value.slice(1);
        if (field === "event") name = value;
        else if (field === "data") dataLines.push(value);
      });
      if (dataLines.length) onEvent(name, dataLines.join("\n"));
    }

    this.feed = function (text) {
      buffer += text;
      var hold = "";
      if (buffer.charAt(buffer.length - 1) === "\r") {
        hold = "\r"; // may be the first half of a \r\n split across chunks
        buffer = buffer.slice(0, -1);
      }
      buffer = buffer.replace(/\r\n?/g, "\n");
      var idx;
      while ((idx = buffer.indexOf("\n\n")) !== -1) {
        var frame = buffer.slice(0, idx);
        buffer = buffer.slice(idx + 2);
        dispatch(frame);
      }
      buffer += hold;
    };

    this.end = function () {
      var rest = buffer.replace(/\r\n?/g, "\n");
      buffer = "";
      if (rest.trim()) dispatch(rest);
    };
  }

  async function readStream(response, onEvent) {
    var parser = new SseParser(onEvent);
    if (!response.body || typeof response.body.getReader !== "function") {
      parser.feed(await response.text());
      parser.end();
      return;
    }
    var reader = response.body.getReader();
    var decoder = new TextDecoder("utf-8");
    for (;;) {
      var chunk = await reader.read();
      if (chunk.done) break;
      parser.feed(decoder.decode(chunk.value, { stream: true }));
    }
    parser.feed(decoder.decode());
    parser.end();
  }

  // ---------------------------------------------------------------- live events

  // While the panel is open, GET /v1/conversations/{id}/events streams what happens in the
  // conversation: an agent's messages and who is answering. fetch, not EventSource: the token
  // goes in a header. The 15 s poll stays on as the fallback; a server without the route
  // (404) or one that refuses it is left alone until the panel is opened again.
  function startEvents() {
    if (!state.open || !state.conv) return;
    if (state.events && state.events.conv === state.conv) return; // already on (or given up)
    stopEvents();
    var handle = {
      conv: state.conv,
      gen: state.generation,
      controller: null,
      timer: null,
      delay: EVENTS_MIN_MS,
      off: false,
      stopped: false
    };
    state.events = handle;
    connectEvents(handle);
  }

  function stopEvents() {
    var handle = state.events;
    state.events = null;
    if (!handle) return;
    handle.stopped = true;
    if (handle.timer) window.clearTimeout(handle.timer);
    handle.timer = null;
    if (handle.controller) handle.controller.abort();
    handle.controller = null;
  }

  async function connectEvents(handle) {
    handle.timer = null;
    if (handle.stopped) return;
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    handle.controller = controller;
    var started = Date.now();
    var heard = false;
    try {
      var response = await request(
        "GET",
        conversationPath(handle.conv, "/events?after=" + lastSeq()),
        undefined,
        {
          conv: handle.conv,
          accept: "text/event-stream",
          signal: controller ? controller.signal : undefined
        }
      );
      if (handle.stopped) return;
      var type = response.headers.get("Content-Type") || "";
      if (!response.ok || type.indexOf("text/event-stream") !== 0) {
        if (response.status >= 500 || response.status === 429 || response.status === 408) {
          throw new ApiError(response.status, "http_" + response.status, "");
        }
        // no such route, not ours (any more), or not an event stream: polling carries on;
        // an expired conversation is noticed (and forgotten) by the poll
        handle.off = true;
        if (controller) controller.abort();
        return;
      }
      await readStream(response, function (name, raw) {
        if (handle.stopped || handle !== state.events || handle.gen !== state.generation) return;
        if (name === "error") {
          // the stream's last word: the conversation went (left to the poll, which forgets
          // it), or the server is in trouble (reconnect, backing off)
          if (GONE_CODES.indexOf(liveErrorCode(raw)) !== -1) handle.off = true;
          return;
        }
        heard = true;
        onLiveEvent(name, raw);
      });
    } catch (err) {
      if (handle.stopped) return;
      /* network error or a dropped stream: reconnect below */
    } finally {
      if (handle.controller === controller) handle.controller = null;
    }
    if (handle.stopped || handle.off) return;
    if (heard || Date.now() - started >= EVENTS_HEALTHY_MS) handle.delay = EVENTS_MIN_MS;
    var wait = handle.delay;
    handle.delay = Math.min(handle.delay * 2, EVENTS_MAX_MS);
    handle.timer = window.setTimeout(function () {
      connectEvents(handle);
    }, wait);
  }

  var GONE_CODES = ["not_found", "unauthorized", "forbidden"];

  function liveErrorCode(raw) {
    try {
      var e = (JSON.parse(raw) || {}).error || {};
      return typeof e.code === "string" ? e.code : "";
    } catch (err) {
      return "";
    }
  }

  function onLiveEvent(name, raw) {
    var payload;
    try {
      payload = JSON.parse(raw);
    } catch (e) {
      return; // not ours (a proxy's keep-alive, say)
    }
    if (!payload || typeof payload !== "object") return;
    if (name === "message") {
      if (typeof payload.seq !== "number") return;
      // a turn in flight owns its bubbles until they have their seqs: the rest waits for it
      if (state.inFlight) state.queued.push(payload);
      else showLiveMessages([payload]);
    } else if (name === "status") {
      state.statusEpoch += 1;
      applyStatus(payload.status, payload.agent_name || payload.assigned_name);
    }
  }

  function showLiveMessages(messages) {
    var stick = nearBottom();
    var fresh = false;
    messages
      .slice()
      .sort(function (a, b) {
        return a.seq - b.seq;
      })
      .forEach(function (msg) {
        if (insertMessage(msg) && msg.role !== "user") fresh = true;
      });
    updateEmpty();
    updateCsat();
    scrollToBottom(stick);
    if (fresh) markUnread();
  }

  // What the live events brought during a turn, once the turn's bubbles carry their seqs.
  function flushQueued() {
    var queued = state.queued;
    state.queued = [];
    if (queued.length) showLiveMessages(queued);
  }

  // ---------------------------------------------------------------- sending a turn

  function restoreInput(text) {
    if (!ui.input.value.trim()) {
      ui.input.value = text;
      autoGrow();
      updateSendState();
    }
  }

  async function send() {
    var text = ui.input.value.trim();
    if (!text || state.inFlight) return;
    if (text.length > config.maxChars) {
      showError(t("errTooLong"));
      return;
    }
    clearError();
    state.inFlight = true;
    state.turn += 1;
    updateSendState();

    var conv;
    try {
      conv = await ensureConversation();
    } catch (err) {
      state.inFlight = false;
      updateSendState();
      flushQueued();
      showError(messageForError(err, "errStart"));
      return;
    }

    // From here on the turn belongs to this conversation; a reset makes it stale.
    state.inFlight = true;
    updateSendState();
    var gen = state.generation;
    var stale = function () {
      return gen !== state.generation;
    };
    ui.input.value = "";
    autoGrow();
    updateSendState();

    var userBubble = makeBubble("user");
    userBubble.textContent = text;
    userBubble.classList.add("kefu-pending");
    appendNode(userBubble);
    scrollToBottom(true);
    showTyping();

    var accepted = false; // the server stored the user message
    var finished = false; // `done` or `error` arrived
    var replyBubble = null;
    var streamed = "";
    var noReply = false; // `done` came without a reply (an agent holds the conversation)

    function fail(err, fallbackKey) {
      hideTyping();
      if (!accepted && userBubble.parentNode) userBubble.parentNode.removeChild(userBubble);
      if (replyBubble && !replyBubble.getAttribute("data-done")) {
        replyBubble.classList.remove("kefu-streaming");
        replyBubble.classList.add("kefu-incomplete");
      }
      if (isGone(err)) {
        forgetConversation();
        showError(t("errExpired"));
        restoreInput(text);
        return;
      }
      if (!accepted) restoreInput(text);
      showError(messageForError(err, fallbackKey));
      updateEmpty();
    }

    function onEvent(name, raw) {
      if (stale()) return;
      var payload;
      try {
        payload = JSON.parse(raw);
      } catch (e) {
        return; // not ours (a proxy's keep-alive, say)
      }
      if (name === "message") {
        accepted = true;
        userBubble.classList.remove("kefu-pending");
        fillBubble(userBubble, payload);
      } else if (name === "delta") {
        var chunk = typeof payload.text === "string" ? payload.text : "";
        if (!replyBubble) {
          hideTyping();
          replyBubble = makeBubble("assistant");
          replyBubble.classList.add("kefu-streaming");
          appendNode(replyBubble);
        }
        var stick = nearBottom();
        streamed += chunk;
        replyBubble.appendChild(document.createTextNode(chunk));
        scrollToBottom(stick);
      } else if (name === "reset") {
        // a generated sentence failed the server's check: what follows replaces it
        streamed = "";
        if (replyBubble) replyBubble.textContent = "";
      } else if (name === "done") {
        finished = true;
        accepted = true;
        userBubble.classList.remove("kefu-pending");
        hideTyping();
        if (typeof payload.seq !== "number" && !payload.text) {
          // no reply: a person holds the conversation and answers in their own time
          if (replyBubble && replyBubble.parentNode) {
            replyBubble.parentNode.removeChild(replyBubble);
          }
          replyBubble = null;
          noReply = true;
          updateEmpty();
          return;
        }
        if (!replyBubble) {
          replyBubble = makeBubble(payload.role || "assistant");
          appendNode(replyBubble);
        }
        var stickDone = nearBottom();
        replyBubble.classList.remove("kefu-streaming");
        fillBubble(replyBubble, payload);
        scrollToBottom(stickDone);
        markUnread();
      } else if (name === "error") {
        finished = true;
        var e = payload.error || {};
        fail(new ApiError(-1, e.code || "error", e.message || ""),
             streamed ? "errInterrupted" : "errGeneric");
      }
    }

    var repair = false; // re-read the conversation once the turn is over
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    state.abort = controller;
    try {
      var response = await request("POST", conversationPath(conv, "/stream"), { text: text }, {
        conv: conv,
        accept: "text/event-stream",
        signal: controller ? controller.signal : undefined
      });
      if (stale()) return;
      if (!response.ok) throw await errorFromResponse(response);
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === 0) {
        // a non-streamed answer ({message, reply}), e.g. from a buffering proxy
        var body = await response.json();
        if (body.message) onEvent("message", JSON.stringify(body.message));
        if (body.reply) onEvent("done", JSON.stringify(body.reply));
        else if (body.message) onEvent("done", "{}"); // reply: null, an agent holds it
      } else {
        await readStream(response, onEvent);
      }
      if (!finished && !stale()) {
        fail(null, "errInterrupted");
        repair = accepted;
      }
    } catch (err) {
      if ((err && err.name === "AbortError") || stale()) return;
      if (err instanceof ApiError) {
        fail(err);
      } else {
        // the stream broke mid-way; the server may still have stored the turn
        fail(null, accepted ? "errInterrupted" : "errNetwork");
        repair = accepted;
      }
    } finally {
      if (!stale()) {
        state.inFlight = false;
        state.abort = null;
        updateSendState();
        flushQueued();
        updateCsat();
        // a turn nobody answered: the poll's status tells who holds the conversation
        // when the live events are not there to say it
        if (repair || (noReply && !(state.events && !state.events.off))) resync();
      }
    }
  }

  // ---------------------------------------------------------------- keeping in sync

  // Re-reads the conversation: picks up agent replies and repairs a broken stream.
  async function resync() {
    if (!state.conv || state.inFlight) return;
    var conv = state.conv;
    var gen = state.generation;
    var turn = state.turn;
    var epoch = state.statusEpoch;
    var body;
    try {
      body = await getJson("GET", conversationPath(conv), undefined, { conv: conv });
    } catch (err) {
      if (gen === state.generation && isGone(err)) forgetConversation();
      return;
    }
    if (gen !== state.generation) return;
    if (epoch === state.statusEpoch) applyStatus(body.status); // else a live event is newer
    noteCsat(conv, body);
    if (turn !== state.turn || state.inFlight) return;
    var before = ui.messages.querySelectorAll(".kefu-msg").length;
    // bubbles the server never stored (a broken turn) go; what is missing comes in
    Array.prototype.forEach.call(
      ui.messages.querySelectorAll(".kefu-msg:not([data-seq])"),
      function (b) {
        b.parentNode.removeChild(b);
      }
    );
    renderMessages(body.messages);
    if (ui.messages.querySelectorAll(".kefu-msg").length > before) markUnread();
    flushQueued();
  }

  function startPolling() {
    stopPolling();
    state.pollTimer = window.setInterval(function () {
      if (document.visibilityState === "visible" && state.conv && state.history) resync();
    }, POLL_MS);
  }

  function stopPolling() {
    if (state.pollTimer) window.clearInterval(state.pollTimer);
    state.pollTimer = null;
  }

  // ---------------------------------------------------------------- open / close

  function openPanel() {
    if (state.open) return;
    state.open = true;
    storageSet("sessionStorage", OPEN_KEY, "1");
    ui.root.classList.add("kefu-open");
    ui.panel.removeAttribute("inert");
    ui.panel.setAttribute("aria-hidden", "false");
    ui.launcher.setAttribute("aria-expanded", "true");
    ui.launcher.setAttribute("aria-label", t("close"));
    ui.launcher.classList.remove("kefu-unread");
    openConversationQuietly(); // starts the live events once the conversation is there
    startPolling();
    scrollToBottom(true);
    window.setTimeout(function () {
      ui.input.focus();
    }, 50);
  }

  function closePanel() {
    if (!state.open) return;
    state.open = false;
    storageSet("sessionStorage", OPEN_KEY, null);
    ui.root.classList.remove("kefu-open");
    ui.panel.setAttribute("inert", "");
    ui.panel.setAttribute("aria-hidden", "true");
    ui.launcher.setAttribute("aria-expanded", "false");
    ui.launcher.setAttribute("aria-label", t("open"));
    stopPolling();
    stopEvents();
    ui.launcher.focus();
  }

  // ---------------------------------------------------------------- build

  function build() {
    var link = document.querySelector("link[data-kefu-css]");
    if (!link && config.css) {
      link = el("link", { rel: "stylesheet", href: config.css, "data-kefu-css": "1" });
      document.head.appendChild(link);
    }

    ui.title = el("div", { class: "kefu-title", id: "kefu-title" });
    ui.subtitle = el("div", { class: "kefu-subtitle" });
    ui.newBtn = el("button", { type: "button", id: "kefu-new", class: "kefu-icon-btn" }, [
      icon(ICON_NEW)
    ]);
    ui.closeBtn = el("button", { type: "button", id: "kefu-close", class: "kefu-icon-btn" }, [
      icon(ICON_MINIMISE)
    ]);
    var header = el("header", { class: "kefu-header" }, [
      el("div", { class: "kefu-avatar", "aria-hidden": "true" }, [icon(ICON_CHAT)]),
      el("div", { class: "kefu-heading" }, [ui.title, ui.subtitle]),
      ui.newBtn,
      ui.closeBtn
    ]);

    ui.messages = el("div", {
      id: "kefu-messages",
      class: "kefu-messages",
      role: "log",
      "aria-live": "polite",
      "aria-relevant": "additions"
    });
    ui.empty = el("div", { class: "kefu-empty" });
    // who is answering: a person, someone on the way, or the assistant again
    ui.mode = el("div", {
      class: "kefu-mode",
      role: "status",
      "data-testid": "conversation-status"
    });
    ui.mode.hidden = true;
    ui.status = el("div", { class: "kefu-status", role: "status" });
    ui.status.hidden = true;
    ui.error = el("div", { id: "kefu-error", class: "kefu-error", role: "alert" });
    ui.error.hidden = true;

    ui.input = el("textarea", {
      id: "kefu-input",
      class: "kefu-input",
      rows: "1",
      maxlength: String(config.maxChars),
      autocomplete: "off",
      enterkeyhint: "send"
    });
    ui.send = el("button", { type: "submit", id: "kefu-send", class: "kefu-send" }, [
      icon(ICON_SEND)
    ]);
    ui.form = el("form", { class: "kefu-composer", novalidate: "" }, [ui.input, ui.send]);

    // rating the conversation: a link in the footer that opens a small inline form
    ui.csatOpenText = el("span");
    ui.csatOpen = el(
      "button",
      { type: "button", class: "kefu-csat-open", "data-testid": "csat-open" },
      [icon(ICON_STAR), ui.csatOpenText]
    );
    ui.csatTitle = el("div", { class: "kefu-csat-title", id: "kefu-csat-title" });
    ui.csatScores = [1, 2, 3, 4, 5].map(function (n) {
      return el(
        "button",
        {
          type: "button",
          class: "kefu-star",
          "data-testid": "csat-score",
          "data-score": String(n),
          "aria-pressed": "false"
        },
        [icon(ICON_STAR)]
      );
    });
    ui.csatComment = el("textarea", {
      class: "kefu-csat-comment",
      rows: "2",
      maxlength: "1000",
      "data-testid": "csat-comment"
    });
    ui.csatCancel = el("button", {
      type: "button",
      class: "kefu-csat-cancel",
      "data-testid": "csat-cancel"
    });
    ui.csatSend = el("button", {
      type: "button",
      class: "kefu-csat-send",
      "data-testid": "csat-send"
    });
    ui.csatForm = el("div", { class: "kefu-csat-form" }, [
      ui.csatTitle,
      el("div", { class: "kefu-stars", role: "group", "aria-labelledby": "kefu-csat-title" },
        ui.csatScores),
      ui.csatComment,
      el("div", { class: "kefu-csat-actions" }, [ui.csatCancel, ui.csatSend])
    ]);
    ui.csatThanks = el("div", {
      class: "kefu-csat-thanks",
      role: "status",
      "data-testid": "csat-thanks"
    });
    ui.csat = el("div", { class: "kefu-csat" }, [ui.csatOpen, ui.csatForm, ui.csatThanks]);

    ui.panel = el(
      "section",
      {
        id: "kefu-panel",
        class: "kefu-panel",
        role: "dialog",
        "aria-labelledby": "kefu-title",
        "aria-hidden": "true",
        inert: ""
      },
      [header, ui.mode, ui.status, ui.messages, ui.error, ui.form, ui.csat]
    );

    ui.launcher = el(
      "button",
      {
        type: "button",
        id: "kefu-launcher",
        class: "kefu-launcher",
        "aria-controls": "kefu-panel",
        "aria-expanded": "false"
      },
      [icon(ICON_CHAT, "kefu-icon-open"), icon(ICON_CLOSE, "kefu-icon-close")]
    );

    ui.root = el("div", { id: "kefu-root", class: "kefu-root" }, [ui.panel, ui.launcher]);
    if (config.accent) ui.root.style.setProperty("--kefu-accent", config.accent);
    if (link && !link.sheet) {
      // stay invisible until styled, so the page never flashes a bare form
      ui.root.style.visibility = "hidden";
      var reveal = function () {
        ui.root.style.visibility = "";
      };
      link.addEventListener("load", reveal);
      link.addEventListener("error", reveal);
      window.setTimeout(reveal, 4000);
    }
    document.body.appendChild(ui.root);

    // events
    ui.launcher.addEventListener("click", function () {
      if (state.open) closePanel();
      else openPanel();
    });
    ui.closeBtn.addEventListener("click", closePanel);
    ui.newBtn.addEventListener("click", newConversation);
    ui.form.addEventListener("submit", function (e) {
      e.preventDefault();
      send();
    });
    ui.input.addEventListener("keydown", function (e) {
      // Enter sends, Shift+Enter is a newline; never send while an IME is composing (拼音)
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
        e.preventDefault();
        send();
      }
    });
    ui.input.addEventListener("input", function () {
      autoGrow();
      updateSendState();
    });
    ui.csatOpen.addEventListener("click", openCsat);
    ui.csatCancel.addEventListener("click", cancelCsat);
    ui.csatSend.addEventListener("click", sendCsat);
    ui.csatScores.forEach(function (b) {
      b.addEventListener("click", function () {
        state.csatScore = Number(b.getAttribute("data-score"));
        updateCsat();
      });
    });
    ui.panel.addEventListener("keydown", function (e) {
      if (e.key !== "Escape") return;
      if (state.csatOpen && ui.csatForm.contains(e.target)) cancelCsat(); // just the form
      else closePanel();
    });

    // follow the page's language (e.g. a language toggle that sets <html lang>)
    if (typeof MutationObserver === "function") {
      new MutationObserver(applyLanguage).observe(document.documentElement, {
        attributes: true,
        attributeFilter: ["lang"]
      });
    }

    applyLanguage();
    updateEmpty();
    updateSendState();

    if (state.conv) loadHistory();
    if (storageGet("sessionStorage", OPEN_KEY) === "1") openPanel();
  }

  window.Kefu = {
    version: "1",
    open: function () {
      if (ui.root) openPanel();
    },
    close: function () {
      if (ui.root) closePanel();
    },
    toggle: function () {
      if (!ui.root) return;
      if (state.open) closePanel();
      else openPanel();
    },
    newConversation: function () {
      if (ui.root) newConversation();
    }
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", build);
  } else {
    build();
  }
})();
