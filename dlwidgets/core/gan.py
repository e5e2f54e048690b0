"""A one-dimensional GAN trained in numpy with exact gradients: minimax, non-saturating and Wasserstein.

Generator G and discriminator (or critic) D are one-hidden-layer tanh networks on the real line:
G maps noise z ~ N(0, 1) (with a one-hot label in the conditional variant) to a sample x, D maps x
(and the label) to a logit s, and D(x) = sigmoid(s) is D's probability that x is real. Losses, with
p the data and q the generator's distribution, B a batch:

* minimax (Goodfellow et al. 2014): D minimises -mean log D(x_real) - mean log(1 - D(G(z))), G
  minimises mean log(1 - D(G(z))). When D rejects the fakes confidently (D(G(z)) near 0) this
  loss is flat: G's gradient vanishes exactly when G is bad ("saturates").
* non_saturating: D as above, G minimises -mean log D(G(z)) instead: the same fixed point, strong
  gradients where D rejects the fakes.
* wgan_clip (Arjovsky et al. 2017): a critic f = s (no sigmoid) maximises mean f(real) - mean f(fake);
  its weights are clipped to [-c, c] after every step to keep it roughly Lipschitz. G minimises
  -mean f(G(z)).
* wgan_gp (Gulrajani et al. 2017): no clipping; the critic's loss adds
  lam * mean((|df/dx(x_hat)| - 1)^2) at points x_hat between real and fake samples. Its gradient
  with respect to the critic's weights is a second derivative, worked out by hand in
  ``_input_grad_and_param_grads``.

Each generator step follows k discriminator steps, every step with a fresh batch from one seeded
generator and the Adam optimiser (beta1 = 0.5, beta2 = 0.999 as DCGAN). ``train_gan`` records, every
``record_every`` generator steps, D's output over a grid of x, a histogram of G's samples for fixed
noise, G's mapping of a grid of noise values, the losses, how much of G's mass sits near each mode,
and the Jensen-Shannon divergence between the binned target and G's histogram.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "GAN_LOSSES", "GAN_TARGETS", "TARGET_MODES", "ADAM_BETAS", "GANRun", "gan_mlp_params", "gan_mlp_forward",
    "gan_mlp_backward",
    "discriminator_loss_grads", "generator_loss_grads", "target_pdf", "sample_target", "optimal_discriminator",
    "js_divergence", "gan_value_at_optimum", "binned_target", "mode_masses", "train_gan", "covers_all_modes",
]

GAN_LOSSES = ("minimax", "non_saturating", "wgan_clip", "wgan_gp")
GAN_TARGETS = ("gaussian", "mixture")
# target -> (means, standard deviation, weights)
TARGET_MODES = {
    "gaussian": ((1.5,), 0.5, (1.0,)),
    "mixture": ((-2.0, 2.0), 0.4, (0.5, 0.5)),
}
X_RANGE = (-4.5, 4.5)
# Adam's (beta1, beta2) per loss, as the papers use them: DCGAN's (0.5, 0.999) for the log losses, WGAN-GP's
# (0, 0.9) for both Wasserstein losses (WGAN with clipping used RMSprop, Adam without momentum is close to it).
ADAM_BETAS = {"minimax": (0.5, 0.999), "non_saturating": (0.5, 0.999), "wgan_clip": (0.0, 0.9), "wgan_gp": (0.0, 0.9)}


def _softplus(a):
    """log(1 + e^a) without overflow for large |a|."""
    return np.logaddexp(0.0, a)


def _sigmoid(a):
    """1 / (1 + e^-a) without overflow for large |a|."""
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


# ---------------------------------------------------------------- the data


def target_pdf(target: str, x) -> np.ndarray:
    """The target density p(x): one Gaussian, or an equal mixture of two."""
    means, std, weights = TARGET_MODES[target]
    x = np.asarray(x, dtype=float)
    return sum(w * np.exp(-0.5 * ((x - m) / std) ** 2) / (std * math.sqrt(2 * math.pi)) for m, w in zip(means, weights))


def sample_target(target: str, n: int, rng, labels=None) -> tuple[np.ndarray, np.ndarray]:
    """(x, component) for n samples of the target; ``labels`` fixes each sample's component."""
    means, std, weights = TARGET_MODES[target]
    if labels is None:   # what rng.choice(len(means), n, p=weights) does, without its checks of p each time
        cdf = np.cumsum(weights)
        comp = (cdf / cdf[-1]).searchsorted(rng.random(n), side="right")
    else:
        comp = np.asarray(labels)
    return np.asarray(means)[comp] + std * rng.standard_normal(n), comp


