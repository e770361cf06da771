// Live convoy pages: one WebSocket per page to /ws/convoys/<id>/.
//
// The page's root element names the convoy and the last event seq it was rendered at
// (data-live-convoy, data-last-seq). The socket resumes after that seq, so nothing that happened
// between rendering and connecting is lost; after a drop it reconnects with backoff and resumes
// from the last seq it saw. All text stays server-rendered and translated. A page that names a
// regions endpoint (data-live-regions, the convoy dashboard) asks the socket for its regions:
// after each live event the server pushes a "regions" frame with the regions that event touches,
// rendered once per event and language for everyone, cut per role on the server
// (frontend/live_push.py, frontend/live_roles.py), and personalised here; whatever did not
// come that way (a replay, a busy socket) is fetched from the endpoint, which serves the same
// shared fragments. Other pages fetch themselves again on each
// (debounced) batch and take every [data-live-region]. Presence and the connection state are
// shown in place.
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
  var regionsUrl = root.dataset.liveRegions;
  // The seq up to which every event's regions are on screen; events beyond it whose pushed
  // regions have not come yet; the fallback fetch after them.
  var shownSeq = lastSeq;
  var awaiting = [];
  var fallbackTimer = null;
  var FALLBACK_MS = 1000;
  // Who reads this page (the shared fragments leave it to us), and the reactions they gave.
  var me = {
    user: root.dataset.liveUser || "",
    companies: (root.dataset.liveCompanies || "").split(",").filter(Boolean)
  };
  var myReactions = {};
  var needAll = false;
  var live = false;  // replayed events (before "live") have no pushed regions: fetched

  function setState(state, seconds) {
    if (!status) return;
    status.dataset.state = state;
    var text = status.dataset["label" + state.charAt(0).toUpperCase() + state.slice(1)] || state;
    status.textContent = seconds ? text.replace("{seconds}", seconds) : text;
  }

  function url() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var lang = encodeURIComponent(document.documentElement.lang || "");
    return scheme + location.host + "/ws/convoys/" + convoyId + "/?after=" + lastSeq +
      (regionsUrl ? "&regions=1&lang=" + lang : "");
  }

  function connect() {
    setState("connecting");
    live = false;
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
        noteOwnReaction(data);
        document.dispatchEvent(new CustomEvent("konvoi:event", { detail: data }));
        if (regionsUrl && live) expectRegions(data.seq); else scheduleRefresh();
      } else if (data.type === "regions") {
        pushedRegions(data);
      } else if (data.type === "live") {
        live = true;  // from here events are live and their regions are pushed
        setState("live");
      } else if (data.type === "refetch") {
        lastSeq = data.seq;
        shownSeq = -1;  // unknown what changed: every region
        awaiting = [];
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
    // The regions endpoint answers from a cache shared by every viewer: a short debounce.
    refreshTimer = setTimeout(refresh, regionsUrl ? 40 : 150);
  }

  function busy(region) {
    // Never pull the rug from under someone typing or choosing in a form inside the region.
    var active = document.activeElement;
    return active && region.contains(active) && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName);
  }

  function pageToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; }
    catch (e) { return ""; }
  }

  function expectRegions(seq) {
    awaiting.push(seq);
    if (!fallbackTimer) fallbackTimer = setTimeout(fallback, FALLBACK_MS);
  }

  function fallback() {
    fallbackTimer = null;
    if (awaiting.length) scheduleRefresh();
  }

  function pushedRegions(data) {
    var index = awaiting.indexOf(data.seq);
    if (index < 0) return;  // already covered by a fetch
    var deferred = replaceRegions(fromHtml(data.regions), me);
    if (deferred) return;  // the fallback fetch brings it when the reader is done typing
    awaiting.splice(index, 1);
    // Everything up to the oldest event still awaited is on screen.
    shownSeq = awaiting.length ? Math.min.apply(null, awaiting) - 1 : Math.max(shownSeq, data.seq);
    if (!awaiting.length) { clearTimeout(fallbackTimer); fallbackTimer = null; }
    refreshed(false);
  }

  function fromHtml(regions) {
    var template = document.createElement("template");
    template.innerHTML = Object.keys(regions).map(function (id) { return regions[id]; }).join("");
    return function (id) { return regions[id] !== undefined ? template.content.getElementById(id) : null; };
  }

  function noteOwnReaction(event) {
    if (event.kind !== "reaction.changed" || !event.actor || String(event.actor.id) !== me.user) return;
    var comment = event.data && event.data.comment;
    if (!comment) return;
    var mine = (myReactions[comment.id] = myReactions[comment.id] || readReactions(comment.id));
    var at = mine.indexOf(event.data.emoji);
    if (event.data.added && at < 0) mine.push(event.data.emoji);
    if (!event.data.added && at >= 0) mine.splice(at, 1);
  }

  function readReactions(commentId) {
    var comment = document.querySelector('[data-comment-id="' + commentId + '"]');
    var mine = [];
    if (comment) {
      comment.querySelectorAll('button[data-emoji][aria-pressed="true"]').forEach(function (b) {
        mine.push(b.dataset.emoji);
      });
    }
    return mine;
  }

  // Keep of a shared fragment what is this reader's: their companies' controls and attention
  // items, their own comments' and updates' edit controls, the reactions they gave, their token;
  // and the comment threads the page already has where the fragment leaves them (data-live-keep).
  function personalise(node, viewer) {
    var companies = (viewer.companies || []).map(String);
    var user = String(viewer.user);
    var missing = false;
    node.querySelectorAll("[data-live-keep]").forEach(function (placeholder) {
      var kept = document.getElementById(placeholder.id);
      if (kept) placeholder.replaceWith(kept); else missing = true;
    });
    if (missing) { needAll = true; scheduleRefresh(); }  // a thread we never had: fetch all
    node.querySelectorAll("[data-own-company]").forEach(function (el) {
      if (companies.indexOf(el.dataset.ownCompany) < 0) el.remove();
    });
    node.querySelectorAll("a[data-own-link]").forEach(function (a) {
      if (companies.indexOf(a.dataset.ownLink) < 0) a.replaceWith(document.createTextNode(a.textContent));
      else a.removeAttribute("data-own-link");
    });
    node.querySelectorAll("[data-own-user]").forEach(function (el) {
      if (el.dataset.ownUser !== user) el.remove();
    });
    node.querySelectorAll("[data-member-attention]").forEach(function (section) {
      section.querySelectorAll("li[data-company]").forEach(function (item) {
        if (companies.indexOf(item.dataset.company) < 0) item.remove();
      });
      if (!section.querySelector("li[data-company]")) section.remove();
    });
    var token = pageToken();
    node.querySelectorAll("input[name=csrfmiddlewaretoken]").forEach(function (input) { input.value = token; });
    if (viewer.reactions) {
      Object.keys(viewer.reactions).forEach(function (id) { myReactions[id] = viewer.reactions[id]; });
    }
    node.querySelectorAll("[data-comment-id]").forEach(function (comment) {
      var id = comment.dataset.commentId;
      var mine = myReactions[id] || (myReactions[id] = readReactions(id));
      comment.querySelectorAll("button[data-emoji], button[data-choice]").forEach(function (button) {
        var emoji = button.dataset.emoji || button.dataset.choice;
        button.setAttribute("aria-pressed", mine.indexOf(emoji) >= 0 ? "true" : "false");
      });
    });
  }

  var replaced = [];  // the nodes put in since the last "refreshed"

  // Keyed parts of a region ([data-live-key]: a comment, an update card, a company card, an
  // activity entry) that come back exactly as they were last put in stay as they are on the
  // page: no nodes to build, style, lay out and wire up again. A thread with forty comments
  // costs one new comment, not forty. What is kept is matched by id and by the shared HTML it
  // came as (before personalising), so anything changed in it (a count, a time) is new.
  var shownKeyed = {};

  function keepUnchanged(raw) {
    var kept = {};
    raw.querySelectorAll("[data-live-key]").forEach(function (part) {
      if (!part.id || !raw.contains(part)) return;  // inside a part kept already
      var html = part.outerHTML;
      var shown = shownKeyed[part.id];
      if (shown && shown.html === html && shown.node && shown.node.isConnected &&
          shown.node.id === part.id) {
        var placeholder = document.createElement(part.tagName);
        placeholder.setAttribute("data-live-reuse", part.id);
        part.replaceWith(placeholder);
        kept[part.id] = shown.node;
      } else {
        shownKeyed[part.id] = { html: html, node: null };
      }
    });
    return kept;
  }

  function putBack(node, kept) {
    node.querySelectorAll("[data-live-reuse]").forEach(function (placeholder) {
      placeholder.replaceWith(kept[placeholder.getAttribute("data-live-reuse")]);
    });
    node.querySelectorAll("[data-live-key]").forEach(function (part) {
      var shown = shownKeyed[part.id];
      if (shown && !shown.node) shown.node = part;
    });
  }

  function replaceRegions(fresh, viewer) {
    var deferred = false;
    document.querySelectorAll("[data-live-region]").forEach(function (region) {
      var replacement = fresh(region.id);
      if (!replacement) return;
      if (busy(region)) { deferred = true; return; }
      var kept = keepUnchanged(replacement);
      var node = document.importNode(replacement, true);
      if (viewer) personalise(node, viewer);
      putBack(node, kept);
      region.replaceWith(node);
      replaced.push(node);
    });
    return deferred;
  }

  function refresh() {
    if (refreshing) { refreshAgain = true; return; }
    refreshing = true;
    if (regionsUrl) { refreshRegions(); return; }
    fetch(location.href, { credentials: "same-origin", headers: { "X-Konvoi-Live": "1" } })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        refreshed(replaceRegions(function (id) { return fresh.getElementById(id); }, null));
      })
      .catch(function () { /* the next event or reconnect refreshes again */ })
      .then(done);
  }

  function refreshRegions() {
    var since = needAll ? -1 : shownSeq;
    needAll = false;
    fetch(regionsUrl + "?after=" + since, { credentials: "same-origin", headers: { "X-Konvoi-Live": "1" } })
      .then(function (response) {
        if (!response.ok) return Promise.reject(response.status);
        // The body is shared by every viewer of the role; what is this reader's comes apart.
        var viewer = JSON.parse(response.headers.get("X-Konvoi-Viewer") || "{}");
        return response.json().then(function (answer) { answer.viewer = viewer; return answer; });
      })
      .then(function (answer) {
        var deferred = replaceRegions(fromHtml(answer.regions), answer.viewer);
        // A region left alone (someone is typing in it) is fetched again from the same seq.
        if (!deferred) {
          shownSeq = Math.max(shownSeq, answer.seq);
          awaiting = awaiting.filter(function (seq) { return seq > answer.seq; });
          if (awaiting.length && !fallbackTimer) fallbackTimer = setTimeout(fallback, FALLBACK_MS);
        }
        refreshed(deferred);
      })
      .catch(function () { /* the next event or reconnect refreshes again */ })
      .then(done);
  }

  function refreshed(deferred) {
    var nodes = replaced;
    replaced = [];
    // htmx wires up what is new only; listeners learn which regions changed.
    if (window.htmx) nodes.forEach(function (node) { if (node.isConnected) window.htmx.process(node); });
    var ids = nodes.map(function (node) { return node.id; });
    document.dispatchEvent(new CustomEvent("konvoi:refreshed", { detail: { regions: ids } }));
    if (deferred) document.addEventListener("focusout", scheduleRefresh, { once: true });
  }

  function done() {
    refreshing = false;
    if (refreshAgain) { refreshAgain = false; scheduleRefresh(); }
  }

  window.addEventListener("pagehide", function () { stopped = true; if (socket) socket.close(); });
  connect();
})();
