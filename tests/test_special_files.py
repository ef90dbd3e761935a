"""No code path opens a FIFO, a device or a socket: opening a FIFO waits for a writer that never comes,
and reading a device may never end. Every case runs the real command line in a child process with a
timeout, so a regression fails the test instead of hanging the suite; the test process itself only
creates the FIFOs and never opens one."""

import json
import os
import subprocess
import sys

import pytest

from conftest import REPO

# Far above the second or two a check takes, far below forever.
TIMEOUT = 60
NOT_REGULAR = "not a regular file (a FIFO, device or socket is never opened for reading)"
CLEAN_ENV = dict.fromkeys(
    (
        "DATABASE_URL",
        "PGHOST",
        "AWS_PROFILE",
        "TF_WORKSPACE",
        "KUBE_CONTEXT",
        "KUBECONFIG",
        "APP_ENV",
        "ENV",
        "ENVIRONMENT",
        "NODE_ENV",
    ),
    "",
)


def blastguard(*args, cwd, stdin: str | None = None, env=None) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "blastguard", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        input=(stdin or "").encode(),
        timeout=TIMEOUT,
        env={**os.environ, "NO_COLOR": "1", **CLEAN_ENV, **(env or {})},
    )
    assert "Traceback" not in result.stderr.decode(), result.stderr.decode()
    return result


def text(result) -> tuple[str, str]:
    return result.stdout.decode(), result.stderr.decode()


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    (root / ".git").mkdir()
    (root / "home").mkdir()
    return root


def hook(payload: dict, project, env=None) -> str:
    result = blastguard(
        "hook", cwd=project, stdin=json.dumps(payload), env={"HOME": str(project / "home"), **(env or {})}
    )
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout.decode()


def claude(tool: str, tool_input: dict, cwd) -> dict:
    return {
        "session_id": "1",
        "cwd": str(cwd),
        "hook_event_name": "PreToolUse",
        "tool_name": tool,
        "tool_input": tool_input,
    }


def answer(output: str) -> tuple[str, str]:
    if not output:
        return "allow", ""
    specific = json.loads(output)["hookSpecificOutput"]
    return specific["permissionDecision"], specific.get("permissionDecisionReason", "")


# --- the hook's environment signals ------------------------------------------------------------------------------


APPLY = "terraform apply -auto-approve"


def test_a_fifo_as_the_terraform_workspace_file_does_not_stall_the_hook(project):
    (project / ".terraform").mkdir()
    os.mkfifo(project / ".terraform" / "environment")
    assert answer(hook(claude("Bash", {"command": APPLY}, project), project)) == ("allow", "")
    destroy = answer(hook(claude("Bash", {"command": "terraform destroy -auto-approve"}, project), project))
    assert destroy[0] == "deny" and "SH101" in destroy[1]


def test_a_fifo_as_the_kubeconfig_in_home_does_not_stall_the_hook(project):
    (project / "home" / ".kube").mkdir()
    os.mkfifo(project / "home" / ".kube" / "config")
    assert answer(hook(claude("Bash", {"command": APPLY}, project), project)) == ("allow", "")


def test_a_fifo_named_by_kubeconfig_is_passed_over_for_the_next_file(project, tmp_path):
    os.mkfifo(tmp_path / "fifo-config")
    real = tmp_path / "real-config"
    real.write_text("apiVersion: v1\ncurrent-context: prod-eu\n")
    command = claude("Bash", {"command": 'psql -c "DELETE FROM sessions WHERE expires_at < now()"'}, project)
    alone = hook(command, project, env={"KUBECONFIG": str(tmp_path / "fifo-config")})
    assert answer(alone) == ("allow", "")
    both = hook(command, project, env={"KUBECONFIG": f"{tmp_path / 'fifo-config'}{os.pathsep}{real}"})
    assert answer(both)[0] == "ask" and "the current kube context is prod-eu" in answer(both)[1]


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_device_as_the_kubeconfig_is_never_read(project, device):
    assert answer(hook(claude("Bash", {"command": APPLY}, project), project, env={"KUBECONFIG": device})) == (
        "allow",
        "",
    )


# --- the hook's file edits ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tool_input",
    [
        {"old_string": "SELECT 1;", "new_string": "DELETE FROM users;"},
        {"old_string": "a", "new_string": "b", "replace_all": True},
    ],
)
def test_an_edit_of_a_fifo_asks_instead_of_stalling(project, tool_input):
    os.mkfifo(project / "x.sql")
    decision, reason = answer(
        hook(claude("Edit", {"file_path": str(project / "x.sql"), **tool_input}, project), project)
    )
    assert decision == "ask"
    assert NOT_REGULAR in reason and "x.sql" in reason


