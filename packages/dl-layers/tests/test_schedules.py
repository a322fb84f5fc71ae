"""Learning-rate schedules: each formula step by step, as an optimizer reads it; argument
checks; names and configs."""

import json
import math

import numpy as np
import pytest

from dl_layers import schedules
from dl_layers.optimizers import SGD, Adam
from dl_layers.schedules import CosineDecay, ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay
from dl_layers.variable import Variable


def sgd_rates(schedule, steps):
    """The rate used at each step, read both from the property and from the update size."""
    opt = SGD(learning_rate=schedule)
    w = Variable(np.zeros(1), dtype=np.float64)
    rates = []
    for _ in range(steps):
        before = w.data[0]
        announced = opt.learning_rate
        opt.apply([np.ones(1)], [w])
        assert before - w.data[0] == pytest.approx(announced, rel=1e-12)
        rates.append(announced)
    return rates


def test_exponential_decay_schedule():
    rates = sgd_rates(ExponentialDecay(0.1, decay_steps=4, decay_rate=0.5), 9)
    assert rates == pytest.approx([0.1 * 0.5 ** (k / 4) for k in range(9)], rel=1e-12)


def test_exponential_decay_staircase():
    rates = sgd_rates(ExponentialDecay(0.1, decay_steps=4, decay_rate=0.5, staircase=True), 9)
    assert rates == pytest.approx([0.1] * 4 + [0.05] * 4 + [0.025], rel=1e-12)


