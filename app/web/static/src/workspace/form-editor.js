// The form editor: a form's JSON Schema in CodeMirror 6 (JSON syntax and its errors as you type); the server
// renders the preview with the task pages' own renderer and lists the schema's problems; saving writes the form
// into the draft.
import { EditorView, basicSetup } from "codemirror";
import { json, jsonParseLinter } from "@codemirror/lang-json";
import { linter, lintGutter } from "@codemirror/lint";
import { englishPanel } from "./form-english";
import { t } from "./i18n";

function csrfToken() {
  const input = document.querySelector('input[name="csrf_token"]');
  return input ? input.value : "";
}

async function postJson(url, body) {
  const response = await fetch(url, { method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() }, body: JSON.stringify(body) });
  let answer = {};
  try { answer = await response.json(); } catch (e) { answer = { message: response.statusText }; }
  return { ok: response.ok, json: answer };
}

function start() {
  const box = document.getElementById("form-editor");
  const source = document.getElementById("form-editor-data");
  if (!box || !source) { return; }
  const data = JSON.parse(source.textContent);
  const preview = document.getElementById("form-preview");
  const problems = document.getElementById("form-problems");
  const status = document.getElementById("save-status");
  let timer = null;
  let dirty = false;
  let english = null;  // the English texts' panel

  function say(text, kind) {
    status.textContent = text;
    status.className = "small ms-2 text-" + (kind || "secondary") + "-emphasis";
  }

  function showProblems(list) {
    problems.innerHTML = "";
    list.forEach((p) => {
      const li = document.createElement("li");
      li.className = "list-group-item list-group-item-danger";
      li.textContent = [p.file, p.element].filter(Boolean).join(" · ") + "：" + p.problem;
      problems.appendChild(li);
    });
    problems.dataset.count = String(list.length);
  }

  async function refresh() {
    const answer = await postJson(data.preview_url, { text: view.state.doc.toString() });
    // refused (the session ended, the form token expired ...): said where saving speaks, the changes kept
    if (!answer.ok) { say(answer.json.message || t("预览失败", "Preview failed"), "danger"); return; }
    preview.innerHTML = answer.json.html;
    showProblems(answer.json.problems || []);
    box.dataset.state = "previewed";
  }

  const view = new EditorView({
    doc: data.text,
    parent: box,
    extensions: [basicSetup, json(), linter(jsonParseLinter()), lintGutter(),
      EditorView.contentAttributes.of({ "aria-label": t("表单 JSON Schema", "Form JSON Schema") }),
      EditorView.updateListener.of((update) => {
        if (!update.docChanged) { return; }
        if (english) { english.changed(); }
        dirty = true;
        say(t("有未保存的修改", "Unsaved changes"), "warning");
        clearTimeout(timer);
        timer = setTimeout(refresh, 400);
      })],
  });
  const englishBox = document.getElementById("form-english");
  english = englishBox ? englishPanel(view, englishBox, document.getElementById("form-english-summary")) : null;
  if (english) { english.render(); }
  window.gjyFormEditor = {
    view,
    setText(text) { view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }); },
    refresh,
  };
  box.dataset.state = "ready";

  document.getElementById("save-form").addEventListener("click", async () => {
    const saved = await postJson(data.save_url, { files: { [data.file]: view.state.doc.toString() }, revision: data.revision });
    if (!saved.ok) { say(saved.json.message || t("保存失败", "Save failed"), "danger"); return; }
    data.revision = saved.json.revision;
    dirty = false;
    say(t("已保存到草稿", "Saved to the draft"), "success");
  });
  window.addEventListener("beforeunload", (event) => { if (dirty) { event.preventDefault(); event.returnValue = ""; } });
}

start();
