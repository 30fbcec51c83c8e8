/* Byline chat widget: vanilla JS, no build step, nothing loaded from anywhere but its own server.
 *
 *   <script src="http://HOST/widget.js" data-title="Ask the archive" data-key="API_KEY" async></script>
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

  var CSS = [
    ":host { all: initial; }",
    "* { box-sizing: border-box; font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; }",
    ".launcher { position: fixed; right: 20px; bottom: 20px; z-index: 2147483646; width: 56px; height: 56px;",
    "  display: flex; align-items: center; justify-content: center;",
    "  border: 0; border-radius: 50%; background: #1f4e79; color: #fff; cursor: pointer;",
    "  box-shadow: 0 4px 14px rgba(0,0,0,.3); }",
    ".launcher:focus-visible, button:focus-visible, input:focus-visible { outline: 3px solid #e0a800; }",
    ".panel { position: fixed; right: 20px; bottom: 88px; z-index: 2147483647; width: 380px; max-width: calc(100vw - 40px);",
    "  height: 540px; max-height: calc(100vh - 110px); display: flex; flex-direction: column; background: #fff;",
    "  color: #1a1a1a; border-radius: 12px; box-shadow: 0 8px 30px rgba(0,0,0,.3); overflow: hidden; font-size: 14px; }",
    ".panel[hidden] { display: none; }",
    ".panel.page { position: static; width: 100%; max-width: none; height: 100vh; max-height: none; border-radius: 0; box-shadow: none; }",
    "header { display: flex; align-items: center; justify-content: space-between; padding: 10px 14px; background: #1f4e79; color: #fff; }",
    "header h2 { margin: 0; font-size: 16px; font-weight: 600; }",
    ".close { background: none; border: 0; color: #fff; font-size: 22px; cursor: pointer; line-height: 1; }",
    ".messages { flex: 1; overflow-y: auto; padding: 12px; background: #f6f7f9; }",
    ".msg { margin: 0 0 10px; padding: 8px 11px; border-radius: 10px; max-width: 92%; white-space: pre-wrap; word-wrap: break-word; }",
    ".user { margin-left: auto; background: #1f4e79; color: #fff; }",
    ".bot { background: #fff; border: 1px solid #dde1e6; }",
    ".bot.error { border-color: #c0392b; color: #c0392b; }",
    ".hint { color: #666; font-size: 13px; }",
    ".warnings { color: #8a6d00; font-size: 12px; margin-top: 6px; }",
    ".citations { margin-top: 8px; display: flex; flex-direction: column; gap: 4px; white-space: normal; }",
    ".cite { text-align: left; background: #fff8e1; border: 1px solid #e0a800; border-radius: 6px; padding: 4px 8px;",
    "  font-size: 13px; cursor: pointer; color: #1a1a1a; }",
    ".context { margin: 2px 0 4px; padding: 6px 9px; border-left: 3px solid #e0a800; background: #fffdf5; font-size: 13px; white-space: pre-wrap; }",
    ".context mark { background: #fff3bf; color: inherit; padding: 0 2px; }",
    ".meta { display: block; color: #777; font-size: 12px; margin-bottom: 4px; white-space: normal; }",
    "form { display: flex; gap: 6px; padding: 10px; border-top: 1px solid #dde1e6; background: #fff; }",
    "input { flex: 1; padding: 8px 10px; border: 1px solid #b8c0ca; border-radius: 8px; font-size: 14px; }",
    "form button { padding: 8px 14px; border: 0; border-radius: 8px; background: #1f4e79; color: #fff; font-size: 14px; cursor: pointer; }",
    "form button:disabled { opacity: .5; cursor: default; }"
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
    messages.appendChild(el("p", "hint", "Answers quote the articles they come from. Click a citation to read it in context."));
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

    var history = [];
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var question = input.value.trim();
      if (!question || send.disabled) return;
      input.value = "";
      send.disabled = true;
      messages.appendChild(el("div", "msg user", question));
      var bubble = el("div", "msg bot");
      var text = el("span", "answer", "…");
      bubble.appendChild(text);
      messages.appendChild(bubble);
      messages.scrollTop = messages.scrollHeight;
      ask(question, history.slice(), bubble, text, messages)
        .then(function (answer) {
          history.push({ role: "user", content: question }, { role: "assistant", content: answer });
        })
        .catch(function (error) {
          bubble.classList.add("error");
          text.textContent = error.message || String(error);
        })
        .then(function () {
          send.disabled = false;
          input.focus();
          messages.scrollTop = messages.scrollHeight;
        });
    });
  }

  async function ask(question, history, bubble, text, messages) {
    var headers = { "Content-Type": "application/json", "Accept": "text/event-stream" };
    if (apiKey) headers.Authorization = "Bearer " + apiKey;
    var response = await fetch(server + "/api/ask/stream", {
      method: "POST",
      headers: headers,
      body: JSON.stringify({ question: question, history: history })
    });
    if (!response.ok) throw new Error(await failure(response));
    var answer = "";
    var started = false;
    var finished = false;
    await readEvents(response, function (name, data) {
      if (name === "delta") {
        if (!started) { text.textContent = ""; started = true; }
        answer += data.text;
        text.textContent = answer;
      } else if (name === "result") {
        answer = data.answer;
        text.textContent = answer;
        showResult(bubble, data);
        finished = true;
      } else if (name === "error") {
        throw new Error(data.detail || "The answer failed.");
      }
      messages.scrollTop = messages.scrollHeight;
    });
    if (!finished) throw new Error("The answer was cut off; please ask again.");
    return answer;
  }

  async function failure(response) {
    var detail = "";
    try {
      var body = await response.json();
      detail = typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail);
    } catch (ignored) { /* not JSON */ }
    if (response.status === 401) return "This chat needs a valid API key (the script tag's data-key). " + detail;
    return "The server answered " + response.status + ". " + detail;
  }

  // Server-Sent Events over fetch (EventSource cannot POST): blocks split by a blank line.
  async function readEvents(response, onEvent) {
    var reader = response.body.getReader();
    var decoder = new TextDecoder();
    var buffer = "";
    for (;;) {
      var chunk = await reader.read();
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

  function showResult(bubble, result) {
    var contexts = {};
    (result.contexts || []).forEach(function (c) { contexts[c.n] = c; });
    if (result.warnings && result.warnings.length) bubble.appendChild(el("div", "warnings", result.warnings.join(" ")));
    if (!result.citations || !result.citations.length) return;
    var list = el("div", "citations");
    result.citations.forEach(function (citation) {
      var button = el("button", "cite", "[" + citation.n + "] " + (citation.title || citation.doc_id));
      button.type = "button";
      button.setAttribute("aria-expanded", "false");
      var box = el("div", "context");
      box.hidden = true;
      var c = contexts[citation.n];
      var facts = c ? [c.source, c.date].filter(Boolean).join(" · ") : "";
      box.appendChild(el("span", "meta", citation.doc_id + (facts ? " · " + facts : "")));
      box.appendChild(document.createTextNode(c ? c.before : ""));
      box.appendChild(el("mark", "sentence", c ? c.sentence : citation.sentence));
      box.appendChild(document.createTextNode(c ? c.after : ""));
      button.addEventListener("click", function () {
        box.hidden = !box.hidden;
        button.setAttribute("aria-expanded", String(!box.hidden));
        if (!box.hidden) box.scrollIntoView({ block: "nearest" });
      });
      list.appendChild(button);
      list.appendChild(box);
    });
    bubble.appendChild(list);
  }

  if (document.body) build();
  else document.addEventListener("DOMContentLoaded", build);
})();
