// Repeatable rows: "添加一行" copies the row template with the next index; "删除此行" removes its row.
(function () {
  "use strict";
  document.querySelectorAll("[data-rows]").forEach(function (box) {
    var list = box.querySelector(".rows-list");
    var template = box.querySelector("template");
    var next = list.querySelectorAll(".row-item").length;
    box.querySelector(".row-add").addEventListener("click", function () {
      var html = template.innerHTML.split("__i__").join(String(next));
      next += 1;
      list.insertAdjacentHTML("beforeend", html);
      var added = list.lastElementChild;
      var first = added && added.querySelector("input, select, textarea");
      if (first) { first.focus(); }
    });
    list.addEventListener("click", function (event) {
      var button = event.target.closest(".row-remove");
      if (button) { button.closest(".row-item").remove(); box.querySelector(".row-add").focus(); }
    });
  });
})();
