// Draws the "milestones done over time" chart from the JSON the page embeds.
// The same numbers are in the table next to it, so the page works without this script.
//
// The x axis is real time: a linear axis over timestamps, so a quiet fortnight takes the
// width of a fortnight and two busy days side by side stay close (a category axis spaced
// every day with completions evenly, which made progress look steadier than it was). Tick
// labels are written by Intl.DateTimeFormat in the page's language; no date adapter needed.
(function () {
  "use strict";
  var DAY = 24 * 60 * 60 * 1000;
  var script = document.currentScript;
  var chart = null;

  // "2026-11-29" → the timestamp of noon that day (noon: never shifted into another day by
  // a DST change or the viewer's time zone).
  function dayToTime(iso) {
    var p = iso.split("-");
    return new Date(Number(p[0]), Number(p[1]) - 1, Number(p[2]), 12).getTime();
  }

  function draw() {
    var canvas = document.getElementById("milestones-chart");
    var source = document.getElementById("milestones-data");
    if (chart) { chart.destroy(); chart = null; }
    if (!canvas || !source || typeof window.Chart === "undefined") return;
    var rows = JSON.parse(source.textContent);
    if (!rows.length) return;
    var lang = document.documentElement.lang || undefined;
    // English dates are written day-month on the server ("29 Nov 2026", config/formats).
    if (lang === "en") lang = "en-GB";
    var tickFormat = new Intl.DateTimeFormat(lang, { day: "numeric", month: "short" });
    var longFormat = new Intl.DateTimeFormat(lang, { dateStyle: "medium" });
    var reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var points = rows.map(function (r) {
      return { x: dayToTime(r.date), done: r.done, total: r.total };
    });
    var first = points[0].x;
    var last = points[points.length - 1].x;
    // Half a day of room on each side, and whole days between ticks (one per ~80 px).
    var spanDays = Math.max(1, Math.round((last - first) / DAY));
    var tickCount = Math.max(2, Math.floor((canvas.clientWidth || 390) / 80));
    var step = Math.max(1, Math.ceil(spanDays / tickCount)) * DAY;
    chart = new window.Chart(canvas, {
      data: {
        datasets: [
          {
            type: "line",
            label: script.dataset.labelTotal,
            data: points.map(function (p) { return { x: p.x, y: p.total }; }),
            borderColor: "#0a4fd6",
            backgroundColor: "rgba(10, 79, 214, 0.12)",
            fill: true,
            // The total stays what it was until the next day with completions.
            stepped: "before",
            pointRadius: 3,
            order: 0,
          },
          {
            type: "bar",
            label: script.dataset.labelDay,
            data: points.map(function (p) { return { x: p.x, y: p.done }; }),
            backgroundColor: "#1a7f5a",
            maxBarThickness: 16,
            order: 1,
          },
        ],
      },
      options: {
        animation: reduceMotion ? false : undefined,
        maintainAspectRatio: false,
        scales: {
          x: {
            type: "linear",
            min: first - DAY / 2,
            max: last + DAY / 2,
            offset: false,
            afterBuildTicks: function (axis) {
              var ticks = [];
              for (var t = first; t <= last + 1; t += step) ticks.push({ value: t });
              axis.ticks = ticks;
            },
            ticks: {
              callback: function (value) { return tickFormat.format(new Date(value)); },
              maxRotation: 0,
              autoSkip: true,
            },
            grid: { display: false },
          },
          y: { beginAtZero: true, grace: "10%", ticks: { precision: 0 } },
        },
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              title: function (items) {
                return items.length ? longFormat.format(new Date(items[0].parsed.x)) : "";
              },
            },
          },
        },
      },
    });
  }
  // live.js replaces the chart's card after events: draw the new canvas (only then: the
  // event names the regions it replaced, when it knows them).
  document.addEventListener("konvoi:refreshed", function (event) {
    var regions = event.detail && event.detail.regions;
    if (!regions || regions.indexOf("dashboard-chart") >= 0) draw();
  });
  // Both scripts are deferred, so Chart.js has loaded by DOMContentLoaded.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
