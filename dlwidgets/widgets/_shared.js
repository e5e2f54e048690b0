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
    value = snap(input, value);
    if (value !== Number(input.value)) {
      input.value = String(value);
      input.dispatchEvent(new Event("input", { bubbles: true }));
    }
  });
  return input;
}

// The same for a drop-down, where the arrow keys would move between notebook cells and take the
// focus away: ArrowUp / ArrowLeft choose the option before, ArrowDown / ArrowRight the one after,
// Home / End the first / last; Alt+ArrowDown still opens the list.
const SELECT_KEYS = { ArrowUp: -1, ArrowLeft: -1, ArrowDown: 1, ArrowRight: 1 };
function keyboardSelect(select) {
  select.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const last = select.options.length - 1;
    let index = select.selectedIndex;
    if (event.key in SELECT_KEYS) index += SELECT_KEYS[event.key];
    else if (event.key === "Home") index = 0;
    else if (event.key === "End") index = last;
    else return;
    event.preventDefault();
    event.stopPropagation();
    index = Math.max(0, Math.min(last, index));
    if (index !== select.selectedIndex) {
      select.selectedIndex = index;
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });
  return select;
}

// `value` on a range input's grid (counted from min, clamped), without float noise such as
// 0.15000000000000002.
function snap(input, value) {
  const lo = Number(input.min), hi = Number(input.max), step = Number(input.step) || 1;
  const snapped = Math.min(hi, Math.max(lo, Math.round((value - lo) / step) * step + lo));
  return Number(snapped.toFixed(6));
}

// Keys typed in this node (arrows, space) belong to the widget, not to JupyterLab's shortcuts.
function suppressShortcuts(node) {
  node.setAttribute("data-lm-suppress-shortcuts", "true");
  return node;
}

// A row of controls whose keys belong to the widget.
function controlRow(children = []) {
  return suppressShortcuts(el("div", { class: "dlw-controls" }, children));
}

// Set one trait and send it to Python.
function save(model, name, value) {
  model.set(name, value);
  model.save_changes();
}

// A labelled range slider bound to the numeric trait `name`, with a readout beside it. Moving it
// sets the trait (drawing a looked-ahead view at once if there is one, see lookAhead); sync()
// shows the trait's current value (numbers on a fractional step with two decimals). aria
// defaults to the label.
function settingSlider(model, name, label, { min, max, step = 1, aria = label, format = null } = {}) {
  const input = keyboardRange(el("input", { type: "range", min, max, step, "aria-label": aria, "data-setting": name }));
  const readout = el("output");
  const show = format || (Number.isInteger(Number(step)) ? String : (x) => x.toFixed(2));
  const neighbours = () => {
    const value = Number(input.value), by = Number(input.step) || 1;
    return [snap(input, value - by), snap(input, value + by)].filter((v) => v !== value);
  };
  const held = whileHeld(input, () => askNearby(model, name, neighbours()), { pointer: true });
  input.addEventListener("input", () => {
    save(model, name, Number(input.value));
    lookAhead(model, name, neighbours(), !held());
  });
  input.addEventListener("focus", () => askNearby(model, name, neighbours()));
  function sync() {
    const value = model.get(name);
    if (typeof value === "number") input.value = value;
    readout.value = typeof value === "number" ? show(value) : String(value);
  }
  return { node: el("label", {}, [label, input, readout]), input, readout, sync };
}

// A drop-down bound to the trait `name`; options are values or [value, text] pairs, and
// parse turns the chosen option's value into the trait's value. Like a slider it looks ahead,
// to the options either side of the chosen one (what the arrow keys step to), when it gets the
// focus or the pointer and after each change.
function settingSelect(model, name, aria, options, parse = (v) => v) {
  const select = keyboardSelect(el("select", { "aria-label": aria, "data-setting": name },
    options.map((o) => (Array.isArray(o) ? el("option", { value: o[0], text: o[1] }) : el("option", { value: o, text: o })))));
  const neighbours = () => [select.selectedIndex - 1, select.selectedIndex + 1]
    .filter((i) => i >= 0 && i < select.options.length)
    .map((i) => parse(select.options[i].value));
  const held = whileHeld(select, () => askNearby(model, name, neighbours()));
  select.addEventListener("change", () => {
    save(model, name, parse(select.value));
    lookAhead(model, name, neighbours(), !held());
  });
  lookAheadBefore(model, name, neighbours, select);
  return select;
}

