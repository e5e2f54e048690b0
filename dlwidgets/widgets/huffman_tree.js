// Hierarchical-softmax tree front end: the Huffman tree as Python laid it out, the chosen word's path in
// vermillion with the sigmoid taken at each inner node, and every word's probability under its leaf.
// Appended to _shared.js (el, settingSelect, settingSlider, sizeCanvas, followView, ...).

const HC = { lit: PALETTE.vermillion, inner: PALETTE.blue, bar: PALETTE.sky, get edge() { return THEME.grid; },
  get leaf() { return THEME.text; }, get text() { return THEME.text; }, get muted() { return THEME.muted; } };

function render({ model, el: root }) {
  root.classList.add("dlw-huff");
  const wordsNow = () => Object.keys(model.get("counts") || {});
  let word = settingSelect(model, "word", "Word whose path is shown", wordsNow());
  const seed = settingSlider(model, "seed", "Seed", { min: 0, max: 20, aria: "Seed of the vectors h and v_n" });
  const wordLabel = el("label", {}, ["Word", word]);
  const controls = controlRow([wordLabel, seed.node]);
  const error = el("div", { class: "dlw-error", role: "alert", hidden: "" });
  const canvas = el("canvas", { role: "img" });
  const facts = el("div", { class: "dlw-facts" });
  root.append(controls, error, canvas, facts);
  let draws = 0, shownWords = wordsNow().join("|");

  function syncControls() {
    if (wordsNow().join("|") !== shownWords) {            // a new vocabulary: new options
      shownWords = wordsNow().join("|");
      const fresh = settingSelect(model, "word", "Word whose path is shown", wordsNow());
      word.replaceWith(fresh);
      word = fresh;
    }
    word.value = model.get("word");
    seed.sync();
  }

  function draw() {
    const v = viewOf(model);
    const message = errorOf(model);
    showError(root, error, message);
    facts.textContent = "";
    if (message || !v.nodes) {
      sizeCanvas(canvas, 10, 10);
      canvas.setAttribute("aria-label", message || "");
      root.dataset.draws = String(++draws);
      return;
    }
    const leaves = v.words.length, maxDepth = Math.max(...v.depths);
    // 70 units a leaf; in a narrow column as few as 56, so that the tree fits at the smallest scale (0.75)
    const room = root.clientWidth > 0 ? root.clientWidth / MIN_CANVAS_SCALE : Infinity;
    const perLeaf = Math.max(56, Math.min(70, Math.floor((room - 80) / Math.max(1, leaves))));
    const W = Math.max(520, perLeaf * leaves + 80), rowH = 48, top = 30, H = top + rowH * maxDepth + 90;
    const ctx = sizeCanvas(canvas, W, H);
    ctx.textBaseline = "middle";
    const X = (x) => 50 + x * ((W - 100) / Math.max(1, leaves - 1)), Y = (d) => top + d * rowH;
    const pos = {};
    for (const n of v.nodes) pos[`${n.kind}:${n.id}`] = [X(n.x), Y(n.depth)];
    const lit = new Set(v.path);
    const target = `leaf:${v.index}`;
    const factorAt = Object.fromEntries(v.path.map((n, i) => [n, [v.factors[i], v.code[i]]]));
    for (const e of v.edges) {
      const child = `${e.child[0]}:${e.child[1]}`;
      const on = lit.has(e.parent) && (child === target || (e.child[0] === "inner" && lit.has(e.child[1])));
      const [x0, y0] = pos[`inner:${e.parent}`], [x1, y1] = pos[child];
      ctx.strokeStyle = on ? HC.lit : HC.edge; ctx.lineWidth = on ? 3.5 : 1.2;
      ctx.beginPath(); ctx.moveTo(x0, y0); ctx.lineTo(x1, y1); ctx.stroke();
      ctx.fillStyle = on ? HC.lit : HC.muted; ctx.font = "10px sans-serif"; ctx.textAlign = "center";
      ctx.fillText(e.turn === 0 ? "0" : "1", (x0 + x1) / 2 + (e.turn === 0 ? -7 : 7), (y0 + y1) / 2 - 4);
    }
    for (const n of v.nodes) {
      const [x, y] = pos[`${n.kind}:${n.id}`];
      if (n.kind === "inner") {
        ctx.fillStyle = lit.has(n.id) ? HC.lit : HC.inner; ctx.beginPath(); ctx.arc(x, y, 6, 0, 2 * Math.PI); ctx.fill();
        if (lit.has(n.id)) {
          const [f, turn] = factorAt[n.id];
          ctx.fillStyle = HC.text; ctx.font = "11px sans-serif"; ctx.textAlign = "left";
          ctx.fillText(`σ(${turn === 0 ? "" : "−"}v·h) = ${f.toFixed(3)}`, x + 9, y - 8);
        }
      } else {
        const chosen = n.id === v.index;
        ctx.fillStyle = chosen ? HC.lit : HC.leaf; ctx.fillRect(x - 5, y - 5, 10, 10);
        ctx.font = `${chosen ? "bold " : ""}12px sans-serif`; ctx.textAlign = "center"; ctx.fillStyle = HC.text;
        ctx.fillText(n.label, x, y + 16);
        ctx.font = "10px sans-serif"; ctx.fillStyle = HC.muted;
        ctx.fillText(`count ${v.counts[n.id]}`, x, y + 30);
        const p = v.probabilities[n.id];
        ctx.fillStyle = HC.bar; ctx.fillRect(x - 20, y + 40, 40 * Math.min(1, p / Math.max(...v.probabilities)), 7);
        ctx.fillStyle = HC.text; ctx.fillText(`p=${p.toFixed(3)}`, x, y + 56);
      }
    }
    facts.append(el("span", { text: `p(“${v.word}” | h) = ${v.factors.map((f) => f.toFixed(3)).join(" × ")} = ${v.probability.toFixed(4)}` }),
      el("span", { text: `${v.path.length} sigmoids; average over the text ${v.average.toFixed(2)}; Σ p = ${v.probabilities.reduce((a, b) => a + b, 0).toFixed(6)}` }));
    Object.assign(root.dataset, { word: v.word, depth: String(v.path.length), probability: String(v.probability) });
    canvas.setAttribute("aria-label", v.description || "");
    root.dataset.draws = String(++draws);
  }

  const onView = () => { syncControls(); draw(); };
  const unfollow = followView(model, ["counts", "word", "seed"], onView, syncControls);
  return () => unfollow();
}

export default { render };
