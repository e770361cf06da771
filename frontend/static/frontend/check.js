// The check's result: the radar chart of the six areas, drawn from the JSON the page embeds
// (#check-chart-data; the table next to it has the same numbers, so the page works without
// this), and the print button of the print page.
(function () {
  "use strict";

  // Chart.js writes a label array as several lines: long area names stay readable on a phone.
  function lines(label) {
    var words = String(label).split(" ");
    var out = [];
    var line = "";
    words.forEach(function (word) {
      if (line && (line + " " + word).length > 16) {
        out.push(line);
        line = word;
      } else {
        line = line ? line + " " + word : word;
      }
    });
    if (line) out.push(line);
    return out;
  }

  function drawChart() {
    var source = document.getElementById("check-chart-data");
    var figure = document.querySelector("[data-check-chart]");
    var canvas = document.getElementById("check-chart");
    if (!source || !figure || !canvas || typeof window.Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    figure.hidden = false;
    new window.Chart(canvas, {
      type: "radar",
      data: {
        labels: data.labels.map(lines),
        datasets: [
          {
            label: data.label,
            data: data.scores,
            backgroundColor: "rgba(10, 79, 214, 0.2)",
            borderColor: "#0a4fd6",
            pointBackgroundColor: "#0a4fd6",
          },
        ],
      },
      options: {
        animation: reduceMotion ? false : undefined,
        maintainAspectRatio: false,
        scales: {
          r: {
            min: 0,
            max: 100,
            ticks: { stepSize: 25, backdropColor: "transparent", font: { size: 10 } },
            pointLabels: { font: { size: 12 } },
          },
        },
        plugins: { legend: { display: false } },
      },
    });
  }

  function bindPrint() {
    document.querySelectorAll("[data-check-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }

  function start() {
    drawChart();
    bindPrint();
  }

  // Deferred like Chart.js before it, so Chart has loaded by DOMContentLoaded.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
