/* Byline chat widget: vanilla JS, no build step, nothing loaded from anywhere but its own server.
 *
 *   <script src="http://HOST/widget.js" data-title="Ask the archive" data-key="READER_KEY" async></script>
 *
 * Article text is untrusted: it only ever reaches the page through textContent. */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || !script.src) return;
  var server = new URL(script.src, location.href).origin;
  var pageMode = script.hasAttribute("data-page");
  var query = new URLSearchParams(location.search);
  var fragment = new URLSearchParams(location.hash.slice(1));
  var title = script.getAttribute("data-title") || (pageMode && query.get("title")) || "Ask the archive";
  var apiKey = script.getAttribute("data-key") || (pageMode && fragment.get("key")) || "";
  var keyPlace = pageMode ? "the #key=… at the end of the frame's address" : "the script tag's data-key";
  var LABEL_CHARS = 90;
  var TOOLTIP_CHARS = 300;

  var theme = script.getAttribute("data-theme") || (pageMode && query.get("theme")) || "";
  var DARK = "--bg: #1d1f23; --fg: #e8e8e8; --muted: #a3a8b0; --line: #3a3e45; --well: #16181b; --brand: #2f6da6; --link: #8cc4ff;" +
    " --cite: #2e2914; --cite-hover: #4a4016; --passage: #24221a; --mark: #5e4d06; --mark-now: #8a6e00; --warn: #e0b84a;" +
    " --error: #f08070; --bad: #4a1f1b; --bad-text: #ffb4a8; --field: #555b63; --ok: #8fd694; color-scheme: dark;";

  var CSS = [
    ":host { all: initial; --bg: #fff; --fg: #1a1a1a; --muted: #666; --line: #dde1e6; --well: #f6f7f9; --brand: #1f4e79;",
    "  --link: #1f4e79; --cite: #fff8e1; --cite-hover: #ffe8a3; --passage: #fffdf5; --mark: #fff3bf; --mark-now: #ffd43b;",
    "  --warn: #8a6d00; --error: #c0392b; --bad: #fdecea; --bad-text: #8c1c13; --field: #b8c0ca; --ok: #2e6b30; color-scheme: light; }",
    // Dark with the reader's system, unless the script tag says data-theme="light"; data-theme="dark" always.
    ":host([data-theme=dark]) { " + DARK + " }",
    "@media (prefers-color-scheme: dark) { :host(:not([data-theme=light])) { " + DARK + " } }",
    "a { color: var(--link); }",
    "* { box-sizing: border-box; font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; }",
    ".launcher { position: fixed; right: 20px; bottom: 20px; z-index: 2147483646; width: 56px; height: 56px;",
    "  display: flex; align-items: center; justify-content: center;",
    "  border: 0; border-radius: 50%; background: var(--brand); color: #fff; cursor: pointer;",
    "  box-shadow: 0 4px 14px rgba(0,0,0,.3); }",
    ".launcher:focus-visible, button:focus-visible, input:focus-visible { outline: 3px solid #e0a800; }",
    ".panel { position: fixed; right: 20px; bottom: 88px; z-index: 2147483647; width: 380px; max-width: calc(100vw - 40px);",
    "  height: 540px; max-height: calc(100vh - 110px); display: flex; flex-direction: column; background: var(--bg);",
    "  color: var(--fg); border-radius: 12px; box-shadow: 0 8px 30px rgba(0,0,0,.3); overflow: hidden; font-size: 14px; }",
    ".panel[hidden] { display: none; }",
    ".panel.page { position: static; width: 100%; max-width: none; height: 100vh; max-height: none; border-radius: 0; box-shadow: none; }",
    "header { display: flex; align-items: center; justify-content: space-between; padding: 10px 14px; gap: 8px; background: var(--brand); color: #fff; }",
    "header h2 { flex: 1; }",
    ".new { background: none; border: 1px solid rgba(255,255,255,.6); border-radius: 6px; color: #fff; font-size: 12px; padding: 3px 8px; cursor: pointer; }",
    ".new:disabled { opacity: .5; cursor: default; }",
    "header h2 { margin: 0; font-size: 16px; font-weight: 600; }",
    ".close { background: none; border: 0; color: #fff; font-size: 22px; cursor: pointer; line-height: 1; }",
    ".messages { flex: 1; overflow-y: auto; padding: 12px; background: var(--well); }",
    ".msg { margin: 0 0 10px; padding: 8px 11px; border-radius: 10px; max-width: 92%; white-space: pre-wrap; word-wrap: break-word; }",
    ".user { margin-left: auto; background: var(--brand); color: #fff; }",
    ".bot { background: var(--bg); border: 1px solid var(--line); }",
    ".bot.error { border-color: var(--error); color: var(--error); }",
    ".hint { color: var(--muted); font-size: 13px; }",
    ".warnings { color: var(--warn); font-size: 12px; margin-top: 6px; }",
    ".warnings p { margin: 2px 0; }",
    ".searched { color: var(--muted); font-size: 12px; margin-bottom: 4px; white-space: normal; }",
    ".marker { border: 0; background: none; padding: 0 1px; margin: 0; font: inherit; font-weight: 600; color: var(--link); cursor: pointer; }",
    ".marker:hover, .marker:focus-visible { text-decoration: underline; }",
    ".claim.unsupported { background: var(--bad); color: var(--bad-text); text-decoration: underline wavy var(--error); text-underline-offset: 3px; }",
    ".citations { margin-top: 8px; display: flex; flex-direction: column; gap: 4px; white-space: normal; }",
    ".cite { display: block; width: 100%; text-align: left; background: var(--cite); border: 1px solid #e0a800; border-radius: 6px; padding: 4px 8px;",
    "  font-size: 13px; cursor: pointer; color: var(--fg); }",
    ".context { margin: 2px 0 4px; padding: 6px 9px; border-left: 3px solid #e0a800; background: var(--passage); font-size: 13px; white-space: pre-wrap; }",
    ".context mark { background: var(--mark); color: inherit; padding: 0 2px; }",
    ".cite:hover, .cite.pointed { background: var(--cite-hover); }",
    ".context.current { outline: 2px solid #e0a800; }",
    ".context.current mark { background: var(--mark-now); }",
    ".cite .meta { margin: 2px 0 0; }",
    ".meta { display: block; color: var(--muted); font-size: 12px; margin-bottom: 4px; white-space: normal; }",
    "form { display: flex; gap: 6px; padding: 10px; border-top: 1px solid var(--line); background: var(--bg); }",
    "input { flex: 1; padding: 8px 10px; border: 1px solid var(--field); border-radius: 8px; font-size: 14px; background: var(--bg); color: var(--fg); }",
    "form button { padding: 8px 14px; border: 0; border-radius: 8px; background: var(--brand); color: #fff; font-size: 14px; cursor: pointer; }",
    "form button:disabled { opacity: .5; cursor: default; }",
    ".feedback { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; margin-top: 8px; font-size: 12px; color: var(--muted); white-space: normal; }",
    ".feedback button { border: 1px solid var(--field); border-radius: 6px; background: var(--bg); color: var(--fg); padding: 2px 10px; font-size: 12px; cursor: pointer; }",
    ".feedback button[aria-pressed=true] { background: #1f4e79; border-color: #1f4e79; color: #fff; }",
    ".feedback button:disabled { cursor: default; }",
    ".feedback .reason { display: flex; gap: 6px; flex-basis: 100%; }",
    ".feedback .reason[hidden], .feedback .thanks:empty { display: none; }",
    ".feedback .reason input { padding: 4px 8px; font-size: 12px; }",
    ".feedback .thanks { flex-basis: 100%; margin: 0; color: var(--ok); }"
  ].join("\n");

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }

  // Drawn, not an emoji: host pages may lack an emoji font.
  function chatIcon() {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "28");
    svg.setAttribute("height", "28");
    svg.setAttribute("aria-hidden", "true");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("fill", "currentColor");
    path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6v2h2V9H7zm4 0v2h2V9h-2zm4 0v2h2V9h-2z");
    svg.appendChild(path);
    return svg;
  }

  function build() {
    var host = el("div");
    host.id = "byline-widget";
    if (theme === "dark" || theme === "light") host.setAttribute("data-theme", theme);
    document.body.appendChild(host);
    var root = host.attachShadow({ mode: "open" });
    var style = el("style");
    style.textContent = CSS;
    root.appendChild(style);

    var panel = el("section", "panel" + (pageMode ? " page" : ""));
    panel.setAttribute("role", pageMode ? "main" : "dialog");
    panel.setAttribute("aria-label", title);
    var header = el("header");
    header.appendChild(el("h2", "title", title));
    var messages = el("div", "messages");
    messages.setAttribute("aria-live", "polite");
    messages.appendChild(el("p", "hint", "Answers quote the articles they come from. Click a [1] or a source to read its sentence in context."));
    var form = el("form");
    var input = el("input");
    input.type = "text";
    input.name = "question";
    input.placeholder = "Ask a question…";
    input.setAttribute("aria-label", "Question");
    input.autocomplete = "off";
    var send = el("button", "send", "Ask");
    send.type = "submit";
    form.appendChild(input);
    form.appendChild(send);
    panel.appendChild(header);
    panel.appendChild(messages);
    panel.appendChild(form);

    if (!pageMode) {
      var close = el("button", "close", "×");
      close.type = "button";
      close.setAttribute("aria-label", "Close chat");
      header.appendChild(close);
      var launcher = el("button", "launcher");
      launcher.appendChild(chatIcon());
      launcher.type = "button";
      launcher.setAttribute("aria-label", "Open chat: " + title);
      launcher.setAttribute("aria-expanded", "false");
      panel.hidden = true;
      var toggle = function (open) {
        panel.hidden = !open;
        launcher.setAttribute("aria-expanded", String(open));
        if (open) input.focus(); else launcher.focus();
      };
      launcher.addEventListener("click", function () { toggle(panel.hidden); });
      close.addEventListener("click", function () { toggle(false); });
      panel.addEventListener("keydown", function (event) { if (event.key === "Escape") toggle(false); });
      root.appendChild(launcher);
    }
    root.appendChild(panel);

    var problem = keyProblem();
    if (problem) messages.appendChild(el("div", "msg bot error", problem.message));

    // The conversation, kept for this tab (sessionStorage) so that it survives moving to another page of the site.
    var exchanges = kept();
    var addQuestion = function (question) {
      messages.appendChild(el("div", "msg user", question));
      var bubble = el("div", "msg bot");
      var text = el("span", "answer", "…");
      bubble.appendChild(text);
      messages.appendChild(bubble);
      return { bubble: bubble, text: text };
    };
    exchanges.forEach(function (exchange) {
      var shown = addQuestion(exchange.question);
      showResult(shown.bubble, shown.text, exchange.result);
      shown.bubble.appendChild(feedbackBar(exchange.question, exchange.result));
    });
    messages.scrollTop = messages.scrollHeight;
    var fresh = el("button", "new", "New conversation");
    fresh.type = "button";
    fresh.addEventListener("click", function () {
      exchanges = [];
      keep(exchanges);
      Array.prototype.slice.call(messages.querySelectorAll(".msg")).forEach(function (m) { m.remove(); });
      input.focus();
    });
    header.insertBefore(fresh, header.querySelector(".close"));

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var question = input.value.trim();
      if (!question || send.disabled) return;
      input.value = "";
      send.disabled = fresh.disabled = true;
      var shown = addQuestion(question);
      var bubble = shown.bubble;
      var text = shown.text;
      messages.scrollTop = messages.scrollHeight;
      var history = [];
      exchanges.forEach(function (e) {
        history.push({ role: "user", content: e.question }, { role: "assistant", content: e.result.answer });
      });
      ask(question, history, bubble, text, messages)
        .then(function (result) {
          exchanges.push({ question: question, result: result });
          exchanges = keep(exchanges);
          bubble.appendChild(feedbackBar(question, result));
        })
        .catch(function (error) {
          bubble.classList.add("error");
          text.textContent = error.message || String(error);
        })
        .then(function () {
          send.disabled = fresh.disabled = false;
          input.focus();
          messages.scrollTop = messages.scrollHeight;
        });
    });
  }

  var STORAGE_KEY = "byline-widget " + server + " " + title;
  var KEPT_EXCHANGES = 10; // 20 turns: what the server takes by default (BYLINE_MAX_HISTORY_TURNS)
  var KEPT_CHARS = 300000;

  function kept() {
    try {
      var exchanges = JSON.parse(sessionStorage.getItem(STORAGE_KEY) || "[]");
      return Array.isArray(exchanges) ? exchanges : [];
    } catch (unavailable) { return []; }
  }

  // Keeps the newest exchanges within the bounds; returns them.
  function keep(exchanges) {
    var newest = exchanges.slice(-KEPT_EXCHANGES);
    var text = JSON.stringify(newest);
    while (newest.length && text.length > KEPT_CHARS) {
      newest.shift();
      text = JSON.stringify(newest);
    }
    try {
      if (newest.length) sessionStorage.setItem(STORAGE_KEY, text);
      else sessionStorage.removeItem(STORAGE_KEY);
    } catch (unavailable) { /* storage blocked or full: the conversation lasts as long as the page */ }
    return newest;
  }

  // What went wrong, twice: in plain words for the reader, and with the setting to change for
  // whoever runs the site (in the console).
  function Problem(message, advice) {
    this.message = message;
    this.advice = advice;
  }

  function fail(problem) {
    console.error("Byline widget (" + server + "): " + problem.message + " " + problem.advice);
    return new Error(problem.message);
  }

  // Keys are made of these characters (ui/access.py): a placeholder left in the snippet ("…"),
  // which no header can carry, is caught here rather than by fetch.
  function keyProblem() {
    if (!apiKey || /^[A-Za-z0-9._~+\/=-]+$/.test(apiKey)) return null;
    return new Problem(
      "This widget's key is not a valid key: replace “" + shorten(apiKey, 24) + "” (" + keyPlace +
        ") in the page's snippet with a reader key (BYLINE_READER_KEYS), or drop it on a server without keys.",
      "A key is made of letters, digits and - . _ ~ + / = only; set " + keyPlace + " to one of the keys in BYLINE_READER_KEYS, or drop it."
    );
  }

  async function ask(question, history, bubble, text, messages) {
    var problem = keyProblem();
    if (problem) throw fail(problem);
    var headers = { "Content-Type": "application/json", "Accept": "text/event-stream" };
    if (apiKey) headers.Authorization = "Bearer " + apiKey;
    var response;
    try {
      response = await fetch(server + "/api/ask/stream", {
        method: "POST",
        headers: headers,
        body: JSON.stringify({ question: question, history: history })
      });
    } catch (error) {
      throw fail(await unreachable());
    }
    if (!response.ok) throw fail(await refused(response));
    var answer = "";
    var started = false;
    var finished = null;
    await readEvents(response, function (name, data) {
      if (name === "delta") {
        if (!started) { text.textContent = ""; started = true; }
        answer += data.text;
        text.textContent = answer;
      } else if (name === "result") {
        showResult(bubble, text, data);
        finished = data;
      } else if (name === "error") {
        throw new Error(data.detail || "The answer failed.");
      }
      messages.scrollTop = messages.scrollHeight;
    });
    if (!finished) throw new Error("The answer was cut off; please ask again.");
    return finished;
  }

  // Under each answer: Helpful / Not helpful (real buttons, pressed state told to screen readers),
  // a short reason after "Not helpful", and the thanks in a live region.
  function feedbackBar(question, result) {
    var bar = el("div", "feedback");
    bar.setAttribute("role", "group");
    bar.setAttribute("aria-label", "Was this answer helpful?");
    bar.appendChild(el("span", null, "Was this helpful?"));
    var yes = vote("Yes", "Helpful");
    var no = vote("No", "Not helpful");
    var reasonBox = el("div", "reason");
    reasonBox.hidden = true;
    var reason = el("input");
    reason.type = "text";
    reason.maxLength = 300;
    reason.placeholder = "What was wrong? (optional)";
    reason.setAttribute("aria-label", "What was wrong with this answer? (optional)");
    var sendReason = el("button", "send-feedback", "Send");
    sendReason.type = "button";
    reasonBox.appendChild(reason);
    reasonBox.appendChild(sendReason);
    var thanks = el("p", "thanks");
    thanks.setAttribute("role", "status");
    thanks.setAttribute("aria-live", "polite");
    [yes, no, reasonBox, thanks].forEach(function (node) { bar.appendChild(node); });

    var submit = function (helpful) {
      [yes, no, sendReason, reason].forEach(function (node) { node.disabled = true; });
      sendFeedback({
        question: question,
        answer: result.answer || "",
        citations: (result.citations || []).map(function (c) { return c.doc_id; }),
        helpful: helpful,
        reason: helpful ? "" : reason.value.trim()
      }).then(function () {
        reasonBox.hidden = true;
        thanks.textContent = "Thanks for your feedback.";
      }, function (error) {
        [yes, no, sendReason, reason].forEach(function (node) { node.disabled = false; });
        thanks.textContent = error.message || String(error);
      });
    };
    yes.addEventListener("click", function () {
      press(yes, no);
      submit(true);
    });
    no.addEventListener("click", function () {
      press(no, yes);
      reasonBox.hidden = false;
      reason.focus();
    });
    sendReason.addEventListener("click", function () { submit(false); });
    reason.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); submit(false); }
    });
    return bar;
  }

  function vote(label, spoken) {
    var button = el("button", "vote", label);
    button.type = "button";
    button.setAttribute("aria-pressed", "false");
    button.setAttribute("aria-label", spoken);
    return button;
  }

  function press(on, off) {
    on.setAttribute("aria-pressed", "true");
    off.setAttribute("aria-pressed", "false");
  }

  async function sendFeedback(body) {
    var headers = { "Content-Type": "application/json" };
    if (apiKey) headers.Authorization = "Bearer " + apiKey;
    var response;
    try {
      response = await fetch(server + "/api/feedback", { method: "POST", headers: headers, body: JSON.stringify(body) });
    } catch (error) {
      throw fail(await unreachable());
    }
    if (!response.ok) throw fail(await refused(response));
  }

  // fetch says only "Failed to fetch" both when the server is down and when CORS refused this page:
  // an opaque request, which CORS never blocks, tells them apart.
  async function unreachable() {
    try {
      await fetch(server + "/healthz", { mode: "no-cors", cache: "no-store" });
    } catch (down) {
      return new Problem(
        "The Byline server at " + server + " cannot be reached. Please try again later.",
        "Check that `byline serve` runs there (the address comes from the widget's script src)."
      );
    }
    if (location.origin === server) {
      return new Problem("The question did not reach the server. Please try again.", "The browser's network log says why.");
    }
    return new Problem(
      "The Byline server at " + server + " does not accept questions from this page (" + location.origin + ").",
      "Add " + location.origin + " to BYLINE_CORS_ORIGINS, or to the key's origins in BYLINE_READER_KEYS."
    );
  }

  async function refused(response) {
    var detail = "";
    try {
      var body = await response.json();
      detail = typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail);
    } catch (ignored) { /* not JSON */ }
    var said = detail ? " The server said: " + detail : "";
    var origin = location.origin;
    if (response.status === 401) {
      return new Problem(
        (apiKey ? "The server refused this chat's key." : "This chat needs a key the page does not give.") + said,
        "Set " + keyPlace + " to one of the keys in BYLINE_READER_KEYS (or BYLINE_API_KEYS)."
      );
    }
    if (response.status === 403) {
      return new Problem(
        "This chat's key may not be used on this page (" + origin + ")." + said,
        "Add " + origin + " to the key's origins in BYLINE_READER_KEYS, or give this page a key of its own."
      );
    }
    if (response.status === 429) {
      var wait = retryAfter(response);
      return new Problem(
        "Too many questions for now: please try again " + (wait == null ? "in a minute" : "in " + counted(wait, "second")) + "." + said,
        "The server limits requests per key and per reader (BYLINE_RATE_LIMIT)."
      );
    }
    return new Problem(
      "The server could not answer (error " + response.status + ")." + said,
      "See the Byline server's log for " + response.status + " answers to /api/ask/stream."
    );
  }

  // Retry-After in seconds, from a number of seconds or an HTTP date; null when absent (a cross-origin
  // page sees it only if the server exposes it).
  function retryAfter(response) {
    var value = response.headers.get("Retry-After");
    if (!value) return null;
    var seconds = /^\d+$/.test(value.trim()) ? Number(value) : Math.ceil((Date.parse(value) - Date.now()) / 1000);
    return isNaN(seconds) ? null : Math.max(seconds, 1);
  }

  function counted(n, noun) {
    return n + " " + noun + (n === 1 ? "" : "s");
  }

  // Server-Sent Events over fetch (EventSource cannot POST): blocks split by a blank line.
  async function readEvents(response, onEvent) {
    var reader = response.body.getReader();
    var decoder = new TextDecoder();
    var buffer = "";
    for (;;) {
      var chunk;
      try {
        chunk = await reader.read();
      } catch (lost) {
        throw new Error("The connection to the server was lost before the answer was finished; please ask again.");
      }
      buffer += decoder.decode(chunk.value || new Uint8Array(), { stream: !chunk.done });
      var blocks = buffer.split(/\r?\n\r?\n/);
      buffer = chunk.done ? "" : blocks.pop();
      blocks.forEach(function (block) {
        var name = "message";
        var data = [];
        block.split(/\r?\n/).forEach(function (line) {
          if (line.indexOf("event:") === 0) name = line.slice(6).trim();
          else if (line.indexOf("data:") === 0) data.push(line.slice(5).replace(/^ /, ""));
        });
        if (data.length) onEvent(name, JSON.parse(data.join("\n")));
      });
      if (chunk.done) return;
    }
  }

  // The checked answer replaces the streamed text: claims marked, [n] markers opening their sources.
  function showResult(bubble, text, result) {
    var sources = sourceList(result);
    var searched = searchedFor(result);
    if (searched) bubble.insertBefore(el("div", "searched", "Searched for: “" + searched + "”"), text);
    showAnswer(text, result, sources);
    if (result.warnings && result.warnings.length) {
      var warnings = el("div", "warnings");
      result.warnings.forEach(function (w) { warnings.appendChild(el("p", null, "⚠ " + w)); });
      bubble.appendChild(warnings);
    }
    if (sources.list) bubble.appendChild(sources.list);
  }

  function searchedFor(result) {
    var plain = function (s) { return (s || "").split(/\s+/).filter(Boolean).join(" ").toLowerCase(); };
    var standalone = result.standalone_question;
    return standalone && plain(standalone) !== plain(result.question) ? standalone : null;
  }

  function shorten(text, limit) {
    var flat = text.split(/\s+/).filter(Boolean).join(" ");
    if (flat.length <= limit) return flat;
    var head = flat.slice(0, limit + 1);
    var cut = flat.slice(0, limit).indexOf(" ") >= 0 ? head.slice(0, head.lastIndexOf(" ")) : flat.slice(0, limit);
    return cut.replace(/[\s,;:—–-]+$/, "") + "…";
  }

  function articleFacts(citation, context) {
    var facts = [citation.title || citation.doc_id];
    if (context) facts = facts.concat([context.date, context.source].filter(Boolean));
    if (citation.updated) facts.push("updated " + String(citation.updated).slice(0, 10));
    return facts;
  }

  // The article for readers: its title (a link to it, where it has a web address), outlet and date.
  function articleLine(citation, context) {
    var line = el("span", "meta article");
    var url = context && /^https?:\/\//i.test(context.url || "") ? context.url : null;
    var title = el(url ? "a" : "b", "headline", citation.title || citation.doc_id);
    if (url) {
      title.href = url;
      title.target = "_blank";
      title.rel = "noopener noreferrer";
    }
    line.appendChild(title);
    var rest = context ? [context.source, context.date].filter(Boolean) : [];
    if (rest.length) line.appendChild(document.createTextNode(" · " + rest.join(" · ")));
    return line;
  }

  // The other outlets that carry the cited sentence (copies of one story), by name, as text.
  function alsoIn(citation) {
    return (citation.also_in || []).map(function (copy) { return copy.source || copy.title || copy.doc_id; });
  }

  // One button per citation, labelled by its sentence (the article second), opening its passage.
  function sourceList(result) {
    var contexts = {};
    (result.contexts || []).forEach(function (c) { contexts[c.n] = c; });
    var sources = { list: null, byN: {} };
    if (!result.citations || !result.citations.length) return sources;
    sources.list = el("div", "citations");
    result.citations.forEach(function (citation) {
      var source = citationSource(citation, contexts[citation.n]);
      sources.byN[citation.n] = source;
      sources.list.appendChild(source.button);
      sources.list.appendChild(source.box);
    });
    return sources;
  }

  function citationSource(citation, context) {
    var button = el("button", "cite");
    button.type = "button";
    button.setAttribute("aria-expanded", "false");
    button.appendChild(el("b", null, "[" + citation.n + "] "));
    // The server's label nests the sentence's own quotes; without its passage (a deleted article), the plain sentence.
    button.appendChild(el("span", "label", context ? context.label : "“" + shorten(citation.sentence, LABEL_CHARS) + "”"));
    button.appendChild(el("span", "meta", articleFacts(citation, context).join(" · ")));
    var copies = alsoIn(citation);
    if (copies.length) button.appendChild(el("span", "meta also-in", "also in: " + copies.join(", ")));
    var box = el("div", "context");
    box.hidden = true;
    box.appendChild(articleLine(citation, context));
    box.appendChild(document.createTextNode(context ? context.before : ""));
    box.appendChild(el("mark", "sentence", context ? context.sentence : citation.sentence));
    box.appendChild(document.createTextNode(context ? context.after : ""));
    var show = function (open) {
      box.hidden = !open;
      button.setAttribute("aria-expanded", String(open));
      if (open) box.scrollIntoView({ block: "nearest" });
    };
    button.addEventListener("click", function () { show(box.hidden); });
    return {
      citation: citation,
      button: button,
      box: box,
      point: function (on) { button.classList.toggle("pointed", on); },
      open: function () {
        var current = box.closest(".msg").querySelectorAll(".context.current");
        Array.prototype.forEach.call(current, function (c) { c.classList.remove("current"); });
        box.classList.add("current");
        show(true);
      }
    };
  }

  function showAnswer(node, result, sources) {
    var answer = result.answer || "";
    node.textContent = "";
    var cursor = 0;
    claimSpans(answer, result.claims).forEach(function (span) {
      appendWithMarkers(node, answer.slice(cursor, span.start), sources);
      node.appendChild(claimNode(span.claim, answer.slice(span.start, span.end), sources));
      cursor = span.end;
    });
    appendWithMarkers(node, answer.slice(cursor), sources);
  }

  // Claim offsets count code points and JS strings count UTF-16 units: a claim not found at its
  // offsets is looked for after the previous one, and left out if it is not there.
  function claimSpans(answer, claims) {
    var spans = [];
    var cursor = 0;
    (claims || []).forEach(function (claim) {
      var start = claim.start;
      if (answer.slice(claim.start, claim.end) !== claim.text) start = answer.indexOf(claim.text, cursor);
      if (!claim.text || start < cursor) return;
      spans.push({ start: start, end: start + claim.text.length, claim: claim });
      cursor = start + claim.text.length;
    });
    return spans;
  }

  function claimNode(claim, text, sources) {
    var node = el("span", claim.supported ? "claim" : "claim unsupported");
    if (!claim.supported) {
      node.title = "Not supported by the articles" + (claim.reason ? ": " + claim.reason : "");
      node.appendChild(el("b", "flag", "⚠ "));
    }
    appendWithMarkers(node, text, sources);
    return node;
  }

  function appendWithMarkers(parent, text, sources) {
    var pattern = /\[(\d+)\]/g;
    var cursor = 0;
    var match;
    while ((match = pattern.exec(text)) !== null) {
      var source = sources.byN[match[1]];
      if (!source) continue;
      parent.appendChild(document.createTextNode(text.slice(cursor, match.index)));
      parent.appendChild(markerNode(source));
      cursor = pattern.lastIndex;
    }
    parent.appendChild(document.createTextNode(text.slice(cursor)));
  }

  function markerNode(source) {
    var c = source.citation;
    var marker = el("button", "marker", "[" + c.n + "]");
    marker.type = "button";
    marker.title = shorten(c.sentence, TOOLTIP_CHARS) + " — " + (c.title || c.doc_id);
    marker.setAttribute("aria-label", "Source " + c.n + ": " + shorten(c.sentence, LABEL_CHARS));
    marker.addEventListener("click", source.open);
    marker.addEventListener("mouseenter", function () { source.point(true); });
    marker.addEventListener("mouseleave", function () { source.point(false); });
    return marker;
  }

  if (document.body) build();
  else document.addEventListener("DOMContentLoaded", build);
})();
