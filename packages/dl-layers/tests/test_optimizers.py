"""Optimizers (the schedules themselves are tested in test_schedules.py).

Every update rule is checked against a small float64 re-implementation written here from
the published formulas, over several steps with changing gradients and several
variables at once. The module's float32 results must agree to float32 precision.
"""

import math

import numpy as np
import pytest

from dl_layers import optimizers
from dl_layers.optimizers import SGD, Adagrad, Adam, AdamW, Optimizer, RMSprop
from dl_layers.schedules import (
    CosineDecay,
    ExponentialDecay,
    InverseTimeDecay,
    LearningRateSchedule,
    PiecewiseConstantDecay,
)
from dl_layers.variable import Variable
from dl_tensor import Tensor

RTOL, ATOL = 1e-6, 1e-7  # float32 arithmetic against a float64 reference

SHAPES = [(3,), (2, 4), (5, 1)]
STEPS = 6


def initial_values():
    rng = np.random.default_rng(1)
    return [rng.normal(size=s).astype(np.float32) for s in SHAPES]


def gradient_sequence():
    """STEPS lists of gradients (one per variable) that change size and sign: the first
    steps large, the later ones small, so that running averages both grow and shrink."""
    rng = np.random.default_rng(2)
    seq = []
    for step in range(STEPS):
        scale = 3.0 if step < 2 else 0.05
        seq.append([(rng.normal(size=s) * scale).astype(np.float32) for s in SHAPES])
    return seq


def run_module(optimizer):
    """Apply the gradient sequence with the optimizer; the variables' final values."""
    variables = [Variable(v) for v in initial_values()]
    for grads in gradient_sequence():
        optimizer.apply(grads, variables)
    return [v.data for v in variables]


def run_reference(step_fn, init_state):
    """The same with ``step_fn(w, g, state, t) -> w`` per variable, in float64."""
    ws = [v.astype(np.float64) for v in initial_values()]
    states = [init_state(w) for w in ws]
    for t, grads in enumerate(gradient_sequence(), start=1):
        ws = [step_fn(w, g.astype(np.float64), st, t) for w, g, st in zip(ws, grads, states)]
    return ws


def assert_matches(module_out, reference_out):
    for got, want in zip(module_out, reference_out, strict=True):
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL)


def zeros_state(*names):
    return lambda w: {n: np.zeros_like(w) for n in names}


# -- SGD ---------------------------------------------------------------------------------

def sgd_reference(lr, momentum=0.0, nesterov=False):
    def step(w, g, st, t):
        if momentum == 0.0:
            return w - lr * g
        st["v"] = momentum * st["v"] - lr * g
        if nesterov:
            return w + momentum * st["v"] - lr * g
        return w + st["v"]
    return run_reference(step, zeros_state("v"))


def test_sgd_plain_matches_formula():
    assert_matches(run_module(SGD(learning_rate=0.1)), sgd_reference(0.1))


def test_sgd_momentum_matches_formula():
    assert_matches(run_module(SGD(learning_rate=0.05, momentum=0.9)), sgd_reference(0.05, 0.9))


def test_sgd_nesterov_matches_formula():
    got = run_module(SGD(learning_rate=0.05, momentum=0.8, nesterov=True))
    assert_matches(got, sgd_reference(0.05, 0.8, nesterov=True))
    # and it is not the same as plain momentum
    assert not np.allclose(got[0], sgd_reference(0.05, 0.8)[0], rtol=1e-4)


def test_sgd_defaults():
    opt = SGD()
    assert opt.learning_rate == 0.01 and opt.momentum == 0.0 and opt.nesterov is False


# -- RMSprop -----------------------------------------------------------------------------

def rmsprop_reference(lr, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False):
    def step(w, g, st, t):
        st["v"] = rho * st["v"] + (1 - rho) * g * g
        if centered:
            st["mg"] = rho * st["mg"] + (1 - rho) * g
            denominator = st["v"] - st["mg"] ** 2 + epsilon
        else:
            denominator = st["v"] + epsilon
        increment = lr * g / np.sqrt(denominator)  # epsilon inside the square root
        if momentum:
            st["m"] = momentum * st["m"] + increment
            return w - st["m"]
        return w - increment
    return run_reference(step, zeros_state("v", "mg", "m"))


