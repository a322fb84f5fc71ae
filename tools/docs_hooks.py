"""mkdocs hook of the combined site (mkdocs.yml): figures drawn during the build.

* dl-viz's chapter figures, through that chapter's own hook (``packages/dl-viz/docs_hooks.py``),
  as ``dl-viz/figures/...``;
* the figures of "What a convnet learns" (``docs/convnet-visualization.md``), where dl-viz meets
  dl-convnet, drawn by ``tools/convnet_figures.py`` as ``figures/...``.

Nothing drawn is committed: the pictures always show what the code does today.
"""

from __future__ import annotations

import importlib.util
import tempfile
from pathlib import Path

from mkdocs.structure.files import File

REPO = Path(__file__).resolve().parents[1]
_drawn: dict[str, Path] = {}  # one drawing per process (mkdocs serve rebuilds often)


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def on_files(files, config):
    files = _load(REPO / "packages" / "dl-viz" / "docs_hooks.py", "dl_viz_docs_hooks").on_files(files, config)
    if "convnet" not in _drawn:
        out = Path(tempfile.mkdtemp(prefix="dl-book-convnet-figures-"))
        _load(REPO / "tools" / "convnet_figures.py", "dl_book_convnet_figures").main(out)
        _drawn["convnet"] = out
    for png in sorted(_drawn["convnet"].glob("*.png")):
        files.append(File.generated(config, f"figures/{png.name}", abs_src_path=str(png)))
    return files
