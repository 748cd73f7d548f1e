// The properties panel's `debounceInput` service, with the pending values kept: a value typed into a panel field
// is written into the diagram after a short pause, and one typed just before another field is changed or the
// diagram is saved would be missing from it. `flushPending()` writes every waiting value at once; the modeler
// calls it before any other property edit, on a new selection, and before it reads the XML (save, deploy).
const DELAY = 300;
const pending = new Set();

export function flushPending() {
  Array.from(pending).forEach((debounced) => debounced.flush());
}

export function debounceInput() {
  return function debounce(fn) {
    let timer = null;
    let args = null;
    let self = null;
    function run() {
      clearTimeout(timer);
      timer = null;
      pending.delete(debounced);
      const given = args;
      args = null;
      fn.apply(self, given);
    }
    function debounced(...given) {
      args = given;
      self = this;
      clearTimeout(timer);
      timer = setTimeout(run, DELAY);
      pending.add(debounced);
    }
    debounced.flush = () => { if (timer !== null) { run(); } };
    debounced.cancel = () => { clearTimeout(timer); timer = null; args = null; pending.delete(debounced); };
    return debounced;
  };
}