def test_rmsprop_plain_matches_formula():
    assert_matches(run_module(RMSprop(learning_rate=0.01)), rmsprop_reference(0.01))


def test_rmsprop_epsilon_is_inside_the_square_root():
    # a large epsilon makes its placement visible: sqrt(v + eps) vs sqrt(v) + eps
    got = run_module(RMSprop(learning_rate=0.01, rho=0.8, epsilon=0.5))
    assert_matches(got, rmsprop_reference(0.01, rho=0.8, epsilon=0.5))


def test_rmsprop_momentum_matches_formula():
    got = run_module(RMSprop(learning_rate=0.01, rho=0.7, momentum=0.6))
    assert_matches(got, rmsprop_reference(0.01, rho=0.7, momentum=0.6))


def test_rmsprop_centered_matches_formula():
    got = run_module(RMSprop(learning_rate=0.01, rho=0.7, centered=True, epsilon=1e-3))
    assert_matches(got, rmsprop_reference(0.01, rho=0.7, centered=True, epsilon=1e-3))


def test_rmsprop_centered_with_momentum_matches_formula():
    got = run_module(RMSprop(learning_rate=0.02, rho=0.85, momentum=0.5, centered=True, epsilon=1e-3))
    assert_matches(got, rmsprop_reference(0.02, rho=0.85, momentum=0.5, centered=True, epsilon=1e-3))


# -- Adam / AdamW ------------------------------------------------------------------------

def adam_reference(lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False, weight_decay=0.0):
    def step(w, g, st, t):
        w = w - lr * weight_decay * w  # decoupled: applied to the weight, not the gradient
        st["m"] = beta_1 * st["m"] + (1 - beta_1) * g
        st["v"] = beta_2 * st["v"] + (1 - beta_2) * g * g
        if amsgrad:
            st["vhat"] = np.maximum(st["vhat"], st["v"])
            v = st["vhat"]
        else:
            v = st["v"]
        alpha = lr * math.sqrt(1 - beta_2**t) / (1 - beta_1**t)
        return w - alpha * st["m"] / (np.sqrt(v) + epsilon)
    return run_reference(step, zeros_state("m", "v", "vhat"))


def test_adam_plain_matches_formula():
    assert_matches(run_module(Adam(learning_rate=0.01)), adam_reference(0.01))


def test_adam_non_default_hyperparameters():
    got = run_module(Adam(learning_rate=0.03, beta_1=0.5, beta_2=0.8, epsilon=0.1))
    assert_matches(got, adam_reference(0.03, beta_1=0.5, beta_2=0.8, epsilon=0.1))


def test_adam_amsgrad_matches_formula_and_differs_from_adam():
    got = run_module(Adam(learning_rate=0.01, beta_2=0.9, amsgrad=True))
    assert_matches(got, adam_reference(0.01, beta_2=0.9, amsgrad=True))
    # the gradients shrink after two steps, so v falls and max(v_hat, v) matters
    plain = adam_reference(0.01, beta_2=0.9)
    assert not np.allclose(got[1], plain[1], rtol=1e-4)


def test_adamw_decoupled_weight_decay_matches_formula():
    got = run_module(AdamW(learning_rate=0.01, weight_decay=0.1))
    assert_matches(got, adam_reference(0.01, weight_decay=0.1))
    assert not np.allclose(got[0], adam_reference(0.01)[0], rtol=1e-4)


def test_adamw_default_weight_decay():
    assert AdamW().weight_decay == 0.004
    assert_matches(run_module(AdamW(learning_rate=0.02)), adam_reference(0.02, weight_decay=0.004))


def test_adamw_amsgrad():
    got = run_module(AdamW(learning_rate=0.01, weight_decay=0.05, beta_2=0.9, amsgrad=True))
    assert_matches(got, adam_reference(0.01, beta_2=0.9, amsgrad=True, weight_decay=0.05))


