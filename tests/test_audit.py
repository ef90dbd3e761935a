"""The audit log: one whole JSON line per decision, no secrets, safe under concurrent writers, never raising."""

import hashlib
import json
import multiprocessing
import os
import re
import sys

import pytest

from blastguard.config import Config
from blastguard.interfaces import audit

PAYLOAD = '{"tool_input": {"command": "PGPASSWORD=hunter2-s3cr3t psql -h prod-db -c \'DROP TABLE users\'"}}'


def _record(path, **overrides):
    arguments = {
        "agent": "claude-code",
        "tool": "Bash",
        "cwd": "/repo",
        "decision": "deny",
        "rule_ids": ["SQL201"],
        "payload_text": PAYLOAD,
    }
    arguments.update(overrides)
    return audit.record(str(path), **arguments)


def _lines(path):
    return path.read_text(encoding="utf-8").splitlines()


def test_a_line_has_exactly_the_documented_keys(tmp_path):
    log = tmp_path / "audit.jsonl"
    assert _record(log) is None
    [line] = _lines(log)
    entry = json.loads(line)
    assert list(entry) == ["time", "agent", "tool", "cwd", "decision", "rules", "input_sha256"]
    assert entry["agent"] == "claude-code"
    assert entry["tool"] == "Bash"
    assert entry["cwd"] == "/repo"
    assert entry["decision"] == "deny"
    assert entry["rules"] == ["SQL201"]
    assert entry["input_sha256"] == hashlib.sha256(PAYLOAD.encode("utf-8")).hexdigest()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", entry["time"])


def test_rules_are_recorded_once_each_sorted(tmp_path):
    log = tmp_path / "audit.jsonl"
    _record(log, rule_ids=["SQL201", "SH101", "SQL201"], decision="ask")
    _record(log, rule_ids=[], decision="allow")
    first, second = (json.loads(line) for line in _lines(log))
    assert (first["rules"], first["decision"]) == (["SH101", "SQL201"], "ask")
    assert (second["rules"], second["decision"]) == ([], "allow")


def test_lines_are_appended_not_overwritten(tmp_path):
    log = tmp_path / "audit.jsonl"
    log.write_text('{"earlier": true}\n')
    _record(log)
    _record(log)
    assert len(_lines(log)) == 3
    assert json.loads(_lines(log)[0]) == {"earlier": True}


def test_the_input_and_its_secrets_are_never_written(tmp_path):
    log = tmp_path / "audit.jsonl"
    _record(log)
    text = log.read_text(encoding="utf-8")
    assert "hunter2-s3cr3t" not in text
    assert "PGPASSWORD" not in text
    assert "DROP TABLE" not in text
    assert "prod-db" not in text


def test_parent_folders_are_created_and_home_is_expanded(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert (
        audit.record(
            "~/logs/blastguard/audit.jsonl",
            agent="codex",
            tool="shell",
            cwd="/w",
            decision="allow",
            rule_ids=[],
            payload_text="ls",
        )
        is None
    )
    assert len(_lines(tmp_path / "logs" / "blastguard" / "audit.jsonl")) == 1


def test_resolve_takes_relative_paths_from_the_configuration_root(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    config = Config(root=str(tmp_path / "project"))
    assert audit.resolve(".blastguard/audit.jsonl", config) == str(tmp_path / "project" / ".blastguard" / "audit.jsonl")
    assert audit.resolve("~/audit.jsonl", config) == str(tmp_path / "home" / "audit.jsonl")
    assert audit.resolve(str(tmp_path / "abs.jsonl"), config) == str(tmp_path / "abs.jsonl")


def test_an_unwritable_path_gives_a_message_not_an_exception(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be\n")
    message = _record(blocker / "audit.jsonl")
    assert isinstance(message, str) and message
    assert "audit log" in message and "\n" not in message
    assert "hunter2" not in message


def test_a_folder_in_place_of_the_log_gives_a_message(tmp_path):
    message = _record(tmp_path)
    assert isinstance(message, str) and "audit log" in message


def _writer(path: str, worker: int, count: int) -> None:
    # Long lines make torn or interleaved writes likely if the lock or single write were missing.
    for i in range(count):
        error = audit.record(
            path,
            agent=f"agent-{worker}",
            tool="Bash",
            cwd="/repo/" + "x" * 4000,
            decision="deny",
            rule_ids=[f"SH{worker:03d}", f"SQL{i:03d}"],
            payload_text=f"{worker}:{i}",
        )
        if error:
            raise SystemExit(error)


@pytest.mark.skipif(
    sys.platform == "win32" or "fork" not in multiprocessing.get_all_start_methods(),
    reason="needs the fork start method",
)
def test_concurrent_writers_never_tear_or_lose_a_line(tmp_path):
    log = tmp_path / "audit.jsonl"
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_writer, args=(str(log), w, 200)) for w in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [w.exitcode for w in workers] == [0] * 8
    lines = _lines(log)
    assert len(lines) == 1600
    entries = [json.loads(line) for line in lines]
    seen = {(e["agent"], e["input_sha256"]) for e in entries}
    expected = {(f"agent-{w}", hashlib.sha256(f"{w}:{i}".encode()).hexdigest()) for w in range(8) for i in range(200)}
    assert seen == expected
    assert os.path.getsize(log) == sum(len(line) + 1 for line in lines)


def test_a_fifo_where_the_log_was_is_refused_without_waiting(tmp_path):
    log = tmp_path / "audit.jsonl"
    os.mkfifo(log)
    # No reader: opening for writing would block without O_NONBLOCK; with a reader it is still no log.
    assert "cannot write the audit log" in _record(log)
    reader = os.open(log, os.O_RDONLY | os.O_NONBLOCK)
    try:
        assert "not a regular file" in _record(log)
        assert os.read(reader, 100) == b""  # nothing was written into the pipe
    finally:
        os.close(reader)