def binned_target(target: str, edges) -> np.ndarray:
    """Probability of each bin [edges[i], edges[i+1]) under the target (normal CDF differences)."""
    means, std, weights = TARGET_MODES[target]
    cdf = np.vectorize(lambda e: sum(w * 0.5 * (1 + math.erf((e - m) / (std * math.sqrt(2))))
                                     for m, w in zip(means, weights)))
    return np.diff(cdf(np.asarray(edges, dtype=float)))


def mode_masses(target: str, samples) -> np.ndarray:
    """Fraction of ``samples`` within 3 standard deviations of each of the target's modes."""
    means, std, _ = TARGET_MODES[target]
    samples = np.asarray(samples, dtype=float)
    return np.array([np.mean(np.abs(samples - m) <= 3 * std) for m in means])


def covers_all_modes(masses, at_least: float = 0.25) -> bool:
    """Whether every mode holds at least ``at_least`` of the generator's samples."""
    return bool(np.min(masses) >= at_least)


# ---------------------------------------------------------------- the optimum, in closed form


def optimal_discriminator(p_data, p_g):
    """D*(x) = p_data(x) / (p_data(x) + p_g(x)): the best discriminator for a fixed generator (0.5 where both
    densities are 0: there any answer is as good)."""
    p_data, p_g = np.asarray(p_data, dtype=float), np.asarray(p_g, dtype=float)
    total = p_data + p_g
    out = np.divide(p_data, total, out=np.full(np.broadcast(p_data, p_g).shape, 0.5), where=total > 0)
    return out if out.ndim else float(out)


def js_divergence(p, q) -> float:
    """Jensen-Shannon divergence of two discrete distributions, in nats (0 <= JS <= log 2)."""
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    p, q = p / p.sum(), q / q.sum()
    m = (p + q) / 2

    def kl(a):
        keep = a > 0
        return float(np.sum(a[keep] * np.log(a[keep] / m[keep])))

    return 0.5 * kl(p) + 0.5 * kl(q)


def gan_value_at_optimum(p, q) -> float:
    """V(G, D*) = E_p log D* + E_q log(1 - D*) = -log 4 + 2 JS(p, q), for discrete p and q."""
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    p, q = p / p.sum(), q / q.sum()
    d = optimal_discriminator(p, q)
    real, fake = p > 0, q > 0           # log D* is finite where p > 0, log(1 - D*) where q > 0
    return float(np.sum(p[real] * np.log(d[real])) + np.sum(q[fake] * np.log(1 - d[fake])))


# ---------------------------------------------------------------- one small network, forward and backward


def gan_mlp_params(d_in: int, hidden: int, rng, scale: float = 1.0) -> dict:
    """Weights of s = w2 . tanh(W1 u + b1) + b2 for inputs u of size d_in (W1 ~ N(0, scale^2))."""
    return {"W1": scale * rng.standard_normal((hidden, d_in)), "b1": scale * rng.standard_normal(hidden),
            "w2": rng.standard_normal(hidden) / math.sqrt(hidden), "b2": np.zeros(())}


def gan_mlp_forward(p: dict, u) -> tuple[np.ndarray, np.ndarray]:
    """(s, t): outputs (B,) for inputs u (B, d_in), and the hidden activations t (B, H)."""
    t = np.tanh(u @ p["W1"].T + p["b1"])
    return t @ p["w2"] + p["b2"], t


def gan_mlp_backward(p: dict, u, t, ds) -> tuple[dict, np.ndarray]:
    """(grads, du): gradients of a loss with dL/ds = ds (B,) for the weights and the inputs."""
    da = ds[:, None] * p["w2"] * (1 - t * t)
    grads = {"W1": da.T @ u, "b1": da.sum(axis=0), "w2": t.T @ ds, "b2": np.asarray(ds.sum())}
    return grads, da @ p["W1"]


