"""Every entry point goes through `api.Session`: one language policy, one file reader.

The same file gets the same answer from the Python API, a folder scan, `--diff`, the agent hook and the
MCP server; files a checked source refers to (`psql -f x.sql`, a module's other .tf files) are read
where the source really is, within the size limit, with the content of the change being checked.
Test data is only read; nothing in it is ever run.
"""

import os
import subprocess
import sys

import pytest
from test_diff import commit

from blastguard import api, isolation
from blastguard.api import Session, UsageError, check_diff, check_paths, check_text
from blastguard.config import Config
from blastguard.frontends.terraform import hcl
from blastguard.interfaces.mcp_server import Checker
from blastguard.sources import detect_language
from conftest import git, json_out, run_cli
from hook_calls import bash, call

UPDATE_ALL = "Update users set active = false;\n"


def _ids(findings) -> list[str]:
    return sorted(f.rule_id for f in findings if f.suppression is None)


def _answers(folder, name: str, tmp_path) -> dict:
    """What each entry point says about `folder/name` (already written), by rule ids."""
    text = (folder / name).read_text()
    answers = {}
    try:
        answers["api.check_text"] = _ids(check_text(text, filename=str(folder / name)))
    except UsageError:
        answers["api.check_text"] = []  # not a file type blastguard reads: nothing is checked
    answers["api.check_paths"] = _ids(check_paths([str(folder)]).findings)
    cli = json_out(run_cli("check", ".", "--format", "json", cwd=folder))
    answers["cli folder"] = sorted(f["rule_id"] for f in cli["findings"])
    patch = f"--- /dev/null\n+++ b/{name}\n@@ -0,0 +1 @@\n+{text}"
    answers["api.check_diff"] = _ids(check_diff(patch, str(tmp_path / "empty")))
    git(folder, "init", "-q")
    diff = json_out(run_cli("check", "--diff", "--format", "json", cwd=folder))  # untracked files are new
    answers["cli --diff"] = sorted(f["rule_id"] for f in diff["findings"])
    answers["hook Write"] = (
        ["SQL102"]
        if call("Write", {"file_path": f"new-{name}", "content": text}, folder, tmp_path).decision == "deny"
        else []
    )
    result = Checker(Config(), str(folder)).check_file(name, text)
    answers["mcp check_file"] = sorted(f["rule_id"] for f in result["findings"])
    return answers


@pytest.mark.parametrize("name, expected", [("NOTES.txt", []), ("notes.sql", ["SQL102"])])
def test_every_entry_point_gives_a_file_the_same_answer(tmp_path, name, expected):
    # NOTES.txt used to be read as SQL by the API, the hook and MCP (by its content) but not by a folder
    # scan or --diff (by its name). One policy now: the name decides; SQL saved as .txt is checked where
    # it is run (`psql -f NOTES.txt`).
    folder = tmp_path / "project"
    folder.mkdir()
    (tmp_path / "empty").mkdir()
    (folder / name).write_text(UPDATE_ALL)
    answers = _answers(folder, name, tmp_path)
    assert answers == dict.fromkeys(answers, expected)


def test_sql_saved_as_text_is_checked_when_it_is_run(tmp_path):
    (tmp_path / "NOTES.txt").write_text(UPDATE_ALL)
    assert bash("psql -f NOTES.txt", tmp_path, tmp_path).decision == "deny"


def test_detect_language_policy():
    assert detect_language("NOTES.txt", UPDATE_ALL) is None
    assert detect_language("README.md", "Drop the old section.\n") is None
    assert detect_language(None, UPDATE_ALL) == "sql"  # stdin without a name
    assert detect_language("q.sql", "anything") == "sql"
    assert detect_language("cleanup", "#!/bin/bash\nrm -rf build\n") == "shell"
    assert detect_language("cleanup", UPDATE_ALL) is None
    assert detect_language("plan.json", '{"format_version": "1.2", "terraform_version": "1.9.0"}') == "terraform-plan"
    assert detect_language("tool.txt", "#!/bin/bash\nrm -rf build\n") is None


# --- the reader: real location, size limit, the change's content --------------------------------------------


