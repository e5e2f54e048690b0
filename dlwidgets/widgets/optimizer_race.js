// Optimizer race front end: every optimizer's path on the surface, played together (fractional steps
// between frames), the loss above the minimum on a log scale, and a readout per optimizer (learning rate,
// position, loss, step size, internal state). Python computed all of it with core; playing, pausing,
// stepping and scrubbing stay in the browser. Appended to _shared.js and _landscape.js.

const RACE_NAMES = ["SGD", "Momentum", "Nesterov", "Adagrad", "RMSprop", "Adam", "RAdam", "Lookahead(Adam)"];
const RACE_SURFACES = [["rosenbrock", "Rosenbrock"], ["beale", "Beale"], ["quadratic", "quadratic (choose κ)"], ["two_minima", "two minima"]];

// Okabe-Ito's black path is drawn on the pale surface as it is, but off the surface (the loss plot, the table's
// swatch) it takes the theme's text colour, which is black on a light page and light on a dark one.
const onPage = (colour) => (/^#0{3}(0{3})?$/.test(colour) ? THEME.text : colour);

function render({ model, el: root }) {
  root.classList.add("dlw-landscape", "dlw-race");
  const surfaceSelect = settingSelect(model, "objective", "Objective", RACE_SURFACES);
  const modeSelect = settingSelect(model, "learning_rates", "Learning rates", [["tuned", "tuned for each"], ["defaults", "torch defaults"]]);
  const condition = logSlider(model, "condition", "κ", { min: 1, max: 1000, perDecade: 10, aria: "Condition number of the quadratic" });
  const budget = settingSlider(model, "steps", "Budget", { min: 10, max: 400, step: 10, aria: "Step budget for every optimizer" });
  const noise = settingSlider(model, "noise", "Gradient noise", { min: 0, max: 3, step: 0.1 });
  const focusSelect = settingSelect(model, "focus", "Optimizer in focus", RACE_NAMES);
  const focusLr = logSlider(model, "focus_lr", "its lr", { min: 1e-4, max: 10, perDecade: 20, aria: "Learning rate of the optimizer in focus", zeroText: "tuned" });
  const tunedButton = el("button", { type: "button", "aria-label": "Give the optimizer in focus its tuned learning rate again", text: "tuned lr" });
  tunedButton.addEventListener("click", () => save(model, "focus_lr", 0));
  const sliders = [condition, budget, noise, focusLr];
  const controls = controlRow([el("label", {}, ["Surface", surfaceSelect]), el("label", {}, ["Learning rates", modeSelect]),
    condition.node, budget.node, noise.node]);
  const focusRow = controlRow([el("label", {}, ["Focus", focusSelect]), focusLr.node, tunedButton]);
  const backButton = el("button", { type: "button", "aria-label": "One step back", text: "◁ Back" });
  const playButton = el("button", { type: "button", "aria-label": "Play or pause the race", text: "▶ Play" });
  const stepButton = el("button", { type: "button", "aria-label": "One step forward", text: "Step ▷" });
  const scrub = keyboardRange(el("input", { type: "range", min: 0, max: 1, step: 1, "aria-label": "Step shown" }));
  const speed = speedSlider(model, 120, "Speed (steps per second)");
  const where = el("span", { class: "dlw-where", "aria-live": "off" });
  const player = controlRow([backButton, playButton, stepButton, el("label", {}, ["Step", scrub]), el("label", {}, ["Speed", speed]), where]);
  const error = el("div", { class: "dlw-error", role: "alert", hidden: "" });
  const canvas = suppressShortcuts(el("canvas", { role: "img", tabindex: "0" }));
  const table = el("table", { class: "dlw-readout" });
  const help = el("div", { class: "dlw-help", text: "On the picture: click or arrow keys place the common start; space plays or pauses." });
  // in a narrow column the table scrolls sideways on its own, the picture above it staying put
  root.append(controls, focusRow, player, error, canvas, el("div", { class: "dlw-table" }, [table]), help);

  const BOX = { x: 34, y: 14, w: 330, h: 330 };
  // the loss plot beside the surface, or under it in a narrow column (rather than the whole picture shrinking past reading)
  const WIDE = { width: 770, height: 370, plot: { x: 440, y: 30, w: 310, h: 280 } };
  const STACKED = { width: 380, height: 680, plot: { x: 44, y: 400, w: 310, h: 250 } };
  const view = () => viewOf(model);
  let pos = 0, lastNow = 0, draws = 0, shownRow = -1, tableAt = 0;
  const stamps = [];
  // The surface and the loss curves change only with the view: drawn once into a canvas of their own, then
  // copied every frame, under what moves (the paths so far, their heads, the step line).
  let layer = { view: null, canvas: null, X: null };

  function syncControls() {
    for (const slider of sliders) slider.sync();
    surfaceSelect.value = String(model.get("objective"));
    modeSelect.value = String(model.get("learning_rates"));
    focusSelect.value = String(model.get("focus"));
    speed.value = model.get("speed");
    condition.input.disabled = model.get("objective") !== "quadratic";
  }

  function fmtPair(pair) {
    return pair ? `(${num(pair[0], 3)}, ${num(pair[1], 3)})` : "—";
  }

  function readout(v, i) {
    const rows = [el("tr", {}, ["optimizer", "lr", "position", "loss − min", "step size", "state"].map((t) => el("th", { text: t })))];
    for (const r of v.racers) {
      const gone = r.gap[i] === null;
      const state = Object.entries(r.state).map(([k, values]) => `${k} ${fmtPair(i > 0 ? values[i - 1] : null)}`).join("  ");
      const swatch = el("span", { style: `display:inline-block;width:18px;height:0;border-top:3px ${r.dash.length ? "dashed" : "solid"} ${onPage(r.colour)};margin-right:5px;vertical-align:middle` });
      rows.push(el("tr", { "data-optimizer": r.label, style: r.focus ? "font-weight:bold" : "" }, [
        el("td", {}, [swatch, r.label + (r.focus ? " (focus)" : "")]), el("td", { text: num(r.lr, 3) }), el("td", { text: gone ? "diverged" : fmtPair(r.path[i]) }),
        el("td", { text: gone ? "—" : num(r.gap[i], 3) }), el("td", { text: i > 0 && !gone ? num(r.step_size[i - 1], 3) : "—" }),
        el("td", { text: state || "—" }),
      ]));
    }
    table.replaceChildren(...rows);
  }

  function draw() {
    const v = view();
    const message = errorOf(model);
    showError(root, error, message);
    root.dataset.draws = String(++draws);
    if (message || !v.surface) {
      sizeCanvas(canvas, 10, 10);
      table.replaceChildren();
      canvas.setAttribute("aria-label", message || "");
      return;
    }
    pos = Math.max(0, Math.min(v.steps, pos));
    const shape = root.clientWidth > 0 && root.clientWidth < 0.8 * WIDE.width ? STACKED : WIDE, PLOT = shape.plot;
    const ctx = sizeCanvas(canvas, shape.width, shape.height);
    root.dataset.layout = shape === STACKED ? "stacked" : "wide";
    const p = plane(v.surface, BOX);
    const onTop = [...v.racers].sort((a, b) => a.focus - b.focus);      // the focused one drawn last
    const theme = `${THEME.text} ${THEME.grid} ${THEME.line} ${THEME.empty}`;   // the still layer is redrawn for a new theme
    if (layer.view !== v || layer.theme !== theme || layer.shape !== shape) {
      const still = document.createElement("canvas");
      const sctx = sizeCanvas(still, shape.width, shape.height);
      refreshTheme(canvas);           // a detached canvas has no theme of its own: read the widget's again
      drawSurface(sctx, v.surface, BOX);
      marker(sctx, "circle", p.X(v.minimum[0]), p.Y(v.minimum[1]), 5, "#fff");
      const axes = logPlot(sctx, PLOT, onTop.map((r) => ({ values: r.gap, colour: onPage(r.colour), dash: r.dash, width: r.focus ? 3 : 1.6 })), {
        title: `loss − minimum, ${v.steps} steps each (log scale)`,
      });
      layer = { view: v, theme, shape, canvas: still, X: axes.X };
    }
    ctx.drawImage(layer.canvas, 0, 0, shape.width, shape.height);
    const heads = [];
    for (const r of onTop) {
      const reached = drawPath(ctx, p, r.path, pos, r.colour, { dash: r.dash, width: r.focus ? 3.2 : 1.8, box: BOX });
      if (reached && p.inside(...p.fromCanvas(...reached))) heads.push([r, reached]);
    }
    for (const [r, [x, y]] of heads) marker(ctx, r.marker, x, y, 4.5, r.colour);
    marker(ctx, "square", p.X(v.start[0]), p.Y(v.start[1]), 4, "#000");
    ctx.strokeStyle = THEME.text; ctx.lineWidth = 1;
    ctx.beginPath(); ctx.moveTo(layer.X(pos), PLOT.y); ctx.lineTo(layer.X(pos), PLOT.y + PLOT.h); ctx.stroke();
    const i = Math.floor(pos + 1e-9);
    const now = performance.now();
    // the table follows the step, at most about seven times a second while playing (rebuilding rows costs frames)
    if (i !== shownRow && (!play.running() || now - tableAt > 150 || i >= v.steps)) { readout(v, i); shownRow = i; tableAt = now; }
    scrub.max = String(v.steps);
    scrub.value = String(i);
    where.textContent = `step ${i} / ${v.steps}`;
    stamps.push(now);
    while (stamps.length && now - stamps[0] > 1000) stamps.shift();
    root.dataset.fps = String(stamps.length);
    root.dataset.step = String(i);
    root.dataset.objective = v.objective;
    root.dataset.steps = String(v.steps);
    root.dataset.start = `${v.start[0]},${v.start[1]}`;
    root.dataset.lrs = v.racers.map((r) => `${r.label}=${r.lr}`).join(";");
    canvas.setAttribute("aria-label", v.description || "");
  }

  const report = () => save(model, "step", Math.floor(pos + 1e-9));
  const play = playback(model, root, playButton, {
    begin: () => {
      if (pos >= (view().steps || 0)) pos = 0;
      lastNow = performance.now();
    },
    advance: (now) => {
      const T = view().steps || 0;
      const dt = Math.min(100, now - lastNow);
      lastNow = now;
      pos = Math.min(T, pos + (dt / 1000) * Math.max(1, model.get("speed")));
      draw();
      return pos >= T;
    },
    paused: () => { pos = Math.floor(pos + 1e-9); shownRow = -1; draw(); report(); },
    report,
  });

  function stepBy(delta) {
    play.pause();
    const T = view().steps || 0;
    pos = Math.max(0, Math.min(T, Math.floor(pos + 1e-9) + delta));
    draw();
    report();
  }
  backButton.addEventListener("click", () => stepBy(-1));
  stepButton.addEventListener("click", () => stepBy(1));
  scrub.addEventListener("input", () => { play.pause(); pos = Number(scrub.value); draw(); report(); });

  function moveStart(dx, dy) {
    const v = view();
    if (!v.surface) return;
    const [x0, x1] = v.surface.x, [y0, y1] = v.surface.y;
    const clamp = (a, lo, hi) => Math.max(lo, Math.min(hi, Number(a.toFixed(3))));
    if (dx) save(model, "start_x", clamp(model.get("start_x") + dx * (x1 - x0) / 40, x0, x1));
    if (dy) save(model, "start_y", clamp(model.get("start_y") + dy * (y1 - y0) / 40, y0, y1));
  }
  canvas.addEventListener("keydown", (e) => {
    const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };
    if (e.key in moves) moveStart(...moves[e.key]);
    else if (e.key === " ") play.toggle();
    else return;
    e.preventDefault();
    e.stopPropagation();
  });
  canvas.addEventListener("click", (e) => {
    const v = view();
    if (!v.surface) return;
    const at = canvasPoint(canvas, e);
    const pl = plane(v.surface, BOX);
    const [x, y] = pl.fromCanvas(at.x, at.y);
    if (!pl.inside(x, y)) return;
    model.set("start_x", Number(x.toFixed(3)));
    model.set("start_y", Number(y.toFixed(3)));
    model.save_changes();
    canvas.focus();
  });

  const fromModel = () => { const s = model.get("step"); pos = s < 0 ? (view().steps || 0) : s; };
  const onView = () => { if (!play.running()) fromModel(); shownRow = -1; syncControls(); draw(); };
  const unlisten = [
    listen(model, ["change:step"], () => { if (!play.running()) { fromModel(); draw(); } }),
    followView(model, ["objective", "condition", "start_x", "start_y", "steps", "noise", "learning_rates", "focus", "focus_lr", "speed"], onView, syncControls),
  ];
  play.start();
  return () => {
    play.stop();
    for (const off of unlisten) off();
  };
}

export default { render };
