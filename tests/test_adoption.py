"""What an adopting repository relies on: the pre-commit hook passes plan JSON, the README documents the CLI
as the parser defines it, and the project installs from wheels on every supported Python."""

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from blastguard.interfaces.cli import _parser as build_parser
from conftest import REPO

README = (REPO / "README.md").read_text()
PLAN = (REPO / "fixtures" / "infra" / "plans" / "cleanup-pr.json").read_text()


def _subcommands(parser):
    for action in parser._actions:
        if action.__class__.__name__ == "_SubParsersAction":
            return action.choices
    return {}


def test_readme_cli_reference_lists_every_subcommand_and_option():
    reference = README.split("## CLI reference")[1].split("\n## ")[0]
    parser = build_parser()
    missing = []
    for name, sub in _subcommands(parser).items():
        section = re.search(rf"^### `blastguard {name}`\n(.*?)(?=^### |\Z)", reference, re.DOTALL | re.MULTILINE)
        if section is None:
            missing.append(f"blastguard {name}")
            continue
        for action in sub._actions:
            for option in action.option_strings:
                if option not in ("-h", "--help") and f"`{option}" not in section.group(1):
                    missing.append(f"blastguard {name} {option}")
    for action in parser._actions:
        for option in action.option_strings:
            if option not in ("-h", "--help") and f"`{option}" not in reference:
                missing.append(f"blastguard {option}")
    assert missing == [], "add these to the README's CLI reference"


def test_readme_has_a_table_of_contents_naming_each_section():
    contents = README.split("## Contents")[1].split("\n## ")[0]
    headings = re.findall(r"^## (.+)$", README, re.MULTILINE)
    for heading in headings:
        if heading != "Contents":
            assert f"[{heading}]" in contents, f"the table of contents misses {heading!r}"


def test_readme_pins_the_packaged_version_everywhere_it_shows_how_to_adopt():
    import blastguard

    tag = f"v{blastguard.__version__}"
    adopt = README.split("## Adopt it in your repository")[1].split("\n## ")[0]
    assert f"@{tag}" in adopt and f"rev: {tag}" in adopt and "pipx install" in adopt
    assert f"## [{blastguard.__version__}]" in (REPO / "CHANGELOG.md").read_text()


