"""``GRU``: the gated recurrent unit layer, one fused op over the whole sequence.

The readable version is ``GRUCell`` (in ``recurrent.py``) unrolled by ``RNN``. ``GRUOp``
computes the same recurrence as one op with a hand-written backpropagation through time,
organised like ``LSTMOp``: the input projections of all steps in one product; per step one
product for the recurrent part of the gates (two with ``reset_after=False``, where the reset
gate multiplies h before its product), gates updated in place in (time, features, batch)
buffers; all the weight gradients of a block of steps in one product (``WeightShares``).

Both of Keras's variants: ``reset_after=True`` (Keras 2.3+ and 3, the default; bias (2, 3u))
and ``reset_after=False`` (Keras 2.0 and the book's first edition; bias (3u,)).
"""

from __future__ import annotations

import numpy as np

from dl_tensor import Op
from dl_tensor.elementwise import match_dtypes

from .overlap import Overlap, step_blocks, use_second_thread
from .recurrent import (
    FUSED_ACTIVATIONS,
    FusedRNN,
    GRUCell,
    WeightShares,
    activation_name,
    backward_start,
    batch_major,
    feature_major,
    make_output,
    step_masks,
)

__all__ = ["GRU", "GRUOp"]


class GRUOp(Op):
    """The GRU recurrence over a whole sequence, as one op.

    Inputs: x (batch, time, in), kernel (in, 3u), recurrent_kernel (u, 3u), [bias: (2, 3u) with
    ``reset_after``, else (3u,); if ``use_bias``], h0 (batch, u); gates in Keras's order z, r, h.
    Outputs: (output, h_T); output is (batch, time, u) with ``return_sequences``, else (batch, u).

    NumPy calls per timestep (tanh, no mask, no dropout), ``reset_after=True``: forward 13
    (2 products ``U.T @ h`` in row blocks, 1 add and 3 calls for the two sigmoid gates at once,
    1 add of the recurrent bias, 3 for the candidate, 3 for ``h' = hh + z (h - hh)``);
    backward 16 (+1 with ``return_sequences``): 2 products and 14 element-wise calls.
    ``reset_after=False``: forward 14, backward 18. A mask adds 1 call forward and 4 backward;
    recurrent dropout 1 and 1.

    Args:
        activation: of the candidate hh: "tanh", "relu", "linear" or "sigmoid" (the gates are sigmoid).
        reset_after: Keras's ``reset_after`` (see ``GRUCell``).

    ``go_backwards``, ``return_sequences``, ``mask``, ``input_mask``, ``recurrent_mask`` and
    ``use_bias`` are as in ``LSTMOp``.
    """

    def __init__(self, go_backwards=False, return_sequences=False, mask=None, input_mask=None, recurrent_mask=None,
                 activation="tanh", use_bias=True, reset_after=True):
        if activation not in FUSED_ACTIVATIONS:
            raise ValueError(f"GRUOp: activation must be one of {sorted(FUSED_ACTIVATIONS)}, got {activation!r}")
        self.go_backwards, self.return_sequences = go_backwards, return_sequences
        self.mask, self.input_mask, self.recurrent_mask = mask, input_mask, recurrent_mask
        self.activation, self.use_bias, self.reset_after = activation, use_bias, reset_after

    def forward(self, x, kernel, recurrent_kernel, *rest):
        x, kernel = match_dtypes("gru", x, kernel)  # ints take the kernel dtype; floats never mix
        bias, h0 = rest if self.use_bias else (None, *rest)
        dtype = kernel.dtype
        batch, steps, _ = x.shape
        u = recurrent_kernel.shape[0]
        s2 = 2 * u  # the sigmoid gates z, r: rows 0..2u of a step's gates; the candidate rows 2u..3u
        WT, UT = kernel.T, recurrent_kernel.T  # (3u, in), (3u, u) views
        b = np.zeros(3 * u, dtype)  # the bias x W meets, (3u,)
        bh = np.zeros((u, 1), dtype)  # the recurrent bias of the candidate (reset_after)
        if bias is not None:
            if self.reset_after:
                b = bias[0] + np.concatenate([bias[1][:s2], np.zeros(u, dtype)])  # z, r: both biases add up
                bh = bias[1][s2:, None].astype(dtype)  # (u, 1): stays inside r * (h U + b)
            else:
                b = bias
        WbT_half = np.concatenate([WT, b[:, None]], axis=1).astype(dtype)  # (3u, in + 1): the kernel's rows, the bias
        UT_half = UT.copy()  # a fresh C-ordered copy
        WbT_half[:s2] *= 0.5  # sigmoid(z) = (1 + tanh(z / 2)) / 2: the gates' weights halved
        UT_half[:s2] *= 0.5
        # (T, in + 1, b): each step's inputs and a row of ones, so that one product adds the bias too
        X1 = feature_major(x, self.go_backwards, dtype, self.input_mask, ones_row=True)
        G = np.empty((steps, 3 * u, batch), dtype)  # every step's x W + b, turned into z, r, hh in place

        def project(start, stop):  # a block of steps' input projections (the second thread's work: one call)
            np.matmul(WbT_half, X1[start:stop], out=G[start:stop])  # (3u, in + 1) @ (s, in + 1, b) -> (s, 3u, b)

        H = np.empty((steps + 1, u, batch), dtype)  # h, H[0] = h0
        H[0] = h0.T  # (b, u) -> (u, b)
        D = np.empty((steps, u, batch), dtype)  # h - hh, dL/dz's factor
        rmask = None if self.recurrent_mask is None else np.ascontiguousarray(self.recurrent_mask.T)  # (u, b)
        HD = np.empty((steps, u, batch), dtype) if rmask is not None else None  # h * dropout mask
        padded = seen = None
        if self.mask is not None:
            _, padded, _, seen = step_masks(self.mask, self.go_backwards, dtype)
        act, _ = FUSED_ACTIVATIONS[self.activation]
        tmp = np.empty((u, batch), dtype)
        matmul, add, multiply, subtract, tanh, copyto = np.matmul, np.add, np.multiply, np.subtract, np.tanh, np.copyto
        if self.reset_after:
            HU = np.empty((steps, u, batch), dtype)  # h U_h + b_h, what r multiplies
            hu = np.empty((3 * u, batch), dtype)
            UT_fed = UT_half
        else:
            HU = np.empty((steps, u, batch), dtype)  # r * h, what U_h multiplies
            hu = np.empty((s2, batch), dtype)
            UT_fed = UT_half[:s2].copy()
            UhT = UT[s2:].copy()  # (u, u)
        with Overlap(use_second_thread(steps, batch, u)) as worker:
            products = worker.products(UT_fed, hu)  # U.T @ h: whole on one BLAS thread, else in row blocks
            for start, stop in worker.ahead(project, steps):  # each block once its projections are done
                for t in range(start, stop):
                    g = G[t]  # (3u, b): x W + b of step t, turned into z, r, hh in place
                    h = H[t]
                    h_fed = h if rmask is None else multiply(h, rmask, out=HD[t])
                    for u_rows, out_rows in products:
                        matmul(u_rows, h_fed, out=out_rows)  # (rows, u) @ (u, b) -> (rows, b)
                    zr = g[:s2]
                    add(zr, hu[:s2], out=zr)
                    tanh(zr, out=zr)
                    multiply(zr, 0.5, out=zr)
                    add(zr, 0.5, out=zr)  # z and r: (1 + tanh(z / 2)) / 2 = sigmoid(z)
                    hh = g[s2:]
                    if self.reset_after:
                        add(hu[s2:], bh, out=HU[t])  # h U_h + b_h
                        multiply(g[u:s2], HU[t], out=tmp)  # r * (h U_h + b_h)
                    else:
                        multiply(g[u:s2], h_fed, out=HU[t])  # r * h
                        matmul(UhT, HU[t], out=tmp)  # (u, u) @ (u, b) -> (u, b): (r * h) U_h
                    add(hh, tmp, out=hh)
                    act(hh)
                    subtract(h, hh, out=D[t])
                    multiply(g[:u], D[t], out=tmp)
                    add(hh, tmp, out=H[t + 1])  # h' = z h + (1 - z) hh = hh + z (h - hh)
                    if padded is not None:  # padded step: carry h unchanged
                        copyto(H[t + 1], h, where=padded[t])
        self.save_for_backward(X1, WT, UT, G, H, D, HU, HD)
        self._seen = seen
        return make_output(H, self.return_sequences, seen), np.ascontiguousarray(H[-1].T)

    def backward(self, d_output, d_h):
        X1, WT, UT, G, H, D, HU, HD = self.saved
        steps, _, batch = G.shape
        u = H.shape[1]
        n_in = X1.shape[1] - 1
        s2 = 2 * u
        dtype = G.dtype
        real, padded_f, dseq, dh, rmask = backward_start(self, d_output, d_h, dtype)
        _, act_grad = FUSED_ACTIVATIONS[self.activation]
        U = np.ascontiguousarray(UT.T)  # (u, 3u)
        W = WT.T  # (in, 3u), Keras's gate order z, r, h
        # the gates' gradient dG, one (rows, b) block per step; input side: what x W + b met,
        # recurrent side: what U.T @ h met (U's rows z, r, h: a contiguous range of rows)
        if self.reset_after:  # rows [dcand, dz, dr, d(h U_h + b_h)]: input side 0..3u (h, z, r), recurrent u..4u
            dG = np.empty((steps, 4 * u, batch), dtype)
            W_x = np.concatenate([W[:, s2:], W[:, :s2]], axis=1)  # (in, 3u) in the rows' order h, z, r
            recurrent_rows = slice(u, 4 * u)
        else:  # rows [dz, dr, dcand]: both sides (the candidate's recurrent product is r * h against U_h)
            dG = np.empty((steps, 3 * u, batch), dtype)
            W_x = W
            recurrent_rows = slice(0, 3 * u)
        input_rows = slice(0, 3 * u)
        direct = np.empty((u, batch), dtype)  # dL/dh_prev through h' = z h + ...
        tmp, deriv = np.empty((u, batch), dtype), np.empty((s2, batch), dtype)
        keep = np.empty((u, batch), dtype) if real is not None else None
        if self.reset_after:
            U_fed, fed_out = U, dh
        else:
            U_zr, Uh = U[:, :s2].copy(), U[:, s2:].copy()  # (u, 2u), (u, u)
            U_fed, fed_out = U_zr, tmp
            d_fed = np.empty((u, batch), dtype)
        need = self.needs_input_grad
        Hin = HD if HD is not None else H[:-1]  # (T, u, b): the h the recurrent kernel saw
        dX = np.empty((steps, n_in, batch), dtype) if need[0] else None  # (T, in, b)
        weights = need[1] or need[2] or (self.use_bias and need[3])
        # each block's [x; 1; h] rows (reset_after=False: and r * h, what U_h met) against dG: ONE
        # product gives its share of dW, the biases' and dU (WeightShares)
        rows = n_in + 1 + u + (0 if self.reset_after else u)
        shares = WeightShares(rows, dG.shape[1], step_blocks(steps), batch, dtype) if weights else None

        def gather(start, stop):  # a finished block's share of the gradients (the second thread's work: 5-6 calls)
            dg = dG[start:stop]  # (s, 4u or 3u, b)
            if dX is not None:
                np.matmul(W_x, dg[:, input_rows], out=dX[start:stop])  # (in, 3u) @ (s, 3u, b) -> (s, in, b)
            if shares is not None:
                parts = [X1[start:stop], Hin[start:stop]] + ([] if self.reset_after else [HU[start:stop]])
                shares.add(start, parts, dg)  # (s, in + 1, b), (s, u, b)[, (s, u, b)] vs (s, 4u or 3u, b)

        matmul, add, multiply, subtract = np.matmul, np.add, np.multiply, np.subtract
        with Overlap(use_second_thread(steps, batch, u)) as worker:
            products = worker.products(U_fed, fed_out)  # whole on one BLAS thread, else in row blocks
            for start, stop in worker.behind(gather, steps):  # last block first; gathered once the loop has left it
                for t in range(stop - 1, start - 1, -1):
                    if dseq is not None:
                        add(dh, dseq[t], out=dh)
                    if real is not None:  # a padded step passes dh through unchanged
                        multiply(dh, padded_f[t], out=keep)
                        multiply(dh, real[t], out=dh)
                    g, dg = G[t], dG[t]
                    h_fed = H[t] if HD is None else HD[t]
                    dr = dg[recurrent_rows]  # (3u, b): dz, dr, and the candidate's
                    multiply(dh, D[t], out=dr[:u])  # dL/dz = dh (h - hh)
                    multiply(dh, g[:u], out=direct)  # dh z: straight to h_prev
                    subtract(dh, direct, out=tmp)  # dL/dhh = dh (1 - z)
                    if self.reset_after:
                        dcand = dg[:u]
                        multiply(tmp, act_grad(g[s2:], dcand), out=dcand)  # dL/d(candidate pre-activation)
                        multiply(dcand, g[u:s2], out=dr[s2:])  # dL/d(h U_h + b_h) = dcand * r
                        multiply(dcand, HU[t], out=dr[u:s2])  # dL/dr = dcand * (h U_h + b_h)
                    else:
                        dcand = dr[s2:]
                        multiply(tmp, act_grad(g[s2:], dcand), out=dcand)
                        matmul(Uh, dcand, out=tmp)  # (u, u) @ (u, b): dL/d(r * h)
                        multiply(tmp, h_fed, out=dr[u:s2])  # dL/dr = d(r h) * h
                        multiply(tmp, g[u:s2], out=d_fed)  # dL/dh_fed through r * h
                    zr, dzr = g[:s2], dr[:s2]
                    multiply(zr, zr, out=deriv)
                    subtract(zr, deriv, out=deriv)  # s (1 - s)
                    multiply(dzr, deriv, out=dzr)
                    if self.reset_after:
                        for u_rows, out_rows in products:
                            matmul(u_rows, dr, out=out_rows)  # (rows, 3u) @ (3u, b) -> dL/dh_fed through U
                    else:
                        for u_rows, out_rows in products:
                            matmul(u_rows, dzr, out=out_rows)  # (rows, 2u) @ (2u, b) -> (rows, b)
                        add(d_fed, tmp, out=dh)
                    if rmask is not None:
                        multiply(dh, rmask, out=dh)
                    add(dh, direct, out=dh)
                    if real is not None:
                        add(dh, keep, out=dh)
        grads = [None] * len(need)
        if dX is not None:
            if self.input_mask is not None:
                dX *= self.input_mask.T  # (in, b)
            grads[0] = batch_major(dX, self.go_backwards)  # (b, T, in)
        if shares is not None:
            total = shares.total()  # (in + 1 + u [+ u], 4u or 3u): rows x, 1, h [, r * h]; columns dG's rows
            x_part, ones, h_part = total[:n_in], total[n_in], total[n_in + 1:n_in + 1 + u]
            if self.reset_after:  # columns dcand, dz, dr, d(h U_h + b_h): back to Keras's order z, r, h
                in_order = np.r_[u:3 * u, 0:u]
                grads[1] = x_part[:, in_order] if need[1] else None  # (in, 3u)
                grads[2] = h_part[:, u:] if need[2] else None  # (u, 3u)
                if self.use_bias and need[3]:
                    grads[3] = np.stack([ones[in_order], ones[u:]])  # (2, 3u): input bias, recurrent bias
            else:  # columns dz, dr, dcand; U_h met r * h (the last u rows)
                grads[1] = x_part if need[1] else None  # (in, 3u)
                if need[2]:
                    grads[2] = np.concatenate([h_part[:, :s2], total[n_in + 1 + u:, s2:]], axis=1)  # (u, 3u)
                if self.use_bias and need[3]:
                    grads[3] = ones  # (3u,)
        if need[-1]:
            grads[-1] = np.ascontiguousarray(dh.T)  # (b, u)
        return tuple(grads)


