"""Test code: findings in a test suite are notes in repository checks, unless production evidence is
present; `test-code = "report"` and `test-paths` change that; what an agent runs or writes never is."""

import pytest

from blastguard.api import check_text
from blastguard.config import Config, ConfigError, parse_table
from blastguard.context import Context
from blastguard.model import Severity
from conftest import json_out, run_cli
from hook_calls import bash, call

DELETE_ALL = "DELETE FROM users;\n"
PYTHON_DELETE = 'def test_reset(db):\n    db.execute("DELETE FROM users")\n'


def _levels(filename, text, config=None, context=None):
    return [(f.rule_id, f.severity) for f in check_text(text, filename=filename, config=config, context=context)]


@pytest.mark.parametrize(
    "filename",
    [
        "tests/cleanup.sql",
        "src/app/tests/helpers.py",
        "test/reset.sql",
        "app/test_models.py",
        "app/models_test.py",
        "conftest.py",
        "pkg/testdata/seed.sql",
    ],
)
def test_a_delete_in_test_code_is_a_note_that_says_why(filename, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = PYTHON_DELETE if filename.endswith(".py") else DELETE_ALL
    [finding] = check_text(text, filename=filename)
    assert (finding.rule_id, finding.severity) == ("SQL101", Severity.NOTE)
    assert finding.message.endswith(
        "It is in test code, which runs against test data, so it is a note (see `test-code`)."
    )


@pytest.mark.parametrize(
    "filename", ["app/cleanup.sql", "app/models.py", "contest.py", "latest/reset.sql", "app/testing_tools.py"]
)
def test_the_same_delete_outside_test_code_stays_an_error(filename, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = PYTHON_DELETE if filename.endswith(".py") else DELETE_ALL
    assert _levels(filename, text) == [("SQL101", Severity.ERROR)]


def test_production_evidence_keeps_a_test_finding_at_its_level(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    command = 'kubectl --context prod exec web -- sh -c "ls /data | xargs rm -rf"\n'
    [finding] = [f for f in check_text(command, filename="tests/teardown.sh") if f.rule_id == "SH301"]
    assert finding.severity == Severity.ERROR
    [staging] = [
        f for f in check_text(command.replace("prod", "staging"), filename="tests/teardown.sh") if f.rule_id == "SH301"
    ]
    assert staging.severity == Severity.NOTE


def test_report_treats_test_code_like_any_other(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = parse_table({"test-code": "report"}, None, str(tmp_path))
    assert _levels("tests/cleanup.sql", DELETE_ALL, config) == [("SQL101", Severity.ERROR)]


def test_test_paths_replace_the_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = parse_table({"test-paths": ["qa/"]}, None, str(tmp_path))
    assert _levels("qa/cleanup.sql", DELETE_ALL, config) == [("SQL101", Severity.NOTE)]
    assert _levels("tests/cleanup.sql", DELETE_ALL, config) == [("SQL101", Severity.ERROR)]


def test_an_agents_content_is_never_test_code(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert _levels("tests/cleanup.sql", DELETE_ALL, context=Context(agent=True)) == [("SQL101", Severity.ERROR)]


def test_a_folder_above_the_project_root_does_not_make_it_test_code(tmp_path):
    checkout = tmp_path / "test" / "app"
    checkout.mkdir(parents=True)
    (checkout / ".git").mkdir()
    (checkout / "reset.sql").write_text(DELETE_ALL)
    result = run_cli("check", ".", "--format", "json", cwd=checkout)
    assert [(f["rule_id"], f["severity"]) for f in json_out(result)["findings"]] == [("SQL101", "error")]
    assert result.returncode == 1


def test_a_repository_check_passes_with_test_notes_and_fails_on_the_twin(project):
    (project / "tests").mkdir()
    (project / "tests" / "reset.sql").write_text(DELETE_ALL)
    assert run_cli("check", ".", cwd=project).returncode == 0
    (project / "reset.sql").write_text(DELETE_ALL)
    assert run_cli("check", ".", cwd=project).returncode == 1


def test_a_bad_test_code_value_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="'test-code' must be one of note, report, not 'skip'"):
        parse_table({"test-code": "skip"}, None, str(tmp_path))
    with pytest.raises(ConfigError, match="'test-paths' must be a list of strings"):
        parse_table({"test-paths": "tests/"}, None, str(tmp_path))


def test_the_hook_asks_for_a_destructive_test_file_an_agent_writes(tmp_path):
    answer = call(
        "Write", {"file_path": str(tmp_path / "tests" / "test_x.py"), "content": PYTHON_DELETE}, tmp_path, tmp_path
    )
    assert answer.decision in ("ask", "deny"), answer
    assert "test code" not in answer.reason


def test_the_hook_asks_for_a_destructive_sql_file_in_tests_an_agent_runs(tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "reset.sql").write_text(DELETE_ALL)
    answer = bash("psql -f tests/reset.sql", tmp_path, tmp_path)
    assert answer.decision in ("ask", "deny"), answer


def test_a_projects_test_settings_cannot_loosen_a_hook():
    from blastguard.config import tightened

    trusted = Config(test_code="report")
    config, ignored = tightened(trusted, parse_table({"test-code": "note", "test-paths": ["src/"]}, None, "."))
    assert (config.test_code, config.test_paths) == ("report", trusted.test_paths)
    assert ignored == ["test-code", "test-paths"]
