// Dropout-ensemble front end: the thinned network of the current mask (dropped units grey, dropped
// weights dashed), every thinned network's prediction and their running average against the full
// network's, and zoneout's kept units on an RNN. Python sampled everything; the browser plays the masks.
// Appended to _shared.js (el, settingSlider, settingSelect, stepPlayer, sizeCanvas, diverging, PALETTE, ...).

// Data keep the Okabe-Ito palette; nodes, dropped parts, axes and text follow the theme.
const EC = { positive: PALETTE.blue, negative: PALETTE.vermillion, dot: PALETTE.orange, mean: PALETTE.blue,
  get full() { return THEME.text; }, get node() { return THEME.panel; }, get dropped() { return THEME.grid; },
  get axis() { return THEME.grid; }, get text() { return THEME.text; }, get muted() { return THEME.muted; } };

const ESLIDERS = [
  ["p", "Drop probability p", 0, 0.9, 0.05],
  ["masks", "Masks", 1, 300, 1],
  ["x1", "x₁", -2, 2, 0.1],
  ["x2", "x₂", -2, 2, 0.1],
];
const SCHEMES = [["dropout", "dropout (hidden units)"], ["dropconnect", "DropConnect (input weights)"],
  ["input_dropout", "dropout on the inputs (before tanh)"]];

