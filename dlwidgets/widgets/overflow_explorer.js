// Overflow explorer front end: a number line with each format's exp limits and the logits on it, then
// the naive and the stable computation side by side, every number as Python computed it in that format.
// Appended to _shared.js (el, settingSelect, keyboardRange, sizeCanvas, lookAhead, followView, ...).

const OC = { f16: PALETTE.vermillion, f32: PALETTE.orange, f64: PALETTE.blue, bad: "#F5C9A8",
  get logit() { return THEME.text; }, get text() { return THEME.text; }, get muted() { return THEME.muted; }, get axis() { return THEME.grid; } };
const FORMAT_COLOURS = { float16: OC.f16, float32: OC.f32, float64: OC.f64 };
const STOPS = [-1000, -749, -745, -108, -104, -21, -17, -10, 0, 5, 8, 9, 20, 50, 85, 86, 100, 500, 706, 707, 1000];

// Signed log scale for the number line: 0 in the middle, 1, 10, 100, 1000 evenly spaced either side.
const slog = (x) => Math.sign(x) * Math.log10(1 + Math.abs(x));

function render({ model, el: root }) {
  root.classList.add("dlw-ovf");
  const dtype = settingSelect(model, "dtype", "Floating-point format", ["float16", "float32", "float64"]);
  const nearest = (x) => STOPS.reduce((best, s, i) => (Math.abs(s - x) < Math.abs(STOPS[best] - x) ? i : best), 0);
  const shift = keyboardRange(el("input", { type: "range", min: 0, max: STOPS.length - 1, step: 1,
    "aria-label": "Shift added to every logit", "data-setting": "shift" }));
  const shiftOut = el("output");
  const neighbours = () => [Number(shift.value) - 1, Number(shift.value) + 1].filter((i) => i >= 0 && i < STOPS.length).map((i) => STOPS[i]);
  shift.addEventListener("input", () => { save(model, "shift", STOPS[Number(shift.value)]); lookAhead(model, "shift", neighbours()); });
  shift.addEventListener("focus", () => askNearby(model, "shift", neighbours()));
  const controls = controlRow([el("label", {}, ["Format", dtype]), el("label", {}, ["Shift every logit by", shift, shiftOut])]);
  const error = el("div", { class: "dlw-error", role: "alert", hidden: "" });
  const canvas = el("canvas", { role: "img" });
  const table = el("table", { class: "dlw-table" });
  const steps = el("div", { class: "dlw-steps" });
  root.append(controls, error, canvas, table, steps);
  let draws = 0;

  function syncControls() {
    dtype.value = model.get("dtype");
    const s = Number(model.get("shift"));
    shift.value = String(nearest(s));
    shiftOut.value = String(model.get("shift"));
  }

  function numberLine(v) {
    // 780 units wide; below 600 px of room (scaled by at most 0.75) a shorter line that still fits
    const narrow = root.clientWidth > 0 && root.clientWidth < 600;
    const W = narrow ? 600 : 780, H = 130, x0 = 150, x1 = W - 60, lim = slog(1000);
    const ctx = sizeCanvas(canvas, W, H);
    ctx.textBaseline = "middle";
    const X = (x) => x0 + ((slog(Math.max(-1000, Math.min(1000, x))) + lim) / (2 * lim)) * (x1 - x0);
    ctx.strokeStyle = OC.axis; ctx.lineWidth = 1; ctx.beginPath(); ctx.moveTo(x0, 90); ctx.lineTo(x1, 90); ctx.stroke();
    ctx.font = "11px sans-serif"; ctx.fillStyle = OC.muted; ctx.textAlign = "center";
    for (const t of [-1000, -100, -10, -1, 0, 1, 10, 100, 1000]) {
      ctx.beginPath(); ctx.moveTo(X(t), 86); ctx.lineTo(X(t), 94); ctx.stroke(); ctx.fillText(String(t), X(t), 106);
    }
    ctx.fillText("logit x (signed log scale); the bars: where exp(x) is finite and non-zero", (x0 + x1) / 2, 122);
    Object.entries(v.limits).forEach(([name, l], i) => {
      const colour = FORMAT_COLOURS[name], y = 14 + i * 14, bold = name === v.dtype;
      ctx.strokeStyle = colour; ctx.lineWidth = bold ? 3 : 1.5; ctx.setLineDash(bold ? [] : [4, 3]);
      ctx.beginPath(); ctx.moveTo(X(l.exp_underflow), y); ctx.lineTo(X(l.exp_overflow), y); ctx.stroke(); ctx.setLineDash([]);
      ctx.font = `${bold ? "bold " : ""}11px sans-serif`; ctx.fillStyle = colour;
      ctx.textAlign = "right"; ctx.fillText(`${l.exp_underflow.toFixed(2)}`, X(l.exp_underflow) - 3, y);
      ctx.textAlign = "left"; ctx.fillText(`${l.exp_overflow.toFixed(2)}`, X(l.exp_overflow) + 3, y);
      ctx.fillText(`${name}${bold ? " ◀" : ""}`, 4, y);
    });
    v.logits.forEach((z, i) => {
      ctx.fillStyle = v.exp_inf[i] || v.exp_zero[i] ? OC.f16 : OC.logit;
      ctx.beginPath(); ctx.arc(X(z), 90, 5, 0, 2 * Math.PI); ctx.fill();
      ctx.font = "10px sans-serif"; ctx.textAlign = "center"; ctx.fillText(`x${i}`, X(z), 80 - i * 9);   // staggered: close logits stay legible
    });
  }

  function fillTable(v) {
    table.textContent = "";
    const head = el("tr", {}, [el("th", { text: `in ${v.dtype}` }), ...v.logits.map((_, i) => el("th", { text: `x${i}` }))]);
    const rows = [["logit x (stored)", v.stored, null], ["exp(x)", v.exp, v.exp.map((t) => t === "inf" || t === "0")],
      ["naive softmax  exp(x) / Σ exp(x)", v.naive_softmax, v.naive_softmax.map((t) => t === "nan")],
      ["naive log(softmax)", v.naive_log_softmax, v.naive_log_softmax.map((t) => t === "nan" || t === "-inf")],
      ["stable softmax", v.stable_softmax, null], ["stable log-softmax", v.stable_log_softmax, null]];
    table.append(head, ...rows.map(([label, cells, bad]) => el("tr", {}, [el("th", { text: label }),
      ...cells.map((t, i) => el("td", { text: t, class: bad && bad[i] ? "dlw-bad" : "" }))])));
    const s = v.steps;
    steps.textContent = "";
    steps.append(
      el("div", { text: `Stable log-sum-exp, step by step in ${v.dtype}:` }),
      el("ol", {}, [
        el("li", { text: `m = max x = ${s.m}` }),
        el("li", { text: `x − m = [${s.shifted.join(", ")}]  (all ≤ 0, one is exactly 0)` }),
        el("li", { text: `exp(x − m) = [${s.exps.join(", ")}]  (all ≤ 1, one is exactly 1)` }),
        el("li", { text: `Σ exp(x − m) = ${s.total}  (between 1 and n: never 0, never inf)` }),
        el("li", { text: `m + log Σ = ${s.m} + ${s.log_total} = ${s.result}` }),
      ]),
      el("div", { class: v.naive_logsumexp.includes("inf") ? "dlw-bad" : "", text: `naive log(Σ exp(x)) = ${v.naive_logsumexp}` }),
      el("div", { class: v.naive_total === "inf" || v.naive_total === "0" ? "dlw-bad" : "",
        text: `naive Σ exp(x) = ${v.naive_total}${v.naive_total === "0" ? "  (every term underflowed: 0 / 0 = nan)" : ""}` }),
      el("div", { text: v.first_overflow === null ? (v.naive_total === "inf" ? "No single exp(x) overflows here, but their sum does." : "No exp(x) overflows here.") :
        `exp(x${v.first_overflow}) is the first to overflow: x${v.first_overflow} = ${v.stored[v.first_overflow]} > ${v.limits[v.dtype].exp_overflow.toFixed(4)}.` }),
    );
  }

  function draw() {
    const v = viewOf(model);
    const message = errorOf(model);
    showError(root, error, message);
    if (message || !v.dtype) {
      sizeCanvas(canvas, 10, 10); table.textContent = ""; steps.textContent = "";
      canvas.setAttribute("aria-label", message || "");
    } else {
      numberLine(v);
      fillTable(v);
      canvas.setAttribute("aria-label", v.description || "");
      Object.assign(root.dataset, { dtype: v.dtype, shift: String(v.shift), naiveFails: String(v.naive_fails),
        firstOverflow: v.first_overflow === null ? "" : String(v.first_overflow) });
    }
    root.dataset.draws = String(++draws);
  }

  const onView = () => { syncControls(); draw(); };
  const unfollow = followView(model, ["dtype", "shift", "logits"], onView, syncControls);
  return () => unfollow();
}

export default { render };
