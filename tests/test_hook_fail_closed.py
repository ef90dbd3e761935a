"""The hook and the MCP server fail closed and are bounded in time.

What could not be checked completely (an internal error, a crash, a part skipped, content that runs
and did not parse, a check still busy at the deadline) answers at least `hook-on-error` (ask by
default), never allow. Inputs that crashed or stalled a check are regression tests here; they are
generated in the test and only ever handed to blastguard as data.
"""

import io
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from blastguard import engine as engine_module
from blastguard.config import Config
from blastguard.engine import Engine
from blastguard.interfaces import hook as hook_module
from blastguard.interfaces.bounded import MAX_DEADLINE, deadline, run_bounded
from blastguard.interfaces.hook_protocols import decision_for, unchecked
from blastguard.model import Finding, Notification, Region, Severity
from blastguard.sources import Source
from conftest import err, out, run_cli
from hook_calls import claude

HANG_GUARD = 60  # seconds: only a guard against a hang; speed is measured in bench/
MARGIN = 5  # seconds a bounded check may take past its deadline (fork, kill, a loaded machine)
CLEAN_ENV = {"DATABASE_URL": "", "PGHOST": "", "APP_ENV": "", "ENV": "", "ENVIRONMENT": "", "TF_WORKSPACE": ""}

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="the bounded check needs fork")


def or_chain(terms: int, last: str = "") -> str:
    return " OR ".join([f"a = {i}" for i in range(terms)] + ([last] if last else []))


def and_chain(terms: int, last: str = "") -> str:
    return " AND ".join([f"a <> {i}" for i in range(terms)] + ([last] if last else []))


def check_file(path, *args):
    """`blastguard check` in a fresh process: it must answer, with findings or none, never a traceback."""
    result = subprocess.run(
        [sys.executable, "-m", "blastguard", "check", str(path), *args],
        capture_output=True,
        timeout=HANG_GUARD,
        env={**os.environ, "NO_COLOR": "1", **CLEAN_ENV},
    )
    assert "Traceback" not in err(result) and "internal error" not in out(result) + err(result), err(result)
    assert result.returncode in (0, 1), err(result)
    return result


def hook_cli(payload, project, *args):
    home = project / "home"
    home.mkdir(exist_ok=True)
    result = run_cli("hook", *args, stdin=json.dumps(payload), cwd=project, env={**CLEAN_ENV, "HOME": str(home)})
    assert result.returncode == 0 and "Traceback" not in err(result), err(result)
    text = out(result)
    return json.loads(text)["hookSpecificOutput"] if text else {"permissionDecision": "allow"}


def hook_in_process(payload, project, tmp_path, config_path=None):
    """`hook.run` in this process, so a monkeypatched function is what its forked child calls."""
    answer_path = tmp_path / "answer.json"
    started = time.monotonic()
    with open(answer_path, "w") as answer_file:
        code = hook_module.run(
            None, config_path, stdin=io.BytesIO(json.dumps(payload).encode()), stdout=answer_file, environ=CLEAN_ENV
        )
    elapsed = time.monotonic() - started
    assert code == 0
    text = answer_path.read_text()
    return (json.loads(text)["hookSpecificOutput"] if text else {"permissionDecision": "allow"}), elapsed


def gone(pid: int, within: float = MARGIN) -> bool:
    """The process has ended (a zombie waiting for its reaper counts: it runs nothing)."""
    end = time.monotonic() + within
    while time.monotonic() < end:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return True
        except OSError:
            pass
        time.sleep(0.05)
    return False


def wait_for_file(path, within: float = HANG_GUARD) -> str:
    end = time.monotonic() + within
    while time.monotonic() < end:
        if path.exists() and path.read_text().endswith("\n"):
            return path.read_text()
        time.sleep(0.02)
    raise AssertionError(f"{path} was never written")


def stall(pids_file):
    """What a check stalled on purpose does: start a grandchild, note both pids, then never finish."""

    def stalled(*args, **kwargs):
        sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
        pids_file.write_text(f"{os.getpid()} {sleeper.pid}\n")
        time.sleep(120)

    return stalled


