// Helpers the loss-landscape widgets share (explorer, optimizer race, batch-size noise): a surface
// shaded in bands of equal log-loss (the bands' edges are contours), paths with a dash and a marker,
// a log-scale loss plot, and a slider that moves a positive setting on a log scale.
// Appended to _shared.js, before the widget's own module.

// A light sequential ramp (low loss pale, high loss blue-grey) so that the Okabe-Ito paths stand out.
const RAMP = [[253, 251, 236], [226, 232, 214], [190, 208, 200], [150, 174, 188], [110, 132, 162]];
const BANDS = 14;

function rampColour(t) {
  const u = Math.max(0, Math.min(1, t)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(u)), f = u - i;
  return RAMP[i].map((c, k) => Math.round(c + (RAMP[i + 1][k] - c) * f));
}

// The surface as an n x n image (cached per surface object), banded.
const SURFACE_IMAGES = new WeakMap();
function surfaceImage(surface) {
  let image = SURFACE_IMAGES.get(surface);
  if (image) return image;
  const n = surface.n, span = Math.max(1e-9, surface.hi - surface.lo);
  image = document.createElement("canvas");
  image.width = n; image.height = n;
  const ctx = image.getContext("2d");
  const data = ctx.createImageData(n, n);
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; col++) {
      const t = (surface.logs[row * n + col] - surface.lo) / span;
      const band = Math.min(BANDS - 1, Math.floor(t * BANDS));
      const [r, g, b] = rampColour(band / (BANDS - 1));
      const at = ((n - 1 - row) * n + col) * 4;     // row 0 is the bottom (lowest y)
      data.data[at] = r; data.data[at + 1] = g; data.data[at + 2] = b; data.data[at + 3] = 255;
    }
  }
  ctx.putImageData(data, 0, 0);
  SURFACE_IMAGES.set(surface, image);
  return image;
}

// Map between the surface's coordinates and a box {x, y, w, h} on the canvas.
function plane(surface, box) {
  const [x0, x1] = surface.x, [y0, y1] = surface.y;
  return {
    X: (x) => box.x + ((x - x0) / (x1 - x0)) * box.w,
    Y: (y) => box.y + box.h - ((y - y0) / (y1 - y0)) * box.h,
    fromCanvas: (px, py) => [x0 + ((px - box.x) / box.w) * (x1 - x0), y0 + ((box.y + box.h - py) / box.h) * (y1 - y0)],
    inside: (x, y) => x >= x0 && x <= x1 && y >= y0 && y <= y1,
  };
}

function drawSurface(ctx, surface, box) {
  ctx.imageSmoothingEnabled = true;                 // soft band edges: the grid is coarser than the screen
  ctx.imageSmoothingQuality = "high";
  ctx.drawImage(surfaceImage(surface), box.x, box.y, box.w, box.h);
  ctx.strokeStyle = THEME.grid; ctx.lineWidth = 1; ctx.strokeRect(box.x, box.y, box.w, box.h);
  ctx.fillStyle = THEME.line; ctx.font = "10px sans-serif"; ctx.textBaseline = "top"; ctx.textAlign = "left";
  ctx.fillText(String(surface.x[0]), box.x, box.y + box.h + 2);
  ctx.textAlign = "right"; ctx.fillText(String(surface.x[1]), box.x + box.w, box.y + box.h + 2);
  ctx.textBaseline = "bottom"; ctx.fillText(String(surface.y[1]), box.x - 2, box.y + 10);
  ctx.fillText(String(surface.y[0]), box.x - 2, box.y + box.h);
}

function marker(ctx, kind, x, y, size, colour) {
  ctx.fillStyle = colour; ctx.strokeStyle = colour; ctx.lineWidth = 2;
  ctx.beginPath();
  if (kind === "square") ctx.rect(x - size, y - size, 2 * size, 2 * size);
  else if (kind === "triangle") { ctx.moveTo(x, y - size * 1.2); ctx.lineTo(x + size, y + size); ctx.lineTo(x - size, y + size); ctx.closePath(); }
  else if (kind === "diamond") { ctx.moveTo(x, y - size * 1.3); ctx.lineTo(x + size, y); ctx.lineTo(x, y + size * 1.3); ctx.lineTo(x - size, y); ctx.closePath(); }
  else if (kind === "cross") {
    ctx.moveTo(x - size, y - size); ctx.lineTo(x + size, y + size); ctx.moveTo(x + size, y - size); ctx.lineTo(x - size, y + size);
    ctx.stroke(); return;
  } else ctx.arc(x, y, size, 0, 2 * Math.PI);
  ctx.fill();
  ctx.strokeStyle = "#fff"; ctx.lineWidth = 1; ctx.stroke();
}

// Points [x, y] (null once diverged) up to index `upto` (fractional: the last segment drawn part-way),
// clipped to the box; returns the position reached (or null).
function drawPath(ctx, p, points, upto, colour, { dash = [], width = 2, box = null } = {}) {
  const last = Math.min(points.length - 1, upto);
  ctx.save();
  if (box) { ctx.beginPath(); ctx.rect(box.x, box.y, box.w, box.h); ctx.clip(); }
  ctx.strokeStyle = colour; ctx.lineWidth = width; ctx.setLineDash(dash); ctx.lineJoin = "round";
  ctx.beginPath();
  let reached = null;
  for (let i = 0; i <= Math.floor(last); i++) {
    const q = points[i];
    if (!q || q[0] === null || q[1] === null) break;
    const [px, py] = [p.X(q[0]), p.Y(q[1])];
    if (i === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py);
    reached = [px, py];
  }
  const frac = last - Math.floor(last), a = points[Math.floor(last)], b = points[Math.floor(last) + 1];
  if (reached && frac > 0 && b && b[0] !== null && b[1] !== null) {
    reached = [p.X(a[0] + (b[0] - a[0]) * frac), p.Y(a[1] + (b[1] - a[1]) * frac)];
    ctx.lineTo(...reached);
  }
  ctx.stroke();
  ctx.restore();
  return reached;
}