def test_weight_decay_on_sgd_is_decoupled_too():
    def step(w, g, st, t):
        return w - 0.1 * 0.5 * w - 0.1 * g
    assert_matches(run_module(SGD(learning_rate=0.1, weight_decay=0.5)), run_reference(step, zeros_state()))


# -- Adagrad -----------------------------------------------------------------------------

def adagrad_reference(lr, initial_accumulator_value=0.1, epsilon=1e-7):
    def step(w, g, st, t):
        st["acc"] = st["acc"] + g * g
        return w - lr * g / np.sqrt(st["acc"] + epsilon)
    return run_reference(step, lambda w: {"acc": np.full_like(w, initial_accumulator_value)})


def test_adagrad_matches_formula():
    assert_matches(run_module(Adagrad(learning_rate=0.1)), adagrad_reference(0.1))


def test_adagrad_initial_accumulator_value_and_epsilon():
    got = run_module(Adagrad(learning_rate=0.1, initial_accumulator_value=2.5, epsilon=0.3))
    assert_matches(got, adagrad_reference(0.1, initial_accumulator_value=2.5, epsilon=0.3))


def test_adagrad_first_step_by_hand():
    w = Variable([1.0])
    Adagrad(learning_rate=0.5, initial_accumulator_value=0.0, epsilon=0.0).apply([np.float32([2.0])], [w])
    assert w.data[0] == pytest.approx(1.0 - 0.5 * 2.0 / 2.0, rel=1e-7)  # acc = 4, sqrt = 2


# -- state per variable object -----------------------------------------------------------

def test_state_is_kept_per_variable_object_not_per_name():
    opt = SGD(learning_rate=0.1, momentum=0.9)
    a = Variable([0.0, 0.0], name="kernel")
    b = Variable([0.0, 0.0], name="kernel")
    g = np.float32([1.0, -2.0])
    opt.apply([g], [a])
    opt.apply([g], [a])
    # a: velocity -0.1 g, then 0.9 * (-0.1 g) - 0.1 g = -0.19 g; total -0.29 g
    np.testing.assert_allclose(a.data, -0.29 * g, rtol=RTOL)
    opt.apply([g], [b])
    # b's first step starts from zero velocity although it has a's name and shape
    np.testing.assert_allclose(b.data, -0.1 * g, rtol=RTOL)
    opt.apply([g], [a])
    np.testing.assert_allclose(a.data, (-0.29 - 0.271) * g, rtol=RTOL)


def test_state_survives_across_steps_for_several_variables_in_any_order():
    opt = Adam(learning_rate=0.01)
    ws = [Variable(v) for v in initial_values()]
    seq = gradient_sequence()
    for grads in seq:  # same variables, reversed order each step: state must follow the object
        opt.apply(list(reversed(grads)), list(reversed(ws)))
    assert_matches([w.data for w in ws], adam_reference(0.01))


def test_none_gradients_are_skipped():
    opt = SGD(learning_rate=0.1, momentum=0.5)
    a, b = Variable([1.0, 2.0]), Variable([3.0])
    opt.apply([None, np.float32([1.0])], [a, b])
    np.testing.assert_array_equal(a.data, np.float32([1.0, 2.0]))
    np.testing.assert_allclose(b.data, [2.9], rtol=RTOL)
    assert opt.iterations == 1
    # a got no state from the skipped step: its first real step is a fresh one
    opt.apply([np.float32([1.0, 1.0]), None], [a, b])
    np.testing.assert_allclose(a.data, [0.9, 1.9], rtol=RTOL)
    np.testing.assert_allclose(b.data, [2.9], rtol=RTOL)


def test_gradient_shape_mismatch_is_an_error():
    w = Variable(np.zeros(3))
    with pytest.raises(ValueError, match=r"gradient of shape \(2,\) for variable of shape \(3,\)"):
        SGD().apply([np.zeros(2, np.float32)], [w])
    np.testing.assert_array_equal(w.data, 0.0)


