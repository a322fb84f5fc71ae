"""mkdocs hook: dl-viz's figures are drawn during the docs build, never committed.

Both the chapter site (``packages/dl-viz/mkdocs.yml``) and the combined site (``mkdocs.yml``)
list this file under ``hooks:``. Before the pages are read, ``on_files`` runs
``docs_figures.main`` (small models trained in seconds, then every dl-viz picture of them)
into a temporary folder and adds each PNG to the site as ``figures/NAME.png`` beside the
chapter's pages (``dl-viz/figures/...`` in the combined site), so that the pages' image
links resolve and ``mkdocs build --strict`` checks them.
"""

from __future__ import annotations

import importlib.util
import tempfile
from pathlib import Path

from mkdocs.structure.files import File

HERE = Path(__file__).resolve().parent
_made: dict[str, Path] = {}  # one drawing per process (mkdocs serve rebuilds often)


def _draw() -> Path:
    if "dir" not in _made:
        spec = importlib.util.spec_from_file_location("dl_viz_docs_figures", HERE / "docs_figures.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        out = Path(tempfile.mkdtemp(prefix="dl-viz-figures-"))
        module.main(out)
        _made["dir"] = out
    return _made["dir"]


def on_files(files, config):
    prefix = "" if config["site_name"] == "dl-viz" else "dl-viz/"
    for png in sorted(_draw().glob("*.png")):
        files.append(File.generated(config, f"{prefix}figures/{png.name}", abs_src_path=str(png)))
    return files
