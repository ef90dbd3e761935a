"""Configuration files: discovery upward, every key, and clear errors for bad ones."""

import pytest

from conftest import err, json_out, out, run_cli

DELETE_ALL = "DELETE FROM users;\n"
NULL_ONLY = "DELETE FROM users WHERE last_login IS NULL;\n"


def _rules(result):
    return [(f["path"], f["rule_id"], f["severity"]) for f in json_out(result)["findings"]]


def test_pyproject_table_is_found_upward_from_the_scanned_path(project):
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.blastguard]\nignore = ["SQL101"]\n')
    (project / "db" / "deep").mkdir(parents=True)
    (project / "db" / "deep" / "a.sql").write_text(DELETE_ALL)
    result = run_cli("check", "db/deep", cwd=project)
    assert result.returncode == 0, out(result)


def test_blastguard_toml_wins_over_pyproject_in_the_same_folder(project):
    (project / "pyproject.toml").write_text('[tool.blastguard]\nignore = ["SQL101"]\n')
    (project / "blastguard.toml").write_text('ignore = ["SQL201"]\n')
    (project / "a.sql").write_text(DELETE_ALL + "TRUNCATE t;\n")
    assert [r[1] for r in _rules(run_cli("check", ".", "--format", "json", cwd=project))] == ["SQL101"]


def test_nearest_configuration_wins(project):
    (project / "blastguard.toml").write_text('ignore = ["SQL101"]\n')
    (project / "sub").mkdir()
    (project / "sub" / "blastguard.toml").write_text('ignore = ["SQL201"]\n')
    (project / "sub" / "a.sql").write_text(DELETE_ALL + "TRUNCATE t;\n")
    assert [r[1] for r in _rules(run_cli("check", "sub", "--format", "json", cwd=project))] == ["SQL101"]


def test_pyproject_without_our_table_is_skipped(project):
    (project / "blastguard.toml").write_text('ignore = ["SQL101"]\n')
    (project / "sub").mkdir()
    (project / "sub" / "pyproject.toml").write_text("[tool.ruff]\nline-length = 100\n")
    (project / "sub" / "a.sql").write_text(DELETE_ALL)
    assert run_cli("check", "sub", cwd=project).returncode == 0


def test_explicit_config_option(project):
    (project / "strict.toml").write_text('fail-on = "error"\n')
    (project / "a.sql").write_text(NULL_ONLY)
    assert run_cli("check", "a.sql", cwd=project).returncode == 1
    assert run_cli("check", "a.sql", "--config", "strict.toml", cwd=project).returncode == 0
    missing = run_cli("check", "a.sql", "--config", "nope.toml", cwd=project)
    assert missing.returncode == 2
    assert err(missing) == "blastguard: error: nope.toml: no such configuration file\n"


def test_select_prefix_and_names(project):
    (project / "blastguard.toml").write_text('select = ["SQL2", "unbounded-delete"]\n')
    (project / "a.sql").write_text(DELETE_ALL + "TRUNCATE t;\n" + NULL_ONLY)
    assert [r[1] for r in _rules(run_cli("check", ".", "--format", "json", cwd=project))] == ["SQL101", "SQL201"]


def test_severity_override(project):
    (project / "blastguard.toml").write_text('[severity]\nSQL101 = "note"\nnull-only-predicate = "error"\n')
    (project / "a.sql").write_text(DELETE_ALL + NULL_ONLY)
    assert [r[2] for r in _rules(run_cli("check", ".", "--format", "json", cwd=project))] == ["note", "error"]


def test_fail_on_from_config_and_cli_override(project):
    (project / "blastguard.toml").write_text('fail-on = "never"\n')
    (project / "a.sql").write_text(DELETE_ALL)
    assert run_cli("check", ".", cwd=project).returncode == 0
    assert run_cli("check", ".", "--fail-on", "error", cwd=project).returncode == 1


def test_per_path_ignores(project):
    (project / "blastguard.toml").write_text('[per-path-ignores]\n"migrations/**" = ["SQL101"]\n')
    (project / "migrations").mkdir()
    (project / "migrations" / "a.sql").write_text(DELETE_ALL + "TRUNCATE t;\n")
    (project / "b.sql").write_text(DELETE_ALL)
    found = _rules(run_cli("check", ".", "--format", "json", cwd=project))
    assert found == [("b.sql", "SQL101", "error"), ("migrations/a.sql", "SQL201", "error")]


