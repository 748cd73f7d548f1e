// Form pages, progressively enhanced (the server renders and checks everything without this script):
// - repeatable rows: "添加一行" copies the row template with the next index; "删除此行" removes its row;
// - a read-only value looked up from a sibling's choice (data-lookup-by), e.g. a record's 原值;
// - the schema's rules (app/web/form_rules.py, a JSON block #form-rules): fields shown and required as the
//   allOf/if/then branches apply, and required/pattern/length/item counts checked before a submit.
(function () {
  "use strict";

  function setupRows(box, maxItems) {
    var list = box.querySelector(".rows-list");
    var template = box.querySelector("template");
    var add = box.querySelector(".row-add");
    var next = list.querySelectorAll(".row-item").length;
    function limit() {
      if (maxItems) { add.disabled = list.querySelectorAll(".row-item").length >= maxItems; }
    }
    add.addEventListener("click", function () {
      var html = template.innerHTML.split("__i__").join(String(next));
      next += 1;
      list.insertAdjacentHTML("beforeend", html);
      var added = list.lastElementChild;
      var first = added && added.querySelector("input, select, textarea");
      if (first) { first.focus(); }
      limit();
      box.dispatchEvent(new Event("change", {bubbles: true}));
    });
    list.addEventListener("click", function (event) {
      var button = event.target.closest(".row-remove");
      if (button) {
        button.closest(".row-item").remove();
        limit();
        if (!add.disabled) { add.focus(); }
        box.dispatchEvent(new Event("change", {bubbles: true}));
      }
    });
    limit();
  }

  function readRules() {
    var node = document.getElementById("form-rules");
    if (!node) { return null; }
    try { return JSON.parse(node.textContent); } catch (e) { return null; }
  }

  var rules = readRules();
  document.querySelectorAll("[data-rows]").forEach(function (box) {
    var rule = rules && rules.fields[box.getAttribute("data-rows")];
    setupRows(box, rule && rule.maxItems);
  });
  // A value filled from a sibling's choice (a performance record's current value for the chosen field).
  document.addEventListener("change", function (event) {
    if (!event.target.name) { return; }
    document.querySelectorAll("[data-lookup-by]").forEach(function (input) {
      if (input.getAttribute("data-lookup-by") !== event.target.name) { return; }
      var known = JSON.parse(input.getAttribute("data-lookup-values") || "{}");
      input.value = known[event.target.value] || "";
    });
  });

  var form = document.querySelector("form[data-client-rules]");
  if (!rules || !form) { return; }

  function box(name) { return form.querySelector('.form-field[data-field="' + CSS.escape(name) + '"]'); }

  // The field's value as the server would read it: a string, or a list for multi-valued widgets.
  function valueOf(name) {
    var b = box(name);
    if (!b) { return ""; }
    var widget = b.getAttribute("data-widget");
    if (widget === "file") {
      var kept = Array.prototype.slice.call(b.querySelectorAll("input[type=checkbox]:checked"));
      var chosen = b.querySelector("input[type=file]");
      var files = chosen && chosen.files ? Array.prototype.slice.call(chosen.files) : [];
      return kept.map(function (k) { return k.value; }).concat(files.map(function (f) { return f.name; }));
    }
    if (widget === "checkboxes") {
      return Array.prototype.slice.call(b.querySelectorAll("input:checked")).map(function (i) { return i.value; });
    }
    if (widget === "rows") {
      return Array.prototype.slice.call(b.querySelectorAll(".rows-list .row-item")).filter(function (row) {
        return Array.prototype.some.call(row.querySelectorAll("input, select, textarea"), function (c) {
          return c.type === "checkbox" ? c.checked : c.value.trim() !== "";
        });
      });
    }
    // A single box always answers: unticked is false, as the server reads it, never "missing".
    if (widget === "checkbox") { return b.querySelector("input").checked ? "true" : "false"; }
    var control = b.querySelector("select, textarea, input");
    if (control && control.multiple) {
      return Array.prototype.slice.call(control.selectedOptions).map(function (o) { return o.value; });
    }
    return control ? control.value.trim() : "";
  }

  function empty(value) { return Array.isArray(value) ? value.length === 0 : value === ""; }

  function holds(when) {
    return Object.keys(when).every(function (name) {
      var value = valueOf(name);
      if (empty(value)) { return false; }
      return when[name].length === 0 || when[name].indexOf(String(value)) >= 0;
    });
  }

  // Which fields are required now, and the limits the applying branches add.
  function current() {
    var required = {}, limits = {};
    Object.keys(rules.fields).forEach(function (name) { if (rules.fields[name].required) { required[name] = true; } });
    rules.conditions.forEach(function (c) {
      if (!holds(c.when)) { return; }
      c.required.forEach(function (name) { required[name] = true; });
      Object.keys(c.limits).forEach(function (name) { limits[name] = Object.assign({}, limits[name], c.limits[name]); });
    });
    return {required: required, limits: limits};
  }

  function markRequired(b, on) {
    var label = b.querySelector("legend, label");
    b.querySelectorAll(".req-mark").forEach(function (m) { m.remove(); });
    if (on) { b.setAttribute("data-required", "1"); } else { b.removeAttribute("data-required"); }
    b.querySelectorAll("select, textarea, input:not([type=checkbox]):not([type=file])").forEach(function (c) {
      if (on) { c.setAttribute("aria-required", "true"); } else { c.removeAttribute("aria-required"); }
    });
    if (on && label) {
      label.insertAdjacentHTML("beforeend", '<span class="text-danger req-mark" aria-hidden="true"> *</span>' +
        '<span class="visually-hidden req-mark">' + rules.requiredWord + '</span>');
    }
  }

  function refresh() {
    var now = current();
    Object.keys(rules.fields).forEach(function (name) {
      var b = box(name);
      if (!b) { return; }
      var rule = rules.fields[name], on = !!now.required[name];
      if (rule.conditional) {
        b.hidden = !on;
        b.querySelectorAll("input, select, textarea, button").forEach(function (c) { c.disabled = !on; });
      }
      markRequired(b, on && b.getAttribute("data-widget") !== "checkbox");
    });
    return now;
  }

  function count(value) { return Array.isArray(value) ? value.length : Array.from(value).length; }

  function problem(name, rule, required, extra) {
    var value = valueOf(name), limits = Object.assign({}, rule, extra || {}), m = Object.assign({}, rule.messages, (extra || {}).messages);
    if (empty(value)) {
      if (required) { return rule.requiredMessage; }
      if (!Array.isArray(value)) { return null; }
    }
    if (Array.isArray(value)) {
      if (limits.minItems !== undefined && value.length < limits.minItems) { return required && value.length === 0 ? rule.requiredMessage : m.minItems; }
      if (limits.maxItems !== undefined && value.length > limits.maxItems) { return m.maxItems; }
      return null;
    }
    if (limits.minLength !== undefined && count(value) < limits.minLength) { return m.minLength; }
    if (limits.maxLength !== undefined && count(value) > limits.maxLength) { return m.maxLength; }
    if (limits.pattern) {
      try { if (!new RegExp(limits.pattern, "u").test(value)) { return m.pattern; } } catch (e) { return null; }
    }
    return null;
  }

  function clearClient() {
    form.querySelectorAll("[data-client-error]").forEach(function (n) { n.remove(); });
    form.querySelectorAll(".client-invalid").forEach(function (c) {
      c.classList.remove("is-invalid", "client-invalid");
      c.removeAttribute("aria-invalid");
    });
  }

  // The previous submit's answer from the server: its alert just before the form, its notes beside the fields.
  // Once the user submits again they are out of date (the field fixed, another project chosen), so they go
  // before this page's own checks speak; otherwise the stale refusal would stand beside the new message.
  function clearServer() {
    for (var node = form.previousElementSibling; node; node = node.previousElementSibling) {
      if (node.classList.contains("alert-danger")) { node.remove(); }
    }
    form.querySelectorAll("[data-field-error]:not([data-client-error])").forEach(function (n) { n.remove(); });
    form.querySelectorAll(".is-invalid:not(.client-invalid)").forEach(function (c) {
      c.classList.remove("is-invalid");
      c.removeAttribute("aria-invalid");
    });
    dropMissingDescriptions();
  }

  // aria-describedby keeps only the notes still in the page (a removed error no longer describes its field).
  function dropMissingDescriptions() {
    form.querySelectorAll("[aria-describedby]").forEach(function (c) {
      var ids = c.getAttribute("aria-describedby").split(" ").filter(function (x) { return x && document.getElementById(x); });
      if (ids.length) { c.setAttribute("aria-describedby", ids.join(" ")); } else { c.removeAttribute("aria-describedby"); }
    });
  }

  function show(name, message) {
    var b = box(name), id = "f-" + name.replace(/[^0-9A-Za-z_-]/g, "-") + "-error";
    var old = b.querySelector('[data-field-error="' + CSS.escape(name) + '"]');
    if (old) { old.remove(); }
    var note = document.createElement("div");
    note.className = "invalid-feedback d-block";
    note.id = id;
    note.setAttribute("data-field-error", name);
    note.setAttribute("data-client-error", "1");
    note.textContent = message;
    b.appendChild(note);
    b.querySelectorAll("select, textarea, input").forEach(function (c) {
      if (c.type === "checkbox" && b.getAttribute("data-widget") === "file") { return; }
      c.classList.add("is-invalid", "client-invalid");
      c.setAttribute("aria-invalid", "true");
    });
    var described = b.querySelector("[aria-describedby], fieldset, select, textarea, input");
    if (described) {
      var ids = (described.getAttribute("aria-describedby") || "").split(" ").filter(function (x) { return x && x !== id; });
      ids.push(id);
      described.setAttribute("aria-describedby", ids.join(" "));
    }
  }

  function summary(on, text) {
    var node = form.querySelector("[data-client-summary]");
    if (!on) { if (node) { node.remove(); } return; }
    if (!node) {
      node = document.createElement("div");
      node.className = "alert alert-danger";
      node.setAttribute("role", "alert");
      node.setAttribute("data-client-summary", "1");
      form.insertBefore(node, form.firstElementChild);
    }
    node.textContent = text || rules.summary;
  }

  // The files chosen, against the server's limits. One file too large would be refused with the page kept;
  // files together past the request's limit are refused unread, and what was typed with them is lost. So
  // both are said here, before anything is sent (暂存 included). Returns the first field to fix, or null.
  function oversizedFiles() {
    var limits = rules.uploads, total = 0, first = null;
    if (!limits) { return null; }
    form.querySelectorAll("input[type=file]:not(:disabled)").forEach(function (input) {
      var field = input.closest(".form-field"), tooLarge = false;
      Array.prototype.forEach.call(input.files || [], function (file) {
        total += file.size;
        tooLarge = tooLarge || file.size > limits.maxBytes;
      });
      if (tooLarge && field) {
        show(field.getAttribute("data-field"), limits.tooLarge);
        first = first || input;
      }
    });
    if (!first && total > limits.maxTotal) {
      summary(true, limits.totalTooLarge);
      first = form.querySelector("input[type=file]:not(:disabled)");
    }
    return first;
  }

  form.addEventListener("change", refresh);
  form.addEventListener("submit", function (event) {
    clearClient();
    clearServer();
    summary(false);
    var oversized = oversizedFiles();
    if (oversized) {
      if (!form.querySelector("[data-client-summary]")) { summary(true); }
      event.preventDefault();
      oversized.focus();
      return;
    }
    if (event.submitter && event.submitter.hasAttribute("formnovalidate")) { return; }  // 暂存: save as typed
    var now = refresh(), first = null;
    Object.keys(rules.fields).forEach(function (name) {
      var b = box(name);
      if (!b || b.hidden) { return; }
      var message = problem(name, rules.fields[name], !!now.required[name], now.limits[name]);
      if (message) {
        show(name, message);
        first = first || b.querySelector("select, textarea, input:not([type=hidden])");
      }
    });
    summary(!!first);
    if (first) {
      event.preventDefault();
      first.focus();
    }
  });
  refresh();
})();
