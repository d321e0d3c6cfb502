/*
 * omnidesk realtime client: the agent websocket (/ws/agent/), kept alive.
 * A plain script, no build step. The protocol is in README.md ("Agent websocket").
 *
 *   const rt = window.omnidesk.realtime;      // started on pages with #realtime-status
 *   const off = rt.on("conversation.updated", (event) => upsert(event.data));
 *   rt.on("*", (event) => ...);               // every event: {id, event, data}
 *   rt.onState((state) => ...);               // connecting | open | reconnecting |
 *                                             // signed-out | stopped
 *   omnidesk.createRealtime({url, since, heartbeatMs}).start();  // another client
 *
 * It pings every 25 s (a missing pong means a dead connection), reconnects with
 * exponential back-off and jitter, resumes from the last event id it saw (page by page
 * while the server has more), never delivers an event twice, and delivers what it
 * resumes in id order.
 */
(function () {
  "use strict";

  var HEARTBEAT_MS = 25000;
  var PONG_TIMEOUT_MS = 10000;
  var HANDSHAKE_TIMEOUT_MS = 10000;
  var BACKOFF_FIRST_MS = 1000;
  var BACKOFF_MAX_MS = 30000;
  var REMEMBERED = 5000;
  var CLOSE_FORBIDDEN = 4403;

  function socketUrl(path) {
    if (/^wss?:/.test(path)) return path;
    var scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    return scheme + "//" + window.location.host + path;
  }

  function createRealtime(options) {
    options = options || {};
    var url = socketUrl(options.url || "/ws/agent/");
    var heartbeatMs = options.heartbeatMs || HEARTBEAT_MS;
    var ws = null;
    var state = "stopped";
    var attempt = 0;
    // The newest event id this page has; 0 until the server's hello gives a baseline
    // (or the page gives `since`: the id its server-rendered content is current to).
    var lastEventId = Number(options.since) || 0;
    var haveBaseline = lastEventId > 0;
    var subscribers = {};
    var stateListeners = [];
    var seen = new Set();
    var seenOrder = [];
    var resuming = false;
    var resumeCursor = 0;  // the id up to which the resume so far is complete
    var held = [];
    var timers = { reconnect: null, heartbeat: null, pong: null, handshake: null };

    function setState(next) {
      if (next === state) return;
      state = next;
      stateListeners.slice().forEach(function (fn) {
        try { fn(state); } catch (err) { console.error("realtime state listener failed", err); }
      });
    }

    function clearTimer(name) {
      if (timers[name] !== null) {
        clearTimeout(timers[name]);
        clearInterval(timers[name]);
        timers[name] = null;
      }
    }

    function send(frame) {
      if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
    }

    function deliver(frame) {
      if (seen.has(frame.id)) return;
      seen.add(frame.id);
      seenOrder.push(frame.id);
      if (seenOrder.length > REMEMBERED) seen.delete(seenOrder.shift());
      if (frame.id > lastEventId) lastEventId = frame.id;
      var event = { id: frame.id, event: frame.event, data: frame.data };
      (subscribers[frame.event] || []).concat(subscribers["*"] || []).forEach(function (fn) {
        try { fn(event); } catch (err) { console.error("realtime subscriber failed", err); }
      });
    }

    function resume(since) {
      resuming = true;
      resumeCursor = since;
      send({ type: "resume", since: since });
    }

    // Delivers what was held, in id order, up to `upTo`: when a resume is cut short,
    // what lies beyond its cursor waits for the next resume (else lastEventId would
    // jump past the pages not read yet).
    function finishResume(upTo) {
      resuming = false;
      var frames = held;
      held = [];
      frames.sort(function (a, b) { return a.id - b.id; }).forEach(function (frame) {
        if (frame.id <= upTo) deliver(frame);
      });
    }

    function onFrame(frame) {
      switch (frame.type) {
        case "hello":
          clearTimer("handshake");
          attempt = 0;
          setState("open");
          startHeartbeat();
          if (haveBaseline) {
            resume(lastEventId);
          } else {
            lastEventId = Math.max(lastEventId, frame.last_event_id || 0);
            haveBaseline = true;
          }
          break;
        case "event":
          // While resuming, hold live events too, so that all are delivered in id order.
          if (resuming) held.push(frame); else deliver(frame);
          break;
        case "resumed":
          resumeCursor = frame.next_since;
          if (frame.has_more) send({ type: "resume", since: frame.next_since });
          else finishResume(Infinity);
          break;
        case "pong":
          clearTimer("pong");
          if (frame.behind && !resuming) resume(lastEventId);
          break;
        case "error":
          console.warn("realtime:", frame.error);
          break;
      }
    }

    function startHeartbeat() {
      clearTimer("heartbeat");
      timers.heartbeat = setInterval(function () {
        send({ type: "ping", last: lastEventId });
        if (timers.pong === null) {
          timers.pong = setTimeout(function () { timers.pong = null; drop(); }, PONG_TIMEOUT_MS);
        }
      }, heartbeatMs);
    }

    function detach() {
      ["heartbeat", "pong", "handshake"].forEach(clearTimer);
      if (resuming) finishResume(resumeCursor);
      if (ws) {
        ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
        try { ws.close(); } catch (err) { /* already closing */ }
        ws = null;
      }
    }

    // A dead or refused connection: forget it and try again after a while.
    function drop() {
      detach();
      if (state === "stopped" || state === "signed-out") return;
      setState("reconnecting");
      var ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * Math.pow(2, attempt));
      attempt += 1;
      var delay = ceiling / 2 + Math.random() * ceiling / 2;
      clearTimer("reconnect");
      timers.reconnect = setTimeout(function () { timers.reconnect = null; open(); }, delay);
    }

    function open() {
      detach();
      var socket = new WebSocket(url);
      ws = socket;
      timers.handshake = setTimeout(drop, HANDSHAKE_TIMEOUT_MS);
      socket.onmessage = function (message) {
        var frame;
        try { frame = JSON.parse(message.data); } catch (err) { return; }
        onFrame(frame);
      };
      socket.onclose = function (close) {
        if (close.code === CLOSE_FORBIDDEN) {
          detach();
          setState("signed-out");
          return;
        }
        drop();  // 1013 (server busy or Redis down), 1012 (restart), 1006 (network)...
      };
    }

    function reconnectNow() {
      if (state !== "reconnecting" || timers.reconnect === null) return;
      clearTimer("reconnect");
      open();
    }

    return {
      get state() { return state; },
      get lastEventId() { return lastEventId; },
      start: function () {
        if (state !== "stopped") return;
        setState("connecting");
        window.addEventListener("online", reconnectNow);
        open();
      },
      stop: function () {
        clearTimer("reconnect");
        window.removeEventListener("online", reconnectNow);
        setState("stopped");
        detach();
      },
      on: function (name, fn) {
        (subscribers[name] = subscribers[name] || []).push(fn);
        return function off() {
          subscribers[name] = (subscribers[name] || []).filter(function (f) { return f !== fn; });
        };
      },
      /* A frame to the server (e.g. {type: "typing", conversation_id: N}); dropped, not
       * queued, while the socket is not open. */
      send: send,
      onState: function (fn) {
        stateListeners.push(fn);
        return function off() {
          stateListeners = stateListeners.filter(function (f) { return f !== fn; });
        };
      },
    };
  }

  var STATUS_TEXT = {
    reconnecting: "Reconnecting…",
    "signed-out": "Signed out: reload the page to sign in again.",
  };

  function startOnPage() {
    var status = document.getElementById("realtime-status");
    if (!status) return;
    var realtime = createRealtime({
      url: status.dataset.realtimeUrl,
      since: status.dataset.realtimeSince,
    });
    window.omnidesk.realtime = realtime;
    var banner = document.getElementById("connection-banner");
    realtime.onState(function (state) {
      status.textContent = STATUS_TEXT[state] || "";
      if (banner) banner.hidden = !STATUS_TEXT[state];
    });
    realtime.start();
  }

  window.omnidesk = window.omnidesk || {};
  window.omnidesk.createRealtime = createRealtime;
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", startOnPage);
  } else {
    startOnPage();
  }
})();
