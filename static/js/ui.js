/* The shell's behaviour, for every page: navigation drawer, dropdowns, dialogs, theme,
 * the "/" and "?" keys, pane switching on small screens, relative times and SLA chips
 * that keep ticking, and toasts. No inline handlers: everything hangs on data attributes,
 * so the pages run under a strict Content-Security-Policy.
 *
 * API for other scripts: window.omnidesk.toast(text, {kind: "ok"|"danger"|"info", timeout})
 *                        window.omnidesk.refreshTimes(root)
 */
(function () {
  "use strict";
  var root = document.documentElement;
  var app = function () { return document.getElementById("app"); };

  /* ---- theme */
  function currentTheme() { return root.getAttribute("data-theme") || "system"; }
  function markTheme() {
    document.querySelectorAll("[data-theme-choice]").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.dataset.themeChoice === currentTheme()));
    });
  }
  function setTheme(theme) {
    if (theme === "light" || theme === "dark") root.setAttribute("data-theme", theme);
    else root.removeAttribute("data-theme");
    try {
      if (theme === "system") window.localStorage.removeItem("omnidesk-theme");
      else window.localStorage.setItem("omnidesk-theme", theme);
    } catch (e) { /* not remembered, still applied */ }
    markTheme();
  }

  /* ---- navigation drawer (phones) */
  function setNav(open) {
    var shell = app();
    if (!shell) return;
    if (open) shell.setAttribute("data-nav", "open"); else if (shell.dataset.nav === "open") shell.removeAttribute("data-nav");
    document.querySelectorAll("[data-nav-toggle]").forEach(function (b) { b.setAttribute("aria-expanded", String(open)); });
    if (open) { var first = document.querySelector("#app-sidebar a, #app-sidebar button"); if (first) first.focus(); }
  }

  /* ---- dropdowns: <details data-dropdown>; one open at a time, Escape and outside clicks close */
  function closeDropdowns(except) {
    document.querySelectorAll("details[data-dropdown][open]").forEach(function (d) {
      if (d !== except) d.removeAttribute("open");
    });
  }

  /* ---- panes: [data-show-pane="list|main|side"], [data-toggle-side] */
  function showPane(trigger, pane) {
    var panes = trigger.closest(".panes") || document.querySelector(".panes");
    if (panes) panes.setAttribute("data-pane", pane);
  }
  function toggleSide(trigger) {
    var panes = trigger.closest(".panes") || document.querySelector(".panes");
    if (!panes) return;
    if (window.matchMedia("(max-width: 767px)").matches) { panes.setAttribute("data-pane", "side"); return; }
    var wide = window.matchMedia("(min-width: 1200px)").matches;
    var open = wide ? panes.dataset.side !== "closed" : panes.dataset.side === "open";
    panes.setAttribute("data-side", open ? "closed" : "open");
    document.querySelectorAll("[data-toggle-side]").forEach(function (b) { b.setAttribute("aria-expanded", String(!open)); });
  }

  /* ---- times: <time data-reltime> and .sla[data-sla-due] keep ticking */
  function duration(seconds) {
    seconds = Math.abs(seconds);
    if (seconds < 60) return "<1 min";
    if (seconds < 3600) return Math.floor(seconds / 60) + " min";
    if (seconds < 86400) return Math.floor(seconds / 3600) + " h";
    return Math.floor(seconds / 86400) + " d";
  }
  function refreshTimes(scope) {
    var now = Date.now();
    (scope || document).querySelectorAll("time[data-reltime]").forEach(function (el) {
      var t = Date.parse(el.getAttribute("datetime"));
      if (isNaN(t)) return;
      var delta = (now - t) / 1000;
      if (Math.abs(delta) >= 7 * 86400) return; /* a date: the server's text stays */
      el.textContent = Math.abs(delta) < 60 ? "now" : (delta < 0 ? "in " : "") + duration(delta);
    });
    (scope || document).querySelectorAll(".sla[data-sla-due]").forEach(function (chip) {
      var state = chip.dataset.slaState;
      if (state !== "ok" && state !== "at_risk" && state !== "breached") return;
      var seconds = (Date.parse(chip.dataset.slaDue) - now) / 1000;
      var time = chip.querySelector(".sla-time");
      if (state === "ok" && seconds >= 0 && chip.dataset.slaRisk && Date.parse(chip.dataset.slaRisk) <= now) {
        /* the last stretch before the due time: at risk */
        setChip(chip, "ok", "at_risk", "clock-alert", "At risk");
        state = "at_risk";
      }
      if (seconds < 0 && state !== "breached") {
        /* the clock ran out here before the server said so: show it breached */
        setChip(chip, state, "breached", "octagon-alert", "Breached");
      }
      if (time) time.textContent = duration(seconds) + (seconds < 0 ? " over" : " left");
    });
  }

  function setChip(chip, from, to, icon, words) {
    chip.classList.remove("sla-" + from);
    chip.classList.add("sla-" + to);
    chip.dataset.slaState = to;
    var use = chip.querySelector("use");
    if (use) use.setAttribute("href", use.getAttribute("href").replace(/#i-[a-z-]+$/, "#i-" + icon));
    var label = chip.querySelector(".sla-label");
    if (label) label.textContent = words;
  }

  /* ---- toasts */
  function toast(text, options) {
    options = options || {};
    var region = document.getElementById("toasts");
    if (!region) return null;
    var el = document.createElement("div");
    el.className = "toast" + (options.kind ? " toast-" + options.kind : "");
    el.setAttribute("role", options.kind === "danger" ? "alert" : "status");
    var body = document.createElement("div");
    body.className = "toast-body";
    body.textContent = text;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn btn-ghost btn-icon";
    close.setAttribute("aria-label", "Dismiss");
    close.textContent = "×";
    close.addEventListener("click", function () { el.remove(); });
    el.appendChild(body);
    el.appendChild(close);
    region.appendChild(el);
    var timeout = options.timeout === undefined ? 6000 : options.timeout;
    if (timeout) window.setTimeout(function () { el.remove(); }, timeout);
    return el;
  }

  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable=''], [contenteditable='true']");
  }

  document.addEventListener("click", function (event) {
    var t = event.target;
    if (!(t instanceof Element)) return;
    var hit;
    if ((hit = t.closest("[data-theme-choice]"))) { setTheme(hit.dataset.themeChoice); return; }
    if ((hit = t.closest("[data-nav-toggle]"))) { setNav(!(app() && app().dataset.nav === "open")); return; }
    if (t.closest("[data-nav-close]")) { setNav(false); return; }
    if ((hit = t.closest("[data-dialog-open]"))) {
      var dialog = document.getElementById(hit.dataset.dialogOpen);
      if (dialog && dialog.showModal) { closeDropdowns(); dialog.showModal(); }
      return;
    }
    if ((hit = t.closest("[data-dialog-close]"))) { var d = hit.closest("dialog"); if (d) d.close(); return; }
    if ((hit = t.closest("[data-show-pane]"))) { event.preventDefault(); showPane(hit, hit.dataset.showPane); return; }
    if ((hit = t.closest("[data-toggle-side]"))) { toggleSide(hit); return; }
    if ((hit = t.closest("[data-toast]"))) { toast(hit.dataset.toast, { kind: hit.dataset.toastKind }); return; }
    var inDropdown = t.closest("details[data-dropdown]");
    closeDropdowns(inDropdown);
  });

  document.addEventListener("toggle", function (event) {
    var d = event.target;
    if (d instanceof HTMLDetailsElement && d.open && d.hasAttribute("data-dropdown")) closeDropdowns(d);
  }, true);

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      var open = document.querySelector("details[data-dropdown][open]");
      if (open) { open.removeAttribute("open"); var s = open.querySelector("summary"); if (s) s.focus(); return; }
      if (app() && app().dataset.nav === "open") { setNav(false); return; }
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (document.querySelector("dialog[open]")) return;
    if (event.key === "/") {
      var search = document.querySelector("[data-hotkey='/']");
      if (search) { event.preventDefault(); search.focus(); search.select(); }
    } else if (event.key === "?") {
      var help = document.getElementById("keyboard-help");
      if (help && help.showModal) { event.preventDefault(); help.showModal(); }
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    markTheme();
    refreshTimes(document);
    /* every 15 s: a chat's SLA is counted in seconds */
    window.setInterval(function () { refreshTimes(document); }, 15000);
  });
  document.addEventListener("htmx:afterSwap", function (event) { refreshTimes(event.target); });

  window.omnidesk = Object.assign(window.omnidesk || {}, { toast: toast, refreshTimes: refreshTimes, setTheme: setTheme });
})();
