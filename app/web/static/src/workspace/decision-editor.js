// The decision table editor of a draft: dmn-js (its decision table view) on a `bpmn/<name>.dmn` file of the draft.
// Inputs, input expressions and cells are Python as the engine evaluates them (not FEEL): the cells are plain
// text editors. Saves the table into the draft, then runs the server's deploy checks and lists their problems.
import DmnModeler from "dmn-js/lib/Modeler";
import { t } from "./i18n";
import { translateDecisions } from "./translate";

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

// Python, as SpiffWorkflow runs the tables: the cells are edited as text, not with the FEEL editor.
const PYTHON = { options: [{ value: "python", label: "Python" }],
  defaults: { editor: "python", inputCell: "python", outputCell: "python" } };

function start() {
  const box = document.getElementById("decision-editor");
  const source = document.getElementById("decision-editor-data");
  if (!box || !source) { return; }
  const data = JSON.parse(source.textContent);
  const status = document.getElementById("save-status");
  const list = document.getElementById("decision-problems");
  const empty = document.getElementById("decision-problems-empty");
  const state = { dirty: false, checks: 0 };
  const translation = { translate: ["value", translateDecisions] };

  const modeler = new DmnModeler({
    container: box,
    common: { expressionLanguages: PYTHON },
    drd: { additionalModules: [translation] },
    decisionTable: { additionalModules: [translation] },
    literalExpression: { additionalModules: [translation] },
    boxedExpression: { additionalModules: [translation] },
  });
  window.gjyDecisionEditor = modeler;

  function say(text, kind) {
    status.textContent = text;
    status.className = "small ms-2 text-" + (kind || "secondary") + "-emphasis";
  }

  function changed() {
    state.dirty = true;
    say(t("有未保存的修改", "Unsaved changes"), "warning");
  }

  function showProblems(problems) {
    list.innerHTML = "";
    problems.forEach((p) => {
      const li = document.createElement("li");
      li.className = "list-group-item list-group-item-danger";
      li.dataset.file = p.file || "";
      li.dataset.element = p.element || "";
      li.textContent = [p.file, p.element].filter(Boolean).join(" · ") + "：" + p.problem;
      list.appendChild(li);
    });
    list.dataset.count = String(problems.length);
    list.dataset.checked = String(state.checks);
    empty.hidden = problems.length > 0;
  }

  async function save() {
    const { xml } = await modeler.saveXML({ format: true });
    say(t("正在保存…", "Saving…"));
    const saved = await postJson(data.save_url, { files: { [data.file]: xml }, revision: data.revision });
    if (!saved.ok) {
      say(saved.json.message || t("保存失败", "Save failed"), "danger");
      if (saved.json.problems) { showProblems(saved.json.problems); }
      return false;
    }
    data.revision = saved.json.revision;
    state.dirty = false;
    say(t("已保存到草稿", "Saved to the draft"), "success");
    return true;
  }

  async function check() {
    const checked = await postJson(data.check_url, {});
    state.checks += 1;
    showProblems(checked.json.problems || []);
  }

  // Opens the decision's table (a new file's table has one empty input and output column and no rule yet).
  function openTable() {
    const view = modeler.getViews().find((v) => v.type === "decisionTable");
    if (!view) { throw new Error(t("文件中没有决策表", "The file has no decision table")); }
    return modeler.open(view).then(() => {
      const viewer = modeler.getActiveViewer();
      viewer.get("eventBus").on("elements.changed", changed);
    });
  }

  modeler.importXML(data.xml).then(openTable).then(() => {
    box.dataset.state = "ready";
    state.dirty = false;
  }).catch((err) => {
    box.dataset.state = "error";
    box.textContent = t("决策表无法打开：", "The decision table cannot be opened: ") + err.message;
  });

  const saveButton = document.getElementById("save-decision");
  saveButton.addEventListener("click", async () => {
    saveButton.disabled = true;
    try { if (await save()) { await check(); } } finally { saveButton.disabled = false; }
  });
  window.addEventListener("beforeunload", (event) => { if (state.dirty) { event.preventDefault(); event.returnValue = ""; } });
  window.gjyDecisions = { save, check, state };
}

start();
