"""``LSTM``: the long short-term memory layer, one fused op over the whole sequence.

The readable version is ``LSTMCell`` (in ``recurrent.py``) unrolled by ``RNN``: the book's
equations, one step at a time, differentiated by autodiff. ``LSTMOp`` computes the same
thing as one op with a hand-written backpropagation through time:

* forward: the input projections of a block of timesteps in one stacked product (on long
  sequences on a second thread, ahead of the loop: ``overlap.py``), laid out (time, 4 units,
  batch) so each step reads one contiguous block; then per step
  one product ``h @ U`` for the four gates, added in place, and the gate nonlinearities
  applied in place. The gate columns are reordered internally to i, f, o | c, and the
  sigmoid columns of the weights are halved, so ONE ``tanh`` call computes all four gates
  (``sigmoid(x) = (1 + tanh(x / 2)) / 2``, two more calls on the contiguous i, f, o block);
* backward: per step the four gate gradients go into one preallocated (time, 4 units, batch)
  array and ``dh = U @ dG[t]`` is one product; once the loop has gone back past a block of
  steps, that block's share of ``dW = X.T @ dG``, ``db = dG.sum`` and ``dU = H.T @ dG`` (ONE
  product: the inputs carry a row of ones, which also adds the bias in the forward's
  projection) and ``dx = W @ dG`` is gathered (on long sequences on the second thread, while
  the loop goes on, in five calls per block: each call there costs the loop a hand-over of
  Python's lock).

Memory: the op keeps, per step, the gates (4 units), h, c and tanh(c): linear in time.
"""

from __future__ import annotations

import numpy as np

from dl_tensor import Op
from dl_tensor.elementwise import match_dtypes

from .overlap import Overlap, step_blocks, use_second_thread
from .recurrent import (
    FUSED_ACTIVATIONS,
    FusedRNN,
    LSTMCell,
    WeightShares,
    activation_name,
    backward_start,
    batch_major,
    feature_major,
    make_output,
    step_masks,
)

__all__ = ["LSTM", "LSTMOp"]


def _gate_order(u: int) -> np.ndarray:
    """Column permutation Keras's (i, f, c, o) -> ours (i, f, o, c): the three sigmoid gates first."""
    return np.concatenate([np.arange(0, 2 * u), np.arange(3 * u, 4 * u), np.arange(2 * u, 3 * u)])


