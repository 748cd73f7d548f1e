// The form editor's English texts: every title, description and custom message (`x-messages`) of the form, its
// fields and their choices (`oneOf` / `anyOf`), listed beside an English input that writes `title_en`,
// `description_en` or `x-messages_en` into the JSON where the Chinese is (the rest of the text, its layout
// included, stays as the analyst wrote it); texts without English are marked and counted.
import { ensureSyntaxTree, syntaxTree } from "@codemirror/language";
import { t } from "./i18n";

const VALUES = new Set(["Object", "Array", "String", "Number", "True", "False", "Null"]);
const SUFFIX = "_en";

// -- the texts of a schema ------------------------------------------------------------------------------------

// [{path (keys to the node holding the text), key ("title", "description" or "x-messages"), keyword (of a
// message), where (shown), zh, en}]
export function englishTexts(schema) {
  const rows = [];
  function visit(node, path, where) {
    if (!node || typeof node !== "object" || Array.isArray(node)) { return; }
    ["title", "description"].forEach((key) => {
      if (typeof node[key] === "string" && node[key].trim()) {
        const en = node[key + SUFFIX];
        rows.push({ path, key, where, zh: node[key], en: typeof en === "string" ? en : "" });
      }
    });
    const messages = node["x-messages"];
    if (messages && typeof messages === "object" && !Array.isArray(messages)) {
      const english = node["x-messages" + SUFFIX] || {};
      Object.keys(messages).forEach((keyword) => {
        if (typeof messages[keyword] !== "string") { return; }
        const en = english[keyword];
        rows.push({ path, key: "x-messages", keyword, where, zh: messages[keyword], en: typeof en === "string" ? en : "" });
      });
    }
    if (node.properties && typeof node.properties === "object") {
      Object.keys(node.properties).forEach((name) => visit(node.properties[name], [...path, "properties", name], name));
    }
    if (node.items) { visit(node.items, [...path, "items"], where + "[]"); }
    ["oneOf", "anyOf"].forEach((list) => {
      if (!Array.isArray(node[list])) { return; }
      node[list].forEach((choice, i) => {
        const name = choice && choice.const !== undefined ? String(choice.const) : String(i);
        visit(choice, [...path, list, i], where + " = " + name);
      });
    });
    if (Array.isArray(node.allOf)) {
      node.allOf.forEach((part, i) => {
        visit(part, [...path, "allOf", i], where);
        ["then", "else"].forEach((branch) => visit(part && part[branch], [...path, "allOf", i, branch], where));
      });
    }
  }
  visit(schema, [], t("表单", "Form"));
  return rows;
}

// -- where a value is in the text (the JSON syntax tree) --------------------------------------------------------

function tree(state) {
  return ensureSyntaxTree(state, state.doc.length, 1000) || syntaxTree(state);
}

function propertyOf(state, object, key) {
  if (!object || object.name !== "Object") { return null; }
  for (let child = object.firstChild; child; child = child.nextSibling) {
    if (child.name !== "Property") { continue; }
    const name = child.getChild("PropertyName");
    let text = null;
    try { text = name ? JSON.parse(state.sliceDoc(name.from, name.to)) : null; } catch (e) { text = null; }
    if (text === key) {
      let value = null;
      for (let c = child.firstChild; c; c = c.nextSibling) { if (VALUES.has(c.name)) { value = c; } }
      return { node: child, value };
    }
  }
  return null;
}

function valueAt(state, path) {
  let node = tree(state).topNode.firstChild;
  while (node && !VALUES.has(node.name)) { node = node.nextSibling; }
  for (const key of path) {
    if (!node) { return null; }
    if (typeof key === "number") {
      if (node.name !== "Array") { return null; }
      let index = -1;
      let found = null;
      for (let c = node.firstChild; c; c = c.nextSibling) {
        if (VALUES.has(c.name)) { index += 1; if (index === key) { found = c; break; } }
      }
      node = found;
    } else {
      const property = propertyOf(state, node, key);
      node = property ? property.value : null;
    }
  }
  return node;
}

function lastProperty(object) {
  let last = null;
  for (let c = object.firstChild; c; c = c.nextSibling) { if (c.name === "Property") { last = c; } }
  return last;
}