# --- the crashes, fixed at their root, through the command line -----------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        f"DELETE FROM t WHERE {or_chain(5000)};",
        f"DELETE FROM t WHERE {or_chain(10000)};",
        f"DELETE FROM t WHERE {and_chain(10000)};",
        f"UPDATE t SET x = 1 WHERE {' OR '.join(f'(a = {i} AND b IS NULL)' for i in range(3000))};",
        f"DELETE FROM t WHERE {' AND '.join('1 = 1' for _ in range(5000))} AND id = 5;",  # folds to the real filter
        f"DELETE FROM t WHERE {' OR '.join('1 = 0' for _ in range(5000))} OR id = 5;",
        f"SELECT * FROM t WHERE {or_chain(8000)};",
        # terms whose own folding is quadratic in their size: judged as written past a budget
        "DELETE FROM t WHERE "
        + " OR ".join(f"({'+'.join(f'c{j}' for j in range(600))}) = {i}" for i in range(100))
        + ";",
        "DELETE FROM t WHERE " + "+".join(f"c{j}" for j in range(5000)) + " = 1;",
        "DELETE FROM t WHERE " + " OR ".join(f"(a = {i} OR b = {i} AND ({or_chain(40)}))" for i in range(300)) + ";",
    ],
)
def test_a_long_and_or_chain_is_checked_without_an_error(tmp_path, statement):
    path = tmp_path / "long.sql"
    path.write_text(statement + "\n")
    result = check_file(path)
    assert result.returncode == 0 and out(result).startswith("No findings"), out(result)


@pytest.mark.parametrize(
    "predicate",
    [
        or_chain(5000, "1 = 1"),
        or_chain(10000, "TRUE"),
        or_chain(5000, "id = id"),
        "1 = 1 OR " + or_chain(5000),
        " AND ".join("1 = 1" for _ in range(8000)),
        " AND ".join("(1 = 1 OR a = 1)" for _ in range(3000)),
    ],
)
def test_a_long_chain_that_is_always_true_is_still_found(tmp_path, predicate):
    path = tmp_path / "purge.sql"
    path.write_text(f"DELETE FROM users WHERE {predicate};\n")
    result = check_file(path)
    assert result.returncode == 1 and "SQL103" in out(result), out(result)


def test_a_run_time_condition_at_the_end_of_a_long_chain_is_found(tmp_path):
    path = tmp_path / "purge.py"
    path.write_text(f'def purge(cur, extra):\n    cur.execute(f"DELETE FROM t WHERE {or_chain(3000)} OR {{extra}}")\n')
    result = check_file(path)
    assert result.returncode == 1 and "SQL901" in out(result), out(result)


@pytest.mark.parametrize("ending", ["- run: |", "- run: |-", "- run: |+", "- run: |  # the script follows", "- run: >"])
def test_a_workflow_ending_in_an_empty_block_scalar_is_checked(tmp_path, ending):
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    path = workflows / "ci.yml"
    path.write_text(
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      " + ending
    )  # no final newline
    result = check_file(path)
    assert result.returncode == 0, out(result)


def test_a_workflow_with_a_destroy_before_an_empty_final_block_is_still_found(tmp_path):
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    path = workflows / "ci.yml"
    path.write_text(
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: terraform destroy -auto-approve\n      - run: |"
    )
    result = check_file(path)
    assert result.returncode == 1 and "SH101" in out(result), out(result)


def test_a_gitlab_script_ending_in_an_empty_block_scalar_is_checked(tmp_path):
    path = tmp_path / ".gitlab-ci.yml"
    path.write_text("build:\n  script: |")
    assert check_file(path).returncode == 0


# --- the same inputs through the hook: answered, never allowed because of an error -----------------------


def test_a_written_sql_file_with_a_5000_term_chain_is_allowed_after_a_complete_check(project):
    content = f"DELETE FROM t WHERE {or_chain(5000)};\n"
    answer = hook_cli(claude("Write", {"file_path": "cleanup.sql", "content": content}, project), project)
    assert answer["permissionDecision"] == "allow"


