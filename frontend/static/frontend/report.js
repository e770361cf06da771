// Draws the programme report's two charts from the JSON the page embeds (#report-chart-data):
// companies reached per month (new and returning, stacked) and companies by stage.
// The same numbers are in the tables next to the charts, so the page works without this.
(function () {
  "use strict";
  var script = document.currentScript;

  function draw() {
    var source = document.getElementById("report-chart-data");
    if (!source || typeof window.Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var animation = reduceMotion ? false : undefined;

    var reachCanvas = document.getElementById("reach-chart");
    if (reachCanvas && data.reach.length) {
      new window.Chart(reachCanvas, {
        type: "bar",
        data: {
          labels: data.reach.map(function (r) { return r.label; }),
          datasets: [
            {
              label: script.dataset.labelNew,
              data: data.reach.map(function (r) { return r.new; }),
              backgroundColor: "#0a4fd6",
            },
            {
              label: script.dataset.labelReturning,
              data: data.reach.map(function (r) { return r.returning; }),
              backgroundColor: "#1a7f5a",
            },
          ],
        },
        options: {
          animation: animation,
          maintainAspectRatio: false,
          scales: {
            x: { stacked: true, grid: { display: false } },
            y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } },
          },
          plugins: { legend: { position: "bottom" } },
        },
      });
    }

    var funnelCanvas = document.getElementById("funnel-chart");
    if (funnelCanvas && data.funnel.length) {
      new window.Chart(funnelCanvas, {
        type: "bar",
        data: {
          labels: data.funnel.map(function (r) { return r.label; }),
          datasets: [
            {
              label: script.dataset.labelCompanies,
              data: data.funnel.map(function (r) { return r.companies; }),
              backgroundColor: "#0a4fd6",
            },
          ],
        },
        options: {
          // Horizontal bars: the stage names stay readable on a phone.
          indexAxis: "y",
          animation: animation,
          maintainAspectRatio: false,
          scales: {
            x: { beginAtZero: true, ticks: { precision: 0 } },
            y: { grid: { display: false } },
          },
          plugins: { legend: { display: false } },
        },
      });
    }
  }

  // Deferred like Chart.js before it, so Chart has loaded by DOMContentLoaded.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
