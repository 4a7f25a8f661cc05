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
 */
(function () {
  "use strict";

  if (window.Kefu && window.Kefu.version) return; // embedded twice: keep the first one

  var STORAGE_KEY = "kefu.conversation";
  var OPEN_KEY = "kefu.open";
  var POLL_MS = 15000;
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
      errStart: "Couldn't start a conversation. Please try again."
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
      errStart: "无法开始对话，请重试。"
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
    abort: null
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
    if (role === "agent") bubble.setAttribute("data-label", t("agent"));
    return bubble;
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

  // Adds a stored Msg in seq order; a seq already on screen is skipped.
  function insertMessage(msg) {
    if (typeof msg.seq === "number" && state.seqs[msg.seq]) return;
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
    scrollToBottom(stick);
  }

  function clearMessages() {
    state.seqs = {};
    while (ui.messages.firstChild) ui.messages.removeChild(ui.messages.firstChild);
    updateEmpty();
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
      b.setAttribute("data-label", t("agent"));
    });
  }

  // ---------------------------------------------------------------- conversation lifecycle

  // Drops the stored conversation and everything on screen; late answers are ignored.
  function forgetConversation() {
    state.generation += 1;
    if (state.abort) state.abort.abort();
    state.abort = null;
    state.conv = null;
    state.history = null;
    state.creating = null;
    state.inFlight = false;
    saveStored(null);
    hideTyping();
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
        renderMessages(body.messages, true);
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

  function createConversation() {
    if (state.creating) return state.creating;
    var gen = state.generation;
    var creating = getJson("POST", "/v1/conversations", {
      channel: "widget",
      language: currentLanguage()
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
        if (created) return created;
        continue; // reset while creating: try again with the new generation
      }
      await (state.history || loadHistory());
      if (state.conv) return state.conv;
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
        if (repair) resync();
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
    var body;
    try {
      body = await getJson("GET", conversationPath(conv), undefined, { conv: conv });
    } catch (err) {
      if (gen === state.generation && isGone(err)) forgetConversation();
      return;
    }
    if (gen !== state.generation || turn !== state.turn || state.inFlight) return;
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
    openConversationQuietly();
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
      [header, ui.status, ui.messages, ui.error, ui.form]
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
    ui.panel.addEventListener("keydown", function (e) {
      if (e.key === "Escape") closePanel();
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