def test_a_written_sql_file_with_a_long_always_true_chain_is_denied(project):
    content = f"DELETE FROM t WHERE {or_chain(5000, '1 = 1')};\n"
    answer = hook_cli(claude("Write", {"file_path": "cleanup.sql", "content": content}, project), project)
    assert answer["permissionDecision"] == "deny" and "SQL103" in answer["permissionDecisionReason"]


def test_a_psql_command_with_a_3000_term_chain_is_answered_within_the_deadline(project):
    scoped = f'psql -c "DELETE FROM t WHERE {or_chain(3000)}"'
    assert hook_cli(claude("Bash", {"command": scoped}, project), project)["permissionDecision"] == "allow"
    everything = f'psql -c "DELETE FROM t WHERE {or_chain(3000, "1 = 1")}"'
    assert hook_cli(claude("Bash", {"command": everything}, project), project)["permissionDecision"] == "deny"


def test_a_written_workflow_ending_in_run_block_is_allowed(project):
    content = "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |"
    payload = claude("Write", {"file_path": ".github/workflows/ci.yml", "content": content}, project)
    assert hook_cli(payload, project)["permissionDecision"] == "allow"


# --- one decision for the hook and the MCP server ---------------------------------------------------------


def _finding(severity):
    return Finding("SQL101", "unbounded-delete", severity, "m", "x.sql", Region(1, 1, 1, 2), "DELETE")


def _note(kind, level="warning", language=""):
    return Notification("x", "why", kind, level, language=language)


@pytest.mark.parametrize(
    "notifications, on_error, expected",
    [
        ([], "ask", "allow"),
        ([_note("internal-error", "error")], "ask", "ask"),
        ([_note("internal-error", "error")], "deny", "deny"),
        ([_note("internal-error", "error")], "allow", "allow"),  # only the hook's own --config can say so
        ([_note("parse-error", language="shell")], "ask", "ask"),  # a command line that does not parse
        ([_note("parse-error", language="python")], "deny", "deny"),
        ([_note("parse-error", language="terraform")], "ask", "ask"),
        ([_note("parse-error", language="github-actions")], "ask", "ask"),
        ([_note("parse-error", language="")], "ask", "ask"),  # a language not known: fail closed
        ([_note("parse-error", language="sql")], "deny", "allow"),  # judged word by word, SQL900 when unclear
        ([_note("parse-error", language="terraform-plan")], "deny", "allow"),  # data, nothing runs it
        ([_note("skipped", "note")], "deny", "allow"),  # not a file type blastguard reads
        ([_note("skipped")], "ask", "ask"),  # oversized, undecodable, nested too deep
        ([_note("some-future-kind")], "ask", "ask"),
    ],
)
def test_what_was_not_checked_completely_answers_on_error(notifications, on_error, expected):
    assert decision_for([], notifications, on_error) == expected


def test_findings_and_unchecked_parts_take_the_stronger_decision():
    internal = [_note("internal-error", "error")]
    assert decision_for([_finding(Severity.ERROR)], internal, "ask") == "deny"
    assert decision_for([_finding(Severity.WARNING)], internal, "deny") == "deny"
    assert decision_for([_finding(Severity.NOTE)], internal, "ask") == "ask"
    assert decision_for([_finding(Severity.WARNING)], internal, "allow") == "ask"
    assert decision_for([_finding(Severity.NOTE)]) == "allow"
    assert unchecked([_note("parse-error", language="sql"), *internal]) == internal


def test_the_engine_reports_code_nested_deeper_than_it_follows(monkeypatch, tmp_path):
    workflow = "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - run: psql -c 'SELECT 1'\n"
    source = Source(".github/workflows/ci.yml", workflow, "github-actions")
    _, notifications = Engine(Config(), str(tmp_path)).check_source(source)
    assert notifications == []
    monkeypatch.setattr(engine_module, "MAX_EMBEDDING_DEPTH", 1)  # the script is followed, its SQL is not
    _, notifications = Engine(Config(), str(tmp_path)).check_source(source)
    assert [(n.kind, n.region.start_line) for n in notifications] == [("skipped", 6)]
    assert "the sql in this shell" in notifications[0].message and decision_for([], notifications) == "ask"


