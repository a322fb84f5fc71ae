"""``Bidirectional``: read the sequence both ways and merge what the two RNNs say.

A forward RNN sees each step with its past; a copy reading the sequence from its end
(``go_backwards=True``) sees it with its future. ``Bidirectional(LSTM(32))`` runs both and
merges their outputs (concatenated by default): the book's section 6.3.8, where it helps on
IMDB, whose sentiment does not depend on reading order, and not on the temperature forecast.
"""

from __future__ import annotations

import dl_tensor as dt
from dl_layers.checks import check_choice
from dl_layers.layer import Layer
from dl_layers.layers.masking import get_mask, set_mask
from dl_layers.registry import deserialize_layer, serialize_layer

from .recurrent import RNN

__all__ = ["Bidirectional"]

MERGE_MODES = ("concat", "sum", "mul", "ave", None)


class Bidirectional(Layer):
    """Run an RNN layer forwards and a copy of it backwards, and merge the two outputs.

    The backward copy is a fresh layer built from ``layer.get_config()`` with ``go_backwards``
    flipped (its own weights), unless ``backward_layer`` is given. With ``return_sequences`` its
    output is reversed back in time, so both outputs at position t describe the same step. The
    weights are the forward layer's, then the backward layer's.

    Args:
        layer: a recurrent layer (``SimpleRNN``, ``LSTM``, ``GRU`` or an ``RNN``).
        merge_mode: "concat" (default), "sum", "mul", "ave", or None (a list of the two outputs).
        backward_layer: the layer for the backward direction (its ``go_backwards`` must be the
            opposite of ``layer``'s, and its ``return_sequences``/``return_state`` the same).
        **kwargs: ``name``, ``input_shape``, ``trainable``...

    Shapes:
        (batch, time, features) -> (batch, [time,] 2 units) with "concat", (batch, [time,] units)
        otherwise; with ``return_state``, the forward states then the backward ones follow.

    Examples:
        >>> import numpy as np
        >>> from dl_sequence import LSTM
        >>> layer = Bidirectional(LSTM(4))
        >>> layer(np.ones((2, 5, 3), np.float32)).shape
        (2, 8)
        >>> [w.shape for w in layer.get_weights()]
        [(3, 16), (4, 16), (16,), (3, 16), (4, 16), (16,)]
    """

    def __init__(self, layer, merge_mode="concat", backward_layer=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(layer, RNN):
            raise TypeError(f"Bidirectional: argument `layer` must be a recurrent layer (SimpleRNN, LSTM, GRU or "
                            f"RNN), got {layer!r}")
        self.merge_mode = check_choice("Bidirectional", "merge_mode", merge_mode, MERGE_MODES)
        self.forward_layer = layer
        self._custom_backward = backward_layer is not None  # saved in the config only if given
        if backward_layer is None:
            config = layer.get_config()
            config["go_backwards"] = not layer.go_backwards
            config["name"] = f"backward_{layer.name}"
            config.pop("batch_input_shape", None)
            backward_layer = type(layer).from_config(config)
        else:
            if not isinstance(backward_layer, RNN):
                raise TypeError(f"Bidirectional: argument `backward_layer` must be a recurrent layer, "
                                f"got {backward_layer!r}")
            if backward_layer.go_backwards == layer.go_backwards:
                raise ValueError("Bidirectional: `backward_layer` must have the opposite go_backwards of `layer`, "
                                 f"both have go_backwards={layer.go_backwards}")
            for flag in ("return_sequences", "return_state"):
                if getattr(backward_layer, flag) != getattr(layer, flag):
                    raise ValueError(f"Bidirectional: `backward_layer` and `layer` must have the same {flag}")
        self.backward_layer = backward_layer
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True
        if self._batch_input_shape is None and layer._batch_input_shape is not None:
            self._batch_input_shape = layer._batch_input_shape

    def build(self, input_shape):
        if not self.forward_layer.built:
            self.forward_layer._maybe_build(input_shape)
        if not self.backward_layer.built:
            self.backward_layer._maybe_build(input_shape)

    def _merge(self, y, y_rev):
        if self.merge_mode == "concat":
            return dt.concatenate([y, y_rev], axis=-1)
        if self.merge_mode == "sum":
            return y + y_rev
        if self.merge_mode == "mul":
            return y * y_rev
        if self.merge_mode == "ave":
            return (y + y_rev) * 0.5
        return [y, y_rev]

    def call(self, inputs, mask=None, training=None, initial_state=None):
        if mask is None:
            mask = get_mask(inputs)
        forward_state = backward_state = None
        if initial_state is not None:
            states = list(initial_state)
            half = len(states) // 2
            forward_state, backward_state = states[:half], states[half:]
        y = self.forward_layer(inputs, mask=mask, training=training, initial_state=forward_state)
        y_rev = self.backward_layer(inputs, mask=mask, training=training, initial_state=backward_state)
        states = []
        if self.return_state:
            y, *states_fwd = y
            y_rev, *states_bwd = y_rev
            states = states_fwd + states_bwd
        if self.return_sequences:
            y_rev = y_rev[:, ::-1]  # back to input order: position t of both outputs is step t
        output = self._merge(y, y_rev)
        if self.return_sequences and mask is not None:
            for out in output if isinstance(output, list) else [output]:
                set_mask(out, mask)
        if self.return_state:
            return (output if isinstance(output, list) else [output]) + states
        return output

    def compute_output_shape(self, input_shape):
        out = self.forward_layer.compute_output_shape(input_shape)
        states = []
        if self.return_state:
            out, *states = out
            states = states + states
        if self.merge_mode == "concat":
            out = (*out[:-1], 2 * out[-1])
        outputs = [out, out] if self.merge_mode is None else [out]
        if self.return_state:
            return outputs + states
        return outputs if self.merge_mode is None else out

    def compute_output_spec(self, inputs, **kwargs):
        if kwargs.get("initial_state") is not None:
            raise TypeError(f"Layer '{self.name}': initial_state must be arrays or Tensors in an eager call")
        return super().compute_output_spec(inputs)

    def reset_states(self, states=None):
        """Reset the states of both directions (stateful layers)."""
        if states is None:
            self.forward_layer.reset_states()
            self.backward_layer.reset_states()
            return
        states = list(states)
        half = len(states) // 2
        self.forward_layer.reset_states(states[:half])
        self.backward_layer.reset_states(states[half:])

    reset_state = reset_states

    def get_config(self):
        config = {**super().get_config(), "layer": serialize_layer(self.forward_layer), "merge_mode": self.merge_mode}
        if self._custom_backward:
            config["backward_layer"] = serialize_layer(self.backward_layer)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["layer"] = deserialize_layer(config["layer"])
        if config.get("backward_layer") is not None:
            config["backward_layer"] = deserialize_layer(config["backward_layer"])
        return cls(**config)