def test_psql_file_is_read_from_the_hook_calls_cwd_wherever_the_hook_runs(tmp_path, monkeypatch):
    project = tmp_path / "project"
    project.mkdir()
    (project / "drop.sql").write_text("DROP TABLE users;\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert bash("psql -f drop.sql", project, tmp_path).decision == "deny"
    assert call("Write", {"file_path": "run.sh", "content": "psql -f drop.sql\n"}, project, tmp_path).decision == "deny"
    assert Checker(Config(), str(project)).check_command("psql -f drop.sql")["decision"] == "deny"
    assert Checker(Config(), str(project)).check_file("run.sh", "psql -f drop.sql\n")["decision"] == "deny"


def test_psql_file_is_read_by_the_hook_process_in_another_folder(tmp_path):
    """The hook as agents run it: a fresh process whose own working directory is not the call's cwd."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "drop.sql").write_text("DROP TABLE users;\n")
    payload = (
        '{"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": "psql -f drop.sql"}, '
        f'"cwd": "{project}"}}'
    )
    result = subprocess.run(
        [sys.executable, "-m", "blastguard", "hook"],
        input=payload.encode(),
        capture_output=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert '"permissionDecision": "deny"' in result.stdout.decode()
    assert "drop-table" in result.stdout.decode()


def test_the_configured_size_limit_applies_to_files_a_command_reads(tmp_path):
    (tmp_path / "drop.sql").write_text("DROP TABLE users;\n" + "-- padding\n" * 20)
    script = tmp_path / "run.sh"
    script.write_text("psql -f drop.sql\n")
    assert _ids(check_text(script.read_text(), filename=str(script))) == ["SQL202"]
    session = Session(Config(max_file_size=100), str(tmp_path))
    findings, notifications = session.check_text(script.read_text(), str(script), location=str(script))
    assert _ids(findings) == []
    assert any("drop.sql was not read (larger than the 100-byte limit" in n.message for n in notifications)


def test_staged_content_of_a_referenced_file_is_what_is_checked(repo):  # noqa: F811
    commit(repo, {"README": "x\n"})
    (repo / "run.sh").write_text("psql -f drop.sql\n")
    (repo / "drop.sql").write_text("DROP TABLE users;\n")
    git(repo, "add", "run.sh", "drop.sql")
    (repo / "drop.sql").write_text("SELECT 1;\n")  # the working tree differs from what is committed
    report = json_out(run_cli("check", "--staged", "--format", "json", cwd=repo))
    assert sorted((f["path"], f["rule_id"]) for f in report["findings"]) == [
        ("drop.sql", "SQL202"),
        ("run.sh", "SQL202"),
    ]


def test_patched_content_of_a_referenced_file_is_what_is_checked(tmp_path):
    (tmp_path / "drop.sql").write_text("SELECT 1;\n")
    patch = (
        "--- /dev/null\n+++ b/run.sh\n@@ -0,0 +1 @@\n+psql -f drop.sql\n"
        "--- a/drop.sql\n+++ b/drop.sql\n@@ -1 +1 @@\n-SELECT 1;\n+DROP TABLE users;\n"
    )
    found = sorted((os.path.basename(f.path), f.rule_id) for f in check_diff(patch, str(tmp_path)))
    assert found == [("drop.sql", "SQL202"), ("run.sh", "SQL202")]


# --- each sibling parsed once ---------------------------------------------------------------------------------


def test_a_modules_files_are_each_parsed_once_per_scan(tmp_path, monkeypatch):
    module = tmp_path / "module"
    module.mkdir()
    (module / "providers.tf").write_text('provider "aws" {\n  profile = "prod"\n}\n')
    for n in range(49):
        (module / f"bucket{n}.tf").write_text(f'resource "aws_s3_bucket" "b{n}" {{\n  bucket = "b{n}"\n}}\n')
    parsed = []
    real_parse = hcl._parse

    def counting(text):
        parsed.append(text)
        return real_parse(text)

    monkeypatch.setattr(hcl, "_parse", counting)
    monkeypatch.setattr(isolation, "available", lambda: False)  # count in this process
    report = check_paths([str(module)])
    assert report.files_checked == 50
    assert len(parsed) == 50  # not once more for every file whose module evidence reads it


# --- the hook's start-up ---------------------------------------------------------------------------------------


def test_a_shell_only_hook_check_imports_no_parser_and_no_dataclasses():
    code = (
        "import sys\nfrom blastguard.interfaces import hook\nfrom blastguard.config import Config\n"
        "from blastguard.interfaces.hook_protocols import read\n"
        "call = read({'hook_event_name': 'PreToolUse', 'tool_name': 'Bash', 'cwd': '.',\n"
        "             'tool_input': {'command': 'ls -la && git status'}}, 'claude')\n"
        "print(hook._decide(call, Config(), {})[0])\n"
        "print(sorted(m for m in ('sqlglot', 'libcst', 'dataclasses', 'inspect') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120)
    assert result.stdout.decode().split("\n")[:2] == ["allow", "[]"], result.stderr.decode()


def test_fail_on_is_computed_by_the_session():
    findings = check_text("DELETE FROM users;\nSELECT 1;\n", filename="q.sql")
    assert api.Session(Config(fail_on="never"), ".").failing(findings) == []
    assert [f.rule_id for f in api.Session(Config(fail_on="error"), ".").failing(findings)] == ["SQL101"]