def test_a_parse_error_notification_names_the_language_of_the_text_it_is_in(tmp_path):
    workflow = "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - run: if true; then echo x\n"
    _, notifications = Engine(Config(), str(tmp_path)).check_source(Source("ci.yml", workflow, "github-actions"))
    assert [(n.kind, n.language) for n in notifications] == [("parse-error", "shell")]
    _, notifications = Engine(Config(), str(tmp_path)).check_source(Source("x.sql", "DELETE FROM t WHERE (;", "sql"))
    assert [(n.kind, n.language) for n in notifications] == [("parse-error", "sql")]


# --- the hook fails closed ---------------------------------------------------------------------------


def _raise(*args, **kwargs):
    raise RuntimeError("a rule tripped")


def _sql_rule(rule_id):
    from blastguard.registry import find_rule

    return find_rule(rule_id)


@needs_fork
@pytest.mark.parametrize("on_error", ["ask", "deny"])
def test_an_internal_error_in_a_rule_answers_on_error_never_allow(project, tmp_path, monkeypatch, on_error):
    monkeypatch.setattr(_sql_rule("SQL103"), "check", _raise)
    config = tmp_path / "hook.toml"
    config.write_text(f'hook-on-error = "{on_error}"\n')
    payload = claude("Write", {"file_path": "cleanup.sql", "content": "DELETE FROM t WHERE id = 1;\n"}, project)
    answer, _ = hook_in_process(payload, project, tmp_path, str(config))
    assert answer["permissionDecision"] == on_error
    assert "could not be checked completely" in answer["permissionDecisionReason"]
    assert "RuntimeError: a rule tripped" in answer["permissionDecisionReason"]


@needs_fork
def test_an_internal_error_in_a_shell_command_asks(project, tmp_path, monkeypatch):
    monkeypatch.setattr(_sql_rule("SQL101"), "check", _raise)
    payload = claude("Bash", {"command": "psql -c 'DELETE FROM t WHERE id = 1'"}, project)
    answer, _ = hook_in_process(payload, project, tmp_path)
    assert answer["permissionDecision"] == "ask" and "RuntimeError" in answer["permissionDecisionReason"]


@needs_fork
def test_embedded_code_that_could_not_be_looked_for_asks(project, tmp_path, monkeypatch):
    from blastguard.frontends.shell.frontend import ShellDocument

    monkeypatch.setattr(ShellDocument, "children", _raise)
    payload = claude("Bash", {"command": "psql -c 'SELECT 1'"}, project)
    answer, _ = hook_in_process(payload, project, tmp_path)
    assert answer["permissionDecision"] == "ask" and "was not checked" in answer["permissionDecisionReason"]


@needs_fork
def test_an_error_outside_the_engine_answers_on_error(project, tmp_path, monkeypatch):
    monkeypatch.setattr(hook_module, "_findings", _raise)
    payload = claude("Bash", {"command": "ls"}, project)
    answer, _ = hook_in_process(payload, project, tmp_path)
    assert answer == {
        "hookEventName": "PreToolUse",
        "permissionDecision": "ask",
        "permissionDecisionReason": "blastguard failed while checking this tool call (RuntimeError: a rule tripped).",
    }


def test_a_command_that_does_not_parse_asks_and_a_harmless_one_is_allowed(project):
    broken = hook_cli(claude("Bash", {"command": "if true; then echo x"}, project), project)
    assert broken["permissionDecision"] == "ask" and "could not be parsed" in broken["permissionDecisionReason"]
    assert hook_cli(claude("Bash", {"command": "if true; then echo x; fi"}, project), project) == {
        "permissionDecision": "allow"
    }


def test_a_written_script_that_does_not_parse_asks(project):
    payload = claude(
        "Write", {"file_path": "deploy.sh", "content": "#!/bin/sh\nfor x in a b; do\n  echo $x\n"}, project
    )
    assert hook_cli(payload, project)["permissionDecision"] == "ask"


