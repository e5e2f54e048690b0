"""Message passing: one graph-convolution layer at one node, step by step, and what a trained GCN predicts.

Python computes everything with dlwidgets.core (the normalised adjacency, ``message_passing`` for the
chosen node, the whole layer, how far a signal spreads in L layers, and a two-layer GCN trained on two
labelled nodes) and sends one small dict; the browser draws the graph and steps through gather,
aggregate and update for the chosen node with the equation and its numbers. Two graphs: Zachary's
karate club, and TextGCN's document-word graph of a tiny corpus.
"""

from __future__ import annotations

import functools
import pathlib

import numpy as np
import traitlets

from ..core import (adjacency_matrix, build_text_graph, hop_distances, karate_club, message_passing,
                    normalised_adjacency, spring_layout, train_gcn)
from ._base import CourseWidget, Setting, choice, front_end, real_number, seed_number, whole_number

__all__ = ["MessagePassingExplorer", "GRAPHS", "SHOW", "PHASES", "MP_PALETTE"]

GRAPHS = ("karate", "textgcn")
SHOW = ("message passing", "spread", "predictions")
PHASES = ("features", "gather", "aggregate", "update")
# (seed, spacing) of each graph's force-directed layout: the ones that keep nodes furthest apart
_LAYOUT = {"karate": (12, 1.0), "textgcn": (7, 3.0)}
MP_PALETTE = {"positive": "#E69F00", "negative": "#56B4E9", "class0": "#E69F00", "class1": "#0072B2",
              "spread": "#009E73", "edge": "#BBBBBB", "active": "#D55E00", "text": "#000000"}


@functools.lru_cache(maxsize=None)
def _graph(name: str) -> dict:
    """Everything about one graph that no setting changes: adjacency, A_hat, names, labels, layout."""
    if name == "karate":
        g = karate_club()
        a = adjacency_matrix(g.n, g.edges)
        a_hat = normalised_adjacency(a)
        names = [str(i + 1) for i in range(g.n)]
        labels, groups, train = g.labels, list(g.group_names), [0, g.n - 1]
        kinds = ["member"] * g.n
    else:
        t = build_text_graph()
        a = t.adjacency - np.eye(len(t.adjacency))            # the self-loops are A_hat's business
        a_hat = normalised_adjacency(t.adjacency, self_loops=False)
        names = [f"doc {i + 1}" for i in range(t.n_docs)] + list(t.vocab)
        labels = np.concatenate([t.labels, np.full(len(t.vocab), -1)])
        groups, train = list(t.label_names), [0, 4]
        kinds = ["document"] * t.n_docs + ["word"] * len(t.vocab)
    n = len(a)
    edges = [(i, j, float(a[i, j])) for i in range(n) for j in range(i + 1, n) if a[i, j] != 0]
    return {"a": a, "a_hat": a_hat, "names": names, "labels": labels, "groups": groups, "train": train,
            "kinds": kinds, "edges": edges, "pos": spring_layout(a, seed=_LAYOUT[name][0], spacing=_LAYOUT[name][1])}


def _r(x, digits=4):
    return np.round(np.asarray(x, dtype=float), digits).tolist()


