// Live convoy pages: one WebSocket per page to /ws/convoys/<id>/.
//
// The page's root element names the convoy and the last event seq it was rendered at
// (data-live-convoy, data-last-seq). The socket resumes after that seq, so nothing that happened
// between rendering and connecting is lost; after a drop it reconnects with backoff and resumes
// from the last seq it saw. Events do not carry HTML: on each (debounced) batch the page is
// fetched again and every [data-live-region] element is replaced by its fresh copy, so all text
// stays server-rendered and translated. Presence and the connection state are shown in place.
(function () {
  "use strict";
  var root = document.querySelector("[data-live-convoy]");
  if (!root || !("WebSocket" in window)) return;

  var convoyId = root.dataset.liveConvoy;
  var lastSeq = parseInt(root.dataset.lastSeq || "0", 10) || 0;
  var status = document.getElementById("live-status");
  var presence = document.getElementById("live-presence");
  var socket = null;
  var attempt = 0;
  var heartbeat = null;
  var refreshTimer = null;
  var refreshing = false;
  var refreshAgain = false;
  var stopped = false;

  function setState(state, seconds) {
    if (!status) return;
    status.dataset.state = state;
    var text = status.dataset["label" + state.charAt(0).toUpperCase() + state.slice(1)] || state;
    status.textContent = seconds ? text.replace("{seconds}", seconds) : text;
  }

  function url() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    return scheme + location.host + "/ws/convoys/" + convoyId + "/?after=" + lastSeq;
  }

  function connect() {
    setState("connecting");
    socket = new WebSocket(url());
    socket.onopen = function () {
      attempt = 0;
      clearInterval(heartbeat);
      // Keeps this tab in the presence list and lets the server close any gap at the tail.
      heartbeat = setInterval(function () { send({ type: "ping" }); }, 20000);
    };
    socket.onmessage = function (message) {
      var data = JSON.parse(message.data);
      if (data.type === "event") {
        if (data.seq <= lastSeq) return;
        lastSeq = data.seq;
        root.dataset.lastSeq = String(lastSeq);
        document.dispatchEvent(new CustomEvent("konvoi:event", { detail: data }));
        scheduleRefresh();
      } else if (data.type === "live") {
        setState("live");
      } else if (data.type === "refetch") {
        lastSeq = data.seq;
        scheduleRefresh();
      } else if (data.type === "presence") {
        showPresence(data.people);
      }
    };
    socket.onclose = function (event) {
      clearInterval(heartbeat);
      if (stopped) return;
      if (event.code === 4403) {
        // The membership ended: no access any more, so no reconnecting.
        setState("forbidden");
        return;
      }
      attempt += 1;
      var delay = Math.min(30, Math.pow(2, attempt - 1)) * (0.75 + Math.random() / 2);
      setState("offline", Math.ceil(delay));
      setTimeout(connect, delay * 1000);
    };
  }

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  function showPresence(people) {
    if (!presence) return;
    var list = presence.querySelector("ul");
    list.textContent = "";
    people.forEach(function (person) {
      var item = document.createElement("li");
      item.dataset.personId = person.id;
      item.textContent = person.name + (person.companies.length ? " (" + person.companies.join(", ") + ")" : "");
      list.appendChild(item);
    });
    presence.hidden = people.length === 0;
  }

  function scheduleRefresh() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(refresh, 150);
  }

  function busy(region) {
    // Never pull the rug from under someone typing or choosing in a form inside the region.
    var active = document.activeElement;
    return active && region.contains(active) && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName);
  }

  function refresh() {
    if (refreshing) { refreshAgain = true; return; }
    refreshing = true;
    fetch(location.href, { credentials: "same-origin", headers: { "X-Konvoi-Live": "1" } })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var deferred = false;
        document.querySelectorAll("[data-live-region]").forEach(function (region) {
          var replacement = fresh.getElementById(region.id);
          if (!replacement) return;
          if (busy(region)) { deferred = true; return; }
          region.replaceWith(document.importNode(replacement, true));
        });
        if (window.htmx) window.htmx.process(document.body);
        document.dispatchEvent(new CustomEvent("konvoi:refreshed"));
        if (deferred) document.addEventListener("focusout", scheduleRefresh, { once: true });
      })
      .catch(function () { /* the next event or reconnect refreshes again */ })
      .then(function () {
        refreshing = false;
        if (refreshAgain) { refreshAgain = false; scheduleRefresh(); }
      });
  }

  window.addEventListener("pagehide", function () { stopped = true; if (socket) socket.close(); });
  connect();
})();
