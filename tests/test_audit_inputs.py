"""`audit-log-inputs`: what was checked and why, recorded through the real hook with secrets redacted;
and `blastguard audit`, which sums a log up. Commands here are only read, never run."""

import io
import json

import pytest

from blastguard.config import Config, tightened
from blastguard.interfaces import hook
from conftest import err, out, run_cli
from hook_calls import CLEAN_ENV, claude


@pytest.fixture
def project(tmp_path):
    folder = tmp_path / "repo"
    folder.mkdir()
    return folder


def run_hook(payload, project, config_text):
    config = project.parent / "trusted.toml"
    config.write_text(config_text)
    answer = project.parent / "answer.json"
    with open(answer, "w") as stdout:
        assert (
            hook.run(
                None, str(config), stdin=io.BytesIO(json.dumps(payload).encode()), stdout=stdout, environ=CLEAN_ENV
            )
            == 0
        )
    return answer.read_text()


def log_lines(project):
    return [json.loads(line) for line in (project.parent / "trail.jsonl").read_text().splitlines()]


LOG = 'audit-log = "trail.jsonl"\n'
SECRET_COMMANDS = [
    (
        "PGPASSWORD=hunter2-s3cr3t psql -h prod-db -c 'DROP TABLE users'",
        "hunter2-s3cr3t",
        "psql -h prod-db -c 'DROP TABLE users'",
    ),
    ("psql postgresql://admin:Pa55w0rd@db/prod -c 'TRUNCATE orders'", "Pa55w0rd", "-c 'TRUNCATE orders'"),
    ("mysql -uroot -pRootPass1 shop -e 'DROP DATABASE shop'", "RootPass1", "-e 'DROP DATABASE shop'"),
    ("mysql --password=Zz9secret shop -e 'DELETE FROM carts'", "Zz9secret", "-e 'DELETE FROM carts'"),
    (
        "curl -X DELETE -H 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig' https://api.example.com/db && rm -rf /",
        "eyJhbGciOiJIUzI1NiJ9.e30.sig",
        "https://api.example.com/db && rm -rf /",
    ),
    (
        "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY aws s3 rb s3://prod-logs --force",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "aws s3 rb s3://prod-logs --force",
    ),
]


@pytest.mark.parametrize("command, secret, readable", SECRET_COMMANDS, ids=[c[1] for c in SECRET_COMMANDS])
def test_the_command_and_reason_are_recorded_without_the_secret(project, command, secret, readable):
    run_hook(claude("Bash", {"command": command}, project), project, LOG + "audit-log-inputs = true\n")
    [entry] = log_lines(project)
    raw = (project.parent / "trail.jsonl").read_text()
    assert secret not in raw
    assert entry["decision"] in ("deny", "ask") and entry["rules"]
    assert readable in entry["input"]["command"] and "***" in entry["input"]["command"]
    assert entry["reason"].startswith("blastguard")


def test_without_the_key_nothing_but_the_hash_is_recorded(project):
    run_hook(claude("Bash", {"command": SECRET_COMMANDS[0][0]}, project), project, LOG)
    [entry] = log_lines(project)
    assert "input" not in entry and "reason" not in entry and "DROP TABLE" not in json.dumps(entry)


def test_a_file_write_records_the_path_and_the_findings_lines_not_the_content(project):
    content = "-- token: keepme\nSELECT 1;\nDELETE FROM users;\n"
    payload = claude("Write", {"file_path": str(project / "purge.sql"), "content": content}, project)
    run_hook(payload, project, LOG + "audit-log-inputs = true\n")
    [entry] = log_lines(project)
    assert entry["input"]["path"] == str(project / "purge.sql")
    [finding] = entry["input"]["findings"]
    assert ":3: DELETE FROM users" in finding and "SELECT 1" not in json.dumps(entry)


