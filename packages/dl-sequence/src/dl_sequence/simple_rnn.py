"""``SimpleRNN``: the fully connected RNN, one fused op over the whole sequence.

``h_t = activation(x_t W + h_{t-1} U + b)``: the book's first RNN (section 6.2.1, where it is
written as a NumPy loop). The readable version is ``SimpleRNNCell`` unrolled by ``RNN``;
``SimpleRNNOp`` is the same recurrence as one op with a hand-written backpropagation through
time, organised like ``LSTMOp``: all input projections in one product, one product and two
in-place calls per step, the weight gradients of all steps in one product each at the end.
"""

from __future__ import annotations

import numpy as np

from dl_tensor import Op
from dl_tensor.elementwise import match_dtypes

from .overlap import Overlap, step_blocks, use_second_thread
from .recurrent import (
    FUSED_ACTIVATIONS,
    FusedRNN,
    SimpleRNNCell,
    WeightShares,
    activation_name,
    backward_start,
    batch_major,
    feature_major,
    make_output,
    step_masks,
)

__all__ = ["SimpleRNN", "SimpleRNNOp"]


class SimpleRNNOp(Op):
    """The SimpleRNN recurrence over a whole sequence, as one op.

    Inputs: x (batch, time, in), kernel (in, u), recurrent_kernel (u, u), [bias (u,) if
    ``use_bias``], h0 (batch, u). Outputs: (output, h_T); output is (batch, time, u) with
    ``return_sequences``, else (batch, u).

    NumPy calls per timestep (tanh, no mask, no dropout): forward 3 (1 product ``U.T @ h``,
    1 add, 1 tanh in place); backward 4 (+1 with ``return_sequences``): 2 for tanh's derivative
    from the output, 1 multiply, 1 product. A mask adds 1 call forward and 3 backward;
    recurrent dropout 1 and 1.

    Args:
        activation: "tanh", "relu", "linear" or "sigmoid".

    ``go_backwards``, ``return_sequences``, ``mask``, ``input_mask``, ``recurrent_mask`` and
    ``use_bias`` are as in ``LSTMOp``.
    """

    def __init__(self, go_backwards=False, return_sequences=False, mask=None, input_mask=None, recurrent_mask=None,
                 activation="tanh", use_bias=True):
        if activation not in FUSED_ACTIVATIONS:
            raise ValueError(f"SimpleRNNOp: activation must be one of {sorted(FUSED_ACTIVATIONS)}, got {activation!r}")
        self.go_backwards, self.return_sequences = go_backwards, return_sequences
        self.mask, self.input_mask, self.recurrent_mask = mask, input_mask, recurrent_mask
        self.activation, self.use_bias = activation, use_bias

    def forward(self, x, kernel, recurrent_kernel, *rest):
        x, kernel = match_dtypes("simple_rnn", x, kernel)  # ints take the kernel dtype; floats never mix
        bias, h0 = rest if self.use_bias else (None, *rest)
        dtype = kernel.dtype
        batch, steps, _ = x.shape
        u = recurrent_kernel.shape[0]
        UT = np.ascontiguousarray(recurrent_kernel.T)  # (u, u)
        # (T, in + 1, b): each step's inputs and a row of ones, so that one product adds the bias too
        X1 = feature_major(x, self.go_backwards, dtype, self.input_mask, ones_row=True)
        H = np.empty((steps + 1, u, batch), dtype)  # h, H[0] = h0
        b = bias if bias is not None else np.zeros(u, dtype)
        WbT = np.concatenate([kernel.T, b[:, None]], axis=1).astype(dtype)  # (u, in + 1): the kernel's rows, the bias

        def project(start, stop):  # a block of steps' x W + b (the second thread's work: one call)
            np.matmul(WbT, X1[start:stop], out=H[1 + start:1 + stop])  # (u, in + 1) @ (s, in + 1, b) -> (s, u, b)

        H[0] = h0.T  # (b, u) -> (u, b)
        rmask = None if self.recurrent_mask is None else np.ascontiguousarray(self.recurrent_mask.T)  # (u, b)
        HD = np.empty((steps, u, batch), dtype) if rmask is not None else None
        padded = seen = None
        if self.mask is not None:
            _, padded, _, seen = step_masks(self.mask, self.go_backwards, dtype)
        act, _ = FUSED_ACTIVATIONS[self.activation]
        hu = np.empty((u, batch), dtype)
        matmul, add, multiply, copyto = np.matmul, np.add, np.multiply, np.copyto
        with Overlap(use_second_thread(steps, batch, u)) as worker:
            products = worker.products(UT, hu)  # U.T @ h: whole on one BLAS thread, else in row blocks
            for start, stop in worker.ahead(project, steps):  # each block once its projections are done
                for t in range(start, stop):
                    h = H[t] if rmask is None else multiply(H[t], rmask, out=HD[t])
                    for u_rows, out_rows in products:
                        matmul(u_rows, h, out=out_rows)  # (rows, u) @ (u, b) -> (rows, b)
                    h_new = H[t + 1]  # holds x W + b
                    add(h_new, hu, out=h_new)
                    act(h_new)
                    if padded is not None:
                        copyto(h_new, H[t], where=padded[t])
        self.save_for_backward(X1, kernel, recurrent_kernel, H, HD)
        self._seen = seen
        return make_output(H, self.return_sequences, seen), np.ascontiguousarray(H[-1].T)

    def backward(self, d_output, d_h):
        X1, kernel, recurrent_kernel, H, HD = self.saved
        steps, u, batch = H.shape[0] - 1, H.shape[1], H.shape[2]
        dtype = H.dtype
        real, padded_f, dseq, dh, rmask = backward_start(self, d_output, d_h, dtype)
        _, act_grad = FUSED_ACTIVATIONS[self.activation]
        U = np.ascontiguousarray(recurrent_kernel)  # (u, u)
        dA = np.empty((steps, u, batch), dtype)  # dL/d(pre-activation)
        keep = np.empty((u, batch), dtype) if real is not None else None
        need = self.needs_input_grad
        n_in = X1.shape[1] - 1
        dX = np.empty((steps, n_in, batch), dtype) if need[0] else None  # (T, in, b)
        Hin = HD if HD is not None else H[:-1]  # (T, u, b): the h the recurrent kernel saw
        weights = need[1] or need[2] or (self.use_bias and need[3])
        # each block's [x; 1; h] rows against dA: ONE product gives its share of dW, db and dU
        shares = WeightShares(n_in + 1 + u, u, step_blocks(steps), batch, dtype) if weights else None

        def gather(start, stop):  # a finished block of steps' share of the gradients (the second thread's work)
            da = dA[start:stop]  # (s, u, b)
            if dX is not None:
                np.matmul(kernel, da, out=dX[start:stop])  # (in, u) @ (s, u, b) -> (s, in, b)
            if shares is not None:
                shares.add(start, [X1[start:stop], Hin[start:stop]], da)  # (s, in + 1, b), (s, u, b) vs (s, u, b)

        matmul, add, multiply = np.matmul, np.add, np.multiply
        with Overlap(use_second_thread(steps, batch, u)) as worker:
            products = worker.products(U, dh)  # whole on one BLAS thread, else in row blocks
            for start, stop in worker.behind(gather, steps):  # last block first; gathered once the loop has left it
                for t in range(stop - 1, start - 1, -1):
                    if dseq is not None:
                        add(dh, dseq[t], out=dh)
                    if real is not None:
                        multiply(dh, padded_f[t], out=keep)
                        multiply(dh, real[t], out=dh)
                    da = dA[t]
                    multiply(dh, act_grad(H[t + 1], da), out=da)  # dh * act'(pre), from the output
                    for u_rows, out_rows in products:
                        matmul(u_rows, da, out=out_rows)  # (rows, u) @ (u, b): dL/dh_prev
                    if rmask is not None:
                        multiply(dh, rmask, out=dh)
                    if real is not None:
                        add(dh, keep, out=dh)
        grads = [None] * len(need)
        if dX is not None:
            if self.input_mask is not None:
                dX *= self.input_mask.T
            grads[0] = batch_major(dX, self.go_backwards)
        if shares is not None:
            total = shares.total()  # (in + 1 + u, u): rows x, 1, h
            grads[1] = total[:n_in] if need[1] else None  # (in, u)
            grads[2] = total[n_in + 1:] if need[2] else None  # (u, u)
            if self.use_bias and need[3]:
                grads[3] = total[n_in]  # (u,)
        if need[-1]:
            grads[-1] = np.ascontiguousarray(dh.T)
        return tuple(grads)


