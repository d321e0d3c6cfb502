/* The agent workspace: the live inbox list, the conversation's live timeline, the
 * composer, actions, notifications, presence, calls and the keyboard. A plain script, no
 * build step; behaviour hangs on data attributes (the pages run under a strict CSP).
 *
 * Live updates: a socket event names an object; the page asks the server for that object
 * as the page shows it (a list row: /inbox/rows/<id>/?<the list's filters>, a timeline
 * item: /conversations/<c>/items/<i>/) and puts the answer in its place, in sort order.
 * The server decides whether the row still belongs to this list (filters, permissions),
 * so the page never re-implements them. Fetches for one object are sequenced: an answer
 * older than one already applied is dropped, so events arriving close together never
 * leave an older state on screen.
 */
(function () {
  "use strict";

  var $ = function (sel, root) { return (root || document).querySelector(sel); };
  var $$ = function (sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); };
  var omnidesk = window.omnidesk = window.omnidesk || {};
  var toast = function (text, kind) { if (omnidesk.toast) omnidesk.toast(text, { kind: kind }); };

  function csrfToken() {
    var field = $("input[name=csrfmiddlewaretoken]");
    if (field) return field.value;
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; }
    catch (e) { return ""; }
  }

  function post(url, body) {
    var data = body instanceof FormData ? body : new URLSearchParams(body || "");
    return fetch(url, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" },
    }).then(function (response) {
      if (response.status === 204) return { ok: true };
      return response.json().catch(function () {
        return { ok: false, error: "The server answered " + response.status + ". Try again in a moment." };
      });
    }, function () {
      return { ok: false, error: "The server could not be reached. Check the connection and try again." };
    });
  }

  function getHtml(url, headers) {
    return fetch(url, { credentials: "same-origin", headers: headers || {} }).then(function (response) {
      if (response.status === 204) return "";
      if (!response.ok) throw new Error(String(response.status));
      return response.text();
    });
  }

  function fragment(html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content;
  }

  function refresh(root) { if (omnidesk.refreshTimes) omnidesk.refreshTimes(root); }

  /* Sort keys are "ISO time|id": compare times, then ids. */
  function compareSort(a, b) {
    var pa = a.split("|"), pb = b.split("|");
    var ta = Date.parse(pa[0]), tb = Date.parse(pb[0]);
    if (ta !== tb) return ta < tb ? -1 : 1;
    return Number(pa[1]) - Number(pb[1]);
  }

  /* Keeps `anchor` where it is on screen while the DOM above it changes. */
  function keepInPlace(scroller, anchor, change) {
    if (!scroller || !anchor || !anchor.isConnected) { change(); return; }
    var before = anchor.getBoundingClientRect().top;
    change();
    if (anchor.isConnected) scroller.scrollTop += anchor.getBoundingClientRect().top - before;
  }

  var workspace = $("#workspace");
  var realtime = function () { return omnidesk.realtime; };
  function onRealtime(name, fn) {
    if (realtime()) { realtime().on(name, fn); return; }
    document.addEventListener("DOMContentLoaded", function () { if (realtime()) realtime().on(name, fn); });
  }

  /* ------------------------------------------------------------ the inbox list */
  var list = {
    el: function () { return $("#conv-list"); },
    body: function () { return $("#list-body"); },
    hovered: null,
    seq: {},
    descending: function () {
      var sort = new URLSearchParams(workspace ? workspace.dataset.listQuery : "").get("sort");
      return !sort || sort === "last_activity";
    },
    selectedId: function () { return workspace && workspace.dataset.conversationId; },

    rowUrl: function (id) {
      var query = workspace.dataset.listQuery || "";
      var selected = list.selectedId();
      var params = new URLSearchParams(query);
      if (selected) params.set("selected", selected);
      return workspace.dataset.rowUrl + id + "/?" + params.toString();
    },

    /* Ask the server for the row as this list shows it, then add, move or drop it. */
    upsert: function (id) {
      if (!workspace || !list.el()) return;
      var n = (list.seq[id] || 0) + 1;
      list.seq[id] = n;
      getHtml(list.rowUrl(id)).then(function (html) {
        if (list.seq[id] !== n) return;  /* a newer answer is on its way */
        list.place(id, html);
      }).catch(function () { /* the next event or a reload brings it */ });
    },

    place: function (id, html) {
      var ul = list.el();
      var old = ul.querySelector('li[data-row-id="' + id + '"]');
      if (!html) {
        if (old) keepInPlace(list.body(), list.anchor(old), function () { old.remove(); });
        list.empty();
        return;
      }
      var li = fragment(html).firstElementChild;
      var key = li.dataset.sort;
      var desc = list.descending();
      var rows = $$("li[data-row-id]", ul).filter(function (r) { return r !== old; });
      var before = null;
      for (var i = 0; i < rows.length; i++) {
        var c = compareSort(key, rows[i].dataset.sort);
        if (desc ? c > 0 : c < 0) { before = rows[i]; break; }
      }
      /* Past the last row while more pages wait: the row comes with its page. */
      if (!before && $(".list-more", list.body())) { if (old) old.remove(); return; }
      var isNew = !old;
      var anchor = list.anchor(old);
      keepInPlace(list.body(), anchor, function () {
        if (old) old.remove();
        ul.insertBefore(li, before);
      });
      if (isNew) { var row = $(".conv-row", li); if (row) row.classList.add("is-new"); }
      refresh(li);
      list.empty();
    },

    /* The row to hold still: the one under the pointer, else (when scrolled) the first in view. */
    anchor: function (changing) {
      if (list.hovered && list.hovered.isConnected && list.hovered !== changing) return list.hovered;
      var body = list.body();
      if (!body || body.scrollTop === 0) return null;
      var top = body.getBoundingClientRect().top;
      return $$("li[data-row-id]", list.el()).find(function (r) {
        return r !== changing && r.getBoundingClientRect().bottom > top;
      }) || null;
    },

    empty: function () {
      if ($(".list-more[data-loading]", list.body())) return;
      var none = !$("li[data-row-id]", list.el());
      var empty = $("#list-empty");
      if (empty) empty.hidden = !none;
    },

    more: function (holder) {
      var url = holder.dataset.nextUrl;
      if (!url || holder.dataset.loading) return;
      holder.dataset.loading = "1";
      getHtml(url).then(function (html) {
        var frag = fragment(html);
        var next = frag.querySelector("template[data-next-url]");
        var ul = list.el();
        $$("li[data-row-id]", frag).forEach(function (li) {
          if (!ul.querySelector('li[data-row-id="' + li.dataset.rowId + '"]')) ul.appendChild(li);
        });
        refresh(ul);
        if (next) { holder.dataset.nextUrl = next.dataset.nextUrl; delete holder.dataset.loading; }
        else holder.remove();
        list.empty();
      }).catch(function () { delete holder.dataset.loading; });
    },

    rows: function () { return $$("li[data-row-id] .conv-row", list.el() || document); },

    move: function (step) {
      var rows = list.rows();
      if (!rows.length) return;
      var current = rows.indexOf(document.activeElement);
      if (current < 0) current = rows.findIndex(function (r) { return r.getAttribute("aria-current") === "true"; });
      var next = rows[Math.max(0, Math.min(rows.length - 1, current + step))];
      next.focus();
      next.scrollIntoView({ block: "nearest" });
    },

    select: function (id) {
      list.rows().forEach(function (row) {
        var on = row.dataset.conversationId === String(id);
        if (on) { row.setAttribute("aria-current", "true"); row.classList.remove("is-unread"); var dot = $(".unread-dot", row); if (dot) dot.remove(); }
        else row.removeAttribute("aria-current");
      });
    },

    init: function () {
      var ul = list.el();
      if (!ul || !workspace) return;
      ul.addEventListener("mouseover", function (event) {
        var li = event.target.closest && event.target.closest("li[data-row-id]");
        if (li) list.hovered = li;
      });
      ul.addEventListener("mouseleave", function () { list.hovered = null; });
      var holder = $(".list-more", list.body());
      /* a conversation page draws its list after the conversation: fetch it now */
      if (holder && !$("li[data-row-id]", ul)) list.more(holder);
      if (holder && "IntersectionObserver" in window) {
        new IntersectionObserver(function (entries) {
          entries.forEach(function (entry) {
            if (entry.isIntersecting && entry.target.isConnected) list.more(entry.target);
          });
        }, { root: list.body(), rootMargin: "200px" }).observe(holder);
      }
      /* sla.* carry the conversation with its `sla`: the row's chip follows */
      ["conversation.created", "conversation.updated", "sla.at_risk", "sla.breached"].forEach(function (name) {
        onRealtime(name, function (event) { list.upsert(event.data.id); });
      });
      ul.addEventListener("click", function (event) {
        var row = event.target.closest && event.target.closest(".conv-row");
        if (!row || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
        if (!window.matchMedia("(min-width: 768px)").matches) return;  /* phones navigate */
        event.preventDefault();
        conversation.open(row.getAttribute("href"), row.dataset.conversationId, true);
      });
    },
  };

  /* ------------------------------------------------------ the open conversation */
  var conversation = {
    seq: {},
    id: function () { var main = $("#main[data-conversation-id]"); return main ? main.dataset.conversationId : ""; },
    timeline: function () { return $("#timeline"); },
    body: function () { return $("#timeline-body"); },

    /* Wide screens: swap in the conversation and customer panes, keep the list. */
    open: function (href, id, push) {
      getHtml(href, { "X-Workspace-Pane": "conversation" }).then(function (html) {
        var frag = fragment(html);
        var main = frag.querySelector("#main"), side = frag.querySelector("#pane-side");
        var oldMain = $("#main"), oldSide = $("#pane-side");
        if (!main || !oldMain) { window.location.href = href; return; }
        composer.saveDraft();
        oldMain.replaceWith(main);
        if (oldSide && side) oldSide.replaceWith(side);
        else if (side) workspace.appendChild(side);
        workspace.dataset.conversationId = id;
        workspace.setAttribute("data-pane", "main");
        workspace.removeAttribute("data-side");
        if (push) window.history.pushState({ conversation: id }, "", href);
        list.select(id);
        conversation.start();
        var title = $("#conversation-title");
        if (title) document.title = title.textContent + " · omnidesk";
      }).catch(function () { window.location.href = href; });
    },

    start: function () {
      if (!conversation.id()) return;
      refresh($("#main"));
      composer.init();
      conversation.scrollToEnd();
      $$("details.earlier-conv").forEach(function (details) {
        details.addEventListener("toggle", function () {
          if (!details.open || details.dataset.loaded) return;
          details.dataset.loaded = "1";
          getHtml(details.dataset.embedUrl).then(function (html) {
            var body = $(".earlier-body", details);
            body.textContent = "";
            body.appendChild(fragment(html));
            refresh(body);
          });
        });
      });
    },

    scrollToEnd: function () {
      var body = conversation.body();
      if (!body) return;
      var target = window.location.hash && $(window.location.hash);
      var marker = $("#new-marker");
      if (target && body.contains(target)) target.scrollIntoView({ block: "center" });
      else if (marker) marker.scrollIntoView({ block: "start" });
      else body.scrollTop = body.scrollHeight;
    },

    atEnd: function () {
      var body = conversation.body();
      return !body || body.scrollHeight - body.scrollTop - body.clientHeight < 80;
    },

    upsertItem: function (interactionId, html) {
      var ol = conversation.timeline();
      if (!ol) return;
      var node = fragment(html).firstElementChild;
      if (!node) return;
      var old = ol.querySelector('[data-item-id="' + interactionId + '"]');
      var follow = conversation.atEnd();
      if (old) { old.replaceWith(node); }
      else {
        var items = $$("[data-item-id]", ol);
        var before = null;
        for (var i = items.length - 1; i >= 0; i--) {
          if (compareSort(node.dataset.sort, items[i].dataset.sort) >= 0) { before = items[i].nextElementSibling; break; }
          before = items[i];
        }
        ol.insertBefore(node, before);
      }
      refresh(node);
      if (follow) { var body = conversation.body(); body.scrollTop = body.scrollHeight; }
    },

    fetchItem: function (interactionId) {
      var id = conversation.id();
      if (!id) return;
      var n = (conversation.seq[interactionId] || 0) + 1;
      conversation.seq[interactionId] = n;
      getHtml("/conversations/" + id + "/items/" + interactionId + "/").then(function (html) {
        if (conversation.seq[interactionId] !== n || conversation.id() !== id) return;
        conversation.upsertItem(interactionId, html);
      }).catch(function () {});
    },

    refreshHeader: function () {
      var id = conversation.id();
      if (!id) return;
      getHtml("/conversations/" + id + "/header/").then(function (html) {
        var holder = $("#conversation-header");
        if (!holder || conversation.id() !== id) return;
        var open = $("details[open]", holder);
        if (open) return;  /* the agent is using a menu: the next change brings it */
        holder.innerHTML = html;
        refresh(holder);
      }).catch(function () {});
    },

    refreshPanel: function () {
      var panel = $("#customer-panel");
      if (!panel || $("dialog[open]", $("#pane-side"))) return;
      getHtml(panel.dataset.panelUrl).then(function (html) {
        var side = $("#pane-side");
        if (!side) return;
        side.innerHTML = html;
        refresh(side);
      }).catch(function () {});
    },

    /* A chat visitor's typing events come every ~2 s while they type: the line stays
     * while they keep coming, and goes with their message or 6 s of quiet. */
    typingTimer: null,
    showTyping: function () {
      var line = $("#typing-indicator");
      if (!line) return;
      var text = (line.dataset.visitorName || "The visitor") + " is typing…";
      if (line.textContent !== text) line.textContent = text;
      line.classList.add("is-on");
      window.clearTimeout(conversation.typingTimer);
      conversation.typingTimer = window.setTimeout(conversation.hideTyping, 6000);
    },
    hideTyping: function () {
      window.clearTimeout(conversation.typingTimer);
      var line = $("#typing-indicator");
      if (!line) return;
      line.textContent = "";
      line.classList.remove("is-on");
    },

    markRead: null,
    scheduleRead: function () {
      var id = conversation.id();
      if (!id || document.hidden) return;
      window.clearTimeout(conversation.markRead);
      conversation.markRead = window.setTimeout(function () {
        post("/conversations/" + id + "/read/");
      }, 1500);
    },

    loadOlder: function (button) {
      var url = button.dataset.loadOlder;
      button.disabled = true;
      getHtml(url).then(function (html) {
        var frag = fragment(html);
        var next = frag.querySelector("template[data-older-url]");
        if (next) next.remove();
        var ol = conversation.timeline();
        var first = ol.firstElementChild;
        keepInPlace(conversation.body(), first, function () { ol.insertBefore(frag, first); });
        refresh(ol);
        if (next) { button.dataset.loadOlder = next.dataset.olderUrl; button.disabled = false; }
        else button.closest(".timeline-more").remove();
      }).catch(function () { button.disabled = false; toast("Could not load earlier messages; try again.", "danger"); });
    },

    init: function () {
      onRealtime("typing", function (event) {
        if (event.data.by === "visitor" && String(event.data.conversation_id) === conversation.id()) conversation.showTyping();
      });
      onRealtime("interaction.created", function (event) {
        if (String(event.data.conversation_id) !== conversation.id()) return;
        if (event.data.direction === "inbound") conversation.hideTyping();
        conversation.fetchItem(event.data.id);
        conversation.scheduleRead();
      });
      onRealtime("interaction.updated", function (event) {
        if (String(event.data.conversation_id) !== conversation.id()) return;
        conversation.fetchItem(event.data.id);
      });
      ["conversation.updated", "sla.at_risk", "sla.breached"].forEach(function (name) {
        onRealtime(name, function (event) {
          if (String(event.data.id) === conversation.id()) conversation.refreshHeader();
        });
      });
      onRealtime("customer.updated", function (event) {
        var panel = $("#customer-panel");
        if (panel && String(event.data.id) === panel.dataset.customerId) conversation.refreshPanel();
      });
      window.addEventListener("popstate", function () { window.location.reload(); });
      conversation.start();
    },
  };

  /* ------------------------------------------------------------------ actions */
  function reportError(form, message) {
    var box = form && $(".form-error", form);
    if (box) { box.textContent = message; box.hidden = false; }
    else toast(message, "danger");
  }

  document.addEventListener("click", function (event) {
    var t = event.target;
    if (!(t instanceof Element)) return;
    var hit;
    if ((hit = t.closest("[data-update]"))) {
      var form = hit.closest("#main") && $("[data-update-form]", hit.closest("#main"));
      var url = form ? form.dataset.updateForm : "";
      if (!url) return;
      var details = hit.closest("details");
      if (details) details.removeAttribute("open");
      hit.disabled = true;
      post(url, hit.dataset.update).then(function (answer) {
        hit.disabled = false;
        if (!answer.ok) { toast(answer.error, "danger"); return; }
        conversation.refreshHeader();
      });
      return;
    }
    if ((hit = t.closest("[data-retry]"))) {
      hit.disabled = true;
      post(hit.dataset.retry).then(function (answer) {
        if (!answer.ok) { hit.disabled = false; toast(answer.error, "danger"); return; }
        conversation.upsertItem(answer.id, answer.html);
      });
      return;
    }
    if ((hit = t.closest("[data-load-older]"))) { conversation.loadOlder(hit); return; }
    if ((hit = t.closest("[data-macro]"))) {
      var d = hit.closest("details");
      if (d) d.removeAttribute("open");
      post(hit.dataset.macro).then(function (answer) {
        if (!answer.ok) { toast(answer.error, "danger"); return; }
        toast("Macro “" + hit.dataset.macroName + "”: " + answer.done.join(", "), "ok");
        conversation.refreshHeader();
      });
      return;
    }
    if ((hit = t.closest("[data-split]"))) {
      if (!window.confirm("Move this message into a new conversation of the same customer?")) return;
      post("/conversations/" + conversation.id() + "/split/", "interactions=" + hit.dataset.split).then(function (answer) {
        if (!answer.ok) { toast(answer.error, "danger"); return; }
        toast("Moved to conversation #" + answer.id + ".", "ok");
        var gone = $('[data-item-id="' + hit.dataset.split + '"]');
        if (gone) gone.remove();
      });
      return;
    }
    if ((hit = t.closest("[data-call-customer]"))) {
      var body = { customer_id: Number(hit.dataset.callCustomer), to: hit.dataset.callTo };
      if (hit.dataset.callConversation) body.conversation_id = Number(hit.dataset.callConversation);
      hit.disabled = true;
      fetch("/voice/calls/", {
        method: "POST", credentials: "same-origin", body: JSON.stringify(body),
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      }).then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
        .then(function (answer) {
          hit.disabled = false;
          if (!answer.ok) { toast(answer.body.error || answer.body.detail || "The call could not be placed.", "danger"); return; }
          toast("Calling " + body.to + "…", "ok");
        }, function () { hit.disabled = false; toast("The call could not be placed.", "danger"); });
      return;
    }
    if ((hit = t.closest("[data-back-to-list]")) && workspace && window.matchMedia("(max-width: 767px)").matches) {
      /* phones: the list is one step back */
      return;
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.actionForm) return;
    event.preventDefault();
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
    var data = new FormData(form);
    var box = $(".form-error", form);
    if (box) box.hidden = true;
    post(form.dataset.actionForm, data).then(function (answer) {
      if (!answer.ok) { reportError(form, answer.error); return; }
      var dialog = form.closest("dialog");
      if (dialog) dialog.close();
      var details = form.closest("details");
      if (details) details.removeAttribute("open");
      if (answer.url && answer.url.split("?")[0] !== window.location.pathname) { window.location.href = answer.url; return; }
      form.reset();
      if (form.hasAttribute("data-refresh-panel")) conversation.refreshPanel();
      conversation.refreshHeader();
      toast("Saved.", "ok");
    });
  });

  /* ------------------------------------------------------------------ composer */
  var TYPING_EVERY = 3000;
  var composer = {
    form: function () { return $("#composer"); },
    key: function () { var f = composer.form(); return f ? "omnidesk-draft-" + f.dataset.conversationId : ""; },
    files: [],
    canned: [],
    agents: [],
    popup: { items: [], index: 0, kind: "", start: 0 },

    mode: function () { var f = composer.form(); var r = f && $("input[name=mode]:checked", f); return r ? r.value : "reply"; },

    saveDraft: function () {
      var f = composer.form();
      if (!f) return;
      var text = $("#composer-body", f).value;
      try {
        if (text.trim()) window.localStorage.setItem(composer.key(), JSON.stringify({ mode: composer.mode(), body: text }));
        else window.localStorage.removeItem(composer.key());
      } catch (e) { /* storage full or off: the draft lives while the page does */ }
    },

    restoreDraft: function () {
      var f = composer.form();
      var saved = null;
      try { saved = JSON.parse(window.localStorage.getItem(composer.key()) || "null"); } catch (e) { saved = null; }
      if (!saved) return;
      $("#composer-body", f).value = saved.body || "";
      var radio = $("input[name=mode][value='" + (saved.mode === "note" ? "note" : "reply") + "']", f);
      if (radio) radio.checked = true;
    },

    sync: function () {
      var f = composer.form();
      if (!f) return;
      var note = composer.mode() === "note";
      $$("[data-reply-only]", f).forEach(function (el) { el.hidden = note; });
      $("[data-send-label]", f).textContent = note ? "Add note" : "Send";
      f.classList.toggle("is-note", note);
      var select = $("#composer-channel", f);
      var option = select && select.selectedOptions[0];
      var templateOnly = !note && option && option.dataset.templateOnly === "1";
      $("[data-template-field]", f).hidden = !templateOnly;
      var signature = !note && option ? option.dataset.signature : "";
      var preview = $("[data-signature-preview]", f);
      preview.hidden = !signature;
      preview.textContent = signature ? "Signature added: " + signature.split("\n")[0] + (signature.indexOf("\n") > 0 ? "…" : "") : "";
      var body = $("#composer-body", f);
      body.placeholder = note ? "Write an internal note… @ to mention a colleague" : "Write a reply… type / for canned responses";
    },

    showFiles: function () {
      var box = $("#composer-files");
      box.textContent = "";
      composer.files.forEach(function (file, i) {
        var chip = document.createElement("span");
        chip.className = "chip";
        chip.textContent = file.name + " (" + Math.max(1, Math.round(file.size / 1024)) + " KB)";
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "chip-remove";
        remove.setAttribute("aria-label", "Remove " + file.name);
        remove.textContent = "×";
        remove.addEventListener("click", function () { composer.files.splice(i, 1); composer.showFiles(); });
        chip.appendChild(remove);
        box.appendChild(chip);
      });
    },

    error: function (message) {
      var box = $("#composer-error");
      box.textContent = message || "";
      box.hidden = !message;
    },

    send: function () {
      var f = composer.form();
      var body = $("#composer-body", f);
      if (!body.value.trim()) { composer.error("Write something first."); return; }
      var data = new FormData(f);
      data.delete("attachments");
      if (composer.mode() === "reply") composer.files.forEach(function (file) { data.append("attachments", file); });
      if (composer.mode() === "note") { composer.sendNote(f.getAttribute("action"), data, body.value); return; }
      var button = $("[data-send]", f);
      button.disabled = true;
      composer.error("");
      post(f.getAttribute("action"), data).then(function (answer) {
        button.disabled = false;
        if (!answer.ok) { composer.error(answer.error); return; }
        body.value = "";
        composer.files = [];
        composer.showFiles();
        try { window.localStorage.removeItem(composer.key()); } catch (e) { /* fine */ }
        conversation.upsertItem(answer.id, answer.html);
        var end = conversation.body();
        if (end) end.scrollTop = end.scrollHeight;
        if (answer.notified && answer.notified.length) toast("Notified " + answer.notified.join(", ") + ".", "ok");
      });
    },

    /* A note shows at once, marked "Sending…", and is replaced by the server's item when
     * the answer lands; a failure says so on the note, with Retry. */
    sendNote: function (url, data, text) {
      var template = $("#pending-note-template");
      var ol = conversation.timeline();
      var body = $("#composer-body");
      composer.error("");
      if (!template || !ol) { composer.postNote(url, data, null); return; }
      var li = template.content.firstElementChild.cloneNode(true);
      $("[data-pending-text]", li).textContent = text;
      $("[data-pending-retry]", li).addEventListener("click", function () { composer.postNote(url, data, li); });
      ol.appendChild(li);
      body.value = "";
      try { window.localStorage.removeItem(composer.key()); } catch (e) { /* fine */ }
      var end = conversation.body();
      if (end) end.scrollTop = end.scrollHeight;
      composer.postNote(url, data, li);
    },

    postNote: function (url, data, li) {
      if (li) {
        li.classList.remove("is-failed");
        li.classList.add("is-sending");
        $("[data-pending-state]", li).hidden = false;
        $("[data-pending-error]", li).hidden = true;
      }
      post(url, data).then(function (answer) {
        if (!answer.ok) {
          if (!li) { composer.error(answer.error); return; }
          li.classList.remove("is-sending");
          li.classList.add("is-failed");
          $("[data-pending-state]", li).hidden = true;
          $("[data-pending-reason]", li).textContent = "Not added: " + answer.error;
          $("[data-pending-error]", li).hidden = false;
          return;
        }
        if (li) li.remove();
        $("#composer-body").value = "";
        conversation.upsertItem(answer.id, answer.html);
        if (answer.notified && answer.notified.length) toast("Notified " + answer.notified.join(", ") + ".", "ok");
      });
    },

    /* Replying on chat: the visitor sees "typing…" (the agent socket's typing frame, at
     * most one each TYPING_EVERY ms; the widget shows it a few seconds). */
    typedAt: 0,
    typing: function () {
      var f = composer.form();
      var select = f && $("#composer-channel", f);
      if (composer.mode() !== "reply" || !select || select.value !== "chat") return;
      var now = Date.now();
      if (now - composer.typedAt < TYPING_EVERY || !realtime() || !realtime().send) return;
      composer.typedAt = now;
      realtime().send({ type: "typing", conversation_id: Number(f.dataset.conversationId) });
    },

    /* "/" at the start of a word: canned responses; "@" in a note: colleagues. */
    lookup: function () {
      var body = $("#composer-body");
      var upto = body.value.slice(0, body.selectionStart);
      var match = /(^|\s)([\/@])([\w.+-]*)$/.exec(upto);
      if (!match || (match[2] === "@" && composer.mode() !== "note")) { composer.closePopup(); return; }
      var word = match[3].toLowerCase();
      var items;
      if (match[2] === "/") {
        items = composer.canned.filter(function (c) {
          return c.shortcut.toLowerCase().indexOf(word) === 0 || c.name.toLowerCase().indexOf(word) >= 0;
        }).slice(0, 8).map(function (c) { return { label: "/" + c.shortcut, hint: c.name, text: c.body }; });
      } else {
        items = composer.agents.filter(function (a) {
          return a.username.toLowerCase().indexOf(word) === 0 || a.name.toLowerCase().indexOf(word) >= 0;
        }).slice(0, 8).map(function (a) { return { label: "@" + a.username, hint: a.name, text: "@" + a.username + " " }; });
      }
      composer.popup = { items: items, index: 0, kind: match[2], start: upto.length - match[3].length - 1 };
      composer.drawPopup();
    },

    drawPopup: function () {
      var box = $("#composer-popup");
      var p = composer.popup;
      box.textContent = "";
      if (!p.items.length) { box.hidden = true; return; }
      p.items.forEach(function (item, i) {
        var option = document.createElement("div");
        option.className = "composer-option" + (i === p.index ? " is-active" : "");
        option.setAttribute("role", "option");
        option.id = "composer-option-" + i;
        option.setAttribute("aria-selected", String(i === p.index));
        var strong = document.createElement("strong");
        strong.textContent = item.label;
        var hint = document.createElement("span");
        hint.className = "muted";
        hint.textContent = " " + item.hint;
        option.appendChild(strong);
        option.appendChild(hint);
        option.addEventListener("mousedown", function (event) { event.preventDefault(); composer.choose(i); });
        box.appendChild(option);
      });
      box.hidden = false;
      $("#composer-body").setAttribute("aria-activedescendant", "composer-option-" + p.index);
    },

    closePopup: function () {
      var box = $("#composer-popup");
      if (box) box.hidden = true;
      composer.popup.items = [];
      var body = $("#composer-body");
      if (body) body.removeAttribute("aria-activedescendant");
    },

    choose: function (i) {
      var p = composer.popup;
      var item = p.items[i];
      if (!item) return;
      var body = $("#composer-body");
      var end = body.selectionStart;
      body.value = body.value.slice(0, p.start) + item.text + body.value.slice(end);
      var caret = p.start + item.text.length;
      body.setSelectionRange(caret, caret);
      composer.closePopup();
      body.focus();
      composer.saveDraft();
    },

    init: function () {
      var f = composer.form();
      if (!f || f.dataset.ready) return;
      f.dataset.ready = "1";
      try { composer.canned = JSON.parse(($("#canned-data") || {}).textContent || "[]"); } catch (e) { composer.canned = []; }
      try { composer.agents = JSON.parse(($("#agents-data") || {}).textContent || "[]"); } catch (e) { composer.agents = []; }
      composer.files = [];
      composer.restoreDraft();
      composer.sync();
      var body = $("#composer-body", f);
      f.addEventListener("change", function (event) {
        if (event.target.name === "mode" || event.target.name === "channel") { composer.sync(); composer.saveDraft(); }
        if (event.target.matches("[data-attach]")) {
          Array.prototype.push.apply(composer.files, Array.prototype.slice.call(event.target.files));
          event.target.value = "";
          composer.showFiles();
        }
      });
      f.addEventListener("submit", function (event) { event.preventDefault(); composer.send(); });
      body.addEventListener("input", function () { composer.saveDraft(); composer.lookup(); composer.typing(); });
      body.addEventListener("blur", function () { window.setTimeout(composer.closePopup, 150); });
      body.addEventListener("keydown", function (event) {
        var p = composer.popup;
        if (p.items.length && !$("#composer-popup").hidden) {
          if (event.key === "ArrowDown" || event.key === "ArrowUp") {
            event.preventDefault();
            p.index = (p.index + (event.key === "ArrowDown" ? 1 : p.items.length - 1)) % p.items.length;
            composer.drawPopup();
            return;
          }
          if (event.key === "Enter" || event.key === "Tab") { event.preventDefault(); composer.choose(p.index); return; }
          if (event.key === "Escape") { event.preventDefault(); composer.closePopup(); return; }
        }
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); composer.send(); }
      });
      var cannedButton = $("[data-canned-open]", f);
      if (cannedButton) cannedButton.addEventListener("click", function () {
        var start = body.selectionStart;
        var before = body.value.slice(0, start);
        var insert = (before && !/\s$/.test(before) ? " /" : "/");
        body.value = before + insert + body.value.slice(start);
        body.setSelectionRange(start + insert.length, start + insert.length);
        body.focus();
        composer.lookup();
      });
    },
  };
  window.addEventListener("beforeunload", function () { composer.saveDraft(); });

  /* ------------------------------------------------------------ notifications */
  var notifications = {
    count: 0,
    baseTitle: document.title,
    setCount: function (n) {
      notifications.count = Math.max(0, n);
      var badge = $("#notifications-count");
      if (badge) { badge.textContent = String(notifications.count); badge.hidden = notifications.count === 0; }
      /* the name holds the count the badge shows (WCAG 2.5.3, label in name) */
      var summary = badge && badge.closest("summary");
      if (summary) summary.setAttribute("aria-label", notifications.count ? "Notifications: " + notifications.count + " unread" : "Notifications");
      var title = document.title.replace(/^\(\d+\) /, "");
      document.title = notifications.count ? "(" + notifications.count + ") " + title : title;
    },
    load: function () {
      var list = $("#notifications-list");
      if (!list) return Promise.resolve();
      return getHtml("/notifications/").then(function (html) {
        list.innerHTML = html;
        refresh(list);
        var ul = $(".notif-list", list);
        notifications.setCount(ul ? Number(ul.dataset.unread || 0) : 0);
      }).catch(function () {});
    },
    desktop: function (text, url) {
      if (!("Notification" in window) || window.Notification.permission !== "granted" || !document.hidden) return;
      try {
        var n = new window.Notification("omnidesk", { body: text });
        n.onclick = function () { window.focus(); if (url) window.location.href = url; };
      } catch (e) { /* some browsers only notify from a service worker */ }
    },
    init: function () {
      var bell = $("#notifications-list");
      if (!bell) return;
      var details = bell.closest("details");
      var header = details && $(".menu-header", details);
      if (header && "Notification" in window && window.Notification.permission === "default") {
        var ask = document.createElement("button");
        ask.type = "button";
        ask.className = "btn-link text-xs";
        ask.textContent = "Turn on desktop notifications";
        ask.addEventListener("click", function () { window.Notification.requestPermission().then(function () { ask.remove(); }); });
        header.appendChild(ask);
      }
      if (details) details.addEventListener("toggle", function () {
        if (!details.open) return;
        notifications.load().then(function () {
          if (notifications.count) post("/notifications/read/").then(function () { notifications.setCount(0); });
        });
      });
      notifications.load();
      onRealtime("notification.created", function (event) {
        notifications.setCount(notifications.count + 1);
        toast(event.data.text, String(event.data.kind).indexOf("sla_") === 0 ? "danger" : "info");
        notifications.desktop(event.data.text, event.data.url);
        if (details && details.open) notifications.load();
      });
    },
  };

  /* ------------------------------------------------------------------ presence */
  var presence = {
    init: function () {
      var root = $("[data-presence-switch]");
      if (!root) return;
      var url = root.dataset.presenceUrl;
      var show = function (value, label) {
        $$(".presence-dot", $("[data-presence-summary]", root)).forEach(function (d) { d.dataset.presence = value; });
        var text = $(".presence-label", root);
        if (text && label) text.textContent = label;
        $("[data-presence-summary]", root).setAttribute("aria-label", "Presence: " + (label || value));
        $$("[data-presence-choice]", root).forEach(function (b) { b.setAttribute("aria-pressed", String(b.dataset.presenceChoice === value)); });
      };
      var labelOf = function (value) {
        var b = $('[data-presence-choice="' + value + '"]', root);
        return b ? b.dataset.presenceLabel : value.charAt(0).toUpperCase() + value.slice(1);
      };
      var unavailable = function () {
        $$("[data-presence-choice]", root).forEach(function (b) { b.disabled = true; });
        $("[data-presence-note]", root).hidden = false;
      };
      var read = function () {
        fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
          if (!r.ok) { if (r.status === 404 || r.status === 405) unavailable(); return null; }
          return r.json();
        }).then(function (body) { if (body && body.presence) show(body.presence, labelOf(body.presence)); })
          .catch(function () {});
      };
      read();
      /* Connecting the socket makes an offline agent online: read it again once open. */
      if (realtime()) realtime().onState(function (state) { if (state === "open") read(); });
      /* Leads and admins hear every agent's change (agent.presence): the dots that show
       * that agent follow, and so does this switch when it is the lead's own. */
      onRealtime("agent.presence", function (event) {
        var data = event.data || {};
        $$('[data-presence-user="' + data.user_id + '"]').forEach(function (holder) {
          var dot = $(".presence-dot", holder), text = $(".presence-text", holder);
          if (dot) dot.dataset.presence = data.presence;
          if (text) text.textContent = labelOf(data.presence);
        });
        if (String(data.user_id) === root.dataset.userId) show(data.presence, labelOf(data.presence));
      });
      root.addEventListener("click", function (event) {
        var button = event.target.closest && event.target.closest("[data-presence-choice]");
        if (!button || button.disabled) return;
        var value = button.dataset.presenceChoice;
        fetch(url, {
          method: "PUT", credentials: "same-origin", body: JSON.stringify({ presence: value }),
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), Accept: "application/json" },
        }).then(function (r) {
          if (r.status === 404 || r.status === 405) { unavailable(); return; }
          if (!r.ok) { toast("Your status could not be changed; try again.", "danger"); return; }
          show(value, labelOf(value));
          root.removeAttribute("open");
        }, function () { toast("Your status could not be changed; try again.", "danger"); });
      });
    },
  };

  /* --------------------------------------------------------------------- calls */
  var calls = {
    interactionId: null,
    init: function () {
      var panel = $("#softphone");
      if (!panel) return;
      var reveal = function () {
        var busy = !$("#sp-incoming").hidden || !$("#sp-live").hidden || !$("#sp-pop").hidden;
        if (busy) panel.hidden = false;
        $("#sp-title").textContent = !$("#sp-live").hidden ? "On a call" : "Incoming call";
      };
      if ("MutationObserver" in window) {
        new MutationObserver(reveal).observe(panel, { attributes: true, subtree: true, attributeFilter: ["hidden"] });
      }
      onRealtime("call.ringing", function (event) {
        var data = event.data || {};
        calls.interactionId = data.call && data.call.interaction_id;
        panel.hidden = false;
        var open = $("#sp-open");
        if (data.conversation && open) { open.href = "/conversations/" + data.conversation.id + "/"; open.hidden = false; }
        /* softphone.js fills the screen pop from its own socket; fill it here too in case
           that socket is not up yet (same elements, same content) */
        var customer = data.customer || {};
        $("#sp-customer").textContent = customer.name || "Unknown caller";
        $("#sp-identities").textContent = (customer.identities || []).map(function (i) { return i.value; }).join(" · ");
        var tbody = $("#sp-history");
        tbody.textContent = "";
        (data.history || []).slice(0, 5).forEach(function (item) {
          var row = document.createElement("tr");
          [new Date(item.occurred_at).toLocaleString(), item.channel, item.direction, item.subject || item.text || item.kind].forEach(function (value) {
            var cell = document.createElement("td");
            cell.textContent = value;
            row.appendChild(cell);
          });
          tbody.appendChild(row);
        });
        $("#sp-pop").hidden = false;
        if (data.call && data.call.from) $("#sp-from").textContent = data.call.from;
      });
      panel.addEventListener("click", function (event) {
        if (event.target.closest && event.target.closest("[data-call-dismiss]")) panel.hidden = true;
      });
      var transfer = $("[data-call-transfer]", panel);
      var select = $("#sp-transfer-to", panel);
      var filled = false;
      var fill = function () {
        if (filled) return;
        filled = true;
        Promise.all([
          fetch("/api/v1/agents/?page_size=200", { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : { results: [] }; }),
          fetch("/api/v1/teams/?page_size=200", { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : { results: [] }; }),
        ]).then(function (both) {
          (both[0].results || []).forEach(function (a) {
            var o = document.createElement("option");
            o.value = "agent:" + (a.user_id || a.id);
            o.textContent = a.name || a.username;
            select.appendChild(o);
          });
          (both[1].results || []).forEach(function (t) {
            var o = document.createElement("option");
            o.value = "team:" + t.id;
            o.textContent = "Team " + t.name;
            select.appendChild(o);
          });
        }).catch(function () { filled = false; });
      };
      if (select) select.addEventListener("focus", fill);
      if (transfer) transfer.addEventListener("submit", function (event) {
        event.preventDefault();
        if (!calls.interactionId || !select.value) { toast("No call to transfer.", "danger"); return; }
        var parts = select.value.split(":");
        var body = parts[0] === "agent" ? { agent_id: Number(parts[1]) } : { team_id: Number(parts[1]) };
        fetch("/voice/calls/" + calls.interactionId + "/transfer/", {
          method: "POST", credentials: "same-origin", body: JSON.stringify(body),
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        }).then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
          .then(function (a) { toast(a.ok ? "Transferred." : (a.body.error || "The transfer failed."), a.ok ? "ok" : "danger"); });
      });
    },
  };

  /* ------------------------------------------------------------------ keyboard */
  function typing(target) {
    return target.closest && target.closest("input, textarea, select, [contenteditable='true']");
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (document.querySelector("dialog[open]")) return;
    var key = event.key;
    if (key === "j" || key === "k") { event.preventDefault(); list.move(key === "j" ? 1 : -1); return; }
    if (key === "Enter" && event.target.classList && event.target.classList.contains("conv-row")) return;  /* the link opens */
    var focusComposer = function (mode) {
      var radio = $("input[name=mode][value=" + mode + "]");
      var body = $("#composer-body");
      if (!radio || !body) return;
      event.preventDefault();
      radio.checked = true;
      composer.sync();
      body.focus();
    };
    if (key === "r") { focusComposer("reply"); return; }
    if (key === "n") { focusComposer("note"); return; }
    if (key === "e") {
      var resolve = $("#conversation-header [data-hotkey-target=e]");
      if (resolve) { event.preventDefault(); resolve.click(); }
      return;
    }
    if (key === "a") {
      var menu = $("#assign-menu");
      if (menu) { event.preventDefault(); menu.setAttribute("open", ""); var first = $(".menu-item", menu); if (first) first.focus(); }
    }
  });

  /* The header's search box goes to the search page. */
  document.addEventListener("DOMContentLoaded", function () {
    var search = $(".app-search");
    if (search && search.getAttribute("action") === "/") search.setAttribute("action", "/search/");
    list.init();
    conversation.init();
    notifications.init();
    presence.init();
    calls.init();
    document.addEventListener("visibilitychange", function () { if (!document.hidden) conversation.scheduleRead(); });
  });

  omnidesk.workspace = { list: list, conversation: conversation, composer: composer, notifications: notifications };
})();
