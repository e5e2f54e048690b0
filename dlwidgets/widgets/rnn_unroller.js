// RNN unroller front end: draws what Python computed (model "view") on a canvas.
// The animation (forward pass, then the gradient flowing back) runs in the browser.
// Appended to _shared.js (el, settingSlider, settingSelect, stepPlayer, sizeCanvas, diverging, ...).

const COLORS = { pos: PALETTE.orange, neg: PALETTE.sky, grad: PALETTE.vermillion, weight: PALETTE.blue, input: PALETTE.green,
  get text() { return THEME.text; }, get muted() { return THEME.muted; }, get grid() { return THEME.grid; },
  get empty() { return THEME.empty; }, get box() { return THEME.panel; } };

const SLIDERS = [
  ["spectral_radius", "Spectral radius ρ(W_hh)", 0.05, 2.5, 0.05],
  ["steps", "Steps T", 2, 40, 1],
  ["hidden_size", "Hidden units H", 1, 8, 1],
  ["input_size", "Input size D", 1, 4, 1],
];
const SCALES = ["0", "0.01", "0.1", "0.5", "1", "2"];

function fmt(x) {
  if (!isFinite(x)) return String(x);
  if (x === 0) return "0";
  const a = Math.abs(x);
  return a >= 1e4 || a < 1e-3 ? x.toExponential(1) : x.toPrecision(3);
}

