"""`blastguard hook`: real payloads of each agent through the real command line, answered in each
agent's own protocol. Payloads are only read; nothing in them is ever run."""

import json
import subprocess
import sys

import pytest

from conftest import err, out, run_cli
from hook_calls import CLEAN_ENV, claude

DESTROY_REASON = (
    "blastguard blocked this: [SH101 terraform-destroy, line 1] `terraform destroy -auto-approve` deletes "
    "every resource in the state without asking for confirmation. Run `terraform plan -destroy`, review "
    "what it removes, then destroy interactively or apply the reviewed plan."
)


def hook(payload, project, *args, env=None):
    stdin = payload if isinstance(payload, str) else json.dumps(payload)
    home = project / "home"
    home.mkdir(exist_ok=True)
    result = run_cli("hook", *args, stdin=stdin, cwd=project, env={**CLEAN_ENV, "HOME": str(home), **(env or {})})
    assert result.returncode == 0, err(result)  # never 1, never a traceback
    assert "Traceback" not in err(result)
    return out(result)


def decision(text):
    return json.loads(text)["hookSpecificOutput"]["permissionDecision"] if text else "allow"


# --- Claude Code --------------------------------------------------------------------------------------


def test_claude_bash_disguised_destroy_is_denied_with_the_rule_and_what_to_do(project):
    payload = claude(
        "Bash",
        {
            "command": 'sudo env TF_IN_AUTOMATION=1 bash -c "terraform destroy -auto-approve"',
            "description": "tear down staging",
        },
        project,
    )
    assert json.loads(hook(payload, project)) == {
        "hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": "deny",
            "permissionDecisionReason": DESTROY_REASON,
        }
    }


def test_claude_bash_that_only_mentions_a_destroy_is_allowed_silently(project):
    for command in (
        'echo "never run terraform destroy -auto-approve here"',
        'git commit -m "docs: explain terraform destroy -auto-approve"',
        'grep -rn "DROP TABLE" migrations/',
    ):
        assert hook(claude("Bash", {"command": command}, project), project) == "", command


def test_claude_bash_warning_asks(project):
    answer = json.loads(hook(claude("Bash", {"command": "git reset --hard HEAD~3"}, project), project))
    assert answer["hookSpecificOutput"]["permissionDecision"] == "ask"
    assert answer["hookSpecificOutput"]["permissionDecisionReason"].startswith(
        "blastguard wants a person to confirm this: [SH401 git-history-rewrite, line 1]"
    )


def test_claude_write_of_a_destructive_file_is_denied_and_a_harmless_one_allowed(project):
    write = claude(
        "Write", {"file_path": str(project / "cleanup.sql"), "content": "SELECT 1;\nDELETE FROM users;\n"}, project
    )
    reason = json.loads(hook(write, project))["hookSpecificOutput"]["permissionDecisionReason"]
    assert reason.startswith(
        "blastguard blocked this: [SQL101 unbounded-delete, line 2] DELETE from users has no WHERE"
    )
    notes = claude("Write", {"file_path": "notes.md", "content": "Never run DELETE FROM users;\n"}, project)
    assert hook(notes, project) == ""


def test_claude_edit_is_applied_to_the_file_on_disk_and_judged_whole(project):
    script = project / "purge.sql"
    script.write_text("-- nightly purge\nDELETE FROM sessions\nWHERE expires_at < now();\n")
    removes_where = claude(
        "Edit",
        {
            "file_path": str(script),
            "old_string": "\nWHERE expires_at < now();",
            "new_string": ";",
            "replace_all": False,
        },
        project,
    )
    reason = json.loads(hook(removes_where, project))["hookSpecificOutput"]["permissionDecisionReason"]
    assert "[SQL101 unbounded-delete, line 2]" in reason
    harmless = claude(
        "Edit", {"file_path": str(script), "old_string": "-- nightly purge", "new_string": "-- purge"}, project
    )
    assert hook(harmless, project) == ""
    assert script.read_text().startswith("-- nightly purge")  # the hook never writes the file


def test_an_edit_that_does_not_touch_an_existing_finding_is_not_blamed_for_it(project):
    script = project / "old.sql"
    script.write_text("DELETE FROM audit_log;\nSELECT 1;\n")
    edit = claude("Edit", {"file_path": "old.sql", "old_string": "SELECT 1;", "new_string": "SELECT 2;"}, project)
    assert hook(edit, project) == ""