class GRU(FusedRNN):
    """Gated recurrent unit layer (Cho et al., 2014), Keras's ``GRU``.

    The equations are ``GRUCell``'s; the layer holds a ``GRUCell`` (its weights, and the
    readable path) and runs the recurrence as one ``GRUOp``. With a candidate activation other
    than tanh, relu, linear or sigmoid, or gates other than sigmoid, the cell is unrolled step by
    step instead (same results, slower). ``GRU(32, activation="relu")`` (the book, ch. 6.3) is fused.

    Args:
        units: size of the state and of the output.
        activation: of the candidate state ("tanh").
        recurrent_activation: of the gates ("sigmoid").
        reset_after: True (Keras 2.3+ and 3): bias (2, 3 units), the reset gate applied after the
            recurrent product; False (Keras 2.0, the book's 1st edition): bias (3 units,).
        dropout: as ``LSTM``.
        recurrent_dropout: as ``LSTM`` (one mask per call shared by the three gates).

    The other arguments (``use_bias``, the three initializers and three regularizers,
    ``return_sequences``, ``return_state``, ``go_backwards``, ``stateful``, ``unroll`` and
    ``**kwargs``) are as in ``LSTM``.

    Shapes:
        (batch, time, features) -> (batch, time, units) or (batch, units); with ``return_state``
        ``[output, h]``. Weights: kernel (features, 3 units), recurrent_kernel (units, 3 units), bias.

    Examples:
        >>> import numpy as np
        >>> layer = GRU(32, dropout=0.2, recurrent_dropout=0.2, input_shape=(None, 14))
        >>> layer(np.ones((2, 5, 14), np.float32)).shape
        (2, 32)
        >>> layer.count_params(), GRU(32, reset_after=False)(np.ones((1, 2, 14))).shape
        (4608, (1, 32))
    """

    cell_class = GRUCell
    _cell_args = ("activation", "recurrent_activation", "use_bias", "kernel_initializer", "recurrent_initializer",
                  "bias_initializer", "kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "dropout",
                  "recurrent_dropout", "reset_after")

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, dropout=0.0,
                 recurrent_dropout=0.0, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, reset_after=True, **kwargs):
        super().__init__(units, activation=activation, recurrent_activation=recurrent_activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                         recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
                         dropout=dropout, recurrent_dropout=recurrent_dropout, reset_after=reset_after,
                         return_sequences=return_sequences, return_state=return_state, go_backwards=go_backwards,
                         stateful=stateful, unroll=unroll, **kwargs)

    def _fusable(self):
        return (activation_name(self.cell.activation) in FUSED_ACTIVATIONS
                and activation_name(self.cell.recurrent_activation) == "sigmoid")

    def _fused(self, inputs, states, mask, input_mask, recurrent_mask):
        cell = self.cell
        op = GRUOp(self.go_backwards, self.return_sequences, mask, input_mask, recurrent_mask,
                   activation_name(cell.activation), cell.bias is not None, cell.reset_after)
        weights = (cell.kernel, cell.recurrent_kernel) + ((cell.bias,) if cell.bias is not None else ())
        output, h = op(inputs, *weights, *states)
        return output, [h]
