"""What SimpleRNN, LSTM and GRU share: the readable cells, the generic ``RNN`` loop, and the
base class and helpers of the fused layers.

An RNN reads a sequence one timestep at a time and carries a *state* from one step to the
next. The readable version is exactly the book's picture: a *cell* computes one step,
``output, new_states = cell(x_t, states)``, and ``RNN(cell)`` loops over the timesteps::

    states = initial_states
    for t in range(timesteps):
        output, states = cell(inputs[:, t], states)

``SimpleRNNCell``, ``LSTMCell`` and ``GRUCell`` write Keras's equations with dl-tensor ops, so
autodiff derives the backpropagation through time by itself (hundreds of small ops per
sequence). ``RNN`` also runs a cell you write yourself, as Keras's ``RNN`` does: any layer
with a ``state_size`` and a ``call(inputs, states)`` returning ``(output, new_states)``.

The layers ``SimpleRNN``, ``LSTM`` and ``GRU`` are ``FusedRNN``s: the same cell holds the
weights (Keras's layouts), but the whole recurrence runs as ONE ``dl_tensor.Op`` with a
hand-written backward (``SimpleRNNOp``, ``LSTMOp``, ``GRUOp``), which is what makes them fast.
Tests hold the fused ops equal to the cells unrolled by ``RNN``, values and gradients.

Conventions shared by all of them (Keras's):

* inputs (batch, time, features); outputs (batch, time, units) with ``return_sequences=True``,
  else the last output (batch, units); ``return_state=True`` adds the final states to a list;
* ``go_backwards=True`` reads the sequence from its end, and the returned sequence is in that
  reversed order too;
* masks (bool (batch, time), True = real step): at a masked step the states are carried
  unchanged and the output is the previous step's output (zeros before the first real step),
  as Keras 2 does; with ``return_sequences`` the same mask goes on the output;
* ``dropout`` (on the inputs) and ``recurrent_dropout`` (on the state fed back to the
  recurrent kernel) draw ONE mask per call, used at every timestep (Gal & Ghahramani, the
  book's section 6.3.6), in training only; one mask is shared by all the gates.
"""

from __future__ import annotations

import numpy as np

import dl_tensor as dt
from dl_layers import activations, initializers, regularizers
from dl_layers.checks import check_bool, check_number
from dl_layers.layer import InputSpec, Layer
from dl_layers.layers.masking import get_mask, set_mask
from dl_layers.registry import deserialize_layer, serialize_layer
from dl_tensor import Tensor
from dl_tensor import random as dl_random

__all__ = ["FusedRNN", "GRUCell", "LSTMCell", "RNN", "SimpleRNNCell", "dropout_mask"]


# -- dropout masks: one per call, the same at every timestep -----------------------------------


def dropout_mask(shape, rate: float, dtype="float32") -> np.ndarray:
    """An inverted-dropout mask: 0 with probability ``rate``, else ``1 / (1 - rate)``.

    Drawn from dl-tensor's seeded generator, so ``set_random_seed`` makes it reproducible.

    Examples:
        >>> m = dropout_mask((2, 4), 0.5)
        >>> sorted(set(m.ravel().tolist())) in ([0.0, 2.0], [0.0], [2.0])
        True
    """
    keep = dl_random.get_rng().random(shape, dtype=np.float32) >= rate  # (shape) bool
    return keep * np.asarray(1.0 / (1.0 - rate), dtype=dtype)


class _DropoutCellMixin:
    """Keras's ``DropoutRNNCell``: a cell draws its masks at the first step of a call and keeps
    them until ``reset_dropout_mask`` (the ``RNN`` layer resets them before and after a call)."""

    _dropout_mask = None
    _recurrent_dropout_mask = None

    def get_dropout_mask(self, inputs):
        """The mask on the inputs (batch, features), drawn once per call; None if ``dropout == 0``."""
        if self.dropout == 0:
            return None
        if self._dropout_mask is None:
            self._dropout_mask = dropout_mask(tuple(inputs.shape), self.dropout, inputs.dtype)
        return self._dropout_mask

    def get_recurrent_dropout_mask(self, state):
        """The mask on the state fed back (batch, units), drawn once per call; None if unused."""
        if self.recurrent_dropout == 0:
            return None
        if self._recurrent_dropout_mask is None:
            self._recurrent_dropout_mask = dropout_mask(tuple(state.shape), self.recurrent_dropout, state.dtype)
        return self._recurrent_dropout_mask

    def reset_dropout_mask(self):
        """Forget the masks: the next call draws new ones."""
        self._dropout_mask = self._recurrent_dropout_mask = None


