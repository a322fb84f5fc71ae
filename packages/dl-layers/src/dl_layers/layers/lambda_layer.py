"""``Lambda``: wrap any function of tensors as a layer (it cannot be saved: code is never serialized)."""

from __future__ import annotations

from ..layer import Layer


class Lambda(Layer):
    """A layer computing ``function(inputs, **arguments)``.

    Args:
        function: a function of dl-tensor Tensors.
        output_shape: optional output shape (without batch axis); found by running the
            function on zeros otherwise.
        arguments: extra keyword arguments for ``function``.

    Examples:
        >>> import numpy as np
        >>> print(Lambda(lambda x: x * 2)(np.ones((1, 2))))
        Tensor([[2., 2.]], dtype=float32)
    """

    accepts_text = True  # its function decides

    def __init__(self, function, output_shape=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"Lambda: function must be callable, got {function!r}")
        self.function, self.arguments = function, dict(arguments or {})
        self._output_shape = tuple(output_shape) if output_shape is not None else None

    def call(self, inputs):
        return self.function(inputs, **self.arguments)

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            raise NotImplementedError
        return (None, *self._output_shape)

    def get_config(self):
        raise NotImplementedError(
            f"Layer '{self.name}' is a Lambda layer: dl-book never saves code, so it cannot be "
            "serialized; write a Layer subclass (it registers itself) to save this model"
        )
