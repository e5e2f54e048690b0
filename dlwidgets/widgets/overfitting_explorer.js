// Overfitting-explorer front end: plays the training run Python recorded (model "view") epoch by
// epoch: the fitted curve over the data, the training and validation loss with the early-stopping
// point, and the output weights' sizes. Settings go back to Python, which trains again.
// Appended to _shared.js (el, settingSlider, settingSelect, stepPlayer, sizeCanvas, PALETTE, ...).

// Data keep the Okabe-Ito palette; the target curve, axes and text follow the theme (light on a dark one).
const OC = { train: PALETTE.orange, val: PALETTE.blue, get target() { return THEME.text; }, fit: PALETTE.blue, stop: PALETTE.green,
  positive: PALETTE.blue, negative: PALETTE.vermillion, point: PALETTE.orange, valPoint: "#A0A0A0",
  get axis() { return THEME.grid; }, get text() { return THEME.text; }, get muted() { return THEME.muted; } };

const OSLIDERS = [
  ["hidden", "Hidden units", 1, 64, 1],
  ["n_train", "Training points", 5, 60, 1],
  ["noise", "Noise", 0, 1, 0.05],
  ["dropout", "Dropout p", 0, 0.6, 0.05],
];
const PENALTY_OPTIONS = [["none", "none"], ["l1", "L1"], ["l2", "L2 (weight decay)"]];
const STRENGTH_OPTIONS = ["0", "0.001", "0.003", "0.01", "0.03", "0.1"];

