// The web modeler of a draft: bpmn-js Modeler, the properties panel with our extension properties, bpmnlint.
// Saves the diagram and the lane map into the draft, then runs the server's deploy checks; the modeler's lint
// and the server's problems are one list, and clicking a problem selects its element.
import BpmnModeler from "bpmn-js/lib/Modeler";
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from "bpmn-js-properties-panel";
import lintModule from "bpmn-js-bpmnlint";
import spiffworkflow from "./spiffworkflow.json";
import GjyPropertiesProvider from "./properties.jsx";
import { bpmnlintConfig, lintMessage } from "./lint";
import { debounceInput, flushPending } from "./debounce";
import { t } from "./i18n";
import translate from "./translate";

const LANES_FILE = "bpmn/lanes.json";

function csrfToken() {
  const input = document.querySelector('input[name="csrf_token"]');
  return input ? input.value : "";
}

async function postJson(url, body) {
  const response = await fetch(url, { method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() }, body: JSON.stringify(body || {}) });
  let json = {};
  try { json = await response.json(); } catch (e) { json = { message: response.statusText }; }
  return { ok: response.ok, status: response.status, json };
}

function start() {
  const box = document.getElementById("modeler");
  const source = document.getElementById("modeler-data");
  if (!box || !source) { return; }
  const data = JSON.parse(source.textContent);
  const list = document.getElementById("problems");
  const status = document.getElementById("save-status");
  const state = { lint: [], server: Array.isArray(data.problems) ? data.problems : null, dirty: false, lanesDirty: false };

  const modeler = new BpmnModeler({
    container: box,
    propertiesPanel: { parent: "#properties", layout: { groups: {
      general: { open: true }, "gjy-procedure": { open: true }, "gjy-lane": { open: true },
      "gjy-user-task": { open: true }, "gjy-service-task": { open: true }, "gjy-flow": { open: true },
      "gjy-business-rule-task": { open: true }, "gjy-script-task": { open: true }, "gjy-timer": { open: true } } } },
    additionalModules: [BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, lintModule,
      { __init__: ["gjyPropertiesProvider"], gjyPropertiesProvider: ["type", GjyPropertiesProvider] },
      { translate: ["value", translate] },
      { debounceInput: ["factory", debounceInput] }],  // the panel's debounce, its pending values flushable
    moddleExtensions: { spiffworkflow },
    linting: { bpmnlint: bpmnlintConfig, active: true },
    gjy: data,
  });
  window.gjyModeler = modeler;

  function say(text, kind) {
    if (!status) { return; }
    status.textContent = text;
    status.className = "small ms-2 text-" + (kind || "secondary") + "-emphasis";
  }

  function select(id) {
    const element = modeler.get("elementRegistry").get(id);
    if (!element) { return false; }
    modeler.get("selection").select(element);
    try { modeler.get("canvas").scrollToElement(element); } catch (e) { /* off-plane elements */ }
    return true;
  }

  function render() {
    if (!list) { return; }
    list.innerHTML = "";
    const rows = [];
    state.lint.forEach((p) => rows.push({ source: "lint", file: data.file, element: p.element, problem: p.problem, level: p.level }));
    (state.server || []).forEach((p) => rows.push({ source: "server", file: p.file, element: p.element, problem: p.problem, level: "error" }));
    rows.forEach((row) => {
      const li = document.createElement("li");
      li.className = "list-group-item list-group-item-" + (row.level === "warn" ? "warning" : "danger");
      li.dataset.element = row.element || "";
      li.dataset.source = row.source;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-link p-0 text-start text-reset";
      const where = [row.file, row.element].filter(Boolean).join(" · ");
      button.textContent = (where ? where + "：" : "") + row.problem;
      button.addEventListener("click", () => { if (row.element) { select(row.element); } });
      li.appendChild(button);
      list.appendChild(li);
    });
    list.dataset.count = String(rows.length);
    list.dataset.checked = state.server === null ? "" : String(state.checks || 0);
    const empty = document.getElementById("problems-empty");
    if (empty) { empty.hidden = rows.length > 0 || state.server === null; }
  }

  modeler.on("linting.completed", (event) => {
    const issues = event.issues || {};
    state.lint = [];
    Object.keys(issues).forEach((id) => issues[id].forEach((issue) => {
      state.lint.push({ element: issue.id || id, problem: lintMessage(issue), level: issue.category === "warn" ? "warn" : "error" });
    }));
    render();
  });
  // A renamed lane keeps its role and region rule: the lane map is by name, so the rule follows the new name.
  function laneRenamed(element, oldName, newName) {
    if (!element || element.type !== "bpmn:Lane" || !oldName || !newName || oldName === newName) { return; }
    if (data.lanes[oldName] && !data.lanes[newName]) {
      data.lanes[newName] = { ...data.lanes[oldName] };
      state.lanesDirty = true;
    }
  }
  modeler.on("commandStack.element.updateProperties.postExecuted", (event) => {
    const ctx = event.context;
    if (ctx.properties && "name" in ctx.properties && ctx.oldProperties) {
      laneRenamed(ctx.element, ctx.oldProperties.name, ctx.properties.name);
    }
  });
  modeler.on("commandStack.element.updateLabel.postExecuted", (event) => {
    const ctx = event.context;
    laneRenamed(ctx.element, ctx.oldLabel, ctx.newLabel);
  });
  modeler.on("commandStack.changed", () => { state.dirty = true; say(t("有未保存的修改", "Unsaved changes"), "warning"); });
  modeler.on("gjy.lanes.changed", () => { state.lanesDirty = true; state.dirty = true; say(t("有未保存的修改", "Unsaved changes"), "warning"); });

  // A new selection writes what the panel's fields still hold for the element left.
  modeler.on("selection.changed", () => flushPending());

  async function save() {
    flushPending();  // a value typed just before the save is in the XML
    const { xml } = await modeler.saveXML({ format: true });
    const files = { [data.file]: xml, [LANES_FILE]: JSON.stringify(data.lanes, null, 2) + "\n" };
    say(t("正在保存…", "Saving…"));
    const saved = await postJson(data.save_url, { files, revision: data.revision });
    if (!saved.ok) {
      say(saved.json.message || t("保存失败", "Save failed"), "danger");
      if (saved.json.problems) { state.server = saved.json.problems; render(); }
      return false;
    }
    data.revision = saved.json.revision;
    state.dirty = false;
    state.lanesDirty = false;
    say(t("草稿已保存", "Draft saved"), "success");
    return true;
  }

  async function check() {
    const checked = await postJson(data.check_url, {});
    if (!checked.ok) {  // a check that failed found nothing: never shown as "no problems"
      state.server = null;
      render();
      say(checked.json.message || t("检查失败，请稍后重试", "The check failed: try again later"), "danger");
      return null;
    }
    state.server = checked.json.problems || [];
    state.checks = (state.checks || 0) + 1;
    render();
    return state.server;
  }

  const saveButton = document.getElementById("save-draft");
  if (saveButton) {
    saveButton.addEventListener("click", async () => {
      saveButton.disabled = true;
      try { if (await save()) { await check(); } } finally { saveButton.disabled = false; }
    });
  }
  const deployForm = document.getElementById("deploy-form");
  if (deployForm) {
    deployForm.addEventListener("submit", (event) => {
      flushPending();  // a value typed just before the deploy is saved first
      if (!state.dirty) { return; }
      event.preventDefault();
      save().then((ok) => { if (ok) { state.dirty = false; deployForm.submit(); } });
    });
  }
  window.addEventListener("beforeunload", (event) => { if (state.dirty) { event.preventDefault(); event.returnValue = ""; } });

  modeler.importXML(data.xml).then(() => {
    modeler.get("canvas").zoom("fit-viewport");
    box.dataset.state = "ready";
    state.dirty = false;
    say("");
    render();
  }).catch((err) => {
    box.dataset.state = "error";
    box.textContent = t("流程图无法打开：", "The diagram cannot be opened: ") + err.message;
  });
  window.gjyWorkspace = { save, check, select, state };
}

function pageHelpers() {
  document.querySelectorAll("select[data-autosubmit]").forEach((el) => el.addEventListener("change", () => el.form.submit()));
  document.querySelectorAll("form[data-confirm]").forEach((form) => form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
  }));
}

pageHelpers();
start();
