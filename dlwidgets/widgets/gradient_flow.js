// Gradient-flow meter front end: per-layer gradient norms on a log scale and the verdict on
// the first/last ratio. Settings go to Python, which runs one forward and backward pass.

const INIT_NAMES = [["zeros", "zeros"], ["small_normal", "N(0, 0.01²)"], ["glorot_uniform", "Glorot uniform"],
  ["glorot_normal", "Glorot normal"], ["he_uniform", "He uniform"], ["he_normal", "He normal"],
  ["lecun_normal", "LeCun normal"], ["orthogonal", "orthogonal"]];
const FLOW_ACTIVATIONS = [["sigmoid", "sigmoid"], ["tanh", "tanh"], ["relu", "ReLU"], ["leaky_relu", "leaky ReLU"],
  ["elu", "ELU"], ["gelu", "GELU"], ["identity", "identity (linear)"]];
const FLOW_COLORS = { vanishing: PALETTE.sky, healthy: PALETTE.green, exploding: PALETTE.vermillion };

function render({ model, el: root }) {
  root.classList.add("dlw-gf");
  const clipOn = el("input", { type: "checkbox", "aria-label": "Clip gradients by global norm", "data-setting": "clip" });
  const maxNorm = slider(model, "max_norm", "max norm", 0.1, 10, 0.1, (v) => v.toFixed(1));
  clipOn.addEventListener("change", () => {
    model.set("max_norm", clipOn.checked ? lastMaxNorm : 0);
    model.save_changes();
  });
  const controls = [
    slider(model, "depth", "Depth", 1, 100, 1),
    slider(model, "width", "Width", 4, 256, 4),
    selector(model, "activation", "Activation", FLOW_ACTIVATIONS),
    selector(model, "init", "Init", INIT_NAMES),
    slider(model, "weight_scale", "Weight scale ×", 0.1, 4, 0.1, (v) => v.toFixed(1)),
    checkbox(model, "batch_norm", "Batch norm"),
    checkbox(model, "residual", "Residual"),
    maxNorm,
  ];
  const row1 = controlRow(controls.slice(0, 5).map((c) => c.node));
  const row2 = controlRow([controls[5].node, controls[6].node, el("label", {}, [clipOn, "Clip gradients:"]), maxNorm.node]);
  const error = el("div", { class: "dlw-error", role: "alert", hidden: "" });
  const badge = el("div", { class: "dlw-badge", "aria-live": "polite", "data-badge": "weights" });
  const signalBadge = el("div", { class: "dlw-badge", "data-badge": "signal" });
  const badges = el("div", { class: "dlw-badges" }, [badge, signalBadge]);
  // Hover over the plot (or arrow keys on it) to read one layer's norms.
  const canvas = suppressShortcuts(el("canvas", { role: "img", tabindex: "0" }));
  const readout = el("div", { class: "dlw-readout", "aria-live": "polite" });
  const facts = el("div", { class: "dlw-facts" });
  root.append(row1, row2, error, badges, canvas, readout, facts);
  let draws = 0, plot = null, hover = null;   // plot: the last box drawn; hover: the layer read out (1-based)

  let lastMaxNorm = 1;   // where the max-norm slider sits while clipping is off
  function sync() {
    for (const c of controls) c.sync();
    const m = model.get("max_norm");
    clipOn.checked = typeof m === "number" && m > 0;
    maxNorm.input.disabled = !clipOn.checked;
    if (clipOn.checked) lastMaxNorm = m;
    else {
      maxNorm.input.value = String(lastMaxNorm);
      maxNorm.node.querySelector("output").value = "off";
    }
  }

  function draw() {
    const v = viewOf(model);
    const message = errorOf(model);
    showError(root, error, message);
    if (message || !v.layers) {
      sizeCanvas(canvas, 10, 10);
      badges.hidden = true; facts.textContent = ""; readout.textContent = ""; plot = null;
      root.dataset.flow = ""; root.dataset.ratio = "";
      root.dataset.draws = String(++draws);
      return;
    }
    const series = [v.weight_grad_norms, v.activation_grad_norms].concat(v.clipped_weight_norms ? [v.clipped_weight_norms] : []);
    const positive = series.flat().filter((x) => x !== null && x > 0);
    let lo = positive.length ? Math.min(...positive) : 1e-3, hi = positive.length ? Math.max(...positive) : 1;
    lo = Math.pow(10, Math.floor(Math.log10(lo)) - 0.3); hi = Math.pow(10, Math.ceil(Math.log10(hi)) + 0.3);
    if (hi / lo < 100) { lo /= 10; hi *= 10; }
    const ctx = sizeCanvas(canvas, 720, 322);
    const xs = v.layers;
    const box = plotBox(ctx, 70, 22, 620, 230, {
      x: [0.5, xs.length + 0.5], y: [lo, hi], logY: true,
      xTicks: ticks(1, xs.length, 10).filter((t) => Number.isInteger(t) && t >= 1),
      title: "gradient norm per hidden layer (log scale)", xLabel: "hidden layer (1 = next to the input)", yLabel: "norm",
    });
    // A norm of exactly 0 has no place on a log scale: the line breaks there and a ring on the bottom
    // edge marks it, never a flat line along the floor that reads as "tiny".
    const floored = (arr) => arr.map((x) => (x === null || x === 0 ? null : Math.max(x, lo)));
    polyline(ctx, box, xs, floored(v.activation_grad_norms), PALETTE.orange, 2, [6, 4]);
    polyline(ctx, box, xs, floored(v.weight_grad_norms), PALETTE.blue, 2.5);
    ctx.fillStyle = PALETTE.blue;
    if (xs.length <= 60) for (let i = 0; i < xs.length; i++) {
      const y = v.weight_grad_norms[i];
      if (y !== null && y > 0) { ctx.beginPath(); ctx.arc(box.px(xs[i]), box.py(Math.max(y, lo)), 2.5, 0, 2 * Math.PI); ctx.fill(); }
    }
    let zeros = 0;
    for (const [values, colour] of [[v.weight_grad_norms, PALETTE.blue], [v.activation_grad_norms, PALETTE.orange]]) {
      ctx.strokeStyle = colour; ctx.lineWidth = 1.5;
      for (let i = 0; i < xs.length; i++) {
        if (values[i] !== 0) continue;
        zeros += 1;
        ctx.beginPath(); ctx.arc(box.px(xs[i]), box.top + box.height - 5, 3.5, 0, 2 * Math.PI); ctx.stroke();
      }
    }
    root.dataset.zeroNorms = String(zeros);
    plot = box;
    if (hover !== null && hover >= 1 && hover <= xs.length) {
      ctx.save(); ctx.strokeStyle = THEME.muted; ctx.setLineDash([3, 3]); ctx.lineWidth = 1;
      ctx.beginPath(); ctx.moveTo(box.px(hover), box.top); ctx.lineTo(box.px(hover), box.top + box.height); ctx.stroke();
      ctx.restore();
    }
    const entries = [[PALETTE.blue, "‖dL/dW_l‖  weights"], [PALETTE.orange, "‖dL/dh_l‖  layer outputs", [6, 4]]];
    if (v.clipped_weight_norms) {
      polyline(ctx, box, xs, floored(v.clipped_weight_norms), PALETTE.green, 2, [2, 3]);
      entries.push([PALETTE.green, "‖dL/dW_l‖ after clipping", [2, 3]]);
    }
    entries.forEach((entry, i) => legend(ctx, box.left + 10 + i * 210, 310, [entry]));   // below the plot, never over a curve
    if (zeros) {
      ctx.fillStyle = THEME.muted; ctx.font = "11px sans-serif"; ctx.textAlign = "right"; ctx.textBaseline = "bottom";
      ctx.fillText("○ on the bottom edge: exactly 0 (no place on a log scale)", box.left + box.width - 4, box.top + box.height - 11);
    }
    showReadout(v);

    const flow = v.flow;
    badges.hidden = false;
    for (const [node, f, text] of [
      [badge, flow, `weights ‖dL/dW_1‖ / ‖dL/dW_${v.depth}‖ = ${v.ratio_text}  →  ${flow.toUpperCase()}`],
      [signalBadge, v.signal_flow, `signal ‖dL/dh_1‖ / ‖dL/dh_${v.depth}‖ = ${v.signal_ratio_text}  →  ${v.signal_flow.toUpperCase()}`],
    ]) {
      node.style.background = FLOW_COLORS[f];
      node.style.color = f === "vanishing" ? "#000" : "#fff";
      node.textContent = text;
    }
    facts.textContent = "";
    const sat = v.saturated.reduce((a, b) => a + b, 0) / v.saturated.length;
    const dead = v.dead.reduce((a, b) => a + b, 0) / v.dead.length;
    const items = [
      ...(v.verdict ? [v.verdict] : []),
      `total gradient norm: ${fmtNumber(v.total_norm)}`,
      v.clipped_norm === null ? "no clipping" : `after clipping: ${fmtNumber(v.clipped_norm)}`,
      `saturated units (mean over layers): ${fmtPercent(sat)}`,
      `dead units (f′ = 0): ${fmtPercent(dead)}`,
      `healthy: ratio between ${v.vanishing_below} and ${v.exploding_above}`,
      `loss: ${fmtNumber(v.loss, 4)}`,
    ];
    for (const text of items) facts.append(el("span", { text }));
    canvas.setAttribute("aria-label", v.description || "");
    root.dataset.flow = flow;
    root.dataset.signalFlow = v.signal_flow;
    root.dataset.verdict = v.verdict || "";
    root.dataset.ratio = v.ratio === null ? "" : String(v.ratio);
    root.dataset.depth = String(v.depth);
    root.dataset.weightScale = String(v.weight_scale);
    root.dataset.activation = v.activation;
    root.dataset.batchNorm = String(v.batch_norm);
    root.dataset.draws = String(++draws);
  }

  // One layer's numbers, from core's view: its weight-gradient and output-gradient norms.
  function showReadout(v) {
    if (!v || !v.layers || hover === null || hover < 1 || hover > v.layers.length) {
      readout.textContent = v && v.layers ? "Hover over the plot to read one layer's gradient norms." : "";
      delete root.dataset.readoutLayer;
      return;
    }
    const l = hover, w = v.weight_grad_norms[l - 1], a = v.activation_grad_norms[l - 1];
    const show = (x) => (x === null ? "not defined" : x === 0 ? "0 (exactly)" : fmtNumber(x));
    readout.textContent = `layer ${l} of ${v.depth}:  ‖dL/dW_${l}‖ = ${show(w)}   ‖dL/dh_${l}‖ = ${show(a)}`
      + (v.clipped_weight_norms ? `   after clipping ‖dL/dW_${l}‖ = ${show(v.clipped_weight_norms[l - 1])}` : "");
    root.dataset.readoutLayer = String(l);
  }
  canvas.addEventListener("pointermove", (e) => {
    const v = viewOf(model);
    if (!plot || !v.layers) return;
    const { x } = canvasPoint(canvas, e);
    const layer = Math.round(0.5 + ((x - plot.left) / plot.width) * v.layers.length);
    const next = layer >= 1 && layer <= v.layers.length ? layer : null;
    if (next !== hover) { hover = next; draw(); }
  });
  canvas.addEventListener("pointerleave", () => { if (hover !== null) { hover = null; draw(); } });
  canvas.addEventListener("keydown", (e) => {
    const v = viewOf(model);
    if (!v.layers || !(e.key === "ArrowLeft" || e.key === "ArrowRight")) return;
    e.preventDefault();
    e.stopPropagation();
    hover = Math.max(1, Math.min(v.layers.length, (hover || 0) + (e.key === "ArrowRight" ? 1 : -1)));
    draw();
  });

  const onView = () => { sync(); draw(); };
  const names = ["depth", "width", "activation", "init", "weight_scale", "batch_norm", "residual", "max_norm"];
  return followView(model, names, onView, sync);
}

export default { render };