class LSTMOp(Op):
    """The LSTM recurrence over a whole sequence, as one op.

    Inputs: x (batch, time, in), kernel (in, 4u), recurrent_kernel (u, 4u), [bias (4u,) if
    ``use_bias``], h0 (batch, u), c0 (batch, u); gates in Keras's order i, f, c, o.
    Outputs: (output, h_T, c_T); output is (batch, time, u) with ``return_sequences``, else (batch, u).

    Inside, arrays are (time, features, batch): each step's gates are one contiguous (4u, batch)
    block whose gates are contiguous row blocks, and ``U.T @ h`` writes them in place.

    NumPy calls per timestep (tanh, no mask, no dropout), counted in the loops below:
    forward 11: 2 products (``U.T @ h`` in two row blocks, see ``product_blocks``; one product
    when BLAS is kept to one thread for a long sequence, see ``overlap.py``), 1 add,
    1 tanh for all four gates, 2 for the sigmoid affine, 3 for the carry, 1 tanh(c), 1 for h.
    Backward 18 (+1 with ``return_sequences``): 2 products and 16 element-wise calls.
    A mask adds 2 calls per step forward and 6 backward; recurrent dropout 1 forward and 1 backward.

    Args:
        go_backwards: process the sequence from its end (the output is in that order).
        return_sequences: output every step's h, else the last output.
        mask: (batch, time) bool, True = real step, or None.
        input_mask: dropout mask on the inputs (batch, in), or None.
        recurrent_mask: dropout mask on the h fed to the recurrent kernel (batch, u), or None.
        activation: "tanh", "relu" or "linear" (the gates are always sigmoid).
        use_bias: whether a bias input is given.
    """

    def __init__(self, go_backwards=False, return_sequences=False, mask=None, input_mask=None, recurrent_mask=None,
                 activation="tanh", use_bias=True):
        if activation not in ("tanh", "relu", "linear"):
            raise ValueError(f"LSTMOp: activation must be 'tanh', 'relu' or 'linear', got {activation!r}")
        self.go_backwards, self.return_sequences = go_backwards, return_sequences
        self.mask, self.input_mask, self.recurrent_mask = mask, input_mask, recurrent_mask
        self.activation, self.use_bias = activation, use_bias

    def forward(self, x, kernel, recurrent_kernel, *rest):
        x, kernel = match_dtypes("lstm", x, kernel)  # ints take the kernel dtype; floats never mix
        bias, h0, c0 = rest if self.use_bias else (None, *rest)
        dtype = kernel.dtype
        batch, steps, n_in = x.shape
        u = recurrent_kernel.shape[0]
        s3 = 3 * u  # the sigmoid gates i, f, o: rows 0..3u of a step's gates; c~ rows 3u..4u
        perm = _gate_order(u)
        WT = kernel[:, perm].T  # (4u, in), rows i, f, o, c~ (a copy)
        UT = recurrent_kernel[:, perm].T  # (4u, u)
        b_col = (bias[perm] if bias is not None else np.zeros(4 * u, dtype))[:, None]  # (4u, 1)
        WbT_half = np.concatenate([WT, b_col], axis=1)  # (4u, in + 1): the kernel's rows, then the bias
        UT_half = UT.copy()  # WT and UT stay unscaled, for the backward
        WbT_half[:s3] *= 0.5  # sigmoid(z) = (1 + tanh(z / 2)) / 2: the sigmoid gates' weights halved
        UT_half[:s3] *= 0.5
        # (T, in + 1, b): each step's inputs and a row of ones, so that one product adds the bias too
        X1 = feature_major(x, self.go_backwards, dtype, self.input_mask, ones_row=True)
        G = np.empty((steps, 4 * u, batch), dtype)  # every step's x W + b, turned into the gates in place

        def project(start, stop):  # a block of steps' input projections (the second thread's work: one call)
            np.matmul(WbT_half, X1[start:stop], out=G[start:stop])  # (4u, in + 1) @ (s, in + 1, b) -> (s, 4u, b)

        H = np.empty((steps + 1, u, batch), dtype)  # h, H[0] = h0
        C = np.empty((steps + 1, u, batch), dtype)  # c, C[0] = c0
        TC = np.empty((steps, u, batch), dtype)  # activation(c)
        H[0], C[0] = h0.T, c0.T  # (b, u) -> (u, b)
        rmask = None if self.recurrent_mask is None else np.ascontiguousarray(self.recurrent_mask.T)  # (u, b)
        HD = np.empty((steps, u, batch), dtype) if rmask is not None else None  # h * dropout mask
        real = padded = seen = None
        if self.mask is not None:
            real, padded, _, seen = step_masks(self.mask, self.go_backwards, dtype)
        act, _ = FUSED_ACTIVATIONS[self.activation]
        one_tanh = self.activation == "tanh"
        hu = np.empty((4 * u, batch), dtype)
        tmp = np.empty((u, batch), dtype)
        matmul, add, multiply, tanh, copyto = np.matmul, np.add, np.multiply, np.tanh, np.copyto
        with Overlap(use_second_thread(steps, batch, u)) as worker:
            products = worker.products(UT_half, hu)  # U.T @ h: whole on one BLAS thread, else in row blocks
            for start, stop in worker.ahead(project, steps):  # each block once its projections are done
                for t in range(start, stop):
                    g = G[t]  # (4u, b): x W + b of step t, turned into the gates in place
                    h = H[t]
                    if rmask is not None:
                        h = multiply(h, rmask, out=HD[t])
                    for u_rows, out_rows in products:
                        matmul(u_rows, h, out=out_rows)  # (rows, u) @ (u, b) -> (rows, b)
                    add(g, hu, out=g)
                    if one_tanh:
                        tanh(g, out=g)  # i, f, o (halved) and c~: four gates in one call
                    else:
                        tanh(g[:s3], out=g[:s3])
                        act(g[s3:])
                    sg = g[:s3]
                    multiply(sg, 0.5, out=sg)
                    add(sg, 0.5, out=sg)  # (1 + tanh(z / 2)) / 2 = sigmoid(z)
                    c = C[t + 1]
                    multiply(g[u:2 * u], C[t], out=c)  # f * c
                    multiply(g[:u], g[s3:], out=tmp)  # i * c~
                    add(c, tmp, out=c)
                    tc = TC[t]
                    if one_tanh:
                        tanh(c, out=tc)
                    else:
                        copyto(tc, c)
                        act(tc)
                    multiply(g[2 * u:s3], tc, out=H[t + 1])  # h = o * activation(c)
                    if padded is not None:  # padded step: carry h and c unchanged
                        copyto(H[t + 1], H[t], where=padded[t])
                        copyto(C[t + 1], C[t], where=padded[t])
        self.save_for_backward(X1, WT, UT, G, H, C, TC, HD)
        self._seen = seen
        output = make_output(H, self.return_sequences, seen)
        return output, np.ascontiguousarray(H[-1].T), np.ascontiguousarray(C[-1].T)

    def backward(self, d_output, d_h, d_c):
        X1, WT, UT, G, H, C, TC, HD = self.saved
        steps, _, batch = G.shape
        u = H.shape[1]
        n_in = X1.shape[1] - 1
        s3 = 3 * u
        dtype = G.dtype
        real, padded_f, dseq, dh, rmask = backward_start(self, d_output, d_h, dtype)
        dc = np.array(d_c.T, dtype=dtype, order="C")  # (b, u) -> (u, b): dL/dc_t
        _, act_grad = FUSED_ACTIVATIONS[self.activation]
        one_tanh = self.activation == "tanh"
        dG = np.empty_like(G)  # (T, 4u, b): dL/d(pre-activation) of the gates i, f, o, c~
        U = np.ascontiguousarray(UT.T)  # (u, 4u), unscaled
        deriv = np.empty((4 * u, batch), dtype)
        tmp = np.empty((u, batch), dtype)
        keep_h = np.empty((u, batch), dtype) if real is not None else None
        keep_c = np.empty((u, batch), dtype) if real is not None else None
        need = self.needs_input_grad
        dX = np.empty((steps, n_in, batch), dtype) if need[0] else None  # (T, in, b)
        WT_x = np.ascontiguousarray(WT.T)  # (in, 4u)
        Hin = HD if HD is not None else H[:-1]  # (T, u, b): the h the recurrent kernel saw
        weights = need[1] or need[2] or (self.use_bias and need[3])
        # each block's x, 1 and h rows against its gates' gradient: ONE product gives its share of
        # dW (rows 0..in), db (row in) and dU (the last u rows)
        shares = WeightShares(n_in + 1 + u, 4 * u, step_blocks(steps), batch, dtype) if weights else None

        def gather(start, stop):  # a finished block's share of the gradients (the second thread's work: 5 calls)
            dg = dG[start:stop]  # (s, 4u, b)
            if dX is not None:
                np.matmul(WT_x, dg, out=dX[start:stop])  # (in, 4u) @ (s, 4u, b) -> (s, in, b)
            if shares is not None:
                shares.add(start, [X1[start:stop], Hin[start:stop]], dg)  # (s, in + 1, b), (s, u, b) vs (s, 4u, b)

        matmul, add, multiply, subtract = np.matmul, np.add, np.multiply, np.subtract
        with Overlap(use_second_thread(steps, batch, u)) as worker:
            products = worker.products(U, dh)  # whole on one BLAS thread, else in row blocks
            for start, stop in worker.behind(gather, steps):  # last block first; gathered once the loop has left it
                for t in range(stop - 1, start - 1, -1):
                    if dseq is not None:
                        add(dh, dseq[t], out=dh)
                    if real is not None:  # a padded step passes dh, dc through unchanged
                        multiply(dh, padded_f[t], out=keep_h)
                        multiply(dc, padded_f[t], out=keep_c)
                        multiply(dh, real[t], out=dh)
                        multiply(dc, real[t], out=dc)
                    g, dg, tc = G[t], dG[t], TC[t]
                    multiply(dh, tc, out=dg[2 * u:s3])  # dL/do = dh * act(c)
                    act_grad(tc, tmp)  # act'(c)
                    multiply(tmp, g[2 * u:s3], out=tmp)
                    multiply(tmp, dh, out=tmp)
                    add(dc, tmp, out=dc)  # dL/dc: through h = o * act(c), plus from the next step
                    multiply(dc, g[s3:], out=dg[:u])  # dL/di = dc * c~
                    multiply(dc, C[t], out=dg[u:2 * u])  # dL/df = dc * c_prev
                    multiply(dc, g[:u], out=dg[s3:])  # dL/dc~ = dc * i
                    multiply(dc, g[u:2 * u], out=dc)  # dL/dc_prev = dc * f
                    # through the nonlinearities: s (1 - s) for i, f, o; act'(c~) for c~
                    if one_tanh:
                        multiply(g, g, out=deriv)
                        subtract(g[:s3], deriv[:s3], out=deriv[:s3])
                        subtract(1.0, deriv[s3:], out=deriv[s3:])
                    else:
                        multiply(g[:s3], g[:s3], out=deriv[:s3])
                        subtract(g[:s3], deriv[:s3], out=deriv[:s3])
                        act_grad(g[s3:], deriv[s3:])
                    multiply(dg, deriv, out=dg)
                    for u_rows, out_rows in products:
                        matmul(u_rows, dg, out=out_rows)  # (rows, 4u) @ (4u, b) -> (rows, b): dL/dh_prev through U
                    if rmask is not None:
                        multiply(dh, rmask, out=dh)
                    if real is not None:
                        add(dh, keep_h, out=dh)
                        add(dc, keep_c, out=dc)
        inv = np.argsort(_gate_order(u))  # ours (i, f, o, c~) -> Keras's (i, f, c, o)
        grads = [None] * len(need)
        if dX is not None:
            if self.input_mask is not None:
                dX *= self.input_mask.T  # (in, b)
            grads[0] = batch_major(dX, self.go_backwards)  # (b, T, in)
        if shares is not None:
            total = shares.total()[:, inv]  # (in + 1 + u, 4u), Keras's gate order
            grads[1] = total[:n_in] if need[1] else None  # (in, 4u)
            grads[2] = total[n_in + 1:] if need[2] else None  # (u, 4u)
            if self.use_bias and need[3]:
                grads[3] = total[n_in]  # (4u,)
        if need[-2]:
            grads[-2] = np.ascontiguousarray(dh.T)  # (b, u)
        if need[-1]:
            grads[-1] = np.ascontiguousarray(dc.T)
        return tuple(grads)


