"""What every dl-book package's tests share: hypothesis strategies for ops, the test setup
(``use_hypothesis_profiles``), the executed-docs tests (``chapter_docs_tests``) and the
tests of the figures a chapter draws during its docs build (``chapter_figures_tests``).

Needs ``hypothesis`` and ``pytest`` (the ``testing`` extra: ``pip install "dl-tensor[testing]"``).

The arrays come in three memory layouts (contiguous, transposed, strided) so that ops
are tested on the non-contiguous views NumPy hands around, and can be kept away from
kinks (``relu`` at 0, ``abs`` at 0) where finite differences disagree with any gradient.

Examples:
    >>> from hypothesis import given
    >>> from dl_tensor import gradcheck, tanh
    >>> from dl_tensor.testing import arrays, shapes
    >>> @given(shapes().flatmap(arrays))
    ... def test_tanh(x):
    ...     assert gradcheck(tanh, [x])
    >>> test_tanh()
"""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import os
import pkgutil
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .random import set_random_seed

LAYOUTS = ("contiguous", "transposed", "strided")


def shapes(min_dims: int = 0, max_dims: int = 3, min_side: int = 1, max_side: int = 4):
    """Array shapes, e.g. (), (3,), (2, 1, 4)."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def broadcastable_shapes(num_shapes: int = 2, min_dims: int = 0, max_dims: int = 3, max_side: int = 4):
    """Tuples of ``num_shapes`` shapes that broadcast together, e.g. ((3, 1), (4,))."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes, min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=max_side
    ).map(lambda r: r.input_shapes)


@st.composite
def arrays(
    draw,
    shape,
    low: float = -3.0,
    high: float = 3.0,
    dtype=np.float64,
    kinks=(),
    margin: float = 1e-2,
    unique: bool = False,
    layouts=LAYOUTS,
):
    """Float arrays of ``shape`` with values in [low, high], in a random memory layout.

    Args:
        shape: the shape of the array drawn.
        low: smallest value.
        high: largest value.
        dtype: float64 by default (gradient checks need it).
        kinks: values to stay ``margin`` away from (e.g. ``(0,)`` for relu).
        unique: all values distinct and at least ``margin`` apart (keeps ``max`` free of
            ties, even under finite-difference perturbations).
        layouts: which of "contiguous", "transposed" (a .T view), "strided" (a [..., ::2] view).
    """
    shape = tuple(shape)
    if unique:  # a grid of step `margin`: distinct values stay `margin` apart
        elements = st.integers(int(np.ceil(low / margin)), int(np.floor(high / margin))).map(lambda k: k * margin)
    else:
        elements = st.floats(low, high, allow_nan=False, allow_infinity=False, width=64)
    if kinks:
        elements = elements.filter(lambda v: all(abs(v - k) > margin for k in kinks))
    layout = draw(st.sampled_from(layouts if shape else ("contiguous",)))
    if layout == "transposed":
        base = draw(hnp.arrays(dtype, shape[::-1], elements=elements, unique=unique))
        return base.T  # a Fortran-ordered view with the requested shape
    if layout == "strided":
        base = draw(hnp.arrays(dtype, shape[:-1] + (2 * shape[-1],), elements=elements, unique=unique))
        return base[..., ::2]  # every other column: a view with a stride of 2 elements
    return draw(hnp.arrays(dtype, shape, elements=elements, unique=unique))


def axes_for(ndim: int):
    """An ``axis`` argument valid for rank ``ndim``: None, an int (maybe negative) or a tuple."""
    if ndim == 0:
        return st.none()
    single = st.integers(-ndim, ndim - 1)
    several = st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True).map(tuple)
    return st.one_of(st.none(), single, several)


# -- the test setup every package shares --------------------------------------------------------


