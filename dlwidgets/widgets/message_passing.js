// Message passing front end: the graph Python laid out and computed (model "view") drawn on a canvas,
// with gather, aggregate and update stepped through at the chosen node (the "phase" trait), how far a
// signal spreads in L layers, or a trained GCN's predictions. Appended to _shared.js.

const C = { pos: PALETTE.orange, neg: PALETTE.sky, c0: PALETTE.orange, c1: PALETTE.blue, spread: PALETTE.green,
  active: PALETTE.vermillion, ink: "#000", get edge() { return THEME.grid; }, get text() { return THEME.text; },
  get muted() { return THEME.muted; }, get empty() { return THEME.empty; }, get outline() { return THEME.line; },
  get panel() { return THEME.panel; } };
const GRAPHS = [["karate", "Zachary's karate club"], ["textgcn", "TextGCN: documents and words"]];
const SHOWS = [["message passing", "message passing at one node"], ["spread", "spread over layers"],
  ["predictions", "trained GCN's predictions"]];
const PHASE_NAMES = ["features", "1 · gather", "2 · aggregate", "3 · update"];

function render({ model, el: root }) {
  root.classList.add("dlw-mp");
  const graph = settingSelect(model, "graph", "Graph", GRAPHS);
  const show = settingSelect(model, "show", "What to show", SHOWS);
  const node = settingSlider(model, "node", "Node", { min: 1, max: 34, aria: "Chosen node" });
  const layers = settingSlider(model, "layers", "Layers L", { min: 0, max: 4, aria: "Layers the signal passes through" });
  const weight = settingSlider(model, "weight", "W", { min: -2, max: 2, step: 0.25, aria: "The layer's weight W" });
  const epochs = settingSlider(model, "epochs", "Epochs", { min: 0, max: 300, step: 10, aria: "Training epochs of the GCN" });
  const seed = settingSlider(model, "seed", "Seed", { min: 0, max: 99 });
  const controls = controlRow([el("label", {}, ["Graph", graph]), el("label", {}, ["Show", show]), node.node, layers.node,
    weight.node, epochs.node, seed.node]);
  const backButton = el("button", { type: "button", "aria-label": "Previous message-passing step", text: "◁ Back" });
  const stepButton = el("button", { type: "button", "aria-label": "Next message-passing step", text: "Step ▷" });
  const phaseOut = el("span", { class: "dlw-where", "aria-live": "polite" });
  const player = controlRow([backButton, stepButton, phaseOut]);
  const error = el("div", { class: "dlw-error", role: "alert", hidden: "" });
  const canvas = suppressShortcuts(el("canvas", { role: "img", tabindex: "0" }));
  const facts = el("div", { class: "dlw-facts" });
  // Hover over a node to see the message it sends to the chosen node worked out (or, spreading, its share).
  const readout = el("div", { class: "dlw-readout", "aria-live": "polite" });
  const help = el("div", { class: "dlw-help",
    text: "Keys on the picture: ← → choose the node, ↑ ↓ or space step through gather, aggregate, update. Click a node to choose it." });
  root.append(controls, player, error, canvas, readout, facts, help);

  let draws = 0, nodeXY = [], hover = null;   // hover: index of the node under the pointer
  const view = () => viewOf(model);

  function syncControls() {
    graph.value = model.get("graph"); show.value = model.get("show");
    const n = (view().names || []).length;
    if (n) node.input.max = String(n);
    node.sync(); layers.sync(); weight.sync(); epochs.sync(); seed.sync();
  }

  const fmt = (x) => (x >= 0 ? "+" : "−") + Math.abs(x).toFixed(2);
  const fmt3 = (x) => (x >= 0 ? "" : "−") + Math.abs(x).toFixed(3);

  function text(ctx, s, x, y, { color = C.text, align = "left", font = "12px sans-serif" } = {}) {
    ctx.fillStyle = color; ctx.textAlign = align; ctx.font = font; ctx.fillText(s, x, y);
  }

  function draw() {
    const v = view();
    const message = errorOf(model);
    showError(root, error, message);
    if (message || !v.names) {
      sizeCanvas(canvas, 10, 10);
      facts.textContent = ""; phaseOut.textContent = ""; readout.textContent = "";
      canvas.setAttribute("aria-label", message || "");
      root.dataset.draws = String(++draws);
      return;
    }
    const phase = v.show === "message passing" ? model.get("phase") : 0;
    // The equation panel beside the graph in 960 units; below 600 px of room (scaled by at most 0.75) it
    // goes under the graph, rather than off the side.
    const narrow = root.clientWidth > 0 && root.clientWidth < 600;
    const panelLines = v.show === "message passing" ? 10 + Math.min(19, v.senders.length) : v.show === "spread" ? 5 : 9;
    const W = narrow ? 600 : 960, H = narrow ? 540 + 16 * panelLines + 20 : 520, gx0 = 30, gy0 = 30, gw = 560, gh = 470;
    const ctx = sizeCanvas(canvas, W, H);
    ctx.textBaseline = "middle";
    const i = v.node - 1, n = v.names.length;
    nodeXY = v.pos.map(([x, y]) => [gx0 + x * gw, gy0 + y * gh]);
    canvas.dataset.nodes = JSON.stringify(nodeXY.map(([x, y]) => [Math.round(x), Math.round(y)]));   // for tests
    const senders = new Set(v.senders);
    const r = v.graph === "karate" ? 11 : 9;

    // edges; during gather and aggregate the ones into the chosen node stand out
    for (const [a, b] of v.edges) {
      const into = phase >= 1 && phase <= 2 && ((a === i && senders.has(b)) || (b === i && senders.has(a)));
      ctx.strokeStyle = into ? C.active : C.edge; ctx.lineWidth = into ? 2.5 : 1;
      ctx.beginPath(); ctx.moveTo(...nodeXY[a]); ctx.lineTo(...nodeXY[b]); ctx.stroke();
    }
    // gather: each message written half-way along its edge
    if (phase === 1) {
      v.senders.forEach((j, k) => {
        if (j === i) return;
        const [x, y] = nodeXY[j], [xi, yi] = nodeXY[i];
        const mx = (x + xi) / 2, my = (y + yi) / 2, s = fmt3(v.messages[k]);
        ctx.font = "10px sans-serif";
        const w = ctx.measureText(s).width + 4;
        ctx.fillStyle = C.panel; ctx.fillRect(mx - w / 2, my - 6, w, 12);
        text(ctx, s, mx, my, { color: C.active, align: "center", font: "10px sans-serif" });
      });
    }
    // nodes
    const maxSpread = Math.max(...v.spread, 1e-12);
    for (let j = 0; j < n; j++) {
      const [x, y] = nodeXY[j];
      let fill, label = "";
      if (v.show === "spread") {
        fill = v.spread[j] > 0 ? shade(C.spread, 0.2 + 0.8 * v.spread[j] / maxSpread) : C.empty;
        label = v.kinds[j] === "word" ? "" : v.names[j].replace("doc ", "d");
      } else if (v.show === "predictions") {
        fill = v.kinds[j] === "word" ? C.empty : v.predictions[j] ? C.c1 : C.c0;
        label = v.kinds[j] === "word" ? "" : v.names[j].replace("doc ", "d");
      } else {
        const value = phase === 3 ? v.layer[j] : v.h[j];
        fill = diverging(value, C.pos, C.neg);
        label = value.toFixed(2).replace("-", "−");
      }
      ctx.fillStyle = fill; ctx.strokeStyle = C.outline; ctx.lineWidth = 1;
      if (v.kinds[j] === "document") { ctx.fillRect(x - r, y - r, 2 * r, 2 * r); ctx.strokeRect(x - r, y - r, 2 * r, 2 * r); }
      else { ctx.beginPath(); ctx.arc(x, y, r, 0, 2 * Math.PI); ctx.fill(); ctx.stroke(); }
      if (v.show === "predictions" && v.labels[j] >= 0) {           // the true group as an outer ring
        ctx.strokeStyle = v.labels[j] ? C.c1 : C.c0; ctx.lineWidth = 3;
        ctx.beginPath(); ctx.arc(x, y, r + 4, 0, 2 * Math.PI); ctx.stroke();
        if (v.train.includes(j)) text(ctx, "labelled", x, y - r - 10, { align: "center", font: "bold 10px sans-serif" });
      }
      // dark ink on a coloured node; the theme's text on an empty one
      text(ctx, label, x, y + 0.5, { align: "center", font: "9px sans-serif", color: fill === C.empty ? C.text : C.ink });
      if (v.kinds[j] === "word") text(ctx, v.names[j], x, y + r + 8, { align: "center", color: C.muted, font: "10px sans-serif" });
      else if (v.show === "message passing") text(ctx, v.names[j].replace("doc ", "d"), x + r + 2, y - r, { color: C.muted, font: "9px sans-serif" });
    }
    const [xi, yi] = nodeXY[i];
    ctx.strokeStyle = C.active; ctx.lineWidth = 3;
    ctx.beginPath(); ctx.arc(xi, yi, r + 5, 0, 2 * Math.PI); ctx.stroke();

    // ---------------- the panel: the equation and its numbers
    const px = narrow ? 20 : 620;
    let y = narrow ? 540 : 24;
    const line = (s, opts) => { text(ctx, s, px, y, opts); y += 16; };
    const who = v.graph === "karate" ? `node ${v.names[i]}` : `“${v.names[i]}”`;
    if (v.show === "message passing") {
      line(`One GCN layer at ${who}:  h′ = relu(Σⱼ Âᵢⱼ hⱼ W)`, { font: "bold 13px sans-serif" });
      line(`Âᵢⱼ = 1/√(dᵢ dⱼ), d = degree + 1 (self-loop);  W = ${v.weight}`, { color: C.muted });
      y += 4;
      line("sender j     dⱼ     Âᵢⱼ       hⱼ       Âᵢⱼ·hⱼ·W", { font: "bold 11px monospace" });
      const rows = v.senders.slice(0, 19);
      rows.forEach((j, k) => {
        const name = (j === i ? `${v.names[j]} (self)` : v.names[j]).padEnd(12).slice(0, 12);
        const show = phase >= 1;
        line(`${name} ${String(v.degree[j]).padStart(2)}   ${v.coefficients[k].toFixed(3)}   ${fmt(v.h[j])}   `
          + (show ? fmt3(v.messages[k]).padStart(7) : "      ?"), { font: "11px monospace", color: show && phase <= 2 ? C.active : C.text });
      });
      if (v.senders.length > rows.length) line(`… and ${v.senders.length - rows.length} more`, { color: C.muted });
      y += 6;
      line(phase >= 2 ? `aggregate: a = Σ messages = ${fmt3(v.aggregate)}` : "aggregate: a = Σ messages = ?",
        { font: "bold 12px sans-serif", color: phase === 2 ? C.active : C.text });
      line(phase >= 3 ? `update: h′ = relu(a) = ${fmt3(v.updated)}` : "update: h′ = relu(a) = ?",
        { font: "bold 12px sans-serif", color: phase === 3 ? C.active : C.text });
      if (phase === 3) line("(all nodes update at once: the colours show the layer's output)", { color: C.muted });
    } else if (v.show === "spread") {
      line(`A signal at ${who} after L = ${v.layers} layer(s)`, { font: "bold 13px sans-serif" });
      line(`Green: (Â^L)ⱼᵢ > 0, the nodes that have heard from it: ${v.reached} of ${n}.`);
      line(`Grey: more than ${v.layers} hop(s) away; their share is exactly 0.`);
      const far = Math.max(...v.distance);
      line(`The farthest node is ${far} hops away: ${far} layers reach everything.`, { color: C.muted });
    } else {
      line(`Two GCN layers, ${v.epochs} epochs, ${v.train.length} labelled nodes`, { font: "bold 13px sans-serif" });
      line("softmax(Â relu(Â X W₀) W₁), X = I (no features but identity)", { color: C.muted });
      line(`Fill: predicted group; ring: the true group.`);
      line(`${v.groups[0]} (orange) vs ${v.groups[1]} (blue).`);
      line(`Right on ${Math.round(v.accuracy * v.scored)} of the ${v.scored} unlabelled ${v.graph === "karate" ? "members" : "documents"}: ${(100 * v.accuracy).toFixed(0)}%.`,
        { font: "bold 12px sans-serif" });
      const wrong = [];
      v.labels.forEach((l, j) => { if (l >= 0 && !v.train.includes(j) && l !== v.predictions[j]) wrong.push(v.names[j]); });
      line(wrong.length ? `Wrong: ${wrong.join(", ")}` : "No mistakes.", { color: C.muted });
      if (v.losses.length) line(`training loss ${v.losses[0].toFixed(3)} → ${v.losses[v.losses.length - 1].toFixed(3)}`, { color: C.muted });
    }

    showReadout(v, i, who);
    phaseOut.textContent = v.show === "message passing" ? `step: ${PHASE_NAMES[phase]}` : "(steps apply to message passing)";
    facts.textContent = v.show === "message passing" && phase >= 2
      ? `At ${who}: a = ${v.aggregate}, h′ = ${v.updated}.` : "";
    root.dataset.phase = String(phase);
    root.dataset.node = String(v.node);
    root.dataset.show = v.show;
    root.dataset.reached = String(v.reached);
    root.dataset.accuracy = String(v.accuracy);
    root.dataset.updated = String(v.updated);
    canvas.setAttribute("aria-label", v.description || "");
    root.dataset.draws = String(++draws);
  }

  // Node j's message to the chosen node i as Âᵢⱼ·hⱼ·W with its numbers (Âᵢⱼ as 1/√(dᵢ dⱼ) where that is
  // what core's normalised adjacency holds), beside core's value; while spreading, j's share (Â^L)ⱼᵢ.
  function showReadout(v, i, who) {
    delete root.dataset.readoutMessage; delete root.dataset.readoutCore;
    if (hover === null || hover >= v.names.length || v.show === "predictions") {
      readout.textContent = v.show === "predictions" ? "" : "Hover over a node to see what it sends to the chosen node.";
      return;
    }
    const j = hover, name = v.kinds[j] === "word" ? `“${v.names[j]}”` : `node ${v.names[j]}`;
    if (v.show === "spread") {
      readout.textContent = v.distance[j] < 0 || v.distance[j] > v.layers
        ? `${name}: ${v.distance[j] < 0 ? "not connected" : `${v.distance[j]} hops away`}, more than L = ${v.layers}: (Â^L)ⱼᵢ = 0`
        : `${name}: ${v.distance[j]} hop(s) away, within L = ${v.layers}: (Â^L)ⱼᵢ = ${v.spread[j].toFixed(4)}`;
      return;
    }
    const k = v.senders.indexOf(j);
    if (k < 0) {
      readout.textContent = `${name} is not a neighbour of ${who}: Âᵢⱼ = 0, so it sends nothing (its h = ${fmt(v.h[j])})`;
      return;
    }
    const a = v.coefficients[k], root2 = 1 / Math.sqrt(v.degree[i] * v.degree[j]);
    const shown = Math.abs(root2 - a) < 1e-3 ? `1/√(${v.degree[i]}·${v.degree[j]}) = ${a.toFixed(4)}` : a.toFixed(4);
    const message = a * v.h[j] * v.weight;
    readout.textContent = `${name}${j === i ? " (itself, by the self-loop)" : ""} → ${who}: Âᵢⱼ·hⱼ·W = ${shown} × ${fmt(v.h[j])} × ${v.weight}`
      + ` = ${fmt3(message)}   (core: ${fmt3(v.messages[k])})`;
    Object.assign(root.dataset, { readoutMessage: String(message), readoutCore: String(v.messages[k]) });
  }

  function nodeAt(e) {
    const { x, y } = canvasPoint(canvas, e);
    let best = null, bestD = 15 * 15;
    nodeXY.forEach(([nx, ny], j) => { const d = (nx - x) ** 2 + (ny - y) ** 2; if (d < bestD) { best = j; bestD = d; } });
    return best;
  }
  canvas.addEventListener("pointermove", (e) => {
    const next = nodeAt(e);
    if (next !== hover) { hover = next; draw(); }
  });
  canvas.addEventListener("pointerleave", () => { if (hover !== null) { hover = null; draw(); } });

  function setPhase(p) {
    save(model, "phase", ((p % 4) + 4) % 4);
    draw();
  }
  function chooseNode(k) {
    const n = (view().names || []).length;
    if (!n) return;
    const value = ((k - 1 + n) % n) + 1;
    node.input.value = String(value);
    node.input.dispatchEvent(new Event("input", { bubbles: true }));
  }
  stepButton.addEventListener("click", () => setPhase(model.get("phase") + 1));
  backButton.addEventListener("click", () => setPhase(model.get("phase") - 1));
  canvas.addEventListener("keydown", (e) => {
    if (e.key === "ArrowRight") chooseNode(model.get("node") + 1);
    else if (e.key === "ArrowLeft") chooseNode(model.get("node") - 1);
    else if (e.key === "ArrowDown" || e.key === " " || e.key === "Enter") setPhase(model.get("phase") + 1);
    else if (e.key === "ArrowUp") setPhase(model.get("phase") - 1);
    else return;
    e.preventDefault();
    e.stopPropagation();
  });
  canvas.addEventListener("click", (e) => {
    const best = nodeAt(e);
    if (best !== null) chooseNode(best + 1);
  });

  const SETTINGS = ["graph", "node", "show", "layers", "weight", "epochs", "seed"];
  const unlisten = [
    listen(model, ["change:phase"], draw),
    followView(model, SETTINGS, () => { syncControls(); draw(); }, syncControls),
  ];
  return () => { for (const off of unlisten) off(); };
}

export default { render };
