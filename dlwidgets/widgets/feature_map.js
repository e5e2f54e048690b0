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
  const sliders = NUMERIC.map(([name, label, min, max]) => settingSlider(model, name, label, { min, max }));
  const padding = settingSelect(model, "padding", "Padding", PADDINGS, (v) => (/^\d+$/.test(v) ? Number(v) : v));
  const channels = {};
  for (const [name, label] of [["in_channels", "Input channels"], ["out_channels", "Output channels"]]) {
    const input = el("input", { type: "number", min: 1, max: 1024, step: 1, "aria-label": label, "data-setting": name, style: "width:4.5em" });
    input.addEventListener("change", () => save(model, name, Number(input.value)));
    channels[name] = input;
  }
  const controls = controlRow([
    ...sliders.map((s) => s.node),
    el("label", {}, ["Padding", padding]),
    el("label", {}, ["C in", channels.in_channels]),
    el("label", {}, ["C out", channels.out_channels]),
  ]);
  const view = () => viewOf(model);
  let draws = 0;
  const player = stepPlayer(model, root, {
    positions: () => view().positions || 0,
    draw: () => draw(),
    playLabel: "Play or pause the kernel",
    stepLabel: "Move the kernel one position",
    maxSpeed: 30,
    speedLabel: "Speed (positions per second)",
  });

  const error = el("div", { class: "dlw-error", role: "alert", hidden: "" });
  const canvas = el("canvas", { role: "img" });
  const formula = el("div", { class: "dlw-formula" });
  const facts = el("div", { class: "dlw-facts" });
  root.append(controls, controlRow(player.nodes), error, canvas, formula, facts);

  function syncControls() {
    for (const slider of sliders) slider.sync();
    padding.value = String(model.get("padding"));
    for (const [name, input] of Object.entries(channels)) input.value = model.get(name);
    player.speed.value = model.get("speed");
  }

  function draw() {
    const v = view();
    const message = errorOf(model);
    showError(root, error, message);
    root.dataset.outputSize = message ? "" : String(v.out);
    root.dataset.step = String(player.t);
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
    const shown = Math.max(0, Math.min(player.t, v.positions));
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

  const SETTINGS = ["input_size", "kernel_size", "stride", "dilation", "padding", "in_channels", "out_channels", "speed"];
  return followViewAndPlay(model, SETTINGS, player, syncControls, draw);
}

export default { render };