// Whether a key is held down on `control` (the keyboard's auto-repeat) or, with pointer, the pointer
// pressed on it (a slider's thumb dragged), as a function; letGo() runs when that ends. Changes then
// come faster than the kernel computes views: every value's neighbours would be work nobody sees, each
// stopped by the next change, on a machine the browser shares. The neighbours of the value the hand
// stops at are asked for on letting go. (Not the pointer on a drop-down: its list is the browser's,
// which may keep the release.)
function whileHeld(control, letGo, { pointer = false } = {}) {
  let holding = false;
  const release = () => {
    if (!holding) return;
    holding = false;
    letGo();
  };
  // capture: seen before the key's own handler (keyboardRange / keyboardSelect) changes the value
  control.addEventListener("keydown", (event) => { if (event.repeat) holding = true; }, true);
  control.addEventListener("keyup", release);
  control.addEventListener("blur", release);
  if (pointer) {
    control.addEventListener("pointerdown", () => {
      holding = true;
      const done = new AbortController();   // whichever ends the press removes both listeners
      const up = () => { done.abort(); release(); };
      window.addEventListener("pointerup", up, { signal: done.signal });
      window.addEventListener("pointercancel", up, { signal: done.signal });
    });
  }
  return () => holding;
}

// A labelled checkbox bound to a boolean trait; returns { node, input, sync }. It looks ahead to
// its other state when it (or its label) gets the focus or the pointer, and after each change.
// aria defaults to the label.
function checkbox(model, name, label, { aria = label } = {}) {
  const box = el("input", { type: "checkbox", "aria-label": aria, "data-setting": name });
  const node = el("label", {}, [box, label]);
  const other = () => [!box.checked];
  box.addEventListener("change", () => {
    save(model, name, box.checked);
    lookAhead(model, name, other());
  });
  lookAheadBefore(model, name, other, box, node);
  const sync = () => { box.checked = !!model.get(name); };
  return { node, input: box, sync };
}

// Ask for the views `neighbours()` lists when `control` gets the focus or the pointer comes over
// `area` (the control itself, or its label): a change by key or click usually follows, and finds
// its view computed.
function lookAheadBefore(model, name, neighbours, control, area = control) {
  const ask = () => askNearby(model, name, neighbours());
  control.addEventListener("focus", ask);
  area.addEventListener("pointerenter", ask);
}

// The playback-speed slider of an animation (the "speed" trait, positions per second).
function speedSlider(model, max, aria) {
  const speed = keyboardRange(el("input", { type: "range", min: 1, max, step: 1, "aria-label": aria }));
  speed.addEventListener("input", () => save(model, "speed", Number(speed.value)));
  return speed;
}

// Playback driven by the "playing" trait: the Play button toggles it, and while it is on
// advance(now) runs every display frame (return true at the end). begin() runs when playback
// starts, paused() when the learner pauses, report() at the end (send the position to Python).
// Returns { toggle, pause (if playing), start (if the trait says so), stop (remove everything) }.
function playback(model, root, playButton, { begin, advance, paused, report }) {
  let frame = null;
  function setPlaying(on) {
    playButton.textContent = on ? "❚❚ Pause" : "▶ Play";
    root.dataset.playing = on ? "true" : "false";
    if (on && frame === null) {
      begin();
      frame = requestAnimationFrame(tick);
    } else if (!on && frame !== null) {
      cancelAnimationFrame(frame);
      frame = null;
      paused();
    }
  }
  function tick(now) {
    if (advance(now)) {
      frame = null;
      model.set("playing", false);
      report();
      setPlaying(false);
      return;
    }
    frame = requestAnimationFrame(tick);
  }
  const toggle = () => {
    const on = !model.get("playing");
    save(model, "playing", on);
    setPlaying(on);
  };
  playButton.addEventListener("click", toggle);
  const unlisten = listen(model, ["change:playing"], () => setPlaying(model.get("playing")));
  return {
    toggle,
    running: () => frame !== null,
    pause: () => { if (model.get("playing")) { model.set("playing", false); setPlaying(false); } },
    start: () => { if (model.get("playing")) setPlaying(true); },
    stop: () => { if (frame !== null) cancelAnimationFrame(frame); unlisten(); },
  };
}