def use_hypothesis_profiles() -> None:
    """Register and load the packages' hypothesis profiles (call it from ``conftest.py``).

    ``default``: 30 examples, no deadline (gradient checks run ``fn`` 2 * size times);
    ``thorough``: 300 examples. Pick one with the environment variable
    ``HYPOTHESIS_PROFILE=thorough``.
    """
    settings.register_profile("default", max_examples=30, deadline=None,
                              suppress_health_check=[HealthCheck.too_slow])
    settings.register_profile("thorough", max_examples=300, deadline=None)
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def chapter_docs_tests(package, test_file: str, seed=None):
    """The three tests of a chapter's docs, for its ``tests/test_docs.py`` in one line::

        test_pages, test_docstrings, test_nav = chapter_docs_tests(dl_layers, __file__)

    * every ``>>>`` example of every page in ``docs/`` runs and prints what the page says;
    * every docstring example of every module of ``package`` runs;
    * every page is listed in the chapter's ``mkdocs.yml``.

    Each example runs from ``set_random_seed(seed or 0)`` with NumPy printing 4 decimals.
    """
    docs = Path(test_file).resolve().parents[1] / "docs"

    def fixed(run, *args):
        set_random_seed(seed or 0)
        with np.printoptions(precision=4, suppress=True):
            run(*args)

    @pytest.mark.parametrize("page", sorted(docs.glob("*.md")), ids=lambda p: p.name)
    def test_docs_page_examples_run(page):
        fixed(run_page_examples, page)

    @pytest.mark.parametrize("name", package_modules(package))
    def test_docstring_examples_run(name):
        fixed(run_docstring_examples, name)

    def test_every_docs_page_is_in_the_chapter_nav():
        nav = (docs.parent / "mkdocs.yml").read_text()
        missing = [page.name for page in docs.glob("*.md") if page.name not in nav]
        assert not missing, f"pages not listed in {docs.parent.name}/mkdocs.yml: {missing}"

    return test_docs_page_examples_run, test_docstring_examples_run, test_every_docs_page_is_in_the_chapter_nav


def chapter_figures_tests(test_file: str):
    """The figures a chapter's ``docs_figures.py`` draws during the docs build, drawn in the tests
    too, for its ``tests/test_docs_figures.py``::

        drawn, test_figures = chapter_figures_tests(__file__)

    ``drawn`` is a module-scoped fixture: ``(folder, facts)``, the folder the script's
    ``main(folder)`` drew into and the numbers it returned, for the chapter's own tests of what
    its pages say. ``test_figures`` checks that every ``figures/NAME.png`` a page of ``docs/``
    links is drawn and is a picture (larger than 50x50 pixels, not one flat colour; read with
    matplotlib, which a chapter that draws figures has).
    """
    root = Path(test_file).resolve().parents[1]

    @pytest.fixture(scope="module")
    def drawn(tmp_path_factory):
        spec = importlib.util.spec_from_file_location(f"{root.name}_docs_figures", root / "docs_figures.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        out = tmp_path_factory.mktemp("figures")
        return out, module.main(out)

    def test_every_figure_a_page_shows_is_drawn_and_not_blank(drawn):
        import matplotlib.image

        out, _ = drawn
        link = r"\]\(figures/([\w-]+\.png)\)"
        shown = {name for page in (root / "docs").glob("*.md") for name in re.findall(link, page.read_text())}
        assert shown, "the pages show no figure"
        missing = sorted(shown - {p.name for p in out.glob("*.png")})
        assert not missing, f"pages link figures the script does not draw: {missing}"
        for name in sorted(shown):
            image = matplotlib.image.imread(out / name)
            assert image.shape[0] > 50 and image.shape[1] > 50 and image[..., :3].std() > 0.02, name

    return drawn, test_every_figure_a_page_shows_is_drawn_and_not_blank


# -- executed documentation ------------------------------------------------------------------

DOCTEST_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def package_modules(package) -> list:
    """Names of ``package`` and all its submodules (for running their docstring examples)."""
    return [package.__name__] + sorted(m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + "."))


def run_docstring_examples(module_name: str) -> None:
    """Run the ``>>>`` examples of a module's docstrings; fail with the doctest report."""
    module = importlib.import_module(module_name)
    result = doctest.testmod(module, optionflags=DOCTEST_FLAGS, verbose=False)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {module_name}"


def run_page_examples(page: Path) -> None:
    """Run the ``>>>`` examples of a Markdown page in order, in one namespace."""
    result = doctest.testfile(str(page), module_relative=False, optionflags=DOCTEST_FLAGS, verbose=False)
    assert result.failed == 0, f"{result.failed} example(s) failed in {Path(page).name}"
