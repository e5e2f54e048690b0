// Attention map front end: heat maps of scores and weights drawn from what Python computed
// (model "view"); choosing a query row happens in the browser (click or arrow keys).
// Appended to _shared.js (el, settingSlider, settingSelect, sizeCanvas, shade, listen, ...).

const C = { weight: PALETTE.blue, pos: PALETTE.orange, neg: PALETTE.sky, masked: "#9A9A9A", fixed: PALETTE.vermillion,
  attended: PALETTE.green, get text() { return THEME.text; }, get muted() { return THEME.muted; }, get grid() { return THEME.grid; }, sel: PALETTE.vermillion };
const KINDS = [["scaled", "scaled dot  q·k/√d_k"], ["dot", "dot  q·k"], ["additive", "additive  vᵀtanh(W_q q + W_k k)"]];
const DKS = ["1", "4", "16", "64", "256"];
const MASKS = [["none", "none"], ["causal", "causal (decoder)"], ["padding", "padding"]];
const PANELS = [["attention", "heat maps"], ["bottleneck", "why attention: the bottleneck"]];

const fmt = (x) => (x === 0 ? "0" : Math.abs(x) >= 1e3 || Math.abs(x) < 1e-2 ? x.toExponential(1) : x.toFixed(2));

function render({ model, el: root }) {
  root.classList.add("dlw-attn");
  const panel = settingSelect(model, "panel", "What to show", PANELS);
  const kind = settingSelect(model, "kind", "Score function", KINDS);
  const dk = settingSelect(model, "d_k", "Key size d_k", DKS, Number);
  // The temperature slider moves on a log scale: it shows log10 T and sends T.
  const temp = keyboardRange(el("input", { type: "range", min: -2, max: 2, step: 0.05, "aria-label": "Softmax temperature (log scale)", "data-setting": "temperature" }));
  temp.addEventListener("input", () => save(model, "temperature", Number((10 ** Number(temp.value)).toPrecision(3))));
  const tempOut = el("output");
  const mask = settingSelect(model, "mask", "Mask", MASKS);
  const pad = settingSlider(model, "padding", "Padding", { min: 0, max: 15, aria: "Padding tokens at the end" });
  const src = settingSlider(model, "source_length", "Source length", { min: 2, max: 40 });
  const heatControls = el("span", { class: "dlw-group" }, [
    el("label", {}, ["Scores", kind]), el("label", {}, ["d_k", dk]), el("label", {}, ["Temperature", temp, tempOut]),
    el("label", {}, ["Mask", mask]), pad.node]);
  const bottleControls = el("span", { class: "dlw-group" }, [src.node]);
  const controls = controlRow([el("label", {}, ["Show", panel]), heatControls, bottleControls]);
  const error = el("div", { class: "dlw-error", role: "alert", hidden: "" });
  // Arrow keys on the picture choose the query row, not JupyterLab's shortcuts.
  const canvas = suppressShortcuts(el("canvas", { role: "img", tabindex: "0" }));
  const facts = el("div", { class: "dlw-facts" });
  // Hover over a cell (or Shift + arrow keys on the picture) to see its weight as the softmax of its row.
  const readout = el("div", { class: "dlw-readout", "aria-live": "polite" });
  root.append(controls, error, canvas, readout, facts);
  let hover = null;   // [query row, key column, "scores" | "weights"]

  let draws = 0, selected = model.get("selected"), geometry = null;
  const view = () => viewOf(model);

  function syncControls() {
    panel.value = model.get("panel"); kind.value = model.get("kind");
    dk.value = String(model.get("d_k"));
    const T = Number(model.get("temperature"));
    if (T > 0) temp.value = Math.log10(T);
    tempOut.value = String(model.get("temperature"));
    mask.value = model.get("mask");
    const tokens = model.get("tokens");   // checked by Python: it may be anything until then
    pad.input.max = Math.max(0, (Array.isArray(tokens) ? tokens.length : 0) - 1);
    pad.sync();
    pad.input.disabled = model.get("mask") !== "padding";
    src.sync();
    const heat = model.get("panel") !== "bottleneck";
    heatControls.hidden = !heat; bottleControls.hidden = heat;
  }

  function setup(width, height) {
    const ctx = sizeCanvas(canvas, width, height);
    ctx.textBaseline = "middle";
    return ctx;
  }

  function heat(ctx, x0, y0, cell, tokens, values, colour, masked, numbers, title, format = fmt) {
    const L = tokens.length;
    ctx.font = "bold 12px sans-serif"; ctx.fillStyle = C.text; ctx.textAlign = "left";
    ctx.fillText(title, x0 - 40, y0 - 62);
    ctx.font = "11px sans-serif";
    for (let r = 0; r < L; r++) {
      ctx.textAlign = "right"; ctx.fillStyle = r === selected ? C.sel : C.text;
      ctx.fillText(tokens[r], x0 - 4, y0 + r * cell + cell / 2);
      for (let c = 0; c < L; c++) {
        const x = x0 + c * cell, y = y0 + r * cell;
        if (masked && masked[r][c]) {
          ctx.fillStyle = "#E6E6E6"; ctx.fillRect(x, y, cell - 1, cell - 1);
          ctx.strokeStyle = C.masked; ctx.lineWidth = 1;
          ctx.beginPath(); ctx.moveTo(x + 2, y + cell - 3); ctx.lineTo(x + cell - 3, y + 2); ctx.stroke();
          if (numbers) { ctx.fillStyle = "#555"; ctx.textAlign = "center"; ctx.fillText("−∞", x + cell / 2, y + cell / 2); }
          continue;
        }
        const [fill, dark] = colour(values[r][c]);
        ctx.fillStyle = fill; ctx.fillRect(x, y, cell - 1, cell - 1);
        // the cells are shades of a colour from white, in either theme: dark ink on them, white on the darkest
        if (numbers) { ctx.fillStyle = dark ? "#fff" : "#000"; ctx.textAlign = "center"; ctx.fillText(format(values[r][c]), x + cell / 2, y + cell / 2); }
      }
    }
    for (let c = 0; c < L; c++) {   // each label rotated on its own, inside the canvas's own scale
      ctx.save();
      ctx.translate(x0 + c * cell + cell / 2, y0 - 5); ctx.rotate(-Math.PI / 4);
      ctx.textAlign = "left"; ctx.fillStyle = C.text; ctx.fillText(tokens[c], 0, 0);
      ctx.restore();
    }
    ctx.strokeStyle = C.sel; ctx.lineWidth = 2;
    ctx.strokeRect(x0 - 1, y0 + selected * cell - 1, L * cell + 1, cell + 1);
    ctx.fillStyle = C.muted; ctx.textAlign = "center";
    ctx.fillText("keys →", x0 + (L * cell) / 2, y0 + L * cell + 10);
  }

  // The hovered cell's weight as softmax of its row of scores: exp((s − max) / T) over the row's sum.
  function showReadout(v) {
    if (!v || !hover) {
      readout.textContent = v ? "Hover over a cell to see its weight worked out as the softmax of its row." : "";
      delete root.dataset.readoutWeight; delete root.dataset.readoutCell;
      return;
    }
    const [r, k] = hover, T = v.temperature, row = v.scores[r], hidden = v.masked[r];
    const open = row.map((_, j) => !hidden[j]);
    const top = Math.max(...row.filter((_, j) => open[j]));
    const e = row.map((s, j) => (open[j] ? Math.exp((s - top) / T) : 0));
    const total = e.reduce((a, b) => a + b, 0);
    const q = v.tokens[r], key = v.tokens[k];
    readout.textContent = hidden[k]
      ? `query “${q}”, key “${key}”: hidden by the mask, score −∞, so its weight is exp(−∞) / … = 0`
      : `query “${q}”, key “${key}”: score ${fmt(row[k])}; weight = exp((${fmt(row[k])} − ${fmt(top)}) / ${T}) / Σ_j exp((s_j − ${fmt(top)}) / ${T})`
        + ` = ${e[k].toPrecision(3)} / ${total.toPrecision(4)} = ${(e[k] / total).toFixed(4)}   (core: ${v.weights[r][k].toFixed(4)})`;
    root.dataset.readoutCell = `${r},${k}`;
    root.dataset.readoutWeight = String(hidden[k] ? 0 : e[k] / total);
  }

  function drawAttention(v) {
    const L = v.tokens.length;
    const cell = Math.max(18, Math.min(44, Math.floor(300 / L)));
    const numbers = cell >= 34;
    const left = 70, top = 78, gap = 110;
    const barX = left + 2 * (L * cell) + 2 * gap - 30;
    const width = barX + 240, height = top + L * cell + 40;
    const ctx = setup(width, height);
    const sMax = v.score_abs_max;
    const scoreColour = (s) => { const a = Math.min(1, Math.abs(s) / sMax); return [shade(s >= 0 ? C.pos : C.neg, a), false]; };
    const weightColour = (w) => [shade(C.weight, w), w > 0.55];
    heat(ctx, left, top, cell, v.tokens, v.scores, scoreColour, v.mask === "none" ? null : v.masked, numbers,
      `${v.kind} scores${v.mask === "none" ? "" : " (hidden: −∞)"}`);
    const x2 = left + L * cell + gap;
    heat(ctx, x2, top, cell, v.tokens, v.weights, weightColour, null, numbers, `softmax(scores / ${v.temperature}) weights`,
      (w) => w.toFixed(2));
    // bars of the selected query's weights
    const w = v.weights[selected];
    ctx.font = "bold 12px sans-serif"; ctx.fillStyle = C.text; ctx.textAlign = "left";
    ctx.fillText(`query “${v.tokens[selected]}” reads:`, barX, top - 62);
    ctx.font = "11px sans-serif";
    for (let c = 0; c < L; c++) {
      const y = top + c * cell;
      ctx.fillStyle = C.text; ctx.textAlign = "right"; ctx.fillText(v.tokens[c], barX + 46, y + cell / 2);
      ctx.fillStyle = v.masked[selected][c] ? "#E6E6E6" : shade(C.weight, 1);
      ctx.fillRect(barX + 50, y + 3, Math.max(1, 150 * w[c]), cell - 6);
      ctx.fillStyle = C.text; ctx.textAlign = "left";
      ctx.fillText(v.masked[selected][c] ? "0 (masked)" : w[c].toFixed(3), barX + 54 + 150 * w[c], y + cell / 2);
    }
    geometry = { top, cell, L, left, x2 };
    canvas.dataset.rowTop = String(top); canvas.dataset.rowHeight = String(cell);
    canvas.dataset.weightsLeft = String(x2);
    if (hover && (hover[0] >= L || hover[1] >= L)) hover = null;
    if (hover) {
      const [r, k] = hover, gx = hover[2] === "scores" ? left : x2;
      ctx.strokeStyle = C.text; ctx.lineWidth = 2; ctx.strokeRect(gx + k * cell - 1, top + r * cell - 1, cell + 1, cell + 1);
    }
    const c = v.compare;
    facts.textContent = "";
    if (v.kind === "additive") {
      const s = v.shown_stats;
      facts.append(el("span", { text: `additive vᵀtanh(W_q q + W_k k): score std ${s.score_std.toFixed(2)}, largest weight per row ${s.mean_max_weight.toFixed(2)} on average (1/√d_k scales dot products only)` }));
    } else {
      facts.append(
        el("span", { text: `unscaled q·k: score std ${c.dot.score_std.toFixed(2)}, largest weight per row ${c.dot.mean_max_weight.toFixed(2)} on average` }),
        el("span", { text: `scaled q·k/√${v.d_k}: std ${c.scaled.score_std.toFixed(2)}, largest weight ${c.scaled.mean_max_weight.toFixed(2)}` }),
      );
    }
    showReadout(v);
    root.dataset.selected = String(selected);
    root.dataset.rowMax = String(v.row_max[selected]);
    root.dataset.maskedWeight = String(v.weights.reduce((s, row, r) => s + row.reduce((t, x, k) => t + (v.masked[r][k] ? x : 0), 0), 0));
  }

  function drawBottleneck(v) {
    const L = v.source_length, H = v.hidden;
    const cell = Math.max(5, Math.min(14, Math.floor(260 / L)));
    const top = 40, left = 20;
    const plotX = left + H * 9 + 60, plotW = 300, plotH = L * cell;
    const mapX = plotX + plotW + 70;
    const width = mapX + L * cell + 20, height = top + Math.max(L * cell, 120) + 72;
    const ctx = setup(width, height);
    ctx.font = "bold 12px sans-serif"; ctx.fillStyle = C.text; ctx.textAlign = "left";
    ctx.fillText("no attention: what the decoder", left, top - 28);
    ctx.fillText("gets at each of its steps", left, top - 14);
    const fmax = Math.max(1e-12, ...v.fixed.map(Math.abs));
    for (let r = 0; r < L; r++) {
      for (let u = 0; u < H; u++) {
        const x = v.fixed[u] / fmax;
        ctx.fillStyle = shade(x >= 0 ? C.pos : C.neg, Math.min(1, Math.abs(x)));
        ctx.fillRect(left + u * 9, top + r * cell, 8, cell - 1);
      }
    }
    // axes of the left grid: one column per number of the fixed context, one row per decoder step
    ctx.strokeStyle = C.grid; ctx.lineWidth = 1; ctx.strokeRect(left - 0.5, top - 0.5, H * 9, L * cell);
    ctx.font = "11px sans-serif"; ctx.fillStyle = C.muted; ctx.textAlign = "center";
    ctx.fillText("1", left + 4, top + L * cell + 10); ctx.fillText(String(H), left + (H - 1) * 9 + 4, top + L * cell + 10);
    ctx.fillText(`context number (1…${H})`, left + (H * 9) / 2, top + L * cell + 24);
    ctx.save(); ctx.translate(left + H * 9 + 12, top + (L * cell) / 2); ctx.rotate(Math.PI / 2);
    ctx.fillText(`decoder step 1…${L} ↓`, 0, 0); ctx.restore();
    ctx.textAlign = "left";
    ctx.fillText(`the same ${H} numbers at every step, for ${v.input_numbers} in`, left, top + L * cell + 38);
    Object.assign(canvas.dataset, { gridRight: String(left + H * 9), gridTop: String(top), gridHeight: String(L * cell) });   // for tests
    // influence, log scale
    const logs = v.influence.map((x) => Math.log10(Math.max(x, 1e-300)));
    const lo = Math.min(...logs), hi = Math.max(...logs), span = Math.max(hi - lo, 1);
    ctx.font = "bold 12px sans-serif"; ctx.fillStyle = C.text;
    ctx.fillText("influence of source token j on that state", plotX, top - 28);
    ctx.font = "11px sans-serif"; ctx.fillText(`||∂ sum(h_T) / ∂x_j||, log scale ${fmt(10 ** lo)} … ${fmt(10 ** hi)}`, plotX, top - 14);
    ctx.strokeStyle = C.grid; ctx.lineWidth = 1; ctx.strokeRect(plotX, top, plotW, plotH);
    for (let j = 0; j < L; j++) {
      const len = 2 + ((logs[j] - lo) / span) * (plotW - 2);
      ctx.fillStyle = C.fixed; ctx.fillRect(plotX, top + j * cell + 1, len, cell - 2);
    }
    ctx.fillStyle = C.muted; ctx.textAlign = "right";
    ctx.fillText("j = 1", plotX - 3, top + cell / 2); ctx.fillText(`j = ${L}`, plotX - 3, top + (L - 0.5) * cell);
    // attention weights
    ctx.textAlign = "left"; ctx.font = "bold 12px sans-serif"; ctx.fillStyle = C.text;
    ctx.fillText("with attention: weights", mapX, top - 28);
    ctx.font = "11px sans-serif"; ctx.fillText("rows: decoder steps, columns: source", mapX, top - 14);
    for (let r = 0; r < L; r++) for (let c = 0; c < L; c++) {
      ctx.fillStyle = shade(C.weight, v.weights[r][c]); ctx.fillRect(mapX + c * cell, top + r * cell, cell - 1, cell - 1);
    }
    const diag = v.diagonal.reduce((s, x) => s + x, 0) / L;
    facts.textContent = "";
    facts.append(
      el("span", { text: `without attention: token 1 moves the context ${fmt(v.influence_first)}× as much as token ${L}` }),
      el("span", { text: `with attention: mean weight on the matching source position ${diag.toFixed(2)} (temperature ${v.temperature})` }),
    );
    root.dataset.influenceFirst = String(v.influence_first);
    geometry = null;
    showReadout(null);
  }

  function draw() {
    const v = view();
    const message = errorOf(model);
    showError(root, error, message);
    root.dataset.panel = v.panel || "";
    if (message || !v.panel) {
      setup(10, 10); facts.textContent = ""; readout.textContent = "";
      canvas.setAttribute("aria-label", message || "");
    } else {
      if (v.panel === "attention") { selected = Math.max(0, Math.min(v.tokens.length - 1, selected)); drawAttention(v); }
      else drawBottleneck(v);
      canvas.setAttribute("aria-label", v.description || "");
    }
    root.dataset.draws = String(++draws);
  }

  function choose(row) {
    const v = view();
    if (v.panel !== "attention") return;
    selected = Math.max(0, Math.min(v.tokens.length - 1, row));
    draw();
    save(model, "selected", selected);
  }
  canvas.addEventListener("keydown", (e) => {
    if (e.shiftKey && e.key.startsWith("Arrow") && geometry) {   // Shift + arrows: the cell whose arithmetic is shown
      const [r, k] = hover || [selected, 0];
      const d = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] }[e.key];
      const last = geometry.L - 1;
      hover = hover ? [Math.max(0, Math.min(last, r + d[0])), Math.max(0, Math.min(last, k + d[1])), "weights"] : [r, k, "weights"];
      draw();
    } else if (e.key === "ArrowDown") choose(selected + 1);
    else if (e.key === "ArrowUp") choose(selected - 1);
    else return;
    e.preventDefault();
    e.stopPropagation();
  });
  canvas.addEventListener("click", (e) => {
    if (!geometry) return;
    const { y } = canvasPoint(canvas, e);
    const row = Math.floor((y - geometry.top) / geometry.cell);
    if (row >= 0 && row < geometry.L) choose(row);
  });
  // The cell under the pointer, in either heat map: [row, column, which map], or null.
  function cellAt(e) {
    if (!geometry) return null;
    const { x, y } = canvasPoint(canvas, e);
    const r = Math.floor((y - geometry.top) / geometry.cell);
    for (const [x0, name] of [[geometry.left, "scores"], [geometry.x2, "weights"]]) {
      const k = Math.floor((x - x0) / geometry.cell);
      if (r >= 0 && r < geometry.L && k >= 0 && k < geometry.L) return [r, k, name];
    }
    return null;
  }
  canvas.addEventListener("pointermove", (e) => {
    const next = cellAt(e);
    if (JSON.stringify(next) !== JSON.stringify(hover)) { hover = next; draw(); }
  });
  canvas.addEventListener("pointerleave", () => { if (hover) { hover = null; draw(); } });

  const onView = () => { syncControls(); draw(); };
  const onSelected = () => { selected = model.get("selected"); draw(); };
  const SETTINGS = ["panel", "kind", "d_k", "temperature", "mask", "padding", "source_length"];
  const unlisten = [
    listen(model, ["change:selected"], onSelected),
    followView(model, SETTINGS, onView, syncControls),
  ];
  return () => { for (const off of unlisten) off(); };
}

export default { render };
