// Activation explorer front end: f and f' side by side, saturated regions shaded grey, the
// chosen input distribution as an orange histogram. Every number comes from the "view".

const ACTIVATION_NAMES = [["sigmoid", "sigmoid"], ["tanh", "tanh"], ["relu", "ReLU"], ["leaky_relu", "leaky ReLU"],
  ["elu", "ELU"], ["gelu", "GELU"], ["gelu_tanh", "GELU (tanh approx.)"], ["identity", "identity"]];

function render({ model, el: root }) {
  root.classList.add("dlw-ae");
  const controls = [
    selector(model, "activation", "Activation", ACTIVATION_NAMES),
    slider(model, "input_mean", "Input mean", -5, 5, 0.1, (v) => v.toFixed(1)),
    slider(model, "input_std", "Input std", 0.1, 5, 0.1, (v) => v.toFixed(1)),
    slider(model, "x_range", "x range ±", 2, 12, 1),
  ];
  const row = controlRow(controls.map((c) => c.node));
  const error = el("div", { class: "dlw-error", role: "alert", hidden: "" });
  const canvas = el("canvas", { role: "img" });
  const facts = el("div", { class: "dlw-facts", "aria-live": "polite" });
  root.append(row, error, canvas, facts);
  let draws = 0;

  function sync() { for (const c of controls) c.sync(); }

  function panel(ctx, v, left, key, color, title) {
    const ys = v[key];
    let lo = Math.min(...ys), hi = Math.max(...ys);
    const pad = 0.1 * ((hi - lo) || 1);
    lo -= pad; hi += pad;
    const span = v.x[v.x.length - 1];
    const box = plotBox(ctx, left, 26, 300, 190, { x: [-span, span], y: [lo, hi], title, xLabel: "x (pre-activation)" });
    ctx.save();
    ctx.beginPath(); ctx.rect(box.left, box.top, box.width, box.height); ctx.clip();
    ctx.fillStyle = "rgba(153,153,153,0.30)";
    for (const [a, b] of v.saturated_regions) {
      const x0 = box.px(a), x1 = box.px(b);
      ctx.fillRect(x0, box.top, Math.max(1, x1 - x0), box.height);
    }
    const edges = v.hist_edges, dens = v.hist_density;
    const top = Math.max(...dens) || 1;
    ctx.fillStyle = "rgba(230,159,0,0.40)";
    for (let i = 0; i < dens.length; i++) {
      const h = (dens[i] / top) * box.height * 0.4;
      const x0 = box.px(edges[i]), x1 = box.px(edges[i + 1]);
      ctx.fillRect(x0, box.top + box.height - h, x1 - x0 - 0.5, h);
    }
    ctx.strokeStyle = "#bbb"; ctx.setLineDash([3, 3]);
    if (lo < 0 && hi > 0) { ctx.beginPath(); ctx.moveTo(box.left, box.py(0)); ctx.lineTo(box.left + box.width, box.py(0)); ctx.stroke(); }
    ctx.beginPath(); ctx.moveTo(box.px(0), box.top); ctx.lineTo(box.px(0), box.top + box.height); ctx.stroke();
    ctx.restore();
    polyline(ctx, box, v.x, ys, color, 2.5);
    return box;
  }

  function draw() {
    const v = viewOf(model);
    const message = errorOf(model);
    showError(root, error, message);
    if (message || !v.x) {
      sizeCanvas(canvas, 10, 10);
      facts.textContent = "";
      root.dataset.draws = String(++draws);
      return;
    }
    const ctx = sizeCanvas(canvas, 720, 250);
    panel(ctx, v, 56, "f", PALETTE.blue, `${v.activation}(x)`);
    panel(ctx, v, 410, "df", PALETTE.vermillion, `${v.activation}′(x)   (peak ${fmtNumber(v.peak, 4)})`);
    legend(ctx, 420, 40, [[PALETTE.orange, "inputs drawn"], ["#999", "saturated: |f′| < 1% of peak"]]);
    facts.textContent = "";
    const items = [
      `saturated: ${fmtPercent(v.saturated_fraction)} of inputs`,
      v.dead_fraction === null ? null : `inactive share (x ≤ 0): ${fmtPercent(v.dead_fraction)}`,
      `mean output: ${fmtNumber(v.output_mean, 3)}`,
      `outputs > 0: ${fmtPercent(v.output_positive)}`,
      v.outside >= 0.001 ? `${fmtPercent(v.outside)} of inputs lie off the plotted range` : null,
    ];
    for (const text of items) if (text) facts.append(el("span", { text }));
    canvas.setAttribute("aria-label", v.description || "");
    root.dataset.activation = v.activation;
    root.dataset.saturated = String(v.saturated_fraction);
    root.dataset.dead = v.dead_fraction === null ? "" : String(v.dead_fraction);
    root.dataset.draws = String(++draws);
  }

  const onView = () => { sync(); draw(); };
  return followView(model, ["activation", "input_mean", "input_std", "x_range"], onView, sync);
}

export default { render };
