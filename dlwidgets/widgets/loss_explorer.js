// Loss explorer front end: draws what Python computed with dlwidgets.core (model "view") on one canvas:
// the MSE and cross-entropy gradients of a sigmoid output, softmax with a temperature, or p, q and their KL.
// Appended to _shared.js (el, settingSlider, settingSelect, sizeCanvas, shade, listen, followView, ...).

const LC = { mse: PALETTE.orange, ce: PALETTE.blue, sig: "#888", wrong: PALETTE.vermillion, p: PALETTE.blue,
  q: PALETTE.orange, plain: "#BBB",
  get text() { return THEME.text; }, get muted() { return THEME.muted; }, get grid() { return THEME.empty; }, get frame() { return THEME.grid; } };
const LOSS_PANEL_OPTIONS = [["gradient", "MSE vs cross-entropy gradient"], ["temperature", "softmax temperature"],
  ["divergence", "entropy, cross-entropy and KL"]];
const LOSS_PANEL_SETTINGS = { gradient: ["logit", "target"], temperature: ["temperature"],
  divergence: ["p_centre", "p_width", "q_centre", "q_width"] };

const num = (x, d = 3) => (Math.abs(x) >= 1e4 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(2) : x.toFixed(d));

function axes(ctx, box, xr, yr, { xlabel = "", ylabel = "", xticks = [], yticks = [] } = {}) {
  const X = (x) => box.x + ((x - xr[0]) / (xr[1] - xr[0])) * box.w;
  const Y = (y) => box.y + box.h - ((y - yr[0]) / (yr[1] - yr[0])) * box.h;
  ctx.strokeStyle = LC.grid; ctx.lineWidth = 1; ctx.font = "11px sans-serif"; ctx.fillStyle = LC.muted;
  for (const t of yticks) {
    ctx.beginPath(); ctx.moveTo(box.x, Y(t)); ctx.lineTo(box.x + box.w, Y(t)); ctx.stroke();
    ctx.textAlign = "right"; ctx.fillText(String(t), box.x - 4, Y(t));
  }
  for (const t of xticks) {
    ctx.textAlign = "center"; ctx.fillText(String(t), X(t), box.y + box.h + 10);
  }
  ctx.strokeStyle = LC.frame; ctx.strokeRect(box.x, box.y, box.w, box.h);
  ctx.fillStyle = LC.text; ctx.textAlign = "center"; ctx.fillText(xlabel, box.x + box.w / 2, box.y + box.h + 26);
  ctx.save(); ctx.translate(box.x - 38, box.y + box.h / 2); ctx.rotate(-Math.PI / 2); ctx.fillText(ylabel, 0, 0); ctx.restore();
  return { X, Y };
}

function line(ctx, xs, ys, X, Y, colour, dash = []) {
  ctx.strokeStyle = colour; ctx.lineWidth = 2.5; ctx.setLineDash(dash); ctx.beginPath();
  xs.forEach((x, i) => (i ? ctx.lineTo(X(x), Y(ys[i])) : ctx.moveTo(X(x), Y(ys[i]))));
  ctx.stroke(); ctx.setLineDash([]);
}

function legend(ctx, x, y, items) {
  ctx.font = "12px sans-serif"; ctx.textAlign = "left";
  items.forEach(([label, colour, dash], i) => {
    ctx.strokeStyle = colour; ctx.lineWidth = 3; ctx.setLineDash(dash || []);
    ctx.beginPath(); ctx.moveTo(x, y + i * 16); ctx.lineTo(x + 22, y + i * 16); ctx.stroke(); ctx.setLineDash([]);
    ctx.fillStyle = LC.text; ctx.fillText(label, x + 28, y + i * 16);
  });
}

function bars(ctx, box, series, labels, title, side) {
  const n = labels.length, k = series.length, top = Math.max(...series.flatMap((s) => s.values), 1e-9);
  const { Y } = axes(ctx, box, [0, 1], [0, top * 1.1], { ylabel: "probability", yticks: [0, Number((top / 2).toFixed(2)), Number(top.toFixed(2))] });
  const slot = box.w / n, bw = (slot * 0.8) / k;
  series.forEach((s, j) => {
    s.values.forEach((p, i) => {
      const x = box.x + i * slot + slot * 0.1 + j * bw;
      ctx.fillStyle = s.colour; ctx.fillRect(x, Y(p), bw - 2, box.y + box.h - Y(p));
      if (s.hatch) {
        ctx.strokeStyle = "#fff"; ctx.lineWidth = 1;
        for (let h = Y(p) + 6; h < box.y + box.h; h += 6) { ctx.beginPath(); ctx.moveTo(x, h); ctx.lineTo(x + bw - 2, h - 4); ctx.stroke(); }
      }
    });
  });
  ctx.fillStyle = LC.text; ctx.font = "11px sans-serif"; ctx.textAlign = "center";
  labels.forEach((label, i) => ctx.fillText(label, box.x + i * slot + slot / 2, box.y + box.h + 10));
  ctx.font = "bold 12px sans-serif"; ctx.textAlign = "left"; ctx.fillText(title, box.x, box.y - 12);
  legend(ctx, side.legendX, side.legendY, series.map((s) => [s.label, s.colour]));
}

