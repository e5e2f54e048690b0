// Imbalance explorer front end: the training points, SMOTE's synthetic points and the decision boundary on the
// left, the held-out precision-recall curve with the model's operating point on the right, all from Python's view.
// Appended to _shared.js (el, settingSlider, settingSelect, checkbox, sizeCanvas, followView, ...).

const IC = { major: PALETTE.sky, minor: PALETTE.vermillion, synth: PALETTE.purple, curve: PALETTE.blue,
  get line() { return THEME.text; }, get text() { return THEME.text; }, get muted() { return THEME.muted; },
  get grid() { return THEME.empty; }, get frame() { return THEME.grid; } };
const METHODS = [["none", "none"], ["over", "random over-sampling"], ["under", "random under-sampling"], ["smote", "SMOTE"]];

function render({ model, el: root }) {
  root.classList.add("dlw-imb");
  const minority = settingSlider(model, "minority", "Minority share", { min: 0.02, max: 0.5, step: 0.01,
    aria: "Share of the minority class" });
  const method = settingSelect(model, "method", "Resampling method", METHODS);
  const k = settingSlider(model, "k", "SMOTE k", { min: 1, max: 10, aria: "SMOTE: number of nearest neighbours" });
  const weighted = checkbox(model, "weighted", "class weights", { aria: "Weigh the loss by balanced class weights" });
  const seed = settingSlider(model, "seed", "Seed", { min: 0, max: 20, aria: "Seed of the data" });
  const controls = controlRow([minority.node, el("label", {}, ["Resampling", method]), k.node, weighted.node, seed.node]);
  const error = el("div", { class: "dlw-error", role: "alert", hidden: "" });
  const canvas = el("canvas", { role: "img" });
  const facts = el("div", { class: "dlw-facts" });
  root.append(controls, error, canvas, facts);
  let draws = 0;

  function syncControls() {
    method.value = model.get("method");
    for (const s of [minority, k, seed, weighted]) s.sync();
    k.input.disabled = model.get("method") !== "smote";
  }

  function marker(ctx, x, y, kind) {
    if (kind === "minor") {
      ctx.fillStyle = IC.minor; ctx.beginPath(); ctx.moveTo(x, y - 4); ctx.lineTo(x + 4, y + 3); ctx.lineTo(x - 4, y + 3); ctx.fill();
    } else if (kind === "synth") {
      ctx.strokeStyle = IC.synth; ctx.lineWidth = 1.3; ctx.beginPath();
      ctx.moveTo(x - 3, y - 3); ctx.lineTo(x + 3, y + 3); ctx.moveTo(x + 3, y - 3); ctx.lineTo(x - 3, y + 3); ctx.stroke();
    } else {
      ctx.fillStyle = IC.major; ctx.beginPath(); ctx.arc(x, y, 2.5, 0, 2 * Math.PI); ctx.fill();
    }
  }

  function draw() {
    const v = viewOf(model);
    const message = errorOf(model);
    showError(root, error, message);
    if (message || !v.train) {
      sizeCanvas(canvas, 10, 10); facts.textContent = "";
      canvas.setAttribute("aria-label", message || "");
      root.dataset.draws = String(++draws);
      return;
    }
    // side by side in 820 units; below 600 px of room the precision-recall plot goes under the points
    const narrow = root.clientWidth > 0 && root.clientWidth < 600;
    const P = { x: 20, y: 30, w: 400, h: 280 };
    const Q = narrow ? { x: 60, y: P.y + P.h + 56, w: 280, h: 250 } : { x: 500, y: 30, w: 280, h: 250 };
    const ctx = narrow ? sizeCanvas(canvas, 440, Q.y + Q.h + 40) : sizeCanvas(canvas, 820, 330);
    ctx.textBaseline = "middle";
    const [x0, x1, y0, y1] = v.box;
    const X = (x) => P.x + ((x - x0) / (x1 - x0)) * P.w, Y = (y) => P.y + P.h - ((y - y0) / (y1 - y0)) * P.h;
    ctx.strokeStyle = IC.frame; ctx.lineWidth = 1; ctx.strokeRect(P.x, P.y, P.w, P.h);
    ctx.save(); ctx.beginPath(); ctx.rect(P.x, P.y, P.w, P.h); ctx.clip();
    v.train.forEach((p, i) => { if (v.labels[i] === 0) marker(ctx, X(p[0]), Y(p[1]), "major"); });
    for (const p of v.synthetic) marker(ctx, X(p[0]), Y(p[1]), "synth");
    v.train.forEach((p, i) => { if (v.labels[i] === 1) marker(ctx, X(p[0]), Y(p[1]), "minor"); });
    if (v.boundary.length === 2) {
      ctx.strokeStyle = IC.line; ctx.lineWidth = 2; ctx.beginPath();
      ctx.moveTo(X(v.boundary[0][0]), Y(v.boundary[0][1])); ctx.lineTo(X(v.boundary[1][0]), Y(v.boundary[1][1])); ctx.stroke();
    }
    ctx.restore();
    ctx.font = "bold 12px sans-serif"; ctx.fillStyle = IC.text; ctx.textAlign = "left";
    ctx.fillText(`training set: ${v.counts[0]} majority ●, ${v.counts[1]} minority ▲` +
      (v.synthetic.length ? `, ${v.synthetic.length} SMOTE ✕` : ""), P.x, P.y - 14);
    // precision-recall curve
    const QX = (r) => Q.x + r * Q.w, QY = (p) => Q.y + Q.h - p * Q.h;
    ctx.strokeStyle = IC.grid;
    for (const t of [0, 0.25, 0.5, 0.75, 1]) {
      ctx.beginPath(); ctx.moveTo(Q.x, QY(t)); ctx.lineTo(Q.x + Q.w, QY(t)); ctx.stroke();
      ctx.font = "11px sans-serif"; ctx.fillStyle = IC.muted; ctx.textAlign = "right"; ctx.fillText(String(t), Q.x - 4, QY(t));
      ctx.textAlign = "center"; ctx.fillText(String(t), QX(t), Q.y + Q.h + 10);
    }
    ctx.strokeStyle = IC.frame; ctx.strokeRect(Q.x, Q.y, Q.w, Q.h);
    ctx.strokeStyle = IC.curve; ctx.lineWidth = 2; ctx.beginPath();
    v.curve.recall.forEach((r, i) => (i ? ctx.lineTo(QX(r), QY(v.curve.precision[i])) : ctx.moveTo(QX(r), QY(v.curve.precision[i]))));
    ctx.stroke();
    ctx.fillStyle = IC.minor; ctx.beginPath(); ctx.arc(QX(v.recall), QY(v.precision), 6, 0, 2 * Math.PI); ctx.fill();
    ctx.font = "bold 12px sans-serif"; ctx.fillStyle = IC.text; ctx.textAlign = "left";
    ctx.fillText(`held-out precision-recall (${v.test_counts[0]} + ${v.test_counts[1]} points)`, Q.x, Q.y - 14);
    ctx.font = "11px sans-serif"; ctx.textAlign = "center"; ctx.fillText("recall", Q.x + Q.w / 2, Q.y + Q.h + 24);
    facts.textContent = "";
    facts.append(el("span", { text: `threshold 0.5: precision ${v.precision.toFixed(3)}` }),
      el("span", { text: `recall ${v.recall.toFixed(3)}` }), el("span", { text: `F1 ${v.f1.toFixed(3)}` }),
      el("span", { text: `fitted on ${v.fit_counts[0]} + ${v.fit_counts[1]} points` }));
    Object.assign(root.dataset, { precision: String(v.precision), recall: String(v.recall), f1: String(v.f1),
      method: v.method, synthetic: String(v.synthetic.length), minority: String(v.minority) });
    canvas.setAttribute("aria-label", v.description || "");
    root.dataset.draws = String(++draws);
  }

  const onView = () => { syncControls(); draw(); };
  const unfollow = followView(model, ["minority", "method", "k", "weighted", "seed"], onView, syncControls);
  return () => unfollow();
}

export default { render };