def test_a_written_sql_file_that_does_not_parse_is_judged_by_its_words(project):
    harmless = claude("Write", {"file_path": "q.sql", "content": "SELECT FROM WHERE;\n"}, project)
    assert hook_cli(harmless, project)["permissionDecision"] == "allow"
    destructive = claude(
        "Write", {"file_path": "q.sql", "content": "DELETE FROM users WHERE id IN (SELECT ;\n"}, project
    )
    answer = hook_cli(destructive, project)
    assert answer["permissionDecision"] == "ask" and "SQL900" in answer["permissionDecisionReason"]


@needs_fork
@pytest.mark.parametrize("on_error", ["ask", "deny"])
def test_a_native_crash_inside_a_rule_answers_on_error(project, tmp_path, monkeypatch, on_error):
    monkeypatch.setattr(_sql_rule("SQL101"), "check", lambda *args: os.kill(os.getpid(), signal.SIGSEGV))
    config = tmp_path / "hook.toml"
    config.write_text(f'hook-on-error = "{on_error}"\n')
    payload = claude("Write", {"file_path": "cleanup.sql", "content": "DELETE FROM t;\n"}, project)
    answer, _ = hook_in_process(payload, project, tmp_path, str(config))
    assert answer["permissionDecision"] == on_error
    assert (
        answer["permissionDecisionReason"]
        == "blastguard failed while checking this tool call (the check crashed (signal 11))."
    )


# --- the hook's deadline -------------------------------------------------------------------------------


@needs_fork
@pytest.mark.parametrize("on_error", ["ask", "deny"])
def test_a_stalled_check_answers_at_the_deadline_and_leaves_nothing_running(project, tmp_path, monkeypatch, on_error):
    pids = tmp_path / "pids"
    monkeypatch.setattr(hook_module, "_decide", stall(pids))
    config = tmp_path / "hook.toml"
    config.write_text(f'hook-deadline = 1\nhook-on-error = "{on_error}"\n')
    answer, elapsed = hook_in_process(claude("Bash", {"command": "ls"}, project), project, tmp_path, str(config))
    assert answer["permissionDecision"] == on_error
    assert answer["permissionDecisionReason"] == (
        "blastguard failed while checking this tool call (the check did not finish within 1 s)."
    )
    assert 1 <= elapsed < 1 + MARGIN
    child, grandchild = map(int, pids.read_text().split())
    assert gone(child) and gone(grandchild)


def test_the_deadline_from_the_hooks_own_configuration_holds_for_a_real_check(project, tmp_path):
    config = tmp_path / "hook.toml"
    config.write_text("hook-deadline = 0.05\n")  # less than importing the SQL parser takes
    payload = claude(
        "Write", {"file_path": "cleanup.sql", "content": f"DELETE FROM t WHERE {or_chain(10000)};\n"}, project
    )
    answer = hook_cli(payload, project, "--config", str(config))
    assert answer["permissionDecision"] == "ask"
    assert "did not finish within 0.05 s" in answer["permissionDecisionReason"]


def test_the_deadline_never_exceeds_what_agents_wait_for():
    assert deadline(Config()) == 5
    assert deadline(Config(hook_deadline=2.5)) == 2.5
    assert deadline(Config(hook_deadline=600)) == MAX_DEADLINE < 30  # the timeout --print-config sets


@needs_fork
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM, signal.SIGHUP])
def test_killing_the_hook_kills_its_check(project, tmp_path, monkeypatch, how):
    """An agent kills a hook it finds slow; the check must not go on running without it."""
    pids = tmp_path / "pids"
    monkeypatch.setattr(hook_module, "_decide", stall(pids))
    config = tmp_path / "hook.toml"
    config.write_text("hook-deadline = 60\n")
    hook_pid = os.fork()
    if hook_pid == 0:  # the hook process, as an agent starts it
        try:
            hook_in_process(claude("Bash", {"command": "ls"}, project), project, tmp_path, str(config))
        finally:
            os._exit(0)
    try:
        child, grandchild = map(int, wait_for_file(pids).split())
    finally:
        os.kill(hook_pid, how)
        os.waitpid(hook_pid, 0)
    assert gone(child) and gone(grandchild)


