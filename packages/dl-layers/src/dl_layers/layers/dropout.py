"""``Dropout``: while training, zero a random fraction of the inputs.

Each input is kept with probability ``1 - rate`` and scaled by ``1 / (1 - rate)`` ("inverted
dropout"), so the expected value of every unit is the same in training and inference,
and at inference the layer does nothing at all.
"""

from __future__ import annotations

import numpy as np

from dl_tensor import random as dl_random

from ..checks import check_number
from ..layer import Layer


class Dropout(Layer):
    """Randomly set a fraction ``rate`` of inputs to 0 during training.

    Args:
        rate: fraction to drop, in [0, 1).
        noise_shape: shape of the mask, with 1s where the same decision is shared
            (e.g. ``(batch, 1, features)`` drops whole features for every timestep);
            None means the input's shape.
        seed: own seed for the masks; by default they come from dl-tensor's seeded generator.

    Examples:
        >>> import numpy as np
        >>> layer = Dropout(0.5)
        >>> x = np.ones((1000, 10), np.float32)
        >>> bool((layer(x).numpy() == x).all())      # inference: unchanged
        True
        >>> kept = layer(x, training=True).numpy()
        >>> sorted(set(kept.ravel().tolist()))        # dropped, or scaled by 1 / (1 - rate)
        [0.0, 2.0]
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        rate = check_number("Dropout", "rate", rate, minimum=0, maximum=1, max_inclusive=False)
        self.rate, self.noise_shape, self.seed = float(rate), noise_shape, seed
        self._rng = np.random.default_rng(seed) if seed is not None else None

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        shape = inputs.shape
        if self.noise_shape is not None:
            shape = tuple(s if n is None else n for s, n in zip(shape, self.noise_shape))
            # the mask must broadcast against the input: same rank, each axis 1 or the input's size
            if len(self.noise_shape) != len(inputs.shape) or any(n not in (1, s) for n, s in zip(shape, inputs.shape)):
                raise ValueError(f"Layer '{self.name}': noise_shape {tuple(self.noise_shape)} does not fit inputs "
                                 f"of shape {inputs.shape} (same rank; each axis 1, None or the input's size)")
        rng = self._rng or dl_random.get_rng()
        keep = rng.random(shape, dtype=np.float32) >= self.rate  # (mask shape) bool
        mask = keep * np.asarray(1.0 / (1.0 - self.rate), dtype=inputs.dtype)  # kept entries are scaled up
        return inputs * mask

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "rate": self.rate,
                "noise_shape": list(self.noise_shape) if self.noise_shape else None, "seed": self.seed}
