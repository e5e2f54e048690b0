// Normalisation-axes front end: the tensor drawn as cells coloured by the group that shares one mean
// and variance (from Python's view), batch norm's running statistics played step by step in the
// browser, and the spread of the batch statistics against the batch size.
// Appended to _shared.js (el, settingSlider, settingSelect, stepPlayer, sizeCanvas, shade, PALETTE, ...).

const GROUP_COLOURS = [PALETTE.orange, PALETTE.sky, PALETTE.green, PALETTE.yellow, PALETTE.blue, PALETTE.vermillion, PALETTE.purple];
// Text, axes and outlines on the background follow the theme; numbers and outlines on the coloured cells stay dark.
const INK = { get text() { return THEME.text; }, get muted() { return THEME.muted; }, get axis() { return THEME.grid; },
  get selected() { return THEME.text; }, cellText: "#000", cellOutline: PALETTE.black };

const KINDS = [["batch", "Batch norm"], ["layer", "Layer norm"], ["instance", "Instance norm"], ["group", "Group norm"]];
const SHAPES = [["N,C", "(N, C): fully connected"], ["N,C,2,2", "(N, C, 2, 2): convolutional"]];
const MODES = [["train", "train"], ["eval", "eval"]];
const SLIDERS = [
  ["num_groups", "Groups", 1, 6, 1],
  ["batch_size", "Batch size", 1, 16, 1],
  ["sample", "Sample", 0, 15, 1],
  ["channel", "Channel", 0, 5, 1],
  ["momentum", "Momentum", 0.01, 1, 0.01],
  ["gamma", "γ", -3, 3, 0.1],
  ["beta", "β", -3, 3, 0.1],
];

const fmt = (x) => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(3));