class MessagePassingExplorer(CourseWidget):
    """A graph with node features; gather, aggregate and update at one node; spread over layers; predictions."""

    _esm = front_end("message_passing.js")
    _css = pathlib.Path(__file__).with_name("message_passing.css")

    graph = Setting("karate", help="'karate' (Zachary's karate club) or 'textgcn' (a document-word graph)"
                    ).tag(sync=True)
    node = Setting(1, help="The node to follow, numbered from 1").tag(sync=True)
    show = Setting("message passing", help="'message passing', 'spread' or 'predictions'").tag(sync=True)
    layers = Setting(1, help="How many GCN layers a signal from the chosen node has passed through").tag(sync=True)
    weight = Setting(1.0, help="The layer's weight W (one feature in, one out)").tag(sync=True)
    epochs = Setting(100, help="Training epochs of the two-layer GCN").tag(sync=True)
    seed = Setting(0, help="Seed of the node features and of the GCN's starting weights").tag(sync=True)
    phase = traitlets.Int(0, help="Message-passing step shown: 0 features, 1 gather, 2 aggregate, 3 update"
                          ).tag(sync=True)

    _SETTINGS = ("graph", "node", "show", "layers", "weight", "epochs", "seed")
    _DISPLAY_TRAITS = ("phase",)
    _FIGSIZE = (9, 3.3)

    # ------------------------------------------------------------ driving from code
    def step_phase(self) -> str:
        """Show the next step of message passing (features -> gather -> aggregate -> update -> features)."""
        self.phase = (self.phase + 1) % len(PHASES)
        return PHASES[self.phase]

    # ------------------------------------------------------------ the model
    def _compute(self, s) -> dict:
        name = choice("graph", s.graph, GRAPHS)
        g = _graph(name)
        n = len(g["a"])
        node = whole_number("node", s.node, 1, n) - 1
        show = choice("show", s.show, SHOW)
        layers = whole_number("layers", s.layers, 0, 4)
        weight = real_number("weight", s.weight, -2.0, 2.0, label="the weight W")
        epochs = whole_number("epochs", s.epochs, 0, 300)
        seed = seed_number(s.seed, 99)
        h = np.round(np.random.default_rng(seed).uniform(-1, 1, size=n), 2)
        w = np.array([[weight]])
        step = message_passing(g["a_hat"], h[:, None], w, node, "relu")
        layer = np.maximum(g["a_hat"] @ h * weight, 0.0)
        dist = hop_distances(g["a"], node)
        spread = np.linalg.matrix_power(g["a_hat"], layers)[:, node]
        spread[(dist < 0) | (dist > layers)] = 0.0            # exactly zero beyond L hops (no rounding residue)
        train_mask = np.zeros(n, bool)
        train_mask[g["train"]] = True
        run = train_gcn(g["a_hat"], np.eye(n), g["labels"], train_mask, epochs=epochs, seed=seed)
        known = (g["labels"] >= 0) & ~train_mask
        accuracy = float(np.mean(run.predictions[known] == g["labels"][known]))
        degree = (g["a"] != 0).sum(axis=1) + 1
        return {
            "graph": name, "node": node + 1, "show": show, "layers": layers, "weight": weight, "epochs": epochs,
            "names": g["names"], "kinds": g["kinds"], "groups": g["groups"], "labels": g["labels"].tolist(),
            "train": g["train"], "pos": _r(g["pos"]), "edges": [[i, j] for i, j, _ in g["edges"]],
            "degree": degree.tolist(), "h": h.tolist(), "layer": _r(layer),
            "senders": step.senders.tolist(), "coefficients": _r(step.coefficients),
            "transformed": _r(step.transformed[:, 0]), "messages": _r(step.messages[:, 0]),
            "aggregate": round(float(step.aggregate[0]), 4), "updated": round(float(step.updated[0]), 4),
            "distance": dist.tolist(), "spread": _r(spread), "reached": int(np.sum((dist >= 0) & (dist <= layers))),
            "predictions": run.predictions.tolist(), "probabilities": _r(run.probabilities[:, 1]),
            "accuracy": accuracy, "scored": int(known.sum()), "losses": _r(run.losses),
        }

    # ------------------------------------------------------------ readable without a kernel
    def _title(self) -> str:
        return "Message passing"

    def _describe(self, v: dict) -> str:
        i = v["node"] - 1
        who = f"node {v['names'][i]}" if v["graph"] == "karate" else repr(v["names"][i])
        graph = "Zachary's karate club" if v["graph"] == "karate" else "a TextGCN document-word graph"
        terms = " + ".join(f"{c:.3f}×({v['h'][j]:+.2f})" for c, j in zip(v["coefficients"][:4], v["senders"][:4]))
        more = " + ..." if len(v["senders"]) > 4 else ""
        return (f"Message passing on {graph} ({len(v['names'])} nodes). At {who}: it gathers from itself and "
                f"{len(v['senders']) - 1} neighbours, a = W·({terms}{more}) = {v['aggregate']:.4f} with W = "
                f"{v['weight']:g}, and updates to relu(a) = {v['updated']:.4f}. After {v['layers']} layer(s) a signal "
                f"from it has reached {v['reached']} of {len(v['names'])} nodes. A two-layer GCN trained for "
                f"{v['epochs']} epochs on {len(v['train'])} labelled nodes labels {v['accuracy']:.0%} of the other "
                f"{v['scored']} correctly.")

    def _draw_figure(self, fig, v: dict) -> None:
        """The graph three times: features, spread after L layers, predictions."""
        pos = np.array(v["pos"])
        axes = fig.subplots(1, 3)
        i = v["node"] - 1
        spread = np.array(v["spread"])
        colours = [
            [MP_PALETTE["positive"] if x >= 0 else MP_PALETTE["negative"] for x in v["h"]],
            [MP_PALETTE["spread"] if x > 0 else "#EEEEEE" for x in spread],
            ["#EEEEEE" if kind == "word" else MP_PALETTE["class1"] if p else MP_PALETTE["class0"]
             for p, kind in zip(v["predictions"], v["kinds"])],
        ]
        titles = [f"features h, node {v['names'][i]}", f"reached after {v['layers']} layer(s): {v['reached']}",
                  f"GCN predictions: {v['accuracy']:.0%} right"]
        from matplotlib.collections import LineCollection

        segments = [pos[[a, b]] for a, b in v["edges"]]
        for ax, colour, title in zip(axes, colours, titles):
            ax.add_collection(LineCollection(segments, colors=MP_PALETTE["edge"], linewidths=0.6, zorder=1))
            ax.scatter(pos[:, 0], pos[:, 1], c=colour, s=40, edgecolors="black", linewidths=0.5, zorder=2)
            ax.scatter(pos[i, 0], pos[i, 1], s=140, facecolors="none", edgecolors=MP_PALETTE["active"], linewidths=2,
                       zorder=3)
            ax.set_title(title, fontsize=10)
            ax.set_axis_off()
        fig.tight_layout()
