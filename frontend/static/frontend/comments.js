// Comment threads: Ctrl+Enter (Cmd+Enter) sends, @mention suggestions from the convoy's people,
// and open <details> (the comment, reply and edit forms, the reaction picker, milestone threads,
// older updates) stay open when live.js or htmx replaces the thread. Everything is delegated to the document, so replaced markup needs no
// re-binding. The threads themselves are server-rendered; live.js refreshes them on events.
(function () {
  "use strict";
  if (window.konvoiComments) return;
  window.konvoiComments = true;

  // --- open details survive refreshes ---------------------------------------------------------
  var open = {};
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (!details.matches || !details.matches("details[data-keep-open]") || !details.id) return;
    if (details.open) open[details.id] = true; else delete open[details.id];
    // Opened from its "Comment" button (not re-opened after a refresh): straight to writing.
    var summary = details.querySelector("summary");
    if (details.open && details.matches(".comment-new-toggle") && document.activeElement === summary) {
      var field = details.querySelector("textarea");
      if (field) field.focus();
    }
  }, true);

  function reopen() {
    Object.keys(open).forEach(function (id) {
      var details = document.getElementById(id);
      if (details && !details.open) details.open = true;
    });
  }

  function revealHash() {
    // A notification links to #comment-N or #update-N, which may sit inside a closed
    // milestone thread or behind "show older updates".
    if (!/^#(comment|update)-\d+$/.test(location.hash)) return;
    var target = document.getElementById(location.hash.slice(1));
    if (!target) return;
    for (var node = target.parentElement; node; node = node.parentElement) {
      if (node.tagName === "DETAILS" && !node.open) node.open = true;
    }
    if (target.matches(".comment")) target.classList.add("comment-linked");
    target.scrollIntoView({ block: "center" });
  }

  var focusedId = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.target.closest && event.target.closest("form");
    var active = document.activeElement;
    focusedId = active && active.tagName === "TEXTAREA" && active.id ? active.id : null;
    // A sent reply or edit closes its form; the new-comment form stays where it is.
    var details = form && form.closest("details[data-keep-open]");
    if (details && form.matches("[data-comment-form]")) {
      if (details.classList.contains("comment-action")) delete open[details.id];
    }
    // Whoever answers in a folded thread (the dashboard's) keeps it open to see the answer.
    // The fold may not exist yet (the first comment creates it): its id follows the thread's.
    var thread = form && form.closest(".thread");
    if (thread && thread.id && form.matches("[data-comment-form]")) {
      open[thread.id.replace(/^thread-/, "fold-")] = true;
    }
    // A chosen reaction closes the picker.
    if (details && details.classList.contains("reaction-add")) delete open[details.id];
  });
  document.addEventListener("htmx:afterSwap", function () {
    reopen();
    var again = focusedId && document.getElementById(focusedId);
    if (again) again.focus();
    focusedId = null;
  });
  // Drafts survive refreshes too: live.js replaces a region once the person has left its
  // field, which would otherwise drop a half-written comment.
  var drafts = {};
  document.addEventListener("input", function (event) {
    var field = event.target;
    if (field.matches && field.matches("form[data-comment-form] textarea") && field.id) {
      drafts[field.id] = field.value;
    }
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.target.closest && event.target.closest("form[data-comment-form]");
    if (!form) return;
    form.querySelectorAll("textarea[id]").forEach(function (field) { delete drafts[field.id]; });
  });
  function restoreDrafts() {
    Object.keys(drafts).forEach(function (id) {
      var field = document.getElementById(id);
      if (field && !field.value && drafts[id]) field.value = drafts[id];
    });
  }
  document.addEventListener("konvoi:refreshed", function () { reopen(); restoreDrafts(); });
  window.addEventListener("hashchange", revealHash);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", revealHash);
  else revealHash();

  // --- Ctrl+Enter sends ---------------------------------------------------------------------
  document.addEventListener("keydown", function (event) {
    var field = event.target;
    if (!field.matches || !field.matches("form[data-comment-form] textarea")) return;
    if (list && list.field === field && handleListKey(event)) return;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      closeList();
      if (field.value.trim()) field.form.requestSubmit();
    }
  });

  // --- @mention suggestions -----------------------------------------------------------------
  var list = null; // {field, element, people, active}
  var timer = null;
  var MENTION = /(^|[^\w@.])@([A-Za-z0-9_]{0,30})$/;

  function mentionQuery(field) {
    var match = MENTION.exec(field.value.slice(0, field.selectionStart));
    return match ? match[2] : null;
  }

  document.addEventListener("input", function (event) {
    var field = event.target;
    if (!field.matches || !field.matches("textarea[data-mention-source]")) return;
    clearTimeout(timer);
    var query = mentionQuery(field);
    if (query === null) { closeList(); return; }
    timer = setTimeout(function () { suggest(field, query); }, 120);
  });

  document.addEventListener("focusout", function (event) {
    if (list && event.target === list.field) setTimeout(closeList, 150);
  });

  function suggest(field, query) {
    var url = field.dataset.mentionSource + "?q=" + encodeURIComponent(query);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { people: [] }; })
      .then(function (data) {
        if (document.activeElement !== field || mentionQuery(field) !== query) return;
        if (!data.people.length) { closeList(); return; }
        showList(field, data.people);
      })
      .catch(closeList);
  }

  function showList(field, people) {
    closeList();
    var element = document.createElement("ul");
    element.className = "mention-list";
    element.id = field.id + "-mentions";
    element.setAttribute("role", "listbox");
    element.setAttribute("aria-label", field.dataset.mentionLabel || "@");
    people.forEach(function (person, index) {
      var option = document.createElement("li");
      option.id = element.id + "-" + index;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", index === 0 ? "true" : "false");
      option.dataset.handle = person.handle;
      var name = document.createElement("span");
      name.textContent = person.name;
      var handle = document.createElement("span");
      handle.className = "mention-handle";
      handle.textContent = " @" + person.handle + (person.companies.length ? " · " + person.companies.join(", ") : "");
      option.appendChild(name);
      option.appendChild(handle);
      option.addEventListener("mousedown", function (event) {
        event.preventDefault(); // keep the focus in the textarea
        choose(index);
      });
      element.appendChild(option);
    });
    field.insertAdjacentElement("afterend", element);
    field.setAttribute("aria-controls", element.id);
    field.setAttribute("aria-expanded", "true");
    list = { field: field, element: element, people: people, active: 0 };
    highlight(0);
  }

  function highlight(index) {
    var options = list.element.querySelectorAll("[role=option]");
    list.active = (index + options.length) % options.length;
    options.forEach(function (option, i) {
      option.setAttribute("aria-selected", i === list.active ? "true" : "false");
    });
    list.field.setAttribute("aria-activedescendant", options[list.active].id);
  }

  function handleListKey(event) {
    if (event.key === "ArrowDown") { highlight(list.active + 1); }
    else if (event.key === "ArrowUp") { highlight(list.active - 1); }
    else if ((event.key === "Enter" && !event.ctrlKey && !event.metaKey) || event.key === "Tab") { choose(list.active); }
    else if (event.key === "Escape") { closeList(); }
    else { return false; }
    event.preventDefault();
    return true;
  }

  function choose(index) {
    var field = list.field;
    var handle = list.people[index].handle;
    var caret = field.selectionStart;
    var before = field.value.slice(0, caret).replace(/@[A-Za-z0-9_]{0,30}$/, "@" + handle + " ");
    field.value = before + field.value.slice(caret);
    field.selectionStart = field.selectionEnd = before.length;
    closeList();
    field.focus();
  }

  function closeList() {
    if (!list) return;
    list.field.removeAttribute("aria-activedescendant");
    list.field.setAttribute("aria-expanded", "false");
    list.element.remove();
    list = null;
  }
})();
