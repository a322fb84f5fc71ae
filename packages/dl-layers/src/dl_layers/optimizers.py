"""Optimizers: how each weight moves, given its gradient.

Plain gradient descent moves every weight by ``-learning_rate * gradient``. The others
keep a little state per weight -- a velocity (momentum), a running mean of squared
gradients (RMSprop, Adam, Adagrad) -- to pick better steps. That state lives in a
dictionary keyed by the weight *object*, so two layers can never share it by name.

All updates happen in place on the weights' arrays, with NumPy's ``out=`` arguments, so a
step allocates almost nothing. Each rule (``update``) is written on plain arrays: the
weight, its gradient and its state. The built-in rules are element-wise, so a large weight
is updated in blocks of ``UPDATE_BLOCK`` elements: a rule makes 5 to 10 passes over its
arrays, and a block's arrays stay in the CPU's cache between passes instead of streaming
through memory once per pass (RMSprop on a 784 x 512 kernel: 769 -> 559 us).

``compile`` finds an optimizer by name through ``OPTIMIZERS``, whatever the case, as in
Keras: ``"rmsprop"``, ``"RMSprop"`` and ``"RMSPROP"`` are the same; your own subclasses of
``Optimizer`` are found by their class name too.

Examples:
    >>> import numpy as np
    >>> from dl_layers.variable import Variable
    >>> w = Variable([1.0, -2.0])
    >>> opt = SGD(learning_rate=0.1)
    >>> opt.apply([np.array([1.0, 1.0], np.float32)], [w])
    >>> print(w.data)
    [ 0.9 -2.1]
"""

from __future__ import annotations

import math

import numpy as np

from . import schedules as schedules  # noqa: PLC0414 (keras.optimizers.schedules)
from .checks import check_bool, check_number
from .registry import Registrable, Registry
from .schedules import LearningRateSchedule

__all__ = [
    "OPTIMIZERS",
    "SGD",
    "Adagrad",
    "Adam",
    "AdamW",
    "Optimizer",
    "RMSprop",
    "deserialize",
    "get",
    "schedules",
    "serialize",
]


#: Weights larger than this many elements are updated block by block, by the built-in rules
#: (element-wise ones; a subclass's own ``update`` always gets the whole weight).
#: A block of 65,536 float32 is 256 KiB; the weight, its gradient and two state arrays take
#: 1 MiB, which stays in a core's L2 cache (measured: 16,384 -> 644 us, 65,536 -> 559 us,
#: 131,072 -> 567 us, whole -> 769 us for RMSprop on 401,408 elements).
UPDATE_BLOCK = 65536


def _check_learning_rate(owner: str, value):
    """A schedule as it is, or a number > 0 as a Python float."""
    if isinstance(value, LearningRateSchedule):
        return value
    return check_number(owner, "learning_rate", value, minimum=0, min_inclusive=False)