def test_gradient_and_variable_counts_must_match():
    a, b = Variable([1.0]), Variable([1.0])
    with pytest.raises(ValueError, match="SGD: got 1 gradients for 2 variables"):
        SGD().apply([np.float32([1.0])], [a, b])
    assert a.data[0] == 1.0 and b.data[0] == 1.0


def test_apply_gradients_takes_pairs():
    a, b = Variable([1.0]), Variable([1.0])
    SGD(learning_rate=0.25).apply_gradients(zip([np.float32([1.0]), np.float32([2.0])], [a, b]))
    assert a.data[0] == 0.75 and b.data[0] == 0.5


def test_updates_are_in_place_and_stay_float32():
    grads = gradient_sequence()
    for opt in (SGD(0.1), SGD(0.1, momentum=0.9, nesterov=True), RMSprop(centered=True, momentum=0.5),
                Adam(amsgrad=True), AdamW(), Adagrad(), SGD(0.1, clipnorm=0.5, weight_decay=0.1)):
        ws = [Variable(v) for v in initial_values()]
        arrays = [w.data for w in ws]
        for step in grads:
            opt.apply([g.astype(np.float64) for g in step], ws)  # float64 gradients are cast
        for w, arr in zip(ws, arrays):
            assert w.data is arr, type(opt).__name__
            assert w.data.dtype == np.float32, type(opt).__name__
        assert not np.array_equal(arrays[0], initial_values()[0])


# -- learning rate: lr=, decay=, setter, schedules -----------------------------------------

def test_lr_is_the_first_edition_name_of_learning_rate():
    assert SGD(lr=0.3).learning_rate == 0.3
    assert RMSprop(lr=1e-4).learning_rate == 1e-4
    assert_matches(run_module(Adam(lr=0.01)), run_module(Adam(learning_rate=0.01)))
    opt = SGD(lr=0.3)
    assert opt.lr == 0.3


def test_legacy_decay_divides_by_one_plus_decay_times_iterations():
    opt = SGD(lr=0.1, decay=0.5)
    w = Variable(np.zeros(1), dtype=np.float64)
    expected = 0.0
    for k in range(5):
        assert opt.learning_rate == pytest.approx(0.1 / (1 + 0.5 * k), rel=1e-12)
        opt.apply([np.ones(1)], [w])
        expected -= 0.1 / (1 + 0.5 * k)
        assert w.data[0] == pytest.approx(expected, rel=1e-12)


def test_learning_rate_setter_changes_later_steps():
    opt = SGD(learning_rate=0.1)
    w = Variable([0.0])
    opt.apply([np.float32([1.0])], [w])
    opt.learning_rate = 0.01  # what ReduceLROnPlateau does
    assert opt.learning_rate == 0.01
    opt.apply([np.float32([1.0])], [w])
    assert w.data[0] == pytest.approx(-0.11, rel=1e-6)
    opt.lr = 0.5  # first-edition alias also sets
    assert opt.learning_rate == 0.5
    with pytest.raises(ValueError, match=r"SGD: argument `learning_rate` must be a number > 0, got -1.0"):
        opt.learning_rate = -1.0
    with pytest.raises(ValueError, match=r"SGD: argument `learning_rate` must be a number > 0, got 0.0"):
        opt.learning_rate = 0.0
    assert opt.learning_rate == 0.5
    opt.learning_rate = ExponentialDecay(1.0, 1, 0.5)  # a schedule, from the current step on
    assert opt.learning_rate == pytest.approx(0.25)  # iterations == 2


def test_schedule_with_legacy_decay_combines_both():
    opt = SGD(learning_rate=ExponentialDecay(0.1, 1, 0.5), decay=1.0)
    opt.iterations = 3
    assert opt.learning_rate == pytest.approx(0.1 * 0.5**3 / 4, rel=1e-12)


# -- clipping ----------------------------------------------------------------------------

