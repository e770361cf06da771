// Folded parts of the convoy dashboard: on a phone some sections start closed (<details>) to
// keep the page short; on a wide screen, where there is room, details[data-open-wide] start
// open. Applied on load and after live.js has replaced the regions; a section the reader has
// closed or opened by hand keeps that state (comments.js remembers open ones by id).
(function () {
  "use strict";
  var wide = window.matchMedia("(min-width: 60rem)");
  var touched = {};
  document.addEventListener("click", function (event) {
    var summary = event.target.closest && event.target.closest("details[data-open-wide] > summary");
    if (summary && summary.parentElement.id) touched[summary.parentElement.id] = true;
  });
  function apply() {
    if (!wide.matches) return;
    document.querySelectorAll("details[data-open-wide]").forEach(function (details) {
      if (!touched[details.id]) details.open = true;
    });
  }
  document.addEventListener("konvoi:refreshed", apply);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", apply);
  else apply();
})();
