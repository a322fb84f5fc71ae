"""mkdocs hook: figures drawn during the docs build, never committed.

Every site lists this file under ``hooks:``: the combined site (``mkdocs.yml``) and the chapter
sites that draw figures (``packages/dl-NAME/mkdocs.yml``, as ``../../tools/docs_hooks.py``).
Before the pages are read, ``on_files`` runs

* ``packages/dl-NAME/docs_figures.py`` of the chapter being built (of every chapter that has
  one, for the combined site): small models trained in seconds, then the chapter's pictures,
  added beside its pages as ``figures/NAME.png`` (``dl-NAME/figures/...`` in the combined site);
* for the combined site, ``tools/convnet_figures.py``: the page "What a convnet learns", where
  dl-viz meets dl-convnet, as ``figures/...``.

So the pictures always show what the code does today, and ``mkdocs build --strict`` checks
every image link. Each script runs once per process (``mkdocs serve`` rebuilds often).
"""

from __future__ import annotations

import importlib.util
import tempfile
from pathlib import Path

from mkdocs.structure.files import File

REPO = Path(__file__).resolve().parents[1]
_drawn: dict[Path, Path] = {}  # script -> the folder it drew into


def _draw(script: Path) -> Path:
    if script not in _drawn:
        spec = importlib.util.spec_from_file_location(f"docs_figures_{script.parent.name}", script)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        out = Path(tempfile.mkdtemp(prefix=f"{script.parent.name}-figures-"))
        module.main(out)
        _drawn[script] = out
    return _drawn[script]


def _add(files, config, folder: Path, prefix: str) -> None:
    for png in sorted(folder.glob("*.png")):
        files.append(File.generated(config, f"{prefix}figures/{png.name}", abs_src_path=str(png)))


def on_files(files, config):
    chapters = sorted(REPO.glob("packages/*/docs_figures.py"))
    if config["site_name"] == "dl-book":  # the combined site
        for script in chapters:
            _add(files, config, _draw(script), f"{script.parent.name}/")
        _add(files, config, _draw(REPO / "tools" / "convnet_figures.py"), "")
    else:
        for script in chapters:
            if script.parent.name == config["site_name"]:
                _add(files, config, _draw(script), "")
    return files
