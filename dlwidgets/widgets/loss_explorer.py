"""Loss explorer: MSE against cross-entropy on a sigmoid output, softmax temperature, entropy and KL.

Three panels over dlwidgets.core: the gradient a sigmoid output's logit gets under each loss as the
logit moves (with the saturated-but-wrong region marked), softmax(logits / T) with its entropy, and
two distributions p and q the learner shapes, with H(p), H(p, q) and both KL divergences, to show
that KL is not symmetric.
"""

from __future__ import annotations

import pathlib

import numpy as np
import traitlets

from ..core import (DIVERGENCE_BINS, binned_distribution, cross_entropy_of, entropy, kl_divergence, masked_softmax,
                    saturated_and_wrong, sigmoid, sigmoid_cross_entropy_grad, sigmoid_mse_grad)
from ._base import CourseWidget, Setting, choice, front_end, real_number, whole_number

__all__ = ["LossExplorer", "LOSS_PANELS", "DEFAULT_LOGITS", "DIVERGENCE_BINS", "SATURATION"]

LOSS_PANELS = ("gradient", "temperature", "divergence")
DEFAULT_LOGITS = (2.0, 1.0, 0.5, -1.0, -2.0)
SATURATION = 0.05          # sigmoid'(z) below this counts as saturated
Z_RANGE = 10.0
CURVE_POINTS = 201
LIMITS = {"logit": (-Z_RANGE, Z_RANGE), "temperature": (0.05, 20.0), "p_centre": (0.0, DIVERGENCE_BINS - 1.0),
          "q_centre": (0.0, DIVERGENCE_BINS - 1.0), "p_width": (0.3, 6.0), "q_width": (0.3, 6.0)}


def _logit_list(logits) -> np.ndarray:
    if isinstance(logits, str) or not isinstance(logits, (list, tuple, np.ndarray)):
        raise ValueError(f"logits must be a list of numbers such as [2, 1, 0.5], got {logits!r}")
    if not 2 <= len(logits) <= 10:
        raise ValueError(f"give between 2 and 10 logits, got {len(logits)}")
    values = [real_number("logits", v, -50.0, 50.0, label="each logit") for v in logits]
    return np.array(values, dtype=float)