def test_inverse_time_decay_schedule():
    rates = sgd_rates(InverseTimeDecay(0.2, decay_steps=3, decay_rate=0.5), 7)
    assert rates == pytest.approx([0.2 / (1 + 0.5 * k / 3) for k in range(7)], rel=1e-12)
    s = InverseTimeDecay(0.2, decay_steps=3, decay_rate=0.5, staircase=True)
    assert [s(k) for k in range(7)] == pytest.approx([0.2 / (1 + 0.5 * (k // 3)) for k in range(7)], rel=1e-12)


def test_piecewise_constant_decay_boundaries_are_inclusive_on_the_left_value():
    rates = sgd_rates(PiecewiseConstantDecay([2, 4], [1.0, 0.5, 0.1]), 7)
    assert rates == [1.0, 1.0, 1.0, 0.5, 0.5, 0.1, 0.1]


def test_cosine_decay_without_warmup():
    s = CosineDecay(1.0, decay_steps=10, alpha=0.1)
    for k in range(15):
        p = min(k, 10) / 10
        assert s(k) == pytest.approx(0.9 * 0.5 * (1 + math.cos(math.pi * p)) + 0.1, rel=1e-12)
    assert s(0) == pytest.approx(1.0) and s(10) == pytest.approx(0.1) and s(100) == pytest.approx(0.1)


def test_cosine_decay_with_warmup():
    s = CosineDecay(0.0, decay_steps=8, alpha=0.0, warmup_target=0.4, warmup_steps=4)
    rates = sgd_rates(CosineDecay(0.01, decay_steps=8, alpha=0.0, warmup_target=0.4, warmup_steps=4), 14)
    for k, rate in enumerate(rates):
        if k < 4:  # linear from the initial rate to the target
            want = 0.01 + (0.4 - 0.01) * k / 4
        else:
            p = min(k - 4, 8) / 8
            want = 0.4 * 0.5 * (1 + math.cos(math.pi * p))
        assert rate == pytest.approx(want, rel=1e-12, abs=1e-15), k
    assert [s(k) for k in range(5)] == pytest.approx([0.0, 0.1, 0.2, 0.3, 0.4], rel=1e-12)


def test_cosine_decay_without_warmup_target_skips_warmup():
    # Keras: "If warmup_target is None we skip warmup"; warmup_steps alone changes nothing
    plain = CosineDecay(0.5, decay_steps=10, alpha=0.2)
    with_steps = CosineDecay(0.5, decay_steps=10, alpha=0.2, warmup_steps=4)
    assert [with_steps(k) for k in range(14)] == [plain(k) for k in range(14)]
    assert with_steps(1) < 0.5


@pytest.mark.parametrize(("make", "error", "pattern"), [
    (lambda: ExponentialDecay(0.1, 0, 0.5), ValueError,
     r"ExponentialDecay: argument `decay_steps` must be a number > 0, got 0"),
    (lambda: InverseTimeDecay(0.1, -1, 0.5), ValueError,
     r"InverseTimeDecay: argument `decay_steps` must be a number > 0, got -1"),
    (lambda: CosineDecay(0.1, 0), ValueError, r"CosineDecay: argument `decay_steps` must be a number > 0, got 0"),
    (lambda: ExponentialDecay("0.1", 10, 0.5), TypeError,
     r"ExponentialDecay: argument `initial_learning_rate` must be a number >= 0, got '0.1'"),
    (lambda: ExponentialDecay(0.1, 10, -0.5), ValueError,
     r"ExponentialDecay: argument `decay_rate` must be a number >= 0, got -0.5"),
    (lambda: ExponentialDecay(0.1, 10, 0.5, staircase="yes"), TypeError,
     r"ExponentialDecay: argument `staircase` must be True or False"),
    (lambda: CosineDecay(0.1, 10, alpha=2.0), ValueError,
     r"CosineDecay: argument `alpha` must be a number in \[0, 1\], got 2.0"),
    (lambda: CosineDecay(0.1, 10, warmup_target=0.2, warmup_steps=2.5), TypeError,
     r"CosineDecay: argument `warmup_steps` must be an integer >= 0"),
    (lambda: PiecewiseConstantDecay([10, 20], [0.1, 0.01]), ValueError,
     r"PiecewiseConstantDecay: expected len\(values\) == len\(boundaries\) \+ 1.*2 values for 2 boundaries"),
    (lambda: PiecewiseConstantDecay([20, 10], [0.1, 0.01, 0.001]), ValueError,
     r"PiecewiseConstantDecay: argument `boundaries` must be increasing, got \[20, 10\]"),
    (lambda: PiecewiseConstantDecay([10], ["fast", 0.1]), TypeError, r"PiecewiseConstantDecay: argument `values`"),
])
def test_bad_arguments_name_the_schedule_and_argument(make, error, pattern):
    with pytest.raises(error, match=pattern):
        make()


def test_the_base_class_is_abstract():
    with pytest.raises(NotImplementedError, match="must implement __call__"):
        schedules.LearningRateSchedule()(0)


# -- names and configs ----------------------------------------------------------------------

ALL = [
    ExponentialDecay(0.1, 100, 0.96, staircase=True),
    InverseTimeDecay(0.1, 10, 0.5),
    PiecewiseConstantDecay([10, 20], [0.1, 0.01, 0.001]),
    CosineDecay(0.01, 50, alpha=0.1, warmup_target=0.1, warmup_steps=5),
]


@pytest.mark.parametrize("schedule", ALL, ids=lambda s: type(s).__name__)
def test_serialize_deserialize_round_trip(schedule):
    config = schedules.serialize(schedule)
    assert config["class_name"] == type(schedule).__name__
    assert json.loads(json.dumps(config)) == config  # plain data
    for again in (schedules.deserialize(config), schedules.get(config)):
        assert type(again) is type(schedule) and again.get_config() == schedule.get_config()
        assert [again(k) for k in range(0, 120, 7)] == [schedule(k) for k in range(0, 120, 7)]


def test_repr_shows_the_config():
    assert repr(InverseTimeDecay(0.1, 10, 0.5)) == (
        "InverseTimeDecay(initial_learning_rate=0.1, decay_steps=10.0, decay_rate=0.5, staircase=False)")


def test_get_returns_schedules_and_none_as_they_are():
    schedule = ALL[0]
    assert schedules.get(schedule) is schedule and schedules.get(None) is None


def test_unknown_names_list_the_valid_ones():
    with pytest.raises(ValueError, match="learning rate schedule") as info:
        schedules.deserialize({"class_name": "StepDecay", "config": {}})
    message = str(info.value)
    assert "'StepDecay'" in message
    assert "valid names: " + ", ".join(repr(n) for n in schedules.SCHEDULES.names()) in message
    assert {"CosineDecay", "ExponentialDecay", "InverseTimeDecay", "PiecewiseConstantDecay",
            "exponential_decay"} <= set(schedules.SCHEDULES.names())


def test_your_own_schedule_is_saved_with_the_optimizer():
    class Halving(schedules.LearningRateSchedule):
        def __init__(self, rate, every):
            self.rate, self.every = rate, every

        def __call__(self, step):
            return self.rate * 0.5 ** (step // self.every)

        def get_config(self):
            return {"rate": self.rate, "every": self.every}

    config = json.loads(json.dumps(schedules.serialize(Halving(0.8, 2))))
    assert config == {"class_name": "Halving", "config": {"rate": 0.8, "every": 2}}
    opt = Adam.from_config(Adam(learning_rate=Halving(0.8, 2)).get_config())
    assert type(opt._learning_rate) is Halving
    opt.iterations = 4
    assert opt.learning_rate == pytest.approx(0.2)