# -- the readable cells ---------------------------------------------------------------------


class _Cell(_DropoutCellMixin, Layer, register=False):
    """What the three cells share: arguments, weights, config."""

    kernel_gates = 1  # how many blocks of `units` columns the kernel has (LSTM 4, GRU 3)

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, dropout=0.0, recurrent_dropout=0.0, **kwargs):
        super().__init__(**kwargs)
        owner = type(self).__name__
        self.units = check_number(owner, "units", units, minimum=1, integer=True)
        self.activation = activations.get(activation)
        self.use_bias = check_bool(owner, "use_bias", use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.dropout = check_number(owner, "dropout", dropout, minimum=0, maximum=1, max_inclusive=False)
        self.recurrent_dropout = check_number(owner, "recurrent_dropout", recurrent_dropout, minimum=0, maximum=1,
                                              max_inclusive=False)

    @property
    def state_size(self):
        return self.units

    def _bias_shape(self):
        return (self.kernel_gates * self.units,)

    def _bias_initializer(self):
        return self.bias_initializer

    def build(self, input_shape):
        n = self.kernel_gates * self.units
        self.kernel = self.add_weight((input_shape[-1], n), self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, name="kernel")
        self.recurrent_kernel = self.add_weight((self.units, n), self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer, name="recurrent_kernel")
        self.bias = (self.add_weight(self._bias_shape(), self._bias_initializer(), regularizer=self.bias_regularizer,
                                     name="bias") if self.use_bias else None)

    def _dropped(self, inputs, h_prev, training):
        """The step's inputs and previous state with this call's dropout masks applied (training only)."""
        if training:
            mask = self.get_dropout_mask(inputs)
            if mask is not None:
                inputs = inputs * mask
            mask = self.get_recurrent_dropout_mask(h_prev)
            if mask is not None:
                h_prev = h_prev * mask
        return inputs, h_prev

    def get_config(self):
        reg = regularizers.serialize
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": reg(self.kernel_regularizer) if self.kernel_regularizer else None,
            "recurrent_regularizer": reg(self.recurrent_regularizer) if self.recurrent_regularizer else None,
            "bias_regularizer": reg(self.bias_regularizer) if self.bias_regularizer else None,
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
        }


class SimpleRNNCell(_Cell):
    """One step of a fully connected RNN: ``h' = activation(x W + h U + b)``; the output is ``h'``.

    Args:
        units: size of the state (and of the output).
        activation: applied to the new state ("tanh").
        dropout: fraction of the inputs dropped (the same units at every step of a call).
        recurrent_dropout: fraction of the state fed back that is dropped.

    ``use_bias``, ``kernel_initializer``, ``recurrent_initializer``, ``bias_initializer``,
    ``kernel_regularizer``, ``recurrent_regularizer`` and ``bias_regularizer`` mean what they
    mean in Keras.

    Shapes:
        ``call(x_t, [h])``: x_t (batch, features), h (batch, units) -> (h', [h']).
        Weights: kernel (features, units), recurrent_kernel (units, units), bias (units,).

    Examples:
        >>> import numpy as np
        >>> cell = SimpleRNNCell(4)
        >>> out, states = cell(np.ones((2, 3)), [np.zeros((2, 4), np.float32)])
        >>> out.shape, len(states)
        ((2, 4), 1)
    """

    def call(self, inputs, states, training=None):
        h_prev = states[0] if isinstance(states, list | tuple) else states
        x, h_fed = self._dropped(inputs, h_prev, training)
        pre = x @ self.kernel + h_fed @ self.recurrent_kernel  # (b, in) @ (in, u) + (b, u) @ (u, u) -> (b, u)
        if self.bias is not None:
            pre = pre + self.bias
        h = self.activation(pre)
        return h, [h]