class LSTM(FusedRNN):
    """Long short-term memory layer (Hochreiter & Schmidhuber, 1997), Keras's ``LSTM``.

    The equations are ``LSTMCell``'s; the layer holds an ``LSTMCell`` (its weights, and the
    readable path) and runs the recurrence as one ``LSTMOp``. With an activation the op does
    not special-case (anything but tanh, relu, linear for ``activation``; anything but sigmoid
    for ``recurrent_activation``) the cell is unrolled step by step instead: same results, slower.

    Args:
        units: size of the state and of the output.
        activation: "tanh" (for c~ and tanh(c)).
        recurrent_activation: "sigmoid" (for the gates).
        unit_forget_bias: the forget gate's bias starts at 1.
        dropout: fraction of the inputs dropped, the same units at every timestep (training only).
        recurrent_dropout: fraction of the state fed to the recurrent kernel dropped, the same at
            every timestep; one mask shared by the four gates.
        **kwargs: ``name``, ``input_shape`` (e.g. ``(None, 14)``), ``trainable``, ``dtype``...

    ``use_bias``, ``kernel_initializer``, ``recurrent_initializer``, ``bias_initializer``,
    ``kernel_regularizer``, ``recurrent_regularizer`` and ``bias_regularizer`` mean what they
    mean in Keras; ``return_sequences``, ``return_state``, ``go_backwards``, ``stateful`` and
    ``unroll`` are as in ``RNN`` (``unroll`` has no effect).

    Shapes:
        (batch, time, features) -> (batch, time, units) or (batch, units); with ``return_state``
        ``[output, h, c]``. Weights: kernel (features, 4 units), recurrent_kernel (units, 4 units),
        bias (4 units,), gates in the order i, f, c, o.

    Examples:
        >>> import numpy as np
        >>> layer = LSTM(32)
        >>> layer(np.ones((2, 5, 32), np.float32)).shape
        (2, 32)
        >>> [w.shape for w in layer.get_weights()], layer.count_params()
        ([(32, 128), (32, 128), (128,)], 8320)
    """

    cell_class = LSTMCell
    _cell_args = ("activation", "recurrent_activation", "use_bias", "kernel_initializer", "recurrent_initializer",
                  "bias_initializer", "unit_forget_bias", "kernel_regularizer", "recurrent_regularizer",
                  "bias_regularizer", "dropout", "recurrent_dropout")

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 dropout=0.0, recurrent_dropout=0.0, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, **kwargs):
        super().__init__(units, activation=activation, recurrent_activation=recurrent_activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
                         kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer, dropout=dropout, recurrent_dropout=recurrent_dropout,
                         return_sequences=return_sequences, return_state=return_state, go_backwards=go_backwards,
                         stateful=stateful, unroll=unroll, **kwargs)

    def _fusable(self):
        return (activation_name(self.cell.activation) in ("tanh", "relu", "linear")
                and activation_name(self.cell.recurrent_activation) == "sigmoid")

    def _fused(self, inputs, states, mask, input_mask, recurrent_mask):
        cell = self.cell
        op = LSTMOp(self.go_backwards, self.return_sequences, mask, input_mask, recurrent_mask,
                    activation_name(cell.activation), cell.bias is not None)
        weights = (cell.kernel, cell.recurrent_kernel) + ((cell.bias,) if cell.bias is not None else ())
        output, h, c = op(inputs, *weights, *states)
        return output, [h, c]