function render({ model, el: root }) {
  root.classList.add("dlw-norm");
  const kind = settingSelect(model, "kind", "Normalisation scheme", KINDS);
  const shape = settingSelect(model, "shape", "Tensor shape", SHAPES);
  const mode = settingSelect(model, "mode", "Train or eval mode", MODES);
  const sliders = SLIDERS.map(([name, label, min, max, step]) => settingSlider(model, name, label, { min, max, step }));
  const byName = Object.fromEntries(SLIDERS.map(([name], i) => [name, sliders[i]]));
  const rows = [
    controlRow([el("label", {}, ["Scheme", kind]), byName.num_groups.node, byName.batch_size.node,
      el("label", {}, ["Shape", shape]), el("label", {}, ["Mode", mode])]),
    controlRow([byName.sample.node, byName.channel.node, byName.momentum.node, byName.gamma.node, byName.beta.node]),
  ];
  const view = () => viewOf(model);
  let draws = 0;
  const stamps = [];
  const player = stepPlayer(model, root, {
    positions: () => view().steps || 0,
    draw: () => draw(),
    playLabel: "Play or pause the running statistics",
    stepLabel: "One more training batch",
    maxSpeed: 60,
    speedLabel: "Speed (training batches per second)",
  });
  const scrub = keyboardRange(el("input", { type: "range", min: 0, max: 60, step: 1, "aria-label": "Training batches seen", "data-setting": "step" }));
  scrub.addEventListener("input", () => {
    player.t = Number(scrub.value);
    save(model, "step", player.t);
    draw();
  });
  const error = el("div", { class: "dlw-error", role: "alert", hidden: "" });
  // Arrow keys on the picture choose the cell whose output the readout works out, not JupyterLab's shortcuts.
  const canvas = suppressShortcuts(el("canvas", { role: "img", tabindex: "0" }));
  const readout = el("div", { class: "dlw-readout", "aria-live": "polite" });
  let hover = null, geometry = null;   // [sample, channel, position] under the pointer; where the cells are
  const formula = el("div", { class: "dlw-formula" });
  const evalLine = el("div", { class: "dlw-formula" });
  const warning = el("div", { class: "dlw-warning", role: "note" });
  root.append(...rows, controlRow([...player.nodes, el("label", {}, ["Batches seen", scrub])]), error, canvas, readout,
    formula, evalLine, warning);

  function syncControls() {
    for (const slider of sliders) slider.sync();
    kind.value = model.get("kind");
    shape.value = model.get("shape");
    mode.value = model.get("mode");
    player.speed.value = model.get("speed");
  }

  function drawTensor(ctx, v, left, top, width, height) {
    const p = v.positions, gapCells = 0.5;
    const across = v.batch_size * p + (v.batch_size - 1) * gapCells;
    const cell = Math.max(6, Math.min(30, Math.floor(Math.min(width / across, (height - 30) / v.channels))));
    const chosen = v.selected.label;
    geometry = { left, top: top + 18, cell, p, step: (p + gapCells) * cell, n: v.batch_size, c: v.channels };
    Object.assign(canvas.dataset, { cellLeft: String(left), cellTop: String(top + 18), cellSize: String(cell) });   // for tests
    ctx.font = "10px sans-serif"; ctx.textAlign = "center"; ctx.textBaseline = "middle";
    for (let n = 0; n < v.batch_size; n++) {
      const x0 = left + n * (p + gapCells) * cell;
      ctx.fillStyle = INK.muted;
      ctx.fillText(`n=${n}`, x0 + (p * cell) / 2, top + 8);
      for (let c = 0; c < v.channels; c++) {
        for (let q = 0; q < p; q++) {
          const label = v.labels[n][c][q];
          const x = x0 + q * cell, y = top + 18 + c * cell;
          ctx.fillStyle = shade(GROUP_COLOURS[label % GROUP_COLOURS.length], label === chosen ? 1 : 0.3);
          ctx.fillRect(x + 1, y + 1, cell - 2, cell - 2);
          if (label === chosen) { ctx.strokeStyle = INK.cellOutline; ctx.lineWidth = 1; ctx.strokeRect(x + 0.5, y + 0.5, cell - 1, cell - 1); }
          if (cell >= 22) { ctx.fillStyle = INK.cellText; ctx.fillText(v.values[n][c][q].toFixed(1), x + cell / 2, y + cell / 2); }
        }
      }
    }
    ctx.textAlign = "right";
    for (let c = 0; c < v.channels; c++) { ctx.fillStyle = INK.muted; ctx.fillText(`c=${c}`, left - 4, top + 18 + c * cell + cell / 2); }
    const sx = left + v.sample * (p + gapCells) * cell, sy = top + 18 + v.channel * cell;
    ctx.strokeStyle = INK.cellOutline; ctx.lineWidth = 3;
    ctx.strokeRect(sx + 1.5, sy + 1.5, cell - 3, cell - 3);
    if (hover) {   // the hovered cell, outlined in the page's text colour on top of the cell's own dark outline
      const hx = left + hover[0] * (p + gapCells) * cell + hover[2] * cell, hy = top + 18 + hover[1] * cell;
      ctx.strokeStyle = INK.text; ctx.lineWidth = 2; ctx.strokeRect(hx - 1, hy - 1, cell + 2, cell + 2);
    }
    ctx.textAlign = "left"; ctx.fillStyle = INK.text;
    const s = v.selected;
    ctx.fillText(`${v.groups} groups of ${v.group_size} cells; selected group: μ = ${fmt(s.mean)}, σ = ${fmt(s.std)}`,
      left, top + 30 + v.channels * cell);
  }

  function axes(ctx, left, top, width, height, title) {
    ctx.strokeStyle = INK.axis; ctx.lineWidth = 1;
    ctx.beginPath(); ctx.moveTo(left, top); ctx.lineTo(left, top + height); ctx.lineTo(left + width, top + height); ctx.stroke();
    ctx.fillStyle = INK.text; ctx.textAlign = "left"; ctx.textBaseline = "bottom"; ctx.font = "11px sans-serif";
    ctx.fillText(title, left, top - 3);
  }

  function yLabels(ctx, left, top, height, lo, hi) {
    ctx.fillStyle = INK.muted; ctx.textAlign = "right"; ctx.textBaseline = "middle"; ctx.font = "10px sans-serif";
    ctx.fillText(hi.toFixed(2), left - 3, top);
    ctx.fillText(lo.toFixed(2), left - 3, top + height);
    ctx.textAlign = "left"; ctx.font = "11px sans-serif";
  }

  function drawRunning(ctx, v, t, left, top, width, height) {
    axes(ctx, left, top, width, height, `channel ${v.channel}: running mean (line), batch means (dots)`);
    if (!v.steps) {
      ctx.fillStyle = INK.muted; ctx.textBaseline = "middle";
      ctx.fillText(v.kind === "batch" ? "no running statistics at one value per channel" : "no running statistics: not batch norm",
        left + 6, top + height / 2);
      return;
    }
    const all = v.running_mean.concat(v.batch_means, [v.population.mean]);
    const lo = Math.min(...all), hi = Math.max(...all), span = hi - lo || 1;
    const X = (i) => left + (i / v.steps) * width, Y = (y) => top + height - ((y - lo) / span) * height;
    yLabels(ctx, left, top, height, lo, hi);
    ctx.setLineDash([3, 3]); ctx.strokeStyle = INK.muted;
    ctx.beginPath(); ctx.moveTo(left, Y(v.population.mean)); ctx.lineTo(left + width, Y(v.population.mean)); ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = PALETTE.orange;
    for (let i = 1; i <= t; i++) ctx.fillRect(X(i) - 1.5, Y(v.batch_means[i - 1]) - 1.5, 3, 3);
    ctx.strokeStyle = PALETTE.blue; ctx.lineWidth = 2;
    ctx.beginPath(); ctx.moveTo(X(0), Y(v.running_mean[0]));
    for (let i = 1; i <= t; i++) ctx.lineTo(X(i), Y(v.running_mean[i]));
    ctx.stroke();
    ctx.fillStyle = INK.text; ctx.textBaseline = "top";
    ctx.fillText(`after ${t} batches: running mean ${fmt(v.running_mean[t])}, running std ${fmt(v.running_std[t])} ` +
      `(population ${v.population.mean}, ${v.population.std})`, left, top + height + 3);
  }

  function drawSpread(ctx, v, left, top, width, height) {
    axes(ctx, left, top, width, height, "spread of the batch mean (blue) and std (orange) vs batch size");
    const hi = 1.1 * Math.max(...v.mean_spread, ...v.std_spread) || 1;
    const n = v.spread_sizes.length;
    const X = (i) => left + 10 + (i / (n - 1)) * (width - 20), Y = (y) => top + height - (y / hi) * height;
    yLabels(ctx, left, top, height, 0, hi);
    for (const [series, colour] of [[v.mean_spread, PALETTE.blue], [v.std_spread, PALETTE.orange]]) {
      ctx.strokeStyle = colour; ctx.lineWidth = 1.5; ctx.beginPath();
      series.forEach((y, i) => (i ? ctx.lineTo(X(i), Y(y)) : ctx.moveTo(X(i), Y(y))));
      ctx.stroke();
      ctx.fillStyle = colour;
      series.forEach((y, i) => ctx.fillRect(X(i) - 2, Y(y) - 2, 4, 4));
    }
    ctx.fillStyle = INK.text; ctx.textAlign = "center"; ctx.textBaseline = "top";
    v.spread_sizes.forEach((b, i) => {
      ctx.font = b === v.batch_size ? "bold 11px sans-serif" : "11px sans-serif";
      ctx.fillText(String(b), X(i), top + height + 3);
    });
    const here = v.spread_sizes.indexOf(v.batch_size);
    if (here >= 0) { ctx.strokeStyle = INK.selected; ctx.strokeRect(X(here) - 5, Y(v.mean_spread[here]) - 5, 10, 10); }
    ctx.textAlign = "left"; ctx.font = "11px sans-serif";
  }

  // The hovered cell's output worked out with its own group's mean and variance (Python's numbers from core).
  function showReadout(v) {
    if (!hover || !v.group_means) {
      readout.textContent = v.group_means ? "Hover over a cell (or focus the picture and use the arrow keys) to see its output worked out." : "";
      delete root.dataset.readoutCell;
      return;
    }
    const [n, c, q] = hover, g = v.labels[n][c][q], x = v.values[n][c][q];
    const mean = v.group_means[g], variance = v.group_variances[g];
    readout.textContent = `train mode, sample ${n}, channel ${c}${v.positions > 1 ? `, position ${q}` : ""}: x = ${x.toFixed(3)}, in group ${g} `
      + `(μ = ${mean.toFixed(3)}, σ² = ${variance.toFixed(3)}); γ·(x − μ)/√(σ² + ε) + β = `
      + `${v.gamma}·(${x.toFixed(3)} − ${mean.toFixed(3)})/√(${variance.toFixed(3)} + 1e-5) + ${v.beta} = ${v.outputs[n][c][q].toFixed(3)}`;
    root.dataset.readoutCell = `${n},${c},${q}`;
    root.dataset.readoutOutput = String(v.outputs[n][c][q]);
  }

  function cellAt(e) {
    if (!geometry) return null;
    const { x, y } = canvasPoint(canvas, e), gm = geometry;
    const n = Math.floor((x - gm.left) / gm.step), q = Math.floor((x - gm.left - n * gm.step) / gm.cell);
    const c = Math.floor((y - gm.top) / gm.cell);
    return n >= 0 && n < gm.n && q >= 0 && q < gm.p && c >= 0 && c < gm.c ? [n, c, q] : null;
  }
  canvas.addEventListener("pointermove", (e) => {
    const next = cellAt(e);
    if (JSON.stringify(next) !== JSON.stringify(hover)) { hover = next; draw(); }
  });
  canvas.addEventListener("pointerleave", () => { if (hover) { hover = null; draw(); } });
  canvas.addEventListener("keydown", (e) => {
    const d = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -1, ArrowDown: 1 }[e.key];
    if (d === undefined || !geometry) return;
    e.preventDefault();
    e.stopPropagation();
    const gm = geometry;
    let [n, c, q] = hover || [0, 0, 0];
    if (hover && (e.key === "ArrowLeft" || e.key === "ArrowRight")) {   // along the positions, then the samples
      const i = Math.max(0, Math.min(gm.n * gm.p - 1, n * gm.p + q + d));
      n = Math.floor(i / gm.p); q = i % gm.p;
    } else if (hover) c = Math.max(0, Math.min(gm.c - 1, c + d));
    hover = [n, c, q];
    draw();
  });

  function draw() {
    const v = view();
    const message = errorOf(model);
    showError(root, error, message);
    root.dataset.kind = message ? "" : v.kind;
    root.dataset.step = String(player.t);
    root.dataset.groups = message ? "" : String(v.groups);
    if (message || !v.labels) {
      sizeCanvas(canvas, 10, 10);
      formula.textContent = ""; evalLine.textContent = ""; warning.textContent = "";
      canvas.setAttribute("aria-label", message || "");
      geometry = null; readout.textContent = "";
      root.dataset.draws = String(++draws);
      return;
    }
    if (hover && (hover[0] >= v.batch_size || hover[2] >= v.positions)) hover = null;   // the batch or shape changed
    byName.sample.input.max = String(v.batch_size - 1);   // the selected sample lies inside the batch
    const t = Math.max(0, Math.min(player.t, v.steps));
    scrub.max = String(v.steps); scrub.value = String(t); scrub.disabled = !v.steps;
    // side by side in a wide column; in a narrow one the two plots go under the tensor (not shrunk past reading)
    const narrow = root.clientWidth > 0 && root.clientWidth < 0.8 * 860;
    const ctx = narrow ? sizeCanvas(canvas, 460, 600) : sizeCanvas(canvas, 860, 300);
    drawTensor(ctx, v, 34, 4, 400, 280);
    drawRunning(ctx, v, t, narrow ? 50 : 480, narrow ? 325 : 20, narrow ? 390 : 360, 100);
    drawSpread(ctx, v, narrow ? 50 : 480, narrow ? 485 : 175, narrow ? 390 : 360, 95);
    showReadout(v);
    root.dataset.layout = narrow ? "stacked" : "wide";
    const evalOut = v.steps ? v.eval_outputs[t] : null;
    formula.textContent = `train mode, selected cell: ${v.train_formula}`;
    evalLine.textContent = v.steps
      ? `eval mode after ${t} batches: γ·(x − running mean)/√(running var + ε) + β = ${fmt(evalOut)}`
      : (v.eval_note || "eval mode: no running statistics at one value per channel");
    formula.classList.toggle("dlw-active", v.mode === "train");
    evalLine.classList.toggle("dlw-active", v.mode === "eval");
    warning.textContent = v.warning;
    warning.hidden = !v.warning;
    root.dataset.mean = v.selected.mean.toFixed(6);
    root.dataset.std = v.selected.std.toFixed(6);
    root.dataset.output = (v.mode === "eval" && v.steps ? evalOut : v.selected.output).toFixed(6);
    canvas.setAttribute("aria-label", v.description || "");
    const now = performance.now();
    stamps.push(now);
    while (stamps.length && now - stamps[0] > 1000) stamps.shift();
    root.dataset.fps = String(stamps.length);
    root.dataset.draws = String(++draws);
  }

  const SETTINGS = ["kind", "num_groups", "batch_size", "shape", "sample", "channel", "mode", "momentum", "gamma",
    "beta", "speed"];
  return followViewAndPlay(model, SETTINGS, player, syncControls, draw);
}

export default { render };