class LossExplorer(CourseWidget):
    """Why cross-entropy beats MSE after a sigmoid; softmax temperature; entropy, cross-entropy and KL."""

    _esm = front_end("loss_explorer.js")
    _css = pathlib.Path(__file__).with_name("loss_explorer.css")

    panel = Setting("gradient", help="'gradient' (MSE vs CE), 'temperature' (softmax) or 'divergence' (H and KL)"
                    ).tag(sync=True)
    logit = Setting(-4.0, help="Gradient panel: the output's logit z; the prediction is sigmoid(z)").tag(sync=True)
    target = Setting(1, help="Gradient panel: the label y, 0 or 1").tag(sync=True)
    logits = Setting(help="Temperature panel: the logits, a list of 2 to 10 numbers").tag(sync=True)
    temperature = Setting(1.0, help="Temperature panel: softmax(logits / T)").tag(sync=True)
    p_centre = Setting(3.0, help="Divergence panel: where p peaks (outcome 0 to 8)").tag(sync=True)
    p_width = Setting(0.8, help="Divergence panel: how spread out p is").tag(sync=True)
    q_centre = Setting(4.0, help="Divergence panel: where q peaks").tag(sync=True)
    q_width = Setting(2.5, help="Divergence panel: how spread out q is").tag(sync=True)

    _SETTINGS = ("panel", "logit", "target", "logits", "temperature", "p_centre", "p_width", "q_centre", "q_width")
    _FIGSIZE = (9, 3.6)

    @traitlets.default("logits")
    def _default_logits(self):
        return list(DEFAULT_LOGITS)   # a list of its own for every widget

    # ------------------------------------------------------------ the model
    def _compute(self, s) -> dict:
        choice("panel", s.panel, LOSS_PANELS)
        v = {name: real_number(name, getattr(s, name), *LIMITS[name], label=name.replace("_", " ")) for name in LIMITS}
        target = whole_number("target", s.target, 0, 1, label="target y")
        logits = _logit_list(s.logits)
        if s.panel == "gradient":
            return self._gradient_view(v["logit"], target)
        if s.panel == "temperature":
            return self._temperature_view(logits, v["temperature"])
        return self._divergence_view(v)

    def _gradient_view(self, z, y) -> dict:
        grid = np.linspace(-Z_RANGE, Z_RANGE, CURVE_POINTS)
        wrong = saturated_and_wrong(grid, y, SATURATION)
        edges = np.flatnonzero(np.diff(np.r_[0, wrong.astype(int), 0]))
        regions = [[float(grid[a]), float(grid[b - 1])] for a, b in zip(edges[::2], edges[1::2])]
        mse, ce = float(sigmoid_mse_grad(z, y)), float(sigmoid_cross_entropy_grad(z, y))
        return {
            "panel": "gradient", "logit": z, "target": y, "prediction": float(sigmoid(z)),
            "grid": grid.tolist(), "sigmoid": sigmoid(grid).tolist(),
            "mse_grad": sigmoid_mse_grad(grid, y).tolist(), "ce_grad": sigmoid_cross_entropy_grad(grid, y).tolist(),
            "mse": mse, "ce": ce, "ratio": abs(ce) / abs(mse) if mse else float("inf"),
            "regions": regions, "in_region": bool(saturated_and_wrong(np.array([z]), y, SATURATION)[0]),
            "saturation": SATURATION,
        }

    def _temperature_view(self, logits, temperature) -> dict:
        probs = masked_softmax(logits, temperature=temperature)
        plain = masked_softmax(logits)
        return {
            "panel": "temperature", "logits": logits.tolist(), "temperature": temperature,
            "probs": probs.tolist(), "plain": plain.tolist(),
            "entropy": float(entropy(probs)), "max_entropy": float(np.log(len(logits))),
            "top": float(probs.max()),
        }

    def _divergence_view(self, v) -> dict:
        p = binned_distribution(DIVERGENCE_BINS, v["p_centre"], v["p_width"])
        q = binned_distribution(DIVERGENCE_BINS, v["q_centre"], v["q_width"])
        return {
            "panel": "divergence", "p": p.tolist(), "q": q.tolist(),
            "H_p": float(entropy(p)), "H_q": float(entropy(q)),
            "H_pq": float(cross_entropy_of(p, q)), "H_qp": float(cross_entropy_of(q, p)),
            "KL_pq": float(kl_divergence(p, q)), "KL_qp": float(kl_divergence(q, p)),
            **{name: v[name] for name in ("p_centre", "p_width", "q_centre", "q_width")},
        }

    # ------------------------------------------------------------ driving from code
    def gradients(self) -> tuple[float, float]:
        """(MSE's, cross-entropy's) gradient with respect to the logit at the current setting."""
        return self.view["mse"], self.view["ce"]

    # ------------------------------------------------------------ readable without a kernel
    def _title(self) -> str:
        return "Loss explorer"

    def _describe(self, v: dict) -> str:
        if v["panel"] == "gradient":
            where = (" This is the saturated-but-wrong region: the prediction is on the wrong side and the sigmoid "
                     "is flat, so MSE barely moves the logit." if v["in_region"] else "")
            return (f"Loss explorer, gradient panel: logit z = {v['logit']:g}, label y = {v['target']}, prediction "
                    f"sigmoid(z) = {v['prediction']:.4f}. dL/dz under MSE is {v['mse']:.4g}, under cross-entropy "
                    f"{v['ce']:.4g} ({v['ratio']:.3g} times as large).{where}")
        if v["panel"] == "temperature":
            probs = ", ".join(f"{p:.3f}" for p in v["probs"])
            return (f"Loss explorer, temperature panel: softmax of logits {v['logits']} at T = {v['temperature']:g} "
                    f"gives [{probs}], entropy {v['entropy']:.3f} nats (uniform: {v['max_entropy']:.3f}).")
        return (f"Loss explorer, divergence panel: H(p) = {v['H_p']:.3f}, H(q) = {v['H_q']:.3f}, H(p, q) = "
                f"{v['H_pq']:.3f} nats; KL(p || q) = {v['KL_pq']:.3f} but KL(q || p) = {v['KL_qp']:.3f}.")

    def _draw_figure(self, fig, v: dict) -> None:
        ax = fig.add_subplot()
        if v["panel"] == "gradient":
            grid = np.array(v["grid"])
            for a, b in v["regions"]:
                ax.axvspan(a, b, color="#D55E00", alpha=0.12, lw=0)
            ax.plot(grid, v["mse_grad"], color="#E69F00", lw=2, label="MSE: 2(σ−y)σ'")
            ax.plot(grid, v["ce_grad"], color="#0072B2", lw=2, ls="--", label="cross-entropy: σ−y")
            ax.plot(grid, v["sigmoid"], color="#999999", lw=1, label="σ(z)")
            ax.axvline(v["logit"], color="#000000", lw=1)
            ax.set_xlabel("logit z"); ax.set_ylabel("dL/dz")
            ax.set_title(f"y = {v['target']}: at z = {v['logit']:g}, MSE {v['mse']:.3g}, CE {v['ce']:.3g} "
                         "(shaded: saturated and wrong)", fontsize=10)
            ax.legend(fontsize=8, loc="best")
        elif v["panel"] == "temperature":
            k = np.arange(len(v["probs"]))
            ax.bar(k - 0.2, v["plain"], 0.4, color="#BBBBBB", label="T = 1")
            ax.bar(k + 0.2, v["probs"], 0.4, color="#0072B2", label=f"T = {v['temperature']:g}")
            ax.set_xticks(k, [f"{z:g}" for z in v["logits"]]); ax.set_xlabel("logit"); ax.set_ylabel("probability")
            ax.set_title(f"softmax(z / T), entropy {v['entropy']:.3f} nats", fontsize=10)
            ax.legend(fontsize=8)
        else:
            k = np.arange(len(v["p"]))
            ax.bar(k - 0.2, v["p"], 0.4, color="#0072B2", label="p")
            ax.bar(k + 0.2, v["q"], 0.4, color="#E69F00", label="q", hatch="//")
            ax.set_xlabel("outcome"); ax.set_ylabel("probability")
            ax.set_title(f"KL(p‖q) = {v['KL_pq']:.3f}, KL(q‖p) = {v['KL_qp']:.3f}, H(p) = {v['H_p']:.3f}, "
                         f"H(p,q) = {v['H_pq']:.3f}", fontsize=10)
            ax.legend(fontsize=8)
        fig.tight_layout()
