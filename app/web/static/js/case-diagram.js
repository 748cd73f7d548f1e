// Draws the case's BPMN diagram with bpmn-js and marks completed steps and the current step; buttons zoom,
// dragging pans (the navigated viewer does it for a mouse; a finger's drag is passed to the canvas here).
(function () {
  "use strict";
  var box = document.getElementById("diagram");
  var source = document.getElementById("diagram-data");
  if (!box || !source || typeof BpmnJS === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  if (!data.xml) { box.setAttribute("data-state", "empty"); return; }
  var viewer = new BpmnJS({ container: box });

  function zoomAndPan(canvas) {
    var controls = document.querySelector("[data-diagram-zoom]");
    if (controls) {
      controls.hidden = false;
      controls.addEventListener("click", function (event) {
        var button = event.target.closest("[data-zoom]");
        if (!button) { return; }
        var how = button.getAttribute("data-zoom");
        if (how === "fit") { canvas.zoom("fit-viewport"); } else { canvas.zoom(canvas.zoom() * (how === "in" ? 1.25 : 0.8)); }
        box.setAttribute("data-zoom", String(Math.round(canvas.zoom() * 100)));
      });
    }
    var last = null;
    box.addEventListener("touchstart", function (e) {
      if (e.touches.length === 1) { last = {x: e.touches[0].clientX, y: e.touches[0].clientY}; }
    }, {passive: true});
    box.addEventListener("touchmove", function (e) {
      if (!last || e.touches.length !== 1) { return; }
      var t = e.touches[0];
      canvas.scroll({dx: t.clientX - last.x, dy: t.clientY - last.y});
      last = {x: t.clientX, y: t.clientY};
      e.preventDefault();
    }, {passive: false});
    box.addEventListener("touchend", function () { last = null; });
  }
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
    zoomAndPan(canvas);
    box.setAttribute("data-state", "rendered");
  }).catch(function (err) {
    box.setAttribute("data-state", "error");
    box.textContent = "流程图无法显示：" + err.message;
  });
})();
