"""Hierarchical-softmax tree: a Huffman tree over a small vocabulary with one word's path lit up, sigmoid by sigmoid.

Python builds the tree with dlwidgets.core.huffman_tree, draws seeded random vectors h (the context) and v_n
(one per inner node), and computes the chosen word's sigmoids and probability with core.word_probability,
and every word's probability (they sum to 1); it also lays the tree out (leaves left to right, each inner
node above the middle of its children). The browser draws it.
"""

from __future__ import annotations

import numbers
import pathlib

import numpy as np
import traitlets

from ..core import all_word_probabilities, expected_path_length, huffman_tree, word_probability
from ._base import CourseWidget, Setting, choice, front_end, seed_number

__all__ = ["HuffmanTreeView", "DEFAULT_COUNTS", "VECTOR_SIZE"]

DEFAULT_COUNTS = {"the": 30, "of": 20, "cat": 15, "sat": 10, "on": 10, "mat": 8, "hat": 5, "gnu": 2}
VECTOR_SIZE = 4


def _counts(counts) -> dict:
    if not isinstance(counts, dict) or not 2 <= len(counts) <= 16:
        raise ValueError(f"counts must be a dict of 2 to 16 words and their counts, got {counts!r}")
    for word, count in counts.items():
        if not isinstance(word, str) or isinstance(count, (bool, np.bool_)) or not isinstance(count, numbers.Real) \
                or not 0 < count < float("inf"):
            raise ValueError(f"every count must be a finite number > 0 for a word, got {word!r}: {count!r}")
    return {word: float(count) for word, count in counts.items()}


class HuffmanTreeView(CourseWidget):
    """The Huffman tree of a small vocabulary, one word's path and its sigmoids, and every word's probability."""

    _esm = front_end("huffman_tree.js")
    _css = pathlib.Path(__file__).with_name("huffman_tree.css")

    counts = Setting(help="The vocabulary: a dict word -> count (2 to 16 words)").tag(sync=True)
    word = Setting("gnu", help="The word whose path is lit up").tag(sync=True)
    seed = Setting(1, help="Seed of the context vector h and the inner nodes' vectors v_n").tag(sync=True)

    _SETTINGS = ("counts", "word", "seed")
    _FIGSIZE = (9, 4)

    @traitlets.default("counts")
    def _default_counts(self):
        return dict(DEFAULT_COUNTS)

    def _compute(self, s) -> dict:
        counts = _counts(s.counts)
        words = list(counts)
        word = choice("word", s.word, words)
        seed = seed_number(s.seed, 2**31 - 2)
        tree = huffman_tree([counts[w] for w in words])
        rng = np.random.default_rng(seed)
        h, vectors = rng.normal(size=VECTOR_SIZE), rng.normal(size=(len(words) - 1, VECTOR_SIZE))
        w = words.index(word)
        p, factors = word_probability(tree, w, h, vectors)
        nodes, edges = self._layout(tree, words)
        return {"words": words, "counts": [counts[x] for x in words], "word": word, "index": w, "seed": seed,
                "nodes": nodes, "edges": edges, "path": [int(n) for n in tree.paths[w]],
                "code": [int(c) for c in tree.codes[w]], "factors": factors.tolist(), "probability": p,
                "probabilities": all_word_probabilities(tree, h, vectors).tolist(),
                "depths": [tree.depth(i) for i in range(len(words))], "average": expected_path_length(tree)}

    @staticmethod
    def _layout(tree, words):
        """Node positions: leaves at x = 0, 1, ... in the order of their codes, inner nodes above their children."""
        children = {}
        for w, (path, code) in enumerate(zip(tree.paths, tree.codes)):
            for i, (node, turn) in enumerate(zip(path, code)):
                child = ("inner", path[i + 1]) if i + 1 < len(path) else ("leaf", w)
                children.setdefault(node, [None, None])[turn] = child
        order = sorted(range(len(words)), key=lambda w: tree.codes[w])
        place = {("leaf", w): (float(x), tree.depth(w)) for x, w in enumerate(order)}

        def position(node):
            if node in place:
                return place[node]
            (lx, ly), (rx, ry) = position(children[node[1]][0]), position(children[node[1]][1])
            depth = min(ly, ry) - 1
            place[node] = ((lx + rx) / 2, depth)
            return place[node]

        root = ("inner", len(words) - 2)
        position(root)
        nodes = [{"kind": kind, "id": int(ident), "x": x, "depth": d,
                  "label": words[ident] if kind == "leaf" else f"n{ident}"} for (kind, ident), (x, d) in place.items()]
        edges = [{"parent": int(node), "child": [kind, int(ident)], "turn": turn}
                 for node, pair in children.items() for turn, (kind, ident) in enumerate(pair)]
        return nodes, edges

    def _title(self) -> str:
        return "Hierarchical-softmax tree"

    def _describe(self, v: dict) -> str:
        steps = ", ".join(f"n{n} {'left' if c == 0 else 'right'} {f:.3f}" for n, c, f in zip(v["path"], v["code"],
                                                                                            v["factors"]))
        return (f"Hierarchical-softmax tree over {len(v['words'])} words: '{v['word']}' (count "
                f"{v['counts'][v['index']]:g}) sits {len(v['path'])} inner nodes deep; its sigmoids are {steps}, so "
                f"p('{v['word']}' | h) = {v['probability']:.4f}. The probabilities of all words sum to "
                f"{sum(v['probabilities']):.6f}; an average word of the text costs {v['average']:.2f} sigmoids.")

    def _draw_figure(self, fig, v: dict) -> None:
        ax = fig.add_subplot()
        ax.axis("off")
        pos = {(n["kind"], n["id"]): (n["x"], -n["depth"]) for n in v["nodes"]}
        lit = set(v["path"])
        target = ("leaf", v["index"])
        for e in v["edges"]:
            child = tuple(e["child"])
            on = e["parent"] in lit and (child == target or (child[0] == "inner" and child[1] in lit))
            (x0, y0), (x1, y1) = pos[("inner", e["parent"])], pos[child]
            ax.plot([x0, x1], [y0, y1], color="#D55E00" if on else "#BBBBBB", lw=3 if on else 1)
        for n in v["nodes"]:
            x, y = pos[(n["kind"], n["id"])]
            if n["kind"] == "leaf":
                ax.text(x, y - 0.25, n["label"], ha="center", va="top", fontsize=9,
                        fontweight="bold" if n["id"] == v["index"] else "normal")
            ax.plot([x], [y], "o", color="#0072B2" if n["kind"] == "inner" else "#000000", ms=6)
        for node, f in zip(v["path"], v["factors"]):
            x, y = pos[("inner", node)]
            ax.text(x + 0.1, y + 0.1, f"σ={f:.2f}", fontsize=8, color="#D55E00")
        ax.set_title(f"p('{v['word']}' | h) = product of {len(v['path'])} sigmoids = {v['probability']:.4f}", fontsize=10)
