"""Every differentiable function of dl-tensor in one namespace (used by ``Tensor``'s methods)."""

from .elementwise import (  # noqa: F401
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
from .reductions import max, mean, min, sum  # noqa: F401
from .reshaping import concatenate, expand_dims, getitem, pad, reshape, squeeze, stack, transpose  # noqa: F401
from .softmax import log_softmax, softmax  # noqa: F401
from .tensor_product import matmul, tensordot  # noqa: F401
