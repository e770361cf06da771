// A "Copy" button for a value shown once (a new API token): <button data-copy-target="ID">
// copies the text of the element with that id and says so in its data-copy-status element.
// No inline script (CSP): loaded as a static file.
(function () {
  "use strict";

  function fallbackCopy(field) {
    field.focus();
    field.select();
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (!button) return;
    var field = document.getElementById(button.getAttribute("data-copy-target"));
    if (!field) return;
    var status = document.getElementById(button.getAttribute("data-copy-status") || "");
    var text = field.value !== undefined ? field.value : field.textContent;
    function done(ok) {
      if (!status) return;
      status.textContent = ok ? button.getAttribute("data-copied") : button.getAttribute("data-copy-failed");
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(fallbackCopy(field)); });
    } else {
      done(fallbackCopy(field));
    }
  });

  // Without script the button does nothing: it is shown only when this file has run.
  document.querySelectorAll("[data-copy-target][hidden]").forEach(function (button) {
    button.hidden = false;
  });
})();