def one_sgd_step(grads, **clip):
    """Variables start at 0 and lr is 1, so each variable ends at -(clipped gradient)."""
    ws = [Variable(np.zeros(np.shape(g))) for g in grads]
    SGD(learning_rate=1.0, **clip).apply([np.asarray(g, np.float32) for g in grads], ws)
    return [-w.data for w in ws]


def test_clipvalue_clips_each_element():
    got = one_sgd_step([[-2.0, 0.3, 1.0], [[0.7, -0.2]]], clipvalue=0.5)
    np.testing.assert_array_equal(got[0], np.float32([-0.5, 0.3, 0.5]))
    np.testing.assert_array_equal(got[1], np.float32([[0.5, -0.2]]))


def test_clipnorm_rescales_each_gradient_on_its_own():
    got = one_sgd_step([[3.0, 4.0], [0.3, 0.4], [0.0, 0.0]], clipnorm=1.0)
    np.testing.assert_allclose(got[0], [0.6, 0.8], rtol=RTOL)  # norm 5 -> 1
    np.testing.assert_array_equal(got[1], np.float32([0.3, 0.4]))  # norm 0.5: untouched
    np.testing.assert_array_equal(got[2], np.float32([0.0, 0.0]))  # zero gradient: no division by 0


def test_global_clipnorm_rescales_all_gradients_together():
    got = one_sgd_step([[3.0, 4.0], [0.0, 12.0, 0.0]], global_clipnorm=2.6)
    # joint norm sqrt(9 + 16 + 144) = 13, scale 2.6 / 13 = 0.2 for every gradient
    np.testing.assert_allclose(got[0], [0.6, 0.8], rtol=RTOL)
    np.testing.assert_allclose(got[1], [0.0, 2.4, 0.0], rtol=RTOL)
    # below the threshold: unchanged
    got = one_sgd_step([[3.0, 4.0], [0.0, 12.0, 0.0]], global_clipnorm=13.5)
    np.testing.assert_array_equal(got[1], np.float32([0.0, 12.0, 0.0]))


def test_clipnorm_differs_from_global_clipnorm():
    per = one_sgd_step([[3.0, 4.0], [0.0, 12.0, 0.0]], clipnorm=2.6)
    np.testing.assert_allclose(per[0], [1.56, 2.08], rtol=RTOL)
    np.testing.assert_allclose(per[1], [0.0, 2.6, 0.0], rtol=RTOL)


def test_clipping_happens_before_the_optimizer_state():
    # Adagrad's accumulator must see the clipped gradient: acc = 0 + 0.5**2
    w = Variable([0.0])
    Adagrad(learning_rate=1.0, initial_accumulator_value=0.0, epsilon=0.0, clipvalue=0.5).apply(
        [np.float32([4.0])], [w])
    assert w.data[0] == pytest.approx(-1.0, rel=1e-7)


@pytest.mark.parametrize("arg", ["clipnorm", "clipvalue", "global_clipnorm"])
def test_clip_arguments_must_be_positive(arg):
    with pytest.raises(ValueError, match=f"SGD: argument `{arg}` must be a number > 0, got 0.0"):
        SGD(**{arg: 0.0})
    with pytest.raises(ValueError, match=f"Adam: argument `{arg}` must be a number > 0, got -1.0"):
        Adam(**{arg: -1.0})
    with pytest.raises(TypeError, match=f"Adam: argument `{arg}` must be a number > 0 or None, got '1'"):
        Adam(**{arg: "1"})


# -- get / serialize / argument errors -------------------------------------------------------

@pytest.mark.parametrize("name, cls", [("sgd", SGD), ("SGD", SGD), ("RMSprop", RMSprop), ("rmsprop", RMSprop),
                                       ("Adam", Adam), ("ADAM", Adam), ("adamw", AdamW), ("Adagrad", Adagrad)])
def test_get_by_name_is_case_insensitive(name, cls):
    opt = optimizers.get(name)
    assert type(opt) is cls


def test_get_names_give_fresh_instances_with_defaults():
    a, b = optimizers.get("rmsprop"), optimizers.get("rmsprop")
    assert a is not b
    assert a.learning_rate == 0.001 and a.rho == 0.9