def test_per_path_ignores_are_relative_to_the_config_even_from_elsewhere(project):
    (project / "blastguard.toml").write_text('[per-path-ignores]\n"migrations/*.sql" = ["SQL101"]\n')
    (project / "migrations").mkdir()
    (project / "migrations" / "a.sql").write_text(DELETE_ALL)
    assert run_cli("check", "a.sql", cwd=project / "migrations").returncode == 0


def test_exclude(project):
    (project / "blastguard.toml").write_text('exclude = ["legacy/", "*.generated.sql"]\n')
    for name in ("legacy/a.sql", "db/b.generated.sql", "db/c.sql"):
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(DELETE_ALL)
    assert [r[0] for r in _rules(run_cli("check", ".", "--format", "json", cwd=project))] == ["db/c.sql"]


def test_respect_gitignore_can_be_turned_off(project):
    (project / ".gitignore").write_text("*.sql\n")
    (project / "a.sql").write_text(DELETE_ALL)
    assert run_cli("check", ".", cwd=project).returncode == 0
    (project / "blastguard.toml").write_text("respect-gitignore = false\n")
    assert run_cli("check", ".", cwd=project).returncode == 1


def test_dialect_from_config(project):
    (project / "blastguard.toml").write_text('sql-dialect = "mysql"\n')
    (project / "a.sql").write_text("DELETE FROM `users` # WHERE id = 1\n;\n")
    result = run_cli("check", ".", cwd=project)
    assert "has its WHERE clause commented out" in out(result)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('selekt = ["SQL101"]\n', "blastguard.toml: unknown key 'selekt' (known keys: "),
        ('select = "SQL101"\n', "blastguard.toml: 'select' must be a list of strings"),
        (
            'fail-on = "critical"\n',
            "blastguard.toml: 'fail-on' must be one of error, warning, note, never, not 'critical'",
        ),
        (
            '[severity]\nSQL101 = "fatal"\n',
            "blastguard.toml: 'severity': unknown severity 'fatal' (expected error, warning or note)",
        ),
        ('[severity]\nSQL1O1 = "note"\n', "'SQL1O1' names no rule (see `blastguard rules`)"),
        ('ignore = ["SQL999"]\n', "'SQL999' names no rule (see `blastguard rules`)"),
        ("max-file-size = -1\n", "blastguard.toml: 'max-file-size' must be a positive integer"),
        ("respect-gitignore = 1\n", "blastguard.toml: 'respect-gitignore' must be true or false"),
        ('sql-dialect = "oracle9"\n', "unknown SQL dialect 'oracle9'"),
        ("select = [\n", "blastguard.toml: invalid TOML: "),
        ('per-path-ignores = ["x"]\n', "blastguard.toml: 'per-path-ignores' must be a table of path pattern = [rules]"),
    ],
)
def test_bad_configuration_is_a_one_line_error(project, content, message):
    (project / "blastguard.toml").write_text(content)
    (project / "a.sql").write_text(DELETE_ALL)
    result = run_cli("check", ".", cwd=project)
    assert result.returncode == 2
    lines = err(result).splitlines()
    assert len(lines) == 1, err(result)
    assert lines[0].startswith("blastguard: error: ")
    assert message in lines[0]


def test_bad_pyproject_table_names_the_table(project):
    (project / "pyproject.toml").write_text('[tool.blastguard]\nfail_on = "error"\n')
    (project / "a.sql").write_text(DELETE_ALL)
    result = run_cli("check", ".", cwd=project)
    assert result.returncode == 2
    assert "pyproject.toml [tool.blastguard]: unknown key 'fail_on'" in err(result)


def test_parsed_configuration_is_never_cached_and_a_changed_file_is_read_again(tmp_path, monkeypatch):
    """A cache of parsed files would be state an agent can forge; the file itself is read each time."""
    from blastguard.config import ConfigError, load_file

    home = tmp_path / "home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("HOME", str(home))
    path = tmp_path / "blastguard.toml"
    path.write_text('fail-on = "error"\n')
    assert load_file(str(path)).fail_on == "error"
    assert load_file(str(path)).fail_on == "error"
    assert not (tmp_path / "cache").exists() and not home.exists()
    path.write_text('fail-on = "never"   # changed\n')
    assert load_file(str(path)).fail_on == "never"
    path.write_text("fail-on = [\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_file(str(path))
