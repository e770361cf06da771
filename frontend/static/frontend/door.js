// The door check-in: scan the QR code on a registrant's ticket with the phone's camera and
// submit its code through the typed-code form (htmx posts it; the feedback and the count come
// back). The native BarcodeDetector where the browser has one, the vendored jsQR otherwise.
// No inline script (CSP): loaded as a static file. Without a camera or permission the typed
// code works as before.
(function () {
  "use strict";

  var scan = document.querySelector("[data-door-scan]");
  if (!scan) return;
  var start = scan.querySelector("[data-door-camera]");
  var stop = scan.querySelector("[data-door-camera-stop]");
  var video = scan.querySelector("[data-door-video]");
  var canvas = scan.querySelector("[data-door-canvas]");
  var status = scan.querySelector("[data-door-camera-status]");
  var form = scan.querySelector("[data-door-code-form]");
  var input = form && form.querySelector("input[name=code]");
  if (!start || !video || !form || !input) return;

  var stream = null;
  var detector = null;
  var timer = null;
  // A ticket held in front of the camera is read again and again. Each code read here is sent
  // once and remembered for a minute (a second send would say "already checked in at …",
  // which reads like a ticket used twice); the first answer stays shown. After a read the
  // camera rests a moment, and nothing is sent while an answer is still on its way.
  var REMEMBER_MS = 60000;
  var REST_MS = 2000;
  var sent = {};
  var restUntil = 0;
  var waiting = false;

  function say(text) {
    if (status) status.textContent = text || "";
  }

  function canScan() {
    return !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia) &&
      ("BarcodeDetector" in window || typeof window.jsQR === "function");
  }

  function codeOf(text) {
    // The ticket's QR code carries "KONVOI:<code>": the code alone is sent and shown (the
    // server reads either).
    return String(text || "").trim().replace(/^KONVOI[:-]/i, "").trim();
  }

  function recentlySent(code, now) {
    Object.keys(sent).forEach(function (key) {
      if (now - sent[key] >= REMEMBER_MS) delete sent[key];
    });
    return Object.prototype.hasOwnProperty.call(sent, code);
  }

  function found(text) {
    var code = codeOf(text);
    var now = Date.now();
    if (!code || waiting || recentlySent(code, now)) return;
    sent[code] = now;
    restUntil = now + REST_MS;
    waiting = true;
    input.value = code;
    say(scan.getAttribute("data-door-found") + " " + code);
    if (form.requestSubmit) form.requestSubmit();
    else form.submit();
  }

  function tick() {
    if (!stream) return;
    var rest = restUntil - Date.now();
    if (rest > 0 || waiting) {
      timer = window.setTimeout(tick, Math.max(rest, 200));
      return;
    }
    if (video.readyState < 2) {
      timer = window.setTimeout(tick, 200);
      return;
    }
    if (detector) {
      detector.detect(video).then(function (codes) {
        if (codes && codes.length) found(codes[0].rawValue);
      }).catch(function () { /* a frame it could not read */ }).then(function () {
        timer = window.setTimeout(tick, 250);
      });
      return;
    }
    var width = video.videoWidth;
    var height = video.videoHeight;
    if (width && height) {
      // Read a downscaled frame: jsQR is quick enough on a phone at about 480 px.
      var scale = Math.min(1, 480 / Math.max(width, height));
      canvas.width = Math.round(width * scale);
      canvas.height = Math.round(height * scale);
      var context = canvas.getContext("2d", { willReadFrequently: true });
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      var image = context.getImageData(0, 0, canvas.width, canvas.height);
      var result = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      if (result && result.data) found(result.data);
    }
    timer = window.setTimeout(tick, 250);
  }

  function stopCamera() {
    if (timer) window.clearTimeout(timer);
    timer = null;
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    video.hidden = true;
    start.hidden = false;
    if (stop) stop.hidden = true;
  }

  function startCamera() {
    say("");
    var useNative = "BarcodeDetector" in window;
    var ready = Promise.resolve();
    if (useNative) {
      ready = window.BarcodeDetector.getSupportedFormats().then(function (formats) {
        if (formats.indexOf("qr_code") >= 0) detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      }).catch(function () { detector = null; });
    }
    ready.then(function () {
      if (!detector && typeof window.jsQR !== "function") throw new Error("no decoder");
      return navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    }).then(function (media) {
      stream = media;
      video.srcObject = media;
      video.hidden = false;
      start.hidden = true;
      if (stop) stop.hidden = false;
      return video.play();
    }).then(tick).catch(function () {
      stopCamera();
      say(scan.getAttribute("data-door-no-camera"));
      input.focus();
    });
  }

  if (canScan()) {
    start.hidden = false;
    start.addEventListener("click", startCamera);
    if (stop) stop.addEventListener("click", stopCamera);
  }

  // After each check-in by code the field is emptied for the next person.
  document.body.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail && event.detail.elt === form) {
      waiting = false;
      // No answer (the network): the code may be read again.
      if (!event.detail.successful) delete sent[codeOf(input.value)];
      input.value = "";
      if (!stream) input.focus();
    }
  });
  window.addEventListener("pagehide", stopCamera);
})();
