import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def run_cli(*args, cwd=None, stdin: str | bytes | None = None, env=None) -> subprocess.CompletedProcess:
    """Run the real command line in a fresh process, as a user would."""
    data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "blastguard", *map(str, args)],
        cwd=cwd,
        input=data,
        capture_output=True,
        env=full_env,
        timeout=120,
    )


def out(result: subprocess.CompletedProcess) -> str:
    return result.stdout.decode("utf-8")


def err(result: subprocess.CompletedProcess) -> str:
    return result.stderr.decode("utf-8")


def json_out(result: subprocess.CompletedProcess) -> dict:
    return json.loads(result.stdout)


@pytest.fixture
def project(tmp_path):
    """An empty project folder with a marker so configuration discovery stops here."""
    (tmp_path / ".git").mkdir()
    return tmp_path


GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z",
}


def git(repo, *args) -> str:
    result = subprocess.run(["git", *args], cwd=repo, capture_output=True, env={**os.environ, **GIT_ENV}, check=True)
    return result.stdout.decode()


@pytest.fixture
def repo(project):
    """A git repository with a local identity (there is no global git configuration here)."""
    git(project, "init", "-q", "-b", "main")
    git(project, "config", "user.name", "Test")
    git(project, "config", "user.email", "test@example.com")
    git(project, "config", "commit.gpgsign", "false")
    return project


def cpu_seconds() -> float:
    """CPU time of this process and its reaped children: a bound on blastguard's own work that other
    processes on a loaded machine do not move, as wall time would."""
    import resource

    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