class LSTMCell(_Cell):
    """One step of a long short-term memory (Hochreiter & Schmidhuber, 1997), as Keras writes it.

    With the kernel's columns in Keras's gate order i, f, c, o::

        i = sigmoid(x Wi + h Ui + bi)        the input gate
        f = sigmoid(x Wf + h Uf + bf)        the forget gate
        c~ = tanh(x Wc + h Uc + bc)          the candidate carry
        o = sigmoid(x Wo + h Uo + bo)        the output gate
        c' = f * c + i * c~                  the carry: a conveyor belt that f and i edit
        h' = o * tanh(c')                    the output and state

    Args:
        units: size of h and c.
        activation: for c~ and for the carry in h' ("tanh").
        recurrent_activation: for the gates ("sigmoid").
        unit_forget_bias: start the forget gate's bias at 1 (remember by default), as Keras.

    The other arguments (``use_bias``, the three initializers and three regularizers,
    ``dropout`` and ``recurrent_dropout``) are as in ``SimpleRNNCell``.

    Shapes:
        ``call(x_t, [h, c])`` -> (h', [h', c']). Weights: kernel (features, 4 units),
        recurrent_kernel (units, 4 units), bias (4 units,).

    Examples:
        >>> import numpy as np
        >>> cell = LSTMCell(2)
        >>> _ = cell.build((None, 3))
        >>> cell.bias.numpy()                     # i, f, c, o: the forget gate's bias starts at 1
        array([0., 0., 1., 1., 0., 0., 0., 0.], dtype=float32)
    """

    kernel_gates = 4

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 dropout=0.0, recurrent_dropout=0.0, **kwargs):
        super().__init__(units, activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer, dropout=dropout, recurrent_dropout=recurrent_dropout,
                         **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = check_bool("LSTMCell", "unit_forget_bias", unit_forget_bias)

    @property
    def state_size(self):
        return [self.units, self.units]

    def _bias_initializer(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        init, u = self.bias_initializer, self.units

        def forget_ones(shape, dtype="float32"):  # i: init, f: ones, c and o: init
            return np.concatenate([init((u,), dtype), np.ones((u,), dtype), init((2 * u,), dtype)])

        return forget_ones

    def call(self, inputs, states, training=None):
        h_prev, c_prev = states
        x, h_fed = self._dropped(inputs, h_prev, training)
        z = x @ self.kernel + h_fed @ self.recurrent_kernel  # (b, in) @ (in, 4u) + (b, u) @ (u, 4u) -> (b, 4u)
        if self.bias is not None:
            z = z + self.bias
        u = self.units
        i = self.recurrent_activation(z[:, :u])
        f = self.recurrent_activation(z[:, u:2 * u])
        c_tilde = self.activation(z[:, 2 * u:3 * u])
        o = self.recurrent_activation(z[:, 3 * u:])
        c = f * c_prev + i * c_tilde
        h = o * self.activation(c)
        return h, [h, c]

    def get_config(self):
        return {**super().get_config(), "recurrent_activation": activations.serialize(self.recurrent_activation),
                "unit_forget_bias": self.unit_forget_bias}


class GRUCell(_Cell):
    """One step of a gated recurrent unit (Cho et al., 2014), as Keras writes it.

    With the kernel's columns in Keras's gate order z, r, h::

        z = sigmoid(x Wz + h Uz + bz)        the update gate
        r = sigmoid(x Wr + h Ur + br)        the reset gate
        reset_after=True (Keras 2.3+ and 3):  hh = tanh(x Wh + bx_h + r * (h Uh + bh_h))
        reset_after=False (Keras 2.0, the book's 1st edition):  hh = tanh(x Wh + (r * h) Uh + b_h)
        h' = z * h + (1 - z) * hh

    With ``reset_after=True`` the bias is (2, 3 units): the input bias, then the recurrent
    bias (inside the reset gate's product); with False it is (3 units,).

    Args:
        units: size of the state.
        activation: for hh ("tanh"; the book's ch. 6.3 also uses "relu").
        recurrent_activation: for the gates ("sigmoid").
        reset_after: where the reset gate applies (see above).

    The other arguments (``use_bias``, the three initializers and three regularizers,
    ``dropout`` and ``recurrent_dropout``) are as in ``SimpleRNNCell``.

    Shapes:
        ``call(x_t, [h])`` -> (h', [h']). Weights: kernel (features, 3 units), recurrent_kernel
        (units, 3 units), bias (2, 3 units) or (3 units,).

    Examples:
        >>> cell = GRUCell(2)
        >>> _ = cell.build((None, 3))
        >>> [w.shape for w in cell.get_weights()]
        [(3, 6), (2, 6), (2, 6)]
    """

    kernel_gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, dropout=0.0,
                 recurrent_dropout=0.0, reset_after=True, **kwargs):
        super().__init__(units, activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer, dropout=dropout, recurrent_dropout=recurrent_dropout,
                         **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = check_bool("GRUCell", "reset_after", reset_after)

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def call(self, inputs, states, training=None):
        h_prev = states[0] if isinstance(states, list | tuple) else states
        x, h_fed = self._dropped(inputs, h_prev, training)
        u = self.units
        xw = x @ self.kernel  # (b, in) @ (in, 3u) -> (b, 3u)
        if self.reset_after:
            hu = h_fed @ self.recurrent_kernel  # (b, u) @ (u, 3u) -> (b, 3u)
            if self.bias is not None:
                xw = xw + self.bias[0]
                hu = hu + self.bias[1]
            z = self.recurrent_activation(xw[:, :u] + hu[:, :u])
            r = self.recurrent_activation(xw[:, u:2 * u] + hu[:, u:2 * u])
            hh = self.activation(xw[:, 2 * u:] + r * hu[:, 2 * u:])
        else:
            if self.bias is not None:
                xw = xw + self.bias
            hu = h_fed @ self.recurrent_kernel[:, :2 * u]  # (b, u) @ (u, 2u) -> (b, 2u)
            z = self.recurrent_activation(xw[:, :u] + hu[:, :u])
            r = self.recurrent_activation(xw[:, u:2 * u] + hu[:, u:])
            hh = self.activation(xw[:, 2 * u:] + (r * h_fed) @ self.recurrent_kernel[:, 2 * u:])  # (b,u)@(u,u)
        h = z * h_prev + (1.0 - z) * hh
        return h, [h]

    def get_config(self):
        return {**super().get_config(), "recurrent_activation": activations.serialize(self.recurrent_activation),
                "reset_after": self.reset_after}


# -- the generic layer: any cell, unrolled step by step ---------------------------------------


def _state_sizes(cell) -> list:
    size = cell.state_size
    return [int(s) for s in size] if isinstance(size, list | tuple) else [int(size)]


class RNN(Layer):
    """Run a cell over the timesteps of a sequence, one step at a time (the book's loop).

    Masked steps (bool mask (batch, time), from ``mask=`` or from the input, e.g. after
    ``Embedding(mask_zero=True)``) carry the states unchanged, and their output is the
    previous step's output (zeros before the first real step), as Keras 2 does. With
    ``return_sequences`` the same mask is set on the output, so a stacked RNN sees it (with
    ``go_backwards`` the output is reversed in time but, as in Keras, its mask is not).

    Args:
        cell: a cell layer (``SimpleRNNCell``, ``LSTMCell``, ``GRUCell`` or your own: a layer
            with ``state_size`` and ``call(x_t, states) -> (output, new_states)``).
        return_sequences: return every step's output (batch, time, units), not only the last.
        return_state: also return the final states: ``[output, *states]``.
        go_backwards: read the sequence from its end (the returned sequence is reversed too).
        stateful: the final states of a batch are the initial states of the next one (same
            batch size every call; ``reset_states()`` zeroes them; no gradient flows across batches).
        unroll: accepted for Keras compatibility; no effect (there is no graph to unroll).
        **kwargs: ``name``, ``input_shape``, ``trainable``, ``dtype``...

    Shapes:
        (batch, time, features) -> (batch, time, units) or (batch, units).

    Examples:
        >>> import numpy as np
        >>> layer = RNN(SimpleRNNCell(4), return_sequences=True)
        >>> layer(np.ones((2, 5, 3))).shape
        (2, 5, 4)
    """

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 unroll=False, **kwargs):
        super().__init__(**kwargs)
        owner = type(self).__name__
        if isinstance(cell, list | tuple):
            raise TypeError(f"{owner}: a list of cells (StackedRNNCells) is not supported; stack RNN layers "
                            "with return_sequences=True instead")
        if not hasattr(cell, "state_size") or not callable(getattr(cell, "call", None)):
            raise TypeError(f"{owner}: argument `cell` must be a layer with `state_size` and "
                            f"`call(inputs, states)`, got {cell!r}")
        self.cell = cell
        self.return_sequences = check_bool(owner, "return_sequences", return_sequences)
        self.return_state = check_bool(owner, "return_state", return_state)
        self.go_backwards = check_bool(owner, "go_backwards", go_backwards)
        self.stateful = check_bool(owner, "stateful", stateful)
        self.unroll = check_bool(owner, "unroll", unroll)  # no effect: kept so Keras code runs
        self.states = None  # stateful: the states carried to the next batch (arrays)
        self.supports_masking = True

    @property
    def units(self):
        return _state_sizes(self.cell)[0]

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) != 3:
            raise ValueError(f"Layer '{self.name}' expects inputs of rank 3 (batch, time, features), "
                             f"got shape {input_shape} (rank {len(input_shape)})")
        if input_shape[-1] is None:
            raise ValueError(f"Layer '{self.name}': the feature axis of the input must be known, "
                             f"got input shape {input_shape}")
        if not self.cell.built:
            self.cell.build((input_shape[0], input_shape[-1]))
            self.cell.built = True
        for v in self.cell.weights:  # Keras's paths: lstm/lstm_cell/kernel
            if not v.path.startswith(f"{self.name}/"):
                v.path = f"{self.name}/{v.path}"
        self.input_spec = InputSpec(ndim=3, axes={-1: input_shape[-1]})

    # -- the states at the start of a call ----------------------------------------------------
    def _initial_states(self, initial_state, batch: int, dtype) -> list:
        sizes = _state_sizes(self.cell)
        if initial_state is not None:
            given = list(initial_state) if isinstance(initial_state, list | tuple) else [initial_state]
            if len(given) != len(sizes):
                raise ValueError(f"Layer '{self.name}': initial_state must hold {len(sizes)} state(s) of shapes "
                                 f"{[(batch, s) for s in sizes]}, got {len(given)}")
            states = []
            for s, size in zip(given, sizes):
                if not isinstance(s, Tensor):
                    s = np.asarray(s)
                    s = Tensor(s, dtype=dtype)
                if tuple(s.shape) != (batch, size):
                    raise ValueError(f"Layer '{self.name}': initial_state must have shapes "
                                     f"{[(batch, n) for n in sizes]}, got {tuple(s.shape)}")
                states.append(s)
            return states
        if self.stateful:
            if self.states is None:
                self.states = [np.zeros((batch, s), dtype) for s in sizes]
            elif self.states[0].shape[0] != batch:
                raise ValueError(f"Layer '{self.name}' is stateful and holds states for batches of "
                                 f"{self.states[0].shape[0]} samples, got a batch of {batch}; feed batches of one "
                                 "size (batch_size=..., shuffle=False), or call reset_states() first")
            return [Tensor(s, dtype=s.dtype) for s in self.states]  # constants: no gradient flows across batches
        return [Tensor(np.zeros((batch, s), dtype), dtype=dtype) for s in sizes]

    def reset_states(self, states=None):
        """Zero the carried states of a stateful layer (or set them to ``states``)."""
        if not self.stateful:
            raise AttributeError(f"Layer '{self.name}' is not stateful (stateful=False): it has no states to reset")
        if states is None:
            self.states = None if self.states is None else [np.zeros_like(s) for s in self.states]
            return
        given = list(states) if isinstance(states, list | tuple) else [states]
        sizes = _state_sizes(self.cell)
        if len(given) != len(sizes) or any(np.shape(s)[-1:] != (n,) or np.ndim(s) != 2 for s, n in zip(given, sizes)):
            raise ValueError(f"Layer '{self.name}': reset_states expects {len(sizes)} array(s) of shapes "
                             f"(batch, {sizes}), got {[np.shape(s) for s in given]}")
        self.states = [np.array(s, dtype=self.dtype) for s in given]

    reset_state = reset_states  # Keras 3's spelling

    # -- the call -------------------------------------------------------------------------------
    def call(self, inputs, mask=None, training=None, initial_state=None):
        if inputs.ndim != 3:
            raise ValueError(f"Layer '{self.name}' expects inputs of rank 3 (batch, time, features), "
                             f"got shape {tuple(inputs.shape)}")
        if inputs.dtype.kind != "f":
            inputs = inputs.astype(self.dtype)
        batch, steps = inputs.shape[0], inputs.shape[1]
        if steps == 0:
            raise ValueError(f"Layer '{self.name}' got a sequence of 0 timesteps (input shape {tuple(inputs.shape)})")
        if mask is None:
            mask = get_mask(inputs)
        if mask is not None:
            mask = np.asarray(mask, dtype=bool)
            if mask.shape != (batch, steps):
                raise ValueError(f"Layer '{self.name}': the mask must have shape (batch, time) = {(batch, steps)}, "
                                 f"got {mask.shape}")
        states = self._initial_states(initial_state, batch, inputs.dtype)
        reset = getattr(self.cell, "reset_dropout_mask", None)
        if reset is not None:
            reset()
        try:
            output, final_states = self._run(inputs, states, mask, bool(training))
        finally:
            if reset is not None:
                reset()
        if self.stateful:
            self.states = [np.array(s.data) for s in final_states]
        if self.return_sequences and mask is not None:
            set_mask(output, mask)
        if self.return_state:
            return [output, *final_states]
        return output

    def _run(self, inputs, states, mask, training):
        """The book's loop: the cell, one step at a time. Returns (output, final_states)."""
        steps = inputs.shape[1]
        order = range(steps - 1, -1, -1) if self.go_backwards else range(steps)
        outputs, prev_output = [], None
        for t in order:
            output, new_states = self.cell(inputs[:, t], states, training=training)
            new_states = list(new_states) if isinstance(new_states, list | tuple) else [new_states]
            if mask is not None:  # padded step: keep the states, repeat the previous output
                real = mask[:, t:t + 1]  # (batch, 1), broadcast over the units
                new_states = [dt.where(real, n, s) for n, s in zip(new_states, states)]
                if prev_output is None:
                    prev_output = Tensor(np.zeros(output.shape, output.dtype), dtype=output.dtype)
                output = dt.where(real, output, prev_output)
            states, prev_output = new_states, output
            outputs.append(output)
        result = dt.stack(outputs, axis=1) if self.return_sequences else outputs[-1]  # T x (b, u) -> (b, T, u)
        return result, states

    # -- shapes and config -------------------------------------------------------------------
    def compute_output_shape(self, input_shape):
        batch, steps = input_shape[0], input_shape[1]
        units = _state_sizes(self.cell)
        out = (batch, steps, units[0]) if self.return_sequences else (batch, units[0])
        if self.return_state:
            return [out, *[(batch, s) for s in units]]
        return out

    def compute_output_spec(self, inputs, **kwargs):
        if kwargs.get("initial_state") is not None:
            raise TypeError(f"Layer '{self.name}': initial_state must be arrays or Tensors in an eager call; "
                            "symbolic initial states (functional API) are not supported")
        return super().compute_output_spec(inputs)

    def _rnn_config(self):
        return {"return_sequences": self.return_sequences, "return_state": self.return_state,
                "go_backwards": self.go_backwards, "stateful": self.stateful, "unroll": self.unroll}

    def get_config(self):
        return {**super().get_config(), "cell": serialize_layer(self.cell), **self._rnn_config()}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["cell"] = deserialize_layer(config["cell"])
        return cls(**config)


