// The header's notification badge, live: one WebSocket per page to /ws/notifications/.
//
// The badge is rendered with the unread count and the newest notification id the page knew
// (data-last-id); the socket resumes after that id, so nothing created in between is lost.
// Each message carries the person's unread count and a title already in their language; the
// count replaces the badge's, the title is announced in a polite live region.
(function () {
  "use strict";
  var badge = document.querySelector("[data-notification-badge]");
  if (!badge || !("WebSocket" in window)) return;
  var count = badge.querySelector("[data-notification-count]");
  var toast = document.getElementById("notification-toast");
  var lastId = parseInt(badge.dataset.lastId || "0", 10) || 0;
  var attempt = 0;
  var heartbeat = null;

  function show(unread) {
    count.textContent = String(unread);
    badge.classList.toggle("has-unread", unread > 0);
    badge.dataset.unread = String(unread);
  }

  function announce(title) {
    if (!toast) return;
    toast.textContent = title;
    toast.hidden = false;
    clearTimeout(announce.timer);
    announce.timer = setTimeout(function () { toast.hidden = true; }, 8000);
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + "/ws/notifications/?after=" + lastId);
    socket.onopen = function () {
      attempt = 0;
      clearInterval(heartbeat);
      heartbeat = setInterval(function () {
        if (socket.readyState === 1) socket.send(JSON.stringify({ type: "ping" }));
      }, 25000);
    };
    socket.onmessage = function (message) {
      var data = JSON.parse(message.data);
      if (data.type !== "notification" || data.id <= lastId) return;
      lastId = data.id;
      show(data.unread);
      announce(data.title);
      document.dispatchEvent(new CustomEvent("konvoi:notification", { detail: data }));
    };
    socket.onclose = function (event) {
      clearInterval(heartbeat);
      if (event.code === 4403) return;
      attempt += 1;
      setTimeout(connect, Math.min(30000, 1000 * Math.pow(2, attempt - 1)) * (0.5 + Math.random() / 2));
    };
  }
  connect();
})();
