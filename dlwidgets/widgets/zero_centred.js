// Zero-centred updates front end: two SGD paths in the (w1, w2) plane, the directions an
// all-positive input allows (shaded), and the notes' two-step path. Play reveals the steps
// in the browser, without going back to Python.

function render({ model, el: root }) {
  root.classList.add("dlw-zc");
  const controls = [
    slider(model, "learning_rate", "Learning rate", 0.05, 1.5, 0.05, (v) => v.toFixed(2)),
    slider(model, "batch_size", "Examples per step", 1, 64, 1),
    slider(model, "steps", "Steps", 1, 200, 1),
  ];
  const play = el("button", { type: "button", "aria-label": "Play the two paths step by step", text: "▶ Play" });
  const row = controlRow([...controls.map((c) => c.node), play]);
  const error = el("div", { class: "dlw-error", role: "alert", hidden: "" });
  const canvas = el("canvas", { role: "img" });
  const facts = el("div", { class: "dlw-facts" });
  root.append(row, error, canvas, facts);
  let draws = 0, frame = null, t = -1, last = 0;

  function sync() { for (const c of controls) c.sync(); }

  function draw() {
    const v = viewOf(model);
    const message = errorOf(model);
    showError(root, error, message);
    if (message || !v.positive) {
      sizeCanvas(canvas, 10, 10); facts.textContent = "";
      root.dataset.draws = String(++draws);
      return;
    }
    const n = t < 0 ? v.steps : Math.min(t, v.steps);
    const notes = [v.notes.start.slice(0, 2)];
    for (const s of v.notes.same_sign) { const p = notes[notes.length - 1]; notes.push([p[0] + s[0], p[1] + s[1]]); }
    const pts = [...v.positive.path, ...v.centred.path, ...notes].filter(([a, b]) => Math.abs(a) < 8 && Math.abs(b) < 8);
    let lo = Math.min(-2, ...pts.flat()) - 0.3, hi = Math.max(2, ...pts.flat()) + 0.3;
    const ctx = sizeCanvas(canvas, 720, 410);
    const box = plotBox(ctx, 60, 24, 340, 340, { x: [lo, hi], y: [lo, hi], title: "weight space (w1, w2)", xLabel: "w1", yLabel: "w2" });
    ctx.save(); ctx.beginPath(); ctx.rect(box.left, box.top, box.width, box.height); ctx.clip();
    // With x > 0 an update (dL/dy)·x points into the all-positive or the all-negative quadrant.
    const [sx, sy] = v.start;
    ctx.fillStyle = "rgba(230,159,0,0.18)";
    ctx.fillRect(box.px(sx), box.top, box.left + box.width - box.px(sx), box.py(sy) - box.top);
    ctx.fillRect(box.left, box.py(sy), box.px(sx) - box.left, box.top + box.height - box.py(sy));
    ctx.restore();
    polyline(ctx, box, notes.map((p) => p[0]), notes.map((p) => p[1]), THEME.muted, 1.5, [6, 4]);
    polyline(ctx, box, [sx, v.target[0]], [sy, v.target[1]], "#999", 1, [2, 3]);
    for (const [feed, color] of [["positive", PALETTE.vermillion], ["centred", PALETTE.blue]]) {
      const path = v[feed].path.slice(0, n + 1);
      polyline(ctx, box, path.map((p) => p[0]), path.map((p) => p[1]), color, 1.6);
      ctx.save(); clipToBox(ctx, box);
      ctx.fillStyle = color;
      for (const [a, b] of path) {
        if (!Number.isFinite(a) || !Number.isFinite(b)) continue;
        ctx.beginPath(); ctx.arc(clampPixel(box.px(a)), clampPixel(box.py(b)), 2, 0, 2 * Math.PI); ctx.fill();
      }
      ctx.restore();
    }
    ctx.fillStyle = THEME.text;
    ctx.beginPath(); ctx.arc(box.px(sx), box.py(sy), 5, 0, 2 * Math.PI); ctx.fill();
    ctx.font = "20px sans-serif"; ctx.textAlign = "center"; ctx.textBaseline = "middle";
    ctx.fillText("★", box.px(v.target[0]), box.py(v.target[1]));
    ctx.font = "12px sans-serif"; ctx.textAlign = "left";
    ctx.fillText("start (1, −1)", box.px(sx) + 8, box.py(sy) + 12);
    ctx.fillText("target (−1, 1)", box.px(v.target[0]) + 10, box.py(v.target[1]) - 10);
    legend(ctx, 430, 40, [
      [PALETTE.vermillion, "sigmoid inputs (all > 0)"], [PALETTE.blue, "tanh inputs (zero-centred)"],
      [THEME.muted, "the notes: [−3,−3,−3] then [1,5,1]", [6, 4]], ["#999", "one mixed-sign step [−2,2,−2]", [2, 3]],
      ["rgba(230,159,0,0.5)", "directions allowed when x > 0"],
    ]);
    ctx.font = "12px sans-serif"; ctx.fillStyle = THEME.text; ctx.textAlign = "left";
    const lines = [`step ${n} of ${v.steps}, ${v.batch_size} example(s) per step`, ""];
    for (const [feed, name] of [["positive", "sigmoid"], ["centred", "tanh"]]) {
      const p = v[feed];
      lines.push(`${name}: same-sign updates ${fmtPercent(p.same_sign)}`);
      lines.push(p.reached_at === null ? `   not within ${v.reached_within} after ${v.steps} steps` : `   within ${v.reached_within} of the target at step ${p.reached_at}`);
    }
    lines.forEach((line, i) => ctx.fillText(line, 430, 140 + i * 18));
    facts.textContent = "";
    canvas.setAttribute("aria-label", v.description || "");
    root.dataset.shown = String(n);
    root.dataset.sameSignPositive = String(v.positive.same_sign);
    root.dataset.draws = String(++draws);
  }

  function stop() {
    if (frame !== null) cancelAnimationFrame(frame);
    frame = null; play.textContent = "▶ Play"; root.dataset.playing = "false";
  }
  function tick(now) {
    const v = viewOf(model);
    if (now - last > 60) { last = now; t += 1; draw(); }
    if (t >= (v.steps || 0)) { stop(); model.set("shown", -1); model.save_changes(); t = -1; draw(); return; }
    frame = requestAnimationFrame(tick);
  }
  play.addEventListener("click", () => {
    if (frame !== null) { stop(); model.set("shown", t); model.save_changes(); return; }
    t = 0; last = 0; play.textContent = "❚❚ Pause"; root.dataset.playing = "true";
    frame = requestAnimationFrame(tick);
  });

  const onView = () => { stop(); t = model.get("shown"); sync(); draw(); };
  const unfollow = followView(model, ["learning_rate", "batch_size", "steps"], onView, sync);
  return () => { stop(); unfollow(); };
}

export default { render };