def _input_slope(p: dict, u):
    """(g, t, sech2): g = ds/dx (B,) at inputs u (x in column 0), with the hidden t = tanh(a) and 1 - t^2.
    With a = W1 u + b1 and v = W1[:, 0]: g = sum_j w2_j v_j (1 - t_j^2)."""
    t = np.tanh(u @ p["W1"].T + p["b1"])
    sech2 = 1 - t * t
    return sech2 @ (p["w2"] * p["W1"][:, 0]), t, sech2


def _slope_param_grads(p: dict, u, t, sech2, dpen) -> dict:
    """Gradients of sum(dpen * g) for the weights, g the slope of ``_input_slope``; d(1 - t^2)/da = -2 t (1 - t^2)."""
    v = p["W1"][:, 0]
    inner = dpen[:, None] * (p["w2"] * v) * (-2 * t * sech2)          # d(sum dpen g)/da, (B, H)
    weighted = dpen @ sech2
    grad_W1 = inner.T @ u
    grad_W1[:, 0] += weighted * p["w2"]                                 # the v_j inside g itself
    return {"W1": grad_W1, "b1": inner.sum(axis=0), "w2": weighted * v, "b2": np.zeros(())}


def _with_labels(x, onehot):
    return x[:, None] if onehot is None else np.column_stack([x, onehot])


def discriminator_loss_grads(loss: str, d: dict, real, fake, onehot=None, *, gp_weight: float = 1.0,
                             mix=None) -> tuple[float, dict]:
    """(loss, gradients for D's weights) of D's (or the critic's) loss on a batch.

    ``mix`` (B,) in [0, 1] places WGAN-GP's x_hat = mix * real + (1 - mix) * fake; ``onehot`` (B, C) is the
    label of both batches in the conditional variant.
    """
    real, fake = np.asarray(real, dtype=float), np.asarray(fake, dtype=float)
    b = len(real)
    u = _with_labels(np.concatenate([real, fake]), None if onehot is None else np.vstack([onehot, onehot]))
    s, t = gan_mlp_forward(d, u)                     # real and fake in one pass: rows :b and b:
    s_real, s_fake = s[:b], s[b:]
    if loss in ("minimax", "non_saturating"):
        value = float(np.mean(_softplus(-s_real)) + np.mean(_softplus(s_fake)))
        ds = np.concatenate([(_sigmoid(s_real) - 1) / b, _sigmoid(s_fake) / b])
    elif loss in ("wgan_clip", "wgan_gp"):
        value = float(np.mean(s_fake) - np.mean(s_real))
        ds = np.concatenate([np.full(b, -1.0 / b), np.full(b, 1.0 / b)])
    else:
        raise ValueError(f"loss must be one of {', '.join(GAN_LOSSES)}, got {loss!r}")
    grads, _ = gan_mlp_backward(d, u, t, ds)
    if loss == "wgan_gp":
        mix = np.asarray(mix, dtype=float)
        u_hat = _with_labels(mix * real + (1 - mix) * fake, onehot)
        g, t_hat, sech2 = _input_slope(d, u_hat)
        value += gp_weight * float(np.mean((np.abs(g) - 1) ** 2))
        dpen = gp_weight * 2 * (np.abs(g) - 1) * np.sign(g) / b
        pen = _slope_param_grads(d, u_hat, t_hat, sech2, dpen)
        grads = {k: grads[k] + pen[k] for k in d}
    return value, grads


def generator_loss_grads(loss: str, g: dict, d: dict, z, onehot=None) -> tuple[float, dict, np.ndarray]:
    """(loss, gradients for G's weights, the fake samples) of G's loss for noise z (B,)."""
    z = np.asarray(z, dtype=float)
    u_g = _with_labels(z, onehot)
    fake, t_g = gan_mlp_forward(g, u_g)
    u_d = _with_labels(fake, onehot)
    s, t_d = gan_mlp_forward(d, u_d)
    b = len(z)
    if loss == "minimax":
        value, ds = -float(np.mean(_softplus(s))), -_sigmoid(s) / b          # mean log(1 - D)
    elif loss == "non_saturating":
        value, ds = float(np.mean(_softplus(-s))), (_sigmoid(s) - 1) / b     # -mean log D
    elif loss in ("wgan_clip", "wgan_gp"):
        value, ds = -float(np.mean(s)), np.full(b, -1.0 / b)
    else:
        raise ValueError(f"loss must be one of {', '.join(GAN_LOSSES)}, got {loss!r}")
    _, du = gan_mlp_backward(d, u_d, t_d, ds)
    grads, _ = gan_mlp_backward(g, u_g, t_g, du[:, 0])
    return value, grads, fake


