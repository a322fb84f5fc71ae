"""The isolation check must pass a clean env and fail on every kind of leak."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

CHECK = Path(__file__).resolve().parents[1] / "check_isolation.py"


def make_repo(tmp_path: Path, upward_import: bool = False) -> Path:
    """A fake monorepo: base <- top, base <- side (top and side are siblings)."""
    repo = tmp_path / "repo"
    for name, deps in (("base", []), ("top", ["base>=0.1"]), ("side", ["base"])):
        pkg = repo / "packages" / name
        (pkg / "src" / f"{name}_mod").mkdir(parents=True)
        code = "import side_mod\n" if (upward_import and name == "top") else "VALUE = 1\n"
        (pkg / "src" / f"{name}_mod" / "__init__.py").write_text(code)
        (pkg / "pyproject.toml").write_text(textwrap.dedent(f"""
            [project]
            name = "{name}"
            version = "0.1"
            dependencies = {json.dumps(deps + ["numpy>=2"])}
            [tool.hatch.build.targets.wheel]
            packages = ["src/{name}_mod"]
        """))
    return repo


def install(site: Path, repo: Path, name: str, from_repo: bool = True) -> None:
    """Make `name` importable from `site`, recorded as installed from the repo (or an index)."""
    site.mkdir(exist_ok=True)
    (site / f"{name}_mod").mkdir()
    (site / f"{name}_mod" / "__init__.py").write_text("")
    info = site / f"{name}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    if from_repo:
        url = (repo / "packages" / name).resolve().as_uri()
        (info / "direct_url.json").write_text(json.dumps({"url": url, "dir_info": {"editable": True}}))


def run(repo: Path, site: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(CHECK), "--repo", str(repo), *args],
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )


def test_passes_when_exactly_the_closure_is_installed_from_the_repo(tmp_path):
    repo, site = make_repo(tmp_path), tmp_path / "site"
    install(site, repo, "base")
    install(site, repo, "top")
    result = run(repo, site, "top")
    assert result.returncode == 0, result.stderr
    assert "OK for top" in result.stdout and "['base', 'top']" in result.stdout


def test_fails_when_an_upper_package_is_importable(tmp_path):
    repo, site = make_repo(tmp_path), tmp_path / "site"
    install(site, repo, "base")
    install(site, repo, "top")
    result = run(repo, site, "base")
    assert result.returncode == 1
    assert "top: importable in the env of base" in result.stderr


def test_fails_when_a_sibling_is_importable(tmp_path):
    repo, site = make_repo(tmp_path), tmp_path / "site"
    for name in ("base", "top", "side"):
        install(site, repo, name)
    result = run(repo, site, "top")
    assert result.returncode == 1
    assert "side: importable in the env of top" in result.stderr
    assert run(repo, site, "--all").returncode == 0


def test_fails_when_a_package_imports_upward_or_sideways(tmp_path):
    repo, site = make_repo(tmp_path, upward_import=True), tmp_path / "site"
    install(site, repo, "base")
    install(site, repo, "top")
    result = run(repo, site, "top")
    assert result.returncode == 1
    assert "top_mod/__init__.py:1 imports side_mod (not below top)" in result.stderr


def test_fails_when_a_first_party_package_came_from_an_index(tmp_path):
    repo, site = make_repo(tmp_path), tmp_path / "site"
    install(site, repo, "base", from_repo=False)
    install(site, repo, "top")
    result = run(repo, site, "top")
    assert result.returncode == 1
    assert "base: installed from an index" in result.stderr


def test_fails_when_an_allowed_package_is_missing(tmp_path):
    repo, site = make_repo(tmp_path), tmp_path / "site"
    install(site, repo, "top")
    result = run(repo, site, "top")
    assert result.returncode == 1
    assert "base: should be importable here" in result.stderr


@pytest.mark.parametrize("args", [[], ["top", "--all"], ["nope"]])
def test_bad_arguments(tmp_path, args):
    repo, site = make_repo(tmp_path), tmp_path / "site"
    site.mkdir()
    assert run(repo, site, *args).returncode != 0
