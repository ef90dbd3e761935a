"""Inline suppressions and the baseline, through the real CLI."""

import json

from conftest import err, json_out, out, run_cli


def _found(result):
    return [(f["rule_id"], f["region"]["start_line"]) for f in json_out(result)["findings"]]


def test_suppression_on_the_line_with_a_reason(project):
    (project / "a.sql").write_text("DELETE FROM scratch; -- blastguard: ignore[SQL101] rebuilt every hour\n")
    result = run_cli("check", "a.sql", cwd=project)
    assert result.returncode == 0, out(result)
    assert out(result) == "No findings (1 file checked; 1 suppressed).\n"


def test_suppression_on_the_line_before(project):
    (project / "a.sql").write_text("-- blastguard: ignore[unbounded-delete] scratch table\nDELETE FROM scratch;\n")
    assert run_cli("check", "a.sql", cwd=project).returncode == 0


def test_suppression_in_a_block_comment_and_for_several_rules(project):
    (project / "a.sql").write_text(
        "/* blastguard: ignore[SQL202, SQL205] the staging schema is rebuilt nightly */\n"
        "DROP TABLE staging.events CASCADE;\n"
    )
    assert run_cli("check", "a.sql", cwd=project).returncode == 0


def test_suppression_covers_a_multi_line_statement_from_inside(project):
    (project / "a.sql").write_text("DELETE\nFROM scratch -- blastguard: ignore[SQL101] scratch\n;\n")
    assert run_cli("check", "a.sql", cwd=project).returncode == 0


def test_suppression_does_not_reach_two_lines_down(project):
    (project / "a.sql").write_text("-- blastguard: ignore[SQL101] too far away\n\nDELETE FROM users;\n")
    assert _found(run_cli("check", "a.sql", "--format", "json", cwd=project)) == [("BG002", 1), ("SQL101", 3)]


def test_trailing_suppression_on_previous_statement_does_not_leak(project):
    (project / "a.sql").write_text("SELECT 1; -- blastguard: ignore[SQL101] meant for the SELECT\nDELETE FROM users;\n")
    assert _found(run_cli("check", "a.sql", "--format", "json", cwd=project)) == [("BG002", 1), ("SQL101", 2)]


def test_suppression_without_reason_is_reported_and_not_applied(project):
    (project / "a.sql").write_text("DELETE FROM users; -- blastguard: ignore[SQL101]\n")
    result = run_cli("check", "a.sql", "--format", "json", cwd=project)
    assert _found(result) == [("SQL101", 1), ("BG001", 1)]
    bg001 = json_out(result)["findings"][1]
    assert bg001["message"].startswith("Suppression of SQL101 has no reason, so it is not applied.")
    assert bg001["region"]["start_column"] == 20


def test_suppression_of_unknown_rule_is_reported(project):
    (project / "a.sql").write_text("DELETE FROM users; -- blastguard: ignore[SQL1O1] typo\n")
    result = run_cli("check", "a.sql", "--format", "json", cwd=project)
    assert _found(result) == [("SQL101", 1), ("BG001", 1)]
    assert "unknown rule (SQL1O1)" in json_out(result)["findings"][1]["message"]


def test_malformed_suppression_is_reported(project):
    (project / "a.sql").write_text("-- blastguard: ignore everything please\nSELECT 1;\n")
    assert _found(run_cli("check", "a.sql", "--format", "json", cwd=project)) == [("BG001", 1)]


def test_unused_suppression_is_reported(project):
    (project / "a.sql").write_text("DELETE FROM users WHERE id = 1; -- blastguard: ignore[SQL101] old excuse\n")
    result = run_cli("check", "a.sql", cwd=project)
    assert result.returncode == 1
    assert "a.sql:1:33: BG002 warning Suppression of SQL101 suppresses nothing here." in out(result)


def test_suppression_for_a_disabled_rule_is_not_unused(project):
    (project / "a.sql").write_text("SELECT 1; -- blastguard: ignore[SQL101] kept for later\n")
    assert run_cli("check", "a.sql", "--ignore", "SQL101", cwd=project).returncode == 0