// Play / Pause and Step over animation positions 1..positions(), kept in the "step" trait (-1 =
// all shown): the browser advances one position every 1/speed seconds and calls draw(), which
// reads the position from player.t, and reports the position to Python when it stops. Call
// player.fromModel() when a new view arrives; player.start() once built; player.stop() at the end.
function stepPlayer(model, root, { positions, draw, playLabel, stepLabel, maxSpeed, speedLabel }) {
  const playButton = el("button", { type: "button", "aria-label": playLabel, text: "▶ Play" });
  const stepButton = el("button", { type: "button", "aria-label": stepLabel, text: "Step ▷" });
  const speed = speedSlider(model, maxSpeed, speedLabel);
  const player = { t: 0, speed, nodes: [playButton, stepButton, el("label", {}, ["Speed", speed])] };
  let last = 0;
  const report = () => save(model, "step", player.t);
  const play = playback(model, root, playButton, {
    begin: () => {
      if (player.t >= positions()) player.t = 0;
      last = performance.now();
    },
    advance: (now) => {
      const total = positions();
      if (now - last >= 1000 / Math.max(1, model.get("speed"))) {
        last = now;
        player.t = Math.min(total, player.t + 1);
        draw();
      }
      return player.t >= total;
    },
    paused: report,
    report,
  });
  stepButton.addEventListener("click", () => {
    play.pause();
    player.t = player.t >= positions() ? 1 : player.t + 1;
    report();
    draw();
  });

  player.fromModel = () => {
    const step = model.get("step");
    player.t = step < 0 ? positions() : step;
  };
  const unlisten = listen(model, ["change:step"], () => { if (!play.running()) { player.fromModel(); draw(); } });
  player.start = play.start;
  player.stop = () => { play.stop(); unlisten(); };
  return player;
}

// Size a canvas for crisp drawing on high-density screens; returns its 2-D context, cleared, with
// the widget's theme colours read (THEME). The widget draws in its own units, `width` x `height`;
// when the column is narrower than `width`, the whole picture is scaled down evenly (never squashed
// one way), to at most MIN_CANVAS_SCALE, below which the widget scrolls sideways rather than shrink
// its text further. canvasPoint() maps a click or hover back to those units. The bitmap is only
// reallocated when the size changes, so redrawing every frame stays cheap; the widget's frame (see
// courseWidget) redraws on resize, on a new device-pixel ratio and on a new theme.
const MIN_CANVAS_SCALE = 0.75;
const CANVAS_SIZE = new WeakMap();   // canvas -> { width, height, scale } in the widget's units
function canvasScale(canvas, width) {
  const parent = canvas.parentElement;
  const room = parent ? parent.clientWidth : 0;
  return room > 0 && room < width ? Math.max(MIN_CANVAS_SCALE, room / width) : 1;
}
function sizeCanvas(canvas, width, height) {
  const dpr = window.devicePixelRatio || 1;
  const scale = canvasScale(canvas, width);
  const cssWidth = width * scale, cssHeight = height * scale;
  const w = Math.round(cssWidth * dpr), h = Math.round(cssHeight * dpr);
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  canvas.style.width = `${cssWidth}px`;
  canvas.style.height = `${cssHeight}px`;
  CANVAS_SIZE.set(canvas, { width, height, scale });
  canvas.dataset.scale = String(Number(scale.toFixed(3)));
  refreshTheme(canvas);
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr * scale, 0, 0, dpr * scale, 0, 0);
  ctx.clearRect(0, 0, width, height);
  return ctx;
}

// Where a pointer event is on a canvas sized by sizeCanvas, in the widget's drawing units.
function canvasPoint(canvas, event) {
  const rect = canvas.getBoundingClientRect();
  const size = CANVAS_SIZE.get(canvas) || { width: rect.width, height: rect.height };
  return {
    x: ((event.clientX - rect.left) * size.width) / (rect.width || 1),
    y: ((event.clientY - rect.top) * size.height) / (rect.height || 1),
  };
}

// Colours that come from the JupyterLab theme (its CSS variables; light defaults elsewhere), read
// afresh by every sizeCanvas. Data keep the Okabe-Ito PALETTE; text, lines, grids and empty
// cells use THEME, so a dark theme gets light text on its own background.
const THEME = {
  text: "#000", muted: "#555", grid: "#BBB", line: "#444", background: "#fff", empty: "#F2F2F2",
  panel: "#fff", dark: false,
};
function refreshTheme(node) {
  const css = getComputedStyle(node);
  const get = (name, fallback) => (css.getPropertyValue(name) || "").trim() || fallback;
  THEME.text = get("--jp-ui-font-color0", "#000");
  THEME.muted = get("--jp-ui-font-color2", "#555");
  THEME.grid = get("--jp-border-color1", "#BBB");
  THEME.line = get("--jp-ui-font-color1", "#444");
  THEME.background = get("--jp-layout-color0", "#fff");
  THEME.panel = get("--jp-layout-color0", "#fff");
  THEME.empty = get("--jp-layout-color2", "#F2F2F2");
  THEME.dark = (document.body && document.body.dataset.jpThemeLight === "false") || false;
  return THEME;
}

