// Draws a company's overall check score over time from the JSON the page embeds
// (#check-history-data: [{label, overall}], oldest first). The table next to the chart has
// the same numbers, so the page works without this.
(function () {
  "use strict";
  var script = document.currentScript;

  function draw() {
    var source = document.getElementById("check-history-data");
    var canvas = document.getElementById("check-history-chart");
    if (!source || !canvas || typeof window.Chart === "undefined") return;
    var rows = JSON.parse(source.textContent);
    var reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: rows.map(function (r) { return r.label; }),
        datasets: [
          {
            label: script.dataset.labelOverall,
            data: rows.map(function (r) { return r.overall; }),
            borderColor: "#0a4fd6",
            backgroundColor: "#0a4fd6",
            tension: 0,
          },
        ],
      },
      options: {
        animation: reduceMotion ? false : undefined,
        maintainAspectRatio: false,
        scales: { y: { min: 0, max: 100, ticks: { stepSize: 25 } } },
        plugins: { legend: { display: false } },
      },
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
