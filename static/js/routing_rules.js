/*
 * Settings → Routing rules: drag a rule by its number (native HTML5 drag and drop) to
 * put it elsewhere in the order. On drop the whole order is posted to
 * /settings/routing/reorder/ (routing.actions.config.do_reorder_rules) and the rows take
 * the order the server saved. The move up / move down buttons stay for the keyboard
 * and for touch screens.
 */
(function () {
  "use strict";

  function start() {
    var table = document.querySelector("[data-rules-sortable]");
    var form = document.getElementById("rules-reorder");
    if (!table || !form) return;
    var body = table.tBodies[0];
    table.classList.add("is-sortable");
    var status = document.querySelector("[data-rules-status]");
    var dragged = null;
    var before = "";

    function rows() { return Array.prototype.slice.call(body.querySelectorAll("tr[data-rule]")); }
    function order() { return rows().map(function (row) { return row.getAttribute("data-rule"); }).join(","); }

    function say(text) { if (status) status.textContent = text; }

    function renumber() {
      var all = rows();
      all.forEach(function (row, n) {
        var number = row.querySelector("[data-rule-number]");
        if (number) number.textContent = String(n + 1);
        var up = row.querySelector('[data-rule-move="up"]');
        var down = row.querySelector('[data-rule-move="down"]');
        if (up) up.disabled = n === 0;
        if (down) down.disabled = n === all.length - 1;
      });
    }

    function arrange(ids) {
      var byId = {};
      rows().forEach(function (row) { byId[row.getAttribute("data-rule")] = row; });
      ids.forEach(function (id) { if (byId[id]) body.appendChild(byId[id]); });
      renumber();
    }

    function save(moved) {
      form.elements.order.value = order();
      fetch(form.action, {
        method: "POST", body: new FormData(form), credentials: "same-origin",
        headers: { "X-Requested-With": "fetch", "Accept": "application/json" }
      }).then(function (response) {
        if (!response.ok) throw new Error("reorder: " + response.status);
        return response.json();
      }).then(function (data) {
        arrange(data.order.map(String));
        var at = rows().indexOf(moved) + 1;
        say("Order saved: “" + moved.getAttribute("data-rule-name") + "” is now rule " + at +
            " of " + rows().length + ".");
      }).catch(function (err) {
        console.error(err);
        say("The order could not be saved; the page shows the saved order again.");
        window.location.reload();
      });
    }

    // Only the grip starts a drag: the row is draggable while the pointer is down on it,
    // so links and buttons in the row behave as usual.
    body.addEventListener("pointerdown", function (event) {
      var grip = event.target.closest("[data-rule-grip]");
      if (grip) grip.closest("tr").draggable = true;
    });
    body.addEventListener("pointerup", function () {
      rows().forEach(function (row) { row.draggable = false; });
    });
    body.addEventListener("dragstart", function (event) {
      var row = event.target.closest && event.target.closest("tr[data-rule]");
      if (!row || !row.draggable) return;
      dragged = row;
      before = order();
      row.classList.add("is-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", row.getAttribute("data-rule-name"));
    });
    body.addEventListener("dragover", function (event) {
      if (!dragged) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      var over = event.target.closest && event.target.closest("tr[data-rule]");
      if (!over || over === dragged) return;
      var box = over.getBoundingClientRect();
      var after = event.clientY > box.top + box.height / 2;
      body.insertBefore(dragged, after ? over.nextSibling : over);
    });
    body.addEventListener("drop", function (event) { if (dragged) event.preventDefault(); });
    body.addEventListener("dragend", function (event) {
      if (!dragged) return;
      var moved = dragged;
      dragged = null;
      moved.classList.remove("is-dragging");
      moved.draggable = false;
      if (event.dataTransfer && event.dataTransfer.dropEffect === "none") {
        arrange(before.split(","));  // dropped outside the list, or Escape: put it back
        return;
      }
      renumber();
      if (order() !== before) save(moved);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