function render({ model, el: root }) {
  root.classList.add("dlw-ens");
  const sliders = ESLIDERS.map(([name, label, min, max, step]) => settingSlider(model, name, label, { min, max, step }));
  const scheme = settingSelect(model, "scheme", "Where the mask goes", SCHEMES);
  const view = () => viewOf(model);
  let draws = 0;
  const player = stepPlayer(model, root, {
    positions: () => view().count || 0,
    draw: () => draw(),
    playLabel: "Play or pause the masks",
    stepLabel: "Next mask",
    maxSpeed: 60,
    speedLabel: "Speed (masks per second)",
  });
  const error = el("div", { class: "dlw-error", role: "alert", hidden: "" });
  const canvas = el("canvas", { role: "img" });
  const facts = el("div", { class: "dlw-facts" });
  root.append(controlRow([el("label", {}, ["Mask on", scheme]), ...sliders.map((s) => s.node)]),
    controlRow(player.nodes), error, canvas, facts);

  function syncControls() {
    for (const slider of sliders) slider.sync();
    scheme.value = model.get("scheme");
    player.speed.value = model.get("speed");
  }

  function drawNetwork(ctx, v, t, left, top, width, height) {
    const mask = t > 0 ? v.masks[t - 1] : null;
    const inX = left + 20, hidX = left + width / 2, outX = left + width - 20;
    const inY = [0, 1].map((i) => top + height * (0.35 + 0.3 * i));
    const hidY = v.w2.map((_, j) => top + 10 + (j + 0.5) * ((height - 20) / v.w2.length));
    const outY = top + height / 2;
    const dropped = (kind, j) => mask !== null && v.scheme === kind && mask[j] === 0;
    const edge = (x0, y0, x1, y1, w, off) => {
      ctx.strokeStyle = off ? EC.dropped : (w > 0 ? EC.positive : EC.negative);
      ctx.lineWidth = off ? 1 : Math.min(4, 0.5 + Math.abs(w));
      ctx.setLineDash(off ? [3, 3] : []);
      ctx.beginPath(); ctx.moveTo(x0, y0); ctx.lineTo(x1, y1); ctx.stroke();
    };
    v.W1.forEach((row, j) => row.forEach((w, i) => edge(inX, inY[i], hidX, hidY[j], w,
      dropped("input_dropout", i) || dropped("dropout", j) || dropped("dropconnect", j * row.length + i))));
    v.w2.forEach((w, j) => edge(hidX, hidY[j], outX, outY, w, dropped("dropout", j)));
    ctx.setLineDash([]);
    const node = (x, y, off, label) => {
      ctx.fillStyle = off ? EC.dropped : EC.node; ctx.strokeStyle = EC.text; ctx.lineWidth = 1;
      ctx.beginPath(); ctx.arc(x, y, 8, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
      if (off) { ctx.beginPath(); ctx.moveTo(x - 5, y - 5); ctx.lineTo(x + 5, y + 5); ctx.moveTo(x + 5, y - 5); ctx.lineTo(x - 5, y + 5); ctx.stroke(); }
      if (label) { ctx.fillStyle = EC.text; ctx.textAlign = "right"; ctx.textBaseline = "middle"; ctx.fillText(label, x - 11, y); }
    };
    inY.forEach((y, i) => node(inX, y, dropped("input_dropout", i), `x${i + 1}`));
    hidY.forEach((y, j) => node(hidX, y, dropped("dropout", j), ""));
    node(outX, outY, false, "");
    ctx.fillStyle = EC.text; ctx.textAlign = "left"; ctx.textBaseline = "bottom";
    ctx.fillText(mask ? `thinned network ${t} of ${v.count}: y = ${v.predictions[t - 1].toFixed(3)}` : "full network",
      left, top - 3);
  }

  function drawAverage(ctx, v, t, left, top, width, height) {
    ctx.strokeStyle = EC.axis; ctx.lineWidth = 1;
    ctx.beginPath(); ctx.moveTo(left, top); ctx.lineTo(left, top + height); ctx.lineTo(left + width, top + height); ctx.stroke();
    const all = v.predictions.concat([v.full]);
    const lo = Math.min(...all), hi = Math.max(...all), span = hi - lo || 1;
    const X = (k) => left + (v.count === 1 ? width / 2 : ((k - 1) / (v.count - 1)) * width);
    const Y = (y) => top + height - ((y - lo) / span) * height;
    ctx.fillStyle = EC.muted; ctx.textAlign = "right"; ctx.textBaseline = "middle"; ctx.font = "10px sans-serif";
    ctx.fillText(hi.toFixed(2), left - 3, top); ctx.fillText(lo.toFixed(2), left - 3, top + height);
    ctx.setLineDash([5, 3]); ctx.strokeStyle = EC.full;
    ctx.beginPath(); ctx.moveTo(left, Y(v.full)); ctx.lineTo(left + width, Y(v.full)); ctx.stroke(); ctx.setLineDash([]);
    ctx.fillStyle = EC.dot;
    for (let k = 1; k <= t; k++) ctx.fillRect(X(k) - 1.5, Y(v.predictions[k - 1]) - 1.5, 3, 3);
    if (t > 0) {
      ctx.strokeStyle = EC.mean; ctx.lineWidth = 2; ctx.beginPath();
      for (let k = 1; k <= t; k++) (k === 1 ? ctx.moveTo(X(k), Y(v.running_mean[0])) : ctx.lineTo(X(k), Y(v.running_mean[k - 1])));
      ctx.stroke();
    }
    ctx.fillStyle = EC.text; ctx.textAlign = "left"; ctx.textBaseline = "bottom"; ctx.font = "11px sans-serif";
    ctx.fillText("predictions (dots), running average (line), full network (dashed)", left, top - 3);
  }

  function drawZoneout(ctx, v, left, top, width, height) {
    const steps = v.zoneout_train.length, units = v.zoneout_train[0].length;
    const cw = width / steps, ch = (height - 14) / (2 * units + 1);
    ctx.fillStyle = EC.text; ctx.textAlign = "left"; ctx.textBaseline = "bottom"; ctx.font = "11px sans-serif";
    ctx.fillText(`zoneout p = ${v.p}: training (kept outlined) / eval`, left, top - 3);
    for (const [rows, y0, outline] of [[v.zoneout_train, top, true], [v.zoneout_eval, top + (units + 1) * ch, false]]) {
      for (let s = 0; s < steps; s++) {
        for (let u = 0; u < units; u++) {
          ctx.fillStyle = diverging(rows[s][u], PALETTE.orange, PALETTE.purple);
          ctx.fillRect(left + s * cw + 1, y0 + u * ch + 1, cw - 2, ch - 2);
          // inside the cell, so that the pale cell shows on both sides of it on a dark page too
          if (outline && v.zoneout_keep[s][u]) { ctx.strokeStyle = "#000"; ctx.lineWidth = 1.5; ctx.strokeRect(left + s * cw + 2.5, y0 + u * ch + 2.5, cw - 5, ch - 5); }
        }
      }
    }
  }

  function draw() {
    const v = view();
    const message = errorOf(model);
    showError(root, error, message);
    root.dataset.step = String(player.t);
    if (message || !v.predictions) {
      sizeCanvas(canvas, 10, 10); facts.textContent = "";
      canvas.setAttribute("aria-label", message || "");
      root.dataset.average = ""; root.dataset.draws = String(++draws);
      return;
    }
    const t = Math.max(0, Math.min(player.t, v.count));
    // three panels in a row in a wide column; in a narrow one zoneout goes under the other two
    const narrow = root.clientWidth > 0 && root.clientWidth < 0.8 * 900;
    const ctx = narrow ? sizeCanvas(canvas, 610, 470) : sizeCanvas(canvas, 900, 230);
    ctx.font = "11px sans-serif";
    drawNetwork(ctx, v, t, 10, 20, 220, 200);
    drawAverage(ctx, v, t, 270, 20, 330, 190);
    drawZoneout(ctx, v, narrow ? 10 : 650, narrow ? 260 : 20, narrow ? 590 : 240, 200);
    root.dataset.layout = narrow ? "stacked" : "wide";
    const average = t > 0 ? v.running_mean[t - 1] : null;
    facts.textContent = "";
    facts.append(
      el("span", { text: average === null ? "no mask yet" : `average of ${t} thinned networks: ${average.toFixed(4)}` }),
      el("span", { text: `full network (eval): ${v.full.toFixed(4)}` }),
      el("span", { text: v.exact_in_expectation ? "the average converges to it exactly" : "masks inside the tanh: the average only approximates it" }),
    );
    canvas.setAttribute("aria-label", v.description || "");
    root.dataset.average = average === null ? "" : average.toFixed(6);
    root.dataset.full = v.full.toFixed(6);
    root.dataset.draws = String(++draws);
  }

  const SETTINGS = ["scheme", "p", "masks", "x1", "x2", "speed"];
  return followViewAndPlay(model, SETTINGS, player, syncControls, draw);
}

export default { render };