// Listen to several model events; returns a function that removes the listeners.
function listen(model, events, handler) {
  for (const name of events) model.on(name, handler);
  return () => { for (const name of events) model.off(name, handler); };
}

// A colour between white (a = 0) and `colour` (a = 1), given as "#RRGGBB" or [r, g, b].
function shade(colour, a) {
  const rgb = Array.isArray(colour) ? colour : [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16));
  const [r, g, b] = rgb.map((c) => Math.round(255 + (c - 255) * a));
  return `rgb(${r},${g},${b})`;
}

// A diverging colour for u in [-1, 1]: `positive` above 0, `negative` below, white at 0.
function diverging(u, positive, negative) {
  const t = Math.max(-1, Math.min(1, u));
  return shade(t >= 0 ? positive : negative, Math.abs(t));
}

// Look-ahead. When a control gets the focus or changes, Python also computes core's views for
// its neighbouring values (a slider's steps either side, a drop-down's options either side, a
// checkbox's other state) and sends them back ({nearby: [{settings, view, error}]}). A later move
// to one of those settings is drawn at once from that view (a "preview"), without waiting for
// the round trip through the kernel; Python's own answer for the same settings, identical,
// replaces it when it arrives. Widgets read what to draw with viewOf(model) and errorOf(model).
const LOOKAHEAD = new WeakMap();   // model -> { nearby, preview, redraws, asked, askedFor, waiting }
// At most one look-ahead request is in the kernel at a time (a dragged slider would otherwise
// queue work ahead of the real update); one not answered within this time no longer counts.
const LOOKAHEAD_PATIENCE_MS = 3000;

function lookaheadOf(model) {
  let state = LOOKAHEAD.get(model);
  if (!state) {
    state = { nearby: [], preview: null, redraws: new Set(), asked: null, askedFor: "", waiting: null };
    LOOKAHEAD.set(model, state);
    model.on("msg:custom", (content) => {
      if (!content || !Array.isArray(content.nearby)) return;
      state.nearby = content.nearby;
      state.asked = null;
      if (state.waiting) {
        const next = state.waiting;
        state.waiting = null;
        askNearby(model, next.name, next.values);
      }
    });
  }
  return state;
}

// Whether the model's settings now are exactly `settings` (compared as JSON).
function showsSettings(model, settings) {
  return Object.keys(settings).every((name) => JSON.stringify(model.get(name)) === JSON.stringify(settings[name]));
}

// Ask Python for the views with setting `name` at each of `values` (the rest as they are now);
// while an earlier request is unanswered, only the latest one waits to be sent, and none if it is
// the unanswered one again (the pointer going over a control twice).
function askNearby(model, name, values) {
  if (!values.length) return;
  const state = lookaheadOf(model);
  const names = Object.keys((model.get("view") || {}).settings || {});
  const request = JSON.stringify({ from: names.map((n) => model.get(n)), name, values });
  if (state.asked !== null && performance.now() - state.asked < LOOKAHEAD_PATIENCE_MS) {
    state.waiting = request === state.askedFor ? null : { name, values };
    return;
  }
  state.asked = performance.now();
  state.askedFor = request;
  if (!sendToKernel(model, { lookahead: { name, values } })) state.asked = null;
}

// After setting `name` changed: draw the looked-ahead view for the new settings if there is one,
// then ask for the next neighbours (unless `ask` is false: a key held or a thumb dragged, see whileHeld).
function lookAhead(model, name, values, ask = true) {
  const state = lookaheadOf(model);
  const hit = state.nearby.find((entry) => showsSettings(model, entry.settings));
  if (hit) {
    state.preview = hit;
    for (const redraw of state.redraws) redraw();
  }
  if (ask) askNearby(model, name, values);
}

// What the widget should draw now: the preview if one is showing, else Python's view / error.
function viewOf(model) {
  const state = LOOKAHEAD.get(model);
  return (state && state.preview ? state.preview.view : model.get("view")) || {};
}
function errorOf(model) {
  const state = LOOKAHEAD.get(model);
  return state && state.preview ? state.preview.error : model.get("error");
}

