"""Codex's file edits (`apply_patch`) through the real hook, judged as Claude Code's Write and Edit are;
and an edit that will fail by itself. Payloads are only read; nothing in them is ever run."""

import io
import json

import pytest

from blastguard.interfaces import codex_patch, hook
from conftest import out, run_cli
from hook_calls import CLEAN_ENV, call


def codex_patch_call(patch, cwd, tmp_path, tool="apply_patch", key="command"):
    payload = {
        "session_id": "s1",
        "transcript_path": None,
        "cwd": str(cwd),
        "hook_event_name": "PreToolUse",
        "model": "gpt-5-codex",
        "permission_mode": "default",
        "tool_name": tool,
        "tool_use_id": "call_1",
        "tool_input": {key: patch},
    }
    answer_path = tmp_path / "answer.json"
    with open(answer_path, "w") as answer_file:
        code = hook.run(
            None, None, stdin=io.BytesIO(json.dumps(payload).encode()), stdout=answer_file, environ=CLEAN_ENV
        )
    assert code == 0
    text = answer_path.read_text()
    if not text:
        return "allow", ""
    output = json.loads(text)["hookSpecificOutput"]
    assert set(output) == {"hookEventName", "permissionDecision", "permissionDecisionReason"}  # Codex's schema
    return output["permissionDecision"], output["permissionDecisionReason"]


CLEANUP = "-- nightly cleanup\nDELETE FROM sessions\nWHERE expires_at < now();\n"


@pytest.fixture
def project(tmp_path):
    folder = tmp_path / "repo"
    folder.mkdir()
    (folder / "cleanup.sql").write_text(CLEANUP)
    return folder


def test_an_update_that_drops_the_where_clause_is_denied(project, tmp_path):
    patch = (
        "*** Begin Patch\n*** Update File: cleanup.sql\n@@\n DELETE FROM sessions\n-WHERE expires_at < now();\n"
        "+;\n*** End Patch\n"
    )
    decision, reason = codex_patch_call(patch, project, tmp_path)
    assert decision == "deny" and "SQL101" in reason


def test_an_update_that_keeps_the_where_clause_is_allowed(project, tmp_path):
    patch = (
        "*** Begin Patch\n*** Update File: cleanup.sql\n@@ DELETE FROM sessions\n-WHERE expires_at < now();\n"
        "+WHERE expires_at < now() - interval '1 day';\n*** End Patch"
    )
    assert codex_patch_call(patch, project, tmp_path) == ("allow", "")


def test_an_added_file_is_judged_whole_and_the_shell_form_too(project, tmp_path):
    patch = "*** Begin Patch\n*** Add File: migrations/0002_drop.sql\n+DROP TABLE users;\n*** End Patch"
    decision, reason = codex_patch_call(patch, project, tmp_path)
    assert decision in ("deny", "ask") and "SQL" in reason
    shell = f"apply_patch <<'EOF'\n{patch}\nEOF\n"
    assert codex_patch_call(shell, project, tmp_path, tool="Bash")[0] == decision
    harmless = "*** Begin Patch\n*** Add File: notes.sql\n+SELECT 1;\n*** End Patch"
    assert codex_patch_call(harmless, project, tmp_path) == ("allow", "")


def test_a_shell_patch_with_more_on_the_line_is_checked_as_a_command(project, tmp_path):
    patch = "*** Begin Patch\n*** Add File: notes.sql\n+SELECT 1;\n*** End Patch"
    shell = f"apply_patch <<'EOF'\n{patch}\nEOF\nterraform destroy -auto-approve\n"
    decision, reason = codex_patch_call(shell, project, tmp_path, tool="Bash")
    assert decision == "deny" and "SH101" in reason


def test_a_patch_that_does_not_apply_is_allowed_because_it_will_fail(project, tmp_path):
    patch = (
        "*** Begin Patch\n*** Update File: cleanup.sql\n-DELETE FROM accounts\n+DELETE FROM accounts;\n*** End Patch"
    )
    assert codex_patch_call(patch, project, tmp_path) == ("allow", "")


def test_a_malformed_patch_is_not_passed_silently(project, tmp_path):
    decision, reason = codex_patch_call("*** Begin Patch\nrm -rf /\n", project, tmp_path)
    assert decision == "deny" and "could not read" in reason  # ask becomes deny for Codex


def test_print_config_for_codex_matches_apply_patch(tmp_path):
    result = run_cli("hook", "--print-config", "codex", cwd=tmp_path)
    assert result.returncode == 0
    config = json.loads(out(result))  # stdout is only the JSON; the "Add to …" line is on stderr
    matcher = config["hooks"]["PreToolUse"][0]["matcher"]
    assert {"Bash", "apply_patch"} <= set(matcher.split("|"))


def test_a_claude_edit_whose_old_string_is_absent_is_allowed_with_context(project, tmp_path):
    edit = {"file_path": str(project / "cleanup.sql"), "old_string": "DELETE FROM accounts", "new_string": "x"}
    answer = call("Edit", edit, project, tmp_path)
    assert answer.decision == "allow" and "will fail by itself" in answer.reason
    present = {
        "file_path": str(project / "cleanup.sql"),
        "old_string": "\nWHERE expires_at < now();",
        "new_string": ";",
    }
    assert call("Edit", present, project, tmp_path).decision == "deny"


def test_patch_application_follows_anchors_and_whitespace_tolerance():
    operations = codex_patch.parse(
        "*** Begin Patch\n*** Update File: a.py\n@@ def b():\n-    return 1  \n+    return 2\n*** End Patch"
    )
    before = "def a():\n    return 1\n\ndef b():\n    return 1\n"
    assert (
        codex_patch.apply(before, operations[0].chunks, "a.py") == "def a():\n    return 1\n\ndef b():\n    return 2\n"
    )
    with pytest.raises(codex_patch.PatchWillNotApply):
        codex_patch.apply("x = 1\n", operations[0].chunks, "a.py")
    with pytest.raises(codex_patch.PatchError):
        codex_patch.parse("*** Begin Patch\n*** Add File: a\nno plus\n*** End Patch")


def test_an_edit_that_matches_only_loosely_is_not_allowed_unchecked(project, tmp_path):
    (project / "crlf.sql").write_bytes(b"DELETE FROM sessions\r\nWHERE expires_at < now();\r\n")
    edit = {"file_path": str(project / "crlf.sql"), "old_string": "sessions\nWHERE", "new_string": "sessions; --"}
    answer = call("Edit", edit, project, tmp_path)
    assert answer.decision == "ask" and "cannot be reproduced" in answer.reason


def test_codex_matches_typographic_punctuation_as_ascii():
    [operation] = codex_patch.parse(
        "*** Begin Patch\n*** Update File: a.sql\n-SELECT 'x' - a-b\n+DROP TABLE t;\n*** End Patch"
    )
    assert codex_patch.apply("SELECT \u2018x\u2019 \u2014 a\u2013b\n", operation.chunks, "a.sql") == "DROP TABLE t;\n"