def test_claude_multiedit_applies_every_edit_in_order(project):
    script = project / "jobs.py"
    script.write_text('import subprocess\n\ndef plan():\n    subprocess.run(["terraform", "plan"])\n')
    edits = claude(
        "MultiEdit",
        {
            "file_path": str(script),
            "edits": [
                {"old_string": "def plan", "new_string": "def teardown"},
                {"old_string": '"plan"]', "new_string": '"destroy", "-auto-approve"]'},
            ],
        },
        project,
    )
    reason = json.loads(hook(edits, project))["hookSpecificOutput"]["permissionDecisionReason"]
    assert reason.startswith("blastguard blocked this: [SH101 terraform-destroy, line 4]")


def test_an_ignore_comment_the_agent_adds_is_not_trusted(project):
    sql = "DELETE FROM users; -- blastguard: ignore[SQL101] the agent says this is fine\n"
    write = claude("Write", {"file_path": "wipe.sql", "content": sql}, project)
    assert decision(hook(write, project)) == "deny"
    command = claude(
        "Bash", {"command": "terraform destroy -auto-approve  # blastguard: ignore[SH101] cleanup"}, project
    )
    assert decision(hook(command, project)) == "deny"
    (project / "blastguard.toml").write_text("hook-trust-suppressions = true\n")  # the agent can write this file
    assert decision(hook(write, project)) == "deny"
    (project / "trusting.toml").write_text("hook-trust-suppressions = true\n")  # named on the hook's command line
    assert hook(write, project, "--config", project / "trusting.toml") == ""


def test_tools_that_change_nothing_are_allowed(project):
    assert hook(claude("Read", {"file_path": "/etc/passwd"}, project), project) == ""
    assert hook(claude("Grep", {"pattern": "DROP TABLE"}, project), project) == ""


# --- other agents -----------------------------------------------------------------------------------------


def codex(command, cwd):
    return {
        "session_id": "s1",
        "transcript_path": None,
        "cwd": str(cwd),
        "hook_event_name": "PreToolUse",
        "model": "gpt-5-codex",
        "permission_mode": "default",
        "tool_name": "Bash",
        "tool_use_id": "call_1",
        "tool_input": {"command": command},
    }


def test_codex_gets_only_the_fields_its_schema_allows(project):
    answer = json.loads(hook(codex("terraform destroy -auto-approve", project), project))
    assert answer == {
        "hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": "deny",
            "permissionDecisionReason": DESTROY_REASON,
        }
    }
    assert hook(codex("ls -la", project), project) == ""


def test_codex_cannot_ask_so_a_warning_is_denied_for_a_person_to_run(project):
    output = json.loads(hook(codex("git reset --hard HEAD~3", project), project))["hookSpecificOutput"]
    assert set(output) == {"hookEventName", "permissionDecision", "permissionDecisionReason"}
    assert output["permissionDecision"] == "deny"
    assert "cannot ask a person from a hook" in output["permissionDecisionReason"]


def gemini(tool, tool_input, cwd):
    return {
        "session_id": "g1",
        "transcript_path": "/tmp/g.json",
        "cwd": str(cwd),
        "hook_event_name": "BeforeTool",
        "timestamp": "2026-11-24T01:00:00Z",
        "tool_name": tool,
        "tool_input": tool_input,
    }


def test_gemini_shell_write_and_replace(project):
    assert json.loads(
        hook(gemini("run_shell_command", {"command": "terraform destroy -auto-approve"}, project), project)
    ) == {"decision": "deny", "reason": DESTROY_REASON}
    write = gemini("write_file", {"file_path": "reset.sql", "content": "TRUNCATE orders;\n"}, project)
    assert json.loads(hook(write, project))["decision"] == "deny"
    (project / "tidy.sql").write_text("DELETE FROM carts WHERE id = 1;\n")
    replace = gemini("replace", {"file_path": "tidy.sql", "old_string": " WHERE id = 1", "new_string": ""}, project)
    assert json.loads(hook(replace, project))["decision"] == "deny"
    assert hook(gemini("read_file", {"file_path": "tidy.sql"}, project), project) == ""