def test_the_license_file_is_the_declared_apache_license():
    assert 'license = "Apache-2.0"' in (REPO / "pyproject.toml").read_text()
    text = (REPO / "LICENSE").read_text()
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_pre_commit_hook_checks_staged_plan_json_and_leaves_other_json_alone(tmp_path):
    """pre-commit installs the hook from the committed state of this repository."""
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    (repo / "plan.json").write_text(PLAN)
    (repo / "data.json").write_text('{"users": [1, 2], "note": "DELETE FROM users;"}\n')
    subprocess.run(["git", "add", "plan.json", "data.json"], cwd=repo, check=True)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "home"), "NO_COLOR": "1"}
    run = [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "blastguard", "--color", "never"]
    result = subprocess.run(run, cwd=repo, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "plan.json:69:18: TFP101 error" in result.stdout
    assert "data.json" not in result.stdout.split("- hook id: blastguard")[1]

    subprocess.run(["git", "rm", "-q", "--cached", "plan.json"], cwd=repo, check=True)
    result = subprocess.run(run, cwd=repo, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"blastguard\.+Passed", result.stdout)


def _supported_pythons() -> list[Path]:
    """One interpreter per supported minor version (3.10 and newer): pyenv's, then PATH's."""
    found: dict[str, Path] = {}
    candidates = sorted(Path("/root/.pyenv/versions").glob("3.*/bin/python")) if os.access("/root", os.R_OK) else []
    candidates += [Path(p) for minor in range(10, 20) if (p := shutil.which(f"python3.{minor}"))]
    for python in candidates:
        probe = subprocess.run(
            [str(python), "-c", "import sys, venv; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
        )
        version = probe.stdout.strip()
        if probe.returncode == 0 and tuple(map(int, version.split("."))) >= (3, 10):
            found.setdefault(version, python)
    return [found[v] for v in sorted(found, key=lambda v: tuple(map(int, v.split("."))))]


INSTALL_BOUND_SECONDS = 120


@pytest.mark.skipif(
    not os.environ.get("BLASTGUARD_TEST_INSTALL"),
    reason="downloads from PyPI and builds a virtual environment per Python: set BLASTGUARD_TEST_INSTALL=1",
)
def test_installs_from_wheels_only_on_every_supported_python(tmp_path):
    pythons = _supported_pythons()
    if not pythons:
        pytest.skip("no Python 3.10 or newer found in /root/.pyenv/versions or on PATH")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", str(REPO), "-w", str(tmp_path / "dist")],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("blastguard-*.whl")
    timings = {}
    for python in pythons:
        env_dir = tmp_path / f"env-{python.parent.parent.name}"
        subprocess.run([str(python), "-m", "venv", str(env_dir)], check=True)
        start = time.monotonic()
        # Wheels only: a dependency without a wheel for this Python fails here instead of compiling.
        installed = subprocess.run(
            [str(env_dir / "bin" / "python"), "-m", "pip", "install", "-q", "--only-binary=:all:", str(wheel)],
            capture_output=True,
            text=True,
            timeout=INSTALL_BOUND_SECONDS * 3,
        )
        timings[str(python)] = elapsed = time.monotonic() - start
        assert installed.returncode == 0, f"{python}: {installed.stderr}"
        assert elapsed < INSTALL_BOUND_SECONDS, f"{python} took {elapsed:.0f}s: something was compiled"
        checked = subprocess.run(
            [str(env_dir / "bin" / "blastguard"), "check", "-"],
            input="DELETE FROM users;\n",
            capture_output=True,
            text=True,
        )
        assert checked.returncode == 1 and "SQL101" in checked.stdout, f"{python}: {checked.stdout}{checked.stderr}"
    print("install times:", {p: f"{t:.0f}s" for p, t in timings.items()})


README_AGENTS = {
    "Claude Code": "claude",
    "Codex": "codex",
    "Gemini CLI": "gemini",
    "Cursor": "cursor",
    "Copilot CLI": "copilot",
}


def _readme_payloads() -> list[tuple[str, dict]]:
    """The README's example payloads, each with the agent its paragraph starts with."""
    import json

    text = (REPO / "README.md").read_text()
    pieces = text[text.index("**Payloads.**") : text.index("**File edits.**")].split("```json\n")
    found = []
    for before, after in zip(pieces, pieces[1:]):
        paragraph = before.strip().split("\n\n")[-1]
        (agent,) = [agent for name, agent in README_AGENTS.items() if paragraph.startswith(name)]
        found.append((agent, json.loads(after.split("\n```")[0])))
    return found


def test_readme_shows_a_payload_of_every_agent_and_each_is_read_as_that_agent(tmp_path):
    """Each example is what that agent sends: the hook tells the agent from it and stops its destructive call."""
    import io
    import json

    from blastguard.interfaces import hook, hook_protocols
    from hook_calls import CLEAN_ENV

    payloads = _readme_payloads()
    assert sorted(agent for agent, _ in payloads) == sorted(README_AGENTS.values())
    for agent, payload in payloads:
        assert hook_protocols.detect(payload) == agent, payload
        text = json.dumps(payload).replace('"/repo"', json.dumps(str(tmp_path)))
        answer = io.StringIO()
        assert hook.run(None, None, stdin=io.BytesIO(text.encode()), stdout=answer, environ=CLEAN_ENV) == 0
        assert answer.getvalue(), f"{agent}: the README's destructive example was allowed"
        assert "deny" in answer.getvalue() or '"ask"' in answer.getvalue(), (agent, answer.getvalue())
