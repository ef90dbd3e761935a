"""The command line's habits, as users of ruff and sqlfluff expect them, and texts that must say what is true."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import blastguard
from conftest import err, json_out, out, run_cli

DELETE_ALL = "DELETE FROM users;\n"
DROP = "DROP TABLE audit;\n"
CLEAN = "SELECT id FROM users WHERE last_login IS NULL;\n"
ROOT = Path(__file__).resolve().parent.parent


def _two_findings(project):
    (project / "a.sql").write_text(DELETE_ALL + DELETE_ALL)
    (project / "b.sql").write_text(DROP)


# --- options ---------------------------------------------------------------------------------------------------


def test_version_has_a_short_flag():
    for flag in ("--version", "-V"):
        result = run_cli(flag)
        assert result.returncode == 0
        assert out(result) == f"blastguard {blastguard.__version__}\n"


def test_quiet_prints_the_findings_without_the_summary_or_notes(project):
    _two_findings(project)
    (project / "notes.txt").write_text("hello\n")
    loud = run_cli("check", ".", cwd=project)
    quiet = run_cli("check", ".", "-q", cwd=project)
    assert quiet.returncode == loud.returncode == 1
    assert "Found 3 findings" in out(loud)
    assert out(quiet) == out(loud).replace("Found 3 findings: 3 errors (2 files checked).\n", "")
    assert "SQL202" in out(quiet) and "Found" not in out(quiet)
    assert run_cli("check", "--quiet", "b.sql", cwd=project).stdout.decode().count("\n") == 4  # one finding


def test_quiet_still_reports_what_could_not_be_read(project):
    (project / "broken.sql").write_bytes(b"\x00\x01binary")
    result = run_cli("check", "broken.sql", "-q", cwd=project)
    # a file blastguard reads that is not text is a finding (BG005), which quiet output keeps
    assert result.returncode == 1 and "broken.sql:1:1: BG005 warning" in out(result)


def test_statistics_counts_findings_per_rule_most_first(project):
    _two_findings(project)
    result = run_cli("check", ".", "--statistics", cwd=project)
    assert result.returncode == 1
    assert out(result).splitlines() == ["2  SQL101  unbounded-delete (error)", "1  SQL202  drop-table (error)"]
    as_json = json_out(run_cli("check", ".", "--statistics", "--format", "json", cwd=project))
    assert [(e["count"], e["code"]) for e in as_json] == [(2, "SQL101"), (1, "SQL202")]
    refused = run_cli("check", ".", "--statistics", "--format", "sarif", cwd=project)
    assert refused.returncode == 2 and "--statistics" in err(refused)


def test_exit_zero_reports_but_passes(project):
    _two_findings(project)
    result = run_cli("check", ".", "--exit-zero", cwd=project)
    assert result.returncode == 0
    assert "SQL101" in out(result)


def test_exit_zero_does_not_hide_a_usage_error(project):
    result = run_cli("check", "missing.sql", "--exit-zero", cwd=project)
    assert result.returncode == 2


def test_output_format_is_an_alias_of_format(project):
    _two_findings(project)
    aliased = run_cli("check", ".", "--output-format", "json", cwd=project)
    plain = run_cli("check", ".", "--format", "json", cwd=project)
    assert json_out(aliased)["findings"] == json_out(plain)["findings"] != []


def test_show_files_lists_files_and_languages_without_checking(project):
    _two_findings(project)
    (project / "deploy.sh").write_text("#!/bin/sh\nrm -rf /\n")
    (project / "notes.txt").write_text("hello\n")
    result = run_cli("check", ".", "--show-files", cwd=project)
    assert result.returncode == 0  # nothing was checked, so the findings do not count
    assert sorted(out(result).splitlines()) == ["a.sql: sql", "b.sql: sql", "deploy.sh: shell"]
    assert "3 files would be checked" in err(result)
    one = run_cli("check", "b.sql", "--show-files", cwd=project)
    assert "1 file would be checked" in err(one)


def test_show_files_honours_excludes(project):
    _two_findings(project)
    (project / "blastguard.toml").write_text('exclude = ["b.sql"]\n')
    listed = out(run_cli("check", ".", "--show-files", cwd=project)).splitlines()
    assert listed == ["a.sql: sql"]


def test_jobs_sets_the_number_of_workers_and_each_file_still_runs_in_a_worker(project, monkeypatch, capsys):
    from blastguard import isolation
    from blastguard.interfaces import cli

    for i in range(12):
        (project / f"m{i}.sql").write_text(DELETE_ALL)
    calls = []
    real_run = isolation.run

    def recording_run(function, items, workers):
        calls.append((len(items), workers))
        return real_run(function, items, workers)

    monkeypatch.setattr(isolation, "run", recording_run)
    monkeypatch.chdir(project)
    assert cli.main(["check", ".", "--jobs", "3", "-q"]) == 1
    assert cli.main(["check", ".", "-j", "1", "-q"]) == 1
    assert calls == [(12, 3), (12, 1)]  # one worker still forks: a crash costs only its file
    assert capsys.readouterr().out.count("SQL101") == 24


def test_jobs_must_be_a_positive_number(project):
    for value in ("0", "-2", "many"):
        result = run_cli("check", ".", "--jobs", value, cwd=project)
        assert result.returncode == 2 and "--jobs" in err(result)


def test_a_crash_costs_only_its_file_with_one_job(project, monkeypatch):
    import os
    import signal

    from blastguard.api import Session
    from blastguard.config import Config
    from blastguard.engine import Engine

    (project / "a.sql").write_text(DELETE_ALL)
    (project / "b.sql").write_text(DROP)
    real_check = Engine.check_source

    def crash_on_a(self, source, fs_path=None):
        if source.path.endswith("a.sql"):
            os.kill(os.getpid(), signal.SIGSEGV)
        return real_check(self, source, fs_path)

    monkeypatch.setattr(Engine, "check_source", crash_on_a)
    session = Session.for_paths([str(project)], Config(root=str(project)), jobs=1)
    report = session.scan([str(project / "a.sql"), str(project / "b.sql")])
    assert {f.rule_id for f in report.findings} == {"BG005", "SQL202"}


def test_repeated_select_accumulates(project):
    _two_findings(project)
    result = run_cli("check", ".", "--select", "SQL101", "--select", "SQL202", "--format", "json", cwd=project)
    assert {f["rule_id"] for f in json_out(result)["findings"]} == {"SQL101", "SQL202"}
    one = run_cli("check", ".", "--select", "SQL202", "--format", "json", cwd=project)
    assert {f["rule_id"] for f in json_out(one)["findings"]} == {"SQL202"}


def test_selecting_and_ignoring_the_same_rule_warns(project):
    _two_findings(project)
    result = run_cli("check", ".", "--select", "SQL101,SQL202", "--ignore", "sql101", cwd=project)
    assert "blastguard: warning: SQL101 both selected and ignored: ignored" in err(result)
    assert "SQL101" not in out(result) and "SQL202" in out(result)
    assert "warning" not in err(run_cli("check", ".", "--select", "SQL101", "--ignore", "SQL202", cwd=project))
    failed = run_cli("check", "missing.sql", "--select", "SQL101", "--ignore", "SQL101", cwd=project)
    assert failed.returncode == 2 and err(failed).count("\n") == 1  # a usage error stays one line


def test_unknown_configuration_key_suggests_the_close_one(project):
    (project / "blastguard.toml").write_text('selct = ["SQL"]\n')
    (project / "a.sql").write_text(CLEAN)
    result = run_cli("check", ".", cwd=project)
    assert result.returncode == 2
    line = err(result)
    assert line.startswith("blastguard: error: ") and "unknown key 'selct' (known keys: audit-log," in line
    assert line.endswith("; did you mean 'select'?\n")


def test_unknown_configuration_key_far_from_any_gets_the_list_only(project):
    (project / "blastguard.toml").write_text("zzzzzz = 1\n")
    result = run_cli("check", ".", cwd=project)
    assert result.returncode == 2 and "did you mean" not in err(result) and "(known keys: " in err(result)


def test_unknown_sql_dialect_suggests_the_close_one(project):
    (project / "a.sql").write_text(CLEAN)
    result = run_cli("check", ".", "--sql-dialect", "postgress", cwd=project)
    assert result.returncode == 2
    assert "unknown SQL dialect 'postgress' (known: " in err(result)
    assert "; did you mean 'postgres'?" in err(result)
    assert "mysql" in err(result) and "''" not in err(result)
    (project / "blastguard.toml").write_text('sql-dialect = "snowflak"\n')
    configured = run_cli("check", ".", cwd=project)
    assert configured.returncode == 2 and "did you mean 'snowflake'?" in err(configured)


def test_rules_filters_by_prefix_and_name():
    listed = out(run_cli("rules", "SQL1"))
    ids = [line.split()[0] for line in listed.splitlines()]
    assert ids and all(i.startswith("SQL1") for i in ids) and "SQL101" in ids
    by_name = out(run_cli("rules", "drop-table", "--format", "json"))
    assert [r["id"] for r in json.loads(by_name)] == ["SQL202"]
    unknown = run_cli("rules", "NOPE9")
    assert unknown.returncode == 2 and "no rule matches NOPE9" in err(unknown)


def test_hook_print_config_is_json_alone_on_stdout(project):
    result = run_cli("hook", "--print-config", "claude", cwd=project)
    assert result.returncode == 0
    json.loads(out(result))  # nothing but JSON
    assert err(result).startswith("Add to .claude/settings.json")


def test_force_color_colours_output_that_is_not_a_terminal(project):
    (project / "a.sql").write_text(DELETE_ALL)
    forced = run_cli("check", "a.sql", cwd=project, env={"NO_COLOR": "", "FORCE_COLOR": "1"})
    assert "\033[1;31merror\033[0m" in out(forced)
    plain = run_cli("check", "a.sql", cwd=project, env={"NO_COLOR": ""})
    assert "\033[" not in out(plain)
    no_color_wins = run_cli("check", "a.sql", cwd=project, env={"NO_COLOR": "1", "FORCE_COLOR": "1"})
    assert "\033[" not in out(no_color_wins)
    never = run_cli("check", "a.sql", "--color", "never", cwd=project, env={"NO_COLOR": "", "FORCE_COLOR": "1"})
    assert "\033[" not in out(never)


def test_init_writes_a_working_starter_configuration_and_prints_the_snippets(project):
    result = run_cli("init", cwd=project)
    assert result.returncode == 0, err(result)
    assert (project / "blastguard.toml").is_file()
    printed = out(result)
    assert "- id: blastguard" in printed and f"rev: v{blastguard.__version__}" in printed
    assert f"/blastguard@v{blastguard.__version__}" in printed
    (project / "a.sql").write_text(DELETE_ALL)
    checked = run_cli("check", ".", cwd=project)
    assert checked.returncode == 1 and "SQL101" in out(checked)  # the starter file is valid and strict


def test_init_never_overwrites_a_configuration(project):
    (project / "blastguard.toml").write_text("# mine\n")
    result = run_cli("init", cwd=project)
    assert result.returncode == 2
    assert err(result) == (
        "blastguard: error: blastguard.toml already exists; it was left unchanged (remove it to start over)\n"
    )
    assert (project / "blastguard.toml").read_text() == "# mine\n"


def test_counts_are_singular_for_one(project):
    (project / "a.sql").write_text(DELETE_ALL)
    result = run_cli("check", "a.sql", "--write-baseline", "base.json", cwd=project)
    assert "recorded 1 finding in base.json" in err(result)
    (project / "b.sql").write_text(DROP)
    two = run_cli("check", ".", "--write-baseline", "base.json", cwd=project)
    assert "recorded 2 findings in base.json" in err(two)


# --- texts that must say what is true ------------------------------------------------------------------------


def test_missing_reason_hint_names_the_rule_written(project):
    (project / "wipe.sh").write_text("rm -rf / # blastguard: ignore[SH301]\n")
    result = run_cli("check", "wipe.sh", "--format", "json", cwd=project)
    [hint] = [f["message"] for f in json_out(result)["findings"] if f["rule_id"] == "BG001"]
    assert "`blastguard: ignore[SH301] why`" in hint and "SQL101" not in hint


def test_force_exclude_says_the_file_was_excluded(project):
    (project / "blastguard.toml").write_text('exclude = ["legacy/"]\n')
    (project / "legacy").mkdir()
    (project / "legacy" / "old.sql").write_text(DELETE_ALL)
    result = run_cli("check", "legacy/old.sql", "--force-exclude", cwd=project)
    assert result.returncode == 0
    assert "excluded by the configuration (--force-exclude)" in err(result)
    assert "nothing under the given paths is a file type" not in err(result)


def test_help_describes_everything_it_reads():
    text = " ".join(out(run_cli("--help")).split())
    for language in ("SQL", "shell", "Terraform", "Python", "CI workflows"):
        assert language in text


def test_rule_and_rules_json_agree_on_the_language():
    listed = {r["id"]: r["language"] for r in json.loads(out(run_cli("rules", "--format", "json")))}
    for rule_id in ("BG001", "SQL101", "SH301"):
        header = out(run_cli("rule", rule_id)).splitlines()[0]
        assert header.endswith(f", {listed[rule_id]})"), (header, listed[rule_id])


def _readme_configuration() -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Configuration", 1)[1]
    return re.search(r"```toml\n(.*?)```", section, re.S).group(1)


def test_the_readme_configuration_example_works_when_pasted(project):
    (project / "pyproject.toml").write_text(_readme_configuration())
    (project / "report.sql").write_text(CLEAN)
    result = run_cli("check", ".", cwd=project)
    assert result.returncode == 0, err(result)


def test_a_configured_baseline_that_does_not_exist_is_a_clear_error(project):
    (project / "blastguard.toml").write_text('baseline = "blastguard-baseline.json"\n')
    (project / "report.sql").write_text(CLEAN)
    result = run_cli("check", ".", cwd=project)
    assert result.returncode == 2
    assert "blastguard-baseline.json does not exist (create it with --write-baseline)" in err(result)
    written = run_cli("check", ".", "--write-baseline", "blastguard-baseline.json", cwd=project)
    assert written.returncode == 0 and run_cli("check", ".", cwd=project).returncode == 0


@pytest.mark.parametrize(
    "test",
    [
        "tests/test_hook.py::test_a_check_that_crashes_answers_on_error_instead_of_killing_the_hook",
        "tests/test_native_crashes.py::test_each_dead_worker_costs_only_its_file",
    ],
)
def test_a_deliberate_crash_in_a_forked_check_prints_no_fatal_error_trace(test):
    """pytest enables faulthandler; the forked child that crashes must not print its trace (the parent
    reports the crash), or a passing run shows "Fatal Python error"."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "passed" in result.stdout
    assert "Fatal Python error" not in result.stdout + result.stderr


def test_a_patch_against_a_one_line_file_counts_one_line(project):
    (project / "a.sql").write_text("SELECT 1;\n")
    patch = "--- a/a.sql\n+++ b/a.sql\n@@ -1,2 +1,2 @@\n SELECT 1;\n-SELECT 2;\n+SELECT 3;\n"
    result = run_cli("check", "--diff-file", "-", stdin=patch, cwd=project)
    assert result.returncode == 2
    assert "the file has 1 line, the patch expects" in err(result), err(result)