function render({ model, el: root }) {
  root.classList.add("dlw-loss");
  const panel = settingSelect(model, "panel", "What to show", LOSS_PANEL_OPTIONS);
  const logit = settingSlider(model, "logit", "Logit z", { min: -10, max: 10, step: 0.5, aria: "Logit z of the sigmoid output" });
  const target = settingSelect(model, "target", "Label y", [["1", "y = 1"], ["0", "y = 0"]], Number);
  // Temperature moves on a log scale: the slider holds log10 T and sends T.
  const temp = keyboardRange(el("input", { type: "range", min: -1.3, max: 1.3, step: 0.1, "aria-label": "Softmax temperature T (log scale)", "data-setting": "temperature" }));
  const tempOut = el("output");
  const tempValue = () => Number((10 ** Number(temp.value)).toPrecision(2));
  const tempNeighbours = () => [Number(temp.value) - 0.1, Number(temp.value) + 0.1]
    .filter((t) => t >= -1.3 - 1e-9 && t <= 1.3 + 1e-9).map((t) => Number((10 ** t).toPrecision(2)));
  temp.addEventListener("input", () => { save(model, "temperature", tempValue()); lookAhead(model, "temperature", tempNeighbours()); });
  temp.addEventListener("focus", () => askNearby(model, "temperature", tempNeighbours()));
  const shape = (name, label, max, step) => settingSlider(model, name, label, { min: name.endsWith("centre") ? 0 : 0.3, max, step, aria: label });
  const pc = shape("p_centre", "p peak", 8, 0.5), pw = shape("p_width", "p width", 6, 0.1);
  const qc = shape("q_centre", "q peak", 8, 0.5), qw = shape("q_width", "q width", 6, 0.1);
  const groups = {
    gradient: el("span", { class: "dlw-group" }, [logit.node, el("label", {}, ["Label", target])]),
    temperature: el("span", { class: "dlw-group" }, [el("label", {}, ["Temperature T", temp, tempOut])]),
    divergence: el("span", { class: "dlw-group" }, [pc.node, pw.node, qc.node, qw.node]),
  };
  const controls = controlRow([el("label", {}, ["Show", panel]), ...Object.values(groups)]);
  const error = el("div", { class: "dlw-error", role: "alert", hidden: "" });
  // Arrow keys on the picture move the gradient readout along z, not JupyterLab's shortcuts.
  const canvas = suppressShortcuts(el("canvas", { role: "img", tabindex: "0" }));
  const facts = el("div", { class: "dlw-facts" });
  // Hover over the gradient plot (or ← → on it) to see both gradients at that z worked out from σ(z) and y.
  const readout = el("div", { class: "dlw-readout", "aria-live": "polite" });
  root.append(controls, error, canvas, readout, facts);
  let draws = 0;
  let hover = null;      // index into the gradient panel's grid of z, or null
  let plot = null;       // the gradient plot's box and its z range, for the pointer

  function syncControls() {
    panel.value = model.get("panel");
    target.value = String(model.get("target"));
    const T = Number(model.get("temperature"));
    if (T > 0) temp.value = Math.log10(T);
    tempOut.value = String(model.get("temperature"));
    for (const s of [logit, pc, pw, qc, qw]) s.sync();
    for (const [name, node] of Object.entries(groups)) node.hidden = name !== model.get("panel");
  }

  // Legend and numbers beside the plot in a wide column; in a narrow one, under it (legend left, numbers
  // right), so the picture stays readable instead of scrolling. narrow is decided in draw().
  let narrow = false;
  const beside = (box) => (narrow
    ? { legendX: box.x, legendY: box.y + box.h + 46, textX: box.x + 230, textY: box.y + box.h + 46 }
    : { legendX: box.x + box.w + 16, legendY: box.y + 10, textX: box.x + box.w + 16, textY: box.y + 80 });

  function drawGradient(ctx, v) {
    const box = { x: 60, y: 30, w: 480, h: 230 };
    const { X, Y } = axes(ctx, box, [-10, 10], [-1.05, 1.05], { xlabel: "logit z", ylabel: "dL/dz",
      xticks: [-10, -5, 0, 5, 10], yticks: [-1, -0.5, 0, 0.5, 1] });
    for (const [a, b] of v.regions) {
      ctx.fillStyle = "rgba(213,94,0,0.13)"; ctx.fillRect(X(a), box.y, X(b) - X(a), box.h);
      ctx.fillStyle = LC.wrong; ctx.font = "11px sans-serif"; ctx.textAlign = "center";
      ctx.fillText("saturated and wrong", (X(a) + X(b)) / 2, box.y + 12);
    }
    plot = { box, n: v.grid.length };
    if (hover !== null && hover >= v.grid.length) hover = null;
    if (hover !== null) {
      ctx.strokeStyle = LC.muted; ctx.lineWidth = 1; ctx.setLineDash([3, 3]); ctx.beginPath();
      ctx.moveTo(X(v.grid[hover]), box.y); ctx.lineTo(X(v.grid[hover]), box.y + box.h); ctx.stroke(); ctx.setLineDash([]);
    }
    line(ctx, v.grid, v.sigmoid, X, Y, LC.sig, [2, 3]);
    line(ctx, v.grid, v.mse_grad, X, Y, LC.mse);
    line(ctx, v.grid, v.ce_grad, X, Y, LC.ce, [8, 4]);
    ctx.strokeStyle = LC.text; ctx.lineWidth = 1; ctx.beginPath(); ctx.moveTo(X(v.logit), box.y); ctx.lineTo(X(v.logit), box.y + box.h); ctx.stroke();
    for (const [y, colour] of [[v.mse, LC.mse], [v.ce, LC.ce]]) {
      ctx.fillStyle = colour; ctx.beginPath(); ctx.arc(X(v.logit), Y(y), 5, 0, 2 * Math.PI); ctx.fill();
    }
    ctx.font = "bold 12px sans-serif"; ctx.fillStyle = LC.text; ctx.textAlign = "left";
    ctx.fillText(`gradient the logit gets, label y = ${v.target}`, box.x, box.y - 12);
    const side = beside(box);
    legend(ctx, side.legendX, side.legendY, [["MSE: 2(σ−y)·σ′(z)", LC.mse], ["cross-entropy: σ−y", LC.ce, [8, 4]], ["σ(z), the prediction", LC.sig, [2, 3]]]);
    ctx.font = "12px sans-serif"; ctx.fillStyle = LC.text;
    const lines = [`z = ${v.logit}, σ(z) = ${num(v.prediction, 4)}`, `MSE gradient   ${num(v.mse, 4)}`, `CE gradient    ${num(v.ce, 4)}`,
      `CE / MSE = ${Number.isFinite(v.ratio) ? num(v.ratio, 1) : "∞"}×`];
    lines.forEach((t, i) => ctx.fillText(t, side.textX, side.textY + i * 18));
    showReadout(v);
    facts.textContent = v.in_region ? "Saturated and wrong: the prediction is on the wrong side, the sigmoid is flat, and MSE barely moves the logit." : "";
    Object.assign(root.dataset, { mse: String(v.mse), ce: String(v.ce), inRegion: String(v.in_region), logit: String(v.logit) });
  }

  // Both gradients at the hovered z as the formulas make them from σ(z) and y (σ′ = σ(1 − σ)), beside core's values.
  function showReadout(v) {
    if (hover === null) {
      readout.textContent = "Hover over the plot (or press ← → on it) to see both gradients at that z worked out.";
      delete root.dataset.readoutZ; delete root.dataset.readoutMse; delete root.dataset.readoutCe;
      return;
    }
    const z = v.grid[hover], s = v.sigmoid[hover], y = v.target;
    const mse = 2 * (s - y) * s * (1 - s), ce = s - y;
    const f = (x) => num(x, 4);
    readout.textContent = `z = ${f(z)}, y = ${y}: σ(z) = ${f(s)}, σ′(z) = σ(1 − σ) = ${f(s * (1 - s))}\n`
      + `MSE  dL/dz = 2(σ − y)·σ′ = 2(${f(s)} − ${y})·${f(s * (1 - s))} = ${f(mse)}   (core: ${f(v.mse_grad[hover])})\n`
      + `CE   dL/dz = σ − y = ${f(s)} − ${y} = ${f(ce)}   (core: ${f(v.ce_grad[hover])})`;
    Object.assign(root.dataset, { readoutZ: String(z), readoutMse: String(mse), readoutCe: String(ce) });
  }

  function drawTemperature(ctx, v) {
    const box = { x: 60, y: 30, w: 420, h: 220 };
    bars(ctx, box, [{ label: "T = 1", values: v.plain, colour: LC.plain }, { label: `T = ${v.temperature}`, values: v.probs, colour: LC.p }],
      v.logits.map((z) => `z = ${z}`), `softmax(z / T) at T = ${v.temperature}`, beside(box));
    ctx.font = "12px sans-serif"; ctx.fillStyle = LC.text; ctx.textAlign = "left";
    const { textX, textY } = beside(box);
    ctx.fillText(`entropy ${num(v.entropy)} nats`, textX, textY);
    ctx.fillText(`uniform would be ${num(v.max_entropy)}`, textX, textY + 18);
    ctx.fillText(`largest probability ${num(v.top)}`, textX, textY + 36);
    facts.textContent = "";
    Object.assign(root.dataset, { entropy: String(v.entropy), top: String(v.top), temperature: String(v.temperature) });
  }

  function drawDivergence(ctx, v) {
    const box = { x: 60, y: 30, w: 420, h: 220 };
    bars(ctx, box, [{ label: "p", values: v.p, colour: LC.p }, { label: "q", values: v.q, colour: LC.q, hatch: true }],
      v.p.map((_, i) => String(i)), "two distributions over 9 outcomes", beside(box));
    ctx.font = "12px sans-serif"; ctx.fillStyle = LC.text; ctx.textAlign = "left";
    const { textX, textY } = beside(box);
    [`H(p) = ${num(v.H_p)}   H(q) = ${num(v.H_q)}`, `H(p, q) = ${num(v.H_pq)}`, `H(q, p) = ${num(v.H_qp)}`,
      `KL(p ‖ q) = H(p,q) − H(p) = ${num(v.KL_pq)}`, `KL(q ‖ p) = H(q,p) − H(q) = ${num(v.KL_qp)}`, "(all in nats)"]
      .forEach((t, i) => ctx.fillText(t, textX, textY + i * 18));
    facts.textContent = "";
    Object.assign(root.dataset, { klPq: String(v.KL_pq), klQp: String(v.KL_qp) });
  }

  function draw() {
    const v = viewOf(model);
    const message = errorOf(model);
    showError(root, error, message);
    root.dataset.panel = v.panel || "";
    plot = null;
    if (v.panel !== "gradient") readout.textContent = "";
    if (message || !v.panel) {
      sizeCanvas(canvas, 10, 10); facts.textContent = "";
      canvas.setAttribute("aria-label", message || "");
    } else {
      // beside needs 780 units; below 600 px of room (scaled by at most 0.75) the side column goes under the plot
      narrow = root.clientWidth > 0 && root.clientWidth < 600;
      const ctx = narrow ? sizeCanvas(canvas, 560, 410) : sizeCanvas(canvas, 780, 300);
      ctx.textBaseline = "middle";
      ({ gradient: drawGradient, temperature: drawTemperature, divergence: drawDivergence })[v.panel](ctx, v);
      canvas.setAttribute("aria-label", v.description || "");
    }
    root.dataset.draws = String(++draws);
  }

  // The grid index under the pointer on the gradient plot, or null.
  function indexAt(e) {
    if (!plot) return null;
    const { x, y } = canvasPoint(canvas, e), { box, n } = plot;
    if (x < box.x || x > box.x + box.w || y < box.y || y > box.y + box.h) return null;
    return Math.round(((x - box.x) / box.w) * (n - 1));
  }
  canvas.addEventListener("pointermove", (e) => {
    const next = indexAt(e);
    if (next !== hover) { hover = next; draw(); }
  });
  canvas.addEventListener("pointerleave", () => { if (hover !== null) { hover = null; draw(); } });
  canvas.addEventListener("keydown", (e) => {
    const v = viewOf(model);
    if (!plot || !v.grid || (e.key !== "ArrowLeft" && e.key !== "ArrowRight")) return;
    const start = hover !== null ? hover : v.grid.reduce((best, z, i) => (Math.abs(z - v.logit) < Math.abs(v.grid[best] - v.logit) ? i : best), 0);
    hover = Math.max(0, Math.min(v.grid.length - 1, start + (e.key === "ArrowRight" ? 1 : -1)));
    draw();
    e.preventDefault();
    e.stopPropagation();
  });

  const onView = () => { syncControls(); draw(); };
  const unfollow = followView(model, Object.keys(LOSS_PANEL_SETTINGS).flatMap((k) => LOSS_PANEL_SETTINGS[k]).concat(["panel"]), onView, syncControls);
  return () => unfollow();
}

export default { render };
