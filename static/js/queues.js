/*
 * The live queues page (/queues/): when a socket event may change a figure
 * (conversation.updated, sla.at_risk, sla.breached, agent.presence), fetch the board
 * fragment the server renders (/queues/board/) and swap it in, at most once per 500 ms.
 * The wallboard also refreshes every 30 s (times and "oldest waiting" move on their own).
 */
(function () {
  "use strict";

  var EVENTS = ["conversation.created", "conversation.updated", "sla.at_risk", "sla.breached",
                "agent.presence"];
  var DEBOUNCE_MS = 500;
  var REFRESH_MS = 30000;

  function start() {
    var board = document.querySelector("[data-queue-board]");
    if (!board) return;
    var url = board.getAttribute("data-queue-url");
    var timer = null;
    var inFlight = false;
    var again = false;

    function refresh() {
      timer = null;
      if (inFlight) { again = true; return; }
      inFlight = true;
      fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (response) {
          if (!response.ok) throw new Error("queues board: " + response.status);
          return response.text();
        })
        .then(function (html) {
          board.innerHTML = html;
          if (window.htmx) window.htmx.process(board);
          board.dispatchEvent(new CustomEvent("queues:refreshed", { bubbles: true }));
        })
        .catch(function (err) { console.error(err); })
        .then(function () {
          inFlight = false;
          if (again) { again = false; schedule(); }
        });
    }

    function schedule() {
      if (timer === null) timer = setTimeout(refresh, DEBOUNCE_MS);
    }

    var realtime = window.omnidesk && window.omnidesk.realtime;
    if (realtime) {
      EVENTS.forEach(function (name) { realtime.on(name, schedule); });
      realtime.onState(function (state) { if (state === "open") schedule(); });
    }
    setInterval(schedule, REFRESH_MS);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
