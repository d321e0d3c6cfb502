// omnidesk softphone: registers a Twilio Voice SDK Device for this agent, rings on
// incoming calls (accept / reject), and shows the caller's screen pop that arrives on
// the agent websocket as "call.ringing" before the agent answers.
(function () {
  "use strict";
  var root = document.getElementById("softphone");
  if (!root || !window.Twilio || !window.Twilio.Device) { return; }
  var $ = function (id) { return document.getElementById(id); };
  var device = null;
  var current = null;

  function state(text) { $("sp-state").textContent = text; }
  function show(id, on) { $(id).hidden = !on; }

  function fetchToken() {
    return fetch(root.dataset.tokenUrl, { credentials: "same-origin" }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) { throw new Error(body.error || ("HTTP " + r.status)); }
        return body;
      });
    });
  }

  function setUp(body) {
    device = new window.Twilio.Device(body.token, { closeProtection: true, logLevel: 1 });
    device.on("registered", function () { state("ready for calls as " + body.identity); });
    device.on("unregistered", function () { state("not registered"); });
    device.on("error", function (error) { state("error: " + error.message); });
    device.on("tokenWillExpire", function () {
      fetchToken().then(function (fresh) { device.updateToken(fresh.token); });
    });
    device.on("incoming", ringing);
    return device.register();
  }

  // A queued call is offered on a leg of its own, from our number: the caller's
  // number rides along as the custom parameter "caller".
  function callerOf(call) {
    var custom = call.customParameters && call.customParameters.get("caller");
    return custom || call.parameters.From;
  }

  function ringing(call) {
    current = call;
    $("sp-from").textContent = callerOf(call) || "unknown number";
    show("sp-incoming", true);
    state("ringing");
    call.on("accept", function () {
      show("sp-incoming", false); show("sp-live", true);
      $("sp-peer").textContent = callerOf(call) || "caller";
      state("on a call");
    });
    ["disconnect", "cancel", "reject"].forEach(function (name) {
      call.on(name, function () {
        show("sp-incoming", false); show("sp-live", false);
        current = null; state("ready");
      });
    });
  }

  $("sp-accept").addEventListener("click", function () { if (current) { current.accept(); } });
  $("sp-reject").addEventListener("click", function () { if (current) { current.reject(); } });
  $("sp-hangup").addEventListener("click", function () { if (current) { current.disconnect(); } });
  $("sp-mute").addEventListener("click", function () {
    if (!current) { return; }
    var muted = !current.isMuted();
    current.mute(muted);
    $("sp-mute").textContent = muted ? "Unmute" : "Mute";
  });

  function screenPop(data) {
    var customer = data.customer || {};
    $("sp-customer").textContent = customer.name || "Unknown caller";
    $("sp-identities").textContent = (customer.identities || []).map(function (i) {
      return i.kind + ": " + i.value;
    }).join(" · ");
    var body = $("sp-history");
    body.textContent = "";
    (data.history || []).forEach(function (item) {
      var row = document.createElement("tr");
      [new Date(item.occurred_at).toLocaleString(), item.channel, item.direction,
       item.subject || item.text || item.kind].forEach(function (value) {
        var cell = document.createElement("td");
        cell.textContent = value;
        row.appendChild(cell);
      });
      body.appendChild(row);
    });
    show("sp-pop", true);
  }

  function listen() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + root.dataset.wsPath);
    socket.onmessage = function (message) {
      var event = JSON.parse(message.data);
      if (event.type === "event" && event.event === "call.ringing") { screenPop(event.data); }
    };
    socket.onclose = function () { window.setTimeout(listen, 3000); };
  }

  listen();
  fetchToken().then(setUp).catch(function (error) { state("unavailable: " + error.message); });
})();
