"""Graph convolution (Kipf & Welling 2017): the normalised adjacency, one GCN layer, message passing.

One GCN layer is H' = sigma(A_hat H W) with A_hat = D^-1/2 (A + I) D^-1/2, D the degrees of A + I.
Read row by row it is message passing in three steps, for every node i at once:

1. gather: each neighbour j of i (and i itself, the self-loop) sends its transformed features h_j W,
   scaled by A_hat[i, j] = 1 / sqrt(d_i d_j);
2. aggregate: i sums what it received, a_i = sum_j A_hat[i, j] h_j W;
3. update: h_i' = sigma(a_i).

After L layers a node has heard from every node at most L hops away and from no other.
``train_gcn`` trains two layers, softmax(A_hat relu(A_hat X W0) W1), on a few labelled nodes with
exact gradients and Adam: semi-supervised node classification. The graph shipped with the package
is Zachary's karate club (``karate_club``; the text file beside this module cites its source).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "Graph", "parse_graph", "karate_club", "adjacency_matrix", "normalised_adjacency", "gcn_layer",
    "MessagePassing", "message_passing", "hop_distances", "GCNRun", "gcn_forward", "gcn_loss_and_grads",
    "train_gcn", "spring_layout",
]


@dataclass(frozen=True)
class Graph:
    """An undirected graph: n nodes numbered 0..n-1, edges as (i, j) pairs, and the name of each node's group."""

    n: int
    edges: tuple
    groups: tuple
    group_names: tuple

    @property
    def labels(self) -> np.ndarray:
        """Each node's group as an index into group_names."""
        return np.array([self.group_names.index(g) for g in self.groups])


