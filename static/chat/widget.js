/* omnidesk chat widget: one script tag on any site.
 *
 *   <script src="https://desk.example/chat/widget.js" data-widget="KEY" async></script>
 *
 * Optional attributes for a signed-in user of the host site: data-identity-id (their
 * email or user id), data-identity-hash (hex HMAC-SHA256 of it with the widget secret,
 * computed by the host's server), data-identity-name.
 *
 * No framework, no build. Styles live in a shadow root, isolated from the host page.
 * The browser keeps the visitor token, the last event id seen and the messages not yet
 * acknowledged in localStorage: a reload or another tab resumes the same chat, and a
 * reconnect resends what was not acknowledged (the server records a client id once).
 */
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector("script[data-widget]");
  if (!script || window.__omnideskChat) return;
  window.__omnideskChat = true;
  var KEY = script.getAttribute("data-widget");
  var BASE = new URL(script.src, location.href).origin;
  var WS_URL = BASE.replace(/^http/, "ws") + "/ws/chat/" + encodeURIComponent(KEY) + "/";
  var STORE = "omnidesk-chat:" + KEY;

  var TEXTS = {
    en: { open: "Open chat", close: "Close chat", message: "Message", send: "Send",
      attach: "Attach a file", typing: "{name} is typing…", online: "We are online",
      email: "Your email address", emailHint: "We answer by email if you leave.",
      name: "Your name", phone: "Your phone number", required: "(required)",
      sending: "Sending…", failed: "Not sent", you: "You", reconnecting: "Reconnecting…",
      replyTime: "We usually reply {time}.", articles: "Suggested articles",
      saved: "Thanks, we will answer at {email}.", transcript: "Email me this chat",
      transcriptSent: "The transcript is on its way to {email}.",
      survey: "How did we do?", score: "{n} of 5: {label}",
      ratings: ["Very unhappy", "Unhappy", "Neutral", "Happy", "Very happy"],
      effort: "How easy was it to get what you needed?",
      efforts: ["Very hard", "Hard", "Neither easy nor hard", "Easy", "Very easy"],
      comment: "Anything to add? (optional)", feedback: "Send feedback", skip: "No thanks",
      rated: "You rated us {n} of 5 ({label}).", thanks: "Thank you for your feedback!",
      closed: "This survey has closed." },
    de: { open: "Chat öffnen", close: "Chat schließen", message: "Nachricht", send: "Senden",
      attach: "Datei anhängen", typing: "{name} schreibt…", online: "Wir sind online",
      email: "Ihre E-Mail-Adresse", emailHint: "Wir antworten per E-Mail, wenn Sie gehen.",
      name: "Ihr Name", phone: "Ihre Telefonnummer", required: "(Pflichtfeld)",
      sending: "Wird gesendet…", failed: "Nicht gesendet", you: "Sie",
      reconnecting: "Verbindung wird wiederhergestellt…",
      replyTime: "Wir antworten meist {time}.", articles: "Passende Artikel",
      saved: "Danke, wir antworten an {email}.", transcript: "Verlauf per E-Mail senden",
      transcriptSent: "Der Verlauf geht an {email}.",
      survey: "Wie waren wir?", score: "{n} von 5: {label}",
      ratings: ["Sehr unzufrieden", "Unzufrieden", "Neutral", "Zufrieden", "Sehr zufrieden"],
      effort: "Wie einfach war es, Hilfe zu bekommen?",
      efforts: ["Sehr schwer", "Schwer", "Weder noch", "Einfach", "Sehr einfach"],
      comment: "Möchten Sie etwas hinzufügen? (optional)", feedback: "Feedback senden",
      skip: "Nein, danke", rated: "Ihre Bewertung: {n} von 5 ({label}).",
      thanks: "Danke für Ihr Feedback!", closed: "Diese Umfrage ist beendet." },
    fr: { open: "Ouvrir le chat", close: "Fermer le chat", message: "Message", send: "Envoyer",
      attach: "Joindre un fichier", typing: "{name} écrit…", online: "Nous sommes en ligne",
      email: "Votre adresse e-mail", emailHint: "Nous répondons par e-mail si vous partez.",
      name: "Votre nom", phone: "Votre numéro de téléphone", required: "(obligatoire)",
      sending: "Envoi…", failed: "Non envoyé", you: "Vous",
      reconnecting: "Reconnexion…", replyTime: "Nous répondons en général {time}.",
      articles: "Articles suggérés", saved: "Merci, nous répondrons à {email}.",
      transcript: "M'envoyer cette conversation",
      transcriptSent: "La conversation est envoyée à {email}.",
      survey: "Comment avons-nous fait ?", score: "{n} sur 5 : {label}",
      ratings: ["Très insatisfait", "Insatisfait", "Neutre", "Satisfait", "Très satisfait"],
      effort: "Était-il facile d'obtenir ce qu'il vous fallait ?",
      efforts: ["Très difficile", "Difficile", "Ni facile ni difficile", "Facile", "Très facile"],
      comment: "Autre chose à ajouter ? (facultatif)", feedback: "Envoyer mon avis",
      skip: "Non merci", rated: "Votre note : {n} sur 5 ({label}).",
      thanks: "Merci pour votre avis !", closed: "Cette enquête est close." },
    es: { open: "Abrir chat", close: "Cerrar chat", message: "Mensaje", send: "Enviar",
      attach: "Adjuntar un archivo", typing: "{name} está escribiendo…",
      online: "Estamos en línea", email: "Tu correo electrónico",
      emailHint: "Si te vas, respondemos por correo.", name: "Tu nombre",
      phone: "Tu teléfono", required: "(obligatorio)", sending: "Enviando…",
      failed: "No enviado", you: "Tú", reconnecting: "Reconectando…",
      replyTime: "Solemos responder {time}.", articles: "Artículos sugeridos",
      saved: "Gracias, responderemos a {email}.", transcript: "Enviarme esta conversación",
      transcriptSent: "La conversación va a {email}.",
      survey: "¿Qué tal lo hicimos?", score: "{n} de 5: {label}",
      ratings: ["Muy insatisfecho", "Insatisfecho", "Neutral", "Satisfecho", "Muy satisfecho"],
      effort: "¿Fue fácil conseguir lo que necesitabas?",
      efforts: ["Muy difícil", "Difícil", "Ni fácil ni difícil", "Fácil", "Muy fácil"],
      comment: "¿Algo que añadir? (opcional)", feedback: "Enviar opinión", skip: "No, gracias",
      rated: "Nos diste {n} de 5 ({label}).", thanks: "¡Gracias por tu opinión!",
      closed: "Esta encuesta está cerrada." }
  };

  var CSS = [
    ":host{all:initial}",
    "*{box-sizing:border-box;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}",
    ".launcher{position:fixed;bottom:20px;z-index:2147483000;display:flex;align-items:center;gap:8px;",
    "border:0;border-radius:999px;padding:12px 18px;background:var(--c);color:#fff;font-size:15px;",
    "font-weight:600;cursor:pointer;box-shadow:0 6px 20px rgba(0,0,0,.2)}",
    ".launcher:focus-visible,button:focus-visible,textarea:focus-visible,input:focus-visible,a:focus-visible{outline:3px solid #111;outline-offset:2px}",
    ".right{right:20px}.left{left:20px}",
    ".badge{min-width:20px;height:20px;border-radius:10px;background:#fff;color:var(--c);font-size:12px;line-height:20px;text-align:center;padding:0 6px}",
    ".panel{position:fixed;bottom:86px;z-index:2147483001;width:370px;max-width:calc(100vw - 40px);",
    "height:560px;max-height:calc(100vh - 110px);display:flex;flex-direction:column;background:#fff;",
    "color:#1f2328;border-radius:14px;box-shadow:0 12px 40px rgba(0,0,0,.25);overflow:hidden;font-size:14px}",
    ".panel[hidden]{display:none}",
    "header{background:var(--c);color:#fff;padding:14px 16px;display:flex;align-items:flex-start;gap:8px}",
    "header div{flex:1}h2{margin:0;font-size:16px}header p{margin:4px 0 0;font-size:13px;opacity:.95}",
    ".x{background:transparent;border:0;color:#fff;font-size:22px;line-height:1;cursor:pointer;padding:2px 6px;border-radius:6px}",
    ".log{flex:1;overflow-y:auto;padding:14px;display:flex;flex-direction:column;gap:8px;background:#f6f7f9;margin:0}",
    ".msg{margin:0;max-width:82%;padding:8px 12px;border-radius:14px;white-space:pre-wrap;word-wrap:break-word;line-height:1.4}",
    ".in{align-self:flex-end;background:var(--c);color:#fff;border-bottom-right-radius:4px}",
    ".out{align-self:flex-start;background:#fff;border:1px solid #d8dde3;border-bottom-left-radius:4px}",
    ".meta{display:block;font-size:11px;margin-top:2px}",
    ".out .meta{color:#57606a}",
    ".msg a{color:inherit}",
    ".status{min-height:18px;padding:0 14px;font-size:12px;color:#57606a;background:#f6f7f9}",
    ".notice{padding:6px 14px;font-size:13px;background:#fff8c5;color:#3b2f00}",
    ".notice[hidden],.sugg[hidden],.contact[hidden]{display:none}",
    ".foot{padding:0 10px 8px;background:#fff;text-align:right}",
    ".link{background:none;border:0;padding:2px;color:#0550ae;text-decoration:underline;cursor:pointer;font-size:12px}",
    ".hint{margin:0;font-size:12px;color:#57606a}",
    "input[type=text],input[type=tel]{flex:1;font-size:15px;padding:8px 10px;border:1px solid #8c959f;border-radius:8px;color:#1f2328;background:#fff}",
    ".contact{display:flex;flex-direction:column;gap:4px}",
    ".sugg{border-top:1px solid #d8dde3;padding:8px 14px;background:#fff}",
    ".sugg h3{margin:0 0 4px;font-size:12px;color:#57606a;font-weight:600}",
    ".sugg ul{margin:0;padding:0;list-style:none}.sugg a{color:#0550ae;font-size:13px;display:block;padding:2px 0}",
    "form{border-top:1px solid #d8dde3;padding:10px;display:flex;flex-direction:column;gap:8px;background:#fff}",
    ".row{display:flex;gap:8px;align-items:flex-end}",
    "label{font-size:12px;color:#57606a}",
    ".vh{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}",
    "textarea,input[type=email]{flex:1;font-size:15px;padding:8px 10px;border:1px solid #8c959f;border-radius:8px;resize:none;color:#1f2328;background:#fff}",
    "textarea{min-height:40px;max-height:120px}",
    ".send{background:var(--c);color:#fff;border:0;border-radius:8px;padding:10px 14px;font-weight:600;cursor:pointer;font-size:14px}",
    ".attach{display:flex;align-items:center;background:#fff;border:1px solid #8c959f;border-radius:8px;padding:10px;cursor:pointer;color:#1f2328}",
    ".file:focus-visible+.attach{outline:3px solid #111;outline-offset:2px}",
    ".survey{align-self:stretch;max-width:none;white-space:normal;display:flex;flex-direction:column;gap:8px;padding:12px}",
    ".survey .q{margin:0;font-weight:600}",
    ".scale{display:flex;gap:6px}",
    ".score{flex:1;min-width:0;height:40px;border:1px solid #8c959f;border-radius:8px;background:#fff;color:#1f2328;font-size:15px;font-weight:600;cursor:pointer}",
    ".score:hover:not(:disabled){border-color:var(--c);box-shadow:inset 0 0 0 1px var(--c)}",
    ".score[aria-pressed=true]{background:var(--c);border-color:var(--c);color:#fff}",
    ".score:disabled{cursor:default}",
    ".score:disabled:not([aria-pressed=true]){background:#f6f7f9;border-color:#d8dde3;color:#57606a}",
    ".ends{display:flex;justify-content:space-between;gap:8px;margin-top:-4px;font-size:11px;color:#57606a}",
    ".follow{display:flex;flex-direction:column;gap:8px;border-top:1px solid #d8dde3;padding-top:10px}",
    ".survey [hidden]{display:none}",
    ".survey textarea{flex:none;width:100%;min-height:64px}",
    ".actions{display:flex;gap:12px;align-items:center}",
    ".survey .sv-status{margin:0;font-size:13px}.survey .sv-status:empty{display:none}",
    ".survey .err{color:#a40e26}",
    "@media (max-width:480px){.panel{inset:0;width:100%;max-width:100%;height:100%;max-height:100%;border-radius:0;bottom:0}",
    ".launcher.open{display:none}}"
  ].join("");

  var state = load();
  var settings = null;
  var online = true;
  var t = TEXTS.en;
  var sock = null;
  var attempts = 0;
  var seen = {};       // interaction id -> element
  var surveys = {};    // survey id -> its rating control in the log (see surveyCard)
  var pendingEls = {}; // client id -> element
  var lastOut = 0;     // newest agent message id seen
  var typedAt = 0;
  var pingTimer = null;
  var typingTimer = null;
  var suggestTimer = null;
  var unread = 0;
  var loaded = false;  // this page has the history: later reconnects catch up by event id
  var ui = {};

  function load() {
    try {
      var saved = JSON.parse(localStorage.getItem(STORE) || "{}");
      return { token: saved.token || null, last: saved.last || 0, pending: saved.pending || {},
        email: saved.email || "", contact: !!saved.contact };
    } catch (e) {
      return { token: null, last: 0, pending: {}, email: "", contact: false };
    }
  }

  function save() {
    try { localStorage.setItem(STORE, JSON.stringify(state)); } catch (e) { /* private mode */ }
  }

  function fmt(text, values) {
    return text.replace(/\{(\w+)\}/g, function (_, k) { return values[k] || ""; });
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { node.appendChild(c); });
    return node;
  }

  function clip() {
    var NS = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "18");
    svg.setAttribute("height", "18");
    svg.setAttribute("aria-hidden", "true");
    var path = document.createElementNS(NS, "path");
    path.setAttribute("d", "m21.44 11.05-9.19 9.19a6 6 0 0 1-8.49-8.49l8.57-8.57A4 4 0 1 1 " +
      "18 8.84l-8.59 8.57a2 2 0 0 1-2.83-2.83l8.49-8.48");
    path.setAttribute("fill", "none");
    path.setAttribute("stroke", "currentColor");
    path.setAttribute("stroke-width", "2");
    path.setAttribute("stroke-linecap", "round");
    path.setAttribute("stroke-linejoin", "round");
    svg.appendChild(path);
    return svg;
  }

  function build() {
    var host = el("div", { id: "omnidesk-chat" });
    document.body.appendChild(host);
    var root = host.attachShadow({ mode: "open" });
    if ("adoptedStyleSheets" in root && typeof CSSStyleSheet === "function") {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } else {
      root.appendChild(el("style", { text: CSS }));
    }
    host.style.setProperty("--c", settings.color);
    var side = settings.position === "left" ? "left" : "right";
    ui.badge = el("span", { "class": "badge", "aria-hidden": "true" });
    ui.badge.hidden = true;
    ui.launcherText = el("span", { text: settings.launcher_text || t.open });
    ui.launcher = el("button", { type: "button", "class": "launcher " + side,
      "aria-expanded": "false", "aria-controls": "panel" }, [ui.launcherText, ui.badge]);
    ui.title = el("h2", { id: "title", text: settings.name });
    ui.sub = el("p", { id: "sub" });
    ui.close = el("button", { type: "button", "class": "x", "aria-label": t.close, text: "×" });
    ui.transcript = el("button", { type: "button", "class": "link", text: t.transcript });
    ui.transcript.addEventListener("click", function () { send({ type: "transcript" }); });
    ui.log = el("div", { "class": "log", role: "log", "aria-live": "polite", "aria-labelledby": "title" });
    ui.status = el("div", { "class": "status", role: "status", "aria-live": "polite" });
    ui.notice = el("div", { "class": "notice", role: "alert" });
    ui.notice.hidden = true;
    ui.suggList = el("ul");
    ui.sugg = el("nav", { "class": "sugg", "aria-labelledby": "sugg-title" },
      [el("h3", { id: "sugg-title", text: t.articles }), ui.suggList]);
    ui.sugg.hidden = true;
    ui.contact = el("div", { "class": "contact" });
    ui.inputs = {};
    ui.text = el("textarea", { id: "text", rows: "1" });
    ui.file = el("input", { type: "file", id: "file", "class": "vh file",
      accept: "image/*,application/pdf,text/plain" });
    ui.attach = el("label", { "for": "file", "class": "attach", title: t.attach },
      [clip(), el("span", { "class": "vh", text: t.attach })]);
    ui.send = el("button", { type: "submit", "class": "send", text: t.send });
    ui.form = el("form", { "aria-label": t.message }, [ui.contact,
      el("label", { "for": "text", "class": "vh", text: t.message }),
      el("div", { "class": "row" }, [ui.file, ui.attach, ui.text, ui.send])]);
    ui.panel = el("div", { id: "panel", "class": "panel " + side, role: "dialog",
      "aria-labelledby": "title", "aria-describedby": "sub" }, [
      el("header", {}, [el("div", {}, [ui.title, ui.sub]), ui.close]),
      ui.log, ui.status, ui.notice, ui.sugg, ui.form,
      el("div", { "class": "foot" }, [ui.transcript])]);
    ui.panel.hidden = true;
    root.appendChild(ui.launcher);
    root.appendChild(ui.panel);
    ui.root = root;
    ui.log.appendChild(el("p", { "class": "msg out", text: settings.greeting }));

    ui.launcher.addEventListener("click", function () { toggle(true); });
    ui.close.addEventListener("click", function () { toggle(false); });
    ui.panel.addEventListener("keydown", trapFocus);
    ui.form.addEventListener("submit", function (e) { e.preventDefault(); submit(); });
    ui.text.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); submit(); }
    });
    ui.text.addEventListener("input", onInput);
    ui.file.addEventListener("change", upload);
    showAvailability();
  }

  function toggle(open) {
    ui.panel.hidden = !open;
    ui.launcher.setAttribute("aria-expanded", open ? "true" : "false");
    ui.launcher.classList.toggle("open", open);
    if (open) {
      unread = 0;
      ui.badge.hidden = true;
      connect();
      var firstField = ui.contact.querySelector("input");
      (ui.contact.hidden || !firstField ? ui.text : firstField).focus();
      scrollDown();
      sendRead();
    } else {
      ui.launcher.focus();
    }
  }

  function trapFocus(e) {
    if (e.key === "Escape") { toggle(false); return; }
    if (e.key !== "Tab") return;
    var items = Array.prototype.filter.call(
      ui.panel.querySelectorAll(
        "button:not([disabled]),textarea,input:not(.vh),a[href],label[for=file]"),
      function (n) { return !n.closest("[hidden]") && n.offsetParent !== null; });
    if (!items.length) return;
    var first = items[0], last = items[items.length - 1];
    var active = ui.root.activeElement;
    if (e.shiftKey && active === first) { e.preventDefault(); last.focus(); }
    else if (!e.shiftKey && active === last) { e.preventDefault(); first.focus(); }
  }

  // The pre-chat form's fields (the widget's `prechat` setting), and the email address
  // when nobody is online: asked once, before the visitor's first message.
  function contactFields() {
    var fields = (settings.prechat || []).map(function (f) {
      return { name: f.name, required: !!f.required };
    });
    if (!online) {
      var email = fields.filter(function (f) { return f.name === "email"; })[0];
      if (email) email.required = true;
      else fields.push({ name: "email", required: true });
    }
    return fields;
  }

  function showContact() {
    var fields = state.contact ? [] : contactFields();
    var shape = JSON.stringify(fields) + online;
    if (shape === ui.contactShape) return; // unchanged: keep what is typed, and the focus
    ui.contactShape = shape;
    ui.contact.textContent = "";
    ui.inputs = {};
    fields.forEach(function (f) {
      var type = { email: "email", phone: "tel", name: "text" }[f.name];
      var input = el("input", { type: type, id: "f-" + f.name,
        autocomplete: f.name === "phone" ? "tel" : f.name });
      if (f.required) input.required = true;
      ui.inputs[f.name] = input;
      ui.contact.appendChild(el("label", { "for": "f-" + f.name,
        text: t[f.name] + (f.required && online ? " " + t.required : "") }));
      ui.contact.appendChild(el("div", { "class": "row" }, [input]));
    });
    if (fields.length && !online) ui.contact.appendChild(el("p", { "class": "hint", text: t.emailHint }));
    ui.contact.hidden = !fields.length;
  }

  function showAvailability() {
    if (online) {
      ui.sub.textContent = t.online;
    } else {
      ui.sub.textContent = settings.offline_message + " " +
        fmt(t.replyTime, { time: settings.reply_time });
    }
    showContact();
  }

  function scrollDown() { ui.log.scrollTop = ui.log.scrollHeight; }

  function bubble(direction, text, meta) {
    var node = el("p", { "class": "msg " + (direction === "in" ? "in" : "out") });
    node.appendChild(document.createTextNode(text));
    var metaEl = el("span", { "class": "meta", text: meta || "" });
    node.appendChild(metaEl);
    ui.log.appendChild(node);
    scrollDown();
    return node;
  }

  function render(m) {
    if (seen[m.id]) {
      if (m.survey) updateSurvey(m.survey);
      return;
    }
    var node = m.client_id && pendingEls[m.client_id];
    var label = m.direction === "in" ? t.you : (m.author_name || settings.name);
    if (node) {
      delete pendingEls[m.client_id];
      node.lastChild.textContent = label;
    } else if (m.survey) {
      node = surveyCard(m.survey, label); // its text (the rating page's link) is for email
    } else {
      node = bubble(m.direction, m.text, label);
    }
    (m.attachments || []).forEach(function (a) {
      var link = el("a", { href: a.url || "#", target: "_blank", rel: "noopener", text: a.name });
      node.insertBefore(el("span", { "class": "meta" }, [link]), node.lastChild);
    });
    seen[m.id] = node;
    if (m.direction === "out") {
      lastOut = Math.max(lastOut, m.id);
      hideTyping();
      if (ui.panel.hidden) { unread += 1; ui.badge.textContent = String(unread); ui.badge.hidden = false; }
      else sendRead();
    }
  }

  // A satisfaction survey in the transcript: five buttons 1-5, then (after a rating given
  // here) an optional effort score and comment, then thanks. The server checks every
  // answer (its own survey, once); `card.state` is what it last said.
  function surveyCard(state, label) {
    var q = "sv-" + state.id;
    var card = { id: state.id, state: state, busy: null, picked: 0, effort: 0,
      following: false, error: "" };
    card.rating = scale(q, t.ratings, function (n) { rate(card, n); });
    card.ends = ends(t.ratings);
    card.effortScale = scale(q + "-e", t.efforts, function (n) {
      card.effort = card.effort === n ? 0 : n;
      paintSurvey(card);
    });
    card.comment = el("textarea", { id: q + "-c", rows: "2", maxlength: "5000" });
    card.feedback = el("button", { type: "button", "class": "send", text: t.feedback });
    card.skip = el("button", { type: "button", "class": "link", text: t.skip });
    card.feedback.addEventListener("click", function () { followUp(card); });
    card.skip.addEventListener("click", function () {
      card.following = false;
      paintSurvey(card);
      ui.text.focus();
    });
    card.status = el("p", { "class": "sv-status", role: "status" });
    card.followStatus = el("p", { "class": "sv-status", role: "status" });
    card.follow = el("div", { "class": "follow" }, [
      el("p", { "class": "q", id: q + "-e", text: t.effort }), card.effortScale, ends(t.efforts),
      el("label", { "for": q + "-c", text: t.comment }), card.comment,
      el("div", { "class": "actions" }, [card.feedback, card.skip]), card.followStatus]);
    card.node = el("div", { "class": "msg out survey", role: "group", "aria-labelledby": q }, [
      el("p", { "class": "q", id: q, text: t.survey }), card.rating, card.ends, card.status,
      card.follow, el("span", { "class": "meta", text: label })]);
    surveys[state.id] = card;
    paintSurvey(card);
    ui.log.appendChild(card.node);
    scrollDown();
    return card.node;
  }

  function scale(labelledBy, labels, pick) {
    var row = el("div", { "class": "scale", role: "group", "aria-labelledby": labelledBy });
    labels.forEach(function (label, i) {
      var button = el("button", { type: "button", "class": "score", "aria-pressed": "false",
        "aria-label": fmt(t.score, { n: String(i + 1), label: label }), text: String(i + 1) });
      button.addEventListener("click", function () { pick(i + 1); });
      row.appendChild(button);
    });
    row.addEventListener("keydown", function (e) { // arrows move along the scale
      var step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[e.key];
      var items = Array.prototype.slice.call(row.querySelectorAll("button:not([disabled])"));
      var at = items.indexOf(ui.root.activeElement);
      if (!step || at < 0) return;
      e.preventDefault();
      items[(at + step + items.length) % items.length].focus();
    });
    return row;
  }

  function ends(labels) {
    return el("div", { "class": "ends", "aria-hidden": "true" },
      [el("span", { text: labels[0] }), el("span", { text: labels[labels.length - 1] })]);
  }

  function paintSurvey(card) {
    var s = card.state, given = s.rating || card.picked;
    var closed = !s.rating && !s.open;
    card.rating.hidden = card.ends.hidden = closed;
    Array.prototype.forEach.call(card.rating.childNodes, function (b, i) {
      b.setAttribute("aria-pressed", i + 1 === given ? "true" : "false");
      b.disabled = !!given || closed;
    });
    card.follow.hidden = !(s.rating && card.following);
    Array.prototype.forEach.call(card.effortScale.childNodes, function (b, i) {
      b.setAttribute("aria-pressed", i + 1 === card.effort ? "true" : "false");
      b.disabled = !!card.busy;
    });
    card.comment.disabled = card.feedback.disabled = card.skip.disabled = !!card.busy;
    // While the follow-up is open, its own line says how sending it goes.
    var line = card.following ? card.followStatus : card.status;
    var text = "", note = "";
    if (closed) text = t.closed;
    else if (s.rating) {
      text = fmt(t.rated, { n: String(s.rating), label: t.ratings[s.rating - 1] });
      if (!card.following) text += " " + t.thanks;
    }
    if (card.error) note = card.error;
    else if (card.busy) note = t.sending;
    card.status.textContent = line === card.status && note ? note : text;
    card.followStatus.textContent = line === card.followStatus ? note : "";
    card.status.className = "sv-status" + (line === card.status && card.error ? " err" : "");
    card.followStatus.className = "sv-status" + (card.error ? " err" : "");
  }

  function answer(card, frame, busy) {
    card.error = "";
    frame.type = "survey_answer";
    frame.survey = card.id;
    if (send(frame)) card.busy = busy;
    else card.error = t.reconnecting;
    paintSurvey(card);
    return !card.error;
  }

  function rate(card, n) {
    if (card.busy || card.state.rating) return;
    card.picked = n;
    if (!answer(card, { rating: n }, "rate")) card.picked = 0;
    paintSurvey(card);
  }

  function followUp(card) {
    var comment = card.comment.value.trim();
    if (!card.effort && !comment) { card.following = false; paintSurvey(card); ui.text.focus(); return; }
    answer(card, { effort: card.effort || null, comment: comment || null }, "follow");
  }

  function updateSurvey(state) {
    var card = surveys[state.id];
    if (!card) return;
    card.state = state;
    if (state.effort || state.commented) card.following = false;
    paintSurvey(card);
  }

  function surveySaved(state) {
    var card = surveys[state.id];
    if (!card) return;
    var rated = card.busy === "rate";
    card.busy = null;
    card.picked = 0;
    card.following = rated && !state.effort && !state.commented;
    updateSurvey(state);
    if (card.following) card.effortScale.firstChild.focus();
    else if (ui.root.activeElement === null || card.node.contains(ui.root.activeElement)) ui.text.focus();
    scrollDown();
  }

  function surveyRefused(f) {
    var card = surveys[f.survey];
    if (!card) return;
    card.busy = null;
    card.picked = 0;
    card.error = f.message;
    paintSurvey(card);
  }

  function sendRead() {
    if (lastOut && !ui.panel.hidden && document.visibilityState === "visible") {
      send({ type: "read", up_to: lastOut });
    }
  }

  function send(frame) {
    if (sock && sock.readyState === 1) { sock.send(JSON.stringify(frame)); return true; }
    return false;
  }

  function newClientId() {
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 10);
  }

  function submit() {
    var text = ui.text.value.trim();
    if (!text) return;
    if (!ui.contact.hidden) {
      var contact = { type: "contact" };
      var names = Object.keys(ui.inputs);
      for (var i = 0; i < names.length; i++) {
        var input = ui.inputs[names[i]];
        if (!input.checkValidity()) { input.reportValidity(); input.focus(); return; }
        contact[names[i]] = input.value.trim();
      }
      state.contact = true;
      state.email = contact.email || state.email;
      save();
      if (names.some(function (n) { return contact[n]; })) send(contact);
      ui.contact.hidden = true;
    }
    var id = newClientId();
    state.pending[id] = text;
    save();
    pendingEls[id] = bubble("in", text, t.sending);
    ui.text.value = "";
    typedAt = 0;  // the next keystroke starts a new message
    send({ type: "message", client_id: id, text: text });
    ui.sugg.hidden = true;
    ui.text.focus();
  }

  function onInput() {
    var now = Date.now();
    if (now - typedAt > 2000 && ui.text.value) { typedAt = now; send({ type: "typing" }); }
    clearTimeout(suggestTimer);
    suggestTimer = setTimeout(suggest, 350);
  }

  function suggest() {
    var q = ui.text.value.trim();
    if (q.length < 3) { ui.sugg.hidden = true; return; }
    fetch(BASE + "/chat/" + encodeURIComponent(KEY) + "/articles/?q=" + encodeURIComponent(q) +
      "&locale=" + encodeURIComponent(settings.language || "en"))
      .then(function (r) { return r.ok ? r.json() : { results: [] }; })
      .then(function (data) {
        ui.suggList.textContent = "";
        (data.results || []).slice(0, 3).forEach(function (a) {
          var link = el("a", { href: a.url, target: "_blank", rel: "noopener", text: a.title });
          link.addEventListener("click", function () { send({ type: "article", slug: a.slug }); });
          ui.suggList.appendChild(el("li", {}, [link]));
        });
        ui.sugg.hidden = !ui.suggList.childNodes.length;
      })
      .catch(function () { ui.sugg.hidden = true; });
  }

  function upload() {
    var file = ui.file.files && ui.file.files[0];
    if (!file || !state.token) return;
    var id = newClientId();
    var node = bubble("in", file.name, t.sending);
    var body = new FormData();
    body.append("file", file);
    body.append("client_id", id);
    pendingEls[id] = node;
    fetch(BASE + "/chat/" + encodeURIComponent(KEY) + "/attachments/", {
      method: "POST", body: body, headers: { Authorization: "Bearer " + state.token }
    }).then(function (r) { return r.json().then(function (d) { return [r.ok, d]; }); })
      .then(function (res) {
        if (!res[0]) { node.lastChild.textContent = t.failed + ": " + res[1].error; delete pendingEls[id]; }
      })
      .catch(function () { node.lastChild.textContent = t.failed; delete pendingEls[id]; });
    ui.file.value = "";
  }

  function showTyping(name) {
    ui.status.textContent = fmt(t.typing, { name: name || settings.name });
    clearTimeout(typingTimer);
    typingTimer = setTimeout(hideTyping, 5000);
  }

  function hideTyping() { ui.status.textContent = ""; }

  function notice(text) {
    ui.notice.textContent = text;
    ui.notice.hidden = !text;
  }

  function connect() {
    if (sock && sock.readyState <= 1) return;
    sock = new WebSocket(WS_URL);
    sock.onopen = function () {
      // Another tab may have started the chat since this page loaded: join it.
      var fresh = load();
      if (fresh.token && fresh.token !== state.token) {
        state.token = fresh.token;
        loaded = false; // its history is not on this page yet
      }
      var hello = { type: "hello", token: state.token,
        since: loaded && state.token ? state.last : null };
      var idAttr = script.getAttribute("data-identity-id");
      if (idAttr) {
        hello.identity = { id: idAttr, hash: script.getAttribute("data-identity-hash") || "",
          name: script.getAttribute("data-identity-name") || "" };
      }
      sock.send(JSON.stringify(hello));
    };
    sock.onmessage = function (e) { onFrame(JSON.parse(e.data)); };
    sock.onclose = function (e) {
      clearInterval(pingTimer);
      sock = null;
      if (e.code === 4403 || e.code === 4401) return; // refused: retrying will not help
      notice(t.reconnecting);
      attempts += 1;
      var delay = Math.min(15000, 500 * Math.pow(2, attempts - 1)) * (0.75 + Math.random() / 2);
      setTimeout(connect, delay);
    };
  }

  function onFrame(f) {
    if (f.type === "welcome") {
      attempts = 0;
      notice("");
      if (state.token && state.token !== f.token) { state.last = 0; }
      state.token = f.token;
      online = f.online;
      showAvailability();
      if (f.history) {
        if (f.history.length && !state.contact) { state.contact = true; showContact(); }
        f.history.forEach(render);
        state.last = f.last_event_id;
        loaded = true;
      }
      save();
      Object.keys(state.pending).forEach(function (id) {
        if (!pendingEls[id]) pendingEls[id] = bubble("in", state.pending[id], t.sending);
        send({ type: "message", client_id: id, text: state.pending[id] });
      });
      pingTimer = setInterval(function () { send({ type: "ping" }); }, 25000);
      sendRead();
    } else if (f.type === "event") {
      state.last = Math.max(state.last, f.id);
      if (f.event === "interaction.created") {
        delete state.pending[f.data.client_id];
        render(f.data);
      } else if (f.event === "interaction.updated" && f.data.survey) {
        updateSurvey(f.data.survey);
      } else if (f.event === "typing" && f.data.by === "agent") {
        showTyping(f.data.name);
      }
      save();
    } else if (f.type === "ack") {
      delete state.pending[f.client_id];
      save();
      var node = pendingEls[f.client_id];
      if (node && !seen[f.id]) { seen[f.id] = node; node.lastChild.textContent = t.you; }
      delete pendingEls[f.client_id];
    } else if (f.type === "survey_saved") {
      surveySaved(f.survey);
    } else if (f.type === "error") {
      if (f.error === "survey") {
        surveyRefused(f);
      } else if (f.client_id && f.error === "flood") {
        notice(f.message);
        setTimeout(function () { // then try that message again
          notice("");
          var text = state.pending[f.client_id];
          if (text) send({ type: "message", client_id: f.client_id, text: text });
        }, 15000);
      } else if (f.message) {
        notice(f.message);
      }
    } else if (f.type === "transcript_queued") {
      notice(fmt(t.transcriptSent, { email: f.email }));
    } else if (f.type === "contact_saved") {
      ui.contact.hidden = true;
      if (f.email && !online) notice(fmt(t.saved, { email: f.email }));
    }
  }

  window.addEventListener("storage", function (e) {
    if (e.key === STORE) {
      var fresh = load();
      if (fresh.token && fresh.token !== state.token) { state.token = fresh.token; }
    }
  });
  document.addEventListener("visibilitychange", sendRead);

  function start() {
    fetch(BASE + "/chat/" + encodeURIComponent(KEY) + "/settings/")
      .then(function (r) { if (!r.ok) throw new Error("widget " + r.status); return r.json(); })
      .then(function (data) {
        settings = data.settings;
        online = data.online;
        t = TEXTS[(settings.language || "en").slice(0, 2)] || TEXTS.en;
        build();
        if (state.token) connect(); // an ongoing chat: show replies and the unread count
      })
      .catch(function () { /* the widget stays away rather than break the host page */ });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