def test_the_project_cannot_switch_inputs_on(project):
    (project / "blastguard.toml").write_text("audit-log-inputs = true\n")
    run_hook(claude("Bash", {"command": SECRET_COMMANDS[0][0]}, project), project, LOG)
    [entry] = log_lines(project)
    assert "input" not in entry
    config, ignored = tightened(Config(), Config(audit_log_inputs=True, given=("audit-log-inputs",)))
    assert config.audit_log_inputs is False and ignored == ["audit-log-inputs"]


# --- blastguard audit ---------------------------------------------------------------------------------

LINES = [
    {
        "time": "2026-06-01T10:00:00.000Z",
        "agent": "claude",
        "tool": "Bash",
        "cwd": "/r",
        "decision": "deny",
        "rules": ["SH101"],
        "input_sha256": "a",
    },
    {
        "time": "2026-06-01T11:00:00.000Z",
        "agent": "codex",
        "tool": "Bash",
        "cwd": "/r",
        "decision": "allow",
        "rules": [],
        "input_sha256": "b",
    },
    {
        "time": "2026-06-02T09:30:00.000Z",
        "agent": "claude",
        "tool": "Bash",
        "cwd": "/r",
        "decision": "ask",
        "rules": ["SQL101", "SH101"],
        "input_sha256": "c",
        "reason": "blastguard wants a person to confirm this",
        "input": {"command": "PGPASSWORD=*** psql -c 'DELETE FROM t'"},
    },
]


def write_log(tmp_path, extra=()):
    log = tmp_path / "trail.jsonl"
    log.write_text("".join(json.dumps(line) + "\n" for line in LINES) + "".join(extra))
    return log


def test_audit_summarises_per_day_rule_agent_and_lists_stopped_calls_as_json(tmp_path):
    log = write_log(tmp_path)
    result = run_cli("audit", str(log), "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, err(result)
    summary = json.loads(out(result))
    assert summary["decisions"] == 3
    assert summary["per_day"] == {
        "2026-06-01": {"deny": 1, "ask": 0, "allow": 1},
        "2026-06-02": {"deny": 0, "ask": 1, "allow": 0},
    }
    assert summary["per_rule"]["SH101"] == {"deny": 1, "ask": 1, "allow": 0}
    assert summary["per_agent"]["codex"] == {"deny": 0, "ask": 0, "allow": 1}
    assert [(c["time"], c["decision"], c["rules"]) for c in summary["stopped"]] == [
        ("2026-06-01T10:00:00.000Z", "deny", ["SH101"]),
        ("2026-06-02T09:30:00.000Z", "ask", ["SQL101", "SH101"]),
    ]
    assert summary["stopped"][1]["input"]["command"].startswith("PGPASSWORD=***")
    assert summary["malformed_lines"] == {"count": 0, "line_numbers": []}


def test_audit_text_names_the_stopped_calls_and_counts_malformed_lines(tmp_path):
    log = write_log(tmp_path, ["not json\n", "[1, 2]\n", '{"time": 3}\n', '{"decision": "deny"' + "\n"])
    result = run_cli("audit", str(log), cwd=tmp_path)
    text = out(result)
    assert result.returncode == 0 and "Traceback" not in err(result)
    assert text.startswith(f"{log}: 3 decisions")
    assert "2026-06-02T09:30:00.000Z  ask   claude  Bash  SQL101, SH101" in text
    assert "command: PGPASSWORD=*** psql -c 'DELETE FROM t'" in text
    assert "4 malformed lines skipped (line 4, 5, 6, 7)" in text


def test_audit_reads_the_configured_log_and_says_when_there_is_none(tmp_path):
    write_log(tmp_path)
    (tmp_path / "blastguard.toml").write_text('audit-log = "trail.jsonl"\n')
    assert "3 decisions" in out(run_cli("audit", cwd=tmp_path))
    (tmp_path / "blastguard.toml").write_text("")
    result = run_cli("audit", cwd=tmp_path)
    assert result.returncode == 2 and "no audit log named" in err(result) and "Traceback" not in err(result)
    missing = run_cli("audit", str(tmp_path / "absent.jsonl"), cwd=tmp_path)
    assert missing.returncode == 2 and err(missing).count("\n") == 1
