// The check-in form: the end (and the RSVP deadline) follow the start, keeping the
// duration and the notice the facilitator set. Times are "YYYY-MM-DDTHH:MM" wall-clock values
// of datetime-local inputs; the arithmetic is done as if in UTC so that the browser's own
// time zone (and its DST) never shifts them.
(function () {
  "use strict";

  function parse(value) {
    var m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value || "");
    if (!m) return null;
    return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
  }

  function format(ms) {
    var d = new Date(ms);
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return d.getUTCFullYear() + "-" + two(d.getUTCMonth() + 1) + "-" + two(d.getUTCDate()) +
      "T" + two(d.getUTCHours()) + ":" + two(d.getUTCMinutes());
  }

  function wire(form) {
    var start = form.querySelector("[name=starts_at]");
    var end = form.querySelector("[name=ends_at]");
    var deadline = form.querySelector("[name=rsvp_deadline]");
    if (!start || !end) return;
    var previous = parse(start.value);
    start.addEventListener("change", function () {
      var now = parse(start.value);
      if (now === null) return;
      [end, deadline].forEach(function (input) {
        if (!input) return;
        var value = parse(input.value);
        if (value === null || previous === null) {
          if (input === end) input.value = format(now + 60 * 60 * 1000);
          return;
        }
        input.value = format(value + (now - previous));
      });
      previous = now;
    });
  }

  document.querySelectorAll("form[data-checkin-form]").forEach(wire);
})();
