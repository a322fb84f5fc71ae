"""Learning-rate schedules: the step size as a function of the training step.

Pass one as ``learning_rate`` to any optimizer: ``RMSprop(ExponentialDecay(1e-3, 1000, 0.9))``.
"Step decay" (divide the rate every N steps) is ``ExponentialDecay(..., staircase=True)``
or, for arbitrary steps, ``PiecewiseConstantDecay``. A schedule is saved in the
optimizer's config as ``{"class_name": ..., "config": ...}``; your own subclasses of
``LearningRateSchedule`` are found by their class name.

Examples:
    >>> schedule = ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    >>> schedule(20)
    0.025
    >>> serialize(schedule)["class_name"], deserialize(serialize(schedule))(20)
    ('ExponentialDecay', 0.025)
"""

from __future__ import annotations

import math

from .checks import check_bool, check_number
from .registry import Configurable, Registrable, Registry

__all__ = [
    "SCHEDULES",
    "CosineDecay",
    "ExponentialDecay",
    "InverseTimeDecay",
    "LearningRateSchedule",
    "PiecewiseConstantDecay",
    "deserialize",
    "get",
    "serialize",
]


class LearningRateSchedule(Configurable, Registrable):
    """Base class: ``schedule(step) -> learning rate`` (a Python float).

    Subclasses implement ``__call__`` and ``get_config``; defining one registers it.
    """


    def __call__(self, step: int) -> float:
        raise NotImplementedError(f"{type(self).__name__} must implement __call__(step)")

    def get_config(self) -> dict:
        raise NotImplementedError(f"{type(self).__name__} must implement get_config()")


SCHEDULES = Registry("learning rate schedule", base=LearningRateSchedule)


class _DecayEverySteps(LearningRateSchedule, register=False):
    """What ExponentialDecay and InverseTimeDecay share: their arguments, and the progress
    ``step / decay_steps`` (rounded down with ``staircase``)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False):
        name = type(self).__name__
        self.initial_learning_rate = check_number(name, "initial_learning_rate", initial_learning_rate, minimum=0)
        self.decay_steps = check_number(name, "decay_steps", decay_steps, minimum=0, min_inclusive=False)
        self.decay_rate = check_number(name, "decay_rate", decay_rate, minimum=0)
        self.staircase = check_bool(name, "staircase", staircase)

    def _progress(self, step) -> float:
        p = step / self.decay_steps
        return math.floor(p) if self.staircase else p

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase}


class ExponentialDecay(_DecayEverySteps):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)``; with ``staircase``,
    the exponent is rounded down (the rate drops every ``decay_steps`` steps).

    Examples:
        >>> s = ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5, staircase=True)
        >>> [s(0), s(9), s(10), s(25)]
        [0.1, 0.1, 0.05, 0.025]
    """

    def __call__(self, step):
        return self.initial_learning_rate * self.decay_rate ** self._progress(step)


class InverseTimeDecay(_DecayEverySteps):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)`` (``staircase``: the
    ratio ``step / decay_steps`` rounded down).

    Examples:
        >>> s = InverseTimeDecay(0.1, decay_steps=10, decay_rate=1.0)
        >>> [s(0), s(10), s(30)]
        [0.1, 0.05, 0.025]
    """

    def __call__(self, step):
        return self.initial_learning_rate / (1 + self.decay_rate * self._progress(step))


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[i]`` while ``boundaries[i-1] < step <= boundaries[i]``.

    Examples:
        >>> s = PiecewiseConstantDecay([100, 200], [1e-2, 1e-3, 1e-4])
        >>> [s(0), s(100), s(101), s(500)]
        [0.01, 0.01, 0.001, 0.0001]
    """

    def __init__(self, boundaries, values):
        name = type(self).__name__
        self.boundaries = [check_number(name, "boundaries", b) for b in boundaries]
        self.values = [check_number(name, "values", v, minimum=0) for v in values]
        if len(self.values) != len(self.boundaries) + 1:
            raise ValueError(f"{name}: expected len(values) == len(boundaries) + 1, "
                             f"got {len(self.values)} values for {len(self.boundaries)} boundaries")
        if self.boundaries != sorted(self.boundaries):
            raise ValueError(f"{name}: argument `boundaries` must be increasing, got {list(boundaries)!r}")

    def __call__(self, step):
        for boundary, value in zip(self.boundaries, self.values):
            if step <= boundary:
                return value
        return self.values[-1]

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values}


class CosineDecay(LearningRateSchedule):
    """Half a cosine from ``initial_learning_rate`` down to ``alpha * initial_learning_rate``
    over ``decay_steps``, after an optional linear warm-up to ``warmup_target``.

    Examples:
        >>> s = CosineDecay(0.1, decay_steps=100)
        >>> [round(s(step), 4) for step in (0, 50, 100, 200)]
        [0.1, 0.05, 0.0, 0.0]
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, warmup_target=None, warmup_steps=0):
        name = type(self).__name__
        self.initial_learning_rate = check_number(name, "initial_learning_rate", initial_learning_rate, minimum=0)
        self.decay_steps = check_number(name, "decay_steps", decay_steps, minimum=0, min_inclusive=False)
        self.alpha = check_number(name, "alpha", alpha, minimum=0, maximum=1)
        self.warmup_target = check_number(name, "warmup_target", warmup_target, minimum=0, none_ok=True)
        self.warmup_steps = check_number(name, "warmup_steps", warmup_steps, minimum=0, integer=True)

    def __call__(self, step):
        top = self.initial_learning_rate if self.warmup_target is None else self.warmup_target
        warmup = 0 if self.warmup_target is None else self.warmup_steps  # no target: no warm-up (as Keras)
        if step < warmup:
            return self.initial_learning_rate + (top - self.initial_learning_rate) * step / warmup
        p = min(step - warmup, self.decay_steps) / self.decay_steps
        return top * ((1 - self.alpha) * 0.5 * (1 + math.cos(math.pi * p)) + self.alpha)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "alpha": self.alpha, "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}


# -- names: one-line facades over SCHEDULES ------------------------------------------------


def get(identifier) -> LearningRateSchedule | None:
    """A schedule from a ``serialize`` dict, a schedule (returned as it is) or None."""
    return SCHEDULES.get(identifier)


def serialize(schedule: LearningRateSchedule) -> dict:
    """``{"class_name": ..., "config": schedule.get_config()}``."""
    return SCHEDULES.serialize(schedule)


def deserialize(config: dict, custom_objects: dict | None = None) -> LearningRateSchedule:
    """The schedule ``serialize`` described (your own classes are found by name, or in ``custom_objects``)."""
    return SCHEDULES.deserialize(config, custom_objects)