def parse_graph(text: str) -> Graph:
    """A graph from its text: an ``[edges]`` section of ``i j`` lines (numbered from 1), then one section per
    group, named in brackets, listing its members. Lines starting with # are comments."""
    section, edges, members = None, [], {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            if section != "edges":
                members[section] = []
            continue
        try:
            values = [int(v) for v in line.split()]
        except ValueError:
            raise ValueError(f"line {number}: expected whole numbers, got {raw!r}") from None
        if section == "edges":
            if len(values) != 2 or values[0] == values[1]:
                raise ValueError(f"line {number}: an edge is two different nodes, got {raw!r}")
            edges.append((values[0] - 1, values[1] - 1))
        elif section is None:
            raise ValueError(f"line {number}: numbers before any [section]")
        else:
            members[section] += [v - 1 for v in values]
    n = max(max(e) for e in edges) + 1
    groups = [None] * n
    for name, nodes in members.items():
        for v in nodes:
            groups[v] = name
    if any(g is None for g in groups):
        raise ValueError(f"nodes without a group: {[i + 1 for i, g in enumerate(groups) if g is None]}")
    return Graph(n=n, edges=tuple(edges), groups=tuple(groups), group_names=tuple(members))


def karate_club() -> Graph:
    """Zachary's karate club: 34 members, 78 friendships, the two clubs after the split (Zachary 1977)."""
    path = __file__[: -len("graph.py")] + "karate_club.txt"
    with open(path, encoding="utf-8") as handle:
        return parse_graph(handle.read())


def adjacency_matrix(n: int, edges, weights=None) -> np.ndarray:
    """The symmetric (n, n) adjacency matrix of undirected edges (weight 1 unless ``weights`` given)."""
    a = np.zeros((n, n))
    weights = np.ones(len(edges)) if weights is None else np.asarray(weights, dtype=float)
    for (i, j), w in zip(edges, weights):
        a[i, j] = a[j, i] = w
    return a


def normalised_adjacency(a, self_loops: bool = True) -> np.ndarray:
    """A_hat = D^-1/2 (A + I) D^-1/2 (without adding I when ``self_loops`` is False), D = row sums."""
    a = np.asarray(a, dtype=float)
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise ValueError(f"the adjacency matrix must be square, got shape {a.shape}")
    if self_loops:
        a = a + np.eye(len(a))
    degree = a.sum(axis=1)
    if np.any(degree <= 0):
        raise ValueError("every node needs a positive degree (an isolated node without a self-loop has none)")
    scale = 1.0 / np.sqrt(degree)
    return scale[:, None] * a * scale[None, :]


def _activation(name: str, x):
    if name == "relu":
        return np.maximum(x, 0.0)
    if name == "tanh":
        return np.tanh(x)
    if name == "identity":
        return x
    raise ValueError(f"activation must be 'relu', 'tanh' or 'identity', got {name!r}")


def gcn_layer(a_hat, h, w, activation: str = "relu") -> np.ndarray:
    """One graph convolution: sigma(A_hat H W) for features H (n, F) and weights W (F, F')."""
    return _activation(activation, np.asarray(a_hat, float) @ np.asarray(h, float) @ np.asarray(w, float))


@dataclass
class MessagePassing:
    """One GCN layer at one node, step by step: who sends (``senders``, the node itself first), with which
    coefficient A_hat[i, j], what each sends (h_j W, then scaled), the sum, and the updated features."""

    node: int
    senders: np.ndarray
    coefficients: np.ndarray
    transformed: np.ndarray
    messages: np.ndarray
    aggregate: np.ndarray
    updated: np.ndarray


def message_passing(a_hat, h, w, node: int, activation: str = "relu") -> MessagePassing:
    """Gather, aggregate and update for ``node``: the same numbers as row ``node`` of ``gcn_layer``."""
    a_hat, h, w = np.asarray(a_hat, float), np.asarray(h, float), np.asarray(w, float)
    if not 0 <= node < len(a_hat):
        raise ValueError(f"node must be between 0 and {len(a_hat) - 1}, got {node}")
    others = [j for j in np.flatnonzero(a_hat[node]) if j != node]
    senders = np.array(([node] if a_hat[node, node] != 0 else []) + others, dtype=int)
    coefficients = a_hat[node, senders]
    transformed = h[senders] @ w
    messages = coefficients[:, None] * transformed
    aggregate = messages.sum(axis=0)
    return MessagePassing(node=node, senders=senders, coefficients=coefficients, transformed=transformed,
                          messages=messages, aggregate=aggregate, updated=_activation(activation, aggregate))


def hop_distances(a, source: int) -> np.ndarray:
    """Shortest number of edges from ``source`` to every node (breadth first; -1 where unreachable)."""
    a = np.asarray(a) != 0
    dist = np.full(len(a), -1)
    dist[source] = 0
    frontier = [source]
    while frontier:
        nxt = []
        for i in frontier:
            for j in np.flatnonzero(a[i]):
                if dist[j] < 0:
                    dist[j] = dist[i] + 1
                    nxt.append(j)
        frontier = nxt
    return dist


# ---------------------------------------------------------------- two layers, trained


def gcn_forward(a_hat, x, w0, w1):
    """(logits Z, hidden H1, pre-activation P0) of Z = A_hat relu(A_hat X W0) W1."""
    p0 = a_hat @ x @ w0
    h1 = np.maximum(p0, 0.0)
    return a_hat @ h1 @ w1, h1, p0


def _softmax_rows(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def gcn_loss_and_grads(a_hat, x, w0, w1, labels, train_mask, weight_decay: float = 0.0):
    """(loss, dW0, dW1): mean cross-entropy over the labelled nodes plus weight_decay/2 ||W0||^2 (as Kipf & Welling,
    who decay the first layer only). A_hat is symmetric, so its transpose is itself."""
    a_hat, x = np.asarray(a_hat, float), np.asarray(x, float)
    labels, train_mask = np.asarray(labels), np.asarray(train_mask, dtype=bool)
    z, h1, p0 = gcn_forward(a_hat, x, w0, w1)
    probs = _softmax_rows(z)
    idx = np.flatnonzero(train_mask)
    log_probs = z - z.max(axis=1, keepdims=True)
    log_probs = log_probs - np.log(np.exp(log_probs).sum(axis=1, keepdims=True))
    loss = -float(np.mean(log_probs[idx, labels[idx]])) + 0.5 * weight_decay * float(np.sum(w0 * w0))
    dz = np.zeros_like(z)
    dz[idx] = probs[idx]
    dz[idx, labels[idx]] -= 1.0
    dz /= len(idx)
    ah1 = a_hat @ h1
    dw1 = ah1.T @ dz
    dp0 = (a_hat @ (dz @ w1.T)) * (p0 > 0)
    dw0 = (a_hat @ x).T @ dp0 + weight_decay * w0
    return loss, dw0, dw1


@dataclass
class GCNRun:
    """A trained two-layer GCN: weights, per-epoch loss and accuracy on the unlabelled nodes, final class
    probabilities (n, C) and predictions (n,), and the hidden features H1 (n, H)."""

    w0: np.ndarray
    w1: np.ndarray
    losses: np.ndarray
    accuracies: np.ndarray
    probabilities: np.ndarray
    predictions: np.ndarray
    hidden: np.ndarray


def train_gcn(a_hat, x, labels, train_mask, *, hidden: int = 4, epochs: int = 100, lr: float = 0.05,
              weight_decay: float = 5e-4, seed: int = 0) -> GCNRun:
    """Two GCN layers trained with full-batch Adam on the nodes in ``train_mask`` (Glorot-uniform start); the
    accuracy is measured on the other nodes whose label is known (label -1: unknown)."""
    a_hat, x = np.asarray(a_hat, float), np.asarray(x, float)
    labels, train_mask = np.asarray(labels), np.asarray(train_mask, dtype=bool)
    if not train_mask.any():
        raise ValueError("at least one node must be labelled")
    rng = np.random.default_rng(seed)
    classes = int(labels.max()) + 1

    def glorot(fan_in, fan_out):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, size=(fan_in, fan_out))

    params = [glorot(x.shape[1], hidden), glorot(hidden, classes)]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    test = ~train_mask & (labels >= 0)      # nodes without a label (-1) are not scored
    losses, accuracies = np.empty(epochs), np.empty(epochs)
    for epoch in range(epochs):
        loss, *grads = gcn_loss_and_grads(a_hat, x, *params, labels, train_mask, weight_decay)
        for k, grad in enumerate(grads):
            m[k] = 0.9 * m[k] + 0.1 * grad
            v[k] = 0.999 * v[k] + 0.001 * grad * grad
            params[k] -= lr * (m[k] / (1 - 0.9 ** (epoch + 1))) / (np.sqrt(v[k] / (1 - 0.999 ** (epoch + 1))) + 1e-8)
        z = gcn_forward(a_hat, x, *params)[0]
        losses[epoch] = loss
        accuracies[epoch] = float(np.mean(z[test].argmax(axis=1) == labels[test])) if test.any() else 1.0
    z, h1, _ = gcn_forward(a_hat, x, *params)
    probs = _softmax_rows(z)
    return GCNRun(w0=params[0], w1=params[1], losses=losses, accuracies=accuracies, probabilities=probs,
                  predictions=probs.argmax(axis=1), hidden=h1)


# ---------------------------------------------------------------- a picture of the graph


def spring_layout(a, iterations: int = 300, seed: int = 0, spacing: float = 1.0) -> np.ndarray:
    """(n, 2) positions in [0, 1]^2 from a seeded force-directed layout (Fruchterman & Reingold 1991):
    neighbours attract, every pair repels (``spacing`` scales the ideal distance), and the steps cool down."""
    a = np.asarray(a) != 0
    n = len(a)
    rng = np.random.default_rng(seed)
    pos = rng.random((n, 2))
    k = spacing * np.sqrt(1.0 / n)
    step = 0.1
    for _ in range(iterations):
        delta = pos[:, None, :] - pos[None, :, :]
        dist = np.maximum(np.linalg.norm(delta, axis=2), 1e-9)
        force = (k * k / dist ** 2 - a * dist / k)[:, :, None] * delta
        disp = force.sum(axis=1)
        length = np.maximum(np.linalg.norm(disp, axis=1, keepdims=True), 1e-9)
        pos += disp / length * np.minimum(length, step)
        step *= 0.985
    pos -= pos.min(axis=0)
    return pos / pos.max(axis=0)
