"""The command line as a user meets it: exit codes, stdin, formats, errors, file discovery."""

import json

from conftest import err, json_out, out, run_cli

DELETE_ALL = "DELETE FROM users;\n"
CLEAN = "SELECT id FROM users WHERE last_login IS NULL;\n"


def test_finding_exits_1_with_location_and_rule(project):
    (project / "cleanup.sql").write_text("-- purge\n" + DELETE_ALL)
    result = run_cli("check", "cleanup.sql", cwd=project)
    assert result.returncode == 1
    first = out(result).splitlines()[0]
    assert first.startswith("cleanup.sql:2:1: SQL101 error DELETE from users has no WHERE clause")
    assert "2 | DELETE FROM users;" in out(result)
    assert "  | ^^^^^^^^^^^^^^^^^" in out(result)
    assert out(result).rstrip().endswith("Found 1 finding: 1 error (1 file checked).")


def test_clean_file_exits_0(project):
    (project / "report.sql").write_text(CLEAN)
    result = run_cli("check", "report.sql", cwd=project)
    assert result.returncode == 0, out(result)
    assert out(result) == "No findings (1 file checked).\n"


def test_default_path_is_the_working_directory(project):
    (project / "a.sql").write_text(DELETE_ALL)
    result = run_cli("check", cwd=project)
    assert result.returncode == 1
    assert out(result).startswith("a.sql:1:1: SQL101")


def test_stdin_with_stdin_filename(project):
    result = run_cli("check", "-", "--stdin-filename", "db/purge.sql", stdin=DELETE_ALL, cwd=project)
    assert result.returncode == 1
    assert out(result).startswith("db/purge.sql:1:1: SQL101 error")


def test_stdin_without_name_is_sniffed_as_sql(project):
    result = run_cli("check", "-", stdin="  -- x\nTRUNCATE audit;\n", cwd=project)
    assert result.returncode == 1
    assert out(result).startswith("<stdin>:2:1: SQL201 error")


def test_stdin_of_unknown_language_is_a_usage_error(project):
    result = run_cli("check", "-", stdin="hello world\n", cwd=project)
    assert result.returncode == 2
    assert err(result) == (
        "blastguard: error: cannot tell the language of stdin (it did not look like SQL); "
        "pass --stdin-filename NAME.sql\n"
    )
    result = run_cli("check", "-", "--stdin-filename", "notes.txt", stdin="hello world\n", cwd=project)
    assert result.returncode == 2
    assert "'notes.txt' has no extension blastguard knows" in err(result)


def test_stdin_name_decides_its_language_as_a_file_name_would(project):
    # One policy (sources.detect_language): a name that blastguard does not read is not read by its
    # content either, on stdin as in a folder scan; without a name, the content decides.
    result = run_cli("check", "-", "--stdin-filename", "notes.txt", stdin=DELETE_ALL, cwd=project)
    assert result.returncode == 2
    assert "'notes.txt' has no extension blastguard knows" in err(result)
    result = run_cli("check", "-", "--stdin-filename", "notes.sql", stdin=DELETE_ALL, cwd=project)
    assert result.returncode == 1
    assert out(result).startswith("notes.sql:1:1: SQL101")


def test_fail_on_levels(project):
    (project / "w.sql").write_text("DELETE FROM users WHERE last_login IS NULL;\n")  # a warning
    assert run_cli("check", "w.sql", cwd=project).returncode == 1
    assert run_cli("check", "w.sql", "--fail-on", "error", cwd=project).returncode == 0
    assert run_cli("check", "w.sql", "--fail-on", "note", cwd=project).returncode == 1
    assert run_cli("check", "w.sql", "--fail-on", "never", cwd=project).returncode == 0
    (project / "e.sql").write_text(DELETE_ALL)
    assert run_cli("check", "e.sql", "--fail-on", "error", cwd=project).returncode == 1


def test_missing_path_is_a_usage_error(project):
    result = run_cli("check", "nope.sql", cwd=project)
    assert result.returncode == 2
    assert err(result) == "blastguard: error: nope.sql: no such file or directory\n"


def test_bad_option_is_one_line_exit_2(project):
    result = run_cli("check", "--frmat", "json", cwd=project)
    assert result.returncode == 2
    assert len(err(result).strip().splitlines()) == 1
    assert err(result).startswith("blastguard: error: unrecognized arguments: --frmat")
    result = run_cli("check", "--format", "xml", cwd=project)
    assert result.returncode == 2
    assert "invalid choice: 'xml'" in err(result)
    assert "Traceback" not in err(result)


def test_unknown_dialect_is_a_usage_error(project):
    (project / "a.sql").write_text(CLEAN)
    result = run_cli("check", "a.sql", "--sql-dialect", "postgress", cwd=project)
    assert result.returncode == 2
    assert err(result).startswith("blastguard: error: unknown SQL dialect 'postgress' (known: athena, auto,")
    assert err(result).endswith("; did you mean 'postgres'?\n")
    assert err(result).count("\n") == 1