# -- the fused layers' base class ------------------------------------------------------------


class FusedRNN(RNN, register=False):
    """Base of ``SimpleRNN``, ``LSTM`` and ``GRU``: a cell for the weights and the readable
    path, one fused op for the recurrence.

    Subclasses set ``cell_class`` and write ``_fused(inputs, states, mask, masks)`` that runs
    their op and returns ``(output, final_states)``, and ``_fusable()`` (the activations the op
    knows). Otherwise (an activation the op does not special-case) the cell is unrolled by
    ``RNN``'s loop: slower, same results.
    """

    cell_class = None
    _cell_args = ()  # the constructor arguments that belong to the cell

    def __init__(self, units, *, return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 unroll=False, **kwargs):
        layer_kwargs = {k: kwargs.pop(k) for k in list(kwargs) if k not in self._cell_args}
        cell_kwargs = {k: layer_kwargs[k] for k in ("dtype", "trainable") if k in layer_kwargs}
        cell = self.cell_class(units, **kwargs, **cell_kwargs)
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll, **layer_kwargs)

    def __getattr__(self, name):  # units, activation, kernel, bias...: the cell's
        cell = self.__dict__.get("cell")
        if cell is not None and (name in self._cell_args or name in ("kernel", "recurrent_kernel", "bias")):
            return getattr(cell, name)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def _fusable(self) -> bool:
        return True

    def _run(self, inputs, states, mask, training):
        if not self._fusable():
            return super()._run(inputs, states, mask, training)
        cell = self.cell
        input_mask = recurrent_mask = None
        if training:  # the same draws, in the same order, as the cell's at its first step
            input_mask = cell.get_dropout_mask(inputs[:, 0])
            recurrent_mask = cell.get_recurrent_dropout_mask(states[0])
        return self._fused(inputs, states, mask, input_mask, recurrent_mask)

    def get_config(self):
        cell_config = self.cell.get_config()
        for key in ("name", "trainable", "dtype"):
            cell_config.pop(key, None)
        return {**Layer.get_config(self), **cell_config, **self._rnn_config()}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


