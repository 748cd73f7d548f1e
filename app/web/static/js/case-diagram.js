// Draws the case's BPMN diagram with bpmn-js and marks completed steps and the current step.
(function () {
  "use strict";
  var box = document.getElementById("diagram");
  var source = document.getElementById("diagram-data");
  if (!box || !source || typeof BpmnJS === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  if (!data.xml) { box.setAttribute("data-state", "empty"); return; }
  var viewer = new BpmnJS({ container: box });
  viewer.importXML(data.xml).then(function () {
    var canvas = viewer.get("canvas");
    var registry = viewer.get("elementRegistry");
    canvas.zoom("fit-viewport");
    var marked = 0;
    function mark(ids, css) {
      ids.forEach(function (id) {
        if (registry.get(id)) { canvas.addMarker(id, css); marked += 1; }
      });
    }
    mark(data.completed, "step-done");
    mark(data.current, "step-current");
    box.setAttribute("data-marked", String(marked));
    box.setAttribute("data-state", "rendered");
  }).catch(function (err) {
    box.setAttribute("data-state", "error");
    box.textContent = "流程图无法显示：" + err.message;
  });
})();