# --- the bounded runner itself ----------------------------------------------------------------------------


@needs_fork
def test_run_bounded_returns_the_result_or_says_why_there_is_none():
    assert run_bounded(lambda: {"decision": "allow", "n": [1, 2]}, 5) == ({"decision": "allow", "n": [1, 2]}, "")
    assert run_bounded(lambda: 1 / 0, 5) == (None, "ZeroDivisionError: division by zero")
    assert run_bounded(lambda: os.kill(os.getpid(), signal.SIGABRT), 5) == (None, "the check crashed (signal 6)")
    assert run_bounded(lambda: os._exit(3), 5) == (None, "the check crashed (exit 3)")
    started = time.monotonic()
    assert run_bounded(lambda: time.sleep(60), 0.5) == (None, "the check did not finish within 0.5 s")
    assert time.monotonic() - started < 0.5 + MARGIN


@needs_fork
def test_run_bounded_changes_nothing_in_the_caller():
    state = {"checked": False}
    assert run_bounded(lambda: state.update(checked=True), 5) == (None, "")
    assert state == {"checked": False}


# --- the MCP server ----------------------------------------------------------------------------------------


@needs_fork
@pytest.mark.parametrize("on_error", ["ask", "deny"])
def test_mcp_a_stalled_check_answers_at_the_deadline(tmp_path, monkeypatch, on_error):
    from blastguard.interfaces.mcp_server import Checker

    pids = tmp_path / "pids"
    monkeypatch.setattr(Engine, "check_source", stall(pids))
    started = time.monotonic()
    result = Checker(Config(hook_deadline=1, hook_on_error=on_error)).check_command("ls")
    assert time.monotonic() - started < 1 + MARGIN
    assert result["decision"] == on_error and result["findings"] == []
    [notification] = result["notifications"]
    assert notification["kind"] == "internal-error"
    assert notification["message"] == "the check did not finish within 1 s; nothing was checked completely"
    child, grandchild = map(int, pids.read_text().split())
    assert gone(child) and gone(grandchild)


@needs_fork
def test_mcp_a_native_crash_answers_and_the_server_goes_on(tmp_path, monkeypatch):
    from blastguard.interfaces.mcp_server import Checker

    checker = Checker(Config())
    with monkeypatch.context() as patch:
        patch.setattr(Engine, "check_source", lambda *args: os.kill(os.getpid(), signal.SIGSEGV))
        crashed = checker.check_file("cleanup.sql", "DELETE FROM t;")
    assert crashed["decision"] == "ask"
    assert crashed["notifications"][0]["message"] == "the check crashed (signal 11); nothing was checked completely"
    assert checker.check_command("ls") == {"decision": "allow", "findings": [], "notifications": []}
    assert checker.check_command("terraform destroy -auto-approve")["decision"] == "deny"


@needs_fork
def test_mcp_bad_input_is_still_an_error_for_the_agent():
    from blastguard.interfaces.mcp_server import Checker, CheckError

    with pytest.raises(CheckError, match="must be a string"):
        Checker(Config()).check_command(["ls"])
    with pytest.raises(CheckError, match="is outside the folder this server checks"):
        Checker(Config()).check_diff("", "/nonexistent/folder")


@needs_fork
def test_mcp_check_diff_answers_on_error_for_what_it_could_not_check(tmp_path, monkeypatch):
    from blastguard.interfaces.mcp_server import Checker

    (tmp_path / ".git").mkdir()
    patch = (
        "diff --git a/cleanup.sql b/cleanup.sql\nnew file mode 100644\n--- /dev/null\n+++ b/cleanup.sql\n"
        "@@ -0,0 +1 @@\n+DELETE FROM t WHERE id = 1;\n"
    )
    assert Checker(Config(), root=str(tmp_path)).check_diff(patch)["decision"] == "allow"
    monkeypatch.setattr(_sql_rule("SQL101"), "check", _raise)
    result = Checker(Config(hook_on_error="deny"), root=str(tmp_path)).check_diff(patch)
    assert result["decision"] == "deny" and [n["kind"] for n in result["notifications"]] == ["internal-error"]