def test_get_with_class_instance_and_config():
    assert type(optimizers.get(Adagrad)) is Adagrad
    opt = Adam(learning_rate=0.5)
    assert optimizers.get(opt) is opt
    made = optimizers.get({"class_name": "SGD", "config": {"learning_rate": 0.2, "momentum": 0.5}})
    assert type(made) is SGD and made.learning_rate == 0.2 and made.momentum == 0.5
    assert type(optimizers.get({"class_name": "adam"})) is Adam


def test_the_names_are_class_names_in_any_case():
    assert {"SGD", "sgd", "RMSprop", "rmsprop", "Adam", "adam", "AdamW", "adamw", "Adagrad", "adagrad"} <= set(
        optimizers.OPTIMIZERS.names())
    assert "rm_sprop" not in optimizers.OPTIMIZERS.names()  # no snake_case names: Keras uses lower case


@pytest.mark.parametrize("bad", ["adamax", "Adamax", {"class_name": "Nadam", "config": {}}, 3, None, ["adam"], print,
                                 Variable])
def test_get_unknown_identifiers_list_valid_names(bad):
    with pytest.raises(ValueError, match="optimizer") as info:
        optimizers.get(bad)
    message = str(info.value)
    assert repr(bad["class_name"] if isinstance(bad, dict) else bad) in message
    assert "valid names: " + ", ".join(repr(n) for n in optimizers.OPTIMIZERS.names()) in message


def test_deserialize_and_your_own_subclass():
    class SignSGD(Optimizer):
        """w -= lr * sign(g)"""

        def update(self, w, g, state, lr):
            w -= lr * np.sign(g)

    opt = SignSGD(learning_rate=0.5)
    config = optimizers.serialize(opt)
    assert config["class_name"] == "SignSGD"
    for again in (optimizers.deserialize(config), optimizers.get("signsgd"), optimizers.get("SIGNSGD")):
        assert type(again) is SignSGD
    w = Variable([1.0, -1.0])
    optimizers.deserialize(config).apply([np.float32([3.0, -0.1])], [w])
    np.testing.assert_allclose(w.data, [0.5, -0.5])
    assert type(optimizers.deserialize({"class_name": "SGD", "config": {}}, custom_objects={"SGD": SignSGD})) is SignSGD


@pytest.mark.parametrize(("bad", "error"), [(-0.1, ValueError), (0.0, ValueError), (float("nan"), ValueError),
                                            ("fast", TypeError), (None, TypeError), (True, TypeError)])
def test_learning_rate_must_be_positive_number(bad, error):
    with pytest.raises(error, match=r"SGD: argument `learning_rate` must be a (finite )?number > 0, got"):
        SGD(learning_rate=bad)
    with pytest.raises(error, match=r"Adam: argument `learning_rate` must be a (finite )?number > 0, got"):
        Adam(learning_rate=bad)
    if bad is not None:  # lr=None means "not given"
        with pytest.raises(error, match=r"Adam: argument `learning_rate` must be"):
            Adam(lr=bad)


def test_learning_rate_accepts_numpy_numbers_and_schedules():
    assert SGD(learning_rate=np.float32(0.5)).learning_rate == 0.5
    schedule = ExponentialDecay(0.1, 10, 0.5)
    assert SGD(learning_rate=schedule)._learning_rate is schedule
    assert isinstance(schedule, LearningRateSchedule)


@pytest.mark.parametrize("cls", [SGD, RMSprop])
@pytest.mark.parametrize("momentum", [1.0, 1.5, -0.1])
def test_momentum_must_be_in_zero_one(cls, momentum):
    with pytest.raises(ValueError, match=rf"{cls.__name__}: argument `momentum` must be a number in \[0, 1\)"):
        cls(momentum=momentum)


