"""Learning-rate schedules: the step size as a function of the training step.

Pass one as ``learning_rate`` to any optimizer: ``RMSprop(ExponentialDecay(1e-3, 1000, 0.9))``.
"Step decay" (divide the rate every N steps) is ``ExponentialDecay(..., staircase=True)``
or, for arbitrary steps, ``PiecewiseConstantDecay``.
"""

from __future__ import annotations

import math


class LearningRateSchedule:
    """Base class: ``schedule(step) -> learning rate`` (a Python float)."""

    def __call__(self, step: int) -> float:
        raise NotImplementedError

    def get_config(self) -> dict:
        raise NotImplementedError

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)


def _positive(name: str, value, what: str) -> None:
    if not value > 0:
        raise ValueError(f"{name}: {what} must be > 0, got {value!r}")


class ExponentialDecay(LearningRateSchedule):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)``.

    Examples:
        >>> s = ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5, staircase=True)
        >>> [s(0), s(9), s(10), s(25)]
        [0.1, 0.1, 0.05, 0.025]
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False):
        _positive("ExponentialDecay", decay_steps, "decay_steps")
        self.initial_learning_rate, self.decay_steps = float(initial_learning_rate), decay_steps
        self.decay_rate, self.staircase = float(decay_rate), staircase

    def __call__(self, step):
        p = step / self.decay_steps
        return self.initial_learning_rate * self.decay_rate ** (math.floor(p) if self.staircase else p)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase}


class InverseTimeDecay(LearningRateSchedule):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)``."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False):
        _positive("InverseTimeDecay", decay_steps, "decay_steps")
        self.initial_learning_rate, self.decay_steps = float(initial_learning_rate), decay_steps
        self.decay_rate, self.staircase = float(decay_rate), staircase

    def __call__(self, step):
        p = step / self.decay_steps
        return self.initial_learning_rate / (1 + self.decay_rate * (math.floor(p) if self.staircase else p))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase}


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[i]`` while ``boundaries[i-1] < step <= boundaries[i]``.

    Examples:
        >>> s = PiecewiseConstantDecay([100, 200], [1e-2, 1e-3, 1e-4])
        >>> [s(0), s(100), s(101), s(500)]
        [0.01, 0.01, 0.001, 0.0001]
    """

    def __init__(self, boundaries, values):
        if len(values) != len(boundaries) + 1:
            raise ValueError(
                f"PiecewiseConstantDecay: expected len(values) == len(boundaries) + 1, "
                f"got {len(values)} values for {len(boundaries)} boundaries"
            )
        self.boundaries, self.values = list(boundaries), [float(v) for v in values]

    def __call__(self, step):
        for boundary, value in zip(self.boundaries, self.values):
            if step <= boundary:
                return value
        return self.values[-1]

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values}


class CosineDecay(LearningRateSchedule):
    """Half a cosine from ``initial_learning_rate`` down to ``alpha * initial_learning_rate``
    over ``decay_steps``, after an optional linear warm-up to ``warmup_target``."""

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, warmup_target=None, warmup_steps=0):
        _positive("CosineDecay", decay_steps, "decay_steps")
        self.initial_learning_rate, self.decay_steps, self.alpha = float(initial_learning_rate), decay_steps, alpha
        self.warmup_target, self.warmup_steps = warmup_target, warmup_steps

    def __call__(self, step):
        top = self.initial_learning_rate if self.warmup_target is None else float(self.warmup_target)
        warmup = 0 if self.warmup_target is None else self.warmup_steps  # no target: no warm-up (as Keras)
        if step < warmup:
            return self.initial_learning_rate + (top - self.initial_learning_rate) * step / warmup
        p = min(step - warmup, self.decay_steps) / self.decay_steps
        return top * ((1 - self.alpha) * 0.5 * (1 + math.cos(math.pi * p)) + self.alpha)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "alpha": self.alpha, "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}


_CLASSES = {c.__name__: c for c in (ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay, CosineDecay)}


def serialize(schedule: LearningRateSchedule) -> dict:
    return {"class_name": type(schedule).__name__, "config": schedule.get_config()}


def deserialize(config: dict) -> LearningRateSchedule:
    cls = _CLASSES.get(config.get("class_name"))
    if cls is None:
        raise ValueError(f"schedules: unknown schedule {config.get('class_name')!r}; valid: {sorted(_CLASSES)}")
    return cls.from_config(config.get("config", {}))
