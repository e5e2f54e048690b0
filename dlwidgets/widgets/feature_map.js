// Feature-map calculator front end: draws what Python computed (model "view") on a canvas
// and animates the kernel in the browser. Settings go back to Python, which recomputes.
// Appended to _shared.js (el, keyboardRange, controlRow, sizeCanvas, listen, showError, PALETTE).

const COLORS = { input: PALETTE.sky, pad: PALETTE.grey, kernel: PALETTE.orange, output: PALETTE.green, current: PALETTE.blue,
  weightPos: PALETTE.orange, weightNeg: PALETTE.sky, ink: PALETTE.black };   // ink: numbers on coloured cells

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
  // Text boxes, so that what the learner typed reaches Python as typed ("abc" is said to be no whole
  // number, not read as 0); Enter or leaving the box sends it.
  for (const [name, label] of [["in_channels", "Input channels"], ["out_channels", "Output channels"]]) {
    const input = el("input", { type: "text", inputmode: "numeric", "aria-label": label, "data-setting": name, style: "width:4.5em" });
    const send = () => {
      const text = input.value.trim();
      const value = /^[0-9]+$/.test(text) ? Number(text) : text;
      if (JSON.stringify(value) !== JSON.stringify(model.get(name))) save(model, name, value);
    };
    input.addEventListener("change", send);
    input.addEventListener("keydown", (event) => {
      if (event.key !== "Enter") return;
      event.preventDefault();
      event.stopPropagation();
      send();
    });
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
  // Hover or step onto an output cell (arrow keys on the picture) to see its window, the products and their sum.
  const canvas = suppressShortcuts(el("canvas", { role: "img", tabindex: "0" }));
  const readout = el("div", { class: "dlw-readout", "aria-live": "polite" });
  const formula = el("div", { class: "dlw-formula" });
  const facts = el("div", { class: "dlw-facts" });
  root.append(controls, controlRow(player.nodes), error, canvas, readout, formula, facts);
  let hover = null, layout = null;   // hover: output [row, col] under the pointer or chosen by key

  function syncControls() {
    for (const slider of sliders) slider.sync();
    padding.value = String(model.get("padding"));
    for (const [name, input] of Object.entries(channels)) input.value = model.get(name);
    player.speed.value = model.get("speed");
  }

  // The padded input's value at row r, column c (zero in the padding).
  function paddedValue(v, r, c) {
    const i = r - v.pad_before, j = c - v.pad_before;
    return i >= 0 && i < v.n && j >= 0 && j < v.n ? v.input[i][j] : 0;
  }

  // What output cell (r, c) is made of: the window under the kernel, element-wise products, their sum
  // (shown beside core's output value, which it equals).
  function arithmetic(v, r, c) {
    const rows = [];
    let sum = 0;
    for (let a = 0; a < v.k; a++) {
      const terms = [];
      for (let b = 0; b < v.k; b++) {
        const x = paddedValue(v, r * v.stride + a * v.dilation, c * v.stride + b * v.dilation), w = v.kernel[a][b];
        sum += x * w;
        terms.push(`${x}·${w < 0 ? `(${w})` : w}`);
      }
      rows.push(terms.join(" + "));
    }
    return { rows, sum, value: v.output[r][c] };
  }

  function showReadout(v, at) {
    if (!at || !v.n) {
      readout.textContent = v.n ? "Hover over an output cell, or focus the picture and use the arrow keys, to see its arithmetic." : "";
      delete root.dataset.readoutCell; delete root.dataset.readoutSum; delete root.dataset.readoutValue;
      return;
    }
    const [r, c] = at, math = arithmetic(v, r, c);
    const window = `rows ${r * v.stride}-${r * v.stride + (v.k - 1) * v.dilation}, columns ${c * v.stride}-${c * v.stride + (v.k - 1) * v.dilation} of the padded input`;
    readout.textContent = `output[${r}, ${c}] = sum of window × kernel (${window}):\n`
      + math.rows.map((row, a) => `  ${a === 0 ? " " : "+"} ${row}`).join("\n")
      + `\n  = ${math.sum}   (core: ${v.output[r][c]})`;
    root.dataset.readoutCell = `${r},${c}`;
    root.dataset.readoutSum = String(math.sum);
    root.dataset.readoutValue = String(math.value);
  }

  function draw() {
    const v = view();
    const message = errorOf(model);
    showError(root, error, message);
    root.dataset.outputSize = message ? "" : String(v.out);
    root.dataset.step = String(player.t);
    root.dataset.positions = String(v.positions || 0);
    if (message || !v.n) {
      sizeCanvas(canvas, 10, 10);
      formula.textContent = ""; facts.textContent = ""; readout.textContent = ""; layout = null;
      canvas.setAttribute("aria-label", message || "");
      root.dataset.draws = String(++draws);
      return;
    }
    const size = v.n + v.pad_before + v.pad_after;
    // Three grids side by side (padded input, kernel, output), cells as large as the width allows.
    const room = Math.max(320, (root.clientWidth || 720) - 8);
    const gap = 36;
    const cell = Math.max(8, Math.min(30, Math.floor((room - 2 * gap - 10) / (size + v.k + v.out))));
    const kx = size * cell + gap, ox = kx + v.k * cell + gap;
    const width = ox + v.out * cell + 10;
    const top = 22;
    const height = top + Math.max(size, v.out, v.k) * cell + 6;
    const ctx = sizeCanvas(canvas, width, height);
    layout = { ox, top, cell, out: v.out };
    Object.assign(canvas.dataset, { outputLeft: String(ox), gridTop: String(top), cell: String(cell) });   // for tests
    const numbers = cell >= 16;
    ctx.textAlign = "center"; ctx.textBaseline = "middle";
    ctx.font = "bold 12px sans-serif";
    ctx.fillStyle = THEME.text;
    ctx.fillText(`padded input ${size}×${size}`, (size * cell) / 2, 9);
    ctx.fillText(`kernel ${v.k}×${v.k}`, kx + (v.k * cell) / 2, 9);
    ctx.fillText(`output ${v.out}×${v.out}`, ox + (v.out * cell) / 2, 9);
    ctx.font = `${Math.max(10, Math.floor(cell * 0.45))}px sans-serif`;
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) {
        const i = r - v.pad_before, j = c - v.pad_before;
        const inside = i >= 0 && i < v.n && j >= 0 && j < v.n;
        ctx.fillStyle = inside ? COLORS.input : COLORS.pad;
        ctx.fillRect(c * cell + 1, top + r * cell + 1, cell - 2, cell - 2);
        if (numbers) { ctx.fillStyle = COLORS.ink; ctx.fillText(inside ? v.input[i][j] : 0, c * cell + cell / 2, top + r * cell + cell / 2); }
      }
    }
    // The kernel's weights: orange for positive, blue for negative, the panel's colour for zero.
    for (let a = 0; a < v.k; a++) {
      for (let b = 0; b < v.k; b++) {
        const w = v.kernel[a][b];
        ctx.fillStyle = w > 0 ? COLORS.weightPos : w < 0 ? COLORS.weightNeg : THEME.empty;
        ctx.fillRect(kx + b * cell + 1, top + a * cell + 1, cell - 2, cell - 2);
        if (cell >= 12) { ctx.fillStyle = w === 0 ? THEME.text : COLORS.ink; ctx.fillText(w, kx + b * cell + cell / 2, top + a * cell + cell / 2); }
      }
    }
    const shown = Math.max(0, Math.min(player.t, v.positions));
    for (let p = 0; p < v.out * v.out; p++) {
      const r = Math.floor(p / v.out), c = p % v.out;
      const x = ox + c * cell, y = top + r * cell;
      const lit = p < shown || (hover && hover[0] === r && hover[1] === c);
      ctx.fillStyle = lit ? COLORS.output : THEME.empty;
      ctx.fillRect(x + 1, y + 1, cell - 2, cell - 2);
      if (numbers && lit) { ctx.fillStyle = COLORS.ink; ctx.fillText(v.output[r][c], x + cell / 2, y + cell / 2); }
    }
    // The window of the hovered cell, else of the animation's current position.
    const at = hover && hover[0] < v.out && hover[1] < v.out ? hover
      : shown > 0 ? [Math.floor((shown - 1) / v.out), (shown - 1) % v.out] : null;
    if (at) {
      const [r, c] = at;
      ctx.lineWidth = 3; ctx.strokeStyle = COLORS.kernel;
      for (let a = 0; a < v.k; a++) {
        for (let b = 0; b < v.k; b++) {
          ctx.strokeRect((c * v.stride + b * v.dilation) * cell + 1.5, top + (r * v.stride + a * v.dilation) * cell + 1.5, cell - 3, cell - 3);
        }
      }
      ctx.strokeStyle = COLORS.current;
      ctx.strokeRect(ox + c * cell + 1.5, top + r * cell + 1.5, cell - 3, cell - 3);
    }
    const hovering = hover && hover[0] < v.out && hover[1] < v.out;
    showReadout(v, hovering ? hover : shown > 0 && shown < v.positions ? at : null);
    formula.textContent = `output size: ${v.formula}`;
    facts.textContent = "";
    facts.append(
      el("span", { text: `receptive field of one output: ${v.receptive_field}×${v.receptive_field}` }),
      el("span", { text: `jump (stride): ${v.jump}` }),
      v.params_error
        ? el("span", { class: "dlw-params-error", text: `parameters: ${v.params_error}` })
        : el("span", { text: `parameters: ${v.params_formula}` }),
    );
    root.dataset.paramsError = v.params_error || "";
    canvas.setAttribute("aria-label", v.description || "");
    root.dataset.draws = String(++draws);
  }

  // Hover: the output cell under the pointer; arrow keys on the focused picture move it.
  canvas.addEventListener("pointermove", (event) => {
    if (!layout) return;
    const { x, y } = canvasPoint(canvas, event);
    const c = Math.floor((x - layout.ox) / layout.cell), r = Math.floor((y - layout.top) / layout.cell);
    const next = r >= 0 && r < layout.out && c >= 0 && c < layout.out ? [r, c] : null;
    if (JSON.stringify(next) !== JSON.stringify(hover)) { hover = next; draw(); }
  });
  canvas.addEventListener("pointerleave", () => { if (hover) { hover = null; draw(); } });
  const MOVES = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
  canvas.addEventListener("keydown", (event) => {
    if (!layout) return;
    if (event.key === "Escape") { hover = null; draw(); return; }
    if (!(event.key in MOVES)) return;
    event.preventDefault();
    event.stopPropagation();
    const [dr, dc] = MOVES[event.key], last = layout.out - 1;
    const [r, c] = hover || [0, -dc];
    hover = [Math.max(0, Math.min(last, r + (hover ? dr : 0))), Math.max(0, Math.min(last, c + dc))];
    draw();
  });

  const SETTINGS = ["input_size", "kernel_size", "stride", "dilation", "padding", "in_channels", "out_channels", "speed"];
  return followViewAndPlay(model, SETTINGS, player, syncControls, draw);
}

export default { render };
