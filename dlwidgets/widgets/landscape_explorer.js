// Landscape explorer front end: the surface's contours, gradient descent's path played in the browser,
// the loss on a log scale, and the Hessian's numbers, all from the view Python computed with core.
// Appended to _shared.js and _landscape.js.

const OBJECTIVE_NAMES = [["quadratic", "quadratic (choose κ)"], ["rosenbrock", "Rosenbrock"], ["saddle", "saddle x² − y²"],
  ["monkey_saddle", "monkey saddle x³ − 3xy²"], ["two_minima", "two minima"], ["beale", "Beale"]];

function render({ model, el: root }) {
  root.classList.add("dlw-landscape");
  const objectiveSelect = settingSelect(model, "objective", "Objective", OBJECTIVE_NAMES);
  const condition = logSlider(model, "condition", "κ", { min: 1, max: 1000, perDecade: 10, aria: "Condition number of the quadratic" });
  const angle = settingSlider(model, "angle", "Angle", { min: 0, max: 180, step: 5, aria: "Rotation of the quadratic, degrees" });
  const lr = logSlider(model, "lr", "Learning rate", { min: 1e-4, max: 10, perDecade: 20 });
  const steps = settingSlider(model, "steps", "Steps", { min: 1, max: 400, step: 1, aria: "Number of steps" });
  const noise = settingSlider(model, "noise", "Gradient noise", { min: 0, max: 3, step: 0.1 });
  const sliders = [condition, angle, lr, steps, noise];
  // Distill's "optimal step-size" button, and its edge: the learning rates the Hessian's closed forms give
  const optimalButton = el("button", { type: "button", "aria-label": "Set the learning rate to the optimal step 2/(λmin+λmax)", text: "lr = optimal" });
  const edgeButton = el("button", { type: "button", "aria-label": "Set the learning rate to the largest stable step 2/λmax", text: "lr = 2/λmax" });
  const setLr = (key) => {
    const value = (view().at_critical || {})[key];
    if (value) save(model, "lr", Number(value.toPrecision(3)));
  };
  optimalButton.addEventListener("click", () => setLr("optimal_step"));
  edgeButton.addEventListener("click", () => setLr("max_stable"));
  const controls = controlRow([el("label", {}, ["Surface", objectiveSelect]), ...sliders.map((s) => s.node), optimalButton, edgeButton]);
  const view = () => viewOf(model);
  let draws = 0;
  const player = stepPlayer(model, root, {
    positions: () => view().steps || 0,
    draw: () => draw(),
    playLabel: "Play or pause gradient descent",
    stepLabel: "One more step of gradient descent",
    maxSpeed: 60,
    speedLabel: "Speed (steps per second)",
  });
  const where = el("span", { class: "dlw-where", "aria-live": "polite" });
  const error = el("div", { class: "dlw-error", role: "alert", hidden: "" });
  const canvas = suppressShortcuts(el("canvas", { role: "img", tabindex: "0" }));
  const facts = el("div", { class: "dlw-facts", "aria-live": "polite" });
  const help = el("div", { class: "dlw-help", text: "On the picture: click to place the start, or arrow keys to move it; space plays or pauses." });
  root.append(controls, controlRow([...player.nodes, where]), error, canvas, facts, help);

  const BOX = { x: 34, y: 14, w: 330, h: 330 };
  const PLOT = { x: 440, y: 30, w: 300, h: 280 };
  // in a narrow column the loss plot goes under the surface, rather than the whole picture shrinking past reading
  const PLOT_UNDER = { x: 44, y: 400, w: 310, h: 250 };

  function syncControls() {
    for (const slider of sliders) slider.sync();
    objectiveSelect.value = String(model.get("objective"));
    player.speed.value = model.get("speed");
    condition.input.disabled = angle.input.disabled = model.get("objective") !== "quadratic";
    const facts = view().at_critical || {};
    optimalButton.disabled = !facts.optimal_step;
    edgeButton.disabled = !facts.max_stable;
  }

  function draw() {
    const v = view();
    const message = errorOf(model);
    showError(root, error, message);
    root.dataset.draws = String(++draws);
    if (message || !v.surface) {
      sizeCanvas(canvas, 10, 10);
      facts.textContent = "";
      canvas.setAttribute("aria-label", message || "");
      return;
    }
    const shown = player.t;                       // steps shown
    const narrow = root.clientWidth > 0 && root.clientWidth < 0.8 * 760;
    const ctx = narrow ? sizeCanvas(canvas, 380, 680) : sizeCanvas(canvas, 760, 370);
    root.dataset.layout = narrow ? "stacked" : "wide";
    drawSurface(ctx, v.surface, BOX);
    const p = plane(v.surface, BOX);
    marker(ctx, "diamond", p.X(v.critical[0]), p.Y(v.critical[1]), 6, "#000");
    const reached = drawPath(ctx, p, v.path, shown, PALETTE.vermillion, { width: 2, box: BOX });
    marker(ctx, "square", p.X(v.start[0]), p.Y(v.start[1]), 5, PALETTE.blue);
    if (reached) marker(ctx, "circle", reached[0], reached[1], 4.5, PALETTE.vermillion);
    ctx.fillStyle = THEME.text; ctx.font = "11px sans-serif"; ctx.textAlign = "left"; ctx.textBaseline = "top";
    ctx.fillText(`◆ ${v.critical_kind} (${v.critical.map((c) => num(c, 3)).join(", ")})   ■ start`, BOX.x, BOX.y + BOX.h + 14);
    const low = v.min_value;
    const above = v.loss.map((x) => (x === null ? null : low === null ? Math.abs(x) : x - low));
    logPlot(ctx, narrow ? PLOT_UNDER : PLOT, [{ values: above, colour: PALETTE.vermillion }], {
      at: shown, title: low === null ? "|loss| (log scale)" : "loss − minimum (log scale)",
    });
    const i = Math.min(shown, v.loss.length - 1);
    const c = v.at_critical, s = v.at_start;
    const diverged = v.diverged && (i >= v.loss.length - 1 || v.loss[i + 1] === null);
    facts.replaceChildren(
      el("div", {}, [el("b", { text: `Hessian at the ${v.critical_kind}: ` }),
        `λ = ${c.eigenvalues.map((x) => num(x)).join(", ")}; κ = ${num(c.condition)}; 2/λmax = ${num(c.max_stable)}; ` +
        `optimal step 2/(λmin+λmax) = ${num(c.optimal_step)}, rate (κ−1)/(κ+1) = ${num(c.optimal_rate)}`]),
      el("div", {}, [el("b", { text: `At lr = ${num(v.lr)}: ` }),
        `rate max|1 − lr·λ| = ${num(c.rate)}` + (c.rate > 1 ? " > 1: diverges near the " + v.critical_kind : c.rate < 1 ? ` < 1: error × 10⁻³ in ${c["steps_to_1e-3"] ?? "—"} steps` : "")]),
      el("div", {}, [el("b", { text: "At the start: " }), `λ = ${s.eigenvalues.map((x) => num(x)).join(", ")}`]),
      el("div", {}, [el("b", { text: `Step ${i}: ` }), diverged ? "diverged" :
        `(${v.path[i].map((x) => num(x)).join(", ")}), loss ${num(v.loss[i], 6)}`]),
    );
    where.textContent = `step ${i} / ${v.steps}`;
    root.dataset.step = String(i);
    root.dataset.lr = String(v.lr);
    root.dataset.objective = v.objective;
    root.dataset.start = `${v.start[0]},${v.start[1]}`;
    root.dataset.diverged = v.diverged ? "true" : "false";
    root.dataset.finalLoss = String(v.final_loss);
    root.dataset.maxStable = String(c.max_stable);
    canvas.setAttribute("aria-label", v.description || "");
  }

  // placing the start: a click, or the arrow keys (1/40 of the range per press)
  function moveStart(dx, dy) {
    const v = view();
    if (!v.surface) return;
    const [x0, x1] = v.surface.x, [y0, y1] = v.surface.y;
    const clamp = (a, lo, hi) => Math.max(lo, Math.min(hi, Number(a.toFixed(3))));
    const x = clamp(model.get("start_x") + dx * (x1 - x0) / 40, x0, x1);
    const y = clamp(model.get("start_y") + dy * (y1 - y0) / 40, y0, y1);
    if (dx) { save(model, "start_x", x); lookAhead(model, "start_x", [clamp(x - (x1 - x0) / 40, x0, x1), clamp(x + (x1 - x0) / 40, x0, x1)]); }
    if (dy) { save(model, "start_y", y); lookAhead(model, "start_y", [clamp(y - (y1 - y0) / 40, y0, y1), clamp(y + (y1 - y0) / 40, y0, y1)]); }
  }
  canvas.addEventListener("keydown", (e) => {
    const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };
    if (e.key in moves) moveStart(...moves[e.key]);
    else if (e.key === " ") player.nodes[0].click();
    else return;
    e.preventDefault();
    e.stopPropagation();
  });
  canvas.addEventListener("click", (e) => {
    const v = view();
    if (!v.surface) return;
    const at = canvasPoint(canvas, e);
    const [x, y] = plane(v.surface, BOX).fromCanvas(at.x, at.y);
    if (!plane(v.surface, BOX).inside(x, y)) return;
    model.set("start_x", Number(x.toFixed(3)));
    model.set("start_y", Number(y.toFixed(3)));
    model.save_changes();
    canvas.focus();
  });

  return followViewAndPlay(model, ["objective", "condition", "angle", "lr", "steps", "start_x", "start_y", "noise", "speed"],
    player, syncControls, draw);
}

export default { render };