def test_text_inside_a_string_is_not_a_suppression(project):
    (project / "a.sql").write_text("DELETE FROM users; SELECT '-- blastguard: ignore[SQL101] not a comment';\n")
    assert _found(run_cli("check", "a.sql", "--format", "json", cwd=project)) == [("SQL101", 1)]


def test_include_suppressed_shows_them_marked(project):
    (project / "a.sql").write_text("DELETE FROM scratch; -- blastguard: ignore[SQL101] rebuilt hourly\n")
    result = run_cli("check", "a.sql", "--include-suppressed", cwd=project)
    assert result.returncode == 0
    assert "SQL101 error DELETE from scratch" in out(result)
    assert "[suppressed: rebuilt hourly]" in out(result)
    data = json_out(run_cli("check", "a.sql", "--format", "json", "--include-suppressed", cwd=project))
    assert data["findings"][0]["suppression"] == {"kind": "inSource", "justification": "rebuilt hourly"}


# --- baseline ----------------------------------------------------------------------------------


def test_baseline_reports_only_new_findings_and_survives_edits_above(project):
    sql = project / "db.sql"
    sql.write_text("DELETE FROM users;\nTRUNCATE audit;\n")
    written = run_cli("check", ".", "--write-baseline", "baseline.json", cwd=project)
    assert written.returncode == 0
    assert err(written) == "blastguard: recorded 2 findings in baseline.json\n"
    recorded = json.loads((project / "baseline.json").read_text())
    assert recorded["version"] == 1 and len(recorded["findings"]) == 2

    assert run_cli("check", ".", "--baseline", "baseline.json", cwd=project).returncode == 0
    # Lines added above move the old findings; they stay known. The new one is reported.
    sql.write_text("-- header\n\nSELECT 1;\nDELETE FROM users;\nTRUNCATE audit;\nDROP TABLE orders;\n")
    result = run_cli("check", ".", "--baseline", "baseline.json", "--format", "json", cwd=project)
    assert result.returncode == 1
    assert _found(result) == [("SQL202", 6)]
    assert json_out(result)["summary"]["suppressed"] == 2


def test_baseline_counts_identical_findings(project):
    sql = project / "db.sql"
    sql.write_text("DELETE FROM users;\n")
    run_cli("check", ".", "--write-baseline", "b.json", cwd=project)
    sql.write_text("DELETE FROM users;\nDELETE FROM users;\n")
    assert len(_found(run_cli("check", ".", "--baseline", "b.json", "--format", "json", cwd=project))) == 1


def test_changing_the_offending_text_makes_it_new(project):
    sql = project / "db.sql"
    sql.write_text("DELETE FROM users;\n")
    run_cli("check", ".", "--write-baseline", "b.json", cwd=project)
    sql.write_text("DELETE FROM customers;\n")
    assert run_cli("check", ".", "--baseline", "b.json", cwd=project).returncode == 1


def test_baseline_from_config(project):
    (project / "db.sql").write_text("DELETE FROM users;\n")
    (project / "ci").mkdir()
    run_cli("check", ".", "--write-baseline", "ci/baseline.json", cwd=project)
    (project / "blastguard.toml").write_text('baseline = "ci/baseline.json"\n')
    assert run_cli("check", ".", cwd=project).returncode == 0
    # Writing a new baseline ignores the configured one, so it records everything.
    run_cli("check", ".", "--write-baseline", "ci/again.json", cwd=project)
    assert len(json.loads((project / "ci" / "again.json").read_text())["findings"]) == 1


def test_bad_baseline_files_are_errors(project):
    (project / "db.sql").write_text("DELETE FROM users;\n")
    missing = run_cli("check", ".", "--baseline", "none.json", cwd=project)
    assert missing.returncode == 2
    assert err(missing) == "blastguard: error: baseline none.json does not exist (create it with --write-baseline)\n"
    (project / "bad.json").write_text("{not json")
    broken = run_cli("check", ".", "--baseline", "bad.json", cwd=project)
    assert broken.returncode == 2
    assert err(broken).startswith("blastguard: error: baseline bad.json is not valid JSON")
    (project / "other.json").write_text('{"version": 7, "findings": []}')
    other = run_cli("check", ".", "--baseline", "other.json", cwd=project)
    assert err(other) == "blastguard: error: baseline other.json is not a blastguard baseline (version 1)\n"
