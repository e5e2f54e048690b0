// Feature-map calculator front end: draws what Python computed (model "view") on a canvas
// and animates the kernel in the browser. Settings go back to Python, which recomputes.
// Appended to _shared.js (el, keyboardRange, controlRow, sizeCanvas, listen, showError, PALETTE).

const COLORS = { input: PALETTE.sky, pad: PALETTE.grey, kernel: PALETTE.orange, output: PALETTE.green, current: PALETTE.blue, text: PALETTE.black };

const NUMERIC = [
  ["input_size", "Input size", 1, 32],
  ["kernel_size", "Kernel", 1, 9],
  ["stride", "Stride", 1, 6],
  ["dilation", "Dilation", 1, 5],
];
const PADDINGS = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "valid", "same", "full"];

function render({ model, el: root }) {
  root.classList.add("dlw-fm");
  const controls = controlRow();
  const inputs = {};
  for (const [name, label, lo, hi] of NUMERIC) {
    const input = keyboardRange(el("input", { type: "range", min: lo, max: hi, step: 1, "aria-label": label, "data-setting": name }));
    const readout = el("output");
    input.addEventListener("input", () => {
      model.set(name, Number(input.value));
      model.save_changes();
    });
    inputs[name] = [input, readout];
    controls.append(el("label", {}, [label, input, readout]));
  }
  const padding = el("select", { "aria-label": "Padding", "data-setting": "padding" },
    PADDINGS.map((p) => el("option", { value: p, text: p })));
  padding.addEventListener("change", () => {
    const v = padding.value;
    model.set("padding", /^\d+$/.test(v) ? Number(v) : v);
    model.save_changes();
  });
  controls.append(el("label", {}, ["Padding", padding]));
  const channels = {};
  for (const [name, label] of [["in_channels", "C in"], ["out_channels", "C out"]]) {
    const input = el("input", { type: "number", min: 1, max: 1024, step: 1, "aria-label": label, "data-setting": name, style: "width:4.5em" });
    input.addEventListener("change", () => {
      model.set(name, Number(input.value));
      model.save_changes();
    });
    channels[name] = input;
    controls.append(el("label", {}, [label, input]));
  }

  const playButton = el("button", { type: "button", "aria-label": "Play or pause the kernel", text: "▶ Play" });
  const stepButton = el("button", { type: "button", "aria-label": "Move the kernel one position", text: "Step ▷" });
  const speed = keyboardRange(el("input", { type: "range", min: 1, max: 30, step: 1, "aria-label": "Speed (positions per second)" }));
  const player = controlRow([playButton, stepButton, el("label", {}, ["Speed", speed])]);

  const error = el("div", { class: "dlw-error", role: "alert", hidden: "" });
  const canvas = el("canvas", { role: "img" });
  const formula = el("div", { class: "dlw-formula" });
  const facts = el("div", { class: "dlw-facts" });
  root.append(controls, player, error, canvas, formula, facts);

  let t = 0;            // kernel positions shown (1..positions)
  let draws = 0;
  let frame = null;
  let last = 0;

  function view() { return model.get("view") || {}; }

  function syncControls() {
    for (const [name, [input, readout]] of Object.entries(inputs)) {
      const value = model.get(name);
      if (typeof value === "number") input.value = value;
      readout.value = String(value);
    }
    padding.value = String(model.get("padding"));
    for (const [name, input] of Object.entries(channels)) input.value = model.get(name);
    speed.value = model.get("speed");
  }

  function draw() {
    const v = view();
    const message = model.get("error");
    showError(root, error, message);
    root.dataset.outputSize = message ? "" : String(v.out);
    root.dataset.step = String(t);
    root.dataset.positions = String(v.positions || 0);
    if (message || !v.n) {
      canvas.width = 10; canvas.height = 10;
      formula.textContent = ""; facts.textContent = "";
      canvas.setAttribute("aria-label", message || "");
      root.dataset.draws = String(++draws);
      return;
    }
    const size = v.n + v.pad_before + v.pad_after;
    const cell = Math.max(6, Math.min(30, Math.floor(330 / size)));
    const gap = 60;
    const width = size * cell + gap + v.out * cell + 20;
    const height = Math.max(size, v.out) * cell + 24;
    const ctx = sizeCanvas(canvas, width, height);
    ctx.font = `${Math.max(9, Math.floor(cell * 0.45))}px sans-serif`;
    ctx.textAlign = "center"; ctx.textBaseline = "middle";
    const numbers = cell >= 16;
    const top = 20;
    ctx.fillStyle = COLORS.text;
    ctx.fillText(`padded input ${size}×${size}`, (size * cell) / 2, 9);
    const ox = size * cell + gap;
    ctx.fillText(`output ${v.out}×${v.out}`, ox + (v.out * cell) / 2, 9);
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) {
        const i = r - v.pad_before, j = c - v.pad_before;
        const inside = i >= 0 && i < v.n && j >= 0 && j < v.n;
        ctx.fillStyle = inside ? COLORS.input : COLORS.pad;
        ctx.fillRect(c * cell + 1, top + r * cell + 1, cell - 2, cell - 2);
        if (numbers) { ctx.fillStyle = COLORS.text; ctx.fillText(inside ? v.input[i][j] : 0, c * cell + cell / 2, top + r * cell + cell / 2); }
      }
    }
    const shown = Math.max(0, Math.min(t, v.positions));
    for (let p = 0; p < v.out * v.out; p++) {
      const r = Math.floor(p / v.out), c = p % v.out;
      const x = ox + c * cell, y = top + r * cell;
      ctx.fillStyle = p < shown ? COLORS.output : "#F2F2F2";
      ctx.fillRect(x + 1, y + 1, cell - 2, cell - 2);
      if (numbers && p < shown) { ctx.fillStyle = COLORS.text; ctx.fillText(v.output[r][c], x + cell / 2, y + cell / 2); }
    }
    if (shown > 0) {
      const p = shown - 1, r = Math.floor(p / v.out), c = p % v.out;
      ctx.lineWidth = 3; ctx.strokeStyle = COLORS.kernel;
      for (let a = 0; a < v.k; a++) {
        for (let b = 0; b < v.k; b++) {
          ctx.strokeRect((c * v.stride + b * v.dilation) * cell + 1.5, top + (r * v.stride + a * v.dilation) * cell + 1.5, cell - 3, cell - 3);
        }
      }
      ctx.strokeStyle = COLORS.current;
      ctx.strokeRect(ox + c * cell + 1.5, top + r * cell + 1.5, cell - 3, cell - 3);
    }
    formula.textContent = `output size: ${v.formula}`;
    facts.textContent = "";
    facts.append(
      el("span", { text: `receptive field of one output: ${v.receptive_field}×${v.receptive_field}` }),
      el("span", { text: `jump (stride): ${v.jump}` }),
      el("span", { text: `parameters: ${v.params_formula}` }),
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
    const interval = 1000 / Math.max(1, model.get("speed"));
    if (now - last >= interval) {
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
  // Settings can arrive after the view they produced (several set at once): re-sync on each.
  const SETTINGS = ["input_size", "kernel_size", "stride", "dilation", "padding", "in_channels", "out_channels", "speed"];
  const unlisten = [
    listen(model, ["change:view", "change:error"], onView),
    listen(model, ["change:step"], onStep),
    listen(model, ["change:playing"], onPlaying),
    listen(model, SETTINGS.map((name) => `change:${name}`), syncControls),
  ];
  onView();
  if (model.get("playing")) setPlaying(true);
  return () => {
    if (frame !== null) cancelAnimationFrame(frame);
    for (const off of unlisten) off();
  };
}

export default { render };
