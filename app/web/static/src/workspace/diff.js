// The visual diff of two versions: bpmn-js-differ compares the two diagrams' semantics; the new version's
// diagram marks added (green) and changed (amber) elements, the old one marks removed (red) elements.
import NavigatedViewer from "bpmn-js/lib/NavigatedViewer";
import { diff } from "bpmn-js-differ";
import spiffworkflow from "./spiffworkflow.json";
import { t } from "./i18n";

async function open(box, xml) {
  const viewer = new NavigatedViewer({ container: box, moddleExtensions: { spiffworkflow } });
  await viewer.importXML(xml);
  viewer.get("canvas").zoom("fit-viewport");
  return viewer;
}

function mark(viewer, box, marks) {
  const canvas = viewer.get("canvas");
  const registry = viewer.get("elementRegistry");
  Object.keys(marks).forEach((css) => marks[css].forEach((id) => {
    if (registry.get(id)) { canvas.addMarker(id, css); }
  }));
  Object.keys(marks).forEach((css) => { box.dataset[css.replace("diff-", "")] = marks[css].join(" "); });
  box.dataset.state = "rendered";
}

async function start() {
  const source = document.getElementById("diff-data");
  const newBox = document.getElementById("diff-new-diagram");
  const oldBox = document.getElementById("diff-old-diagram");
  if (!source || !newBox || !oldBox) { return; }
  const data = JSON.parse(source.textContent);
  if (!data.old || !data.new) { return; }
  try {
    const newViewer = await open(newBox, data.new);
    const oldViewer = await open(oldBox, data.old);
    const changes = diff(oldViewer.getDefinitions(), newViewer.getDefinitions());
    const added = Object.keys(changes._added);
    const removed = Object.keys(changes._removed);
    const changed = Object.keys(changes._changed).concat(Object.keys(changes._layoutChanged).filter((id) => !changes._changed[id]));
    mark(newViewer, newBox, { "diff-added": added, "diff-changed": changed });
    mark(oldViewer, oldBox, { "diff-removed": removed });
  } catch (err) {
    newBox.dataset.state = "error";
    newBox.textContent = t("流程图无法对比：", "The diagrams cannot be compared: ") + err.message;
  }
}

start();