function render({ model, el: root }) {
  root.classList.add("dlw-over");
  const sliders = OSLIDERS.map(([name, label, min, max, step]) => settingSlider(model, name, label, { min, max, step }));
  const penalty = settingSelect(model, "penalty", "Weight penalty", PENALTY_OPTIONS);
  const strength = settingSelect(model, "strength", "Penalty strength lambda", STRENGTH_OPTIONS, Number);
  const view = () => viewOf(model);
  let draws = 0;
  const stamps = [];
  const player = stepPlayer(model, root, {
    positions: () => view().frames || 0,
    draw: () => draw(),
    playLabel: "Play or pause training",
    stepLabel: "Twenty more epochs",
    maxSpeed: 60,
    speedLabel: "Speed (recorded epochs per second)",
  });
  const scrub = keyboardRange(el("input", { type: "range", min: 0, max: 100, step: 1, "aria-label": "Epochs trained", "data-setting": "step" }));
  scrub.addEventListener("input", () => {
    player.t = Number(scrub.value);
    save(model, "step", player.t);
    draw();
  });
  const error = el("div", { class: "dlw-error", role: "alert", hidden: "" });
  const canvas = el("canvas", { role: "img" });
  const facts = el("div", { class: "dlw-facts" });
  root.append(
    controlRow(sliders.map((s) => s.node)),
    controlRow([el("label", {}, ["Penalty", penalty]), el("label", {}, ["λ", strength])]),
    controlRow([...player.nodes, el("label", {}, ["Epoch", scrub])]),
    error, canvas, facts);

  function syncControls() {
    for (const slider of sliders) slider.sync();
    penalty.value = model.get("penalty");
    strength.value = String(model.get("strength"));
    player.speed.value = model.get("speed");
  }

  function frame(ctx, left, top, width, height, title) {
    ctx.strokeStyle = OC.axis; ctx.lineWidth = 1;
    ctx.beginPath(); ctx.moveTo(left, top); ctx.lineTo(left, top + height); ctx.lineTo(left + width, top + height); ctx.stroke();
    ctx.fillStyle = OC.text; ctx.font = "11px sans-serif"; ctx.textAlign = "left"; ctx.textBaseline = "bottom";
    ctx.fillText(title, left, top - 3);
  }

  function polyline(ctx, xs, ys, X, Y, colour, width = 2, upto = xs.length) {
    ctx.strokeStyle = colour; ctx.lineWidth = width; ctx.beginPath();
    for (let i = 0; i < upto; i++) (i ? ctx.lineTo(X(xs[i]), Y(ys[i])) : ctx.moveTo(X(xs[i]), Y(ys[i])));
    ctx.stroke();
  }

  function drawFit(ctx, v, t, left, top, width, height) {
    frame(ctx, left, top, width, height, `the fit after ${v.epochs[t]} epochs`);
    const X = (x) => left + ((x + 1) / 2) * width, Y = (y) => top + height / 2 - (y / 2.5) * (height / 2);
    ctx.fillStyle = OC.valPoint;
    v.x_val.forEach((x, i) => ctx.fillRect(X(x) - 1, Y(v.y_val[i]) - 1, 2, 2));
    ctx.setLineDash([3, 3]); polyline(ctx, v.grid, v.target, X, Y, OC.target, 1); ctx.setLineDash([]);
    ctx.save(); ctx.beginPath(); ctx.rect(left, top, width, height); ctx.clip();
    polyline(ctx, v.grid, v.curves[t], X, Y, OC.fit, 2);
    ctx.restore();
    ctx.fillStyle = OC.point;
    v.x_train.forEach((x, i) => { ctx.beginPath(); ctx.arc(X(x), Y(v.y_train[i]), 3, 0, 2 * Math.PI); ctx.fill(); });
  }

  function drawLoss(ctx, v, t, left, top, width, height) {
    frame(ctx, left, top, width, height, "loss (log scale): training, validation");
    const all = v.train_loss.concat(v.val_loss).filter((x) => x > 0);
    const lo = Math.log10(Math.max(1e-4, Math.min(...all))), hi = Math.log10(Math.max(...all));
    const last = v.epochs[v.epochs.length - 1];
    const X = (e) => left + (e / last) * width, Y = (y) => top + height - ((Math.log10(Math.max(y, 1e-4)) - lo) / (hi - lo || 1)) * height;
    ctx.fillStyle = OC.muted; ctx.textAlign = "right"; ctx.textBaseline = "middle"; ctx.font = "10px sans-serif";
    ctx.fillText(Math.pow(10, hi).toPrecision(2), left - 3, top); ctx.fillText(Math.pow(10, lo).toPrecision(2), left - 3, top + height);
    polyline(ctx, v.epochs, v.train_loss, X, Y, OC.train, 2, t + 1);
    polyline(ctx, v.epochs, v.val_loss, X, Y, OC.val, 2, t + 1);
    ctx.strokeStyle = OC.stop; ctx.lineWidth = 1.5; ctx.setLineDash([4, 3]);
    ctx.beginPath(); ctx.moveTo(X(v.best_epoch), top); ctx.lineTo(X(v.best_epoch), top + height); ctx.stroke(); ctx.setLineDash([]);
    ctx.fillStyle = OC.stop; ctx.textAlign = "left"; ctx.textBaseline = "top";
    ctx.fillText(`early stop: epoch ${v.best_epoch}`, Math.min(X(v.best_epoch) + 3, left + width - 110), top + 2);
    ctx.fillStyle = OC.muted; ctx.fillText(`${last} epochs`, left + width - 55, top + height + 3);
  }

  function drawWeights(ctx, v, t, left, top, width, height) {
    const w = v.weights[t];
    frame(ctx, left, top, width, height, `|output weights|: ${v.zeros[t]} of ${w.length} exactly 0`);
    const hi = Math.max(1e-6, ...v.weights[v.weights.length - 1].map(Math.abs), ...v.weights[0].map(Math.abs));
    const bar = width / w.length;
    w.forEach((x, i) => {
      const h = Math.min(1, Math.abs(x) / hi) * height;
      ctx.fillStyle = x > 0 ? OC.positive : OC.negative;
      ctx.fillRect(left + i * bar + 0.5, top + height - h, Math.max(1, bar - 1), h);
      if (x === 0) { ctx.fillStyle = OC.text; ctx.fillRect(left + i * bar + bar / 2 - 1, top + height - 3, 2, 2); }
    });
    ctx.fillStyle = OC.muted; ctx.textAlign = "left"; ctx.textBaseline = "top"; ctx.font = "10px sans-serif";
    ctx.fillText(`norm ${v.weight_norm[t].toFixed(3)}`, left, top + height + 3);
  }

  function draw() {
    const v = view();
    const message = errorOf(model);
    showError(root, error, message);
    root.dataset.step = String(player.t);
    if (message || !v.epochs) {
      sizeCanvas(canvas, 10, 10); facts.textContent = "";
      canvas.setAttribute("aria-label", message || "");
      root.dataset.finalVal = ""; root.dataset.draws = String(++draws);
      return;
    }
    const t = Math.max(0, Math.min(player.t, v.frames));
    scrub.max = String(v.frames); scrub.value = String(t);
    // three panels in a row in a wide column; in a narrow one the weights go under the other two
    const narrow = root.clientWidth > 0 && root.clientWidth < 0.8 * 900;
    const ctx = narrow ? sizeCanvas(canvas, 600, 500) : sizeCanvas(canvas, 900, 250);
    drawFit(ctx, v, t, 10, 18, 260, 200);
    drawLoss(ctx, v, t, 330, 18, 260, 200);
    drawWeights(ctx, v, t, narrow ? 10 : 630, narrow ? 268 : 18, narrow ? 580 : 260, 200);
    root.dataset.layout = narrow ? "stacked" : "wide";
    facts.textContent = "";
    facts.append(
      el("span", { text: `epoch ${v.epochs[t]}: training loss ${v.train_loss[t].toFixed(4)}, validation loss ${v.val_loss[t].toFixed(4)}` }),
      el("span", { text: `lowest validation loss ${v.best_val.toFixed(4)} at epoch ${v.best_epoch}; final ${v.final_val.toFixed(4)}` }),
    );
    canvas.setAttribute("aria-label", v.description || "");
    root.dataset.finalVal = v.final_val.toFixed(6);
    root.dataset.epoch = String(v.epochs[t]);
    root.dataset.zeros = String(v.zeros[t]);
    const now = performance.now();
    stamps.push(now);
    while (stamps.length && now - stamps[0] > 1000) stamps.shift();
    root.dataset.fps = String(stamps.length);
    root.dataset.draws = String(++draws);
  }

  const SETTINGS = ["hidden", "n_train", "noise", "penalty", "strength", "dropout", "speed"];
  return followViewAndPlay(model, SETTINGS, player, syncControls, draw);
}

export default { render };