def test_a_write_over_a_fifo_asks_instead_of_stalling(project):
    os.mkfifo(project / "deploy.sh")
    write = claude("Write", {"file_path": "deploy.sh", "content": "echo hello\n"}, project)
    decision, reason = answer(hook(write, project))
    assert decision == "ask" and NOT_REGULAR in reason


def test_a_write_over_a_device_asks(project):
    decision, reason = answer(
        hook(claude("Write", {"file_path": "/dev/zero", "content": "SELECT 1;\n"}, project), project)
    )
    assert decision == "ask" and NOT_REGULAR in reason


# --- check: named paths and folders ---------------------------------------------------------------------------


def test_a_fifo_in_a_scanned_folder_is_reported_as_skipped_and_the_rest_is_checked(project):
    os.mkfifo(project / "x.sql")
    (project / "wipe.sql").write_text("DELETE FROM users;\n")
    result = blastguard("check", ".", cwd=project)
    stdout, stderr = text(result)
    assert result.returncode == 1
    assert "wipe.sql:1:1: SQL101" in stdout
    assert f"x.sql: warning: Skipped: {NOT_REGULAR}." in stderr


def test_fifos_without_a_known_name_and_in_subfolders(project):
    (project / "db").mkdir()
    os.mkfifo(project / "db" / "migrate.sql")
    os.mkfifo(project / "notes")  # no extension: its content cannot be sniffed, so it is passed over
    os.mkfifo(project / "plan.json")
    result = blastguard("check", ".", cwd=project)
    assert f"db/migrate.sql: warning: Skipped: {NOT_REGULAR}." in text(result)[1]
    assert "notes" not in text(result)[1] and "plan.json" not in text(result)[1]
    assert result.returncode == 0


def test_a_fifo_named_on_the_command_line_is_skipped(project):
    os.mkfifo(project / "x.sql")
    os.mkfifo(project / "script")
    result = blastguard("check", "x.sql", "script", cwd=project)
    assert f"x.sql: warning: Skipped: {NOT_REGULAR}." in text(result)[1]
    assert f"script: warning: Skipped: {NOT_REGULAR}." in text(result)[1]


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_a_device_named_on_the_command_line_is_refused(project, device):
    result = blastguard("check", device, cwd=project)
    assert f"{device}: warning: Skipped: {NOT_REGULAR}." in text(result)[1]


def test_a_fifo_gitignore_and_a_fifo_configuration_do_not_stall_the_scan(project):
    os.mkfifo(project / ".gitignore")
    os.mkfifo(project / "blastguard.toml")
    (project / "wipe.sql").write_text("DELETE FROM users;\n")
    result = blastguard("check", ".", cwd=project)
    assert result.returncode == 1 and "SQL101" in text(result)[0]


def test_a_fifo_baseline_or_configuration_named_on_the_command_line_is_one_line_and_exit_2(project):
    os.mkfifo(project / "baseline.json")
    os.mkfifo(project / "settings.toml")
    (project / "a.sql").write_text("SELECT 1;\n")
    result = blastguard("check", "a.sql", "--baseline", "baseline.json", cwd=project)
    assert result.returncode == 2
    assert text(result)[1] == f"blastguard: error: baseline baseline.json: {NOT_REGULAR}\n"
    result = blastguard("check", "a.sql", "--config", "settings.toml", cwd=project)
    assert result.returncode == 2 and len(text(result)[1].splitlines()) == 1


def test_sarif_line_hashes_never_read_a_fifo_named_like_the_stdin_file(project):
    os.mkfifo(project / "x.sql")
    result = blastguard(
        "check", "-", "--stdin-filename", "x.sql", "--format", "sarif", cwd=project, stdin="DELETE FROM users;\n"
    )
    assert result.returncode == 1
    [finding] = json.loads(result.stdout)["runs"][0]["results"]
    assert finding["ruleId"] == "SQL101"


# --- what a script reads --------------------------------------------------------------------------------------


@pytest.mark.parametrize("named", ["fifo.sql", "/dev/zero", "/dev/urandom"])
def test_psql_f_of_a_fifo_or_device_says_it_was_not_read(project, named):
    if not named.startswith("/"):
        os.mkfifo(project / named)
    (project / "deploy.sh").write_text(f"psql -f {named}\nterraform destroy -auto-approve\n")
    result = blastguard("check", "deploy.sh", cwd=project)
    stdout, stderr = text(result)
    assert result.returncode == 1 and "deploy.sh:2:1: SH101" in stdout
    assert f"deploy.sh:1:9: warning: {named} was not read ({NOT_REGULAR}); the SQL it holds was not checked." in stderr


