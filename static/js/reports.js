/* The report page's charts: Chart.js (static/vendor/chartjs) draws what the page embeds
 * as JSON (<script type="application/json" id="chart-NAME">) on <canvas data-chart="NAME">.
 * Colours come from the design tokens, so both themes work; every chart's figures are
 * also in a table on the page. */
(function () {
  "use strict";
  /* A token's colour as the canvas needs it: the tokens are light-dark(…) pairs, which
   * only the style engine resolves, so a probe element reads the computed rgb(). */
  var probe = null;
  function token(name) {
    if (!probe) {
      probe = document.createElement("span");
      probe.hidden = true;
      document.body.appendChild(probe);
    }
    probe.style.color = "var(" + name + ")";
    return getComputedStyle(probe).color;
  }
  function data(name) {
    var node = document.getElementById("chart-" + name);
    return node ? JSON.parse(node.textContent) : null;
  }
  function volume(canvas) {
    var d = data("volume");
    if (!d || !window.Chart) return;
    var text = token("--color-text-muted"), grid = token("--color-border");
    new window.Chart(canvas, {
      data: {
        labels: d.days,
        datasets: [
          {type: "bar", label: "New", data: d.created, backgroundColor: token("--color-accent"), order: 2},
          {type: "bar", label: "Resolved", data: d.resolved, backgroundColor: token("--color-ok-text"), order: 3},
          {type: "line", label: "Backlog at day's end", data: d.backlog, borderColor: token("--color-warn-text"),
           backgroundColor: token("--color-warn-text"), pointRadius: 2, tension: 0.2, order: 1}
        ]
      },
      options: {
        maintainAspectRatio: false, animation: false,
        interaction: {mode: "index", intersect: false},
        plugins: {legend: {labels: {color: text, boxWidth: 12}}},
        scales: {
          x: {ticks: {color: text, maxRotation: 0, autoSkipPadding: 12}, grid: {display: false}},
          y: {beginAtZero: true, ticks: {color: text, precision: 0}, grid: {color: grid}}
        }
      }
    });
  }
  function draw() {
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.chart === "volume") volume(canvas);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
