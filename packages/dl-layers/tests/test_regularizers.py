"""Regularizers: penalty values against NumPy, gradients against finite differences,
configs, names and errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dl_tensor as dt
from dl_layers import regularizers as reg
from dl_tensor import Tensor, gradcheck
from dl_tensor.testing import arrays, shapes

FAST = settings(max_examples=15, deadline=None)

# (regularizer, its penalty in NumPy)
CASES = {
    "L1(0.1)": (reg.L1(0.1), lambda w: 0.1 * np.abs(w).sum()),
    "L2(0.1)": (reg.L2(0.1), lambda w: 0.1 * np.square(w).sum()),
    "L1L2(0.02, 0.3)": (reg.L1L2(l1=0.02, l2=0.3), lambda w: 0.02 * np.abs(w).sum() + 0.3 * np.square(w).sum()),
    "L1L2()": (reg.L1L2(), lambda w: 0.0 * w.sum()),
    "l1()": (reg.l1(), lambda w: 0.01 * np.abs(w).sum()),
    "l2(0.001)": (reg.l2(0.001), lambda w: 0.001 * np.square(w).sum()),
    "l1_l2()": (reg.l1_l2(), lambda w: 0.01 * np.abs(w).sum() + 0.01 * np.square(w).sum()),
    "l1_l2(l1=0.001, l2=0.002)": (
        reg.l1_l2(l1=0.001, l2=0.002),
        lambda w: 0.001 * np.abs(w).sum() + 0.002 * np.square(w).sum(),
    ),
}


@pytest.mark.parametrize("name", CASES)
@FAST
@given(data=st.data())
def test_value_matches_numpy(name, data):
    r, ref = CASES[name]
    w = data.draw(shapes().flatmap(arrays))
    out64 = r(Tensor(w, dtype=np.float64))
    assert out64.shape == () and out64.dtype == np.float64
    np.testing.assert_allclose(out64.item(), ref(w), rtol=1e-12, atol=1e-15)
    out32 = r(Tensor(w, dtype=np.float32))
    assert out32.shape == () and out32.dtype == np.float32
    np.testing.assert_allclose(out32.item(), ref(w), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name", CASES)
@FAST
@given(data=st.data())
def test_gradient_gradcheck(name, data):
    r, _ = CASES[name]
    w = data.draw(shapes().flatmap(lambda s: arrays(s, kinks=(0.0,))))  # |w| has a kink at 0
    assert gradcheck(r, [w])


def test_gradient_formula_and_dtype():
    w = Tensor([[1.5, -2.0], [0.25, 0.0]], requires_grad=True)  # (2, 2) float32
    reg.l1_l2(l1=0.1, l2=0.01)(w).backward()
    assert w.grad.dtype == np.float32
    # 0.1 * sign(w) + 2 * 0.01 * w, with sign(0) = 0
    np.testing.assert_allclose(w.grad, 0.1 * np.sign(w.data) + 0.02 * w.data, rtol=1e-6)


def test_penalty_flows_into_a_loss():
    w = Tensor(np.full((3, 2), 2.0), requires_grad=True)  # (3, 2)
    x = Tensor(np.ones((4, 3)))  # (4, 3)
    loss = (x @ w).mean() + reg.l2(0.5)(w)  # (4, 3) @ (3, 2) -> (4, 2), then a scalar
    loss.backward()
    np.testing.assert_allclose(w.grad, np.full((3, 2), 0.5) + 2 * 0.5 * 2.0)  # d mean + d penalty


def test_no_gradient_tracking():
    w = Tensor([1.0, -1.0], requires_grad=True)
    with dt.no_grad():
        out = reg.l2(1.0)(w)
    assert not out.requires_grad and out.item() == 2.0


# -- the fused penalty against its composed twin --------------------------------------------


@pytest.mark.parametrize(("l1", "l2"), [(0.1, 0.0), (0.0, 0.3), (0.02, 0.3), (0.0, 0.0)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@FAST
@given(data=st.data())
def test_weight_penalty_op_matches_composed_twin(l1, l2, dtype, data):
    w = data.draw(shapes().flatmap(lambda s: arrays(s, kinks=(0.0,))))  # sign(0) is a convention: keep away
    ws = [Tensor(w, requires_grad=True, dtype=dtype) for _ in range(2)]
    fused, twin = reg.WeightPenaltyOp(l1, l2)(ws[0]), reg.weight_penalty_composed(ws[1], l1, l2)
    assert fused.dtype == twin.dtype == dtype and fused.shape == twin.shape == ()
    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == np.float32 else {"rtol": 1e-12, "atol": 1e-15}
    np.testing.assert_allclose(fused.data, twin.data, **tol)
    fused.backward()
    twin.backward()
    np.testing.assert_allclose(ws[0].grad, ws[1].grad, **tol)


@FAST
@given(data=st.data())
def test_weight_penalty_composed_gradcheck(data):
    w = data.draw(shapes().flatmap(lambda s: arrays(s, kinks=(0.0,))))
    assert gradcheck(lambda t: reg.weight_penalty_composed(t, 0.1, 0.3), [w])


def test_accepts_arrays_and_rejects_integer_weights():
    assert reg.l1(1.0)(np.array([1.0, -3.0])).item() == 4.0
    with pytest.raises(TypeError, match=r"L1: argument `weight` must be a floating-point tensor, got dtype int64"):
        reg.l1(1.0)(Tensor(np.array([1, 2])))


# -- configs, get, serialize --------------------------------------------------------------


@pytest.mark.parametrize("name", CASES)
def test_config_round_trip(name):
    r, _ = CASES[name]
    config = r.get_config()
    clone = type(r).from_config(config)
    assert type(clone) is type(r) and clone.get_config() == config
    back = reg.get(reg.serialize(r))
    assert type(back) is type(r) and back.get_config() == config


def test_configs_and_repr():
    assert reg.L1(0.5).get_config() == {"l1": 0.5}
    assert reg.L2(0.5).get_config() == {"l2": 0.5}
    assert reg.L1L2(0.1, 0.2).get_config() == {"l1": 0.1, "l2": 0.2}
    assert reg.L1L2().get_config() == {"l1": 0.0, "l2": 0.0}
    assert repr(reg.l2(0.001)) == "L2(l2=0.001)"
    assert reg.serialize(reg.l1_l2(l1=0.001, l2=0.001)) == {
        "class_name": "L1L2",
        "config": {"l1": 0.001, "l2": 0.001},
    }


@pytest.mark.parametrize(
    ("name", "cls", "config"),
    [("l1", reg.L1, {"l1": 0.01}), ("l2", reg.L2, {"l2": 0.01}), ("l1_l2", reg.L1L2, {"l1": 0.01, "l2": 0.01})],
)
def test_get_by_name_uses_the_functions_defaults(name, cls, config):
    got = reg.get(name)
    assert type(got) is cls and got.get_config() == config


def test_get_none_instances_dicts_and_callables():
    assert reg.get(None) is None and reg.serialize(None) is None
    r = reg.L2(0.3)
    assert reg.get(r) is r

    def custom(weight):
        return 0.1 * dt.sum(weight * weight)

    assert reg.get(custom) is custom
    got = reg.get({"class_name": "L1", "config": {"l1": 0.2}})
    assert isinstance(got, reg.L1) and got.l1 == 0.2
    got = reg.get({"class_name": "l1_l2", "config": {"l2": 0.2}})
    assert type(got) is reg.L1L2 and got.get_config() == {"l1": 0.0, "l2": 0.2}
    assert reg.get({"class_name": "L2"}).l2 == 0.01


def test_get_by_class_name_uses_the_class_defaults():
    assert reg.get("L2").get_config() == {"l2": 0.01}
    assert reg.get("L1").get_config() == {"l1": 0.01}
    assert reg.get("L1L2").get_config() == {"l1": 0.0, "l2": 0.0}


def test_the_names():
    assert {"L1", "L1L2", "L2", "l1", "l1_l2", "l2"} <= set(reg.REGULARIZERS.names())


@pytest.mark.parametrize("bad", ["L3", "L1_L2", "weight_decay", 0.01, ["l2"], {"class_name": "L3"}])
def test_get_rejects_unknown_identifiers_and_lists_the_names(bad):
    with pytest.raises(ValueError, match="regularizer") as info:
        reg.get(bad)
    message = str(info.value)
    assert repr(bad["class_name"] if isinstance(bad, dict) else bad) in message
    assert "valid names: " + ", ".join(repr(n) for n in reg.REGULARIZERS.names()) in message


@pytest.mark.parametrize("bad", [{"class_name": None}, {"name": "L2"}, {"class_name": ["L2"]}, {"class_name": "L2",
                                                                                               "config": 0.1}])
def test_get_rejects_malformed_dicts(bad):
    with pytest.raises(ValueError, match=r"a regularizer config must look like \{'class_name'"):
        reg.get(bad)


def test_serialize_rejects_plain_functions():
    with pytest.raises(ValueError, match="cannot save the regularizer '<lambda>': it is not registered"):
        reg.serialize(lambda w: dt.sum(w))
    with pytest.raises(ValueError, match="cannot save the regularizer 'float'"):
        reg.serialize(0.01)


def test_deserialize_and_the_l1_l2_name():
    assert reg.deserialize({"class_name": "L1L2", "config": {"l2": 0.5}}).get_config() == {"l1": 0.0, "l2": 0.5}
    # as in tf.keras, the name "l1_l2" means the function's factors, also when it is read from a config
    assert reg.deserialize("l1_l2").get_config() == {"l1": 0.01, "l2": 0.01}
    assert reg.serialize("l1_l2") == {"class_name": "L1L2", "config": {"l1": 0.01, "l2": 0.01}}


def test_your_own_subclass_is_found_by_class_name():
    class Flatness(reg.Regularizer):
        def __init__(self, factor=1.0):
            self.factor = factor

        def __call__(self, weight):
            return self.factor * dt.sum(dt.abs(weight[1:] - weight[:-1]))

        def get_config(self):
            return {"factor": self.factor}

    saved = reg.serialize(Flatness(0.5))
    assert saved == {"class_name": "Flatness", "config": {"factor": 0.5}}
    again = reg.get(saved)
    assert type(again) is Flatness and again.factor == 0.5 and repr(again) == "Flatness(factor=0.5)"


@pytest.mark.parametrize(
    ("make", "error", "pattern"),
    [
        (lambda: reg.L1(-0.1), ValueError, r"L1: argument `l1` must be a number >= 0, got -0.1"),
        (lambda: reg.l2(float("inf")), ValueError, r"L2: argument `l2` must be a finite number >= 0, got inf"),
        (lambda: reg.L1L2(l1="0.1"), TypeError, r"L1L2: argument `l1` must be a number >= 0, got '0.1'"),
        (lambda: reg.l1_l2(l2=None), TypeError, r"L1L2: argument `l2` must be a number >= 0, got None"),
        (lambda: reg.L2(True), TypeError, r"L2: argument `l2` must be a number >= 0, got True"),
        (lambda: reg.L2.from_config([0.1]), TypeError, r"L2.from_config: argument `config` must be a dict"),
    ],
)
def test_bad_arguments(make, error, pattern):
    with pytest.raises(error, match=pattern):
        make()


def test_base_class_is_abstract():
    with pytest.raises(NotImplementedError, match="must implement __call__"):
        reg.Regularizer()(Tensor([1.0]))
