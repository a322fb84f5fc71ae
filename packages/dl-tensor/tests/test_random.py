"""One seed for everything drawn at random."""

import random as py_random

import numpy as np

from dl_tensor import random, set_random_seed


def draws():
    return (random.normal((3, 2)), random.uniform((4,), -1, 1), random.permutation(10),
            random.get_rng().integers(0, 100, 5), py_random.random(), np.random.rand())


def test_same_seed_same_numbers():
    set_random_seed(123)
    first = draws()
    set_random_seed(123)
    second = draws()
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    set_random_seed(124)
    assert not np.array_equal(draws()[0], first[0])


def test_float32_by_default():
    assert random.normal((2,)).dtype == np.float32
    assert random.uniform((2,)).dtype == np.float32
    assert random.normal((2,), dtype="float64").dtype == np.float64


def test_distribution_parameters():
    set_random_seed(0)
    x = random.normal((20000,), mean=2.0, stddev=0.5)
    assert abs(x.mean() - 2.0) < 0.02 and abs(x.std() - 0.5) < 0.02
    u = random.uniform((20000,), -2.0, -1.0)
    assert u.min() >= -2.0 and u.max() < -1.0