class Optimizer(Registrable):
    """Base class: clipping, learning-rate schedules, per-weight state. A subclass writes its
    rule in ``update`` (and its state in ``state_spec``); defining one registers it.

    Args:
        learning_rate: a float or a ``LearningRateSchedule``.
        clipnorm: rescale each gradient whose L2 norm exceeds this.
        clipvalue: clip each gradient element to ``[-clipvalue, clipvalue]``.
        global_clipnorm: rescale all gradients together if their joint norm exceeds this.
        weight_decay: decoupled weight decay: ``w -= learning_rate * weight_decay * w``.
        lr: the first edition's name for ``learning_rate``.
        decay: the first edition's time decay: ``lr / (1 + decay * iterations)``.
        name: a name for the optimizer.
    """


    def __init__(self, learning_rate=0.001, *, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 weight_decay=None, lr=None, decay=0.0, name=None, **kwargs):
        cls = type(self).__name__
        if kwargs:
            raise TypeError(f"{cls}: unexpected keyword argument(s) {sorted(kwargs)}")
        if lr is not None:
            learning_rate = lr
        self._learning_rate = _check_learning_rate(cls, learning_rate)
        positive = {"minimum": 0, "min_inclusive": False, "none_ok": True}
        self.clipnorm = check_number(cls, "clipnorm", clipnorm, **positive)
        self.clipvalue = check_number(cls, "clipvalue", clipvalue, **positive)
        self.global_clipnorm = check_number(cls, "global_clipnorm", global_clipnorm, **positive)
        self.weight_decay = check_number(cls, "weight_decay", weight_decay, minimum=0, none_ok=True)
        self.decay = check_number(cls, "decay", decay, minimum=0)
        if name is not None and not isinstance(name, str):
            raise TypeError(f"{cls}: argument `name` must be a string or None, got {name!r}")
        self.name = name or cls.lower()
        self.iterations = 0
        self._state: dict = {}

    # -- learning rate ------------------------------------------------------------------
    @property
    def learning_rate(self) -> float:
        """The rate for the current step (schedules and the legacy ``decay`` applied)."""
        lr = self._learning_rate
        lr = lr(self.iterations) if isinstance(lr, LearningRateSchedule) else float(lr)
        if self.decay:
            lr /= 1.0 + self.decay * self.iterations
        return lr

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        self._learning_rate = _check_learning_rate(type(self).__name__, value)

    lr = learning_rate  # first-edition alias

    # -- the step -----------------------------------------------------------------------
    def apply_gradients(self, grads_and_vars) -> None:
        """Keras's form: ``apply_gradients(zip(grads, variables))``."""
        pairs = list(grads_and_vars)
        self.apply([g for g, _ in pairs], [v for _, v in pairs])

    def apply(self, grads, variables) -> None:
        """One step: move each variable against its gradient (None gradients are skipped)."""
        grads, variables = list(grads), list(variables)
        if len(grads) != len(variables):
            raise ValueError(f"{type(self).__name__}: got {len(grads)} gradients for {len(variables)} variables")
        pairs = [(np.asarray(g), v) for g, v in zip(grads, variables) if g is not None]
        for g, v in pairs:
            if g.shape != v.data.shape:
                raise ValueError(f"{type(self).__name__}: gradient of shape {g.shape} for variable of shape "
                                 f"{v.data.shape}")
        pairs = self._clip(pairs)
        lr = self.learning_rate
        self.iterations += 1
        for g, v in pairs:
            if g.dtype != v.data.dtype:
                g = g.astype(v.data.dtype)
            if self.weight_decay:
                v.data -= (lr * self.weight_decay) * v.data
            self.update_step(g, v, lr)

    def _clip(self, pairs):
        if self.clipvalue is not None:
            pairs = [(np.clip(g, -self.clipvalue, self.clipvalue), v) for g, v in pairs]
        if self.clipnorm is not None:
            clipped = []
            for g, v in pairs:
                norm = math.sqrt(float(np.vdot(g, g)))
                clipped.append((g * (self.clipnorm / norm) if norm > self.clipnorm else g, v))
            pairs = clipped
        if self.global_clipnorm is not None:
            norm = math.sqrt(sum(float(np.vdot(g, g)) for g, _ in pairs))
            if norm > self.global_clipnorm:
                pairs = [(g * (self.global_clipnorm / norm), v) for g, v in pairs]
        return pairs

    def state_spec(self) -> list:
        """The state arrays the rule needs: ``(name, initial value)``, None for scratch space."""
        return []

    def update(self, w: np.ndarray, g: np.ndarray, state: dict, lr: float) -> None:
        """The optimizer's rule on plain arrays: change ``w`` in place, given its gradient
        ``g`` and its ``state`` (arrays named by ``state_spec``, shaped like ``w``)."""
        raise NotImplementedError

    def update_step(self, grad: np.ndarray, variable, learning_rate: float) -> None:
        """Apply ``update`` to one variable, with its state arrays (created on its first step)."""
        state = self._state.get(variable)
        if state is None:
            for name, fill in self.state_spec():
                self.slot(variable, name, fill)
            state = self._state.get(variable, {})
        w = variable.data
        arrays = (w, grad, *state.values())
        if (w.size <= UPDATE_BLOCK or type(self).update not in _ELEMENTWISE_RULES  # a rule of your own: whole
                or not all(a.flags.c_contiguous for a in arrays)):
            self.update(w, grad, state, learning_rate)
            return
        flat = [a.reshape(-1) for a in arrays]  # views: (n,) each
        names = list(state)
        for i in range(0, w.size, UPDATE_BLOCK):  # the same rule, one cache-sized block at a time
            w_i, g_i, *state_i = (a[i:i + UPDATE_BLOCK] for a in flat)
            self.update(w_i, g_i, dict(zip(names, state_i)), learning_rate)

    def slot(self, variable, name: str, fill: float | None = 0.0) -> np.ndarray:
        """The state array ``name`` of ``variable`` (created on first use, shaped like it)."""
        state = self._state.get(variable)
        if state is None:
            state = self._state[variable] = {}
        arr = state.get(name)
        if arr is None:
            arr = state[name] = (np.empty_like(variable.data) if fill is None
                                 else np.full_like(variable.data, fill))
        return arr

    # -- saving ---------------------------------------------------------------------------
    def get_config(self) -> dict:
        lr = self._learning_rate
        return {
            "name": self.name,
            "learning_rate": schedules.serialize(lr) if isinstance(lr, LearningRateSchedule) else float(lr),
            "clipnorm": self.clipnorm, "clipvalue": self.clipvalue, "global_clipnorm": self.global_clipnorm,
            "weight_decay": self.weight_decay, "decay": self.decay,
        }

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"])
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} learning_rate={self.learning_rate:g} iterations={self.iterations}>"


