"""Prove that a tox env holds exactly the first-party packages it is allowed to see.

Run first in every tox env:

    python tools/check_isolation.py dl-layers     # the env of one package
    python tools/check_isolation.py --all         # the integration env

For the env of package P, the allowed first-party packages are P and everything below it
(its first-party dependencies, transitively, read from packages/*/pyproject.toml). The
check fails when
  * an allowed package cannot be imported, or was not installed from this repo (its
    ``direct_url.json`` does not point into ``packages/``: it came from an index);
  * an upper or sibling first-party package can be imported in the env;
  * P's source imports a first-party package outside the allowed set (an arrow pointing
    up or sideways), even in code that no test executes.
"""

from __future__ import annotations

import argparse
import ast
import importlib.metadata
import importlib.util
import json
import re
import sys
import tomllib
from pathlib import Path
from urllib.parse import unquote, urlparse

REPO = Path(__file__).resolve().parents[1]


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_packages(repo: Path) -> dict[str, dict]:
    """name -> {dir, import_name, deps (first-party or not, normalised)} for packages/*."""
    found = {}
    for pyproject in sorted((repo / "packages").glob("*/pyproject.toml")):
        meta = tomllib.loads(pyproject.read_text())
        project = meta["project"]
        wheel = meta.get("tool", {}).get("hatch", {}).get("build", {}).get("targets", {}).get("wheel", {})
        src = (wheel.get("packages") or [f"src/{project['name'].replace('-', '_')}"])[0]
        deps = {normalize(re.split(r"[\s<>=!~;\[(]", d, maxsplit=1)[0]) for d in project.get("dependencies", [])}
        found[normalize(project["name"])] = {"dir": pyproject.parent, "import_name": Path(src).name, "deps": deps}
    return found


def closure(packages: dict, name: str) -> set[str]:
    """``name`` and every first-party package it depends on, transitively."""
    allowed, todo = set(), [name]
    while todo:
        current = todo.pop()
        if current in allowed:
            continue
        allowed.add(current)
        todo.extend(d for d in packages[current]["deps"] if d in packages)
    return allowed


def installed_from_repo(name: str, pkg_dir: Path) -> str | None:
    """None if ``name`` was installed from ``pkg_dir``; otherwise why not."""
    try:
        dist = importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        return "no installed distribution"
    raw = dist.read_text("direct_url.json")
    if not raw:
        return "installed from an index (no direct_url.json), not from this repo"
    url = json.loads(raw).get("url", "")
    parsed = urlparse(url)
    path = Path(unquote(parsed.path)).resolve() if parsed.scheme == "file" else None
    if path != pkg_dir.resolve():
        return f"installed from {url}, not from {pkg_dir}"
    return None


def upward_imports(src_dir: Path, forbidden: dict[str, str]) -> list[str]:
    """``file:line imports X`` for each import of a forbidden first-party module under src_dir."""
    hits = []
    for path in sorted(src_dir.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for n in names:
                top = n.split(".")[0]
                if top in forbidden:
                    hits.append(f"{path}:{node.lineno} imports {top} ({forbidden[top]})")
    return hits


def check(repo: Path, target: str | None) -> list[str]:
    packages = read_packages(repo)
    if target is not None and normalize(target) not in packages:
        return [f"unknown package {target!r}; known: {sorted(packages)}"]
    allowed = set(packages) if target is None else closure(packages, normalize(target))
    problems = []
    for name, info in packages.items():
        importable = importlib.util.find_spec(info["import_name"]) is not None
        if name in allowed:
            if not importable:
                problems.append(f"{name}: should be importable here, but `import {info['import_name']}` fails")
                continue
            why = installed_from_repo(name, info["dir"])
            if why:
                problems.append(f"{name}: {why}")
        elif importable:
            problems.append(
                f"{name}: importable in the env of {target}, but it is not below {target} "
                "(an upper or sibling package leaked in)"
            )
    if target is not None:
        forbidden = {info["import_name"]: f"not below {target}" for n, info in packages.items() if n not in allowed}
        src = packages[normalize(target)]["dir"] / "src"
        problems += upward_imports(src, forbidden)
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package", nargs="?", help="the package whose env this is")
    parser.add_argument("--all", action="store_true", help="every first-party package is allowed")
    parser.add_argument("--repo", type=Path, default=REPO, help="repository root (default: this repo)")
    args = parser.parse_args(argv)
    if bool(args.package) == args.all:
        parser.error("give one package name, or --all")
    problems = check(args.repo, None if args.all else args.package)
    label = "all packages" if args.all else args.package
    if problems:
        print(f"isolation check FAILED for {label}:", file=sys.stderr)
        for p in problems:
            print(f"  - {p}", file=sys.stderr)
        return 1
    packages = read_packages(args.repo)
    allowed = sorted(packages if args.all else closure(packages, normalize(args.package)))
    print(f"isolation check OK for {label}: first-party packages here = {allowed}, all from this repo")
    return 0


if __name__ == "__main__":
    sys.exit(main())
