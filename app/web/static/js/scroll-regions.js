// A box that scrolls (a table on a narrow screen, the form editor's text) takes the keyboard focus, so that it
// scrolls by keys too; boxes added later (the editor is drawn after the page) are marked as they come.
(() => {
  const mark = () => document.querySelectorAll('.table-responsive:not([tabindex]), .cm-scroller:not([tabindex="0"])')
    .forEach((box) => { box.tabIndex = 0; });
  mark();
  new MutationObserver(mark).observe(document.body, {childList: true, subtree: true});
})();
