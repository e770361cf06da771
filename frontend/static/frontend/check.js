// The check's pages: the radar chart of the six areas, drawn from the JSON the page embeds
// (#check-chart-data; the table next to it has the same numbers, so the page works without
// this), the print button of the print page, the focus on a form's error summary, and tick
// lists whose "None of these" excludes the other ticks (the server says so without scripts).
(function () {
  "use strict";

  // Chart.js writes a label array as several lines: long area names stay readable on a phone.
  function lines(label) {
    var words = String(label).split(" ");
    var out = [];
    var line = "";
    words.forEach(function (word) {
      if (line && (line + " " + word).length > 12) {
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
    // On a phone the area names take the room from the circle: smaller, closer type there.
    var narrow = window.matchMedia("(max-width: 480px)").matches;
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
            // The scale's numbers on a white backdrop above the data, so that the filled area
            // does not hide them; the table below has every value.
            ticks: {
              stepSize: 25,
              z: 1,
              color: "#555",
              showLabelBackdrop: true,
              backdropColor: "rgba(255, 255, 255, 0.85)",
              backdropPadding: 1,
              font: { size: 10 },
            },
            pointLabels: { font: { size: narrow ? 10.5 : 13 }, padding: narrow ? 1 : 6, color: "#222" },
          },
        },
        layout: { padding: 0 },
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

  // After a POST with errors the summary at the top of the form takes the focus (a screen
  // reader reads it, a phone shows it); its links focus the field they name.
  function focusErrors() {
    var summary = document.querySelector("[data-check-errors]");
    if (!summary) return;
    summary.focus();
    summary.querySelectorAll("a[href^='#']").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var target = document.getElementById(link.getAttribute("href").slice(1));
        if (!target) return;
        var field = target.matches("input, select, textarea")
          ? target
          : target.querySelector("input, select, textarea");
        if (!field) return;
        event.preventDefault();
        target.scrollIntoView({ block: "start" });
        field.focus({ preventScroll: true });
      });
    });
  }

  // "None of these" and the other ticks exclude each other.
  function bindTickLists() {
    document.querySelectorAll("[data-check-ticklist]").forEach(function (list) {
      var boxes = Array.prototype.slice.call(list.querySelectorAll("input[type=checkbox]"));
      list.addEventListener("change", function (event) {
        var box = event.target;
        if (!box.checked || boxes.indexOf(box) < 0) return;
        var nothing = box.value === "__nothing__";
        boxes.forEach(function (other) {
          if (other !== box && (nothing || other.value === "__nothing__")) other.checked = false;
        });
      });
    });
  }

  function start() {
    drawChart();
    bindPrint();
    focusErrors();
    bindTickLists();
  }

  // Deferred like Chart.js before it, so Chart has loaded by DOMContentLoaded.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