class _OptimizerRegistry(Registry):
    """Names in any case, as in Keras ("ADAM" is "adam"); ``get`` takes nothing else than a
    name, a config dict or an ``Optimizer`` (no default for None, no plain functions)."""

    def register(self, obj=None, *, name=None, aliases=()):
        if obj is None:
            return lambda o: self.register(o, name=name, aliases=aliases)
        # by class name and in lower case ("RMSprop", "rmsprop"), never snake_case ("rm_sprop")
        return super().register(obj, name=name or obj.__name__, aliases=(*aliases, obj.__name__.lower()))

    def lookup(self, name, custom_objects=None):
        try:
            return super().lookup(name, custom_objects)
        except ValueError:
            if name.lower() not in self.names():
                raise
            return super().lookup(name.lower(), custom_objects)

    def get(self, identifier, custom_objects=None):
        is_class = isinstance(identifier, type) and issubclass(identifier, self.base)
        if not (is_class or isinstance(identifier, str | dict | self.base)):
            raise ValueError(f"expected an optimizer name, config dict, Optimizer class or Optimizer, got "
                             f"{identifier!r}; valid names: {', '.join(repr(n) for n in self.names())}")
        return super().get(identifier, custom_objects)


OPTIMIZERS = _OptimizerRegistry("optimizer", base=Optimizer)


class SGD(Optimizer):
    """Gradient descent, with optional (Nesterov) momentum.

    ``velocity = momentum * velocity - lr * g``; ``w += velocity`` (Nesterov:
    ``w += momentum * velocity - lr * g``).
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.momentum = check_number("SGD", "momentum", momentum, minimum=0, maximum=1, max_inclusive=False)
        self.nesterov = check_bool("SGD", "nesterov", nesterov)

    def state_spec(self):
        return [("momentum", 0.0)] if self.momentum else []

    def update(self, w, g, state, lr):
        if not self.momentum:
            w -= lr * g
            return
        velocity = state["momentum"]
        velocity *= self.momentum
        velocity -= lr * g
        if self.nesterov:
            w += self.momentum * velocity - lr * g
        else:
            w += velocity

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


class RMSprop(Optimizer):
    """Divide each step by a running root-mean-square of recent gradients.

    ``v = rho * v + (1 - rho) * g**2``; ``w -= lr * g / sqrt(v + epsilon)``.
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.rho = check_number("RMSprop", "rho", rho, minimum=0, maximum=1)
        self.momentum = check_number("RMSprop", "momentum", momentum, minimum=0, maximum=1, max_inclusive=False)
        self.epsilon = check_number("RMSprop", "epsilon", epsilon, minimum=0)
        self.centered = check_bool("RMSprop", "centered", centered)

    def state_spec(self):
        spec = [("velocity", 0.0), ("buffer", None)]  # buffer: scratch space, no allocation per step
        if self.centered:
            spec.append(("average_gradient", 0.0))
        if self.momentum:
            spec.append(("momentum", 0.0))
        return spec

    def update(self, w, g, state, lr):
        rho, v, buf = self.rho, state["velocity"], state["buffer"]
        np.multiply(g, g, out=buf)
        buf *= 1 - rho
        v *= rho
        v += buf  # v = rho v + (1 - rho) g^2
        if self.centered:
            mean_g = state["average_gradient"]
            mean_g *= rho
            mean_g += (1 - rho) * g
            np.multiply(mean_g, mean_g, out=buf)
            np.subtract(v, buf, out=buf)
            buf += self.epsilon
        else:
            np.add(v, self.epsilon, out=buf)
        np.sqrt(buf, out=buf)
        np.divide(g, buf, out=buf)
        buf *= lr  # the increment lr * g / sqrt(v + eps)
        if self.momentum:
            m = state["momentum"]
            m *= self.momentum
            m += buf
            w -= m
        else:
            w -= buf

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}


