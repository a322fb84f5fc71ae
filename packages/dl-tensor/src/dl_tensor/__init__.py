"""dl-tensor: chapter 2 of *Deep Learning with Python*, rebuilt on NumPy.

Tensors, element-wise operations, broadcasting, the tensor product, reshaping, and the
reverse-mode automatic differentiation that trains every model of the later chapters.

Examples:
    >>> from dl_tensor import Tensor
    >>> w = Tensor([[0.5], [-0.5]], requires_grad=True)   # (2, 1)
    >>> x = Tensor([[1.0, 2.0], [3.0, 4.0]])              # (2, 2)
    >>> loss = ((x @ w) ** 2).mean()
    >>> loss.backward()
    >>> w.grad.shape
    (2, 1)
"""

import os as _os

# tensor.py must load first: it defines Tensor, then pulls in the op modules that use it
from .tensor import Tensor, as_tensor  # isort: skip

from . import memory as _memory  # isort: skip

if _os.environ.get(_memory.ENV, "").lower() not in ("off", "0", "no", "false"):
    _memory.keep_freed_memory()  # a training step reuses its freed arrays instead of page-faulting

from . import random
from .autodiff import BackwardError, ShapeError, is_grad_enabled, no_grad, unbroadcast
from .blas import single_threaded_blas
from .denormals import flush_denormal_enabled, flushing_denormals, set_flush_denormal
from .elementwise import (
    abs,
    add,
    cast,
    clip,
    divide,
    equal,
    exp,
    greater,
    greater_equal,
    less,
    less_equal,
    log,
    maximum,
    minimum,
    multiply,
    negative,
    not_equal,
    power,
    relu,
    sigmoid,
    sqrt,
    subtract,
    tanh,
    where,
)
from .gradcheck import GradcheckError, gradcheck
from .gradient_tape import GradientTape, grad
from .op import Op
from .random import set_random_seed
from .reductions import max, mean, min, sum
from .reshaping import concatenate, expand_dims, pad, reshape, squeeze, stack, transpose
from .softmax import log_softmax, softmax
from .tensor_product import matmul, tensordot

__version__ = "0.1.0"

__all__ = [
    "BackwardError",
    "GradcheckError",
    "GradientTape",
    "Op",
    "ShapeError",
    "Tensor",
    "abs",
    "add",
    "as_tensor",
    "cast",
    "clip",
    "concatenate",
    "divide",
    "equal",
    "exp",
    "expand_dims",
    "flush_denormal_enabled",
    "flushing_denormals",
    "grad",
    "gradcheck",
    "greater",
    "greater_equal",
    "is_grad_enabled",
    "less",
    "less_equal",
    "log",
    "log_softmax",
    "matmul",
    "max",
    "maximum",
    "mean",
    "min",
    "minimum",
    "multiply",
    "negative",
    "no_grad",
    "not_equal",
    "pad",
    "power",
    "random",
    "relu",
    "reshape",
    "set_flush_denormal",
    "set_random_seed",
    "sigmoid",
    "single_threaded_blas",
    "softmax",
    "sqrt",
    "squeeze",
    "stack",
    "subtract",
    "sum",
    "tanh",
    "tensordot",
    "transpose",
    "unbroadcast",
    "where",
]