def test_explicit_dialect(project):
    (project / "a.sql").write_text("DELETE FROM `users`;\n")
    result = run_cli("check", "a.sql", "--sql-dialect", "mysql", cwd=project)
    assert result.returncode == 1
    assert "SQL101" in out(result)


def test_output_file(project):
    (project / "a.sql").write_text(DELETE_ALL)
    result = run_cli("check", "a.sql", "--format", "json", "--output", "report.json", cwd=project)
    assert result.returncode == 1
    assert out(result) == ""
    report = json.loads((project / "report.json").read_text())
    assert [f["rule_id"] for f in report["findings"]] == ["SQL101"]


def test_unwritable_output_is_an_error(project):
    (project / "a.sql").write_text(DELETE_ALL)
    result = run_cli("check", "a.sql", "--output", "missing-dir/report.txt", cwd=project)
    assert result.returncode == 2
    assert err(result).startswith("blastguard: error: cannot write missing-dir/report.txt:")


def test_python_dash_m_and_version(project):
    result = run_cli("--version", cwd=project)
    assert result.returncode == 0
    assert out(result).startswith("blastguard ")


def test_select_and_ignore_options(project):
    (project / "a.sql").write_text(DELETE_ALL + "TRUNCATE audit;\n")
    only = json_out(run_cli("check", "a.sql", "--format", "json", "--select", "SQL2", cwd=project))
    assert [f["rule_id"] for f in only["findings"]] == ["SQL201"]
    ignored = json_out(run_cli("check", "a.sql", "--format", "json", "--ignore", "unbounded-delete", cwd=project))
    assert [f["rule_id"] for f in ignored["findings"]] == ["SQL201"]
    bad = run_cli("check", "a.sql", "--select", "SQL999", cwd=project)
    assert bad.returncode == 2
    assert err(bad) == "blastguard: error: 'SQL999' names no rule (see `blastguard rules`)\n"


def test_rules_and_rule_commands(project):
    listing = run_cli("rules", cwd=project)
    assert listing.returncode == 0
    assert "SQL101  unbounded-delete" in out(listing)
    doc = run_cli("rule", "SQL104", cwd=project)
    assert doc.returncode == 0
    text = out(doc)
    assert text.startswith("SQL104 null-only-predicate (warning, sql)")
    assert "DELETE FROM users WHERE last_login IS NULL;" in text
    assert "Not flagged:" in text
    by_name = run_cli("rule", "null-only-predicate", cwd=project)
    assert out(by_name) == text
    missing = run_cli("rule", "SQL999", cwd=project)
    assert missing.returncode == 2
    assert err(missing) == "blastguard: error: no rule 'SQL999' (see `blastguard rules`)\n"


def test_no_command_prints_help_and_exits_2(project):
    result = run_cli(cwd=project)
    assert result.returncode == 2
    assert "check" in out(result)


# --- discovery ---------------------------------------------------------------------------------


def test_discovery_respects_gitignore_and_default_excludes(project):
    files = {
        "db/a.sql": DELETE_ALL,
        "node_modules/pkg/x.sql": DELETE_ALL,
        ".venv/lib/x.sql": DELETE_ALL,
        "env2/pyvenv.cfg": "home = /usr\n",
        "env2/lib/x.sql": DELETE_ALL,
        "build/x.sql": DELETE_ALL,
        "generated/x.sql": DELETE_ALL,
        "db/local.sql": DELETE_ALL,
        ".github/sql/ci.sql": DELETE_ALL,
        "notes.txt": "DELETE FROM users;",
    }
    for name, text in files.items():
        path = project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (project / ".gitignore").write_text("generated/\n")
    (project / "db" / ".gitignore").write_text("local.sql\n")
    report = json_out(run_cli("check", ".", "--format", "json", cwd=project))
    assert sorted(f["path"] for f in report["findings"]) == [".github/sql/ci.sql", "db/a.sql"]
    assert report["summary"]["files_checked"] == 2


def test_gitignore_above_the_scanned_folder_applies(project):
    (project / ".gitignore").write_text("*.local.sql\n")
    (project / "db").mkdir()
    (project / "db" / "x.local.sql").write_text(DELETE_ALL)
    (project / "db" / "y.sql").write_text(DELETE_ALL)
    report = json_out(run_cli("check", "db", "--format", "json", cwd=project))
    assert [f["path"] for f in report["findings"]] == ["db/y.sql"]


def test_an_ignored_folder_named_explicitly_is_scanned(project):
    (project / ".gitignore").write_text("/out/\n")
    (project / "out" / "corpus").mkdir(parents=True)
    (project / "out" / "corpus" / "a.sql").write_text(DELETE_ALL)
    assert run_cli("check", ".", cwd=project).returncode == 0
    result = run_cli("check", "out/corpus", cwd=project)
    assert result.returncode == 1
    assert out(result).startswith("out/corpus/a.sql:1:1: SQL101")


