"""The project's own promises: the README's rule table and set-up commands, packaging, pre-commit."""

import os
import re
import shutil
import subprocess
import sys

import pytest

from blastguard.docs import rule_table
from conftest import REPO

README = (REPO / "README.md").read_text()


def _readme_commands() -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", README.split("## A short tour")[0], re.DOTALL)
    return [b.strip() for b in blocks]


def test_readme_rule_table_is_generated_from_the_rules():
    table = README.split("<!-- rules:start -->\n")[1].split("<!-- rules:end -->")[0]
    assert table == rule_table(), "README rule table is stale: paste `blastguard rules --format markdown`"


def test_readme_has_two_setup_commands_and_ci_runs_the_test_one():
    install_and_demo, run_tests = _readme_commands()
    assert "blastguard check fixtures/demo" in install_and_demo
    assert "pytest" in run_tests
    ci = (REPO / ".ci" / "run").read_text()
    assert run_tests in ci.splitlines()


def test_nothing_is_installed_under_a_generic_top_level_name():
    pyproject = (REPO / "pyproject.toml").read_text()
    packages = re.search(r"packages = \[(.*?)\]", pyproject, re.DOTALL).group(1)
    assert all(p.startswith("blastguard") for p in re.findall(r'"([^"]+)"', packages))


def test_every_package_folder_is_listed_in_pyproject():
    """A folder with an `__init__.py` that `packages` omits works from a checkout but is missing from
    the installed wheel."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    setuptools = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(setuptools["packages"])
    found = set()
    for package, folder in setuptools["package-dir"].items():
        for init in (REPO / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(REPO / folder).parts
            found.add(".".join((package, *relative)))
    assert {"blastguard", "blastguard.frontends", "blastguard.rules.sql"} <= found
    assert sorted(found - listed) == [], "add these to [tool.setuptools] packages in pyproject.toml"
    assert sorted(listed - found) == [], "pyproject.toml lists packages that have no folder"


def test_every_rule_module_is_a_package_module():
    listed = {p.stem for p in (REPO / "rules" / "sql").glob("*.py") if not p.stem.startswith("_")}
    from blastguard.registry import rules_for

    assert len(rules_for("sql")) == len(listed)


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory):
    return tmp_path_factory.mktemp("pre-commit-home")


def _repo_with_staged_file(repo, name, text):
    repo.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    (repo / name).write_text(text)
    subprocess.run(["git", "add", name], cwd=repo, check=True)
    return repo


def _try_repo(repo, home):
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "blastguard", "--color", "never"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_pre_commit_hook_blocks_a_staged_destructive_file_and_passes_a_clean_one(tmp_path, pre_commit_home):
    manifest = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", str(REPO / ".pre-commit-hooks.yaml")],
        capture_output=True,
        text=True,
    )
    assert manifest.returncode == 0, manifest.stdout + manifest.stderr

    dirty = _repo_with_staged_file(tmp_path / "dirty", "cleanup.sql", "DELETE FROM users;\n")
    result = _try_repo(dirty, pre_commit_home)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "cleanup.sql:1:1: SQL101 error DELETE from users has no WHERE clause" in result.stdout

    clean = _repo_with_staged_file(tmp_path / "clean", "report.sql", "SELECT id FROM users WHERE last_login IS NULL;\n")
    result = _try_repo(clean, pre_commit_home)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"blastguard\.+Passed", result.stdout)
