// Search explorer front end: the objective as a grey heat map (dark = low error) with the grid's and the random
// points, each method's values of the parameter that matters projected below; or linear against log samples.
// Appended to _shared.js (el, settingSlider, settingSelect, sizeCanvas, followView, ...).

const SC = { grid: PALETTE.blue, random: PALETTE.vermillion, linear: PALETTE.orange, log: PALETTE.blue,
  get text() { return THEME.text; }, get muted() { return THEME.muted; }, get frame() { return THEME.grid; } };

function render({ model, el: root }) {
  root.classList.add("dlw-search");
  const panel = settingSelect(model, "panel", "What to show", [["search", "grid vs random search"], ["sampling", "linear vs log-scale sampling"]]);
  const points = settingSelect(model, "points", "Points per method", ["4", "9", "16", "25"], Number);
  const seed = settingSlider(model, "seed", "Seed", { min: 0, max: 30, aria: "Seed of the random points" });
  const samples = settingSlider(model, "samples", "Samples", { min: 10, max: 200, step: 10, aria: "How many learning rates to draw" });
  const searchOnly = el("span", { class: "dlw-group" }, [el("label", {}, ["Points", points])]);
  const samplingOnly = el("span", { class: "dlw-group" }, [samples.node]);
  const controls = controlRow([el("label", {}, ["Show", panel]), searchOnly, seed.node, samplingOnly]);
  const error = el("div", { class: "dlw-error", role: "alert", hidden: "" });
  const canvas = el("canvas", { role: "img" });
  const facts = el("div", { class: "dlw-facts" });
  root.append(controls, error, canvas, facts);
  let draws = 0;

  function syncControls() {
    panel.value = model.get("panel"); points.value = String(model.get("points"));
    seed.sync(); samples.sync();
    searchOnly.hidden = model.get("panel") !== "search"; samplingOnly.hidden = model.get("panel") !== "sampling";
  }

  function square(ctx, box, v, name, colour) {
    const n = v.raster.length, cell = box.w / n;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      const e = (v.raster[i][j] - 0.1) / 0.82;                     // 0 = best, 1 = worst
      const g = Math.round(120 + 135 * e);
      ctx.fillStyle = `rgb(${g},${g},${g})`;
      ctx.fillRect(box.x + i * cell, box.y + box.w - (j + 1) * cell, cell + 0.5, cell + 0.5);
    }
    const X = (x) => box.x + x * box.w, Y = (y) => box.y + box.w - y * box.w;
    const pts = v[name], best = v[`${name}_best`][0];
    pts.forEach(([x, y], i) => {
      ctx.fillStyle = colour;
      if (name === "grid") ctx.fillRect(X(x) - 4, Y(y) - 4, 8, 8); else { ctx.beginPath(); ctx.arc(X(x), Y(y), 4.5, 0, 2 * Math.PI); ctx.fill(); }
      if (i === best) { ctx.strokeStyle = "#000";   // dark ink: the ring sits on the grey map
        ctx.lineWidth = 2; ctx.beginPath(); ctx.arc(X(x), Y(y), 9, 0, 2 * Math.PI); ctx.stroke(); }
      ctx.strokeStyle = colour; ctx.lineWidth = 1.5;                 // its value of the parameter that matters, below
      ctx.beginPath(); ctx.moveTo(X(x), box.y + box.w + 6); ctx.lineTo(X(x), box.y + box.w + 18); ctx.stroke();
    });
    ctx.font = "bold 12px sans-serif"; ctx.fillStyle = SC.text; ctx.textAlign = "left";
    ctx.fillText(`${name}: ${v[`${name}_distinct`]} values tried, best error ${v[`${name}_best`][1].toFixed(3)}`, box.x, box.y - 12);
    ctx.font = "11px sans-serif"; ctx.fillStyle = SC.muted; ctx.textAlign = "center";
    ctx.fillText("parameter that matters →", box.x + box.w / 2, box.y + box.w + 30);
    ctx.save(); ctx.translate(box.x - 10, box.y + box.w / 2); ctx.rotate(-Math.PI / 2); ctx.fillText("parameter that does not →", 0, 0); ctx.restore();
  }

  // Below 600 px of room (the pictures scale down by at most 0.75) the second square and the legend go
  // under, rather than off the side.
  const isNarrow = () => root.clientWidth > 0 && root.clientWidth < 600;

  function drawSampling(ctx, v, narrow) {
    const box = { x: 60, y: 30, w: 560, h: 200 };
    const top = Math.max(...v.linear_decades, ...v.log_decades, 1);
    const slot = box.w / v.log_decades.length;
    ctx.strokeStyle = SC.frame; ctx.strokeRect(box.x, box.y, box.w, box.h);
    v.log_decades.forEach((_, i) => {
      [[v.linear_decades[i], SC.linear], [v.log_decades[i], SC.log]].forEach(([count, colour], j) => {
        const h = (count / top) * (box.h - 20), x = box.x + i * slot + 18 + j * (slot / 2 - 14);
        ctx.fillStyle = colour; ctx.fillRect(x, box.y + box.h - h, slot / 2 - 24, h);
        ctx.fillStyle = SC.text; ctx.font = "11px sans-serif"; ctx.textAlign = "center";
        ctx.fillText(String(count), x + (slot / 2 - 24) / 2, box.y + box.h - h - 8);
      });
      ctx.fillText(`1e${i - 4} … 1e${i - 3}`, box.x + (i + 0.5) * slot, box.y + box.h + 12);
    });
    ctx.font = "bold 12px sans-serif"; ctx.textAlign = "left"; ctx.fillStyle = SC.text;
    ctx.fillText(`${v.samples} learning rates in [1e-4, 1): how many land in each decade`, box.x, box.y - 12);
    [["uniform in the value: a + r (b − a)", SC.linear], ["uniform in log10: 10 ** (a + r (b − a))", SC.log]].forEach(([t, c], i) => {
      const lx = narrow ? box.x : box.x + box.w + 16, ly = narrow ? box.y + box.h + 30 : box.y + 10;
      ctx.fillStyle = c; ctx.fillRect(lx, ly + i * 20, 12, 12);
      ctx.fillStyle = SC.text; ctx.font = "12px sans-serif"; ctx.fillText(t, lx + 18, ly + 6 + i * 20);
    });
  }

  function draw() {
    const v = viewOf(model);
    const message = errorOf(model);
    showError(root, error, message);
    facts.textContent = "";
    if (message || !v.panel) {
      sizeCanvas(canvas, 10, 10);
      canvas.setAttribute("aria-label", message || "");
    } else if (v.panel === "sampling") {
      const narrow = isNarrow();
      const ctx = narrow ? sizeCanvas(canvas, 640, 310) : sizeCanvas(canvas, 900, 260); ctx.textBaseline = "middle";
      drawSampling(ctx, v, narrow);
      Object.assign(root.dataset, { panel: "sampling", logDecades: v.log_decades.join(","), linearDecades: v.linear_decades.join(",") });
      canvas.setAttribute("aria-label", v.description || "");
    } else {
      const narrow = isNarrow();
      const ctx = narrow ? sizeCanvas(canvas, 340, 680) : sizeCanvas(canvas, 720, 340); ctx.textBaseline = "middle";
      square(ctx, { x: 40, y: 30, w: 260 }, v, "grid", SC.grid);
      square(ctx, narrow ? { x: 40, y: 370, w: 260 } : { x: 420, y: 30, w: 260 }, v, "random", SC.random);
      facts.append(el("span", { text: `over ${v.seeds} seeds, ${v.points} random points beat the ${v.points}-point grid ${(100 * v.share_random_wins).toFixed(0)}% of the time` }),
        el("span", { text: `(mean best error ${v.mean_random_best.toFixed(3)} against the grid's ${v.grid_best[1].toFixed(3)})` }));
      Object.assign(root.dataset, { panel: "search", gridDistinct: String(v.grid_distinct), randomDistinct: String(v.random_distinct),
        randomBest: String(v.random_best[1]), seed: String(v.seed) });
      canvas.setAttribute("aria-label", v.description || "");
    }
    root.dataset.draws = String(++draws);
  }

  const onView = () => { syncControls(); draw(); };
  const unfollow = followView(model, ["panel", "points", "seed", "samples"], onView, syncControls);
  return () => unfollow();
}

export default { render };
