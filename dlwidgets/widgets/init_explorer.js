// Initialisation explorer front end: one histogram of activations per hidden layer, and the
// activation std through depth. Layers whose units are all identical are drawn in vermillion.

const IE_INITS = [["zeros", "zeros"], ["constant", "constant 0.1"], ["small_normal", "N(0, 0.01²)"],
  ["glorot_uniform", "Glorot uniform"], ["glorot_normal", "Glorot normal"], ["he_uniform", "He uniform"],
  ["he_normal", "He normal"], ["lecun_normal", "LeCun normal"], ["orthogonal", "orthogonal"]];
const IE_ACTIVATIONS = [["tanh", "tanh"], ["sigmoid", "sigmoid"], ["relu", "ReLU"], ["leaky_relu", "leaky ReLU"],
  ["elu", "ELU"], ["gelu", "GELU"], ["identity", "identity (linear)"]];

function render({ model, el: root }) {
  root.classList.add("dlw-ie");
  const controls = [
    selector(model, "init", "Init", IE_INITS),
    selector(model, "activation", "Activation", IE_ACTIVATIONS),
    slider(model, "depth", "Depth", 1, 30, 1),
    slider(model, "weight_scale", "Weight scale ×", 0.1, 4, 0.1, (v) => v.toFixed(1)),
    slider(model, "train_steps", "SGD steps", 0, 20, 1),
  ];
  const row = controlRow(controls.map((c) => c.node));
  const error = el("div", { class: "dlw-error", role: "alert", hidden: "" });
  const canvas = el("canvas", { role: "img" });
  const facts = el("div", { class: "dlw-facts" });
  root.append(row, error, canvas, facts);
  let draws = 0;

  function sync() { for (const c of controls) c.sync(); }

  function draw() {
    const v = viewOf(model);
    const message = errorOf(model);
    showError(root, error, message);
    if (message || !v.panels) {
      sizeCanvas(canvas, 10, 10); facts.textContent = "";
      root.dataset.draws = String(++draws);
      return;
    }
    const ctx = sizeCanvas(canvas, 760, 330);
    const n = v.panels.length, gap = 8, left = 40, w = Math.floor((700 - gap * (n - 1)) / n), h = 110, top = 34;
    ctx.font = "bold 12px sans-serif"; ctx.textAlign = "left"; ctx.fillStyle = THEME.text;
    ctx.fillText(`activations per layer (${v.activation}, ${v.init} × ${v.weight_scale})` +
      (v.train_steps ? `, after ${v.train_steps} SGD steps` : ""), left, 14);
    v.panels.forEach((p, i) => {
      const x0 = left + i * (w + gap);
      ctx.strokeStyle = THEME.muted; ctx.lineWidth = 1; ctx.strokeRect(x0 + 0.5, top + 0.5, w, h);
      ctx.fillStyle = p.identical ? PALETTE.vermillion : PALETTE.blue;
      const bw = w / v.bins, peak = Math.max(...p.fraction, 1e-12);  // each panel scaled to its own tallest bin
      p.fraction.forEach((f, b) => {
        const bh = (f / peak) * (h - 4);
        if (bh > 0) ctx.fillRect(x0 + b * bw, top + h - bh, Math.max(1, bw - 0.3), bh);
      });
      ctx.fillStyle = THEME.text; ctx.font = "11px sans-serif"; ctx.textAlign = "center";
      ctx.fillText(`layer ${p.layer}`, x0 + w / 2, top - 6);
      ctx.fillText(`std ${fmtNumber(p.std, 2)}`, x0 + w / 2, top + h + 26);
      if (p.identical) { ctx.fillStyle = PALETTE.vermillion; ctx.fillText("all identical", x0 + w / 2, top + h + 40); }
      ctx.fillStyle = THEME.muted; ctx.font = "9px sans-serif";
      ctx.textAlign = "left"; ctx.fillText(fmtNumber(v.lo, 2), x0, top + h + 11);
      ctx.textAlign = "right"; ctx.fillText(fmtNumber(v.hi, 2), x0 + w, top + h + 11);
    });
    const stds = v.std_by_layer.map((s) => (s === null ? null : Math.max(s, 1e-12)));
    const finite = stds.filter((s) => s !== null);
    let lo = Math.min(...finite), hi = Math.max(...finite);
    lo = Math.pow(10, Math.floor(Math.log10(lo))); hi = Math.pow(10, Math.ceil(Math.log10(hi)));
    if (hi / lo < 10) hi = lo * 10;
    const layers = stds.map((_, i) => i + 1);
    const box = plotBox(ctx, 80, 222, 620, 72, {
      x: [0.5, layers.length + 0.5], y: [lo, hi], logY: true,
      xTicks: ticks(1, layers.length, 10).filter((t) => Number.isInteger(t) && t >= 1),
      title: "activation std through depth (log scale)", xLabel: "hidden layer",
    });
    polyline(ctx, box, layers, stds, PALETTE.green, 2.5);
    facts.textContent = "";
    const same = v.identical_by_layer.filter(Boolean).length;
    facts.append(el("span", { text: same ? `${same} of ${v.depth} layers: every unit identical (symmetry not broken)` : "every layer has distinct units" }));
    facts.append(el("span", { text: `loss: ${fmtNumber(v.loss, 4)}` }));
    canvas.setAttribute("aria-label", v.description || "");
    root.dataset.identicalLayers = String(same);
    root.dataset.lastStd = String(v.std_by_layer[v.std_by_layer.length - 1]);
    root.dataset.trainSteps = String(v.train_steps);
    root.dataset.draws = String(++draws);
  }

  const onView = () => { sync(); draw(); };
  return followView(model, ["init", "activation", "depth", "weight_scale", "train_steps"], onView, sync);
}

export default { render };
