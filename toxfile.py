"""tox finds the chapter packages by itself: one test env per ``packages/*/pyproject.toml``.

A new package needs no line in tox.ini: its env (named after its folder, e.g.
``dl-convnet``) uses the generic ``[testenv]`` section and joins the default env list,
so ``tox -p`` runs its tests with the isolation check.
"""

from __future__ import annotations

from pathlib import Path

from tox.config.sets import ConfigSet
from tox.plugin import impl
from tox.session.state import State

PACKAGES = sorted(p.parent.name for p in Path(__file__).parent.glob("packages/*/pyproject.toml"))


@impl
def tox_add_core_config(core_conf: ConfigSet, state: State) -> None:
    env_list = core_conf["env_list"]
    env_list.envs[:0] = [name for name in PACKAGES if name not in env_list.envs]  # packages first
