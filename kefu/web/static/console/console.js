/*
 * kefu staff console: the inbox, a conversation with takeover and replies, order actions,
 * agent assist, the dashboard, knowledge gaps, experiments and staff accounts.
 *
 * One static page (served at /console) talking to the JSON API under /console/api
 * (docs/console-api.md). No framework, no build step. Everything that comes from the server
 * is rendered with textContent: customer text is never parsed as HTML. Live updates come
 * from server-sent events read with fetch + ReadableStream (so the session cookie and
 * errors are handled like any other request), reconnected with backoff when they drop.
 */
(function () {
  "use strict";

  var API = "/console/api";
  var VIEWS = ["inbox", "dashboard", "gaps", "experiments", "staff"];
  var ADMIN_VIEWS = ["experiments", "staff"];
  var TITLE = "kefu console";
  var MAX_REPLY = 4000;

  var state = {
    me: null, // {username, display_name, role}
    csrf: null,
    loginToken: null, // a pending or settled promise of the sign-in CSRF token
    loginBusy: false,
    view: null,
    intents: null, // a promise of [name]
    intentList: [],
    inbox: { items: [], all: false, stream: null, version: 0, live: "off" },
    conv: null,
    convGen: 0,
    dash: { gen: 0, from: null, to: null },
    gaps: { gen: 0, from: null, to: null },
    exps: { gen: 0 },
    staff: { gen: 0 },
    tickTimer: null,
    toastTimer: null
  };

  var ui = {};

  // ================================================================== DOM helpers

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    var value;
    if (attrs) {
      Object.keys(attrs).forEach(function (name) {
        var v = attrs[name];
        if (v === null || v === undefined || v === false) return;
        if (name === "text") node.textContent = String(v);
        else if (name === "testid") node.setAttribute("data-testid", v);
        else if (name === "value") value = v;
        else if (name === "on") {
          Object.keys(v).forEach(function (ev) {
            node.addEventListener(ev, v[ev]);
          });
        } else if (v === true) node.setAttribute(name, "");
        else node.setAttribute(name, String(v));
      });
    }
    append(node, children);
    if (value !== undefined) node.value = value;
    return node;
  }

  function append(node, children) {
    if (children === null || children === undefined || children === false) return node;
    if (!Array.isArray(children)) children = [children];
    children.forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      if (Array.isArray(child)) append(node, child);
      else if (typeof child === "string" || typeof child === "number") {
        node.appendChild(document.createTextNode(String(child)));
      } else node.appendChild(child);
    });
    return node;
  }

  function clear(node) {
    while (node && node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  function replaceChildren(node, children) {
    clear(node);
    return append(node, children);
  }

  function byId(id) {
    return document.getElementById(id);
  }

  function show(node, visible) {
    if (node) node.hidden = !visible;
  }

  function setText(node, text) {
    if (node) node.textContent = text === null || text === undefined ? "" : String(text);
  }

  var SVG_NS = "http://www.w3.org/2000/svg";

  function icon(d) {
    var svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", "icon");
    var path = document.createElementNS(SVG_NS, "path");
    path.setAttribute("d", d);
    svg.appendChild(path);
    return svg;
  }

  var ICON_UP = "M7 11v9H4v-9zM7 11l4-8c1.5 0 2.5 1 2.5 2.5V9h5a2 2 0 0 1 2 2.3l-1.3 7A2 2 0 0 1 17.2 20H7";
  var ICON_DOWN = "M7 13V4H4v9zM7 13l4 8c1.5 0 2.5-1 2.5-2.5V15h5a2 2 0 0 0 2-2.3l-1.3-7A2 2 0 0 0 17.2 4H7";
  var ICON_REFRESH = "M20 11a8 8 0 1 0-2.3 5.7M20 5v6h-6";

  // ================================================================== formatting

  function isNum(v) {
    return typeof v === "number" && isFinite(v);
  }

  function pad2(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function parseDate(iso) {
    if (!iso) return null;
    var text = String(iso);
    // a date-time without a zone is UTC (the server stores UTC), never the browser's local time
    if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text)) text += "Z";
    var d = new Date(text);
    return isNaN(d.getTime()) ? null : d;
  }

  function fmtTime(iso) {
    var d = parseDate(iso);
    if (!d) return "";
    var now = new Date();
    var sameDay = d.toDateString() === now.toDateString();
    try {
      return sameDay
        ? d.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" })
        : d.toLocaleString("en-GB", {
          day: "numeric", month: "short", hour: "2-digit", minute: "2-digit"
        });
    } catch (e) {
      return d.toISOString().slice(0, 16).replace("T", " ");
    }
  }

  function fmtDateTime(iso) {
    var d = parseDate(iso);
    if (!d) return "";
    try {
      return d.toLocaleString("en-GB", {
        year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit"
      });
    } catch (e) {
      return d.toISOString();
    }
  }

  function fmtDate(iso) {
    var d = parseDate(iso);
    if (!d) return "";
    try {
      return d.toLocaleDateString("en-GB", { year: "numeric", month: "short", day: "numeric" });
    } catch (e) {
      return d.toISOString().slice(0, 10);
    }
  }

  function fmtDuration(seconds) {
    if (!isNum(seconds) || seconds < 0) seconds = 0;
    if (seconds < 60) return Math.floor(seconds) + " s";
    var m = Math.floor(seconds / 60);
    if (m < 60) return m + " min";
    var h = Math.floor(m / 60);
    if (h < 24) return h + " h " + (m % 60) + " min";
    return Math.floor(h / 24) + " d " + (h % 24) + " h";
  }

  function secondsSince(iso) {
    var d = parseDate(iso);
    return d ? (Date.now() - d.getTime()) / 1000 : null;
  }

  function fmtAgo(iso) {
    var s = secondsSince(iso);
    if (s === null) return "";
    if (s < 45) return "just now";
    return fmtDuration(s) + " ago";
  }

  function fmtNumber(v, digits) {
    if (!isNum(v)) return "–";
    try {
      return v.toLocaleString("en", { maximumFractionDigits: digits === undefined ? 1 : digits });
    } catch (e) {
      return String(v);
    }
  }

  // A share 0..1 as a percentage (a value above 1 is taken as a percentage already).
  function fmtPct(v, digits) {
    if (!isNum(v)) return "–";
    var p = Math.abs(v) <= 1 ? v * 100 : v;
    return fmtNumber(p, digits === undefined ? 1 : digits) + "%";
  }

  function fmtConfidence(v) {
    if (!isNum(v)) return "";
    return Math.round((v <= 1 ? v * 100 : v)) + "%";
  }

  function fmtMoney(v, currency) {
    if (!isNum(v)) return v === null || v === undefined ? "–" : String(v);
    try {
      return new Intl.NumberFormat("en", { style: "currency", currency: currency || "USD" })
        .format(v);
    } catch (e) {
      return v.toFixed(2) + (currency ? " " + currency : "");
    }
  }

  function fmtMs(v) {
    if (!isNum(v)) return "–";
    return fmtNumber(Math.round(v), 0) + " ms";
  }

  function fmtSeconds(v) {
    if (!isNum(v)) return "–";
    if (v >= 120) return fmtNumber(v / 60, 1) + " min";
    return fmtNumber(v, v < 10 ? 1 : 0) + " s";
  }

  function describeOptions(options) {
    if (!options || typeof options !== "object") return options ? String(options) : "";
    return Object.keys(options)
      .map(function (k) {
        return k + " " + options[k];
      })
      .join(", ");
  }

  function roleName(role) {
    if (role === "user") return "Customer";
    if (role === "agent") return "Agent";
    if (role === "assistant") return "Assistant";
    return role || "";
  }

  function sentimentText(s) {
    if (!s) return "";
    var parts = [s.polarity || "neutral"];
    if (s.emotion && s.emotion !== s.polarity) parts.push(s.emotion);
    var text = parts.join(" · ");
    if (isNum(s.score)) text += " (" + (s.score > 0 ? "+" : "") + s.score.toFixed(2) + ")";
    return text;
  }

  function sentimentClass(s) {
    var p = (s && s.polarity) || "neutral";
    if (p === "negative" || p === "positive") return "sent-" + p;
    return "sent-neutral";
  }

  function todayUtc() {
    return new Date().toISOString().slice(0, 10);
  }

  function addDays(ymd, days) {
    var d = new Date(ymd + "T00:00:00Z");
    d.setUTCDate(d.getUTCDate() + days);
    return d.toISOString().slice(0, 10);
  }

  function daysBetween(from, to) {
    var out = [];
    if (!/^\d{4}-\d{2}-\d{2}$/.test(from || "") || !/^\d{4}-\d{2}-\d{2}$/.test(to || "")) {
      return out;
    }
    for (var d = from; d <= to && out.length < 1000; d = addDays(d, 1)) out.push(d);
    return out;
  }

  function isAdmin() {
    return !!(state.me && state.me.role === "admin");
  }

  function displayName(user) {
    return (user && (user.display_name || user.username)) || "";
  }

  // ================================================================== API

  function ApiError(status, code, message, retryAfter) {
    this.name = "ApiError";
    this.status = status; // 0: the server could not be reached
    this.code = code;
    this.message = message || "";
    this.retryAfter = retryAfter;
  }
  ApiError.prototype = Object.create(Error.prototype);
  ApiError.prototype.constructor = ApiError;

  async function errorFromResponse(response) {
    var body = null;
    try {
      body = await response.json();
    } catch (e) {
      body = null;
    }
    var e = (body && body.error) || {};
    var retry = parseInt(response.headers.get("Retry-After") || "", 10);
    return new ApiError(
      response.status,
      e.code || "http_" + response.status,
      typeof e.message === "string" ? e.message : "",
      isNaN(retry) ? null : retry
    );
  }

  async function api(method, path, body, options) {
    var opts = options || {};
    var headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET" && method !== "HEAD") {
      var token = opts.csrf !== undefined ? opts.csrf : state.csrf;
      if (token) headers["X-CSRF-Token"] = token;
    }
    var response;
    try {
      response = await fetch(API + path, {
        method: method,
        headers: headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "same-origin",
        cache: "no-store",
        signal: opts.signal
      });
    } catch (err) {
      if (err && err.name === "AbortError") throw err;
      throw new ApiError(0, "network", "Couldn't reach the server. Check the connection.");
    }
    if (!response.ok) {
      var error = await errorFromResponse(response);
      if (error.status === 401 && !opts.noAuthRedirect) sessionEnded();
      if (error.status === 403 && error.code === "csrf" && !opts.noCsrfRetry && !opts.retried) {
        // the session's token changed (signed in elsewhere, say): fetch it again, retry once
        if (await refreshMe()) {
          return api(method, path, body, Object.assign({}, opts, { retried: true }));
        }
      }
      throw error;
    }
    if (response.status === 204) return {};
    var type = response.headers.get("Content-Type") || "";
    if (type.indexOf("json") === -1) return response.text();
    return response.json();
  }

  async function refreshMe() {
    try {
      var body = await api("GET", "/me", undefined, { noAuthRedirect: true });
      state.csrf = body.csrf;
      return true;
    } catch (err) {
      if (err.status === 401) sessionEnded();
      return false;
    }
  }

  function errText(err, fallback) {
    if (!(err instanceof ApiError)) return fallback || "Something went wrong.";
    if (err.status === 0) return err.message;
    if (err.status === 403 && err.code === "forbidden") {
      return err.message || "Your role may not do that.";
    }
    if (err.status === 404) return err.message || "Not found.";
    if (err.status === 429) {
      return "Too many requests." + (err.retryAfter ? " Try again in " + err.retryAfter + " s." : "");
    }
    if (err.message) return err.message;
    if (err.status >= 500) return "The server had a problem (" + err.status + "). Try again.";
    return fallback || "Something went wrong (" + err.status + ").";
  }

  function enc(value) {
    return encodeURIComponent(String(value));
  }

  function query(params) {
    var parts = [];
    Object.keys(params).forEach(function (k) {
      var v = params[k];
      if (v === null || v === undefined || v === "") return;
      parts.push(enc(k) + "=" + enc(v));
    });
    return parts.length ? "?" + parts.join("&") : "";
  }

  // ================================================================== server-sent events

  // Text goes in with feed(); onEvent(name, data) is called for every complete frame.
  function SseParser(onEvent) {
    var buffer = "";

    function dispatch(frame) {
      var name = "message";
      var data = [];
      frame.split("\n").forEach(function (line) {
        if (!line || line.charAt(0) === ":") return; // keep-alive comments
        var i = line.indexOf(":");
        var field = i === -1 ? line : line.slice(0, i);
        var value = i === -1 ? "" : line.slice(i + 1);
        if (value.charAt(0) === " ") value = value.slice(1);
        if (field === "event") name = value;
        else if (field === "data") data.push(value);
      });
      if (data.length) onEvent(name, data.join("\n"));
    }

    this.feed = function (text) {
      buffer += text;
      var hold = "";
      if (buffer.charAt(buffer.length - 1) === "\r") {
        hold = "\r"; // maybe half of a \r\n split across two chunks
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

  // A long-lived event stream that reconnects with exponential backoff (1 s … 30 s, jittered).
  // handlers: onEvent(name, payload), onState("connecting"|"live"|"reconnecting"|"off"),
  // onOpen(first), onDrop(), onFatal(err) for 403/404 (the stream is given up).
  function LiveStream(getUrl, handlers) {
    this.getUrl = getUrl;
    this.h = handlers || {};
    this.stopped = false;
    this.attempt = 0;
    this.opens = 0;
    this.controller = null;
    this.timer = null;
  }

  LiveStream.prototype.setState = function (s) {
    if (this.h.onState) this.h.onState(s);
  };

  LiveStream.prototype.start = function () {
    this.connect();
    return this;
  };

  LiveStream.prototype.stop = function () {
    this.stopped = true;
    if (this.timer) window.clearTimeout(this.timer);
    this.timer = null;
    if (this.controller) this.controller.abort();
    this.controller = null;
    this.setState("off");
  };

  LiveStream.prototype.restart = function () {
    if (this.stopped) return;
    if (this.timer) window.clearTimeout(this.timer);
    this.timer = null;
    if (this.controller) this.controller.abort();
    this.attempt = 0;
    this.connect();
  };

  LiveStream.prototype.connect = async function () {
    var self = this;
    if (self.stopped) return;
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    self.controller = controller;
    var mine = function () {
      return !self.stopped && self.controller === controller;
    };
    self.setState(self.opens ? "reconnecting" : "connecting");
    try {
      var response = await fetch(self.getUrl(), {
        headers: { Accept: "text/event-stream" },
        credentials: "same-origin",
        cache: "no-store",
        signal: controller ? controller.signal : undefined
      });
      if (!mine()) return;
      if (!response.ok) {
        var err = await errorFromResponse(response);
        if (!mine()) return;
        if (err.status === 401) {
          sessionEnded();
          return;
        }
        if (err.status === 403 || err.status === 404) {
          self.stopped = true;
          self.setState("off");
          if (self.h.onFatal) self.h.onFatal(err);
          return;
        }
        throw err;
      }
      self.attempt = 0;
      self.opens += 1;
      self.setState("live");
      if (self.h.onOpen) self.h.onOpen(self.opens === 1);
      await readStream(response, function (name, raw) {
        if (!mine()) return;
        var payload;
        try {
          payload = JSON.parse(raw);
        } catch (e) {
          return; // not JSON: not ours
        }
        if (name === "error") {
          // the server ends the stream with a reason: the session ended, the thing went
          var e0 = (payload && payload.error) || {};
          if (e0.code === "unauthorized") {
            sessionEnded();
          } else if (e0.code === "not_found" || e0.code === "forbidden") {
            self.stopped = true;
            self.setState("off");
            if (self.h.onFatal) {
              self.h.onFatal(new ApiError(e0.code === "not_found" ? 404 : 403, e0.code, e0.message));
            }
          }
          return; // anything else: the stream ends and is reconnected
        }
        try {
          self.h.onEvent(name, payload);
        } catch (e) {
          if (window.console) window.console.error(e);
        }
      });
    } catch (err) {
      if (!mine() || (err && err.name === "AbortError")) return;
    }
    if (!mine()) return;
    var delay = Math.min(30000, 1000 * Math.pow(2, self.attempt)) * (0.8 + Math.random() * 0.4);
    self.attempt += 1;
    self.setState("reconnecting");
    if (self.h.onDrop) self.h.onDrop();
    self.timer = window.setTimeout(function () {
      self.timer = null;
      self.connect();
    }, delay);
  };

  // ================================================================== toast

  function toast(text, kind) {
    if (!ui.toast) return;
    ui.toast.textContent = text;
    ui.toast.className = "toast" + (kind ? " toast-" + kind : "");
    ui.toast.hidden = false;
    if (state.toastTimer) window.clearTimeout(state.toastTimer);
    state.toastTimer = window.setTimeout(function () {
      ui.toast.hidden = true;
    }, kind === "error" ? 6000 : 3500);
  }

  // ================================================================== sign-in / sign-out

  function fetchLoginToken() {
    var p = api("GET", "/login-token", undefined, { noAuthRedirect: true }).then(
      function (body) {
        return body.csrf;
      },
      function (err) {
        if (state.loginToken === p) state.loginToken = null;
        throw err;
      }
    );
    state.loginToken = p;
    p.catch(function () {});
    return p;
  }

  function showLoginError(text) {
    setText(ui.loginError, text);
    show(ui.loginError, !!text);
    if (text) showLoginInfo("");
  }

  // A notice that is not an error: signed out, the session ended.
  function showLoginInfo(text) {
    setText(ui.loginInfo, text);
    show(ui.loginInfo, !!text);
  }

  function showLogin(message, opts) {
    show(ui.boot, false);
    show(ui.app, false);
    show(ui.loginView, true);
    document.title = TITLE + " — sign in";
    ui.loginPassword.value = "";
    showLoginError(opts && opts.error ? message : "");
    showLoginInfo(opts && opts.error ? "" : message || "");
    fetchLoginToken();
    window.setTimeout(function () {
      (ui.loginUsername.value ? ui.loginPassword : ui.loginUsername).focus();
    }, 0);
  }

  async function submitLogin(event) {
    event.preventDefault();
    if (state.loginBusy) return;
    var username = ui.loginUsername.value.trim();
    var password = ui.loginPassword.value;
    if (!username || !password) {
      showLoginError("Enter your user name and password.");
      return;
    }
    state.loginBusy = true;
    ui.loginSubmit.disabled = true;
    ui.loginSubmit.textContent = "Signing in…";
    var creds = { username: username, password: password };
    try {
      var token = await (state.loginToken || fetchLoginToken());
      var body;
      try {
        body = await api("POST", "/login", creds, {
          csrf: token, noAuthRedirect: true, noCsrfRetry: true
        });
      } catch (err) {
        if (!(err instanceof ApiError) || err.status !== 403 || err.code !== "csrf") throw err;
        token = await fetchLoginToken(); // the login token expired: once more with a fresh one
        body = await api("POST", "/login", creds, {
          csrf: token, noAuthRedirect: true, noCsrfRetry: true
        });
      }
      state.loginToken = null;
      ui.loginPassword.value = "";
      showLoginError("");
      startApp(body);
    } catch (err) {
      var msg;
      if (err instanceof ApiError && err.status === 401) {
        msg = "Wrong user name or password.";
      } else if (err instanceof ApiError && err.status === 429) {
        msg = err.retryAfter
          ? "Too many failed sign-ins. Try again in " + err.retryAfter + " seconds."
          : "Too many failed sign-ins. Try again later.";
      } else {
        msg = errText(err, "Sign-in failed.");
      }
      showLoginError(msg);
      ui.loginPassword.value = "";
      ui.loginPassword.focus();
      fetchLoginToken(); // a fresh token for the next try
    } finally {
      state.loginBusy = false;
      ui.loginSubmit.disabled = false;
      ui.loginSubmit.textContent = "Sign in";
    }
  }

  function stopEverything() {
    if (state.inbox.stream) state.inbox.stream.stop();
    state.inbox.stream = null;
    closeConversation();
    if (state.tickTimer) window.clearInterval(state.tickTimer);
    state.tickTimer = null;
    state.dash.gen += 1;
    state.gaps.gen += 1;
    state.exps.gen += 1;
    state.staff.gen += 1;
  }

  // A 401 from anywhere: the session ended (expired, signed out elsewhere, account disabled).
  function sessionEnded() {
    if (!state.me) return;
    stopEverything();
    state.me = null;
    state.csrf = null;
    state.view = null;
    showLogin("Your session has ended. Please sign in again.");
  }

  async function logout() {
    ui.logout.disabled = true;
    try {
      await api("POST", "/logout", {}, { noAuthRedirect: true });
    } catch (err) {
      /* signed out already, or the server is away: the page forgets the session anyway */
    }
    ui.logout.disabled = false;
    stopEverything();
    state.me = null;
    state.csrf = null;
    state.view = null;
    showLogin("You have signed out.");
  }

  // ================================================================== the app shell

  function startApp(body) {
    state.me = body.user;
    state.csrf = body.csrf;
    state.view = null;
    state.inbox.items = [];
    state.intents = null;
    show(ui.boot, false);
    show(ui.loginView, false);
    show(ui.app, true);
    setText(ui.userName, displayName(state.me));
    ui.userName.title = state.me.username;
    setText(ui.userRole, state.me.role);
    ui.userRole.className = "role-badge role-" + state.me.role;
    document.documentElement.classList.toggle("is-admin", isAdmin());
    Array.prototype.forEach.call(document.querySelectorAll(".nav [data-admin]"), function (a) {
      a.hidden = !isAdmin();
    });

    buildInbox();
    buildDashboard();
    buildGaps();
    replaceChildren(ui.views.experiments, []);
    replaceChildren(ui.views.staff, []);
    if (isAdmin()) {
      buildExperiments();
      buildStaff();
    }

    loadIntents();
    startInbox();
    if (state.tickTimer) window.clearInterval(state.tickTimer);
    state.tickTimer = window.setInterval(tick, 20000);
    route();
  }

  function parseHash() {
    var h = (window.location.hash || "").replace(/^#\/?/, "");
    var i = h.indexOf("/");
    var view = i === -1 ? h : h.slice(0, i);
    var arg = i === -1 ? "" : h.slice(i + 1);
    try {
      arg = decodeURIComponent(arg);
    } catch (e) {
      /* keep it as it is */
    }
    return { view: view || "inbox", arg: arg || null };
  }

  function route() {
    if (!state.me) return;
    var r = parseHash();
    if (VIEWS.indexOf(r.view) === -1 || (ADMIN_VIEWS.indexOf(r.view) !== -1 && !isAdmin())) {
      if (window.history && window.history.replaceState) {
        window.history.replaceState(null, "", "#inbox");
      }
      r = { view: "inbox", arg: null };
    }
    var entering = state.view !== r.view;
    state.view = r.view;
    VIEWS.forEach(function (name) {
      show(ui.views[name], name === r.view);
    });
    Array.prototype.forEach.call(document.querySelectorAll(".nav a[data-view]"), function (a) {
      if (a.getAttribute("data-view") === r.view) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    });
    if (r.view === "inbox") {
      if (r.arg && (!state.conv || state.conv.id !== r.arg)) openConversation(r.arg);
    } else if (entering) {
      if (r.view === "dashboard") loadDashboard();
      else if (r.view === "gaps") loadGaps();
      else if (r.view === "experiments") loadExperiments();
      else if (r.view === "staff") loadStaff();
    }
    if (r.view === "dashboard" && window.KefuCharts) {
      window.setTimeout(window.KefuCharts.redraw, 0); // sizes are known once visible
    }
  }

  // Every 20 s: the waiting times and "… ago" labels move on.
  function tick() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-since]"), function (node) {
      var since = node.getAttribute("data-since");
      var mode = node.getAttribute("data-since-mode");
      if (mode === "wait") {
        var s = secondsSince(since);
        setText(node, "waiting " + fmtDuration(s));
        node.classList.toggle("wait-long", isNum(s) && s >= 300);
      } else {
        setText(node, fmtAgo(since));
      }
    });
  }

  function loadIntents() {
    if (state.intents) return state.intents;
    state.intents = api("GET", "/intents").then(
      function (body) {
        state.intentList = (body.intents || []).slice().sort();
        fillIntentSelects();
        return state.intentList;
      },
      function () {
        state.intents = null; // retried when a conversation opens next
        return [];
      }
    );
    return state.intents;
  }

  // ================================================================== inbox

  function buildInbox() {
    var v = ui.views.inbox;
    ui.inboxAll = el("input", { type: "checkbox", testid: "inbox-all", id: "inbox-all" });
    ui.inboxAll.checked = state.inbox.all;
    ui.inboxAll.addEventListener("change", function () {
      state.inbox.all = ui.inboxAll.checked;
      refreshInbox();
      if (state.inbox.stream) state.inbox.stream.restart();
    });
    ui.inboxLive = el("span", { class: "live live-off", testid: "inbox-live", text: "offline" });
    ui.inboxList = el("div", { class: "inbox-list", testid: "inbox-list" });
    ui.inboxEmpty = el("div", { class: "empty", testid: "inbox-empty", hidden: true });
    var listPane = el("aside", { class: "inbox-pane" }, [
      el("div", { class: "pane-head" }, [
        el("h2", { text: "Inbox" }),
        ui.inboxLive,
        el("label", { class: "toggle", for: "inbox-all" }, [ui.inboxAll, " Show all open"])
      ]),
      ui.inboxList,
      ui.inboxEmpty
    ]);
    ui.convPlaceholder = el("div", { class: "conv-placeholder", testid: "conversation-empty" }, [
      el("div", { class: "placeholder-mark", "aria-hidden": "true", text: "客" }),
      el("p", { text: "Select a conversation from the inbox." })
    ]);
    ui.convHost = el("div", { class: "conv-host" }, [ui.convPlaceholder]);
    replaceChildren(v, [listPane, ui.convHost]);
    renderInbox();
  }

  function setInboxLive(s) {
    state.inbox.live = s;
    if (!ui.inboxLive) return;
    var labels = { live: "live", connecting: "connecting…", reconnecting: "reconnecting…", off: "offline" };
    setText(ui.inboxLive, labels[s] || s);
    ui.inboxLive.className = "live live-" + s;
  }

  function startInbox() {
    refreshInbox();
    if (state.inbox.stream) state.inbox.stream.stop();
    state.inbox.stream = new LiveStream(
      function () {
        return API + "/inbox/stream" + (state.inbox.all ? "?all=1" : "");
      },
      {
        onState: setInboxLive,
        onEvent: function (name, payload) {
          if (name !== "inbox" || !payload) return;
          state.inbox.version += 1;
          setInboxItems(payload.conversations || []);
        },
        onDrop: function () {
          refreshInbox(); // keep the list fresh while the stream is down
        },
        onFatal: function () {
          setInboxLive("off");
        }
      }
    ).start();
  }

  async function refreshInbox() {
    var version = state.inbox.version;
    var all = state.inbox.all;
    try {
      var body = await api("GET", "/inbox" + (all ? "?all=1" : ""));
      // a stream event that came meanwhile is newer than this answer
      if (version !== state.inbox.version || all !== state.inbox.all || !state.me) return;
      setInboxItems(body.conversations || []);
    } catch (err) {
      if (err instanceof ApiError && err.status !== 401 && state.inbox.live !== "live") {
        toast("Couldn't load the inbox: " + errText(err), "error");
      }
    }
  }

  function setInboxItems(items) {
    state.inbox.items = items;
    renderInbox();
  }

  function statusInfo(status, assignedTo, assignedName, short) {
    if (status === "handoff") return { text: short ? "Waiting" : "Waiting for a human", cls: "st-handoff" };
    if (status === "agent") {
      var mine = state.me && assignedTo === state.me.username;
      return {
        text: mine ? "With you" : "With " + (assignedName || assignedTo || "an agent"),
        cls: mine ? "st-mine" : "st-agent"
      };
    }
    if (status === "closed") return { text: "Closed", cls: "st-closed" };
    return { text: "Assistant", cls: "st-open" };
  }

  function badge(text, cls, testid) {
    return el("span", { class: "badge " + (cls || ""), testid: testid, text: text });
  }

  function inboxRow(item) {
    var st = statusInfo(item.status, item.assigned_to, item.assigned_name, true);
    var name = item.customer && item.customer.name ? item.customer.name : "Guest";
    var waiting = null;
    if (item.waiting_since) {
      var s = secondsSince(item.waiting_since);
      waiting = el("span", {
        class: "wait" + (isNum(s) && s >= 300 ? " wait-long" : ""),
        testid: "inbox-waiting",
        "data-since": item.waiting_since,
        "data-since-mode": "wait",
        title: "Waiting since " + fmtDateTime(item.waiting_since),
        text: "waiting " + fmtDuration(s)
      });
    } else if (item.updated_at) {
      waiting = el("span", {
        class: "ago",
        testid: "inbox-updated",
        "data-since": item.updated_at,
        title: fmtDateTime(item.updated_at),
        text: fmtAgo(item.updated_at)
      });
    }
    var last = item.last_message;
    var lastNode = el("span", { class: "row-last", testid: "inbox-last" });
    if (last) {
      append(lastNode, [
        el("span", { class: "row-last-role", text: roleName(last.role) + ": " }),
        el("span", { text: last.text || "" })
      ]);
    } else {
      lastNode.textContent = "No messages yet";
    }
    var chips = [];
    if (item.intent) chips.push(el("span", { class: "chip", testid: "inbox-intent", text: item.intent }));
    if (item.sentiment) {
      chips.push(el("span", {
        class: "chip " + sentimentClass(item.sentiment),
        testid: "inbox-sentiment",
        text: item.sentiment.polarity || "neutral",
        title: sentimentText(item.sentiment)
      }));
    }
    chips.push(el("span", {
      class: "row-meta",
      text: [item.channel, item.language].filter(Boolean).join(" · ")
    }));
    var selected = state.conv && state.conv.id === item.id;
    return el("a", {
      class: "inbox-item" + (selected ? " selected" : ""),
      href: "#inbox/" + enc(item.id),
      testid: "inbox-item",
      "data-id": item.id,
      "data-status": item.status,
      "aria-current": selected ? "true" : null
    }, [
      el("span", { class: "row-top" }, [
        badge(st.text, st.cls, "inbox-status"),
        el("span", { class: "row-name", testid: "inbox-customer", text: name }),
        waiting
      ]),
      lastNode,
      el("span", { class: "row-chips" }, chips)
    ]);
  }

  function renderInbox() {
    if (!ui.inboxList) return;
    var items = state.inbox.items || [];
    replaceChildren(ui.inboxList, items.map(inboxRow));
    setText(ui.inboxEmpty, state.inbox.all
      ? "No open conversations."
      : "No conversation is waiting for a human. Nice and quiet.");
    show(ui.inboxEmpty, !items.length);
    var waiting = items.filter(function (i) {
      return i.status === "handoff";
    }).length;
    setText(ui.inboxCount, waiting ? String(waiting) : "");
    show(ui.inboxCount, waiting > 0);
    document.title = (waiting ? "(" + waiting + ") " : "") + TITLE;
  }

  function markSelectedRow() {
    if (!ui.inboxList) return;
    Array.prototype.forEach.call(ui.inboxList.querySelectorAll(".inbox-item"), function (row) {
      var on = !!(state.conv && row.getAttribute("data-id") === state.conv.id);
      row.classList.toggle("selected", on);
      if (on) row.setAttribute("aria-current", "true");
      else row.removeAttribute("aria-current");
    });
  }

  function inboxName(username) {
    if (!username) return null;
    if (state.me && username === state.me.username) return displayName(state.me);
    var items = state.inbox.items || [];
    for (var i = 0; i < items.length; i++) {
      if (items[i].assigned_to === username && items[i].assigned_name) return items[i].assigned_name;
    }
    return null;
  }

  // ================================================================== conversation

  function closeConversation() {
    var c = state.conv;
    if (!c) return;
    if (c.stream) c.stream.stop();
    c.closed = true;
    state.conv = null;
    state.convGen += 1;
  }

  function current(c) {
    return state.conv === c && !c.closed;
  }

  function heldByMe(c) {
    var d = c && c.detail;
    return !!(d && state.me && d.status === "agent" && d.assigned_to === state.me.username);
  }

  async function openConversation(id) {
    closeConversation();
    var c = {
      id: id,
      detail: null,
      nodes: {}, // seq -> message element
      json: {}, // seq -> the message as last drawn
      lastSeq: 0,
      stream: null,
      closed: false,
      sending: false,
      orderForm: null, // {orderId, action}
      orderNotice: null, // {orderId, ok, text}
      customerJson: null,
      assistGen: 0
    };
    state.conv = c;
    buildConversation(c);
    markSelectedRow();
    loadIntents();
    try {
      var detail = await api("GET", "/conversations/" + enc(id));
      if (!current(c)) return;
      applyDetail(c, detail, true);
      c.stream = new LiveStream(
        function () {
          return API + "/conversations/" + enc(c.id) + "/stream?after=" + c.lastSeq;
        },
        {
          onState: function (s) {
            if (!current(c)) return;
            setText(c.ui.live, s === "live" ? "live" : s === "off" ? "offline" : "reconnecting…");
            c.ui.live.className = "live live-" + s;
          },
          onOpen: function (first) {
            if (!first && current(c)) refreshConversation(c); // catch up on the status
          },
          onEvent: function (name, payload) {
            if (!current(c)) return;
            if (name === "message") {
              upsertMessage(c, payload, true);
              if (payload.role === "user") markAssistStale(c);
            } else if (name === "status") {
              applyStatus(c, payload);
            }
          },
          onFatal: function (err) {
            if (current(c) && err.status === 404) showConvError(c, "This conversation is gone.");
          }
        }
      ).start();
      loadAssist(c);
    } catch (err) {
      if (!current(c)) return;
      c.ui.messages.textContent = "";
      showConvError(c, err instanceof ApiError && err.status === 404
        ? "This conversation doesn't exist (or is no longer kept)."
        : "Couldn't open the conversation: " + errText(err));
    }
  }

  async function refreshConversation(c) {
    try {
      var detail = await api("GET", "/conversations/" + enc(c.id));
      if (current(c)) applyDetail(c, detail, false);
    } catch (err) {
      if (current(c) && !(err instanceof ApiError && err.status === 401)) {
        showConvError(c, "Couldn't refresh the conversation: " + errText(err));
      }
    }
  }

  function showConvError(c, text) {
    setText(c.ui.error, text);
    show(c.ui.error, !!text);
  }

  function buildConversation(c) {
    var u = (c.ui = {});
    u.name = el("h2", { class: "conv-name", testid: "conv-customer", text: "Loading…" });
    u.sub = el("div", { class: "conv-sub muted", testid: "conv-sub" });
    u.status = el("span", { class: "badge", testid: "conv-status" });
    u.live = el("span", { class: "live live-connecting", testid: "conv-live", text: "connecting…" });
    u.take = el("button", {
      type: "button", class: "btn btn-primary", testid: "take", text: "Take over", hidden: true
    });
    u.release = el("button", {
      type: "button", class: "btn", testid: "release", text: "Hand back to assistant", hidden: true
    });
    u.take.addEventListener("click", function () {
      takeConversation(c);
    });
    u.release.addEventListener("click", function () {
      releaseConversation(c);
    });
    u.extra = el("div", { class: "conv-extra" });
    u.error = el("div", { class: "conv-error", role: "alert", testid: "conversation-error", hidden: true });
    u.messages = el("div", {
      class: "messages", role: "log", "aria-live": "polite", testid: "messages",
      text: "Loading messages…"
    });
    u.input = el("textarea", {
      class: "reply-input",
      testid: "reply-input",
      rows: "3",
      maxlength: String(MAX_REPLY),
      placeholder: "Take the conversation to reply",
      "aria-label": "Reply to the customer"
    });
    u.send = el("button", {
      type: "submit", class: "btn btn-primary", testid: "reply-send", text: "Send", disabled: true
    });
    u.hint = el("span", { class: "composer-hint muted", testid: "reply-hint" });
    u.composer = el("form", { class: "composer", novalidate: true }, [
      u.input,
      el("div", { class: "composer-bar" }, [u.hint, u.send])
    ]);
    u.composer.addEventListener("submit", function (e) {
      e.preventDefault();
      sendReply(c);
    });
    u.input.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
        e.preventDefault();
        sendReply(c);
      }
    });

    u.assist = buildAssist(c);
    u.customer = el("section", { class: "card side-card", testid: "customer" });
    u.orders = el("section", { class: "card side-card", testid: "orders" });

    var main = el("div", { class: "conv-main" }, [
      el("header", { class: "conv-header" }, [
        el("div", { class: "conv-title" }, [u.name, u.sub]),
        el("div", { class: "conv-actions" }, [u.live, u.status, u.take, u.release])
      ]),
      u.extra,
      u.error,
      u.messages,
      u.composer
    ]);
    var side = el("aside", { class: "conv-side", testid: "conversation-side" }, [
      u.assist, u.customer, u.orders
    ]);
    u.root = el("section", {
      class: "conversation", testid: "conversation", "data-id": c.id, "aria-label": "Conversation"
    }, [main, side]);
    replaceChildren(ui.convHost, [u.root]);
  }

  function applyDetail(c, d, first) {
    c.detail = d;
    renderConvHeader(c);
    if (first) clear(c.ui.messages);
    (d.messages || []).slice().sort(function (a, b) {
      return a.seq - b.seq;
    }).forEach(function (m) {
      upsertMessage(c, m, false);
    });
    if (first) {
      if (!(d.messages || []).length) {
        c.ui.messages.appendChild(el("div", { class: "empty", text: "No messages yet." }));
      }
      c.ui.messages.scrollTop = c.ui.messages.scrollHeight;
      c.ui.kbLanguage.value = d.language === "zh" ? "zh" : "en";
    }
    var cj = JSON.stringify(d.customer || null);
    if (cj !== c.customerJson) {
      c.customerJson = cj;
      renderCustomer(c);
      renderOrders(c);
    }
  }

  function applyStatus(c, p) {
    if (!c.detail || !p) return;
    if (p.status) c.detail.status = p.status;
    if (p.assigned_to !== undefined) {
      c.detail.assigned_to = p.assigned_to;
      c.detail.assigned_name = p.assigned_name || inboxName(p.assigned_to) || p.assigned_to;
    }
    renderConvHeader(c);
  }

  function renderConvHeader(c) {
    var d = c.detail;
    var u = c.ui;
    var name = d.customer && d.customer.name ? d.customer.name : "Guest";
    setText(u.name, name);
    var sub = [];
    sub.push(d.channel || "");
    if (d.language) sub.push(d.language);
    if (d.created_at) sub.push("started " + fmtDateTime(d.created_at));
    sub.push("id " + d.id);
    setText(u.sub, sub.filter(Boolean).join(" · "));
    var st = statusInfo(d.status, d.assigned_to, d.assigned_name);
    setText(u.status, st.text);
    u.status.className = "badge " + st.cls;
    u.status.setAttribute("data-status", d.status || "");
    var mine = heldByMe(c);
    u.root.setAttribute("data-status", d.status || "");
    u.root.setAttribute("data-held", mine ? "me" : d.status === "agent" ? "other" : "none");
    u.take.hidden = mine;
    u.take.textContent = d.status === "handoff" ? "Take over (customer waiting)" : "Take over";
    u.release.hidden = !(d.status === "agent" && (mine || isAdmin()));
    u.send.disabled = !mine || c.sending;
    u.input.placeholder = mine
      ? "Write a reply… (Enter sends, Shift+Enter for a new line)"
      : "Take the conversation to reply";
    setText(u.hint, mine
      ? "You hold this conversation: the assistant is paused."
      : d.status === "agent"
        ? "Held by " + (d.assigned_name || d.assigned_to) + "."
        : "The assistant answers while nobody holds the conversation.");

    var extra = [];
    if (d.experiment) {
      extra.push(el("span", {
        class: "chip chip-soft", testid: "conv-experiment",
        text: "Experiment: " + (d.experiment.name || d.experiment.id) + " / " + (d.experiment.variant || "?")
      }));
    }
    if (d.csat) {
      extra.push(el("span", {
        class: "chip chip-soft", testid: "conv-csat",
        text: "CSAT " + d.csat.score + "/5" + (d.csat.comment ? ": " + d.csat.comment : "")
      }));
    }
    replaceChildren(u.extra, extra);
    show(u.extra, extra.length > 0);
  }

  function nearBottom(box) {
    return box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  }

  function upsertMessage(c, m, live) {
    if (!m || typeof m.seq !== "number") return;
    var box = c.ui.messages;
    var stick = nearBottom(box);
    var json = JSON.stringify(m);
    var old = c.nodes[m.seq];
    if (old && c.json[m.seq] === json) return;
    var node = messageNode(c, m);
    c.json[m.seq] = json;
    c.nodes[m.seq] = node;
    if (m.seq > c.lastSeq) c.lastSeq = m.seq;
    if (old) {
      box.replaceChild(node, old);
      return;
    }
    var empty = box.querySelector(":scope > .empty");
    if (empty) box.removeChild(empty);
    var later = null;
    var placed = box.querySelectorAll(".msg[data-seq]");
    for (var i = 0; i < placed.length; i++) {
      if (Number(placed[i].getAttribute("data-seq")) > m.seq) {
        later = placed[i];
        break;
      }
    }
    box.insertBefore(node, later);
    if (live && (stick || m.role === "agent")) box.scrollTop = box.scrollHeight;
    if (c.detail && c.detail.messages) {
      var known = c.detail.messages.some(function (x) {
        return x.seq === m.seq;
      });
      if (!known) c.detail.messages.push(m);
    }
  }

  function messageNode(c, m) {
    var label = m.role === "agent" ? m.agent || "Agent" : roleName(m.role);
    var meta = [];
    if (m.intent) {
      meta.push(el("span", {
        class: "chip" + (m.corrected_intent ? " chip-struck" : ""),
        testid: "message-intent",
        title: "Detected intent" + (isNum(m.confidence) ? ", confidence " + fmtConfidence(m.confidence) : "")
      }, [m.intent, isNum(m.confidence)
        ? el("span", { class: "chip-sub", text: " " + fmtConfidence(m.confidence) })
        : null]));
    }
    if (m.corrected_intent) {
      meta.push(el("span", {
        class: "chip chip-ok", testid: "message-corrected", title: "Corrected by staff",
        text: "→ " + m.corrected_intent
      }));
    }
    if (m.sentiment) {
      meta.push(el("span", {
        class: "chip " + sentimentClass(m.sentiment), testid: "message-sentiment",
        text: sentimentText(m.sentiment)
      }));
    }
    if (m.action) {
      meta.push(el("span", { class: "chip chip-soft", testid: "message-action", text: "action: " + m.action }));
    }
    if (m.feedback === "up" || m.feedback === "down") {
      meta.push(el("span", {
        class: "chip feedback feedback-" + m.feedback,
        testid: "message-feedback",
        "data-feedback": m.feedback,
        title: m.feedback === "up" ? "The customer found this helpful" : "The customer found this unhelpful"
      }, [icon(m.feedback === "up" ? ICON_UP : ICON_DOWN),
        m.feedback === "up" ? " helpful" : " not helpful"]));
    }
    var cites = null;
    if (m.citations && m.citations.length) {
      cites = el("div", { class: "cites" }, m.citations.map(function (cite) {
        return el("span", { class: "cite", text: String(cite) });
      }));
    }
    var correct = null;
    if (m.role === "user") {
      var select = el("select", {
        class: "intent-select", testid: "correct-intent", "data-seq": m.seq,
        "aria-label": "Correct the intent of message " + m.seq
      });
      fillIntentSelect(select, m.corrected_intent || m.intent || "");
      var saved = el("span", { class: "saved muted", testid: "intent-saved", role: "status" });
      select.addEventListener("change", function () {
        correctIntent(c, m, select, saved);
      });
      correct = el("label", { class: "msg-correct" }, [
        el("span", { class: "muted", text: "Intent:" }), select, saved
      ]);
    }
    return el("article", {
      class: "msg msg-" + (m.role || "assistant"),
      testid: "message",
      "data-seq": m.seq,
      "data-role": m.role,
      lang: m.language === "zh" ? "zh-CN" : m.language === "en" ? "en" : null
    }, [
      el("div", { class: "msg-head" }, [
        el("span", { class: "msg-role", testid: "message-role", text: label }),
        el("time", {
          class: "msg-time muted", datetime: m.created_at, title: fmtDateTime(m.created_at),
          text: fmtTime(m.created_at)
        })
      ]),
      el("div", { class: "msg-text", testid: "message-text", text: m.text || "" }),
      cites,
      meta.length || correct ? el("div", { class: "msg-meta" }, [meta, correct]) : null
    ]);
  }

  function fillIntentSelect(select, selected) {
    var names = state.intentList.slice();
    if (selected && names.indexOf(selected) === -1) names.unshift(selected);
    var opts = [el("option", { value: "", text: names.length ? "— choose —" : "loading…" })];
    names.forEach(function (n) {
      opts.push(el("option", { value: n, text: n }));
    });
    replaceChildren(select, opts);
    select.value = selected || "";
    select.setAttribute("data-current", selected || "");
  }

  function fillIntentSelects() {
    Array.prototype.forEach.call(document.querySelectorAll("select.intent-select"), function (s) {
      fillIntentSelect(s, s.value || s.getAttribute("data-current") || "");
    });
  }

  async function correctIntent(c, m, select, saved) {
    var intent = select.value;
    if (!intent) return;
    select.disabled = true;
    setText(saved, "saving…");
    saved.className = "saved muted";
    try {
      var body = await api("POST", "/conversations/" + enc(c.id) + "/messages/" + m.seq + "/intent",
        { intent: intent });
      if (!current(c)) return;
      var updated = Object.assign({}, m, {
        intent: body.intent !== undefined ? body.intent : m.intent,
        corrected_intent: body.corrected_intent !== undefined ? body.corrected_intent : intent
      });
      upsertMessage(c, updated, false);
      var node = c.nodes[m.seq];
      var s = node && node.querySelector("[data-testid=intent-saved]");
      if (s) {
        setText(s, "saved");
        s.className = "saved saved-ok";
      }
    } catch (err) {
      select.disabled = false;
      select.value = select.getAttribute("data-current") || "";
      setText(saved, errText(err, "not saved"));
      saved.className = "saved saved-error";
    }
  }

  async function takeConversation(c) {
    showConvError(c, "");
    c.ui.take.disabled = true;
    try {
      var d = await api("POST", "/conversations/" + enc(c.id) + "/take", {});
      if (!current(c)) return;
      applyDetail(c, d, false);
      c.ui.input.focus();
    } catch (err) {
      if (!current(c)) return;
      if (err instanceof ApiError && err.status === 409) {
        showConvError(c, "This conversation was taken by someone else" +
          (err.message ? " (" + err.message + ")" : "") + ".");
        refreshConversation(c);
      } else {
        showConvError(c, "Couldn't take the conversation: " + errText(err));
      }
    } finally {
      if (current(c)) c.ui.take.disabled = false;
    }
  }

  async function releaseConversation(c) {
    showConvError(c, "");
    c.ui.release.disabled = true;
    try {
      var d = await api("POST", "/conversations/" + enc(c.id) + "/release", {});
      if (current(c)) applyDetail(c, d, false);
    } catch (err) {
      if (current(c)) {
        showConvError(c, "Couldn't hand the conversation back: " + errText(err));
        if (err instanceof ApiError && (err.status === 409 || err.status === 403)) refreshConversation(c);
      }
    } finally {
      if (current(c)) c.ui.release.disabled = false;
    }
  }

  async function sendReply(c) {
    var u = c.ui;
    var text = u.input.value.trim();
    if (c.sending) return;
    if (!heldByMe(c)) {
      showConvError(c, "Take the conversation before replying.");
      return;
    }
    if (!text) {
      u.input.focus();
      return;
    }
    c.sending = true;
    u.send.disabled = true;
    showConvError(c, "");
    try {
      var msg = await api("POST", "/conversations/" + enc(c.id) + "/messages", { text: text });
      if (!current(c)) return;
      if (u.input.value.trim() === text) u.input.value = "";
      if (msg && typeof msg.seq === "number") upsertMessage(c, msg, true);
      u.messages.scrollTop = u.messages.scrollHeight;
    } catch (err) {
      if (!current(c)) return;
      if (err instanceof ApiError && err.status === 409) {
        showConvError(c, "You don't hold this conversation any more" +
          (err.message ? " (" + err.message + ")" : "") + ".");
        refreshConversation(c);
      } else {
        showConvError(c, "The reply was not sent: " + errText(err));
      }
    } finally {
      if (current(c)) {
        c.sending = false;
        u.send.disabled = !heldByMe(c);
      }
    }
  }

  // ------------------------------------------------------------------ assist + knowledge

  function buildAssist(c) {
    var u = c.ui;
    u.assistRefresh = el("button", {
      type: "button", class: "btn btn-small btn-ghost", testid: "assist-refresh",
      title: "Refresh the summary and suggestions"
    }, [icon(ICON_REFRESH), " Refresh"]);
    u.assistRefresh.addEventListener("click", function () {
      loadAssist(c);
    });
    u.assistStale = el("div", {
      class: "assist-stale", testid: "assist-stale", hidden: true,
      text: "New customer messages since: refresh for fresh suggestions."
    });
    u.summary = el("p", { class: "summary", testid: "assist-summary", text: "…" });
    u.summarySource = el("span", { class: "chip chip-soft", testid: "assist-summary-source", hidden: true });
    u.suggestions = el("div", { class: "suggestions", testid: "suggestions" });
    u.kbQuery = el("input", {
      type: "search", class: "kb-query", testid: "kb-query", placeholder: "Search the knowledge base",
      "aria-label": "Search the knowledge base"
    });
    u.kbLanguage = el("select", { class: "kb-language", testid: "kb-language", "aria-label": "Language" }, [
      el("option", { value: "en", text: "en" }),
      el("option", { value: "zh", text: "zh" })
    ]);
    u.kbSearch = el("button", { type: "submit", class: "btn btn-small", testid: "kb-search", text: "Search" });
    u.kbResults = el("div", { class: "kb-results", testid: "kb-results" });
    var form = el("form", { class: "kb-form", role: "search" }, [u.kbQuery, u.kbLanguage, u.kbSearch]);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      searchKnowledge(c);
    });
    return el("section", { class: "card side-card assist", testid: "assist" }, [
      el("div", { class: "card-head" }, [el("h3", { text: "Assist" }), u.assistRefresh]),
      u.assistStale,
      el("div", { class: "assist-block" }, [
        el("div", { class: "label-row" }, [el("span", { class: "label", text: "Summary" }), u.summarySource]),
        u.summary
      ]),
      el("div", { class: "assist-block" }, [
        el("div", { class: "label-row" }, [el("span", { class: "label", text: "Suggested replies" })]),
        u.suggestions
      ]),
      el("div", { class: "assist-block" }, [
        el("div", { class: "label-row" }, [el("span", { class: "label", text: "Knowledge" })]),
        form,
        u.kbResults
      ])
    ]);
  }

  function markAssistStale(c) {
    show(c.ui.assistStale, true);
  }

  function putInReply(c, text, appendIt) {
    var input = c.ui.input;
    if (appendIt && input.value.trim()) input.value = input.value.replace(/\s+$/, "") + "\n" + text;
    else input.value = text;
    input.focus();
    try {
      input.setSelectionRange(input.value.length, input.value.length);
    } catch (e) {
      /* not focusable yet */
    }
  }

  async function loadAssist(c) {
    var u = c.ui;
    var gen = ++c.assistGen;
    u.assistRefresh.disabled = true;
    show(u.assistStale, false);
    setText(u.summary, "Summarising…");
    u.summary.classList.add("muted");
    replaceChildren(u.suggestions, [el("span", { class: "muted", text: "…" })]);
    try {
      var body = await api("GET", "/conversations/" + enc(c.id) + "/assist");
      if (!current(c) || gen !== c.assistGen) return;
      var summary = body.summary || {};
      setText(u.summary, summary.text || "Nothing to summarise yet.");
      u.summary.classList.toggle("muted", !summary.text);
      setText(u.summarySource, summary.source || "");
      show(u.summarySource, !!summary.source);
      var list = (body.suggestions || []).filter(function (s) {
        return s && s.text;
      });
      if (!list.length) {
        replaceChildren(u.suggestions, [el("span", { class: "muted", text: "No suggestion for now." })]);
      } else {
        replaceChildren(u.suggestions, list.map(function (s) {
          var b = el("button", {
            type: "button", class: "suggestion", testid: "suggestion",
            title: "Put this reply in the reply box" + (s.source ? " (" + s.source + ")" : "")
          }, [
            el("span", { class: "suggestion-text", text: s.text }),
            s.source ? el("span", { class: "chip chip-soft", text: s.source }) : null
          ]);
          b.addEventListener("click", function () {
            putInReply(c, s.text, false);
          });
          return b;
        }));
      }
    } catch (err) {
      if (!current(c) || gen !== c.assistGen) return;
      setText(u.summary, "Assist is unavailable: " + errText(err));
      clear(u.suggestions);
    } finally {
      if (current(c) && gen === c.assistGen) u.assistRefresh.disabled = false;
    }
  }

  async function searchKnowledge(c) {
    var u = c.ui;
    var q = u.kbQuery.value.trim();
    if (!q) {
      u.kbQuery.focus();
      return;
    }
    u.kbSearch.disabled = true;
    replaceChildren(u.kbResults, [el("span", { class: "muted", text: "Searching…" })]);
    try {
      var body = await api("GET", "/knowledge" + query({ q: q, language: u.kbLanguage.value }));
      if (!current(c)) return;
      var passages = body.passages || [];
      if (!passages.length) {
        replaceChildren(u.kbResults, [el("div", { class: "muted", testid: "kb-empty", text: "Nothing found." })]);
        return;
      }
      replaceChildren(u.kbResults, passages.map(function (p) {
        var use = el("button", {
          type: "button", class: "btn btn-small btn-ghost", testid: "kb-insert", text: "Insert"
        });
        use.addEventListener("click", function () {
          putInReply(c, p.text || "", true);
        });
        return el("div", { class: "kb-result", testid: "kb-result", "data-doc-id": p.doc_id }, [
          el("div", { class: "kb-head" }, [
            el("strong", { class: "kb-title", text: p.title || p.doc_id || "" }),
            use
          ]),
          el("div", { class: "kb-meta muted" }, [
            el("span", { text: p.doc_id || "" }),
            isNum(p.score) ? el("span", { text: " · score " + fmtNumber(p.score, 3) }) : null
          ]),
          el("p", { class: "kb-text", text: p.text || "" })
        ]);
      }));
    } catch (err) {
      if (current(c)) replaceChildren(u.kbResults, [el("div", { class: "form-error", text: errText(err) })]);
    } finally {
      if (current(c)) u.kbSearch.disabled = false;
    }
  }

  // ------------------------------------------------------------------ customer + orders

  function renderCustomer(c) {
    var cu = c.detail.customer;
    var box = c.ui.customer;
    if (!cu) {
      replaceChildren(box, [
        el("div", { class: "card-head" }, [el("h3", { text: "Customer" })]),
        el("p", { class: "muted", testid: "customer-unknown", text: "Not identified yet (a guest)." })
      ]);
      return;
    }
    function row(label, value, testid) {
      return [
        el("dt", { text: label }),
        el("dd", { testid: testid, text: value || "–" })
      ];
    }
    replaceChildren(box, [
      el("div", { class: "card-head" }, [el("h3", { text: "Customer" })]),
      el("dl", { class: "facts" }, [
        row("Name", cu.name, "customer-name"),
        row("Email", cu.email, "customer-email"),
        row("Phone", cu.phone, "customer-phone"),
        row("Language", cu.language, "customer-language"),
        row("Address", cu.address, "customer-address"),
        row("ID", cu.id, "customer-id")
      ]),
      renderProfile(cu.profile)
    ]);
  }

  // What kefu knows of the customer: tier, value, open issues, preferences with their
  // evidence (an order, or a message of a conversation), the mood of recent conversations.
  function renderProfile(p) {
    if (!p) return el("div", { testid: "profile", class: "muted", text: "No profile." });
    var money = function (cents) {
      return (cents / 100).toFixed(2) + " " + (p.currency || "");
    };
    var facts = [
      el("dt", { text: "Tier" }),
      el("dd", { testid: "profile-tier", text: p.tier }),
      el("dt", { text: "Lifetime value" }),
      el("dd", { testid: "profile-ltv", text: money(p.lifetime_value_cents) }),
      el("dt", { text: "Usual prices" }),
      el("dd", {
        text: p.price_range_cents ? money(p.price_range_cents[0]) + " – " + money(p.price_range_cents[1]) : "–"
      })
    ];
    var issues = (p.open_issues || []).map(function (i) {
      return el("li", { testid: "profile-issue", text: i.order_id + ": " + i.status });
    });
    var prefs = (p.preferences || []).map(function (f) {
      var from = f.source === "order" ? "order " + f.evidence : "said in " + String(f.evidence).split("#")[0].slice(0, 8);
      return el("li", { testid: "profile-preference" }, [
        el("span", { class: "pref-value", text: f.kind + ": " + (f.polarity === "dislike" ? "not " : "") + (f.label || f.value) }),
        el("span", { class: "muted", text: " (" + from + (f.at ? ", " + String(f.at).slice(0, 10) : "") + ")" })
      ]);
    });
    var moods = (p.sentiment || []).map(function (m) {
      return el("li", { text: String(m.at).slice(0, 10) + ": " + Number(m.average).toFixed(2) });
    });
    return el("div", { testid: "profile", class: "profile" }, [
      el("h4", { text: "Profile" }),
      el("dl", { class: "facts" }, facts),
      el("h4", { text: "Open issues" }),
      issues.length ? el("ul", {}, issues) : el("p", { class: "muted", text: "None." }),
      el("h4", { text: "Preferences" }),
      prefs.length ? el("ul", { testid: "profile-preferences" }, prefs) : el("p", { class: "muted", text: "None known." }),
      el("h4", { text: "Recent mood" }),
      moods.length ? el("ul", {}, moods) : el("p", { class: "muted", text: "–" })
    ]);
  }

  var ORDER_ACTIONS = [
    { action: "cancel", label: "Cancel", testid: "order-cancel" },
    { action: "return", label: "Return", testid: "order-return" },
    { action: "exchange", label: "Exchange", testid: "order-exchange" },
    { action: "modify_address", label: "Change address", testid: "order-modify-address" },
    { action: "modify_payment", label: "Change payment", testid: "order-modify-payment" }
  ];

  function renderOrders(c) {
    var cu = c.detail.customer;
    var box = c.ui.orders;
    var orders = (cu && cu.orders) || [];
    var head = el("div", { class: "card-head" }, [
      el("h3", { text: "Orders" }),
      el("span", { class: "muted", text: orders.length ? String(orders.length) : "" })
    ]);
    if (!cu) {
      replaceChildren(box, [head, el("p", { class: "muted", text: "No customer, no orders." })]);
      return;
    }
    if (!orders.length) {
      replaceChildren(box, [head, el("p", { class: "muted", testid: "orders-empty", text: "No orders." })]);
      return;
    }
    replaceChildren(box, [head].concat(orders.map(function (o) {
      return orderNode(c, o);
    })));
  }

  function orderNode(c, o) {
    var cu = c.detail.customer;
    var items = o.items || [];
    var refunded = null;
    if (o.refunded === true) refunded = "refunded";
    else if (isNum(o.refunded) && o.refunded > 0) refunded = "refunded " + fmtMoney(o.refunded, o.currency);
    var actions = el("div", { class: "order-actions" }, ORDER_ACTIONS.map(function (a) {
      var open = c.orderForm && c.orderForm.orderId === o.id && c.orderForm.action === a.action;
      var b = el("button", {
        type: "button",
        class: "btn btn-small" + (open ? " btn-active" : ""),
        testid: a.testid,
        "aria-expanded": open ? "true" : "false",
        text: a.label
      });
      b.addEventListener("click", function () {
        c.orderForm = open ? null : { orderId: o.id, action: a.action };
        if (c.orderNotice && c.orderNotice.orderId === o.id) c.orderNotice = null;
        renderOrders(c);
      });
      return b;
    }));
    var notice = null;
    if (c.orderNotice && c.orderNotice.orderId === o.id) {
      notice = el("div", {
        class: "order-result " + (c.orderNotice.ok ? "ok" : "refused"),
        role: "status",
        testid: "order-result",
        text: c.orderNotice.text
      });
    }
    var form = null;
    if (c.orderForm && c.orderForm.orderId === o.id) form = orderForm(c, o, cu, c.orderForm.action);
    return el("div", {
      class: "order", testid: "order", "data-id": o.id, "data-status": o.status
    }, [
      el("div", { class: "order-head" }, [
        el("strong", { class: "order-id", testid: "order-id", text: "#" + o.id }),
        badge(o.status || "?", "order-st order-st-" + String(o.status || "").replace(/[^a-z_]/gi, ""), "order-status"),
        el("span", { class: "spacer" }),
        el("strong", { class: "order-total", testid: "order-total", text: fmtMoney(o.total, o.currency) })
      ]),
      el("div", { class: "order-sub muted" }, [
        o.created_at ? "placed " + fmtDate(o.created_at) : "",
        isNum(o.paid) ? " · paid " + fmtMoney(o.paid, o.currency) : "",
        refunded ? " · " + refunded : ""
      ]),
      el("ul", { class: "order-items" }, items.map(function (it) {
        return el("li", { testid: "order-item", "data-item-id": it.item_id }, [
          el("span", { class: "item-name", text: it.name || it.product_id || "" }),
          it.options && describeOptions(it.options)
            ? el("span", { class: "item-options muted", text: " (" + describeOptions(it.options) + ")" })
            : null,
          el("span", { class: "item-price", text: fmtMoney(it.price, o.currency) }),
          el("span", { class: "item-id muted", text: it.item_id })
        ]);
      })),
      actions,
      form,
      notice
    ]);
  }

  function paymentSelect(cu, selected) {
    var methods = (cu && cu.payment_methods) || [];
    var select = el("select", { testid: "payment-method", class: "payment-method", required: true },
      methods.length
        ? methods.map(function (pm) {
          return el("option", {
            value: pm.id,
            text: (pm.label || pm.kind || pm.id) + (pm.label && pm.label.indexOf(pm.id) === -1 ? " — " + pm.id : "")
          });
        })
        : [el("option", { value: "", text: "(no payment method on file)" })]);
    if (selected) select.value = selected;
    return select;
  }

  // The customer's address as the server writes it (kefu/console/views.py):
  // "1 Main St, Apt 2, Springfield, IL, 12345, USA" (5 parts when there is no second line).
  // Anything else leaves the form empty rather than guessing.
  function splitAddress(text) {
    var keys = ["address1", "address2", "city", "state", "zip", "country"];
    var out = {};
    keys.forEach(function (k) {
      out[k] = "";
    });
    if (!text) return out;
    var parts = String(text).split(/\s*[,，\n]\s*/).filter(Boolean);
    if (parts.length === 5) parts.splice(1, 0, "");
    if (parts.length !== 6) return out;
    keys.forEach(function (k, i) {
      out[k] = parts[i];
    });
    return out;
  }

  function orderForm(c, o, cu, action) {
    var items = o.items || [];
    var fields = [];
    var collect;
    var submitLabel = "Confirm";
    var checks = [];

    function itemChecks(withNewIds) {
      return el("fieldset", { class: "item-checks" }, [
        el("legend", { text: withNewIds ? "Items to exchange (and the new item ids)" : "Items to return" }),
        items.map(function (it) {
          var box = el("input", {
            type: "checkbox", testid: "order-item-check", value: it.item_id, "data-item-id": it.item_id
          });
          var newId = withNewIds
            ? el("input", {
              type: "text", class: "new-item-id", testid: "new-item-id", "data-item-id": it.item_id,
              placeholder: "new item id", disabled: true, "aria-label": "New item id for " + it.item_id
            })
            : null;
          if (newId) {
            box.addEventListener("change", function () {
              newId.disabled = !box.checked;
              if (box.checked) newId.focus();
            });
          }
          checks.push({ box: box, newId: newId, id: it.item_id });
          return el("div", { class: "item-check" }, [
            el("label", {}, [
              box,
              el("span", {
                text: " " + (it.name || it.item_id) +
                  (describeOptions(it.options) ? " (" + describeOptions(it.options) + ")" : "") +
                  " · " + fmtMoney(it.price, o.currency)
              })
            ]),
            newId
          ]);
        })
      ]);
    }

    function chosen() {
      return checks.filter(function (x) {
        return x.box.checked;
      });
    }

    if (action === "cancel") {
      var reason = el("select", { testid: "cancel-reason", class: "cancel-reason" }, [
        el("option", { value: "no longer needed", text: "no longer needed" }),
        el("option", { value: "ordered by mistake", text: "ordered by mistake" })
      ]);
      fields.push(el("label", { class: "field" }, [el("span", { text: "Reason" }), reason]));
      submitLabel = "Cancel order";
      collect = function () {
        return { reason: reason.value };
      };
    } else if (action === "return" || action === "exchange") {
      var exchange = action === "exchange";
      fields.push(itemChecks(exchange));
      var pay = paymentSelect(cu, null);
      fields.push(el("label", { class: "field" }, [
        el("span", { text: exchange ? "Payment method (for a price difference)" : "Refund to" }), pay
      ]));
      submitLabel = exchange ? "Exchange items" : "Return items";
      collect = function () {
        var picked = chosen();
        if (!picked.length) throw new Error("Choose at least one item.");
        var body = {
          item_ids: picked.map(function (x) {
            return x.id;
          }),
          payment_method_id: pay.value
        };
        if (exchange) {
          body.new_item_ids = picked.map(function (x) {
            return x.newId.value.trim();
          });
          if (body.new_item_ids.some(function (v) {
            return !v;
          })) throw new Error("Give the new item id for every item to exchange.");
        }
        return body;
      };
    } else if (action === "modify_address") {
      var addr = splitAddress(cu && cu.address);
      var inputs = {};
      var addrFields = [];
      [["address1", "Address line 1"], ["address2", "Address line 2"], ["city", "City"],
        ["state", "State / province"], ["zip", "Postcode"], ["country", "Country"]].forEach(function (f) {
        inputs[f[0]] = el("input", {
          type: "text", testid: "address-" + f[0], name: f[0], value: addr[f[0]],
          autocomplete: "off"
        });
        addrFields.push(el("label", { class: "field field-" + f[0] }, [el("span", { text: f[1] }), inputs[f[0]]]));
      });
      fields.push(el("div", { class: "grid-2" }, addrFields));
      submitLabel = "Change address";
      collect = function () {
        var body = {};
        Object.keys(inputs).forEach(function (k) {
          body[k] = inputs[k].value.trim();
        });
        if (!body.address1 || !body.city || !body.country || !body.zip) {
          throw new Error("Fill in the address (line 1, city, country and postcode at least).");
        }
        return body;
      };
    } else if (action === "modify_payment") {
      var pm = paymentSelect(cu, null);
      fields.push(el("label", { class: "field" }, [el("span", { text: "New payment method" }), pm]));
      submitLabel = "Change payment";
      collect = function () {
        return { payment_method_id: pm.value };
      };
    }

    var error = el("div", { class: "form-error", role: "alert", testid: "order-form-error", hidden: true });
    var submit = el("button", { type: "submit", class: "btn btn-primary btn-small", testid: "order-submit", text: submitLabel });
    var close = el("button", { type: "button", class: "btn btn-small btn-ghost", testid: "order-form-close", text: "Close" });
    close.addEventListener("click", function () {
      c.orderForm = null;
      renderOrders(c);
    });
    var form = el("form", {
      class: "order-form order-form-" + action, testid: "order-form", "data-action": action, novalidate: true
    }, [fields, error, el("div", { class: "form-actions" }, [submit, close])]);
    if (!heldByMe(c)) {
      form.insertBefore(el("p", {
        class: "muted small", text: "Order actions need you to hold the conversation (Take over)."
      }), form.firstChild);
    }
    form.addEventListener("submit", async function (e) {
      e.preventDefault();
      var body;
      try {
        body = collect();
      } catch (err) {
        setText(error, err.message);
        show(error, true);
        return;
      }
      show(error, false);
      submit.disabled = true;
      try {
        var res = await api("POST", "/conversations/" + enc(c.id) + "/orders/" + enc(o.id) + "/" + action, body);
        if (!current(c)) return;
        c.orderForm = null;
        c.orderNotice = { orderId: o.id, ok: true, text: (res && res.message) || "Done." };
        if (res && res.order && cu && cu.orders) {
          cu.orders = cu.orders.map(function (x) {
            return x.id === res.order.id ? res.order : x;
          });
        }
        renderOrders(c);
        c.customerJson = null; // the refresh redraws the side panel with the stored state
        refreshConversation(c);
      } catch (err) {
        if (!current(c)) return;
        var text;
        if (err instanceof ApiError && err.status === 422) {
          text = (err.code === "refused" ? "Refused: " : "Invalid: ") + (err.message || "the request was refused.");
        } else if (err instanceof ApiError && err.status === 409) {
          text = "Take the conversation first" + (err.message ? " (" + err.message + ")" : "") + ".";
        } else {
          text = errText(err);
        }
        c.orderNotice = { orderId: o.id, ok: false, text: text };
        setText(error, text);
        show(error, true);
        // keep the form as it is (the agent may fix it); show the refusal under the order too
        var orderEl = c.ui.orders.querySelector('.order[data-id="' + cssEscape(o.id) + '"]');
        if (orderEl) {
          var old = orderEl.querySelector("[data-testid=order-result]");
          if (old) old.parentNode.removeChild(old);
          orderEl.appendChild(el("div", {
            class: "order-result refused", role: "status", testid: "order-result", text: text
          }));
        }
      } finally {
        submit.disabled = false;
      }
    });
    return form;
  }

  function cssEscape(value) {
    if (window.CSS && typeof window.CSS.escape === "function") return window.CSS.escape(String(value));
    return String(value).replace(/["\\]/g, "\\$&");
  }

  // ================================================================== dashboard

  function dateInputs(prefixTestid, from, to, onChange) {
    var f = el("input", { type: "date", testid: prefixTestid.from, value: from, "aria-label": "From" });
    var t = el("input", { type: "date", testid: prefixTestid.to, value: to, "aria-label": "To" });
    var apply = el("button", { type: "submit", class: "btn btn-small", testid: prefixTestid.apply, text: "Apply" });
    var form = el("form", { class: "filters", novalidate: true }, [
      el("label", { class: "inline-field" }, [el("span", { text: "From" }), f]),
      el("label", { class: "inline-field" }, [el("span", { text: "To" }), t]),
      apply
    ]);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      onChange();
    });
    f.addEventListener("change", onChange);
    t.addEventListener("change", onChange);
    return { form: form, from: f, to: t };
  }

  function defaultRange() {
    var to = todayUtc();
    return { from: addDays(to, -29), to: to };
  }

  function buildDashboard() {
    var v = ui.views.dashboard;
    var r = defaultRange();
    var d = (ui.dash = {});
    var dates = dateInputs({ from: "date-from", to: "date-to", apply: "date-apply" }, r.from, r.to, loadDashboard);
    d.from = dates.from;
    d.to = dates.to;
    d.exports = el("div", { class: "exports", testid: "exports", hidden: !isAdmin() }, [
      el("span", { class: "muted", text: "Export CSV:" }),
      ["conversations", "messages", "daily"].map(function (kind) {
        var a = el("a", { class: "btn btn-small btn-ghost", testid: "export-" + kind, download: "", text: kind });
        a.setAttribute("data-kind", kind);
        return a;
      })
    ]);
    d.error = el("div", { class: "form-error", role: "alert", testid: "dashboard-error", hidden: true });
    d.stats = {};
    function stat(key, label) {
      var value = el("div", { class: "stat-value", text: "–" });
      var sub = el("div", { class: "stat-sub muted" });
      d.stats[key] = { value: value, sub: sub };
      return el("div", { class: "card stat", testid: "stat-" + key }, [
        el("div", { class: "stat-label", text: label }), value, sub
      ]);
    }
    d.charts = {};
    function chart(name, title, wide, note) {
      var box = el("div", { class: "chart", testid: "chart-" + name });
      d.charts[name] = box;
      return el("section", { class: "card chart-card" + (wide ? " wide" : "") }, [
        el("div", { class: "card-head" }, [el("h3", { text: title }), note ? el("span", { class: "muted small", text: note }) : null]),
        box
      ]);
    }
    d.unanswered = el("tbody");
    d.range = el("span", { class: "muted", testid: "dashboard-range" });
    replaceChildren(v, [
      el("div", { class: "page-head" }, [
        el("div", {}, [el("h1", { text: "Dashboard" }), d.range]),
        el("div", { class: "spacer" }),
        dates.form,
        d.exports
      ]),
      d.error,
      el("div", { class: "stats" }, [
        stat("conversations", "Conversations"),
        stat("containment", "Containment"),
        stat("csat", "CSAT"),
        stat("thumbs", "Thumbs")
      ]),
      el("div", { class: "chart-grid" }, [
        chart("per-day", "Conversations per day", true, "by outcome"),
        chart("outcomes", "Outcomes"),
        chart("intents", "Top intents"),
        chart("sentiment", "Average sentiment per day", true, "−1 negative … +1 positive"),
        chart("latency", "Response times", true, "p50 / p90 / p99")
      ]),
      el("section", { class: "card" }, [
        el("div", { class: "card-head" }, [el("h3", { text: "Questions the assistant could not answer" })]),
        el("table", { class: "table", testid: "unanswered" }, [
          el("thead", {}, el("tr", {}, ["When", "Question", "Intent", "Confidence", ""].map(function (h) {
            return el("th", { text: h });
          }))),
          d.unanswered
        ])
      ])
    ]);
    updateExportLinks();
  }

  function updateExportLinks() {
    var d = ui.dash;
    if (!d) return;
    Array.prototype.forEach.call(d.exports.querySelectorAll("a[data-kind]"), function (a) {
      a.setAttribute("href", API + "/analytics/export.csv" + query({
        kind: a.getAttribute("data-kind"), from: d.from.value, to: d.to.value
      }));
    });
  }

  function validRange(from, to) {
    if (from && to && from > to) return "The start date is after the end date.";
    return null;
  }

  async function loadDashboard() {
    var d = ui.dash;
    if (!d) return;
    updateExportLinks();
    var problem = validRange(d.from.value, d.to.value);
    setText(d.error, problem || "");
    show(d.error, !!problem);
    if (problem) return;
    var gen = ++state.dash.gen;
    ui.views.dashboard.classList.add("loading");
    try {
      var a = await api("GET", "/analytics" + query({ from: d.from.value, to: d.to.value }));
      if (gen !== state.dash.gen) return;
      renderDashboard(a);
    } catch (err) {
      if (gen !== state.dash.gen) return;
      setText(d.error, "Couldn't load the analytics: " + errText(err));
      show(d.error, true);
    } finally {
      if (gen === state.dash.gen) ui.views.dashboard.classList.remove("loading");
    }
  }

  function renderDashboard(a) {
    var d = ui.dash;
    var C = window.KefuCharts;
    var t = a.totals || {};
    var range = a.range || { from: d.from.value, to: d.to.value };
    setText(d.range, (range.from || "") + " – " + (range.to || "") + " (UTC)");

    setText(d.stats.conversations.value, fmtNumber(t.conversations || 0, 0));
    setText(d.stats.conversations.sub, fmtNumber(t.messages || 0, 0) + " messages");
    setText(d.stats.containment.value, fmtPct(t.containment));
    setText(d.stats.containment.sub, fmtNumber(t.resolved || 0, 0) + " resolved · " +
      fmtNumber(t.handed_off || 0, 0) + " handed off · " + fmtNumber(t.abandoned || 0, 0) + " abandoned");
    setText(d.stats.csat.value, isNum(t.csat_avg) ? fmtNumber(t.csat_avg, 2) + " / 5" : "–");
    setText(d.stats.csat.sub, "n = " + fmtNumber(t.csat_count || 0, 0));
    var up = t.thumbs_up || 0;
    var down = t.thumbs_down || 0;
    setText(d.stats.thumbs.value, up + " ▲  " + down + " ▼");
    setText(d.stats.thumbs.sub, up + down ? fmtPct(up / (up + down), 0) + " positive" : "no ratings");

    if (!C) return;
    var labelDay = function (day) {
      return String(day).length === 10 ? String(day).slice(5) : String(day);
    };

    // per day: every day of the range, missing days as zero
    var byDay = {};
    (a.per_day || []).forEach(function (row) {
      byDay[row.day] = row;
    });
    var days = daysBetween(range.from, range.to);
    if (!days.length) days = (a.per_day || []).map(function (r) {
      return r.day;
    });
    var pick = function (key) {
      return days.map(function (day) {
        return byDay[day] ? byDay[day][key] || 0 : 0;
      });
    };
    C.stackedBars(d.charts["per-day"], {
      labels: days,
      series: [
        { name: "resolved", values: pick("resolved"), color: "#3aa17e" },
        { name: "handed off", values: pick("handed_off"), color: "#f0a23b" },
        { name: "abandoned", values: pick("abandoned"), color: "#c9ccd6" }
      ]
    }, { title: "Conversations per day by outcome", formatLabel: labelDay, format: function (v) {
      return fmtNumber(v, 0);
    } });

    var open = Math.max(0, (t.conversations || 0) - (t.resolved || 0) - (t.handed_off || 0) - (t.abandoned || 0));
    C.donut(d.charts.outcomes, [
      { label: "resolved", value: t.resolved || 0, color: "#3aa17e" },
      { label: "handed off", value: t.handed_off || 0, color: "#f0a23b" },
      { label: "abandoned", value: t.abandoned || 0, color: "#c9ccd6" },
      { label: "still open", value: open, color: "#8ea2f0" }
    ], { title: "Outcomes", totalLabel: "conversations", format: function (v) {
      return fmtNumber(v, 0);
    } });

    var intents = (a.intents || []).slice().sort(function (x, y) {
      return y.count - x.count;
    });
    C.hbars(d.charts.intents, intents.map(function (i) {
      return { label: i.intent || "(none)", value: i.count };
    }), { title: "Top intents", limit: 12, format: function (v) {
      return fmtNumber(v, 0);
    } });

    var sent = {};
    (a.sentiment || []).forEach(function (s) {
      sent[s.day] = s;
    });
    var sDays = daysBetween(range.from, range.to);
    if (!sDays.length) sDays = (a.sentiment || []).map(function (s) {
      return s.day;
    });
    C.line(d.charts.sentiment, sDays.map(function (day) {
      var s = sent[day];
      var v = s && isNum(s.average) && s.messages !== 0 ? s.average : null;
      return {
        label: day,
        value: v,
        tooltip: s ? fmtNumber(v, 2) + " (" + fmtNumber(s.messages || 0, 0) + " messages, " +
          fmtPct(s.negative_share, 0) + " negative)" : null
      };
    }), { title: "Average sentiment per day", min: -1, max: 1, ticks: 4, formatLabel: labelDay,
      color: "#4f6bed", format: function (v) {
        return (v > 0 ? "+" : "") + fmtNumber(v, 2);
      } });

    renderLatency(d.charts.latency, a.latency || {});
    renderUnanswered(a.unanswered || []);
  }

  function renderLatency(box, latency) {
    var C = window.KefuCharts;
    clear(box);
    box.classList.add("latency");
    [
      { key: "turn_ms", title: "Assistant turn", fmt: fmtMs },
      { key: "first_response_ms", title: "First response", fmt: fmtMs },
      { key: "agent_first_response_s", title: "Agent first response", fmt: fmtSeconds }
    ].forEach(function (spec) {
      var p = latency[spec.key] || {};
      var scale = 1;
      var fmt = spec.fmt;
      if (spec.key === "agent_first_response_s" && isNum(p.p99) && p.p99 >= 180) {
        // minutes read better than hundreds of seconds; the axis gets round minute ticks
        scale = 60;
        fmt = function (v) {
          return fmtNumber(v, v < 10 ? 1 : 0) + " min";
        };
      }
      var chartBox = el("div", { class: "latency-chart", testid: "latency-" + spec.key.replace(/_/g, "-") });
      box.appendChild(el("div", { class: "latency-part" }, [
        el("div", { class: "latency-title" }, [
          el("strong", { text: spec.title }),
          el("span", { class: "muted small", text: " n = " + fmtNumber(p.n || 0, 0) })
        ]),
        chartBox
      ]));
      var empty = !p.n;
      C.bars(chartBox, empty ? [] : [
        { label: "p50", value: isNum(p.p50) ? p.p50 / scale : null },
        { label: "p90", value: isNum(p.p90) ? p.p90 / scale : null },
        { label: "p99", value: isNum(p.p99) ? p.p99 / scale : null }
      ], { title: spec.title, height: 170, format: fmt, colors: ["#7f95f0", "#4f6bed", "#2f45b8"] });
    });
  }

  function renderUnanswered(list) {
    var body = ui.dash.unanswered;
    if (!list.length) {
      replaceChildren(body, [el("tr", {}, el("td", {
        colspan: "5", class: "muted", testid: "unanswered-empty", text: "Nothing unanswered in this range."
      }))]);
      return;
    }
    replaceChildren(body, list.map(function (u) {
      return el("tr", { testid: "unanswered-row", "data-conversation-id": u.conversation_id }, [
        el("td", { class: "nowrap muted", title: fmtDateTime(u.created_at), text: fmtTime(u.created_at) }),
        el("td", { class: "q", text: u.text || "" }),
        el("td", { text: u.intent || "–" }),
        el("td", { text: isNum(u.confidence) ? fmtConfidence(u.confidence) : "–" }),
        el("td", {}, u.conversation_id ? el("a", {
          href: "#inbox/" + enc(u.conversation_id), testid: "unanswered-open", text: "open"
        }) : null)
      ]);
    }));
  }

  // ================================================================== gaps

  function buildGaps() {
    var v = ui.views.gaps;
    var r = defaultRange();
    var g = (ui.gaps = {});
    var dates = dateInputs({ from: "gaps-from", to: "gaps-to", apply: "gaps-apply" }, r.from, r.to, loadGaps);
    g.from = dates.from;
    g.to = dates.to;
    g.error = el("div", { class: "form-error", role: "alert", testid: "gaps-error", hidden: true });
    g.list = el("div", { class: "gap-list", testid: "gap-list" });
    replaceChildren(v, [
      el("div", { class: "page-head" }, [
        el("div", {}, [
          el("h1", { text: "Knowledge gaps" }),
          el("span", { class: "muted", text: "Questions the assistant couldn't answer, grouped by meaning." })
        ]),
        el("div", { class: "spacer" }),
        dates.form
      ]),
      g.error,
      g.list
    ]);
  }

  async function loadGaps() {
    var g = ui.gaps;
    if (!g) return;
    var problem = validRange(g.from.value, g.to.value);
    setText(g.error, problem || "");
    show(g.error, !!problem);
    if (problem) return;
    var gen = ++state.gaps.gen;
    replaceChildren(g.list, [el("p", { class: "muted", text: "Loading…" })]);
    try {
      var body = await api("GET", "/gaps" + query({ from: g.from.value, to: g.to.value }));
      if (gen !== state.gaps.gen) return;
      var clusters = body.clusters || [];
      if (!clusters.length) {
        replaceChildren(g.list, [el("div", {
          class: "card empty", testid: "gaps-empty",
          text: "No gaps in this range: the assistant had an answer every time."
        })]);
        return;
      }
      replaceChildren(g.list, clusters.map(gapNode));
    } catch (err) {
      if (gen !== state.gaps.gen) return;
      clear(g.list);
      setText(g.error, "Couldn't load the gaps: " + errText(err));
      show(g.error, true);
    }
  }

  function gapNode(gap) {
    var examples = (gap.examples || []).map(function (ex) {
      return el("li", { testid: "gap-example" }, [
        el("span", { class: "ex-text", text: ex.text || "" }),
        el("span", { class: "ex-meta muted" }, [
          ex.created_at ? fmtDate(ex.created_at) : "",
          ex.conversation_id ? " · " : "",
          ex.conversation_id
            ? el("a", { href: "#inbox/" + enc(ex.conversation_id), text: "conversation" })
            : null
        ])
      ]);
    });
    var card = el("article", { class: "card gap", testid: "gap", "data-id": gap.id }, [
      el("div", { class: "gap-head" }, [
        el("span", { class: "gap-size", testid: "gap-size", title: "Questions in this group" },
          [el("strong", { text: String(gap.size) }), " question" + (gap.size === 1 ? "" : "s")]),
        el("h3", { class: "gap-label", testid: "gap-label", text: gap.label || "" }),
        gap.language ? el("span", { class: "chip", text: gap.language }) : null
      ]),
      el("ul", { class: "gap-examples" }, examples)
    ]);
    if (isAdmin()) card.appendChild(faqForm(gap));
    return card;
  }

  function faqForm(gap) {
    var q = el("input", { type: "text", testid: "faq-question", value: gap.label || "", "aria-label": "Question" });
    var a = el("textarea", { testid: "faq-answer", rows: "3", placeholder: "The answer customers should get", "aria-label": "Answer" });
    var lang = el("select", { testid: "faq-language", "aria-label": "Language" }, [
      el("option", { value: "en", text: "English (en)" }),
      el("option", { value: "zh", text: "中文 (zh)" })
    ]);
    lang.value = gap.language === "zh" ? "zh" : "en";
    var submit = el("button", { type: "submit", class: "btn btn-primary btn-small", testid: "faq-submit", text: "Add to FAQ" });
    var result = el("div", { class: "faq-result", role: "status", testid: "faq-result", hidden: true });
    var form = el("form", { class: "faq-form", testid: "faq-form", novalidate: true }, [
      el("div", { class: "faq-title", text: "New FAQ entry" }),
      el("label", { class: "field" }, [el("span", { text: "Question" }), q]),
      el("label", { class: "field" }, [el("span", { text: "Answer" }), a]),
      el("div", { class: "form-actions" }, [
        el("label", { class: "inline-field" }, [el("span", { text: "Language" }), lang]),
        el("span", { class: "spacer" }),
        submit
      ]),
      result
    ]);
    form.addEventListener("submit", async function (e) {
      e.preventDefault();
      var body = { question: q.value.trim(), answer: a.value.trim(), language: lang.value, gap_id: gap.id };
      if (!body.question || !body.answer) {
        setText(result, "Write both the question and the answer.");
        result.className = "faq-result error";
        show(result, true);
        return;
      }
      submit.disabled = true;
      try {
        var res = await api("POST", "/faq", body);
        setText(result, "Added to the knowledge base as " + (res.doc_id || "a new entry") + ".");
        result.className = "faq-result ok";
        result.setAttribute("data-doc-id", res.doc_id || "");
        form.classList.add("done");
      } catch (err) {
        setText(result, errText(err, "Not added."));
        result.className = "faq-result error";
      } finally {
        submit.disabled = false;
        show(result, true);
      }
    });
    return form;
  }

  // ================================================================== experiments

  function buildExperiments() {
    var v = ui.views.experiments;
    var x = (ui.exps = {});
    x.list = el("div", { class: "exp-list", testid: "experiment-list" });
    x.error = el("div", { class: "form-error", role: "alert", testid: "experiments-error", hidden: true });
    replaceChildren(v, [
      el("div", { class: "page-head" }, [
        el("div", {}, [
          el("h1", { text: "Experiments" }),
          el("span", { class: "muted", text: "A/B tests of the assistant's strategy." })
        ])
      ]),
      x.error,
      el("div", { class: "exp-layout" }, [x.list, experimentCreateForm()])
    ]);
  }

  async function loadExperiments() {
    var x = ui.exps;
    if (!x) return;
    var gen = ++state.exps.gen;
    show(x.error, false);
    if (!x.list.firstChild) x.list.appendChild(el("p", { class: "muted", text: "Loading…" }));
    try {
      var body = await api("GET", "/experiments");
      if (gen !== state.exps.gen) return;
      var list = body.experiments || [];
      if (!list.length) {
        replaceChildren(x.list, [el("div", {
          class: "card empty", testid: "experiments-empty", text: "No experiments yet. Create one with the form."
        })]);
        return;
      }
      replaceChildren(x.list, list.map(function (e) {
        return experimentNode(e);
      }));
      // the list may come without results: fetch each one's figures
      list.forEach(function (e) {
        if (e.results || e.status === "draft") return;
        api("GET", "/experiments/" + enc(e.id)).then(function (full) {
          if (gen !== state.exps.gen) return;
          replaceExperiment(full);
        }, function () {});
      });
    } catch (err) {
      if (gen !== state.exps.gen) return;
      setText(x.error, "Couldn't load the experiments: " + errText(err));
      show(x.error, true);
    }
  }

  function replaceExperiment(e) {
    var old = ui.exps.list.querySelector('.experiment[data-id="' + cssEscape(e.id) + '"]');
    var node = experimentNode(e);
    if (old) ui.exps.list.replaceChild(node, old);
    else ui.exps.list.insertBefore(node, ui.exps.list.firstChild);
  }

  function strategyText(s) {
    s = s || {};
    var parts = [];
    parts.push("llm " + (s.llm === true ? "on" : s.llm === false ? "off" : "default"));
    if (s.prompt_version) parts.push("prompt " + s.prompt_version);
    parts.push("retrieval " + (s.retrieval || "default"));
    if (isNum(s.top_k)) parts.push("top_k " + s.top_k);
    return parts.join(" · ");
  }

  function experimentNode(e) {
    var start = null;
    var stop = null;
    var msg = el("div", { class: "form-error", role: "alert", hidden: true });
    function act(which, button) {
      button.addEventListener("click", async function () {
        button.disabled = true;
        show(msg, false);
        try {
          var res = await api("POST", "/experiments/" + enc(e.id) + "/" + which, {});
          replaceExperiment(res);
          if (res.status !== "draft" && !res.results) {
            api("GET", "/experiments/" + enc(e.id)).then(replaceExperiment, function () {});
          }
        } catch (err) {
          button.disabled = false;
          setText(msg, errText(err));
          show(msg, true);
        }
      });
      return button;
    }
    if (e.status === "draft") {
      start = act("start", el("button", { type: "button", class: "btn btn-primary btn-small", testid: "experiment-start", text: "Start" }));
    }
    if (e.status === "running") {
      stop = act("stop", el("button", { type: "button", class: "btn btn-small", testid: "experiment-stop", text: "Stop" }));
    }
    var dates = [];
    if (e.created_at) dates.push("created " + fmtDate(e.created_at));
    if (e.started_at) dates.push("started " + fmtDateTime(e.started_at));
    if (e.stopped_at) dates.push("stopped " + fmtDateTime(e.stopped_at));
    if (isNum(e.min_samples_per_variant)) dates.push("min " + e.min_samples_per_variant + " per variant");

    var variants = el("table", { class: "table compact", testid: "experiment-variants" }, [
      el("thead", {}, el("tr", {}, ["Variant", "Weight", "Strategy"].map(function (h) {
        return el("th", { text: h });
      }))),
      el("tbody", {}, (e.variants || []).map(function (v) {
        return el("tr", {}, [
          el("td", { text: v.name }),
          el("td", { text: isNum(v.weight) ? String(v.weight) : String(v.weight || "") }),
          el("td", { class: "muted", text: strategyText(v.strategy) })
        ]);
      }))
    ]);
    return el("article", {
      class: "card experiment", testid: "experiment", "data-id": e.id, "data-status": e.status
    }, [
      el("div", { class: "exp-head" }, [
        el("h3", { testid: "experiment-name", text: e.name }),
        badge(e.status, "exp-st-" + e.status, "experiment-status"),
        el("span", { class: "chip", text: "metric: " + e.metric }),
        el("span", { class: "spacer" }),
        start,
        stop
      ]),
      e.description ? el("p", { class: "exp-desc", text: e.description }) : null,
      el("div", { class: "muted small", text: dates.join(" · ") }),
      msg,
      variants,
      resultsNode(e)
    ]);
  }

  function resultsNode(e) {
    if (e.status === "draft") return el("p", { class: "muted small", text: "Results appear once it runs." });
    var r = e.results;
    if (!r) return el("p", { class: "muted small", testid: "experiment-results-loading", text: "Loading results…" });
    // metric csat: the "rate" is the mean score (1–5) and the difference is in points;
    // resolved / thumbs_up: shares with Wilson intervals, differences in percentage points
    var csat = e.metric === "csat";
    var fmtRate = function (v) {
      return csat ? (isNum(v) ? v.toFixed(2) : "–") : fmtPct(v);
    };
    var fmtDiff = function (v) {
      if (!isNum(v)) return "–";
      var x = csat ? v : v * 100;
      var sign = x > 0 ? "+" : x < 0 ? "−" : "±";
      return sign + (csat ? Math.abs(x).toFixed(2) : fmtNumber(Math.abs(x), 1) + " pp");
    };
    var rows = (r.variants || []).map(function (v) {
      var ci = isNum(v.ci_low) && isNum(v.ci_high)
        ? el("span", { class: "muted", text: " [" + fmtRate(v.ci_low) + " – " + fmtRate(v.ci_high) + "]" })
        : null;
      return el("tr", { testid: "result-row", "data-variant": v.name }, [
        el("td", { text: v.name }),
        el("td", { class: "num", testid: "result-n", text: fmtNumber(v.n || 0, 0) }),
        el("td", { class: "num", text: isNum(v.successes) ? fmtNumber(v.successes, 0) : "–" }),
        el("td", { class: "num", testid: "result-rate" }, [el("strong", { text: fmtRate(v.rate) }), ci]),
        el("td", { class: "num", text: (isNum(v.csat_avg) ? v.csat_avg.toFixed(2) : "–") + " (n " + (v.csat_n || 0) + ")" })
      ]);
    });
    var heads = ["Variant", "n", "Successes", csat ? "Mean CSAT" : "Rate [95% CI]", "CSAT"];
    var table = el("table", { class: "table compact", testid: "experiment-results" }, [
      el("thead", {}, el("tr", {}, heads.map(function (h, i) {
        return el("th", { text: h, class: i ? "num" : null });
      }))),
      el("tbody", {}, rows)
    ]);
    var list = Array.isArray(r.comparisons) && r.comparisons.length
      ? r.comparisons
      : r.comparison ? [r.comparison] : [];
    var cmpNodes = list.map(function (cmp) {
      return el("div", {
        class: "comparison " + (cmp.significant ? "significant" : "not-significant"),
        testid: "experiment-comparison",
        "data-significant": cmp.significant ? "true" : "false"
      }, [
        el("div", { class: "cmp-line" }, [
          el("strong", { text: cmp.treatment + " vs " + cmp.control + ": " }),
          el("span", { testid: "comparison-difference", text: fmtDiff(cmp.difference) }),
          el("span", { class: "muted", text: " (CI " + fmtDiff(cmp.ci_low) + " to " + fmtDiff(cmp.ci_high) + ")" }),
          el("span", { testid: "comparison-p", text: " · p = " + (isNum(cmp.p_value) ? (cmp.p_value < 0.001 ? "<0.001" : fmtNumber(cmp.p_value, 3)) : "–") }),
          " ",
          badge(cmp.significant ? "significant" : "not significant",
            cmp.significant ? "badge-ok" : "badge-muted", "comparison-significant"),
          cmp.enough_data === false ? badge("not enough data yet", "badge-warn", "comparison-enough") : null
        ]),
        cmp.advice ? el("p", { class: "advice", testid: "experiment-advice", text: cmp.advice }) : null
      ]);
    });
    if (!cmpNodes.length) {
      cmpNodes = [el("p", { class: "muted small", testid: "experiment-comparison", text: "No comparison yet." })];
    }
    if (isNum(r.alpha) && list.length) {
      cmpNodes.push(el("p", { class: "muted small", text: "Significance level α = " + fmtNumber(r.alpha, 4) +
        (list.length > 1 ? " (split over " + list.length + " comparisons)" : "") }));
    }
    return el("div", { class: "results" }, [table, cmpNodes]);
  }

  function variantFieldset(container, name, weight) {
    var fs;
    var remove = el("button", { type: "button", class: "btn btn-small btn-ghost", testid: "variant-remove", text: "Remove" });
    fs = el("fieldset", { class: "variant", testid: "exp-variant" }, [
      el("legend", { text: "Variant" }),
      el("div", { class: "grid-2" }, [
        el("label", { class: "field" }, [el("span", { text: "Name" }),
          el("input", { type: "text", testid: "variant-name", name: "name", value: name, required: true })]),
        el("label", { class: "field" }, [el("span", { text: "Weight" }),
          el("input", { type: "number", testid: "variant-weight", name: "weight", value: String(weight), min: "0", step: "any" })]),
        el("label", { class: "field" }, [el("span", { text: "LLM" }),
          el("select", { testid: "variant-llm", name: "llm" }, [
            el("option", { value: "", text: "default (unset)" }),
            el("option", { value: "on", text: "on" }),
            el("option", { value: "off", text: "off" })
          ])]),
        el("label", { class: "field" }, [el("span", { text: "Prompt version" }),
          el("input", { type: "text", testid: "variant-prompt", name: "prompt_version", placeholder: "default" })]),
        el("label", { class: "field" }, [el("span", { text: "Retrieval" }),
          el("select", { testid: "variant-retrieval", name: "retrieval" }, [
            el("option", { value: "", text: "default (unset)" }),
            el("option", { value: "hybrid", text: "hybrid" }),
            el("option", { value: "bm25", text: "bm25" })
          ])]),
        el("label", { class: "field" }, [el("span", { text: "top_k" }),
          el("input", { type: "number", testid: "variant-top-k", name: "top_k", min: "1", step: "1", placeholder: "default" })])
      ]),
      el("div", { class: "form-actions" }, [remove])
    ]);
    remove.addEventListener("click", function () {
      if (container.querySelectorAll(".variant").length <= 2) return;
      container.removeChild(fs);
      updateRemoveButtons(container);
    });
    container.appendChild(fs);
    updateRemoveButtons(container);
    return fs;
  }

  function updateRemoveButtons(container) {
    var sets = container.querySelectorAll(".variant");
    Array.prototype.forEach.call(sets, function (fs, i) {
      fs.querySelector("legend").textContent = "Variant " + (i + 1) + (i === 0 ? " (control)" : "");
      fs.querySelector("[data-testid=variant-remove]").hidden = sets.length <= 2;
    });
  }

  function experimentCreateForm() {
    var name = el("input", { type: "text", testid: "exp-name", required: true, maxlength: "200" });
    var desc = el("textarea", { testid: "exp-description", rows: "2" });
    var metric = el("select", { testid: "exp-metric" }, [
      el("option", { value: "resolved", text: "resolved (contained)" }),
      el("option", { value: "csat", text: "csat" }),
      el("option", { value: "thumbs_up", text: "thumbs_up" })
    ]);
    var minSamples = el("input", { type: "number", testid: "exp-min-samples", min: "1", step: "1", placeholder: "server default" });
    var variants = el("div", { class: "variants" });
    var add = el("button", { type: "button", class: "btn btn-small", testid: "exp-add-variant", text: "Add a variant" });
    var error = el("div", { class: "form-error", role: "alert", testid: "exp-error", hidden: true });
    var submit = el("button", { type: "submit", class: "btn btn-primary", testid: "exp-submit", text: "Create experiment" });
    var form = el("form", { class: "card exp-create", testid: "experiment-create", novalidate: true }, [
      el("h3", { text: "New experiment" }),
      el("label", { class: "field" }, [el("span", { text: "Name" }), name]),
      el("label", { class: "field" }, [el("span", { text: "Description" }), desc]),
      el("div", { class: "grid-2" }, [
        el("label", { class: "field" }, [el("span", { text: "Metric" }), metric]),
        el("label", { class: "field" }, [el("span", { text: "Min samples per variant" }), minSamples])
      ]),
      variants,
      el("div", { class: "form-actions" }, [add]),
      error,
      el("div", { class: "form-actions" }, [submit])
    ]);
    function reset() {
      name.value = "";
      desc.value = "";
      metric.value = "resolved";
      minSamples.value = "";
      clear(variants);
      variantFieldset(variants, "control", 50);
      variantFieldset(variants, "treatment", 50);
    }
    reset();
    add.addEventListener("click", function () {
      var n = variants.querySelectorAll(".variant").length;
      variantFieldset(variants, "variant_" + (n + 1), 50);
    });
    form.addEventListener("submit", async function (e) {
      e.preventDefault();
      show(error, false);
      var body;
      try {
        body = {
          name: name.value.trim(),
          description: desc.value.trim(),
          metric: metric.value,
          variants: Array.prototype.map.call(variants.querySelectorAll(".variant"), function (fs) {
            var get = function (n) {
              return fs.querySelector("[name=" + n + "]").value.trim();
            };
            var weight = Number(get("weight"));
            if (!get("name")) throw new Error("Every variant needs a name.");
            if (!isNum(weight) || weight < 0 || get("weight") === "") throw new Error("Every variant needs a weight (a number ≥ 0).");
            var topK = get("top_k");
            if (topK && !/^\d+$/.test(topK)) throw new Error("top_k must be a whole number.");
            var llm = get("llm");
            return {
              name: get("name"),
              weight: weight,
              strategy: {
                llm: llm === "on" ? true : llm === "off" ? false : null,
                prompt_version: get("prompt_version") || null,
                retrieval: get("retrieval") || null,
                top_k: topK ? parseInt(topK, 10) : null
              }
            };
          })
        };
        if (!body.name) throw new Error("Give the experiment a name.");
        if (body.variants.length < 2) throw new Error("An experiment needs at least two variants.");
        if (minSamples.value.trim()) {
          var ms = parseInt(minSamples.value, 10);
          if (!(ms > 0)) throw new Error("Min samples must be a positive whole number.");
          body.min_samples_per_variant = ms;
        }
      } catch (err) {
        setText(error, err.message);
        show(error, true);
        return;
      }
      submit.disabled = true;
      try {
        var created = await api("POST", "/experiments", body);
        reset();
        toast("Experiment “" + (created.name || body.name) + "” created.", "ok");
        loadExperiments();
      } catch (err) {
        setText(error, errText(err, "Not created."));
        show(error, true);
      } finally {
        submit.disabled = false;
      }
    });
    return form;
  }

  // ================================================================== staff

  function buildStaff() {
    var v = ui.views.staff;
    var s = (ui.staff = {});
    s.body = el("tbody");
    s.error = el("div", { class: "form-error", role: "alert", testid: "staff-list-error", hidden: true });
    replaceChildren(v, [
      el("div", { class: "page-head" }, [el("div", {}, [el("h1", { text: "Staff" }),
        el("span", { class: "muted", text: "Who may sign in to the console." })])]),
      s.error,
      el("div", { class: "exp-layout" }, [
        el("section", { class: "card" }, [
          el("table", { class: "table", testid: "staff-list" }, [
            el("thead", {}, el("tr", {}, ["User name", "Display name", "Role", "Status", ""].map(function (h) {
              return el("th", { text: h });
            }))),
            s.body
          ])
        ]),
        staffCreateForm()
      ])
    ]);
  }

  async function loadStaff() {
    var s = ui.staff;
    if (!s) return;
    var gen = ++state.staff.gen;
    show(s.error, false);
    try {
      var body = await api("GET", "/staff");
      if (gen !== state.staff.gen) return;
      renderStaff(body.staff || []);
    } catch (err) {
      if (gen !== state.staff.gen) return;
      setText(s.error, "Couldn't load the staff: " + errText(err));
      show(s.error, true);
    }
  }

  function renderStaff(list) {
    var s = ui.staff;
    replaceChildren(s.body, list.map(function (u) {
      var me = state.me && u.username === state.me.username;
      var disable = null;
      if (!u.disabled && !me) {
        disable = el("button", { type: "button", class: "btn btn-small btn-danger", testid: "staff-disable", text: "Disable" });
        disable.addEventListener("click", async function () {
          disable.disabled = true;
          try {
            await api("POST", "/staff/" + enc(u.username) + "/disable", {});
            toast(u.username + " can no longer sign in.", "ok");
            loadStaff();
          } catch (err) {
            disable.disabled = false;
            toast("Couldn't disable " + u.username + ": " + errText(err), "error");
          }
        });
      }
      return el("tr", {
        testid: "staff-row", "data-username": u.username, class: u.disabled ? "row-disabled" : null
      }, [
        el("td", {}, [el("strong", { text: u.username }), me ? el("span", { class: "muted", text: " (you)" }) : null]),
        el("td", { text: u.display_name || "" }),
        el("td", {}, badge(u.role, "role-badge role-" + u.role)),
        el("td", { testid: "staff-status", text: u.disabled ? "disabled" : "active" }),
        el("td", { class: "right" }, disable)
      ]);
    }));
  }

  function staffCreateForm() {
    var username = el("input", { type: "text", testid: "staff-username", autocomplete: "off", autocapitalize: "off", spellcheck: "false", required: true });
    var display = el("input", { type: "text", testid: "staff-display-name", autocomplete: "off" });
    var password = el("input", { type: "password", testid: "staff-password", autocomplete: "new-password", required: true });
    var role = el("select", { testid: "staff-role" }, [
      el("option", { value: "agent", text: "agent" }),
      el("option", { value: "admin", text: "admin" })
    ]);
    var error = el("div", { class: "form-error", role: "alert", testid: "staff-error", hidden: true });
    var submit = el("button", { type: "submit", class: "btn btn-primary", testid: "staff-submit", text: "Create account" });
    var form = el("form", { class: "card staff-create", testid: "staff-create", novalidate: true }, [
      el("h3", { text: "New account" }),
      el("label", { class: "field" }, [el("span", { text: "User name" }), username]),
      el("label", { class: "field" }, [el("span", { text: "Display name" }), display]),
      el("label", { class: "field" }, [el("span", { text: "Password" }), password]),
      el("label", { class: "field" }, [el("span", { text: "Role" }), role]),
      error,
      el("div", { class: "form-actions" }, [submit])
    ]);
    form.addEventListener("submit", async function (e) {
      e.preventDefault();
      var body = {
        username: username.value.trim(),
        display_name: display.value.trim() || username.value.trim(),
        password: password.value,
        role: role.value
      };
      if (!body.username || !body.password) {
        setText(error, "A user name and a password are needed.");
        show(error, true);
        return;
      }
      show(error, false);
      submit.disabled = true;
      try {
        var user = await api("POST", "/staff", body);
        toast("Account " + (user.username || body.username) + " created.", "ok");
        username.value = "";
        display.value = "";
        password.value = "";
        role.value = "agent";
        loadStaff();
      } catch (err) {
        setText(error, errText(err, "Not created."));
        show(error, true);
      } finally {
        submit.disabled = false;
      }
    });
    return form;
  }

  // ================================================================== start

  async function boot() {
    ui.boot = byId("boot");
    ui.loginView = byId("login-view");
    ui.loginForm = byId("login-form");
    ui.loginUsername = byId("login-username");
    ui.loginPassword = byId("login-password");
    ui.loginSubmit = byId("login-submit");
    ui.loginError = byId("login-error");
    ui.loginInfo = byId("login-info");
    ui.app = byId("app");
    ui.userName = byId("user-name");
    ui.userRole = byId("user-role");
    ui.logout = byId("logout");
    ui.toast = byId("toast");
    ui.inboxCount = byId("inbox-count");
    ui.views = {};
    VIEWS.forEach(function (name) {
      ui.views[name] = byId("view-" + name);
    });

    ui.loginForm.addEventListener("submit", submitLogin);
    ui.logout.addEventListener("click", logout);
    ui.toast.addEventListener("click", function () {
      ui.toast.hidden = true;
    });
    window.addEventListener("hashchange", route);

    try {
      var me = await api("GET", "/me", undefined, { noAuthRedirect: true });
      startApp(me);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) showLogin("");
      else showLogin(errText(err, "Couldn't reach the server."), { error: true });
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();