# -- helpers shared by the fused ops ---------------------------------------------------------


#: The activations the fused ops compute themselves: name -> (in-place forward, derivative from the output).
def _tanh_grad(y, out):
    np.multiply(y, y, out=out)
    np.subtract(1.0, out, out=out)  # 1 - tanh^2
    return out


def _relu_fwd(a):
    np.maximum(a, 0.0, out=a)


def _relu_grad(y, out):
    np.greater(y, 0.0, out=out, casting="unsafe")  # 1 where the output is positive
    return out


def _linear_fwd(a):
    pass


def _linear_grad(y, out):
    out.fill(1.0)
    return out


def _sigmoid_fwd(a):
    np.multiply(a, 0.5, out=a)
    np.tanh(a, out=a)
    np.multiply(a, 0.5, out=a)
    np.add(a, 0.5, out=a)  # sigmoid(x) = (1 + tanh(x / 2)) / 2, no overflow


def _sigmoid_grad(y, out):
    np.multiply(y, y, out=out)
    np.subtract(y, out, out=out)  # s (1 - s)
    return out


FUSED_ACTIVATIONS = {
    "tanh": (lambda a: np.tanh(a, out=a), _tanh_grad),
    "relu": (_relu_fwd, _relu_grad),
    "linear": (_linear_fwd, _linear_grad),
    "sigmoid": (_sigmoid_fwd, _sigmoid_grad),
}


