// What a user typed into a form (a start form, a task's form: `form[data-stash-input]`) survives a submit the
// server could not take: the session had ended (idle, signed out elsewhere), so the answer was the sign-in page
// ("登录已失效，刚才提交的内容未保存"), and after signing in the form's page came back empty. The values sent are
// kept in this tab's sessionStorage (gone when the tab closes; never localStorage: they are personal data), one
// entry per page path, for the user who typed it (the attribute's value: a user signing in next in this tab is not
// offered it; signing out drops every entry); files, passwords, hidden fields (the CSRF token) are never kept.
// The page after the submit decides: a page of a signed-in user that is no error took it (the entry goes); the
// sign-in page or an error page did not (the entry stays). The form's page shown again fresh (not re-rendered
// with the server's errors) offers to restore it; restored, dismissed or older than MAX_AGE, it goes. Loaded on
// every page (base.html), after submit-once.js: a second click it refused is not a submit.
(function () {
  "use strict";
  var PREFIX = "gjy.form-stash:";
  var MAX_AGE = 4 * 60 * 60 * 1000;
  var NEVER = ["file", "password", "hidden", "submit", "button", "reset", "image"];

  function storage() {
    try { return window.sessionStorage; } catch (e) { return null; }  // storage disabled: nothing is kept
  }

  function read(store, key) {
    try {
      var entry = JSON.parse(store.getItem(key) || "null");
      if (entry && entry.fields && Date.now() - entry.at < MAX_AGE) { return entry; }
    } catch (e) { /* not ours, or damaged: dropped below */ }
    store.removeItem(key);
    return null;
  }

  function write(store, key, entry) {
    try { store.setItem(key, JSON.stringify(entry)); } catch (e) { /* full: the submit goes on without it */ }
  }

  // A control whose value is the user's own typing or choice; uploads (and the kept-upload boxes beside them)
  // are files on the server, hidden fields are the page's (the CSRF token), passwords are never written down.
  function typed(control) {
    if (!control.name || !/^(INPUT|SELECT|TEXTAREA)$/.test(control.tagName)) { return false; }
    if (NEVER.indexOf((control.type || "").toLowerCase()) >= 0 || control.readOnly) { return false; }
    return !control.closest("[data-widget=file]");
  }

  // The values a submit sends, by name: {name: [values]} (a name with nothing ticked has an empty list).
  function collect(form) {
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (c) {
      if (!typed(c) || c.disabled) { return; }
      var list = fields[c.name] || (fields[c.name] = []);
      if (c.type === "checkbox" || c.type === "radio") {
        if (c.checked) { list.push(c.value); }
      } else if (c.multiple) {
        Array.prototype.forEach.call(c.selectedOptions, function (o) { list.push(o.value); });
      } else {
        list.push(c.value);
      }
    });
    return fields;
  }

  // Repeatable rows (forms.js: "name.N.child"): each sent row's values go to the form's row in the same place,
  // whatever its index; `grow` first adds the rows the fresh form lacks (only to restore: a dismissed offer
  // leaves the form as it came).
  function fitRows(form, fields, grow) {
    var fitted = Object.assign({}, fields), moved = {};
    form.querySelectorAll("[data-rows]").forEach(function (box) {
      var prefix = box.getAttribute("data-rows") + ".";
      var pattern = new RegExp("^" + prefix.replace(/\W/g, "\\$&") + "(\\d+)\\.");
      var sent = [];
      Object.keys(fields).forEach(function (name) {
        var m = pattern.exec(name);
        if (m && sent.indexOf(Number(m[1])) < 0) { sent.push(Number(m[1])); }
      });
      sent.sort(function (a, b) { return a - b; });
      var add = box.querySelector(".row-add");
      var rows = function () { return box.querySelectorAll(".rows-list .row-item"); };
      while (grow && add && !add.disabled && rows().length < sent.length) { add.click(); }
      rows().forEach(function (row, place) {
        var named = Array.prototype.find.call(row.querySelectorAll("[name]"),
                                              function (c) { return pattern.test(c.name); });
        if (!named || place >= sent.length) { return; }
        var from = prefix + sent[place] + ".", to = prefix + pattern.exec(named.name)[1] + ".";
        Object.keys(fields).forEach(function (name) {
          if (name.indexOf(from) === 0) { moved[name] = to + name.slice(from.length); }
        });
      });
    });
    Object.keys(moved).forEach(function (name) { delete fitted[name]; });
    Object.keys(moved).forEach(function (name) { fitted[moved[name]] = fields[name]; });
    return fitted;
  }

  function same(form, fields) {
    var now = collect(form);
    return Object.keys(fields).every(function (name) {
      return JSON.stringify(now[name] || []) === JSON.stringify(fields[name]);
    });
  }

  function restore(form, fields) {
    var changed = [], seen = {};
    Array.prototype.forEach.call(form.elements, function (c) {
      if (!typed(c) || !(c.name in fields)) { return; }
      var values = fields[c.name];
      if (c.type === "checkbox" || c.type === "radio") {
        c.checked = values.indexOf(c.value) >= 0;
      } else if (c.multiple) {
        Array.prototype.forEach.call(c.options, function (o) { o.selected = values.indexOf(o.value) >= 0; });
      } else {
        var i = seen[c.name] || 0;
        seen[c.name] = i + 1;
        if (i < values.length) { c.value = values[i]; }
      }
      changed.push(c);
    });
    // forms.js listens: the fields a choice shows, the values looked up from it
    changed.forEach(function (c) { c.dispatchEvent(new Event("change", {bubbles: true})); });
  }

  // The server's answer re-rendered the form with what was sent and what is wrong with it: nothing to offer.
  function refusedByServer(form) {
    if (form.querySelector("[data-field-error], .is-invalid")) { return true; }
    for (var node = form.previousElementSibling; node; node = node.previousElementSibling) {
      if (node.classList.contains("alert-danger")) { return true; }
    }
    return false;
  }

  function offer(store, key, form, fields) {
    var template = document.getElementById("form-stash-offer");
    if (!template) { return; }
    var note = template.content.firstElementChild.cloneNode(true);
    function done(restored) {
      store.removeItem(key);
      note.remove();
      if (restored) { restore(form, fitRows(form, fields, true)); }
      var first = Array.prototype.find.call(form.elements, function (c) { return typed(c) && !c.disabled; });
      if (first) { first.focus(); }
    }
    note.querySelector("[data-stash-restore]").addEventListener("click", function () { done(true); });
    note.querySelector("[data-stash-dismiss]").addEventListener("click", function () { done(false); });
    form.parentNode.insertBefore(note, form);
  }

  function ours(store) {
    var keys = [];
    for (var i = 0; i < store.length; i += 1) {
      if (store.key(i).indexOf(PREFIX) === 0) { keys.push(store.key(i)); }
    }
    return keys;
  }

  function clearAll(store) {
    ours(store).forEach(function (key) { store.removeItem(key); });
  }

  // The page this load shows, after a submit: was the submit taken? keep-alive's data-keep-alive marks a page
  // of a signed-in user; the status is known where the browser reports it (an error page: not taken).
  function settle(store) {
    var nav = (performance.getEntriesByType && performance.getEntriesByType("navigation")[0]) || {};
    var signedIn = !!document.body.dataset.keepAlive, refused = (nav.responseStatus || 0) >= 400;
    var here = PREFIX + location.pathname, user = document.body.dataset.user;
    ours(store).forEach(function (key) {
      var entry = read(store, key);
      if (entry && signedIn && user && entry.owner !== user) {  // another user's input (ID numbers...): not his
        store.removeItem(key);
        return;
      }
      if (!entry || entry.state !== "sent") { return; }
      if (!signedIn || refused) {
        entry.state = "lost";
        write(store, key, entry);
      } else if (nav.type === "navigate" || nav.type === undefined) {
        store.removeItem(key);  // the answer to the submit was a page of a signed-in user: it was taken
      }
    });
    var form = document.querySelector("form[data-stash-input]"), entry = read(store, here);
    if (!form || !entry || entry.state !== "lost" || refusedByServer(form)) { return; }
    if (entry.owner !== form.getAttribute("data-stash-input")) { store.removeItem(here); return; }  // another user's
    if (same(form, fitRows(form, entry.fields, false))) { store.removeItem(here); return; }
    offer(store, here, form, entry.fields);
  }

  var store = storage();
  if (!store) { return; }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !(form instanceof HTMLFormElement)) { return; }
    if (form.hasAttribute("data-stash-clear")) { clearAll(store); }  // signing out: nothing stays for the next user
    if (!form.hasAttribute("data-stash-input")) { return; }
    write(store, PREFIX + location.pathname,
          {at: Date.now(), state: "sent", owner: form.getAttribute("data-stash-input"), fields: collect(form)});
  });
  // After the page's own scripts (forms.js, the offer's template: both after this one in the page).
  document.addEventListener("DOMContentLoaded", function () { settle(store); });
})();