@needs_fork
@pytest.mark.parametrize(
    "path, content, expected",
    [
        ("cleanup.sql", f"DELETE FROM t WHERE {or_chain(5000)};", "allow"),
        ("cleanup.sql", f"DELETE FROM t WHERE {or_chain(5000, '1 = 1')};", "deny"),
        (
            ".github/workflows/ci.yml",
            "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |",
            "allow",
        ),
        ("deploy.sh", "for x in a b; do\n  echo $x\n", "ask"),
    ],
)
def test_mcp_check_file_of_the_regression_inputs(path, content, expected):
    from blastguard.interfaces.mcp_server import Checker

    result = Checker(Config()).check_file(path, content)
    assert result["decision"] == expected, result
    assert not any(n["kind"] == "internal-error" for n in result["notifications"])


# --- nesting no real file has, and payloads no agent sends ---------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("main.tf", "locals {\n  x = " + "[" * 3000 + "]" * 3000 + "\n}\n"),
        ("main.tf", "locals {\n  x = " + "(" * 3000 + "1" + ")" * 3000 + "\n}\n"),
        (
            ".github/workflows/ci.yml",
            "on: push\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: " + "[" * 1000 + "]" * 1000 + "\n",
        ),
        (".gitlab-ci.yml", "job:\n  script: " + "[" * 1000 + "]" * 1000 + "\n"),
    ],
)
def test_nesting_past_the_recursion_limit_is_a_file_not_checked(tmp_path, name, text):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    result = check_file(path)
    assert result.returncode == 1 and "BG005" in out(result) and "deeper than blastguard reads" in out(result)


@pytest.mark.parametrize(
    ("payload", "said"),
    [
        ({"tool_name": "Write", "tool_input": {"file_path": "a\u0000b.sh", "content": "ls\n"}}, "NUL byte"),
        ({"tool_name": "Write", "tool_input": {"file_path": "a\ud800.sh", "content": "ls\n"}}, "lone surrogate"),
        ({"tool_name": "Bash", "tool_input": {"command": "ls"}, "cwd": "/tmp/\u0000x"}, "NUL byte"),
    ],
)
def test_a_path_no_file_can_have_is_a_payload_that_cannot_be_read(tmp_path, payload, said):
    full = {**claude(payload["tool_name"], payload["tool_input"], payload.get("cwd", tmp_path))}
    answer = hook_cli(full, tmp_path)
    assert answer["permissionDecision"] == "ask"
    assert (
        "could not read this tool call" in answer["permissionDecisionReason"]
        and said in answer["permissionDecisionReason"]
    )


@pytest.mark.parametrize("nested", ["payload", "toolArgs"])
def test_json_nested_past_the_recursion_limit_is_a_payload_that_cannot_be_read(tmp_path, nested):
    deep = "[" * 100_000 + "]" * 100_000
    if nested == "payload":
        raw = (
            '{"session_id": "s", "cwd": "%s", "hook_event_name": "PreToolUse", "tool_name": "Bash", '
            '"tool_input": {"command": "ls", "x": %s}}' % (tmp_path, deep)
        )
    else:
        raw = json.dumps({"timestamp": 1, "cwd": str(tmp_path), "toolName": "bash", "toolArgs": deep})
    result = subprocess.run(
        [sys.executable, "-m", "blastguard", "hook"],
        input=raw.encode(),
        capture_output=True,
        timeout=HANG_GUARD,
        env={**os.environ, **CLEAN_ENV},
    )
    assert result.returncode == 0 and "Traceback" not in err(result)
    assert "nested too deeply" in out(result) and "RecursionError" not in out(result)
    assert ("deny" if nested == "toolArgs" else "ask") in out(result)