// A log-scale plot of series [{values, colour, dash}] against the step, a line at step `at`.
function logPlot(ctx, box, series, { at = null, title = "", floor = 1e-12 } = {}) {
  ctx.strokeStyle = THEME.grid; ctx.lineWidth = 1; ctx.strokeRect(box.x, box.y, box.w, box.h);
  let lo = Infinity, hi = -Infinity, steps = 1;
  for (const s of series) {
    steps = Math.max(steps, s.values.length - 1);
    for (const v of s.values) if (v !== null && v > 0) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  }
  if (!Number.isFinite(lo)) { lo = floor; hi = 1; }
  let l0 = Math.floor(Math.log10(Math.max(lo, floor))), l1 = Math.ceil(Math.log10(hi));
  if (l1 <= l0) l1 = l0 + 1;
  const X = (t) => box.x + (t / steps) * box.w;
  const Y = (v) => box.y + box.h - ((Math.log10(Math.max(v, Math.pow(10, l0))) - l0) / (l1 - l0)) * box.h;
  ctx.fillStyle = THEME.line; ctx.font = "10px sans-serif"; ctx.textAlign = "right"; ctx.textBaseline = "middle";
  const every = Math.max(1, Math.ceil((l1 - l0) / 6));
  for (let e = l0; e <= l1; e += every) {
    ctx.fillText(`1e${e}`, box.x - 3, Y(Math.pow(10, e)));
    ctx.strokeStyle = THEME.empty; ctx.beginPath(); ctx.moveTo(box.x, Y(Math.pow(10, e))); ctx.lineTo(box.x + box.w, Y(Math.pow(10, e))); ctx.stroke();
  }
  ctx.textAlign = "center"; ctx.textBaseline = "top";
  ctx.fillText("0", box.x, box.y + box.h + 2); ctx.fillText(String(steps), box.x + box.w, box.y + box.h + 2);
  ctx.fillText("step", box.x + box.w / 2, box.y + box.h + 2);
  ctx.textAlign = "left"; ctx.textBaseline = "bottom"; ctx.fillStyle = THEME.text; ctx.font = "11px sans-serif";
  ctx.fillText(title, box.x, box.y - 3);
  for (const s of series) {
    ctx.strokeStyle = s.colour; ctx.lineWidth = s.width || 1.8; ctx.setLineDash(s.dash || []);
    ctx.beginPath();
    let started = false;
    s.values.forEach((v, t) => {
      if (v === null) return;
      if (!started) { ctx.moveTo(X(t), Y(v)); started = true; } else ctx.lineTo(X(t), Y(v));
    });
    ctx.stroke();
  }
  ctx.setLineDash([]);
  if (at !== null) { ctx.strokeStyle = THEME.text; ctx.lineWidth = 1; ctx.beginPath(); ctx.moveTo(X(at), box.y); ctx.lineTo(X(at), box.y + box.h); ctx.stroke(); }
  return { X, Y };
}

// A slider over log10 of a positive setting: `perDecade` positions per factor of 10. The value sent is
// 10^position rounded to 3 significant digits, and so are the looked-ahead neighbours.
// zeroText: what the readout says when the setting is 0 (a value the slider itself never sends).
function logSlider(model, name, label, { min, max, perDecade = 10, aria = label, zeroText = "0" } = {}) {
  const lo = Math.log10(min), hi = Math.log10(max), step = 1 / perDecade;
  const input = keyboardRange(el("input", { type: "range", min: lo, max: hi, step, "aria-label": aria, "data-setting": name }));
  const readout = el("output");
  const valueAt = (e) => Number(Math.pow(10, e).toPrecision(3));
  const neighbours = () => {
    const e = Number(input.value);
    return [snap(input, e - step), snap(input, e + step)].filter((x) => x !== e).map(valueAt);
  };
  const held = whileHeld(input, () => askNearby(model, name, neighbours()), { pointer: true });
  input.addEventListener("input", () => {
    save(model, name, valueAt(Number(input.value)));
    lookAhead(model, name, neighbours(), !held());
  });
  input.addEventListener("focus", () => askNearby(model, name, neighbours()));
  function sync() {
    const value = model.get(name);
    if (typeof value === "number" && value > 0) input.value = String(Math.log10(value));
    readout.value = value === 0 ? zeroText : typeof value === "number" ? String(Number(value.toPrecision(3))) : String(value);
    input.setAttribute("aria-valuetext", `${label} ${readout.value}`);
  }
  return { node: el("label", {}, [label, input, readout]), input, readout, sync };
}

// A number in a readout: 4 significant digits, "—" when there is none.
function num(x, digits = 4) {
  if (x === null || x === undefined) return "—";
  if (x === 0) return "0";
  const a = Math.abs(x);
  return a >= 1e-3 && a < 1e5 ? String(Number(x.toPrecision(digits))) : x.toExponential(digits - 1);
}
