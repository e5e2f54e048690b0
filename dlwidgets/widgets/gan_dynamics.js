// GAN dynamics front end: the frames Python recorded (model "view") played, stepped and scrubbed in
// the browser with requestAnimationFrame, interpolating between frames so every display frame is a
// fresh drawing. Appended to _shared.js (el, settingSelect, settingSlider, playback, sizeCanvas, ...).

const C = { real: PALETTE.green, fake: PALETTE.purple, d: PALETTE.blue, gLoss: PALETTE.vermillion, dLoss: PALETTE.blue,
  map: PALETTE.orange, get text() { return THEME.text; }, get muted() { return THEME.muted; }, get grid() { return THEME.grid; } };
const LOSSES = [["minimax", "minimax  log(1 − D(G(z)))"], ["non_saturating", "non-saturating  −log D(G(z))"],
  ["wgan_clip", "WGAN, weight clipping"], ["wgan_gp", "WGAN-GP, gradient penalty"]];
const TARGETS = [["gaussian", "one Gaussian"], ["mixture", "two modes (mixture)"]];
const RATES = ["0.001", "0.003", "0.01", "0.03"];

const lerp = (a, b, u) => a + (b - a) * u;
const pct = (x) => `${Math.round(100 * x)}%`;

function render({ model, el: root }) {
  root.classList.add("dlw-gan");
  const loss = settingSelect(model, "loss", "Loss", LOSSES);
  const target = settingSelect(model, "target", "Target distribution", TARGETS);
  const lrG = settingSelect(model, "lr_g", "Generator learning rate", RATES, Number);
  const lrD = settingSelect(model, "lr_d", "Discriminator learning rate", RATES, Number);
  const k = settingSlider(model, "d_steps", "k", { min: 1, max: 5, aria: "k: discriminator steps per generator step" });
  const steps = settingSlider(model, "steps", "Steps", { min: 50, max: 600, step: 50, aria: "Generator steps" });
  const seed = settingSlider(model, "seed", "Seed", { min: 0, max: 99 });
  const controls = controlRow([el("label", {}, ["Loss", loss]), el("label", {}, ["Target", target]),
    el("label", {}, ["lr G", lrG]), el("label", {}, ["lr D", lrD]), k.node, steps.node, seed.node]);
  const backButton = el("button", { type: "button", "aria-label": "Previous frame", text: "◁ Back" });
  const playButton = el("button", { type: "button", "aria-label": "Play or pause the training", text: "▶ Play" });
  const stepButton = el("button", { type: "button", "aria-label": "Next frame", text: "Step ▷" });
  const scrub = keyboardRange(el("input", { type: "range", min: 0, max: 1, step: 1, class: "dlw-scrub",
    "aria-label": "Training frame (scrub)", "data-control": "scrub" }));
  const speed = speedSlider(model, 60, "Playback speed (frames per second)");
  const where = el("span", { class: "dlw-where", "aria-live": "polite" });
  const player = controlRow([backButton, playButton, stepButton, el("label", {}, ["Frame", scrub]),
    el("label", {}, ["Speed", speed]), where]);
  const error = el("div", { class: "dlw-error", role: "alert", hidden: "" });
  // Arrow keys, Home, End and space on the picture step, jump and play, not JupyterLab's shortcuts.
  const canvas = suppressShortcuts(el("canvas", { role: "img", tabindex: "0" }));
  const facts = el("div", { class: "dlw-facts" });
  const help = el("div", { class: "dlw-help", text: "Keys on the picture: ← → step a frame, Home / End first / last, space plays or pauses." });
  root.append(controls, player, error, canvas, facts, help);

  let pos = model.get("frame");   // fractional frame shown
  let lastNow = 0, draws = 0;
  const stamps = [];
  const view = () => viewOf(model);
  const lastFrame = () => Math.max(0, (view().steps || [0]).length - 1);

  function syncControls() {
    loss.value = model.get("loss"); target.value = model.get("target");
    lrG.value = String(model.get("lr_g")); lrD.value = String(model.get("lr_d"));
    k.sync(); steps.sync(); seed.sync();
    speed.value = model.get("speed");
    scrub.max = String(lastFrame());
    scrub.value = String(Math.round(pos));
  }

  // A row of values at fractional frame p, interpolated between the two frames around it.
  function at(rows, p) {
    const a = Math.max(0, Math.min(rows.length - 1, Math.floor(p)));
    const b = Math.min(rows.length - 1, a + 1);
    const u = p - a;
    return rows[a].map((x, i) => lerp(x, rows[b][i], b === a ? 0 : u));
  }

  let rangeOf = null, range = null;     // the losses' range, worked out once per view, not per frame
  function lossRange(v) {
    if (rangeOf !== v) {
      let lo = Infinity, hi = -Infinity;
      for (const y of v.d_loss) { lo = Math.min(lo, y); hi = Math.max(hi, y); }
      for (const y of v.g_loss) { lo = Math.min(lo, y); hi = Math.max(hi, y); }
      rangeOf = v; range = { lo, hi };
    }
    return range;
  }

  function line(ctx, pts, color, width = 1.5, dash = []) {
    ctx.strokeStyle = color; ctx.lineWidth = width; ctx.setLineDash(dash);
    ctx.beginPath(); ctx.moveTo(...pts[0]);
    for (const p of pts.slice(1)) ctx.lineTo(...p);
    ctx.stroke(); ctx.setLineDash([]);
  }

  function text(ctx, s, x, y, { color = C.text, align = "left", font = "11px sans-serif" } = {}) {
    ctx.fillStyle = color; ctx.textAlign = align; ctx.font = font; ctx.fillText(s, x, y);
  }

  function draw() {
    const v = view();
    const message = errorOf(model);
    showError(root, error, message);
    if (message || !v.steps) {
      sizeCanvas(canvas, 10, 10);
      facts.textContent = ""; where.textContent = "";
      canvas.setAttribute("aria-label", message || "");
      root.dataset.draws = String(++draws);
      return;
    }
    const F = v.steps.length;
    pos = Math.max(0, Math.min(F - 1, pos));
    const f = Math.round(pos);
    // The loss and JS plots beside the densities in 960 units; below 600 px of room (scaled by at most 0.75)
    // they go under them, rather than off the side.
    const narrow = root.clientWidth > 0 && root.clientWidth < 600;
    const W = narrow ? 660 : 960, H = narrow ? 700 : 345;
    const ctx = sizeCanvas(canvas, W, H);
    ctx.textBaseline = "middle";

    // ---------------- densities and D on the line
    const x0 = 50, x1 = 620, top = 36, base = 226;
    const X = (x) => x0 + ((x - v.x[0]) / (v.x[v.x.length - 1] - v.x[0])) * (x1 - x0);
    const fake = at(v.fake_density, pos);
    const yMax = Math.max(...v.real_pdf, ...fake, 1e-9) * 1.1;
    const Y = (d) => base - (d / yMax) * (base - top);
    ctx.fillStyle = shade(C.real, 0.35);
    ctx.beginPath(); ctx.moveTo(X(v.x[0]), base);
    v.x.forEach((x, i) => ctx.lineTo(X(x), Y(v.real_pdf[i])));
    ctx.lineTo(X(v.x[v.x.length - 1]), base); ctx.closePath(); ctx.fill();
    line(ctx, v.x.map((x, i) => [X(x), Y(v.real_pdf[i])]), C.real, 1.5);
    const stairs = [[X(v.edges[0]), base]];
    fake.forEach((d, i) => { stairs.push([X(v.edges[i]), Y(d)], [X(v.edges[i + 1]), Y(d)]); });
    stairs.push([X(v.edges[v.edges.length - 1]), base]);
    line(ctx, stairs, C.fake, 2);
    let curve = at(v.d_curve, pos);
    if (v.wgan) {
      const lo = Math.min(...curve), hi = Math.max(...curve), span = Math.max(hi - lo, 1e-12);
      curve = curve.map((c) => (c - lo) / span);
    }
    const YD = (d) => base - d * (base - top);
    line(ctx, [[x0, YD(0.5)], [x1, YD(0.5)]], C.grid, 1, [3, 3]);
    if (!v.wgan) {                     // the best discriminator against these samples, bin by bin
      let run = [];                    // bins without samples of either (null) break the line
      const flush = () => { if (run.length) line(ctx, run, C.d, 1, [4, 3]); run = []; };
      v.d_star[f].forEach((d, i) => {
        if (d === null) flush();
        else run.push([X(v.edges[i]), YD(d)], [X(v.edges[i + 1]), YD(d)]);
      });
      flush();
    }
    line(ctx, v.x.map((x, i) => [X(x), YD(curve[i])]), C.d, 2);
    line(ctx, [[x0, base], [x1, base]], C.text, 1);
    for (let t = -4; t <= 4; t += 2) text(ctx, String(t), X(t), base + 9, { align: "center", color: C.muted });
    text(ctx, v.wgan ? "critic f(x), rescaled to 0..1" : "D(x)", x1 + 4, top, { color: C.d });
    text(ctx, "1", x1 + 4, YD(1) + 10, { color: C.d }); text(ctx, "½", x1 + 4, YD(0.5), { color: C.d });
    text(ctx, "0", x1 + 4, base - 6, { color: C.d });
    text(ctx, `${v.loss_name} loss, ${v.target === "mixture" ? "two modes" : "one Gaussian"}: generator step ${v.steps[f]} of ${v.total_steps}`,
      x0, 12, { font: "bold 13px sans-serif" });
    ctx.fillStyle = C.real; ctx.fillRect(x0, 24, 12, 8); text(ctx, "data p(x)", x0 + 16, 28);
    line(ctx, [[x0 + 90, 28], [x0 + 104, 28]], C.fake, 2); text(ctx, "generator's samples", x0 + 108, 28);
    line(ctx, [[x0 + 240, 28], [x0 + 254, 28]], C.d, 2); text(ctx, v.wgan ? "critic" : "discriminator D(x)", x0 + 258, 28);
    if (!v.wgan) { line(ctx, [[x0 + 370, 28], [x0 + 384, 28]], C.d, 1, [4, 3]); text(ctx, "best D* = p / (p + p_g)", x0 + 388, 28); }

    // ---------------- G's mapping: noise z (bottom) to sample x (top)
    const zTop = 262, zBase = 330;
    const map = at(v.g_map, pos);
    const Z = (z) => X(z * (4 / 2.5));            // z in [-2.5, 2.5] drawn over x in [-4, 4]
    v.z.forEach((z, i) => {
      const gx = Math.max(v.x[0], Math.min(v.x[v.x.length - 1], map[i]));
      line(ctx, [[Z(z), zBase], [X(gx), zTop]], shade(C.map, 0.35 + 0.65 * Math.exp(-z * z / 2)), 1.2);
    });
    line(ctx, [[x0, zTop], [x1, zTop]], C.text, 1); line(ctx, [[Z(-2.5), zBase], [Z(2.5), zBase]], C.text, 1);
    text(ctx, "x = G(z)", x0 - 46, zTop); text(ctx, "noise z", x0 - 46, zBase);
    for (const z of [-2, 0, 2]) text(ctx, String(z), Z(z), zBase + 9, { align: "center", color: C.muted });

    // ---------------- losses per step and JS per frame
    const [l0, l1, lt, lb] = narrow ? [60, 620, 381, 535] : [690, 940, 36, 190];
    const n = v.d_loss.length;
    const { lo, hi } = lossRange(v);
    const span = Math.max(hi - lo, 1e-9);
    const LX = (s) => l0 + ((s - 1) / Math.max(1, n - 1)) * (l1 - l0);
    const LY = (y) => lb - ((y - lo) / span) * (lb - lt);
    ctx.strokeStyle = C.grid; ctx.lineWidth = 1; ctx.strokeRect(l0, lt, l1 - l0, lb - lt);
    line(ctx, v.d_loss.map((y, i) => [LX(i + 1), LY(y)]), C.dLoss, 1);
    line(ctx, v.g_loss.map((y, i) => [LX(i + 1), LY(y)]), C.gLoss, 1);
    const cursor = lerp(v.steps[Math.floor(pos)], v.steps[Math.min(F - 1, Math.floor(pos) + 1)], pos - Math.floor(pos));
    line(ctx, [[LX(Math.max(1, cursor)), lt], [LX(Math.max(1, cursor)), lb]], C.text, 1);
    text(ctx, "losses per generator step", l0, lt - 12, { font: "bold 12px sans-serif" });
    text(ctx, "— D", l0 + 160, lt - 12, { color: C.dLoss }); text(ctx, "— G", l0 + 200, lt - 12, { color: C.gLoss });
    text(ctx, hi.toFixed(2), l0 - 3, lt + 4, { align: "right", color: C.muted });
    text(ctx, lo.toFixed(2), l0 - 3, lb - 4, { align: "right", color: C.muted });
    const [jt, jb] = narrow ? [581, 679] : [232, 330];
    const JX = (i) => l0 + (i / Math.max(1, F - 1)) * (l1 - l0);
    const JY = (j) => jb - (j / Math.log(2)) * (jb - jt);
    ctx.strokeStyle = C.grid; ctx.strokeRect(l0, jt, l1 - l0, jb - jt);
    line(ctx, v.js.map((j, i) => [JX(i), JY(j)]), C.fake, 1.5);
    line(ctx, [[JX(pos), jt], [JX(pos), jb]], C.text, 1);
    text(ctx, "JS(data, samples) per frame, 0 to ln 2", l0, jt - 12, { font: "bold 12px sans-serif" });
    text(ctx, String(v.total_steps), l1, lb + 9, { align: "right", color: C.muted });
    text(ctx, "1", l0, lb + 9, { color: C.muted });

    // ---------------- the numbers of the frame shown
    const masses = v.masses[f];
    const dl = v.d_loss[Math.max(0, v.steps[f] - 1)], gl = v.g_loss[Math.max(0, v.steps[f] - 1)];
    const near = masses.map((m, i) => `${pct(m)} near ${v.modes[i]}`).join(", ");
    const end = v.masses[F - 1];
    facts.replaceChildren(
      el("span", { text: `Step ${v.steps[f]}: D loss ${v.steps[f] ? dl.toFixed(3) : "–"}, G loss ${v.steps[f] ? gl.toFixed(3) : "–"}, `
        + `JS ${v.js[f].toFixed(3)}; samples ${near}.` }),
      el("span", { class: "dlw-where", text: `After ${v.total_steps} steps: ${end.map((m, i) => `${pct(m)} near ${v.modes[i]}`).join(", ")}`
        + (v.modes.length > 1 ? (v.covers ? ", both modes covered." : ", mode collapse.") : ".") }));
    where.textContent = `frame ${f} / ${F - 1}`;
    scrub.max = String(F - 1);
    if (document.activeElement !== scrub || !play.running()) scrub.value = String(f);

    const now = performance.now();
    stamps.push(now);
    while (stamps.length && now - stamps[0] > 1000) stamps.shift();
    root.dataset.frame = String(f);
    root.dataset.position = pos.toFixed(3);
    root.dataset.step = String(v.steps[f]);
    root.dataset.fps = String(stamps.length);
    root.dataset.js = v.js[f].toFixed(4);
    root.dataset.masses = masses.join(",");
    root.dataset.loss = v.loss;
    root.dataset.target = v.target;
    root.dataset.lrG = String(v.lr_g);
    root.dataset.lrD = String(v.lr_d);
    root.dataset.dSteps = String(v.d_steps);
    root.dataset.covers = String(v.covers);
    canvas.setAttribute("aria-label", `GAN training, ${v.loss_name} loss, generator step ${v.steps[f]} of ${v.total_steps}: `
      + `samples ${near}; JS divergence ${v.js[f].toFixed(3)}.`);
    root.dataset.draws = String(++draws);
  }

  function report() {
    save(model, "frame", Math.round(pos));
  }

  const play = playback(model, root, playButton, {
    begin: () => {
      if (pos >= lastFrame()) pos = 0;
      lastNow = performance.now();
    },
    advance: (now) => {
      const dt = Math.min(100, now - lastNow);
      lastNow = now;
      pos = Math.min(lastFrame(), pos + (dt / 1000) * Math.max(1, model.get("speed")));
      draw();
      return pos >= lastFrame();
    },
    paused: () => {
      pos = Math.round(pos);
      draw();
      report();
    },
    report,
  });

  function goTo(frame) {
    play.pause();
    pos = Math.max(0, Math.min(lastFrame(), frame));
    draw();
    report();
  }
  const stepBy = (delta) => {
    const F = lastFrame() + 1, s = Math.round(pos) + delta;
    goTo(s > F - 1 ? 0 : s < 0 ? F - 1 : s);
  };
  stepButton.addEventListener("click", () => stepBy(1));
  backButton.addEventListener("click", () => stepBy(-1));
  scrub.addEventListener("input", () => goTo(Number(scrub.value)));
  canvas.addEventListener("keydown", (e) => {
    if (e.key === "ArrowRight") stepBy(1);
    else if (e.key === "ArrowLeft") stepBy(-1);
    else if (e.key === "Home") goTo(0);
    else if (e.key === "End") goTo(lastFrame());
    else if (e.key === " ") play.toggle();
    else return;
    e.preventDefault();
    e.stopPropagation();
  });

  const onView = () => { if (!play.running()) pos = model.get("frame"); syncControls(); draw(); };
  const onFrame = () => { if (!play.running()) { pos = model.get("frame"); draw(); } };
  const SETTINGS = ["loss", "target", "lr_g", "lr_d", "d_steps", "steps", "seed", "speed"];
  const unlisten = [
    listen(model, ["change:frame"], onFrame),
    followView(model, SETTINGS, onView, syncControls),
  ];
  play.start();
  return () => {
    play.stop();
    for (const off of unlisten) off();
  };
}

export default { render };