class SimpleRNN(FusedRNN):
    """Fully connected RNN, Keras's ``SimpleRNN``: ``h_t = activation(x_t W + h_{t-1} U + b)``.

    Holds a ``SimpleRNNCell`` (the weights, and the readable path) and runs the recurrence as
    one ``SimpleRNNOp`` (any activation but tanh, relu, linear and sigmoid unrolls the cell).

    Args:
        units: size of the state and of the output.
        activation: "tanh".
        dropout: fraction of the inputs dropped; one mask per call, the same at every step
            (training only).
        recurrent_dropout: fraction of the state fed back that is dropped, likewise.

    The other arguments (``use_bias``, the three initializers and three regularizers,
    ``return_sequences``, ``return_state``, ``go_backwards``, ``stateful``, ``unroll`` and
    ``**kwargs``) are as in ``LSTM`` (``unroll`` has no effect).

    Shapes:
        (batch, time, features) -> (batch, time, units) or (batch, units); with ``return_state``
        ``[output, h]``. Weights: kernel (features, units), recurrent_kernel (units, units), bias (units,).

    Examples:
        >>> import numpy as np
        >>> layer = SimpleRNN(32, return_sequences=True)
        >>> layer(np.ones((2, 5, 32), np.float32)).shape
        (2, 5, 32)
        >>> layer.count_params()   # after Embedding(10000, 32): the book's 2,080
        2080
    """

    cell_class = SimpleRNNCell
    _cell_args = ("activation", "use_bias", "kernel_initializer", "recurrent_initializer", "bias_initializer",
                  "kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "dropout", "recurrent_dropout")

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, dropout=0.0, recurrent_dropout=0.0,
                 return_sequences=False, return_state=False, go_backwards=False, stateful=False, unroll=False,
                 **kwargs):
        super().__init__(units, activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer, dropout=dropout, recurrent_dropout=recurrent_dropout,
                         return_sequences=return_sequences, return_state=return_state, go_backwards=go_backwards,
                         stateful=stateful, unroll=unroll, **kwargs)

    def _fusable(self):
        return activation_name(self.cell.activation) in FUSED_ACTIVATIONS

    def _fused(self, inputs, states, mask, input_mask, recurrent_mask):
        cell = self.cell
        op = SimpleRNNOp(self.go_backwards, self.return_sequences, mask, input_mask, recurrent_mask,
                         activation_name(cell.activation), cell.bias is not None)
        weights = (cell.kernel, cell.recurrent_kernel) + ((cell.bias,) if cell.bias is not None else ())
        output, h = op(inputs, *weights, *states)
        return output, [h]