// The change that writes `en` (or removes it, when empty) for a row: a CodeMirror change spec, or null.
function removal(state, object, property) {
  let before = null;  // (tree nodes are made afresh at each visit: compared by position)
  for (let c = object.firstChild; c && c.from < property.from; c = c.nextSibling) { if (c.name === "Property") { before = c; } }
  if (before) { return { from: before.to, to: property.to }; }
  let after = property.nextSibling;
  while (after && after.name !== "Property") { after = after.nextSibling; }
  return { from: property.from, to: after ? after.from : property.to };
}

export function englishChange(state, row, en) {
  const object = valueAt(state, row.path);
  if (!object || object.name !== "Object") { return null; }
  const text = JSON.stringify(en);
  if (row.key !== "x-messages") {
    const existing = propertyOf(state, object, row.key + SUFFIX);
    if (existing) {
      if (!en) { return removal(state, object, existing.node); }
      return existing.value ? { from: existing.value.from, to: existing.value.to, insert: text } : null;
    }
    const chinese = propertyOf(state, object, row.key);
    return en && chinese ? { from: chinese.node.to, insert: ", " + JSON.stringify(row.key + SUFFIX) + ": " + text } : null;
  }
  const messages = propertyOf(state, object, "x-messages" + SUFFIX);
  if (messages && messages.value && messages.value.name === "Object") {
    const one = propertyOf(state, messages.value, row.keyword);
    if (one) {
      if (!en) { return removal(state, messages.value, one.node); }
      return one.value ? { from: one.value.from, to: one.value.to, insert: text } : null;
    }
    if (!en) { return null; }
    const last = lastProperty(messages.value);
    const entry = JSON.stringify(row.keyword) + ": " + text;
    return last ? { from: last.to, insert: ", " + entry } : { from: messages.value.from + 1, insert: entry };
  }
  const chinese = propertyOf(state, object, "x-messages");
  if (!en || !chinese) { return null; }
  return { from: chinese.node.to,
    insert: ", " + JSON.stringify("x-messages" + SUFFIX) + ": {" + JSON.stringify(row.keyword) + ": " + text + "}" };
}

// -- the panel ----------------------------------------------------------------------------------------------------

function label(row) {
  if (row.key === "x-messages") { return t("校验提示 ", "message ") + row.keyword; }
  return row.key === "title" ? t("标题", "title") : t("说明", "description");
}

export function englishPanel(view, container, summary) {
  let writing = false;

  function mark(tr, en) {
    const missing = !en.trim();
    tr.dataset.missing = missing ? "1" : "0";
    tr.classList.toggle("table-warning", missing);
  }

  function summarize() {
    const count = container.querySelectorAll("tr[data-missing='1']").length;
    container.dataset.missing = String(count);
    summary.textContent = count ? t(count + " 条文本还没有英文", count + " texts have no English yet")
      : t("每条文本都有英文", "Every text has its English");
    summary.className = "small mb-2 " + (count ? "text-warning-emphasis" : "text-success-emphasis");
  }

  function render() {
    let schema;
    try { schema = JSON.parse(view.state.doc.toString()); } catch (e) {
      container.dataset.state = "invalid";
      return;  // the JSON is being typed: the last list stays
    }
    container.dataset.state = "ready";
    container.innerHTML = "";
    const table = document.createElement("table");
    table.className = "table table-sm align-middle mb-0";
    const head = table.createTHead().insertRow();
    [t("位置", "Where"), t("中文", "Chinese"), t("英文", "English")].forEach((text) => {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = text;
      head.appendChild(th);
    });
    const body = table.createTBody();
    englishTexts(schema).forEach((row) => {
      const tr = body.insertRow();
      tr.dataset.where = row.where;
      tr.dataset.key = row.key === "x-messages" ? "x-messages." + row.keyword : row.key;
      const where = tr.insertCell();
      where.className = "small";
      where.textContent = row.where + " · " + label(row);
      const chinese = tr.insertCell();
      chinese.lang = "zh-CN";  // the form's own Chinese, also on the English pages
      chinese.textContent = row.zh;
      const input = document.createElement("input");
      input.type = "text";
      input.className = "form-control form-control-sm";
      input.value = row.en;
      input.setAttribute("aria-label", t("英文：", "English: ") + row.where + " · " + label(row));
      input.addEventListener("input", () => {
        const change = englishChange(view.state, row, input.value.trim());
        if (change) {
          writing = true;
          try { view.dispatch({ changes: change }); } finally { writing = false; }
        }
        mark(tr, input.value);
        summarize();
      });
      tr.insertCell().appendChild(input);
      mark(tr, row.en);
    });
    container.appendChild(table);
    summarize();
  }

  return { render, changed() { if (!writing) { render(); } } };
}