def test_cursor_shell_and_pre_tool_use(project):
    shell = {
        "hook_event_name": "beforeShellExecution",
        "conversation_id": "c1",
        "generation_id": "g1",
        "workspace_roots": [str(project)],
        "command": "terraform destroy -auto-approve",
        "cwd": str(project),
    }
    assert json.loads(hook(shell, project)) == {
        "permission": "deny",
        "user_message": DESTROY_REASON,
        "agent_message": DESTROY_REASON,
    }
    write = {
        "hook_event_name": "preToolUse",
        "conversation_id": "c1",
        "generation_id": "g2",
        "workspace_roots": [str(project)],
        "tool_name": "Write",
        "tool_input": {"file_path": "drop.sql", "content": "DROP TABLE users;\n"},
    }
    assert json.loads(hook(write, project))["permission"] == "deny"
    assert hook({**shell, "command": "npm test"}, project) == ""


def test_copilot_cli_reads_tool_args_from_a_json_string(project):
    payload = {
        "timestamp": 1764000000000,
        "cwd": str(project),
        "toolName": "bash",
        "toolArgs": json.dumps({"command": "terraform destroy -auto-approve", "description": "cleanup"}),
    }
    assert json.loads(hook(payload, project)) == {
        "permissionDecision": "deny",
        "permissionDecisionReason": DESTROY_REASON,
    }
    payload["toolArgs"] = json.dumps({"command": "git reset --hard"})
    answer = json.loads(hook(payload, project))
    assert answer["permissionDecision"] == "deny" and "cannot ask" in answer["permissionDecisionReason"]


def test_the_agent_can_be_named_instead_of_detected(project):
    payload = {
        "tool_name": "run_shell_command",
        "tool_input": {"command": "terraform destroy -auto-approve"},
        "cwd": str(project),
    }
    assert json.loads(hook(payload, project, "--agent", "gemini"))["decision"] == "deny"


# --- bad input ---------------------------------------------------------------------------------------------


def test_malformed_payloads_ask_with_the_reason_never_a_traceback(project):
    answer = json.loads(hook("{not json", project))["hookSpecificOutput"]
    assert answer["permissionDecision"] == "ask"
    assert answer["permissionDecisionReason"].startswith(
        "blastguard could not read this tool call: the payload is not valid JSON"
    )
    unknown = json.loads(hook({"event": "something else"}, project))["hookSpecificOutput"]
    assert unknown["permissionDecision"] == "ask" and "pass --agent" in unknown["permissionDecisionReason"]
    missing = json.loads(hook(claude("Bash", {}, project), project))["hookSpecificOutput"]
    assert (
        missing["permissionDecisionReason"]
        == "blastguard could not read this tool call: the payload's command is missing or not a string."
    )


def test_on_error_decision_is_configurable(project):
    (project / "blastguard.toml").write_text('hook-on-error = "deny"\n')
    edit = claude("Edit", {"file_path": "absent.sql", "old_string": "x", "new_string": "y"}, project)
    answer = json.loads(hook(edit, project))["hookSpecificOutput"]
    assert answer["permissionDecision"] == "deny" and "does not exist" in answer["permissionDecisionReason"]


def test_a_bad_option_is_one_line_and_exit_2(project):
    result = run_cli("hook", "--agent", "vim", stdin="{}", cwd=project)
    assert result.returncode == 2 and err(result).count("\n") == 1


# --- the environment gate ------------------------------------------------------------------------------------


SCOPED_DELETE = 'psql -c "DELETE FROM sessions WHERE expires_at < now()"'


def test_a_scoped_delete_on_a_development_database_is_allowed(project):
    assert (
        hook(
            claude("Bash", {"command": SCOPED_DELETE}, project),
            project,
            env={"DATABASE_URL": "postgresql://app@dev-db.internal:5432/app"},
        )
        == ""
    )


def test_the_same_delete_with_database_url_at_production_asks(project):
    reason = json.loads(
        hook(
            claude("Bash", {"command": SCOPED_DELETE}, project),
            project,
            env={"DATABASE_URL": "postgresql://app@prod-db.internal:5432/app"},
        )
    )
    output = reason["hookSpecificOutput"]
    assert output["permissionDecision"] == "ask"
    assert "[SQL107 production-write, line 1]" in output["permissionDecisionReason"]
    assert "DATABASE_URL points at prod-db.internal" in output["permissionDecisionReason"]


