"""Engine behaviour that the CLI tests cannot reach directly: parallel scans, internal errors."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import blastguard.engine as engine_module
from blastguard import registry
from blastguard.config import Config
from blastguard.engine import Engine
from blastguard.interfaces.cli import main
from blastguard.sources import Source


def _sources(count):
    sources = []
    for i in range(count):
        text = "SELECT id, email FROM users WHERE created_at > now() - interval '1 day';\n" * 120
        text += f"DELETE FROM table_{i};\nUPDATE t SET a = 1 WHERE id = {i};\n"
        sources.append((Source(f"f{i:02}.sql", text, "sql"), None))
    return sources


def _summary(report):
    return [(f.path, f.rule_id, f.region, f.fingerprint) for f in report.findings]


def test_parallel_scan_gives_the_same_report_as_a_sequential_one(monkeypatch):
    sources = _sources(12)
    assert sum(len(s.text) for s, _ in sources) > engine_module.PARALLEL_MIN_BYTES
    sequential = Engine(Config(), ".")
    monkeypatch.setattr(engine_module, "PARALLEL_MIN_FILES", 10**9)
    expected = sequential.check_sources(sources)
    monkeypatch.setattr(engine_module, "PARALLEL_MIN_FILES", 2)
    parallel = Engine(Config(), ".").check_sources(sources)
    assert _summary(parallel) == _summary(expected)
    assert len(expected.findings) == 12 and parallel.files_checked == 12


def test_a_crashing_rule_becomes_an_internal_error_and_loses_no_other_file(monkeypatch):
    rules = registry.rules_for("sql")
    broken = rules[0].replace(check=lambda stmt, doc: 1 / 0)
    monkeypatch.setattr(registry, "rules_for", lambda language: (broken, *rules[1:]))
    report = Engine(Config(), ".").check_sources(
        [(Source("a.sql", "TRUNCATE t;\n", "sql"), None), (Source("b.sql", "SELECT 1;\n", "sql"), None)]
    )
    (note,) = report.notifications
    assert note.kind == "internal-error" and note.level == "error" and note.path == "a.sql"
    assert "ZeroDivisionError" in note.message
    assert report.had_internal_error


def test_a_frontend_that_trips_finding_embedded_code_keeps_the_hosts_findings(monkeypatch):
    from blastguard.frontends.shell.frontend import ShellDocument

    def broken(self):
        raise ValueError("no children today")

    monkeypatch.setattr(ShellDocument, "children", broken)
    findings, notes = Engine(Config(), ".").check_source(Source("x.sh", "rm -rf /\npsql -c 'DROP TABLE t'\n", "shell"))
    assert [f.rule_id for f in findings] == ["SH301"]
    (note,) = notes
    assert note.kind == "internal-error" and "no children today" in note.message and note.region.start_line == 1


def test_internal_error_exits_2_after_reporting(monkeypatch, tmp_path, capsys):
    rules = registry.rules_for("sql")
    broken = rules[0].replace(check=lambda stmt, doc: 1 / 0)
    monkeypatch.setattr(registry, "rules_for", lambda language: (broken, *rules[1:]))
    (tmp_path / "a.sql").write_text("TRUNCATE t;\n")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "a.sql"]) == 2
    captured = capsys.readouterr()
    assert "SQL201 error TRUNCATE empties t" not in captured.out  # the file's check was aborted …
    assert "a.sql: error: internal error while checking this file (ZeroDivisionError" in captured.err
    assert "Traceback" not in captured.err


@pytest.mark.parametrize("text", ["", "   \n", ";;;", "-- only a comment", "/* unterminated", "'", "$$", "(((", "\x0c"])
def test_degenerate_inputs_do_not_crash(text):
    findings, notes = Engine(Config(), ".").check_source(Source("x.sql", text, "sql"))
    assert all(n.kind != "internal-error" for n in notes)


FRAGMENTS = [
    "DELETE",
    "FROM",
    "users",
    "WHERE",
    "1=1",
    "(",
    ")",
    ";",
    "'",
    '"',
    "`",
    "$$",
    "$a$",
    "--",
    "/*",
    "*/",
    "#",
    "\n",
    "UPDATE",
    "SET",
    "x",
    "=",
    "NULL",
    "IS",
    "NOT",
    "AND",
    "OR",
    "DROP",
    "TABLE",
    "TRUNCATE",
    "CASCADE",
    "EXPLAIN",
    "ANALYZE",
    "WITH",
    "AS",
    "SELECT",
    "INTO",
    "MERGE",
    "USING",
    "ON",
    "WHEN",
    "MATCHED",
    "THEN",
    "BY",
    "SOURCE",
    "LIMIT",
    "ORDER",
    "GRANT",
    "ALL",
    "ALTER",
    "COLUMN",
    "DO",
    "\\c",
    "blastguard: ignore[SQL101] why",
    "$1",
    "?",
    "%s",
    ":id",
    "E'\\''",
    "ü",
    "\r\n",
    "PRAGMA",
    "::",
    "@@",
    "foreign_keys",
    "OFF",
    "SUPERUSER",
    "DISABLE",
    "TRIGGER",
    "RETURNING",
    "*",
    ",",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40))
def test_random_sql_shaped_input_never_crashes_the_engine(fragments):
    findings, notes = _ENGINE.check_source(Source("x.sql", " ".join(fragments), "sql"))
    assert [n.message for n in notes if n.kind == "internal-error"] == []
    for finding in findings:
        assert 1 <= finding.region.start_line <= finding.region.end_line
        assert finding.region.start_column >= 1 and finding.region.end_column >= 1


_ENGINE = Engine(Config(), ".")


def test_a_crash_in_embedded_content_keeps_the_host_findings(monkeypatch):
    hcl = (
        'resource "aws_s3_bucket" "b" {\n  force_destroy = true\n  provisioner "local-exec" {\n'
        '    command = "make clean"\n  }\n}\n'
    )
    real_frontend = registry.frontend_class

    def failing(language):
        if language == "shell":
            raise RuntimeError("shell pack broken")
        return real_frontend(language)

    monkeypatch.setattr(registry, "frontend_class", failing)
    findings, notes = Engine(Config(), ".").check_source(Source("main.tf", hcl, "terraform"))
    assert [f.rule_id for f in findings] == ["TF104"]
    (note,) = notes
    assert note.kind == "internal-error" and "shell embedded here (RuntimeError: shell pack broken)" in note.message
    assert note.region.start_line == 4
