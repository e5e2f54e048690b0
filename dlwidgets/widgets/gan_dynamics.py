"""GAN dynamics: a generator and a discriminator trained against each other on the real line.

Python trains the whole run once per setting with dlwidgets.core (``train_gan``: seeded, exact
gradients) and sends every recorded frame in one dict; the browser plays, pauses, steps and scrubs
through the frames: the data's density, a histogram of the generator's samples, the discriminator's
curve D(x) (the critic f(x), rescaled, for the Wasserstein losses), the best discriminator
D* = p_data / (p_data + p_g) against the samples shown (dashed), the generator's mapping of noise
values z to samples x, and the losses per step. On the two-mode target, mode collapse shows as
the whole histogram sitting on one mode.
"""

from __future__ import annotations

import pathlib

import numpy as np
import traitlets

from ..core import (GAN_LOSSES, GAN_TARGETS, TARGET_MODES, covers_all_modes, optimal_discriminator, target_pdf,
                    train_gan)
from ._base import CourseWidget, Setting, choice, front_end, seed_number, whole_number

__all__ = ["GANDynamics", "LEARNING_RATES", "GAN_LIMITS", "GAN_PALETTE"]

LEARNING_RATES = (0.001, 0.003, 0.01, 0.03)
GAN_LIMITS = {"d_steps": (1, 5), "steps": (50, 600), "seed": (0, 99)}
RECORD_EVERY = 5
GAN_PALETTE = {"real": "#009E73", "fake": "#CC79A7", "d": "#0072B2", "g_loss": "#D55E00", "d_loss": "#0072B2",
               "map": "#E69F00", "text": "#000000", "grid": "#BBBBBB"}
LOSS_NAMES = {"minimax": "minimax", "non_saturating": "non-saturating", "wgan_clip": "WGAN (clipping)",
              "wgan_gp": "WGAN-GP"}


_RATE_LABELS = {"lr_g": "the generator's learning rate lr_g", "lr_d": "the discriminator's learning rate lr_d"}


def _learning_rate(name, value) -> float:
    """value if it is one of LEARNING_RATES (as a number), else a ValueError listing them."""
    allowed = ", ".join(map(str, LEARNING_RATES))
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{_RATE_LABELS[name]} must be a number, one of {allowed}; got {value!r}")
    for rate in LEARNING_RATES:
        if abs(float(value) - rate) <= 1e-12:
            return rate
    # the number as a float: 1 and 1.0 are one setting here, with one message (see CourseWidget._key)
    raise ValueError(f"{_RATE_LABELS[name]} must be one of {allowed}, got {float(value)!r}")


def _rounded(array, digits: int = 4) -> list:
    return np.round(np.asarray(array, dtype=float), digits).tolist()


MASS_SHOWN = 1e-3


def _optimal_per_bin(real_hist, fake_hist) -> list:
    """D* = p / (p + q) per bin and frame, rounded, or None where p + q < MASS_SHOWN."""
    d_star = np.round(optimal_discriminator(real_hist[None, :], fake_hist), 3)
    shown = real_hist[None, :] + fake_hist >= MASS_SHOWN
    return [[float(d) if keep else None for d, keep in zip(row, mask)] for row, mask in zip(d_star, shown)]


