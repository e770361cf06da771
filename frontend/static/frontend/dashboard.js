// Draws the "milestones done over time" chart from the JSON the page embeds.
// The same numbers are in the table next to it, so the page works without this script.
(function () {
  "use strict";
  var script = document.currentScript;
  var chart = null;
  function draw() {
    var canvas = document.getElementById("milestones-chart");
    var source = document.getElementById("milestones-data");
    if (chart) { chart.destroy(); chart = null; }
    if (!canvas || !source || typeof window.Chart === "undefined") return;
    var rows = JSON.parse(source.textContent);
    var lang = document.documentElement.lang || undefined;
    var reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    chart = new window.Chart(canvas, {
      data: {
        labels: rows.map(function (r) {
          // Dates arrive as YYYY-MM-DD; show them the way the page's language writes dates.
          return new Date(r.date + "T12:00:00").toLocaleDateString(lang);
        }),
        datasets: [
          {
            type: "line",
            label: script.dataset.labelTotal,
            data: rows.map(function (r) { return r.total; }),
            borderColor: "#0a4fd6",
            backgroundColor: "rgba(10, 79, 214, 0.12)",
            fill: true,
            tension: 0.2,
            pointRadius: 3,
            order: 0,
          },
          {
            type: "bar",
            label: script.dataset.labelDay,
            data: rows.map(function (r) { return r.done; }),
            backgroundColor: "#1a7f5a",
            maxBarThickness: 32,
            order: 1,
          },
        ],
      },
      options: {
        animation: reduceMotion ? false : undefined,
        maintainAspectRatio: false,
        scales: { y: { beginAtZero: true, grace: "10%", ticks: { precision: 0 } } },
        plugins: { legend: { position: "bottom" } },
      },
    });
  }
  // live.js replaces the chart's card after events: draw the new canvas.
  document.addEventListener("konvoi:refreshed", draw);
  // Both scripts are deferred, so Chart.js has loaded by DOMContentLoaded.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