def test_an_environment_name_alone_is_not_production(project):
    command = claude("Bash", {"command": SCOPED_DELETE}, project)
    assert hook(command, project, env={"NODE_ENV": "production"}) == ""
    assert decision(hook(command, project, env={"NODE_ENV": "production", "APP_ENV": "production"})) == "ask"


def test_terraform_workspace_and_kube_context_are_signals(project):
    apply = claude("Bash", {"command": "terraform apply -auto-approve"}, project)
    assert hook(apply, project) == ""
    (project / ".terraform").mkdir()
    (project / ".terraform" / "environment").write_text("prod\n")
    assert (
        "the selected Terraform workspace is prod"
        in json.loads(hook(apply, project))["hookSpecificOutput"]["permissionDecisionReason"]
    )
    (project / ".terraform" / "environment").unlink()
    kube = project / "kubeconfig"
    kube.write_text("apiVersion: v1\ncurrent-context: prod-eu\ncontexts: []\n")
    delete = claude("Bash", {"command": SCOPED_DELETE}, project)
    assert decision(hook(delete, project, env={"KUBECONFIG": str(kube)})) == "ask"


# --- settings and audit -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("agent", ["claude", "codex", "gemini", "cursor", "copilot"])
def test_print_config_gives_a_settings_snippet(agent, project):
    result = run_cli("hook", "--print-config", agent, cwd=project)
    assert result.returncode == 0
    where, snippet = err(result), out(result)  # stdout is the JSON alone, ready for a file or jq
    assert where.strip().endswith(":") and f"blastguard hook --agent {agent}" in json.dumps(json.loads(snippet))


def test_decisions_are_audited_without_the_input(project):
    (project / "hook.toml").write_text('audit-log = "logs/hook.jsonl"\n')
    secret = "PGPASSWORD=hunter2 psql -c 'DROP TABLE users'"
    hook(claude("Bash", {"command": secret}, project), project, "--config", project / "hook.toml")
    [line] = (project / "logs" / "hook.jsonl").read_text().splitlines()
    entry = json.loads(line)
    assert (entry["agent"], entry["tool"], entry["decision"], entry["rules"]) == ("claude", "Bash", "deny", ["SQL202"])
    assert entry["cwd"] == str(project) and "hunter2" not in line


def test_a_check_that_crashes_answers_on_error_instead_of_killing_the_hook(project, monkeypatch, tmp_path):
    """A segfault inside a native parser kills only the forked child that checks; the hook still answers."""
    import io
    import os
    import signal

    from blastguard.interfaces import hook as hook_module

    monkeypatch.setattr(hook_module, "_decide", lambda *args: os.kill(os.getpid(), signal.SIGSEGV))
    payload = json.dumps(claude("Bash", {"command": "terraform destroy -auto-approve"}, project)).encode()
    answer_path = tmp_path / "answer.json"
    with open(answer_path, "w") as answer_file:
        code = hook_module.run(None, None, stdin=io.BytesIO(payload), stdout=answer_file, environ=CLEAN_ENV)
    output = json.loads(answer_path.read_text())["hookSpecificOutput"]
    assert code == 0
    assert output["permissionDecision"] == "ask"
    assert output["permissionDecisionReason"] == (
        "blastguard failed while checking this tool call (the check crashed (signal 11))."
    )


def test_patterns_of_rarely_needed_checks_are_compiled_on_first_use_only():
    program = (
        "import re, blastguard.interfaces.tool_inputs as t, blastguard.interfaces.guard_tampering as g\n"
        "from blastguard.patterns import LazyPattern\n"
        "lazy = [v for m in (t, g) for v in vars(m).values() if isinstance(v, LazyPattern)]\n"
        "print(len(lazy), sum(p._compiled is not None for p in lazy))\n"
        "print(t._READING_TOOL.search('mcp__web__search') is not None, t._READING_TOOL._compiled is not None)"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60)
    counts, used = result.stdout.split("\n")[:2]
    total, compiled = map(int, counts.split())
    assert total >= 10 and compiled == 0
    assert used == "True True"
