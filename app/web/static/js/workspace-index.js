// The new-procedure form posts to /workspace/<key>/drafts: the key typed is part of the address.
(function () {
  "use strict";
  var form = document.getElementById("new-procedure-form");
  var key = document.getElementById("new-key");
  if (!form || !key) { return; }
  form.addEventListener("submit", function () {
    form.action = form.getAttribute("data-action-template").replace("__key__", encodeURIComponent(key.value.trim()));
  });
})();