# ---------------------------------------------------------------- training


_ORDER = ("W1", "b1", "w2", "b2")


def _flat(params: dict) -> tuple[np.ndarray, dict]:
    """(flat, views): the weights copied into one flat array, and a dict of views into it by name, so that
    an optimiser updates every weight with a handful of operations on one array."""
    flat = np.concatenate([np.ravel(params[k]) for k in _ORDER])
    views, start = {}, 0
    for k in _ORDER:
        size = np.size(params[k])
        views[k] = flat[start:start + size].reshape(np.shape(params[k]))
        start += size
    return flat, views


class _Adam:
    """Adam (Kingma & Ba 2015) on one flat array of weights, updated in place."""

    def __init__(self, flat: np.ndarray, lr: float, beta1: float = 0.5, beta2: float = 0.999, eps: float = 1e-8):
        self.p, self.lr, self.b1, self.b2, self.eps, self.t = flat, lr, beta1, beta2, eps, 0
        self.m, self.v = np.zeros_like(flat), np.zeros_like(flat)

    def step(self, grads: dict) -> None:
        grad = np.concatenate([np.ravel(grads[k]) for k in _ORDER])
        self.t += 1
        c1, c2 = 1 - self.b1 ** self.t, 1 - self.b2 ** self.t
        self.m *= self.b1
        self.m += (1 - self.b1) * grad
        self.v *= self.b2
        self.v += (1 - self.b2) * grad * grad
        self.p -= self.lr * (self.m / c1) / (np.sqrt(self.v / c2) + self.eps)


@dataclass
class GANRun:
    """A whole training run, recorded every ``record_every`` generator steps (F frames, frame 0 = start).

    x_grid (X,) and d_curve (F, X): D(x) (the critic's f(x) for WGAN losses); edges (N+1,), real_hist (N,)
    and fake_hist (F, N): probability per bin of the target and of G's samples for fixed noise; z_grid (Z,)
    and g_map (F, Z): G(z); steps (F,): generator steps done; d_loss, g_loss (S,): per generator step;
    masses (F, M): fraction of G's samples near each mode; js (F,): JS(target bins, G's bins).
    """

    target: str
    loss: str
    x_grid: np.ndarray
    d_curve: np.ndarray
    edges: np.ndarray
    real_hist: np.ndarray
    fake_hist: np.ndarray
    z_grid: np.ndarray
    g_map: np.ndarray
    steps: np.ndarray
    d_loss: np.ndarray
    g_loss: np.ndarray
    masses: np.ndarray
    js: np.ndarray
    generator: dict
    discriminator: dict


