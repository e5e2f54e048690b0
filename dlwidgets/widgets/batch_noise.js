// Batch-size noise front end: SGD paths for several batch sizes on the line fit's loss surface, the cloud of
// minibatch gradients around the true gradient with its exact covariance ellipse, and the noise variance
// against the batch size (log-log). Everything drawn comes from the view Python computed with core.
// Appended to _shared.js and _landscape.js.

const NOISE_BATCHES = [1, 2, 4, 8, 16, 32, 64, 128, 256];

function render({ model, el: root }) {
  root.classList.add("dlw-landscape", "dlw-batch-noise");
  const batch = settingSelect(model, "batch_size", "Batch size of the gradient cloud", NOISE_BATCHES.map((b) => [String(b), String(b)]), Number);
  const scaling = settingSelect(model, "scaling", "Learning-rate rule", [["linear", "lr × B (linear scaling)"], ["none", "same lr for every B"]]);
  const lr = logSlider(model, "lr", "lr at B = 1", { min: 1e-4, max: 1, perDecade: 20, aria: "Learning rate at batch size 1" });
  const epochs = settingSlider(model, "epochs", "Epochs", { min: 1, max: 5, step: 1 });
  const sliders = [lr, epochs];
  root.append(controlRow([el("label", {}, ["Batch size", batch]), el("label", {}, ["Rule", scaling]), ...sliders.map((s) => s.node)]));
  const error = el("div", { class: "dlw-error", role: "alert", hidden: "" });
  const canvas = suppressShortcuts(el("canvas", { role: "img", tabindex: "0" }));
  const facts = el("div", { class: "dlw-facts", "aria-live": "polite" });
  const help = el("div", { class: "dlw-help", text: "On the picture: click the left panel, or use the arrow keys, to move the point (w, b) where the gradients are taken and the paths start." });
  root.append(error, canvas, facts, help);

  const LEFT = { x: 34, y: 16, w: 270, h: 270 };
  // three panels in a row in a wide column; in a narrow one the variance plot goes under the other two
  const WIDE = { width: 930, height: 310, mid: { x: 350, y: 16, w: 270, h: 270 }, right: { x: 680, y: 16, w: 230, h: 270 } };
  const STACKED = { width: 610, height: 590, mid: { x: 330, y: 16, w: 270, h: 270 }, right: { x: 60, y: 340, w: 400, h: 220 } };
  let MID = WIDE.mid, RIGHT = WIDE.right;
  const view = () => viewOf(model);
  let draws = 0;

  function syncControls() {
    for (const slider of sliders) slider.sync();
    batch.value = String(model.get("batch_size"));
    scaling.value = String(model.get("scaling"));
  }

  function cloudPanel(ctx, v) {
    const pts = v.cloud.concat([v.true_gradient, [0, 0]]);
    let r = 1e-9;
    for (const [a, b] of pts) r = Math.max(r, Math.abs(a), Math.abs(b));
    r *= 1.1;
    const X = (a) => MID.x + MID.w / 2 + (a / r) * (MID.w / 2), Y = (b) => MID.y + MID.h / 2 - (b / r) * (MID.h / 2);
    ctx.strokeStyle = THEME.grid; ctx.lineWidth = 1; ctx.strokeRect(MID.x, MID.y, MID.w, MID.h);
    ctx.beginPath(); ctx.moveTo(X(0), MID.y); ctx.lineTo(X(0), MID.y + MID.h); ctx.moveTo(MID.x, Y(0)); ctx.lineTo(MID.x + MID.w, Y(0)); ctx.stroke();
    ctx.fillStyle = "rgba(86,180,233,0.55)";
    for (const [a, b] of v.cloud) { ctx.beginPath(); ctx.arc(X(a), Y(b), 2, 0, 2 * Math.PI); ctx.fill(); }
    // the exact covariance: the ellipse of 2 standard deviations around the true gradient
    const [[sxx, sxy], [, syy]] = v.covariance;
    const tr = sxx + syy, det = sxx * syy - sxy * sxy, disc = Math.sqrt(Math.max(0, tr * tr / 4 - det));
    const l1 = tr / 2 + disc, l2 = Math.max(0, tr / 2 - disc), theta = 0.5 * Math.atan2(2 * sxy, sxx - syy);
    ctx.strokeStyle = PALETTE.blue; ctx.lineWidth = 1.5; ctx.setLineDash([4, 3]);
    ctx.beginPath();
    for (let k = 0; k <= 64; k++) {
      const t = (k / 64) * 2 * Math.PI, u = 2 * Math.sqrt(l1) * Math.cos(t), w = 2 * Math.sqrt(l2) * Math.sin(t);
      const a = v.true_gradient[0] + u * Math.cos(theta) - w * Math.sin(theta), b = v.true_gradient[1] + u * Math.sin(theta) + w * Math.cos(theta);
      if (k === 0) ctx.moveTo(X(a), Y(b)); else ctx.lineTo(X(a), Y(b));
    }
    ctx.stroke(); ctx.setLineDash([]);
    ctx.strokeStyle = PALETTE.vermillion; ctx.lineWidth = 2.5;
    ctx.beginPath(); ctx.moveTo(X(0), Y(0)); ctx.lineTo(X(v.true_gradient[0]), Y(v.true_gradient[1])); ctx.stroke();
    marker(ctx, "triangle", X(v.true_gradient[0]), Y(v.true_gradient[1]), 5, PALETTE.vermillion);
    ctx.fillStyle = THEME.text; ctx.font = "11px sans-serif"; ctx.textAlign = "left"; ctx.textBaseline = "bottom";
    ctx.fillText(`${v.cloud.length} minibatch gradients, B = ${v.batch_size}`, MID.x, MID.y - 2);
    ctx.textBaseline = "top"; ctx.fillStyle = THEME.line; ctx.font = "10px sans-serif";
    ctx.fillText("∂L/∂w →   ▲ true gradient   - - 2σ (exact)", MID.x, MID.y + MID.h + 3);
  }

  function variancePanel(ctx, v) {
    const B = v.curve.batch, V = v.curve.variance;
    const pos = V.filter((x) => x !== null && x > 0);
    const lo = Math.floor(Math.log10(Math.min(...pos))), hi = Math.ceil(Math.log10(Math.max(...pos)));
    const X = (b) => RIGHT.x + (Math.log2(b) / Math.log2(B[B.length - 1])) * RIGHT.w;
    const Y = (x) => RIGHT.y + RIGHT.h - ((Math.log10(x) - lo) / Math.max(1, hi - lo)) * RIGHT.h;
    ctx.strokeStyle = THEME.grid; ctx.lineWidth = 1; ctx.strokeRect(RIGHT.x, RIGHT.y, RIGHT.w, RIGHT.h);
    ctx.fillStyle = THEME.line; ctx.font = "10px sans-serif"; ctx.textAlign = "center"; ctx.textBaseline = "top";
    for (const b of B) ctx.fillText(String(b), X(b), RIGHT.y + RIGHT.h + 2);
    ctx.textAlign = "right"; ctx.textBaseline = "middle";
    for (let e = lo; e <= hi; e++) ctx.fillText(`1e${e}`, RIGHT.x - 2, Y(Math.pow(10, e)));
    // the 1/B line through B = 1
    ctx.strokeStyle = THEME.muted; ctx.setLineDash([3, 3]); ctx.beginPath();
    B.forEach((b, k) => { const y = Y(V[0] / b); if (k === 0) ctx.moveTo(X(b), y); else ctx.lineTo(X(b), y); });
    ctx.stroke(); ctx.setLineDash([]);
    ctx.strokeStyle = PALETTE.blue; ctx.lineWidth = 2; ctx.beginPath();
    let started = false;
    B.forEach((b, k) => { if (V[k] === null || V[k] <= 0) return; if (!started) { ctx.moveTo(X(b), Y(V[k])); started = true; } else ctx.lineTo(X(b), Y(V[k])); });
    ctx.stroke();
    const k = B.indexOf(v.batch_size);
    if (k >= 0 && V[k] > 0) marker(ctx, "circle", X(B[k]), Y(V[k]), 5, PALETTE.vermillion);
    ctx.fillStyle = THEME.text; ctx.font = "11px sans-serif"; ctx.textAlign = "left"; ctx.textBaseline = "bottom";
    ctx.fillText("noise E‖g_B − g‖² vs B (- - 1/B)", RIGHT.x, RIGHT.y - 2);
  }

  function draw() {
    const v = view();
    const message = errorOf(model);
    showError(root, error, message);
    root.dataset.draws = String(++draws);
    if (message || !v.surface) {
      sizeCanvas(canvas, 10, 10);
      facts.textContent = "";
      canvas.setAttribute("aria-label", message || "");
      return;
    }
    const shape = root.clientWidth > 0 && root.clientWidth < 0.8 * WIDE.width ? STACKED : WIDE;
    MID = shape.mid; RIGHT = shape.right;
    const ctx = sizeCanvas(canvas, shape.width, shape.height);
    root.dataset.layout = shape === STACKED ? "stacked" : "wide";
    drawSurface(ctx, v.surface, LEFT);
    const p = plane(v.surface, LEFT);
    for (const run of v.paths) drawPath(ctx, p, run.path, run.path.length - 1, run.colour, { dash: run.dash, width: 1.6, box: LEFT });
    marker(ctx, "diamond", p.X(v.minimum[0]), p.Y(v.minimum[1]), 5, "#000");
    marker(ctx, "square", p.X(v.theta[0]), p.Y(v.theta[1]), 4.5, PALETTE.vermillion);
    ctx.fillStyle = THEME.text; ctx.font = "11px sans-serif"; ctx.textAlign = "left"; ctx.textBaseline = "bottom";
    ctx.fillText(`SGD, ${v.epochs} epoch(s) each: w →, b ↑`, LEFT.x, LEFT.y - 2);
    cloudPanel(ctx, v);
    variancePanel(ctx, v);
    facts.replaceChildren(
      el("div", {}, [el("b", { text: `B = ${v.batch_size}: ` }),
        `true gradient (${v.true_gradient.map((x) => num(x)).join(", ")}); noise E‖g_B − g‖² = ${num(v.exact_variance)} exactly, ` +
        `${num(v.measured_variance)} over these ${v.cloud.length} draws`]),
      el("div", {}, [el("b", { text: "Paths: " }), v.paths.map((r) => `B = ${r.batch}: lr ${num(r.lr, 3)}, ${r.steps} steps, ` +
        (r.diverged ? "diverges" : `loss ${num(r.final_loss)}`)).join("; ") + ` (2/λmax = ${num(v.max_stable, 3)}; least-squares loss ${num(v.min_loss)})`]),
    );
    root.dataset.batchSize = String(v.batch_size);
    root.dataset.exactVariance = String(v.exact_variance);
    root.dataset.theta = `${v.theta[0]},${v.theta[1]}`;
    canvas.setAttribute("aria-label", v.description || "");
  }

  function moveTo(w, b) {
    const v = view();
    if (!v.surface) return;
    const [w0, w1] = v.surface.x, [b0, b1] = v.surface.y;
    model.set("w", Math.max(Number(w0.toFixed(3)), Math.min(Number(w1.toFixed(3)), Number(w.toFixed(3)))));
    model.set("b", Math.max(Number(b0.toFixed(3)), Math.min(Number(b1.toFixed(3)), Number(b.toFixed(3)))));
    model.save_changes();
  }
  canvas.addEventListener("keydown", (e) => {
    const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };
    if (!(e.key in moves)) return;
    const v = view();
    if (v.surface) {
      const [dx, dy] = moves[e.key];
      moveTo(model.get("w") + dx * (v.surface.x[1] - v.surface.x[0]) / 30, model.get("b") + dy * (v.surface.y[1] - v.surface.y[0]) / 30);
    }
    e.preventDefault();
    e.stopPropagation();
  });
  canvas.addEventListener("click", (e) => {
    const v = view();
    if (!v.surface) return;
    const at = canvasPoint(canvas, e);
    const pl = plane(v.surface, LEFT);
    const [w, b] = pl.fromCanvas(at.x, at.y);
    if (pl.inside(w, b)) moveTo(w, b);
    canvas.focus();
  });

  return followView(model, ["batch_size", "w", "b", "lr", "scaling", "epochs"], () => { syncControls(); draw(); }, syncControls);
}

export default { render };