def test_psql_f_of_a_regular_file_is_still_read(project):
    (project / "purge.sql").write_text("DELETE FROM users;\n")
    (project / "deploy.sh").write_text("psql -f purge.sql\n")
    result = blastguard("check", "deploy.sh", cwd=project)
    assert result.returncode == 1 and "SQL101" in text(result)[0]


def test_psql_f_of_a_fifo_in_the_hook_does_not_stall(project):
    os.mkfifo(project / "fifo.sql")
    assert answer(hook(claude("Bash", {"command": "psql -f fifo.sql"}, project), project))[0] in ("allow", "ask")
    destroy = claude("Bash", {"command": "psql -f fifo.sql && terraform destroy -auto-approve"}, project)
    assert answer(hook(destroy, project))[0] == "deny"


def test_a_fifo_beside_a_terraform_file_is_reported_and_the_module_still_checked(project):
    (project / "main.tf").write_text('resource "aws_db_instance" "main" {\n  deletion_protection = false\n}\n')
    os.mkfifo(project / "backend.tf")
    result = blastguard("check", "main.tf", cwd=project)
    stderr = text(result)[1]
    assert (
        "backend.tf, another file of this module, was not read "
        f"({NOT_REGULAR}); production settings in it were not seen."
    ) in stderr
    assert "main.tf" in text(result)[0]


# --- diffs ------------------------------------------------------------------------------------------------------


PATCH = """--- a/x.sql
+++ b/x.sql
@@ -1 +1 @@
-SELECT 1;
+DELETE FROM users;
"""


def test_a_diff_that_names_a_fifo_is_one_line_and_exit_2(project):
    os.mkfifo(project / "x.sql")
    (project / "change.patch").write_text(PATCH)
    result = blastguard("check", "--diff-file", "change.patch", cwd=project)
    assert result.returncode == 2
    assert text(result)[1] == f"blastguard: error: {project / 'x.sql'}: {NOT_REGULAR}\n"


def test_a_tracked_file_replaced_by_a_fifo_is_skipped_by_check_diff(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "GIT_CONFIG_GLOBAL": os.devnull,
    }
    (repo / "x.sql").write_text("SELECT 1;\n")
    (repo / "y.sql").write_text("SELECT 1;\n")
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "start"]):
        subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, timeout=TIMEOUT)
    (repo / "x.sql").unlink()
    os.mkfifo(repo / "x.sql")
    (repo / "y.sql").write_text("DELETE FROM users;\n")
    result = blastguard("check", "--diff", cwd=repo)
    stdout, stderr = text(result)
    assert result.returncode == 1 and "y.sql:1:1: SQL101" in stdout
    assert f"x.sql: warning: Skipped: {NOT_REGULAR}." in stderr


def test_a_fifo_as_the_patch_file_is_one_line_and_exit_2(project):
    os.mkfifo(project / "change.patch")
    result = blastguard("check", "--diff-file", "change.patch", cwd=project)
    assert result.returncode == 2
    assert text(result)[1] == f"blastguard: error: change.patch: {NOT_REGULAR}\n"


def test_a_fifo_beside_a_changed_terraform_file_is_passed_over(project):
    (project / "main.tf").write_text('resource "aws_s3_bucket" "logs" {\n  bucket = "logs"\n}\n')
    os.mkfifo(project / "backend.tf")
    patch = (
        '--- a/main.tf\n+++ b/main.tf\n@@ -1,3 +1,4 @@\n resource "aws_s3_bucket" "logs" {\n'
        '   bucket = "logs"\n+  force_destroy = true\n }\n'
    )
    (project / "change.patch").write_text(patch)
    result = blastguard("check", "--diff-file", "change.patch", cwd=project)
    assert result.returncode in (0, 1), text(result)


def test_the_action_event_payload_is_never_a_fifo(tmp_path):
    os.mkfifo(tmp_path / "event.json")
    program = "from blastguard.interfaces import action\ntry:\n    action._event()\nexcept action.ActionError as e:\n    print(e)\n"
    result = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        timeout=TIMEOUT,
        cwd=REPO,
        env={**os.environ, "GITHUB_EVENT_PATH": str(tmp_path / "event.json")},
    )
    assert result.stdout.decode() == f"cannot read the event payload {tmp_path / 'event.json'}: {NOT_REGULAR}\n"