// Redraw whenever Python sends a new view or error, and re-sync the controls whenever one of
// `settings` changes: settings can arrive after the view they produced (several set at once).
// Python's view for settings the learner has already moved on from is not drawn over a newer
// preview. Calls onView once now; returns a function that removes the listeners.
function followView(model, settings, onView, sync) {
  const state = lookaheadOf(model);
  const fromPython = () => {
    if (state.preview) {
      const computedFor = (model.get("view") || {}).settings;
      if (computedFor && !showsSettings(model, computedFor) && showsSettings(model, state.preview.settings)) return;
      state.preview = null;
    }
    onView();
  };
  state.redraws.add(onView);
  const stops = [
    listen(model, ["change:view", "change:error"], fromPython),
    listen(model, settings.map((name) => `change:${name}`), sync),
  ];
  onView();
  return () => {
    state.redraws.delete(onView);
    for (const stop of stops) stop();
  };
}

// followView for a widget that animates with a stepPlayer: each view (re)positions the player,
// syncs the controls and draws; playback starts now. Returns the widget's cleanup function.
function followViewAndPlay(model, settings, player, syncControls, draw) {
  const unfollow = followView(model, settings, () => {
    player.fromModel();
    syncControls();
    draw();
  }, syncControls);
  player.start();
  return () => {
    player.stop();
    unfollow();
  };
}

// Show or hide the widget's error box, and mirror the message on the root for tests.
function showError(root, box, message) {
  box.hidden = !message;
  box.textContent = message ? `Impossible settings: ${message}` : "";
  root.dataset.error = message || "";
}

// ---------------------------------------------------------------- the frame around every widget
// front_end() in _base.py wraps each widget's `export default { render }` in courseWidget(render),
// so every widget gets these without code of its own: a notice when no kernel answers any more
// (restarted, stopped, or a reopened notebook drawn from saved state), with its controls disabled;
// a redraw when its width, the screen's pixel ratio or the JupyterLab theme changes; the shared CSS.

const KERNEL = new WeakMap();   // model -> { gone, why, views: Set of callbacks, pinged, timer, answered }
// A ping not answered within this time means no kernel is listening (a busy one answers widget
// messages from a thread of its own, in milliseconds).
const KERNEL_PATIENCE_MS = 6000;
const KERNEL_GONE = {
  restarted: "The kernel behind this widget has restarted or stopped, so the widget no longer changes: "
    + "what you see is its last picture. Run this cell again (after the cells above it) to bring it back.",
  silent: "No kernel is answering this widget (the notebook was reopened, or the kernel restarted or "
    + "stopped): what you see is its last picture. Run this cell again (after the cells above it) to bring it back.",
};

function kernelOf(model) {
  let state = KERNEL.get(model);
  if (!state) {
    state = { gone: false, why: "", views: new Set(), pinged: 0, timer: null, answered: false };
    KERNEL.set(model, state);
    model.on("msg:custom", (content) => {
      if (content && content.pong !== undefined) kernelAnswered(model);
    });
    model.on("change:view", () => kernelAnswered(model));
    model.on("change:error", () => kernelAnswered(model));
    // ipywidgets marks a model's comm dead when the kernel restarts (and never live again)
    model.on("comm_live_update", () => pingKernel(model));
    watchKernelStatus(model);
  }
  return state;
}

// Where the widget manager tells of its kernel (JupyterLab, Notebook 7), a kernel that stops, restarts or
// goes away is checked at once, not at the learner's next move.
const KERNEL_ENDINGS = new Set(["dead", "terminating", "restarting", "autorestarting"]);
function watchKernelStatus(model) {
  const kernel = model.widget_manager && model.widget_manager.kernel;
  if (!kernel) return;
  const check = () => pingKernel(model);
  try {
    if (kernel.statusChanged) kernel.statusChanged.connect((_, status) => { if (KERNEL_ENDINGS.has(status)) check(); });
    if (kernel.disposed) kernel.disposed.connect(check);
  } catch (error) {   // another front end's manager: the ping and the failed sends still tell
  }
}

function kernelAnswered(model) {
  const state = kernelOf(model);
  state.answered = true;
  if (state.timer !== null) { clearTimeout(state.timer); state.timer = null; }
  if (state.gone) setKernelGone(model, "");
}

function setKernelGone(model, why) {
  const state = kernelOf(model);
  state.gone = !!why;
  state.why = why;
  for (const show of state.views) show();
}

