// Gate animator front end: an LSTM cell (and a GRU beside it) drawn on a canvas from what
// Python computed (model "view"). Playback runs in the browser with requestAnimationFrame,
// interpolating gates between time steps, so every displayed frame is a fresh drawing.
// Appended to _shared.js (el, settingSlider, speedSlider, sizeCanvas, diverging, listen, ...).

const C = { i: PALETTE.green, f: PALETTE.blue, g: PALETTE.purple, o: PALETTE.orange, c: PALETTE.vermillion, z: PALETTE.blue,
  r: PALETTE.sky, n: PALETTE.purple, get text() { return THEME.text; }, get muted() { return THEME.muted; },
  get line() { return THEME.line; }, get grid() { return THEME.grid; }, get empty() { return THEME.empty; },
  get belt() { return THEME.empty; }, get panel() { return THEME.panel; } };

const SLIDERS = [
  ["forget_bias", "LSTM forget-gate bias", -6, 10, 0.25],
  ["update_bias", "GRU update-gate bias", -6, 10, 0.25],
  ["steps", "Steps T", 2, 60, 1],
  ["hidden_size", "Units H", 1, 8, 1],
  ["pulse", "Pulse at step 1", -5, 5, 0.5],
];

const lerp = (a, b, u) => a + (b - a) * u;
// The belt's band, in pixels, whatever the number of units; each unit's lane is an equal share of it.
const BELT_HEIGHT = 42;
const FORMULA_Y = 100;   // where the update formulas sit, under the belts
const laneHeight = (H) => Math.max(3, Math.min(7, Math.floor(BELT_HEIGHT / Math.max(1, H))));
// One colour per unit in the cell-state timeline (Okabe-Ito, then repeated with a dash).
const UNIT_COLOURS = [PALETTE.vermillion, PALETTE.blue, PALETTE.green, PALETTE.orange, PALETTE.purple, PALETTE.sky,
  PALETTE.yellow, "#7F7F7F"];

const sig3 = (x) => (x >= 0.01 || x === 0 ? x.toFixed(3) : x.toPrecision(3));
const mean = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length;

