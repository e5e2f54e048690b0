"""Knowledge distillation (Hinton, Vinyals and Dean, 2015): a student learns from a teacher's softened outputs.

loss = alpha * T^2 * KL(softmax(teacher / T) || softmax(student / T)) + (1 - alpha) * CE(student, labels),
averaged over the batch (KL with PyTorch's reduction='batchmean'). The T^2 keeps the soft term's gradient
on the same scale as T changes: its gradient with respect to the student's logits is
alpha * T * (softmax(student / T) - softmax(teacher / T)) / N.
"""

from __future__ import annotations

import numpy as np

from .attention import masked_softmax
from .information import entropy, kl_divergence
from .losses import cross_entropy

__all__ = ["soften", "distillation_loss"]


def soften(logits, temperature):
    """softmax(logits / T) along the last axis: T > 1 lifts the small probabilities (the 'dark knowledge')."""
    return masked_softmax(np.asarray(logits, dtype=float), temperature=temperature)


def distillation_loss(student_logits, teacher_logits, labels, temperature=4.0, alpha=0.9):
    """(loss, dL/dstudent_logits, parts) for a batch: logits (N, C), labels (N,) class indices.

    parts holds the soft term alpha T^2 KL and the hard term (1 - alpha) CE separately.
    """
    s = np.asarray(student_logits, dtype=float)
    t = np.asarray(teacher_logits, dtype=float)
    if s.ndim != 2 or s.shape != t.shape:
        raise ValueError(f"student and teacher logits must both be (N, C), got {s.shape} and {t.shape}")
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")
    n = s.shape[0]
    p_student, p_teacher = soften(s, temperature), soften(t, temperature)
    kl = float(np.sum(kl_divergence(p_teacher, p_student))) / n
    hard, hard_grad = cross_entropy(s, labels)
    soft = alpha * temperature**2 * kl
    grad = alpha * temperature * (p_student - p_teacher) / n + (1.0 - alpha) * hard_grad
    return soft + (1.0 - alpha) * hard, grad, {"soft": soft, "hard": (1.0 - alpha) * hard, "kl": kl,
                                               "teacher_entropy": float(np.mean(entropy(p_teacher)))}