def test_nothing_to_check_is_said_on_stderr(project):
    (project / "notes.md").write_text("# nothing here\n")
    result = run_cli("check", ".", cwd=project)
    assert result.returncode == 0
    assert err(result) == (
        "blastguard: warning: no files to check: nothing under the given paths is a file type blastguard reads\n"
    )


def test_explicit_file_is_checked_even_if_ignored_unless_force_exclude(project):
    (project / "blastguard.toml").write_text('exclude = ["legacy/"]\n')
    (project / "legacy").mkdir()
    (project / "legacy" / "old.sql").write_text(DELETE_ALL)
    assert run_cli("check", ".", cwd=project).returncode == 0
    assert run_cli("check", "legacy/old.sql", cwd=project).returncode == 1
    assert run_cli("check", "legacy/old.sql", "--force-exclude", cwd=project).returncode == 0


def test_explicit_file_is_read_as_a_folder_scan_reads_it(project):
    # Named or found in a folder, a file gets the same language (sources.detect_language): by its name,
    # and by its content only when the name has no extension (a script's `#!` line).
    (project / "query.txt").write_text(DELETE_ALL)
    (project / "readme.txt").write_text("just words\n")
    (project / "cleanup").write_text("#!/bin/sh\nterraform destroy -auto-approve\n")
    result = run_cli("check", "query.txt", "readme.txt", "cleanup", cwd=project)
    assert result.returncode == 1
    assert out(result).startswith("cleanup:2:1: SH101")
    assert "query.txt: note: Skipped: not a file type blastguard reads." in err(result)
    assert "readme.txt: note: Skipped: not a file type blastguard reads." in err(result)


# --- bad input ---------------------------------------------------------------------------------


def test_bom_is_handled_and_columns_ignore_it(project):
    (project / "bom.sql").write_bytes(b"\xef\xbb\xbfDELETE FROM users;\n")
    result = run_cli("check", "bom.sql", "--format", "json", cwd=project)
    finding = json_out(result)["findings"][0]
    assert finding["region"] == {"start_line": 1, "start_column": 1, "end_line": 1, "end_column": 18}


def test_binary_files_are_not_checked_findings_latin1_is_read_and_oversized_is_skipped(project):
    (project / "bin.sql").write_bytes(b"DELETE\x00\x01\x02 FROM users;")
    (project / "latin1.sql").write_bytes("-- caf\xe9\nDELETE FROM users;\n".encode("latin-1"))
    (project / "huge.sql").write_text("SELECT 1;\n" * 200_000)  # about 2 MB
    (project / "ok.sql").write_text(DELETE_ALL)
    result = run_cli("check", ".", cwd=project)
    assert result.returncode == 1
    lines = out(result).splitlines()
    assert lines[0].startswith("bin.sql:1:1: BG005 warning This file was not checked: its bytes are not text")
    assert any(line.startswith("latin1.sql:2:1: SQL101") for line in lines)
    assert any(line.startswith("ok.sql:1:1: SQL101") for line in lines)
    notices = err(result)
    assert "bin.sql" not in notices and "latin1.sql" not in notices
    assert "huge.sql: warning: Skipped: larger than the 1048576-byte limit (2000000 bytes)." in notices
    assert "Traceback" not in notices


def test_max_file_size_is_configurable(project):
    (project / "blastguard.toml").write_text("max-file-size = 5000000\n")
    (project / "huge.sql").write_text("SELECT 1;\n" * 200_000 + DELETE_ALL)
    result = run_cli("check", ".", cwd=project)
    assert result.returncode == 1
    assert out(result).startswith("huge.sql:200001:1: SQL101")


def test_unparsable_sql_is_a_notification_and_still_checked(project):
    (project / "broken.sql").write_text(
        "UPDATE users SET WHERE (;\nDELETE FROM users RETURNING;\nSELECT FROM WHERE (;\nSELECT 1;\n"
    )
    result = run_cli("check", "broken.sql", cwd=project)
    assert result.returncode == 1
    assert "broken.sql:2:1: SQL101 error DELETE FROM users has no WHERE clause" in out(result)
    notices = err(result).splitlines()
    assert notices[0].startswith("broken.sql:1:1: warning: Statement could not be parsed")
    assert notices[1].startswith("broken.sql:2:1: warning: Statement could not be parsed")
    # A broken statement with nothing any rule looks for is not parsed, so it raises no notice.
    assert len(notices) == 2


def test_crlf_positions(project):
    (project / "win.sql").write_bytes(b"SELECT 1;\r\n\r\n  DELETE FROM users;\r\n")
    finding = json_out(run_cli("check", "win.sql", "--format", "json", cwd=project))["findings"][0]
    assert finding["region"] == {"start_line": 3, "start_column": 3, "end_line": 3, "end_column": 20}


def test_colour_only_when_asked_or_on_a_terminal(project):
    (project / "a.sql").write_text(DELETE_ALL)
    plain = out(run_cli("check", "a.sql", cwd=project))  # stdout is a pipe here
    assert "\033[" not in plain
    coloured = out(run_cli("check", "a.sql", "--color", "always", cwd=project))
    assert "\033[1;31merror\033[0m" in coloured