def _check_settings(loss, target, steps, d_steps, lr_g, lr_d, batch, hidden, record_every, clip):
    if loss not in GAN_LOSSES:
        raise ValueError(f"loss must be one of {', '.join(GAN_LOSSES)}, got {loss!r}")
    if target not in GAN_TARGETS:
        raise ValueError(f"target must be one of {', '.join(GAN_TARGETS)}, got {target!r}")
    for name, value, lo in (("steps", steps, 1), ("d_steps", d_steps, 1), ("batch", batch, 2), ("hidden", hidden, 1),
                            ("record_every", record_every, 1)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < lo:
            raise ValueError(f"{name} must be a whole number >= {lo}, got {value!r}")
    for name, value in (("lr_g", lr_g), ("lr_d", lr_d), ("clip", clip)):
        if not (isinstance(value, (int, float, np.integer, np.floating)) and math.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be a positive number, got {value!r}")


def train_gan(loss: str = "non_saturating", target: str = "mixture", *, steps: int = 300, d_steps: int = 1,
              lr_g: float = 0.01, lr_d: float = 0.01, batch: int = 64, hidden: int = 16, seed: int = 0,
              record_every: int = 5, clip: float = 0.1, gp_weight: float = 1.0, conditional: bool = False,
              grid_points: int = 121, bins: int = 60, fixed_noise: int = 1000) -> GANRun:
    """Train G and D from one seeded start for ``steps`` generator steps, each after ``d_steps`` D steps.

    ``conditional`` feeds the mixture component (one-hot) to G with the noise and to D with x; G's histogram
    then uses half the fixed noise with each label.
    """
    _check_settings(loss, target, steps, d_steps, lr_g, lr_d, batch, hidden, record_every, clip)
    rng = np.random.default_rng(seed)
    n_modes = len(TARGET_MODES[target][0])
    c = n_modes if conditional else 0
    g = gan_mlp_params(1 + c, hidden, rng, scale=1.0)
    g["w2"] *= 0.3                                    # start narrow, near 0: G has to travel to the data
    d = gan_mlp_params(1 + c, hidden, rng, scale=1.0)
    (g_flat, g), (d_flat, d) = _flat(g), _flat(d)
    if loss == "wgan_clip":
        np.clip(d_flat, -clip, clip, out=d_flat)
    betas = ADAM_BETAS[loss]
    opt_g, opt_d = _Adam(g_flat, lr_g, *betas), _Adam(d_flat, lr_d, *betas)
    eye = np.eye(c) if c else None

    x_grid = np.linspace(*X_RANGE, grid_points)
    edges = np.linspace(*X_RANGE, bins + 1)
    real_hist = binned_target(target, edges)
    z_fixed = np.random.default_rng(seed + 10_000).standard_normal(fixed_noise)
    label_fixed = np.arange(fixed_noise) % n_modes if c else None
    z_grid = np.linspace(-2.5, 2.5, 41)

    frames = {"steps": [], "d_curve": [], "fake_hist": [], "g_map": [], "masses": [], "js": []}

    def record(step):
        oh_grid = None if not c else np.tile(np.full(c, 1.0 / c), (len(x_grid), 1))
        s, _ = gan_mlp_forward(d, _with_labels(x_grid, oh_grid))
        curve = s if loss.startswith("wgan") else _sigmoid(s)
        fake, _ = gan_mlp_forward(g, _with_labels(z_fixed, None if not c else eye[label_fixed]))
        hist = np.histogram(np.clip(fake, edges[0], edges[-1]), bins=edges)[0] / len(fake)
        oh_z = None if not c else np.tile(np.full(c, 1.0 / c), (len(z_grid), 1))
        gz, _ = gan_mlp_forward(g, _with_labels(z_grid, oh_z))
        frames["steps"].append(step)
        frames["d_curve"].append(curve)
        frames["fake_hist"].append(hist)
        frames["g_map"].append(gz)
        frames["masses"].append(mode_masses(target, fake))
        frames["js"].append(js_divergence(real_hist, hist))

    d_losses, g_losses = np.empty(steps), np.empty(steps)
    record(0)
    for step in range(1, steps + 1):
        for _ in range(d_steps):
            labels = rng.integers(n_modes, size=batch) if c else None
            real, _ = sample_target(target, batch, rng, labels=labels)
            onehot = eye[labels] if c else None
            fake, _ = gan_mlp_forward(g, _with_labels(rng.standard_normal(batch), onehot))
            mix = rng.random(batch) if loss == "wgan_gp" else None
            value, grads = discriminator_loss_grads(loss, d, real, fake, onehot, gp_weight=gp_weight, mix=mix)
            opt_d.step(grads)
            if loss == "wgan_clip":
                np.clip(d_flat, -clip, clip, out=d_flat)
        labels = rng.integers(n_modes, size=batch) if c else None
        value_g, grads_g, _ = generator_loss_grads(loss, g, d, rng.standard_normal(batch), eye[labels] if c else None)
        opt_g.step(grads_g)
        d_losses[step - 1], g_losses[step - 1] = value, value_g
        if step % record_every == 0 or step == steps:
            record(step)

    return GANRun(target=target, loss=loss, x_grid=x_grid, d_curve=np.array(frames["d_curve"]), edges=edges,
                  real_hist=real_hist, fake_hist=np.array(frames["fake_hist"]), z_grid=z_grid,
                  g_map=np.array(frames["g_map"]), steps=np.array(frames["steps"]), d_loss=d_losses, g_loss=g_losses,
                  masses=np.array(frames["masses"]), js=np.array(frames["js"]), generator=g, discriminator=d)