@pytest.mark.parametrize(("make", "error", "pattern"), [
    (lambda: SGD(nesterov="yes"), TypeError, r"SGD: argument `nesterov` must be True or False, got 'yes'"),
    (lambda: RMSprop(rho=1.5), ValueError, r"RMSprop: argument `rho` must be a number in \[0, 1\], got 1.5"),
    (lambda: RMSprop(epsilon=-1e-7), ValueError, r"RMSprop: argument `epsilon` must be a number >= 0"),
    (lambda: RMSprop(centered=1), TypeError, r"RMSprop: argument `centered` must be True or False"),
    (lambda: Adam(beta_1=1.0), ValueError, r"Adam: argument `beta_1` must be a number in \[0, 1\), got 1.0"),
    (lambda: AdamW(beta_2="0.9"), TypeError, r"AdamW: argument `beta_2` must be a number in \[0, 1\)"),
    (lambda: Adam(amsgrad=None), TypeError, r"Adam: argument `amsgrad` must be True or False, got None"),
    (lambda: Adagrad(initial_accumulator_value=-0.1), ValueError,
     r"Adagrad: argument `initial_accumulator_value` must be a number >= 0"),
    (lambda: SGD(weight_decay=-0.1), ValueError, r"SGD: argument `weight_decay` must be a number >= 0"),
    (lambda: SGD(decay=-1.0), ValueError, r"SGD: argument `decay` must be a number >= 0"),
    (lambda: SGD(name=3), TypeError, r"SGD: argument `name` must be a string or None, got 3"),
])
def test_bad_hyperparameters_name_the_optimizer_and_argument(make, error, pattern):
    with pytest.raises(error, match=pattern):
        make()


def test_unknown_keyword_is_a_type_error_naming_it():
    with pytest.raises(TypeError, match=r"SGD: unexpected keyword argument\(s\) \['momentun'\]"):
        SGD(momentun=0.9)
    with pytest.raises(TypeError, match=r"Adam: unexpected keyword argument\(s\) \['beta1'\]"):
        Adam(beta1=0.9)


@pytest.mark.parametrize("opt", [
    SGD(learning_rate=0.3, momentum=0.7, nesterov=True, clipnorm=1.5, name="my_sgd"),
    RMSprop(learning_rate=0.02, rho=0.8, momentum=0.1, epsilon=1e-4, centered=True, clipvalue=2.0),
    Adam(learning_rate=ExponentialDecay(0.1, 100, 0.96, staircase=True), beta_1=0.8, amsgrad=True),
    AdamW(learning_rate=CosineDecay(0.01, 50, alpha=0.1, warmup_target=0.1, warmup_steps=5), weight_decay=0.01),
    Adagrad(learning_rate=PiecewiseConstantDecay([10], [0.1, 0.01]), initial_accumulator_value=0.5,
            global_clipnorm=3.0),
    SGD(lr=0.5, decay=1e-3),
    Adam(learning_rate=InverseTimeDecay(0.1, 10, 0.5)),
], ids=lambda o: type(o).__name__)
def test_serialize_get_round_trip(opt):
    config = optimizers.serialize(opt)
    assert config["class_name"] == type(opt).__name__
    again = optimizers.get(config)
    assert type(again) is type(opt)
    assert again.get_config() == opt.get_config()
    assert again.learning_rate == pytest.approx(opt.learning_rate, rel=1e-12)
    # the rebuilt optimizer moves weights the same way
    assert_matches(run_module(again), run_module(type(opt).from_config(opt.get_config())))


def test_serialized_config_is_plain_data():
    import json

    cfg = optimizers.serialize(Adam(learning_rate=ExponentialDecay(0.1, 10, 0.9)))
    assert json.loads(json.dumps(cfg)) == cfg
    assert cfg["config"]["learning_rate"]["class_name"] == "ExponentialDecay"


def test_base_optimizer_has_no_update_rule():
    with pytest.raises(NotImplementedError):
        Optimizer(0.1).apply([np.float32([1.0])], [Variable([1.0])])


# -- end to end: minimise a convex quadratic ---------------------------------------------------

TARGET = np.float32([1.5, -2.0, 0.5])
CURVATURE = np.float32([1.0, 3.0, 0.5])