// Send a message to Python; false (and the widget says its kernel is gone) if it cannot be sent.
function sendToKernel(model, content) {
  try {
    model.send(content);
    return true;
  } catch (error) {   // "Cannot send": the comm went with its kernel
    setKernelGone(model, KERNEL_GONE.restarted);
    return false;
  }
}

// Ask Python for a sign of life; no answer within KERNEL_PATIENCE_MS means no kernel is listening.
function pingKernel(model) {
  const state = kernelOf(model);
  if (state.timer !== null) return;
  state.pinged += 1;
  if (!sendToKernel(model, { ping: state.pinged })) return;
  state.timer = setTimeout(() => {
    state.timer = null;
    setKernelGone(model, KERNEL_GONE.silent);
  }, KERNEL_PATIENCE_MS);
}

// The notice and disabled controls of one view of the model, kept up to date; returns a cleanup.
function watchKernel(model, root) {
  const state = kernelOf(model);
  const notice = el("div", { class: "dlw-kernel-gone", role: "status", hidden: "" });
  root.prepend(notice);
  const disabled = new Set();
  const show = () => {
    notice.hidden = !state.gone;
    notice.textContent = state.gone ? state.why : "";
    root.dataset.kernel = state.gone ? "gone" : "live";
    if (state.gone) {
      for (const control of root.querySelectorAll("input, select, button, textarea")) {
        if (!control.disabled) { control.disabled = true; disabled.add(control); }
      }
    } else {
      for (const control of disabled) control.disabled = false;
      disabled.clear();
    }
  };
  state.views.add(show);
  show();
  pingKernel(model);
  return () => state.views.delete(show);
}

// Redraw the widget (every view callback followView registered) when its width changes, the screen's
// pixel ratio changes (zoom, another monitor) or JupyterLab switches theme.
function redrawOnChanges(model, root) {
  const redraw = () => { for (const draw of lookaheadOf(model).redraws) draw(); };
  let width = root.clientWidth, frame = null;
  const soon = () => {
    if (frame === null) frame = requestAnimationFrame(() => { frame = null; redraw(); });
  };
  const resized = new ResizeObserver(() => {
    if (root.clientWidth !== width) { width = root.clientWidth; soon(); }
  });
  resized.observe(root);
  // A new theme swaps JupyterLab's style sheets, and the page's layout settles a moment later: redraw at
  // once (colours) and again then (sizes).
  let settle = null;
  const themed = new MutationObserver(() => {
    soon();
    clearTimeout(settle);
    settle = setTimeout(soon, 500);
  });
  if (document.body) themed.observe(document.body, { attributes: true, attributeFilter: ["data-jp-theme-name", "data-jp-theme-light"] });
  let ratio = null;
  const watchRatio = () => {
    ratio = window.matchMedia(`(resolution: ${window.devicePixelRatio || 1}dppx)`);
    ratio.addEventListener("change", onRatio, { once: true });
  };
  function onRatio() { soon(); watchRatio(); }
  watchRatio();
  return () => {
    resized.disconnect();
    themed.disconnect();
    clearTimeout(settle);
    ratio.removeEventListener("change", onRatio);
    if (frame !== null) cancelAnimationFrame(frame);
  };
}

const SHARED_CSS = `
.dlw-widget { max-width: 100%; overflow-x: auto; }
.dlw-widget canvas { display: block; max-width: none; background: var(--jp-layout-color0, #fff); }
.dlw-widget .dlw-kernel-gone { color: var(--jp-ui-font-color0, #000); background: var(--jp-warn-color3, #FFF3CD);
  border-left: 4px solid var(--jp-warn-color1, #E69F00); padding: 6px 10px; margin: 0 0 6px 0; }
.dlw-widget .dlw-kernel-gone[hidden] { display: none; }
.dlw-widget .dlw-readout { font-family: var(--jp-code-font-family, monospace); font-size: 12px; min-height: 1.4em;
  margin: 4px 0; white-space: pre-wrap; }
`;
function addSharedCss() {
  if (document.getElementById("dlw-shared-css")) return;
  const style = el("style", { id: "dlw-shared-css", text: SHARED_CSS });
  document.head.append(style);
}

// A widget's render wrapped in the frame above (front_end() does this for `export default { render }`).
function courseWidget(render) {
  return ({ model, el: root, ...rest }) => {
    addSharedCss();
    root.classList.add("dlw-widget");
    const cleanup = render({ model, el: root, ...rest });
    const stops = [watchKernel(model, root), redrawOnChanges(model, root)];
    return () => {
      for (const stop of stops) stop();
      if (typeof cleanup === "function") cleanup();
    };
  };
}