function render({ model, el: root }) {
  root.classList.add("dlw-gates");
  const sliders = SLIDERS.map(([name, label, min, max, step]) => settingSlider(model, name, label, { min, max, step }));
  const controls = controlRow(sliders.map((s) => s.node));
  const backButton = el("button", { type: "button", "aria-label": "Previous time step", text: "◁ Back" });
  const playButton = el("button", { type: "button", "aria-label": "Play or pause the sequence", text: "▶ Play" });
  const stepButton = el("button", { type: "button", "aria-label": "Next time step", text: "Step ▷" });
  const speed = speedSlider(model, 15, "Speed (time steps per second)");
  const where = el("span", { class: "dlw-where", "aria-live": "polite" });
  const player = controlRow([backButton, playButton, stepButton, el("label", {}, ["Speed", speed]), where]);
  const error = el("div", { class: "dlw-error", role: "alert", hidden: "" });
  // Arrow keys and space on the picture step and play, not JupyterLab's shortcuts.
  const canvas = suppressShortcuts(el("canvas", { role: "img", tabindex: "0" }));
  const help = el("div", { class: "dlw-help", text: "Keys on the picture: ← → step, space plays or pauses. Hover over a gate's bar to see its value as σ (or tanh) of its pre-activation." });
  const readout = el("div", { class: "dlw-readout", "aria-live": "polite" });
  root.append(controls, player, error, canvas, readout, help);
  let gateBoxes = [], hoverGate = null;   // where each gate's bars were drawn; the bar under the pointer

  let pos = 1;                 // fractional time step shown (1..T)
  let belt = 0;                // conveyor-belt phase, pixels
  let lastNow = 0, draws = 0;
  const stamps = [];           // draw times of the last second, for the measured frame rate
  const view = () => viewOf(model);

  function syncControls() {
    for (const slider of sliders) slider.sync();
    speed.value = model.get("speed");
  }

  function at(series, p) {     // one row (H values) of a (T, H) series at fractional step p
    const T = series.length;
    const a = Math.max(0, Math.min(T - 1, Math.floor(p) - 1));
    const b = Math.min(T - 1, a + 1);
    const u = Math.max(0, Math.min(1, p - Math.floor(p)));
    return series[a].map((x, k) => lerp(x, series[b][k], b === a ? 0 : u));
  }

  function line(ctx, pts, color = C.line, width = 1.5) {
    ctx.strokeStyle = color; ctx.lineWidth = width;
    ctx.beginPath(); ctx.moveTo(...pts[0]);
    for (const p of pts.slice(1)) ctx.lineTo(...p);
    ctx.stroke();
  }

  function node(ctx, x, y, label) {
    ctx.fillStyle = C.panel; ctx.strokeStyle = C.line; ctx.lineWidth = 1.5;
    ctx.beginPath(); ctx.arc(x, y, 10, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
    ctx.fillStyle = C.text; ctx.font = "bold 13px sans-serif"; ctx.textAlign = "center"; ctx.textBaseline = "middle";
    ctx.fillText(label, x, y + 1);
  }

  // A gate as a box of H bars: sigmoid gates fill from the bottom (0..1), tanh from the middle (-1..1).
  function gate(ctx, cx, top, name, fn, values, color, meaning, cell) {
    const w = 70, h = 72, x0 = cx - w / 2;
    gateBoxes.push({ cell, name, fn, x0: x0 + 5, top: top + 18, w: w - 10, h: h - 24, units: values.length });
    ctx.fillStyle = C.panel; ctx.strokeStyle = color; ctx.lineWidth = 2;
    ctx.fillRect(x0, top, w, h); ctx.strokeRect(x0, top, w, h);
    ctx.fillStyle = C.text; ctx.font = "bold 12px sans-serif"; ctx.textAlign = "center"; ctx.textBaseline = "middle";
    ctx.fillText(`${name} = ${fn}`, cx, top + 9);
    const H = values.length, gap = 2, bw = (w - 10 - gap * (H - 1)) / H, by = top + 18, bh = h - 24;
    for (let u = 0; u < H; u++) {
      const bx = x0 + 5 + u * (bw + gap);
      ctx.fillStyle = C.empty; ctx.fillRect(bx, by, bw, bh);
      if (hoverGate && hoverGate.cell === cell && hoverGate.name === name && hoverGate.unit === u) {
        ctx.strokeStyle = C.text; ctx.lineWidth = 1.5; ctx.strokeRect(bx - 1, by - 1, bw + 2, bh + 2);
      }
      ctx.fillStyle = color;
      if (fn === "tanh") {
        const mid = by + bh / 2, v = values[u] * (bh / 2);
        ctx.fillRect(bx, v >= 0 ? mid - v : mid, bw, Math.abs(v));
      } else {
        ctx.fillRect(bx, by + bh * (1 - values[u]), bw, bh * values[u]);
      }
    }
    ctx.font = "11px sans-serif";
    const lines = [`mean ${mean(values).toFixed(2)}`, meaning].filter(Boolean);
    lines.forEach((text, k) => {          // a white backing keeps the wires from crossing the words
      const w = ctx.measureText(text).width + 4;
      ctx.fillStyle = C.panel; ctx.fillRect(cx - w / 2, top + h + 3 + 12 * k, w, 12);
      ctx.fillStyle = C.muted; ctx.fillText(text, cx, top + h + 9 + 12 * k);
    });
  }

  // The conveyor belt: one lane per unit, coloured by its value, with chevrons moving right.
  // Lanes are thinner with more units, so the belt keeps to its band (at most BELT_HEIGHT) and never
  // covers the formulas under it.
  function beltSegment(ctx, x0, x1, top, values, scale, flow) {
    const H = values.length, lane = laneHeight(H);
    for (let u = 0; u < H; u++) {
      ctx.fillStyle = diverging(values[u] / scale, C.c, C.f);
      ctx.fillRect(x0, top + u * lane, x1 - x0, lane - 1);
    }
    ctx.strokeStyle = `rgba(0,0,0,${0.15 + 0.45 * Math.max(0, Math.min(1, flow))})`;
    ctx.lineWidth = 1.5;
    const hgt = H * lane;
    for (let x = x0 + ((belt % 22) + 22) % 22; x < x1 - 6; x += 22) {
      ctx.beginPath(); ctx.moveTo(x, top + 2); ctx.lineTo(x + 5, top + hgt / 2); ctx.lineTo(x, top + hgt - 2); ctx.stroke();
    }
    return hgt;
  }

  function plot(ctx, x0, y0, w, h, T, title, series, ylo, yhi, p) {
    ctx.strokeStyle = C.grid; ctx.lineWidth = 1; ctx.strokeRect(x0, y0, w, h);
    ctx.fillStyle = C.text; ctx.font = "11px sans-serif"; ctx.textAlign = "left"; ctx.textBaseline = "middle";
    ctx.fillText(title, x0, y0 - 9);
    const X = (t) => x0 + (T === 1 ? 0 : ((t - 1) / (T - 1)) * w);
    const Y = (v) => y0 + h - ((v - ylo) / (yhi - ylo)) * h;
    for (const { values, color, dash, width } of series) {
      ctx.setLineDash(dash || []);
      line(ctx, values.map((v, k) => [X(k + 1), Y(Math.max(ylo, Math.min(yhi, v)))]), color, width || 1.5);
    }
    ctx.setLineDash([]);
    ctx.fillStyle = C.muted; ctx.textAlign = "center";
    ctx.fillText("1", X(1), y0 + h + 9); ctx.fillText(String(T), X(T), y0 + h + 9);
    ctx.textAlign = "right";
    ctx.fillText(ylo.toFixed(ylo === 0 ? 0 : 2), x0 - 3, y0 + h); ctx.fillText(yhi.toFixed(yhi === 1 ? 0 : 2), x0 - 3, y0 + 4);
    line(ctx, [[X(p), y0], [X(p), y0 + h]], C.text, 1);
    return { X, Y };
  }

  function draw() {
    const v = view();
    const message = errorOf(model);
    showError(root, error, message);
    if (message || !v.steps) {
      sizeCanvas(canvas, 10, 10);
      where.textContent = ""; readout.textContent = "";
      canvas.setAttribute("aria-label", message || "");
      root.dataset.draws = String(++draws);
      return;
    }
    const T = v.steps, H = v.hidden_size;
    pos = Math.max(1, Math.min(T, pos));
    const step = Math.floor(pos + 1e-9);
    const L = v.lstm, G = v.gru;
    const i = at(L.i, pos), f = at(L.f, pos), g = at(L.g, pos), o = at(L.o, pos);
    const c = at(L.c, pos), h = at(L.h, pos);
    const cPrev = pos < 2 ? c.map(() => 0) : at(L.c, pos - 1);
    const hPrev = pos < 2 ? h.map(() => 0) : at(L.h, pos - 1);
    const r = at(G.r, pos), z = at(G.z, pos), n = at(G.n, pos), gh = at(G.h, pos);
    const gPrev = pos < 2 ? gh.map(() => 0) : at(G.h, pos - 1);
    const x = lerp(v.xs[step - 1], v.xs[Math.min(T - 1, step)], step < T ? pos - step : 0);

    const W = 960, Hh = 512;
    const ctx = sizeCanvas(canvas, W, Hh);
    gateBoxes = [];
    ctx.textBaseline = "middle";
    // ---------------- LSTM
    ctx.font = "bold 13px sans-serif"; ctx.fillStyle = C.text; ctx.textAlign = "left";
    ctx.fillText(`LSTM, step ${step} of ${T}   (x_t = ${x.toFixed(2)})`, 12, 12);
    const bTop = 44, bH = H * laneHeight(H), bMid = bTop + bH / 2;
    ctx.font = "11px sans-serif"; ctx.fillStyle = C.muted;
    ctx.fillText("cell state: the conveyor belt", 40, bTop - 10);
    ctx.textAlign = "right"; ctx.fillText("c_t →", 590, bTop - 10);
    const fx = 200, px = 320, ox = 520;
    beltSegment(ctx, 30, fx - 10, bTop, cPrev, v.c_max, 1);
    beltSegment(ctx, fx + 10, px - 10, bTop, cPrev.map((cv, k) => cv * f[k]), v.c_max, mean(f));
    beltSegment(ctx, px + 10, 590, bTop, c, v.c_max, 1);
    ctx.textAlign = "left"; ctx.fillStyle = C.text; ctx.fillText("c_{t−1}", 30, bTop + bH + 10);
    const gTop = 170, bus = 292;
    // wiring first, so boxes and nodes sit on top
    line(ctx, [[fx, gTop], [fx, bMid + 10]], C.f, 2);                       // f -> x on the belt
    line(ctx, [[290, gTop], [290, 128], [309, 128]], C.i, 2);                 // i -> x
    line(ctx, [[380, gTop], [380, 128], [331, 128]], C.g, 2);                 // g -> x
    line(ctx, [[px, 118], [px, bMid + 10]], C.line, 2);                       // i*g -> +
    line(ctx, [[ox, bTop + bH], [ox, 112]], C.c, 1.5);                        // c_t -> tanh
    line(ctx, [[ox, 134], [ox, 194]], C.c, 1.5);                              // tanh(c_t) -> x
    line(ctx, [[500, 205], [ox - 10, 205]], C.o, 2);                          // o -> x
    line(ctx, [[ox, 215], [ox, bus], [590, bus]], C.text, 2);                 // h_t out
    line(ctx, [[20, bus], [470, bus]], C.line, 1.5);                          // h_{t-1} and x_t bus
    line(ctx, [[110, 330], [110, bus]], C.line, 1.5);
    for (const gx of [fx, 290, 380, 470]) line(ctx, [[gx, bus], [gx, gTop + 72]], C.line, 1.2);
    node(ctx, fx, bMid, "×"); node(ctx, px, bMid, "+"); node(ctx, px, 128, "×"); node(ctx, ox, 205, "×");
    ctx.fillStyle = C.panel; ctx.strokeStyle = C.c; ctx.lineWidth = 1.5;
    ctx.fillRect(ox - 20, 112, 40, 22); ctx.strokeRect(ox - 20, 112, 40, 22);
    ctx.fillStyle = C.text; ctx.font = "11px sans-serif"; ctx.textAlign = "center"; ctx.fillText("tanh", ox, 123);
    gate(ctx, fx - 10, gTop, "f", "σ", f, C.f, "forget: keep c?", "lstm");
    gate(ctx, 290, gTop, "i", "σ", i, C.i, "input: write?", "lstm");
    gate(ctx, 380, gTop, "g", "tanh", g, C.g, "candidate value", "lstm");
    gate(ctx, 470, gTop, "o", "σ", o, C.o, "output: show?", "lstm");
    ctx.textAlign = "left"; ctx.fillStyle = C.text; ctx.font = "11px sans-serif";
    ctx.fillText("h_{t−1}", 20, bus - 9);
    ctx.fillText("x_t", 116, 326);
    ctx.textAlign = "right"; ctx.fillText("h_t = o·tanh(c_t) →", 590, bus - 9);
    for (let u = 0; u < H; u++) {                                            // h_t cells
      ctx.fillStyle = diverging(h[u] / v.h_max, C.c, C.f); ctx.fillRect(540 + u * 6, bus + 5, 5, 10);
      ctx.fillStyle = diverging(hPrev[u] / v.h_max, C.c, C.f); ctx.fillRect(20 + u * 6, bus + 5, 5, 10);
    }
    ctx.textAlign = "left"; ctx.fillStyle = C.muted;
    ctx.fillText("c_t = f·c_{t−1} + i·g", 340, FORMULA_Y);
    canvas.dataset.beltBottom = String(bTop + bH);           // for tests: the belt ends above the formulas
    canvas.dataset.formulaTop = String(FORMULA_Y - 7);

    // ---------------- GRU
    const g0 = 630;
    ctx.font = "bold 13px sans-serif"; ctx.fillStyle = C.text; ctx.textAlign = "left";
    ctx.fillText("GRU beside it (no separate cell state)", g0, 12);
    const zx = 700, sx = 880;
    ctx.font = "11px sans-serif"; ctx.fillStyle = C.muted;
    ctx.fillText("hidden state h: the GRU's belt", g0, bTop - 10);
    beltSegment(ctx, g0, zx - 10, bTop, gPrev, v.h_max, 1);
    beltSegment(ctx, zx + 10, sx - 10, bTop, gPrev.map((hv, k) => hv * z[k]), v.h_max, mean(z));
    beltSegment(ctx, sx + 10, 950, bTop, gh, v.h_max, 1);
    line(ctx, [[690, gTop], [690, 126], [sx - 11, 126]], C.z, 2);           // z -> (1 - z) x n
    line(ctx, [[zx, 126], [zx, bMid + 10]], C.z, 2);                         // z -> x on the belt
    line(ctx, [[sx, gTop], [sx, 137]], C.n, 2);                              // n -> x
    line(ctx, [[sx, 115], [sx, bMid + 10]], C.line, 2);
    line(ctx, [[815, gTop + 36], [sx - 35, gTop + 36]], C.r, 2);            // r -> n
    line(ctx, [[g0, bus], [sx, bus]], C.line, 1.5);
    for (const gx of [690, 780, sx]) line(ctx, [[gx, bus], [gx, gTop + 72]], C.line, 1.2);
    node(ctx, zx, bMid, "×"); node(ctx, sx, bMid, "+"); node(ctx, sx, 126, "×");
    ctx.font = "11px sans-serif"; ctx.fillStyle = C.muted; ctx.textAlign = "center";
    ctx.fillText("1 − z", 800, 117);
    gate(ctx, 690, gTop, "z", "σ", z, C.z, "update: keep h?", "gru");
    gate(ctx, 780, gTop, "r", "σ", r, C.r, "reset", "gru");
    gate(ctx, sx, gTop, "n", "tanh", n, C.n, "candidate", "gru");
    ctx.textAlign = "left"; ctx.fillStyle = C.muted;
    ctx.fillText("h_t = z·h_{t−1} + (1−z)·n", 720, FORMULA_Y);
    ctx.fillStyle = C.text; ctx.fillText("h_{t−1}, x_t", g0, bus - 9);

    // ---------------- timelines
    const py = 380, ph = 90;
    const cs = L.c[0].map((_, u) => L.c.map((row) => row[u]));
    plot(ctx, 50, py, 390, ph, T, "LSTM cell state c_t, one line per unit", cs.map((values, u) => ({ values, color: UNIT_COLOURS[u % UNIT_COLOURS.length], width: 1.5 })),
      -v.c_max, v.c_max, pos);
    ctx.font = "11px sans-serif"; ctx.textAlign = "left"; ctx.textBaseline = "middle";
    ctx.fillStyle = C.muted; ctx.fillText("unit", 50, py + ph + 22);
    for (let u = 0; u < H; u++) {   // the legend: which colour is which unit
      const lx = 78 + u * 42;
      ctx.strokeStyle = UNIT_COLOURS[u % UNIT_COLOURS.length]; ctx.lineWidth = 2.5;
      ctx.beginPath(); ctx.moveTo(lx, py + ph + 22); ctx.lineTo(lx + 16, py + ph + 22); ctx.stroke();
      ctx.fillStyle = C.text; ctx.fillText(String(u + 1), lx + 19, py + ph + 22);
    }
    root.dataset.cellLegend = String(H);
    const k = Math.min(20, T - 1);
    const { X, Y } = plot(ctx, 530, py, 400, ph, T, `memory of step 1 left after ${k} steps: LSTM ${sig3(v.retained[k])}, GRU ${sig3(v.gru_retained[k])}`,
      [{ values: v.retained, color: C.f, width: 2.5 }, { values: v.gru_retained, color: C.r, dash: [6, 4], width: 2 }], 0, 1, pos);
    ctx.setLineDash([2, 3]); line(ctx, [[530, Y(0.5)], [930, Y(0.5)]], C.grid, 1); ctx.setLineDash([]);
    ctx.fillStyle = C.f; ctx.beginPath(); ctx.arc(X(k + 1), Y(v.retained[k]), 4, 0, 2 * Math.PI); ctx.fill();
    ctx.font = "11px sans-serif"; ctx.textAlign = "left";
    ctx.fillStyle = C.f; ctx.fillText("— LSTM: f₂·f₃·…·f_t", 540, py + ph + 22);
    ctx.fillStyle = "#2A7FB0"; ctx.fillText("- - GRU: z₂·z₃·…·z_t", 720, py + ph + 22);

    showGate(v, step);
    where.textContent = `step ${step} / ${T}`;
    const now = performance.now();
    stamps.push(now);
    while (stamps.length && now - stamps[0] > 1000) stamps.shift();
    root.dataset.step = String(step);
    root.dataset.position = pos.toFixed(3);
    root.dataset.fps = String(stamps.length);
    root.dataset.forgetBias = String(v.forget_bias);
    root.dataset.retained = String(v.retained[k]);
    canvas.setAttribute("aria-label", v.description || "");
    root.dataset.draws = String(++draws);
  }

  // The hovered gate unit at this step: its value from core as σ (or tanh) of its pre-activation.
  const GATE_NAMES = { lstm: { i: "input gate i", f: "forget gate f", g: "candidate g", o: "output gate o" },
    gru: { r: "reset gate r", z: "update gate z", n: "candidate n" } };
  function showGate(v, step) {
    if (!hoverGate) {
      readout.textContent = "";
      delete root.dataset.readoutGate;
      return;
    }
    const { cell, name, fn, unit } = hoverGate;
    const value = v[cell][name][step - 1][unit], a = v.pre[cell][name][step - 1][unit];
    const bias = cell === "lstm" && name === "f" ? ` (its bias includes the forget-gate bias ${v.forget_bias})`
      : cell === "gru" && name === "z" ? ` (its bias includes the update-gate bias ${v.update_bias})` : "";
    const arg = a === null ? "a" : a.toFixed(3);
    readout.textContent = `${cell.toUpperCase()} ${GATE_NAMES[cell][name]}, unit ${unit + 1}, step ${step}: `
      + `${name} = ${fn}(a), a = W·[h_{t−1}, x_t] + b${bias}` + "\n"
      + `  ${name} = ${fn}(${arg}) = ${value.toFixed(4)}`
      + (a === null ? "   (saturated: σ is exactly 1 in float64, so a is past about 37)" : "");
    root.dataset.readoutGate = `${cell}.${name}.${unit}`;
  }
  canvas.addEventListener("pointermove", (e) => {
    const { x, y } = canvasPoint(canvas, e);
    const box = gateBoxes.find((b) => x >= b.x0 && x < b.x0 + b.w && y >= b.top && y < b.top + b.h);
    const next = box ? { cell: box.cell, name: box.name, fn: box.fn, unit: Math.min(box.units - 1, Math.floor(((x - box.x0) / box.w) * box.units)) } : null;
    if (JSON.stringify(next) !== JSON.stringify(hoverGate)) { hoverGate = next; if (!play.running()) draw(); }
  });
  canvas.addEventListener("pointerleave", () => { if (hoverGate) { hoverGate = null; if (!play.running()) draw(); } });

  function report() {
    save(model, "step", Math.floor(pos + 1e-9));
  }

  const play = playback(model, root, playButton, {
    begin: () => {
      if (pos >= (view().steps || 1)) pos = 1;
      lastNow = performance.now();
    },
    advance: (now) => {
      const T = view().steps || 1;
      const dt = Math.min(100, now - lastNow);
      lastNow = now;
      const rate = Math.max(0.5, model.get("speed"));
      pos = Math.min(T, pos + (dt / 1000) * rate);
      belt += (dt / 1000) * 40;
      draw();
      return pos >= T;
    },
    paused: () => {
      pos = Math.floor(pos + 1e-9);
      draw();
      report();
    },
    report,
  });

  function stepBy(delta) {
    play.pause();
    const T = view().steps || 1;
    const s = Math.floor(pos + 1e-9) + delta;
    pos = s > T ? 1 : s < 1 ? T : s;
    draw();
    report();
  }
  stepButton.addEventListener("click", () => stepBy(1));
  backButton.addEventListener("click", () => stepBy(-1));
  canvas.addEventListener("keydown", (e) => {
    if (e.key === "ArrowRight") stepBy(1);
    else if (e.key === "ArrowLeft") stepBy(-1);
    else if (e.key === " ") play.toggle();
    else return;
    e.preventDefault();
    e.stopPropagation();
  });

  const onView = () => { if (!play.running()) pos = model.get("step"); syncControls(); draw(); };
  const onStep = () => { if (!play.running()) { pos = model.get("step"); draw(); } };
  const SETTINGS = ["forget_bias", "update_bias", "steps", "hidden_size", "pulse", "speed"];
  const unlisten = [
    listen(model, ["change:step"], onStep),
    followView(model, SETTINGS, onView, syncControls),
  ];
  play.start();
  return () => {
    play.stop();
    for (const off of unlisten) off();
  };
}

export default { render };
