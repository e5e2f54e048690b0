// RNN unroller front end: draws what Python computed (model "view") on a canvas.
// The animation (forward pass, then the gradient flowing back) runs in the browser.

const COLORS = { pos: "#E69F00", neg: "#56B4E9", grad: "#D55E00", weight: "#0072B2", input: "#009E73",
  text: "#000", muted: "#666", grid: "#BBB", empty: "#F2F2F2", box: "#FFFFFF" };

const SLIDERS = [
  ["spectral_radius", "Spectral radius ρ(W_hh)", 0.05, 2.5, 0.05],
  ["steps", "Steps T", 2, 40, 1],
  ["hidden_size", "Hidden units H", 1, 8, 1],
  ["input_size", "Input size D", 1, 4, 1],
];
const SCALES = ["0", "0.01", "0.1", "0.5", "1", "2"];

function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const child of children) node.append(child);
  return node;
}

function fmt(x) {
  if (!isFinite(x)) return String(x);
  if (x === 0) return "0";
  const a = Math.abs(x);
  return a >= 1e4 || a < 1e-3 ? x.toExponential(1) : x.toPrecision(3);
}

// A diverging colour for a value in [-1, 1]: orange for positive, sky blue for negative.
function diverging(u) {
  const t = Math.max(-1, Math.min(1, u));
  const [r, g, b] = t >= 0 ? [230, 159, 0] : [86, 180, 233];
  const a = Math.abs(t);
  const mix = (c) => Math.round(255 + (c - 255) * a);
  return `rgb(${mix(r)},${mix(g)},${mix(b)})`;
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
    value = Math.min(hi, Math.max(lo, Math.round((value - lo) / step) * step + lo));
    value = Number(value.toFixed(6));
    if (value !== Number(input.value)) {
      input.value = String(value);
      input.dispatchEvent(new Event("input", { bubbles: true }));
    }
  });
  return input;
}

