// While the user types into a page, its session is kept alive: the idle timeout counts requests, and a long
// opinion typed in one page sends none until 提交, which then found the session ended and the text lost with the
// page. After input, one request at most every `data-keep-alive` seconds (rendered for a signed-in user) renews
// it. A session that has ended all the same (the computer slept) is said at the top of the page, while what was
// typed is still there to copy.
(() => {
  const body = document.body;
  const every = Number(body.dataset.keepAlive || 0) * 1000;
  if (!every) { return; }
  let last = Date.now();  // the page itself was a request
  let waiting = null;
  let said = false;

  function sayEnded() {
    if (said) { return; }
    said = true;
    const note = document.createElement("div");
    note.className = "alert alert-warning";
    note.setAttribute("role", "alert");
    note.setAttribute("data-testid", "session-ended");
    note.textContent = body.dataset.sessionEnded;
    const main = document.getElementById("main") || body;
    main.insertBefore(note, main.firstChild);
  }

  function renew() {
    waiting = null;
    last = Date.now();
    fetch(body.dataset.keepAliveUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((answer) => { if (answer.status === 401) { sayEnded(); } })
      .catch(() => {});  // offline for a moment: the next input tries again
  }

  document.addEventListener("input", () => {
    if (waiting === null && !said) { waiting = setTimeout(renew, Math.max(0, last + every - Date.now())); }
  });
})();