class GANDynamics(CourseWidget):
    """A 1-D GAN's training, frame by frame: densities, D's curve, G's mapping and the losses."""

    _esm = front_end("gan_dynamics.js")
    _css = pathlib.Path(__file__).with_name("gan_dynamics.css")

    loss = Setting("non_saturating", help="minimax, non_saturating, wgan_clip or wgan_gp").tag(sync=True)
    target = Setting("mixture", help="The data: one Gaussian, or two equal Gaussians at -2 and 2").tag(sync=True)
    lr_g = Setting(0.003, help="The generator's Adam learning rate").tag(sync=True)
    lr_d = Setting(0.01, help="The discriminator's (critic's) Adam learning rate").tag(sync=True)
    d_steps = Setting(3, help="k: discriminator steps per generator step").tag(sync=True)
    steps = Setting(300, help="Generator steps to train for").tag(sync=True)
    seed = Setting(0, help="Seed of the starting weights and of every batch").tag(sync=True)
    frame = traitlets.Int(0, help="Frame shown (0 = before training); the browser advances it while playing"
                          ).tag(sync=True)
    playing = traitlets.Bool(False, help="Whether the browser is playing the training").tag(sync=True)
    speed = traitlets.Float(20.0, help="Playback speed, frames per second").tag(sync=True)

    _SETTINGS = ("loss", "target", "lr_g", "lr_d", "d_steps", "steps", "seed")
    _DISPLAY_TRAITS = ("frame",)
    _FIGSIZE = (10, 3.6)

    # ------------------------------------------------------------ driving from code
    def frames(self) -> int:
        """How many frames the run has (one every 5 generator steps, and the start)."""
        return len(self.view.get("steps", [])) or 1

    def step_forward(self) -> int:
        """Show the next frame (wrapping to 0 after the last); returns it."""
        self.playing = False
        self.frame = 0 if self.frame >= self.frames() - 1 else self.frame + 1
        return self.frame

    def step_back(self) -> int:
        """Show the previous frame (wrapping to the last before 0); returns it."""
        self.playing = False
        self.frame = self.frames() - 1 if self.frame <= 0 else self.frame - 1
        return self.frame

    def scrub(self, frame: int) -> int:
        """Show ``frame`` (negative counts from the end, -1 = the last); returns the frame shown."""
        total = self.frames()
        if not -total <= frame < total:
            raise ValueError(f"frame must be between {-total} and {total - 1}, got {frame}")
        self.playing = False
        self.frame = frame % total
        return self.frame

    def play(self) -> None:
        """Start playback in the browser (from the start if at the end)."""
        if self.frame >= self.frames() - 1:
            self.frame = 0
        self.playing = True

    def pause(self) -> None:
        """Stop playback; the browser reports the frame it stopped at."""
        self.playing = False

    def mode_masses(self, frame: int = -1) -> list:
        """Fraction of the generator's samples near each mode of the data at ``frame`` (default: the end)."""
        return self.view.get("masses", [[]])[frame]

    # ------------------------------------------------------------ the model
    def _compute(self, s) -> dict:
        loss = choice("loss", s.loss, GAN_LOSSES)
        target = choice("target", s.target, GAN_TARGETS)
        lr_g, lr_d = _learning_rate("lr_g", s.lr_g), _learning_rate("lr_d", s.lr_d)
        d_steps = whole_number("d_steps", s.d_steps, *GAN_LIMITS["d_steps"], label="k (D steps per G step)")
        steps = whole_number("steps", s.steps, *GAN_LIMITS["steps"])
        seed = seed_number(s.seed, GAN_LIMITS["seed"][1])
        run = train_gan(loss, target, steps=steps, d_steps=d_steps, lr_g=lr_g, lr_d=lr_d, seed=seed,
                        record_every=RECORD_EVERY)
        width = float(run.edges[1] - run.edges[0])
        wgan = loss.startswith("wgan")
        masses = run.masses
        return {
            "loss": loss, "target": target, "lr_g": lr_g, "lr_d": lr_d, "d_steps": d_steps, "total_steps": steps,
            "seed": seed, "wgan": wgan, "loss_name": LOSS_NAMES[loss],
            "modes": list(TARGET_MODES[target][0]),
            "x": _rounded(run.x_grid), "real_pdf": _rounded(target_pdf(target, run.x_grid)),
            "edges": _rounded(run.edges), "fake_density": _rounded(run.fake_hist / width),
            "d_curve": _rounded(run.d_curve), "z": _rounded(run.z_grid), "g_map": _rounded(run.g_map),
            # the best discriminator against each frame's samples, bin by bin: p_data / (p_data + p_g); None where
            # neither has a sample in a thousand (there any answer is as good, and it would only draw noise)
            "d_star": _optimal_per_bin(run.real_hist, run.fake_hist),
            "steps": run.steps.tolist(), "d_loss": _rounded(run.d_loss), "g_loss": _rounded(run.g_loss),
            "masses": _rounded(masses, 3), "js": _rounded(run.js),
            "covers": covers_all_modes(masses[-1]) if len(masses[-1]) > 1 else bool(masses[-1][0] > 0.5),
        }

    def _on_new_view(self) -> None:
        if self.error:
            self.playing = False
        else:
            self.frame = min(max(self.frame, 0), len(self.view["steps"]) - 1)

    # ------------------------------------------------------------ readable without a kernel
    def _title(self) -> str:
        return "GAN dynamics"

    def describe(self) -> str:
        """What the frame shown now holds (the frame changes without a new view)."""
        if self.error or not self.view:
            return super().describe()
        return self._describe(self.view)

    def _describe(self, v: dict) -> str:
        f = min(self.frame, len(v["steps"]) - 1)
        masses = ", ".join(f"{m:.0%} near {mode:g}" for m, mode in zip(v["masses"][f], v["modes"]))
        end = ", ".join(f"{m:.0%}" for m in v["masses"][-1])
        return (f"GAN dynamics: {v['loss_name']} loss on the {v['target']} target, learning rates G {v['lr_g']:g} and "
                f"D {v['lr_d']:g}, k = {v['d_steps']} D steps per G step, seed {v['seed']}. Shown: generator step "
                f"{v['steps'][f]} of {v['total_steps']}, generator samples {masses}, JS divergence {v['js'][f]:.3f} "
                f"nats. At the end: {end} of the samples per mode, JS {v['js'][-1]:.3f}"
                + (" (both modes covered)." if v["covers"] and len(v["modes"]) > 1 else "."))

    def _draw_figure(self, fig, v: dict) -> None:
        """The frame shown: densities and D's curve; the losses over the whole run."""
        f = min(self.frame, len(v["steps"]) - 1)
        left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
        x = np.array(v["x"])
        left.fill_between(x, v["real_pdf"], color=GAN_PALETTE["real"], alpha=0.35, label="data p(x)")
        left.stairs(v["fake_density"][f], v["edges"], color=GAN_PALETTE["fake"], linewidth=2,
                    label="generator's samples")
        curve = np.array(v["d_curve"][f])
        if v["wgan"]:
            span = max(curve.max() - curve.min(), 1e-12)
            curve = (curve - curve.min()) / span
        twin = left.twinx()
        twin.plot(x, curve, color=GAN_PALETTE["d"], linewidth=1.5)
        if not v["wgan"]:
            d_star = np.array([np.nan if d is None else d for d in v["d_star"][f]])
            twin.stairs(d_star, v["edges"], color=GAN_PALETTE["d"], linewidth=1, linestyle="--", baseline=None)
        twin.set_ylim(-0.02, 1.02)
        twin.set_ylabel("critic f(x), rescaled" if v["wgan"] else "D(x)", color=GAN_PALETTE["d"])
        left.set_xlabel("x")
        left.set_title(f"{v['loss_name']}, step {v['steps'][f]}: JS {v['js'][f]:.3f}", fontsize=10)
        left.legend(fontsize=8, loc="upper left")
        t = np.arange(1, len(v["d_loss"]) + 1)
        right.plot(t, v["d_loss"], color=GAN_PALETTE["d_loss"], label="D loss")
        right.plot(t, v["g_loss"], color=GAN_PALETTE["g_loss"], label="G loss")
        right.axvline(v["steps"][f], color=GAN_PALETTE["text"], linewidth=1)
        right.set_xlabel("generator step")
        right.set_title("losses per step", fontsize=10)
        right.legend(fontsize=8)
        fig.tight_layout()