function render({ model, el: root }) {
  root.classList.add("dlw-rnn");
  const controls = el("div", { class: "dlw-controls" });
  const inputs = {};
  for (const [name, label, lo, hi, step] of SLIDERS) {
    const input = keyboardRange(el("input", { type: "range", min: lo, max: hi, step, "aria-label": label, "data-setting": name }));
    const readout = el("output");
    input.addEventListener("input", () => { model.set(name, Number(input.value)); model.save_changes(); });
    inputs[name] = [input, readout];
    controls.append(el("label", {}, [label, input, readout]));
  }
  const scale = el("select", { "aria-label": "Input scale (standard deviation of x_t)", "data-setting": "input_scale" },
    SCALES.map((s) => el("option", { value: s, text: s })));
  scale.addEventListener("change", () => { model.set("input_scale", Number(scale.value)); model.save_changes(); });
  controls.append(el("label", {}, ["Input scale", scale]));
  const bias = el("input", { type: "checkbox", "aria-label": "Use bias vectors", "data-setting": "bias" });
  bias.addEventListener("change", () => { model.set("bias", bias.checked); model.save_changes(); });
  controls.append(el("label", {}, [bias, "biases"]));

  const playButton = el("button", { type: "button", "aria-label": "Play or pause the forward and backward pass", text: "▶ Play" });
  const stepButton = el("button", { type: "button", "aria-label": "Advance the animation by one step", text: "Step ▷" });
  const speed = keyboardRange(el("input", { type: "range", min: 1, max: 30, step: 1, "aria-label": "Speed (steps per second)" }));
  const phase = el("span", { class: "dlw-phase" });
  const player = el("div", { class: "dlw-controls" }, [playButton, stepButton, el("label", {}, ["Speed", speed]), phase]);

  const error = el("div", { class: "dlw-error", role: "alert", hidden: "" });
  const canvas = el("canvas", { role: "img" });
  const facts = el("div", { class: "dlw-facts" });
  // Arrow keys on a focused slider must move the slider, not trigger JupyterLab's shortcuts.
  for (const row of [controls, player]) row.setAttribute("data-lm-suppress-shortcuts", "true");
  root.append(controls, player, error, canvas, facts);

  let t = 0, draws = 0, frame = null, last = 0;
  const view = () => model.get("view") || {};

  function syncControls() {
    for (const [name, [input, readout]] of Object.entries(inputs)) {
      const value = model.get(name);
      if (typeof value === "number") input.value = value;
      readout.value = typeof value === "number" && name === "spectral_radius" ? value.toFixed(2) : String(value);
    }
    scale.value = String(model.get("input_scale"));
    bias.checked = !!model.get("bias");
    speed.value = model.get("speed");
  }

  function draw() {
    const v = view();
    const message = model.get("error");
    error.hidden = !message;
    error.textContent = message ? `Impossible settings: ${message}` : "";
    root.dataset.error = message || "";
    root.dataset.step = String(t);
    root.dataset.positions = String(v.positions || 0);
    root.dataset.ratio = message || v.ratio === undefined ? "" : String(v.ratio);
    root.dataset.verdict = message ? "" : v.verdict || "";
    root.dataset.spectralRadius = message ? "" : String(v.spectral_radius);
    const ctx = canvas.getContext("2d");
    if (message || !v.steps) {
      canvas.width = 10; canvas.height = 10;
      facts.textContent = ""; phase.textContent = "";
      canvas.setAttribute("aria-label", message || "");
      root.dataset.draws = String(++draws);
      return;
    }
    const T = v.steps, H = v.hidden_size, D = v.input_size;
    const shownH = Math.min(t, T);                        // hidden states revealed
    const shownG = t > T ? t - T : 0;                     // gradient norms revealed, from t = T backwards
    phase.textContent = t <= T ? `forward pass: h_1 … h_${shownH}` : `backward pass: dL/dh_${T} … dL/dh_${T - shownG + 1}`;

    const left = 46, col = Math.max(15, Math.min(40, Math.floor(700 / (T + 1))));
    const chainW = left + (T + 1) * col + 10;
    const plotW = 250, gap = 30;
    const width = chainW + gap + plotW + 10;
    const cellH = Math.max(6, Math.min(14, Math.floor(84 / H)));
    const yH = 24, yBox = yH + H * cellH + 10, boxH = 20, yX = yBox + boxH + 10;
    const yG = yX + D * 8 + 40, gH = 110;
    const height = yG + gH + 34;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = width * dpr; canvas.height = height * dpr;
    canvas.style.width = `${width}px`; canvas.style.height = `${height}px`;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.font = "11px sans-serif"; ctx.textBaseline = "middle"; ctx.textAlign = "right";
    ctx.fillStyle = COLORS.text;
    ctx.fillText("h_t", left - 6, yH + (H * cellH) / 2);
    ctx.fillText("x_t", left - 6, yX + (D * 8) / 2);
    ctx.textAlign = "center";
    ctx.fillText(`unrolled: the same W_ih ${v.shapes.weight_ih.join("×")} and W_hh ${v.shapes.weight_hh.join("×")} at every step (colour: |h| ≤ ${fmt(v.h_max)})`, left + ((T + 1) * col) / 2, 9);
    const hmax = v.h_max > 0 ? v.h_max : 1;
    const xmax = Math.max(1e-12, ...v.xs.flat().map(Math.abs));
    for (let s = 0; s <= T; s++) {
      const x0 = left + s * col;
      // hidden state column (s = 0 is h_0 = 0)
      for (let u = 0; u < H; u++) {
        const value = s === 0 ? 0 : v.hs[s - 1][u];
        ctx.fillStyle = s <= shownH ? diverging(value / hmax) : COLORS.empty;
        ctx.fillRect(x0 + 2, yH + u * cellH, col - 4, cellH - 1);
      }
      if (s === 0) {
        ctx.fillStyle = COLORS.muted; ctx.fillText("h_0", x0 + col / 2, yBox + boxH / 2);
        continue;
      }
      // the cell, with the recurrent arrow from the previous column
      const active = s === shownH && t <= T;
      ctx.lineWidth = active ? 2.5 : 1;
      ctx.strokeStyle = active ? COLORS.grad : COLORS.weight;
      ctx.fillStyle = COLORS.box;
      ctx.fillRect(x0 + 3, yBox, col - 6, boxH);
      ctx.strokeRect(x0 + 3, yBox, col - 6, boxH);
      ctx.fillStyle = COLORS.text;
      if (col >= 26) ctx.fillText("tanh", x0 + col / 2, yBox + boxH / 2);
      ctx.strokeStyle = COLORS.weight; ctx.lineWidth = 1.2;
      ctx.beginPath(); ctx.moveTo(x0 - 3, yBox + boxH / 2); ctx.lineTo(x0 + 3, yBox + boxH / 2); ctx.stroke();
      for (let d = 0; d < D; d++) {
        ctx.fillStyle = s <= shownH ? diverging(v.xs[s - 1][d] / xmax) : COLORS.empty;
        ctx.fillRect(x0 + 4, yX + d * 8, col - 8, 7);
      }
      if (col >= 22 && (s % Math.ceil(T / 10) === 0 || s === 1)) { ctx.fillStyle = COLORS.muted; ctx.fillText(String(s), x0 + col / 2, yX + D * 8 + 9); }
    }
    // gradient norms through time, log scale, same columns
    const norms = v.grad_norms;
    const logs = norms.map((n) => Math.log10(Math.max(n, 1e-300)));
    const lo = Math.min(...logs), hi = Math.max(...logs);
    const span = Math.max(hi - lo, 1);
    ctx.fillStyle = COLORS.text; ctx.textAlign = "left";
    ctx.fillText(`||dL/dh_t|| (log scale, ${fmt(10 ** lo)} … ${fmt(10 ** hi)}), loss = sum(h_T)`, left, yG - 12);
    ctx.strokeStyle = COLORS.grid; ctx.lineWidth = 1;
    ctx.beginPath(); ctx.moveTo(left, yG + gH); ctx.lineTo(left + (T + 1) * col, yG + gH); ctx.stroke();
    for (let s = 0; s <= T; s++) {
      const revealed = s >= T - shownG + 1;
      const hgt = 4 + ((logs[s] - lo) / span) * (gH - 4);
      ctx.fillStyle = revealed ? COLORS.grad : COLORS.empty;
      ctx.fillRect(left + s * col + 3, yG + gH - hgt, col - 6, hgt);
    }
    ctx.fillStyle = COLORS.muted; ctx.textAlign = "center";
    ctx.fillText("t = 0", left + col / 2, yG + gH + 10);
    ctx.fillText(`t = ${T}`, left + T * col + col / 2, yG + gH + 10);

    // sweep: ratio vs spectral radius
    const px = chainW + gap, py = 24, ph = height - 70;
    const rl = v.sweep_ratios.map((r) => Math.log10(Math.max(r, 1e-300)));
    const rlo = Math.min(...rl, 0), rhi = Math.max(...rl, 0);
    const ry = (l) => py + ph - ((l - rlo) / Math.max(rhi - rlo, 1)) * ph;
    const rx = (rho) => px + ((rho - 0.1) / 1.9) * plotW;
    ctx.textAlign = "left"; ctx.fillStyle = COLORS.text;
    ctx.fillText("||dL/dh_0|| / ||dL/dh_T|| vs ρ (log)", px, 9);
    ctx.strokeStyle = COLORS.grid;
    ctx.strokeRect(px, py, plotW, ph);
    ctx.setLineDash([4, 3]);
    ctx.beginPath(); ctx.moveTo(px, ry(0)); ctx.lineTo(px + plotW, ry(0)); ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = COLORS.muted; ctx.textAlign = "right";
    ctx.fillText("1", px - 3, ry(0));
    ctx.fillText(fmt(10 ** rhi), px - 3, py + 4);
    ctx.fillText(fmt(10 ** rlo), px - 3, py + ph - 4);
    ctx.textAlign = "center";
    for (const rho of [0.5, 1, 1.5, 2]) ctx.fillText(String(rho), rx(rho), py + ph + 10);
    ctx.fillText("spectral radius ρ(W_hh)", px + plotW / 2, py + ph + 24);
    ctx.strokeStyle = COLORS.weight; ctx.lineWidth = 2;
    ctx.beginPath();
    v.sweep_radii.forEach((rho, k) => { const X = rx(rho), Y = ry(rl[k]); if (k) ctx.lineTo(X, Y); else ctx.moveTo(X, Y); });
    ctx.stroke();
    const cur = Math.log10(Math.max(v.ratio, 1e-300));
    if (v.spectral_radius >= 0.1 && v.spectral_radius <= 2.0) {
      ctx.fillStyle = COLORS.grad;
      ctx.beginPath(); ctx.arc(rx(v.spectral_radius), ry(Math.max(rlo, Math.min(rhi, cur))), 5, 0, 2 * Math.PI); ctx.fill();
    }

    facts.textContent = "";
    facts.append(
      el("span", { text: `ρ(W_hh) = ${v.spectral_radius.toFixed(2)}` }),
      el("span", { class: `dlw-verdict dlw-${v.verdict}`, text: `gradient ratio over ${T} steps: ${fmt(v.ratio)} (${v.verdict})` }),
    );
    canvas.setAttribute("aria-label", v.description || "");
    root.dataset.draws = String(++draws);
  }

  function setPlaying(on) {
    playButton.textContent = on ? "❚❚ Pause" : "▶ Play";
    root.dataset.playing = on ? "true" : "false";
    if (on && frame === null) {
      if (t >= (view().positions || 0)) t = 0;
      last = performance.now();
      frame = requestAnimationFrame(tick);
    } else if (!on && frame !== null) {
      cancelAnimationFrame(frame);
      frame = null;
      model.set("step", t);
      model.save_changes();
    }
  }

  function tick(now) {
    const positions = view().positions || 0;
    if (now - last >= 1000 / Math.max(1, model.get("speed"))) {
      last = now;
      t = Math.min(positions, t + 1);
      draw();
    }
    if (t >= positions) {
      frame = null;
      model.set("playing", false);
      model.set("step", t);
      model.save_changes();
      setPlaying(false);
      return;
    }
    frame = requestAnimationFrame(tick);
  }

  playButton.addEventListener("click", () => {
    const on = !model.get("playing");
    model.set("playing", on);
    model.save_changes();
    setPlaying(on);
  });
  stepButton.addEventListener("click", () => {
    if (model.get("playing")) { model.set("playing", false); setPlaying(false); }
    const positions = view().positions || 0;
    t = t >= positions ? 1 : t + 1;
    model.set("step", t);
    model.save_changes();
    draw();
  });
  speed.addEventListener("input", () => { model.set("speed", Number(speed.value)); model.save_changes(); });

  const onView = () => {
    const step = model.get("step");
    t = step < 0 ? (view().positions || 0) : step;
    syncControls();
    draw();
  };
  const onStep = () => {
    const step = model.get("step");
    if (frame === null) { t = step < 0 ? (view().positions || 0) : step; draw(); }
  };
  const onPlaying = () => setPlaying(model.get("playing"));
  model.on("change:view", onView);
  model.on("change:error", onView);
  model.on("change:step", onStep);
  model.on("change:playing", onPlaying);
  // Settings can arrive after the view they produced (several set at once): re-sync on each.
  const SETTINGS = ["spectral_radius", "steps", "hidden_size", "input_size", "input_scale", "bias", "speed"];
  for (const name of SETTINGS) model.on(`change:${name}`, syncControls);
  onView();
  if (model.get("playing")) setPlaying(true);
  return () => {
    if (frame !== null) cancelAnimationFrame(frame);
    model.off("change:view", onView);
    model.off("change:error", onView);
    model.off("change:step", onStep);
    model.off("change:playing", onPlaying);
    for (const name of SETTINGS) model.off(`change:${name}`, syncControls);
  };
}

export default { render };