class Adam(Optimizer):
    """Momentum on the gradient and on its square, with bias correction.

    ``m = b1 m + (1 - b1) g``; ``v = b2 v + (1 - b2) g**2``;
    ``w -= lr * sqrt(1 - b2**t) / (1 - b1**t) * m / (sqrt(v) + epsilon)``.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        cls = type(self).__name__
        self.beta_1 = check_number(cls, "beta_1", beta_1, minimum=0, maximum=1, max_inclusive=False)
        self.beta_2 = check_number(cls, "beta_2", beta_2, minimum=0, maximum=1, max_inclusive=False)
        self.epsilon = check_number(cls, "epsilon", epsilon, minimum=0)
        self.amsgrad = check_bool(cls, "amsgrad", amsgrad)

    def state_spec(self):
        spec = [("momentum", 0.0), ("velocity", 0.0), ("buffer", None)]
        return spec + [("velocity_hat", 0.0)] if self.amsgrad else spec

    def update(self, w, g, state, lr):
        b1, b2, t = self.beta_1, self.beta_2, self.iterations
        m, v, buf = state["momentum"], state["velocity"], state["buffer"]
        m *= b1
        np.multiply(g, 1 - b1, out=buf)
        m += buf
        v *= b2
        np.multiply(g, g, out=buf)
        buf *= 1 - b2
        v += buf
        if self.amsgrad:
            v_hat = state["velocity_hat"]
            np.maximum(v_hat, v, out=v_hat)
            v = v_hat
        alpha = lr * math.sqrt(1 - b2**t) / (1 - b1**t)
        np.sqrt(v, out=buf)
        buf += self.epsilon
        np.divide(m, buf, out=buf)
        buf *= alpha
        w -= buf

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}


class AdamW(Adam):
    """Adam with decoupled weight decay (``w -= lr * weight_decay * w`` each step)."""

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, **kwargs):
        super().__init__(learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon, amsgrad=amsgrad,
                         weight_decay=weight_decay, **kwargs)


class Adagrad(Optimizer):
    """Divide each step by the root of the sum of all past squared gradients.

    ``acc += g**2``; ``w -= lr * g / sqrt(acc + epsilon)``.
    """

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.initial_accumulator_value = check_number("Adagrad", "initial_accumulator_value",
                                                      initial_accumulator_value, minimum=0)
        self.epsilon = check_number("Adagrad", "epsilon", epsilon, minimum=0)

    def state_spec(self):
        return [("accumulator", self.initial_accumulator_value), ("buffer", None)]

    def update(self, w, g, state, lr):
        acc, buf = state["accumulator"], state["buffer"]
        np.multiply(g, g, out=buf)
        acc += buf
        np.add(acc, self.epsilon, out=buf)
        np.sqrt(buf, out=buf)
        np.divide(g, buf, out=buf)
        buf *= lr
        w -= buf

    def get_config(self):
        return {**super().get_config(), "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}


#: The rules that treat every element on their own, so that they may run block by block.
_ELEMENTWISE_RULES = {SGD.update, RMSprop.update, Adam.update, Adagrad.update}


# -- names: one-line facades over OPTIMIZERS ------------------------------------------------


def get(identifier) -> Optimizer:
    """The optimizer for ``compile(optimizer=...)``: from a name ("rmsprop", "Adam", ...), a
    ``serialize`` dict, an ``Optimizer`` class or instance (returned as it is).

    Examples:
        >>> get("rmsprop"), get("Adam")
        (<RMSprop learning_rate=0.001 iterations=0>, <Adam learning_rate=0.001 iterations=0>)
    """
    return OPTIMIZERS.get(identifier)


def serialize(optimizer: Optimizer) -> dict:
    """``{"class_name": ..., "config": optimizer.get_config()}`` (the state is not included).

    Examples:
        >>> serialize(SGD(learning_rate=0.1))["config"]["learning_rate"]
        0.1
    """
    return OPTIMIZERS.serialize(optimizer)


def deserialize(config, custom_objects: dict | None = None) -> Optimizer:
    """The optimizer ``serialize`` described (your own classes are found by name, or in ``custom_objects``)."""
    return OPTIMIZERS.deserialize(config, custom_objects)
