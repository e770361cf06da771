// The two-factor set-up page: a "Copy" button for the key (<button data-copy-text="ID">).
// Copies the text of the element with that id; where the clipboard is not available it
// selects the text so the person can copy it themselves. No inline script (CSP).
(function () {
  "use strict";

  function selectText(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-text]");
    if (!button) return;
    var element = document.getElementById(button.getAttribute("data-copy-text"));
    if (!element) return;
    var status = document.getElementById(button.getAttribute("data-copy-status") || "");
    // The key without its spaces: every app takes it so.
    var text = element.textContent.replace(/\s+/g, "");
    function done(ok) {
      if (status) status.textContent = button.getAttribute(ok ? "data-copied" : "data-copy-failed");
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () { done(true); },
        function () { done(selectText(element)); }
      );
    } else {
      done(selectText(element));
    }
  });

  // Without script the button would do nothing: it is shown only once this file has run.
  document.querySelectorAll("[data-copy-text][hidden]").forEach(function (button) {
    button.hidden = false;
  });
})();
