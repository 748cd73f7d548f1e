// A form is sent once: a second click on its button while the page waits for the answer (a double-click, an
// impatient user) sends nothing more. Sent twice, a task form completed the task and then answered the second
// copy with an error page, which the user saw instead of their case. The page's own checks (forms.js) and
// confirmations listen on the form itself, so they have had their say when this runs.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.method !== "post") { return; }
    if (form.hasAttribute("data-sending")) { event.preventDefault(); return; }
    if (event.defaultPrevented) { return; }  // refused by the page's checks, or not confirmed: not sent
    form.setAttribute("data-sending", "");
    form.setAttribute("aria-busy", "true");
  });
  // A page shown again from the browser's history (the back button) may send its forms again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-sending]").forEach(function (form) {
      form.removeAttribute("data-sending");
      form.removeAttribute("aria-busy");
    });
  });
})();