def activation_name(fn):
    """The name of a built-in activation function, or None for any other callable."""
    try:
        name = activations.serialize(fn)
    except ValueError:
        return None
    return name if isinstance(name, str) else None


#: OpenBLAS runs a product on one thread when m * n * k <= 4 * 65536; above, it wakes a second
#: thread, which costs more than it saves on a step's small product (and, on a busy machine, can
#: stall the step for milliseconds). The per-step products are split in row blocks below this size.
SINGLE_THREAD_PRODUCT = 4 * 65536


def product_blocks(lhs: np.ndarray, out: np.ndarray) -> list:
    """Pairs of row blocks of ``lhs`` (m, k) and ``out`` (m, n) such that each block's product
    ``lhs_block @ rhs`` (rhs (k, n)) stays within ``SINGLE_THREAD_PRODUCT``; usually 1 or 2 pairs.

    Examples:
        >>> [(a.shape, o.shape) for a, o in product_blocks(np.ones((128, 32)), np.ones((128, 128)))]
        [((64, 32), (64, 128)), ((64, 32), (64, 128))]
    """
    m, k = lhs.shape
    rows = max(1, min(m, SINGLE_THREAD_PRODUCT // max(1, k * out.shape[1])))
    return [(lhs[i:i + rows], out[i:i + rows]) for i in range(0, m, rows)]


class WeightShares:
    """The weight gradients of a fused op, gathered one block of steps at a time.

    A block's share is ONE matrix product: the rows the weights met, stacked (the inputs with
    their row of ones, ``feature_major(..., ones_row=True)``, then h, ...), against the gates'
    gradient, both laid out ``(rows, steps x batch)``. Row by row, the product holds the
    block's ``sum_t X[t] @ dG[t].T`` (the kernel's gradient), ``dG.sum()`` (the bias's, from the
    row of ones) and ``sum_t H[t] @ dG[t].T`` (the recurrent kernel's). Each block writes a slot
    of its own, so the blocks can be gathered on another thread while the loop runs on
    (``overlap.py``); ``total()`` adds the slots. One product per block, instead of one per
    weight, took an LSTM's backward with the second thread from 33.5 to 29.3 ms.

    Args:
        rows: the stacked rows (``in + 1 + units`` for an LSTM).
        columns: rows of the gates' gradient (``4 units`` for an LSTM).
        blocks: ``step_blocks(steps)``.
        batch, dtype: of the arrays.

    Examples:
        >>> x, h, dg = np.ones((3, 2, 4)), np.ones((3, 1, 4)), np.ones((3, 5, 4))   # (T, m, b)
        >>> shares = WeightShares(3, 5, [(0, 2), (2, 3)], 4, np.float64)
        >>> shares.add(0, [x[:2], h[:2]], dg[:2]); shares.add(2, [x[2:], h[2:]], dg[2:])   # by first step
        >>> shares.total()[:, 0]                           # 3 steps x 4 samples in every cell
        array([12., 12., 12.])
    """

    def __init__(self, rows: int, columns: int, blocks: list, batch: int, dtype):
        size = max(stop - start for start, stop in blocks)
        self.slots = {start: i for i, (start, _) in enumerate(blocks)}
        self.shares = np.empty((len(blocks), rows, columns), dtype)  # one (rows, columns) slot per block
        self.lhs = np.empty((rows, size, batch), dtype)  # scratch: the stacked rows, (rows, s, b)
        self.rhs = np.empty((columns, size, batch), dtype)  # scratch: the gradient, (columns, s, b)

    def add(self, start: int, parts: list, grads: np.ndarray) -> None:
        """The share of the block starting at step ``start``: ``parts`` (s, m_i, b) stacked, against
        ``grads`` (s, columns, b)."""
        n, row = len(grads), 0
        for part in parts:
            np.copyto(self.lhs[row:row + part.shape[1], :n], part.transpose(1, 0, 2))  # (s, m, b) -> (m, s, b)
            row += part.shape[1]
        np.copyto(self.rhs[:, :n], grads.transpose(1, 0, 2))  # (s, columns, b) -> (columns, s, b)
        lhs = self.lhs[:, :n].reshape(len(self.lhs), -1)  # (rows, s * b)
        rhs = self.rhs[:, :n].reshape(len(self.rhs), -1)  # (columns, s * b)
        np.matmul(lhs, rhs.T, out=self.shares[self.slots[start]])  # (rows, s * b) @ (s * b, columns)

    def total(self) -> np.ndarray:
        """The sum over every block: (rows, columns)."""
        return self.shares.sum(axis=0)


def feature_major(x: np.ndarray, go_backwards: bool, dtype, input_mask=None, ones_row: bool = False) -> np.ndarray:
    """(batch, time, in) -> a contiguous (time, in, batch) array in processing order (each
    step's inputs one contiguous (in, batch) block), the input dropout mask (batch, in) applied.
    With ``ones_row``, (time, in + 1, batch), the last row of each step all ones: a product
    with it adds a bias, and a product of a gradient with it sums that gradient."""
    xt = x[:, ::-1] if go_backwards else x
    xt = xt.transpose(1, 2, 0)  # (b, T, in) -> (T, in, b), a view
    steps, n_in, batch = xt.shape
    out = np.empty((steps, n_in + ones_row, batch), dtype)
    if input_mask is not None:
        np.multiply(xt, input_mask.T, out=out[:, :n_in], casting="unsafe")  # (T, in, b) * (in, b)
    else:
        np.copyto(out[:, :n_in], xt, casting="unsafe")
    if ones_row:
        out[:, n_in] = 1
    return out


def batch_major(seq: np.ndarray, go_backwards: bool) -> np.ndarray:
    """(time, features, batch) in processing order -> (batch, time, features) in input order."""
    seq = seq[::-1] if go_backwards else seq
    return seq.transpose(2, 0, 1)  # (T, f, b) -> (b, T, f), a view


def step_masks(mask, go_backwards: bool, dtype):
    """A (batch, time) bool mask -> arrays (time, 1, batch) in processing order:
    (real float, padded bool, padded float, seen float), ``seen`` 1 from the first real step
    on (before it, Keras's output is 0)."""
    m = mask[:, ::-1] if go_backwards else mask
    m = np.ascontiguousarray(m.T)[:, None, :]  # (b, T) -> (T, 1, b)
    seen = np.logical_or.accumulate(m, axis=0)  # (T, 1, b): a real step happened at or before t
    return m.astype(dtype), ~m, (~m).astype(dtype), seen.astype(dtype)


def sequence_grads(d_output, return_sequences: bool, seen):
    """The output's gradient (batch, time, units) -> contiguous (time, units, batch), or None."""
    if not return_sequences:
        return None
    dseq = np.ascontiguousarray(d_output.transpose(1, 2, 0))  # (b, T, u) -> (T, u, b)
    if seen is not None:
        dseq *= seen  # the output is 0 before the first real step
    return dseq


def backward_start(op, d_output, d_h, dtype):
    """What the backward pass of every fused recurrent op starts from.

    Returns ``(real, padded_f, dseq, dh, rmask)``: the step masks (time, 1, batch) as floats
    (or None without a mask), the output's gradient per step (time, units, batch) (None
    without ``return_sequences``), dL/dh of the last step (units, batch), contiguous and
    ready to run backwards, and the recurrent dropout mask (units, batch) or None.
    """
    real = padded_f = None
    if op.mask is not None:
        real, _, padded_f, _ = step_masks(op.mask, op.go_backwards, dtype)
    seen = op._seen
    dseq = sequence_grads(d_output, op.return_sequences, seen)  # (T, u, b) or None
    dh = np.array(d_h.T, dtype=dtype, order="C")  # (b, u) -> (u, b): dL/dh_t, running backwards
    if not op.return_sequences:
        dh += d_output.T if seen is None else d_output.T * seen[-1]  # (b, u) -> (u, b)
    rmask = None if op.recurrent_mask is None else np.ascontiguousarray(op.recurrent_mask.T)  # (b, u) -> (u, b)
    return real, padded_f, dseq, dh, rmask


def make_output(H: np.ndarray, return_sequences: bool, seen):
    """States H (T + 1, units, batch), H[0] the initial state -> the layer's output,
    (batch, T, units) or (batch, units)."""
    if return_sequences:
        seq = H[1:]
        if seen is not None:
            seq = seq * seen  # (T, u, b) * (T, 1, b)
        return seq.transpose(2, 0, 1)  # (T, u, b) -> (b, T, u), a view
    last = H[-1] * seen[-1] if seen is not None else H[-1]
    return np.ascontiguousarray(last.T)  # (u, b) -> (b, u)