@pytest.mark.parametrize("opt, steps", [
    (SGD(learning_rate=0.1), 300),
    (SGD(learning_rate=0.05, momentum=0.9), 300),
    (SGD(learning_rate=0.05, momentum=0.9, nesterov=True), 300),
    (RMSprop(learning_rate=ExponentialDecay(0.05, 100, 0.5)), 1000),
    (RMSprop(learning_rate=0.01, momentum=0.5, centered=True), 1000),
    (Adam(learning_rate=0.1), 1000),
    (Adam(learning_rate=0.1, amsgrad=True), 1000),
    (AdamW(learning_rate=0.1, weight_decay=1e-6), 1000),
    (Adagrad(learning_rate=0.5), 1000),
], ids=lambda o: type(o).__name__ if isinstance(o, Optimizer) else None)
def test_each_optimizer_minimises_a_quadratic(opt, steps):
    w = Variable(np.zeros(3), name="w")
    for _ in range(steps):
        w.grad = None
        loss = ((w - Tensor(TARGET)) ** 2 * Tensor(CURVATURE)).sum()
        loss.backward()
        opt.apply([w.grad], [w])
    np.testing.assert_allclose(w.data, TARGET, atol=1e-3)
    assert opt.iterations == steps


# -- large weights: the built-in rules run block by block ------------------------------------

ALL_RULES = [SGD(0.1), SGD(0.1, momentum=0.9, nesterov=True), RMSprop(), RMSprop(centered=True, momentum=0.5),
             Adam(), Adam(amsgrad=True), AdamW(), Adagrad()]


@pytest.mark.parametrize("make", [lambda o=o: optimizers.deserialize(optimizers.serialize(o)) for o in ALL_RULES],
                         ids=[f"{type(o).__name__}-{i}" for i, o in enumerate(ALL_RULES)])
def test_a_weight_larger_than_a_block_moves_as_one_updated_whole(make, monkeypatch):
    """A weight of 2.5 blocks (the last block partial) ends bit-identical to the same weight
    updated whole: the blocks are views of the weight and of its state, nothing is copied back."""
    rng = np.random.default_rng(3)
    shape = (5, optimizers.UPDATE_BLOCK // 2)  # 2.5 blocks, not a multiple of the block
    w0 = rng.normal(size=shape).astype(np.float32)
    grads = [(rng.normal(size=shape) * s).astype(np.float32) for s in (3.0, 0.5, 0.05, 0.01)]
    blocked, whole = Variable(w0.copy()), Variable(w0.copy())
    by_blocks, at_once = make(), make()
    calls = []
    rule = type(by_blocks).update

    def counted(self, w, g, state, lr):
        calls.append(w.size)
        rule(self, w, g, state, lr)

    monkeypatch.setattr(type(by_blocks), "update", counted)
    monkeypatch.setattr(optimizers, "_ELEMENTWISE_RULES", {type(by_blocks).update})
    for g in grads:
        by_blocks.apply([g], [blocked])
    assert calls[:3] == [optimizers.UPDATE_BLOCK] * 2 + [w0.size - 2 * optimizers.UPDATE_BLOCK]  # really in blocks
    monkeypatch.setattr(optimizers, "UPDATE_BLOCK", w0.size + 1)
    for g in grads:
        at_once.apply([g], [whole])
    np.testing.assert_array_equal(blocked.data, whole.data)
    assert not np.array_equal(blocked.data, w0)


def test_a_rule_of_your_own_gets_the_whole_weight():
    """A subclass's own ``update`` may need the whole weight (a norm, say): it is never split."""
    seen = []

    class Normalized(SGD):
        def update(self, w, g, state, lr):
            seen.append(w.shape)
            w -= lr * g / np.linalg.norm(g)

    w = Variable(np.ones((3, optimizers.UPDATE_BLOCK), np.float32))
    Normalized(0.1).apply([np.ones_like(w.data)], [w])
    assert seen == [(3, optimizers.UPDATE_BLOCK)]
    np.testing.assert_allclose(w.data, 1 - 0.1 / math.sqrt(w.data.size), rtol=1e-6)
