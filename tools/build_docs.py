"""Build the combined docs site and every chapter site alone, all with --strict.

    python tools/build_docs.py [SITE_DIR]

The combined site (mkdocs.yml) checks every link, across chapters too; each chapter
(packages/*/mkdocs.yml) must also build on its own, where links to other chapters are
reported but cannot resolve.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0]) if argv else Path(tempfile.mkdtemp(prefix="dl-book-site-"))
    configs = [REPO / "mkdocs.yml", *sorted(REPO.glob("packages/*/mkdocs.yml"))]
    failed = []
    for config in configs:
        name = "combined" if config.parent == REPO else config.parent.name
        cmd = [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config),
               "--site-dir", str(out / name)]
        result = subprocess.run(cmd, cwd=REPO)
        print(f"docs: {name}: {'OK' if result.returncode == 0 else 'FAILED'}")
        if result.returncode:
            failed.append(name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
