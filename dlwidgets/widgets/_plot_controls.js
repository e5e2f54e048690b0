// Controls and axes shared by the lesson 01-03 widgets (activation explorer, zero-centred
// updates, gradient-flow meter, initialisation explorer). Appended after _shared.js and
// before the widget's own module (see _plot_controls.py), so el, keyboardRange, controlRow,
// sizeCanvas, listen, showError and PALETTE are in scope.

// A number for a readout or a tick label: short, and never "1e+2" style noise.
function fmtNumber(v, digits = 3) {
  if (v === null || v === undefined || Number.isNaN(v)) return "—";
  if (!Number.isFinite(v)) return v > 0 ? "∞" : "−∞";
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(digits - 1).replace("e+", "e");
  return String(Number(v.toPrecision(digits)));
}

function fmtPercent(v) {
  return v === null || v === undefined ? "—" : `${(100 * v).toFixed(1)}%`;
}

// A labelled slider bound to a model setting; returns { node, input, sync } (settingSlider,
// with the readout hidden from screen readers, which announce the slider's own value).
function slider(model, name, label, lo, hi, step, format = (v) => String(v)) {
  const control = settingSlider(model, name, label, { min: lo, max: hi, step, format });
  control.readout.setAttribute("aria-hidden", "true");
  return control;
}

// A labelled drop-down bound to a model setting; options are [value, text] pairs.
function selector(model, name, label, options) {
  const select = settingSelect(model, name, label, options);
  const sync = () => { select.value = String(model.get(name)); };
  return { node: el("label", {}, [label, select]), input: select, sync };
}

// Round tick positions covering [lo, hi].
function ticks(lo, hi, count = 5) {
  const span = hi - lo;
  if (!(span > 0)) return [lo];
  const raw = span / count;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) || 10 * mag;
  const out = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9 * step; t += step) out.push(Math.abs(t) < 1e-12 * step ? 0 : t);
  return out;
}

// A plotting box: maps data to pixels, draws the frame, ticks and labels.
// opts: { x: [lo, hi], y: [lo, hi], logY, title, xLabel, yLabel, xTicks, yTicks }
function plotBox(ctx, left, top, width, height, opts) {
  const [x0, x1] = opts.x;
  const [y0, y1] = opts.logY ? [Math.log10(opts.y[0]), Math.log10(opts.y[1])] : opts.y;
  const box = {
    left, top, width, height,
    px: (x) => left + ((x - x0) / (x1 - x0)) * width,
    py: (y) => {
      const v = opts.logY ? Math.log10(Math.max(y, opts.y[0])) : y;
      return top + height - ((v - y0) / (y1 - y0)) * height;
    },
  };
  ctx.save();
  ctx.strokeStyle = THEME.muted; ctx.lineWidth = 1;
  ctx.strokeRect(left + 0.5, top + 0.5, width, height);
  ctx.fillStyle = THEME.text; ctx.font = "11px sans-serif";
  ctx.textAlign = "center"; ctx.textBaseline = "top";
  for (const t of opts.xTicks || ticks(x0, x1, 6)) {
    const p = box.px(t);
    ctx.beginPath(); ctx.moveTo(p, top + height); ctx.lineTo(p, top + height + 4); ctx.stroke();
    ctx.fillText(fmtNumber(t), p, top + height + 6);
  }
  ctx.textAlign = "right"; ctx.textBaseline = "middle";
  const yt = opts.yTicks || (opts.logY
    ? (() => { const out = []; const every = Math.max(1, Math.ceil((y1 - y0) / 8));
      for (let e = Math.ceil(y0); e <= Math.floor(y1); e += every) out.push(Math.pow(10, e)); return out; })()
    : ticks(y0, y1, 5));
  ctx.strokeStyle = THEME.empty;
  for (const t of yt) {
    const p = box.py(t);
    ctx.beginPath(); ctx.moveTo(left + 1, p); ctx.lineTo(left + width - 1, p); ctx.stroke();
    ctx.fillText(opts.logY ? `1e${Math.round(Math.log10(t))}` : fmtNumber(t), left - 5, p);
  }
  ctx.textAlign = "center"; ctx.textBaseline = "bottom"; ctx.font = "bold 12px sans-serif";
  if (opts.title) ctx.fillText(opts.title, left + width / 2, top - 4);
  ctx.font = "11px sans-serif"; ctx.textBaseline = "top";
  if (opts.xLabel) ctx.fillText(opts.xLabel, left + width / 2, top + height + 20);
  if (opts.yLabel) {
    ctx.save(); ctx.translate(left - 44, top + height / 2); ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = "middle"; ctx.fillText(opts.yLabel, 0, 0); ctx.restore();
  }
  ctx.restore();
  return box;
}

// A pixel coordinate kept within a range the canvas draws reliably (a diverging value may be 1e30).
function clampPixel(p) {
  return Math.max(-1e5, Math.min(1e5, p));
}

// Clip what is drawn next to a plot box (ctx.save() first, ctx.restore() after): a line that leaves the
// box (a diverging path, a value off the scale) is cut at its frame, never drawn over titles and text.
function clipToBox(ctx, box) {
  ctx.beginPath();
  ctx.rect(box.left, box.top, box.width, box.height);
  ctx.clip();
}

// A polyline through (xs[i], ys[i]) inside a plot box, clipped to it; null values break the line.
function polyline(ctx, box, xs, ys, color, width = 2, dash = []) {
  ctx.save();
  clipToBox(ctx, box);
  ctx.strokeStyle = color; ctx.lineWidth = width; ctx.setLineDash(dash);
  ctx.beginPath();
  let pen = false;
  for (let i = 0; i < xs.length; i++) {
    if (ys[i] === null || ys[i] === undefined || !Number.isFinite(ys[i])) { pen = false; continue; }
    const x = clampPixel(box.px(xs[i])), y = clampPixel(box.py(ys[i]));
    if (pen) ctx.lineTo(x, y); else ctx.moveTo(x, y);
    pen = true;
  }
  ctx.stroke();
  ctx.restore();
}

// A small legend: entries are [color, text, dash].
function legend(ctx, x, y, entries) {
  ctx.save();
  ctx.font = "11px sans-serif"; ctx.textAlign = "left"; ctx.textBaseline = "middle";
  entries.forEach(([color, text, dash = []], i) => {
    const yy = y + i * 15;
    ctx.strokeStyle = color; ctx.lineWidth = 2.5; ctx.setLineDash(dash);
    ctx.beginPath(); ctx.moveTo(x, yy); ctx.lineTo(x + 22, yy); ctx.stroke();
    ctx.fillStyle = THEME.text; ctx.fillText(text, x + 28, yy);
  });
  ctx.restore();
}
