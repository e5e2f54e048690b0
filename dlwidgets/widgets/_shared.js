// Helpers shared by every widget's front end. Each widget's module is appended to this
// file (see front_end() in _base.py), so these names are in scope there.

// Okabe-Ito: distinguishable with every common colour-vision deficiency.
const PALETTE = {
  orange: "#E69F00", sky: "#56B4E9", green: "#009E73", yellow: "#F0E442",
  blue: "#0072B2", vermillion: "#D55E00", purple: "#CC79A7", black: "#000000", grey: "#DDDDDD",
};

function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const child of children) node.append(child);
  return node;
}

// JupyterLab cancels arrow keys while they bubble through a notebook, so a focused slider
// would not move. Handle the keys on the slider itself, as ipywidgets' sliders do.
const RANGE_KEYS = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1, PageUp: 5, PageDown: -5 };
function keyboardRange(input) {
  input.addEventListener("keydown", (event) => {
    const lo = Number(input.min), hi = Number(input.max), step = Number(input.step) || 1;
    let value = Number(input.value);
    if (event.key in RANGE_KEYS) value += RANGE_KEYS[event.key] * step;
    else if (event.key === "Home") value = lo;
    else if (event.key === "End") value = hi;
    else return;
    event.preventDefault();
    event.stopPropagation();
    value = Math.min(hi, Math.max(lo, Math.round(value / step) * step));
    if (value !== Number(input.value)) {
      input.value = String(value);
      input.dispatchEvent(new Event("input", { bubbles: true }));
    }
  });
  return input;
}

// Keys typed in a widget's controls belong to the widget, not to JupyterLab's shortcuts.
function controlRow(children = []) {
  return el("div", { class: "dlw-controls", "data-lm-suppress-shortcuts": "true" }, children);
}

// Size a canvas for crisp drawing on high-density screens; returns its 2-D context.
function sizeCanvas(canvas, width, height) {
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(height * dpr);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  return ctx;
}

// Listen to several model events; returns a function that removes the listeners.
function listen(model, events, handler) {
  for (const name of events) model.on(name, handler);
  return () => { for (const name of events) model.off(name, handler); };
}

// Show or hide the widget's error box, and mirror the message on the root for tests.
function showError(root, box, message) {
  box.hidden = !message;
  box.textContent = message ? `Impossible settings: ${message}` : "";
  root.dataset.error = message || "";
}
