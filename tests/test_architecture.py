"""The apps depend one way (territories → geocoding → catalogue), as import-linter's contract in
pyproject.toml says: the real tree keeps it, a wrong import breaks it, and no package escapes it."""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
# Top-level folders that are not the site's code.
NOT_APPS = {"tests", "benchmarks", "scripts", "fixtures", "locale", "static", "templates", "var"}


def contract_packages():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["root_packages"]


def lint_imports(directory):
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=directory, capture_output=True, text=True, check=False
    )


def test_every_package_of_the_site_is_under_the_contract():
    packages = {path.parent.name for path in ROOT.glob("*/__init__.py")} - NOT_APPS
    assert packages == set(contract_packages())


def test_the_tree_keeps_the_contract():
    result = lint_imports(ROOT)

    assert result.returncode == 0, result.stdout
    assert "1 kept, 0 broken" in result.stdout


def test_geocoding_importing_the_catalogue_breaks_the_contract(tmp_path):
    for package in contract_packages():
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    ban = tmp_path / "geocoding" / "ban.py"
    ban.write_text(ban.read_text() + "\nfrom catalogue.models import Initiative  # noqa\n")

    result = lint_imports(tmp_path)

    assert result.returncode == 1
    assert "0 kept, 1 broken" in result.stdout
    assert "geocoding.ban -> catalogue.models" in result.stdout