function render({ model, el: root }) {
  root.classList.add("dlw-rnn");
  const sliders = SLIDERS.map(([name, label, min, max, step]) => settingSlider(model, name, label, { min, max, step }));
  const scale = settingSelect(model, "input_scale", "Input scale (standard deviation of x_t)", SCALES, Number);
  const bias = checkbox(model, "bias", "biases", { aria: "Use bias vectors" });
  const controls = controlRow([...sliders.map((s) => s.node), el("label", {}, ["Input scale", scale]), bias.node]);

  const view = () => viewOf(model);
  const player = stepPlayer(model, root, {
    positions: () => view().positions || 0, draw: () => draw(),
    playLabel: "Play or pause the forward and backward pass", stepLabel: "Advance the animation by one step",
    maxSpeed: 30, speedLabel: "Speed (steps per second)",
  });
  const phase = el("span", { class: "dlw-phase" });
  const error = el("div", { class: "dlw-error", role: "alert", hidden: "" });
  const canvas = el("canvas", { role: "img" });
  const facts = el("div", { class: "dlw-facts" });
  root.append(controls, controlRow([...player.nodes, phase]), error, canvas, facts);

  let draws = 0;

  function syncControls() {
    for (const slider of sliders) slider.sync();
    scale.value = String(model.get("input_scale"));
    bias.sync();
    player.speed.value = model.get("speed");
  }

  function draw() {
    const v = view();
    const message = errorOf(model);
    const t = player.t;
    showError(root, error, message);
    root.dataset.step = String(t);
    root.dataset.positions = String(v.positions || 0);
    root.dataset.ratio = message || v.ratio === undefined ? "" : String(v.ratio);
    root.dataset.verdict = message ? "" : v.verdict || "";
    root.dataset.spectralRadius = message ? "" : String(v.spectral_radius);
    if (message || !v.steps) {
      sizeCanvas(canvas, 10, 10);
      facts.textContent = ""; phase.textContent = "";
      canvas.setAttribute("aria-label", message || "");
      root.dataset.draws = String(++draws);
      return;
    }
    const T = v.steps, H = v.hidden_size, D = v.input_size;
    const shownH = Math.min(t, T);                        // hidden states revealed
    const shownG = t > T ? t - T : 0;                     // gradient norms revealed, from t = T backwards
    phase.textContent = t <= T ? `forward pass: h_1 … h_${shownH}` : `backward pass: dL/dh_${T} … dL/dh_${T - shownG + 1}`;

    // the chain's columns share what the width leaves beside the plot (at least 15 px each)
    const plotW = 250, gap = 30, room = Math.max(600, (root.clientWidth || 960) - 8);
    const left = 46, col = Math.max(15, Math.min(40, Math.floor((room - left - 10 - gap - plotW - 24) / (T + 1))));
    const chainW = left + (T + 1) * col + 10;
    const width = chainW + gap + plotW + 24;
    const cellH = Math.max(6, Math.min(14, Math.floor(84 / H)));
    const yH = 24, yBox = yH + H * cellH + 10, boxH = 20, yX = yBox + boxH + 10;
    const yG = yX + D * 8 + 40, gH = 110;
    const height = yG + gH + 34;
    const ctx = sizeCanvas(canvas, width, height);
    ctx.font = "11px sans-serif"; ctx.textBaseline = "middle"; ctx.textAlign = "right";
    ctx.fillStyle = COLORS.text;
    ctx.fillText("h_t", left - 6, yH + (H * cellH) / 2);
    ctx.fillText("x_t", left - 6, yX + (D * 8) / 2);
    ctx.textAlign = "center";
    ctx.fillText(`unrolled: the same W_ih ${v.shapes.weight_ih.join("×")} and W_hh ${v.shapes.weight_hh.join("×")} at every step (colour: |h| ≤ ${fmt(v.h_max)})`, left + ((T + 1) * col) / 2, 9);
    const hmax = v.h_max > 0 ? v.h_max : 1;
    const xmax = Math.max(1e-12, ...v.xs.flat().map(Math.abs));
    for (let s = 0; s <= T; s++) {
      const x0 = left + s * col;
      // hidden state column (s = 0 is h_0 = 0)
      for (let u = 0; u < H; u++) {
        const value = s === 0 ? 0 : v.hs[s - 1][u];
        ctx.fillStyle = s <= shownH ? diverging(value / hmax, COLORS.pos, COLORS.neg) : COLORS.empty;
        ctx.fillRect(x0 + 2, yH + u * cellH, col - 4, cellH - 1);
      }
      if (s === 0) {
        ctx.fillStyle = COLORS.muted; ctx.fillText("h_0", x0 + col / 2, yBox + boxH / 2);
        continue;
      }
      // the cell, with the recurrent arrow from the previous column
      const active = s === shownH && t <= T;
      ctx.lineWidth = active ? 2.5 : 1;
      ctx.strokeStyle = active ? COLORS.grad : COLORS.weight;
      ctx.fillStyle = COLORS.box;
      ctx.fillRect(x0 + 3, yBox, col - 6, boxH);
      ctx.strokeRect(x0 + 3, yBox, col - 6, boxH);
      ctx.fillStyle = COLORS.text;
      if (col >= 26) ctx.fillText("tanh", x0 + col / 2, yBox + boxH / 2);
      ctx.strokeStyle = COLORS.weight; ctx.lineWidth = 1.2;
      ctx.beginPath(); ctx.moveTo(x0 - 3, yBox + boxH / 2); ctx.lineTo(x0 + 3, yBox + boxH / 2); ctx.stroke();
      for (let d = 0; d < D; d++) {
        ctx.fillStyle = s <= shownH ? diverging(v.xs[s - 1][d] / xmax, COLORS.pos, COLORS.neg) : COLORS.empty;
        ctx.fillRect(x0 + 4, yX + d * 8, col - 8, 7);
      }
      if (col >= 22 && (s % Math.ceil(T / 10) === 0 || s === 1)) { ctx.fillStyle = COLORS.muted; ctx.fillText(String(s), x0 + col / 2, yX + D * 8 + 9); }
    }
    // gradient norms through time, log scale, same columns
    const norms = v.grad_norms;
    const logs = norms.map((n) => Math.log10(Math.max(n, 1e-300)));
    const lo = Math.min(...logs), hi = Math.max(...logs);
    const span = Math.max(hi - lo, 1);
    ctx.fillStyle = COLORS.text; ctx.textAlign = "left";
    ctx.fillText(`||dL/dh_t|| (log scale, ${fmt(10 ** lo)} … ${fmt(10 ** hi)}), loss = sum(h_T)`, left, yG - 12);
    ctx.strokeStyle = COLORS.grid; ctx.lineWidth = 1;
    ctx.beginPath(); ctx.moveTo(left, yG + gH); ctx.lineTo(left + (T + 1) * col, yG + gH); ctx.stroke();
    for (let s = 0; s <= T; s++) {
      const revealed = s >= T - shownG + 1;
      const hgt = 4 + ((logs[s] - lo) / span) * (gH - 4);
      ctx.fillStyle = revealed ? COLORS.grad : COLORS.empty;
      ctx.fillRect(left + s * col + 3, yG + gH - hgt, col - 6, hgt);
    }
    ctx.fillStyle = COLORS.muted; ctx.textAlign = "center";
    ctx.fillText("t = 0", left + col / 2, yG + gH + 10);
    ctx.fillText(`t = ${T}`, left + T * col + col / 2, yG + gH + 10);

    // sweep: ratio vs spectral radius
    const px = chainW + gap, py = 24, ph = height - 70;
    const rl = v.sweep_ratios.map((r) => Math.log10(Math.max(r, 1e-300)));
    const rlo = Math.min(...rl, 0), rhi = Math.max(...rl, 0);
    const ry = (l) => py + ph - ((l - rlo) / Math.max(rhi - rlo, 1)) * ph;
    const rx = (rho) => px + ((rho - 0.1) / 1.9) * plotW;
    ctx.textAlign = "left"; ctx.fillStyle = COLORS.text;
    ctx.fillText("||dL/dh_0|| / ||dL/dh_T|| vs ρ (log)", px, 9);
    ctx.strokeStyle = COLORS.grid;
    ctx.strokeRect(px, py, plotW, ph);
    ctx.setLineDash([4, 3]);
    ctx.beginPath(); ctx.moveTo(px, ry(0)); ctx.lineTo(px + plotW, ry(0)); ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = COLORS.muted; ctx.textAlign = "right";
    ctx.fillText("1", px - 3, ry(0));
    ctx.fillText(fmt(10 ** rhi), px - 3, py + 4);
    ctx.fillText(fmt(10 ** rlo), px - 3, py + ph - 4);
    ctx.textAlign = "center";
    for (const rho of [0.5, 1, 1.5, 2]) ctx.fillText(String(rho), rx(rho), py + ph + 10);
    ctx.fillText("spectral radius ρ(W_hh)", px + plotW / 2, py + ph + 24);
    ctx.strokeStyle = COLORS.weight; ctx.lineWidth = 2;
    ctx.beginPath();
    v.sweep_radii.forEach((rho, k) => { const X = rx(rho), Y = ry(rl[k]); if (k) ctx.lineTo(X, Y); else ctx.moveTo(X, Y); });
    ctx.stroke();
    const cur = Math.log10(Math.max(v.ratio, 1e-300));
    if (v.spectral_radius >= 0.1 && v.spectral_radius <= 2.0) {
      ctx.fillStyle = COLORS.grad;
      ctx.beginPath(); ctx.arc(rx(v.spectral_radius), ry(Math.max(rlo, Math.min(rhi, cur))), 5, 0, 2 * Math.PI); ctx.fill();
    }

    facts.textContent = "";
    facts.append(
      el("span", { text: `ρ(W_hh) = ${v.spectral_radius.toFixed(2)}` }),
      el("span", { class: `dlw-verdict dlw-${v.verdict}`, text: `gradient ratio over ${T} steps: ${fmt(v.ratio)} (${v.verdict})` }),
    );
    canvas.setAttribute("aria-label", v.description || "");
    root.dataset.draws = String(++draws);
  }

  const SETTINGS = ["spectral_radius", "steps", "hidden_size", "input_size", "input_scale", "bias", "speed"];
  return followViewAndPlay(model, SETTINGS, player, syncControls, draw);
}

export default { render };
