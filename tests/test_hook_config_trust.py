"""The agent hook's configuration: the agent can write any file of the project, so the project's
configuration (blastguard.toml, or [tool.blastguard] in pyproject.toml, here or in a parent folder)
may only make the guard stricter. What would loosen it is ignored, and the agent is told which keys;
loosening comes only from the file named with --config on the hook's own command line.

Payloads are only read; nothing in them is ever run. Most checks go through `hook.run` in-process
(it forks the check, as in production); a few through the real command line."""

import io
import json
import os
import tempfile
import zlib

import pytest
from test_hook import CLEAN_ENV, claude

from blastguard.config import _KEYS, _TIGHTEN, Config, discover_guarded, parse_table, tightened
from blastguard.model import Severity
from conftest import err, out, run_cli

RM_HOME = "rm -rf ~"  # SH301 recursive-delete, an error: denied
RM_HOME_SUPPRESSED = "rm -rf ~  # blastguard: ignore[SH301] the agent says this is fine"
HISTORY_REWRITE = "git reset --hard HEAD~3"  # SH401, a warning: asks
SCOPED_DELETE = 'psql -c "DELETE FROM sessions WHERE expires_at < now()"'  # allowed off production


def run_hook(payload, config=None, environ=None) -> str:
    from blastguard.interfaces import hook

    with tempfile.TemporaryFile("w+", encoding="utf-8") as answer:
        code = hook.run(
            None,
            None if config is None else str(config),
            stdin=io.BytesIO(json.dumps(payload).encode()),
            stdout=answer,
            environ={**CLEAN_ENV, **(environ or {})},
        )
        answer.seek(0)
        text = answer.read()
    assert code == 0
    return text


def decision(text: str) -> str:
    return json.loads(text)["hookSpecificOutput"].get("permissionDecision", "allow") if text else "allow"


def reason(text: str) -> str:
    output = json.loads(text)["hookSpecificOutput"] if text else {}
    return output.get("permissionDecisionReason") or output.get("additionalContext") or ""


def ignored_keys(text: str) -> list[str]:
    """The keys the notice says were ignored."""
    words = reason(text).split("blastguard ignored ", 1)
    assert len(words) == 2, f"no notice in {text!r}"
    return words[1].split(" in /", 1)[0].split(", ")


def bash(command: str, cwd) -> dict:
    return claude("Bash", {"command": command}, cwd)


def absent_edit(cwd) -> dict:
    """An edit of a file that does not exist: the hook cannot check it and answers hook-on-error."""
    return claude("Edit", {"file_path": str(cwd / "absent.sql"), "old_string": "x", "new_string": "y"}, cwd)


def as_pyproject(table: str) -> str:
    """The same settings as `[tool.blastguard]` of a pyproject.toml."""
    lines = ['[project]\nname = "app"\n\n[tool.blastguard]']
    for line in table.splitlines():
        lines.append(f"[tool.blastguard.{line[1:-1]}]" if line.startswith("[") else line)
    return "\n".join(lines) + "\n"


PLACES = ["blastguard.toml", "pyproject.toml", "parent/blastguard.toml", "parent/pyproject.toml"]


def place(project, where: str, table: str):
    """Write `table` where the agent could, and return the cwd of the tool call."""
    name = where.split("/")[-1]
    text = as_pyproject(table) if name == "pyproject.toml" else table
    (project / name).write_text(text)
    if where.startswith("parent/"):
        cwd = project / "services" / "api"
        cwd.mkdir(parents=True)
        return cwd
    return project


# (settings the agent writes, the command, the decision that must stand, the keys the notice names)
LOOSENING = [
    ('ignore = ["ALL"]\n', RM_HOME, "deny", ["ignore"]),
    ('ignore = ["SH301"]\n', RM_HOME, "deny", ["ignore"]),
    ('ignore = ["SH", "recursive-delete"]\n', RM_HOME, "deny", ["ignore"]),
    ("select = []\n", RM_HOME, "deny", ["select"]),
    ('select = ["SQL"]\n', RM_HOME, "deny", ["select"]),
    ('[severity]\nSH301 = "note"\n', RM_HOME, "deny", ["severity.SH301"]),
    ('[severity]\nrecursive-delete = "warning"\n', RM_HOME, "deny", ["severity.recursive-delete"]),
    ('[per-path-ignores]\n"command.sh" = ["SH301"]\n', RM_HOME, "deny", ["per-path-ignores"]),
    ('[per-path-ignores]\n"**" = ["SH301", "SH401"]\n', RM_HOME, "deny", ["per-path-ignores"]),
    ('exclude = ["*"]\n', RM_HOME, "deny", ["exclude"]),
    ("max-file-size = 1\n", RM_HOME, "deny", ["max-file-size"]),
    ('sql-dialect = "tsql"\n', RM_HOME, "deny", ["sql-dialect"]),
    ('baseline = "blastguard-baseline.json"\n', RM_HOME, "deny", ["baseline"]),
    ('fail-on = "never"\n', RM_HOME, "deny", ["fail-on"]),
    ("respect-gitignore = true\nhook-deadline = 600\n", RM_HOME, "deny", ["hook-deadline"]),
    ('production-names = ["staging"]\n', RM_HOME, "deny", ["production-names"]),
    ("hook-trust-suppressions = true\n", RM_HOME_SUPPRESSED, "deny", ["hook-trust-suppressions"]),
    ('[severity]\nSH401 = "note"\n', HISTORY_REWRITE, "ask", ["severity.SH401"]),
    ('ignore = ["SH401"]\nhook-on-error = "allow"\n', HISTORY_REWRITE, "ask", ["ignore", "hook-on-error"]),
    (
        'select = ["SQL1"]\nignore = ["ALL"]\nhook-trust-suppressions = true\nhook-on-error = "allow"\n'
        '[severity]\nSH301 = "note"\n[per-path-ignores]\n"command.sh" = ["SH301"]\n',
        RM_HOME_SUPPRESSED,
        "deny",
        ["select", "ignore", "hook-trust-suppressions", "hook-on-error", "severity.SH301", "per-path-ignores"],
    ),
]


@pytest.mark.parametrize("where", PLACES)
@pytest.mark.parametrize(
    ("table", "command", "expected", "keys"), LOOSENING, ids=[c[0].split("\n")[0] for c in LOOSENING]
)
def test_the_projects_configuration_cannot_loosen_the_hook(project, where, table, command, expected, keys):
    cwd = place(project, where, table)
    answer = run_hook(bash(command, cwd))
    assert decision(answer) == expected, answer
    assert sorted(ignored_keys(answer)) == sorted(keys)
    assert "only from the file given with --config" in reason(answer)


@pytest.mark.parametrize("where", PLACES)
def test_the_projects_hook_on_error_cannot_allow_what_was_not_checked(project, where):
    cwd = place(project, where, 'hook-on-error = "allow"\n')
    answer = run_hook(absent_edit(cwd))
    assert decision(answer) == "ask"
    assert "does not exist" in reason(answer) and ignored_keys(answer) == ["hook-on-error"]


def test_the_projects_audit_log_is_not_written_and_the_notice_says_so(project):
    (project / "blastguard.toml").write_text('audit-log = "trail/hook.jsonl"\n')
    answer = run_hook(bash(RM_HOME, project))
    assert decision(answer) == "deny" and ignored_keys(answer) == ["audit-log"]
    assert not (project / "trail").exists()


def test_the_nearest_file_is_the_projects_even_when_a_parent_is_strict(project):
    (project / "blastguard.toml").write_text('hook-on-error = "deny"\n')
    (project / "sub").mkdir()
    (project / "sub" / "pyproject.toml").write_text(as_pyproject('ignore = ["ALL"]\nhook-on-error = "allow"\n'))
    answer = run_hook(bash(RM_HOME, project / "sub"))
    assert decision(answer) == "deny" and ignored_keys(answer) == ["ignore", "hook-on-error"]


def test_an_allowed_call_carries_the_notice_as_context(project):
    (project / "blastguard.toml").write_text('ignore = ["SH301"]\n')
    answer = run_hook(bash("ls -la", project))
    assert decision(answer) == "allow"
    assert ignored_keys(answer) == ["ignore"]


def test_without_a_loosening_key_there_is_no_notice(project):
    (project / "blastguard.toml").write_text(
        'hook-on-error = "deny"\nproduction-names = ["prod", "production", "prd", "live", "blue"]\n'
    )
    assert run_hook(bash("ls -la", project)) == ""
    assert reason(run_hook(bash(RM_HOME, project))).startswith("blastguard blocked this: [SH301")
    assert "ignored" not in reason(run_hook(bash(RM_HOME, project)))


# --- what tightens takes effect ------------------------------------------------------------------------


@pytest.mark.parametrize("where", PLACES)
def test_a_raised_severity_turns_an_ask_into_a_deny(project, where):
    assert decision(run_hook(bash(HISTORY_REWRITE, project))) == "ask"
    cwd = place(project, where, '[severity]\nSH401 = "error"\n')
    answer = run_hook(bash(HISTORY_REWRITE, cwd))
    assert decision(answer) == "deny" and "ignored" not in reason(answer)


def test_a_raised_severity_is_a_floor_that_never_lowers_a_production_escalation(project):
    """SQL107 is a note, raised to a warning on production; a project's `note` floor lowers nothing."""
    production = {"DATABASE_URL": "postgresql://app@prod-db.internal:5432/app"}
    (project / "blastguard.toml").write_text('[severity]\nSQL107 = "note"\n')
    answer = run_hook(bash(SCOPED_DELETE, project), environ=production)
    assert decision(answer) == "ask" and ignored_keys(answer) == ["severity.SQL107"]
    (project / "blastguard.toml").write_text('[severity]\nproduction-write = "error"\n')
    assert decision(run_hook(bash(SCOPED_DELETE, project), environ=production)) == "deny"


@pytest.mark.parametrize("where", PLACES)
def test_an_added_production_name_counts(project, where):
    blue = {"DATABASE_URL": "postgresql://app@blue-db.internal:5432/app"}
    assert run_hook(bash(SCOPED_DELETE, project), environ=blue) == ""
    cwd = place(project, where, 'production-names = ["prod", "production", "prd", "live", "blue"]\n')
    answer = run_hook(bash(SCOPED_DELETE, cwd), environ=blue)
    assert decision(answer) == "ask" and "DATABASE_URL points at blue-db.internal" in reason(answer)


def test_a_project_may_make_hook_on_error_stricter_than_the_config_file(project):
    trusted = project / "settings" / "hook.toml"
    trusted.parent.mkdir()
    trusted.write_text('hook-on-error = "allow"\n')
    assert decision(run_hook(absent_edit(project), trusted)) == "allow"
    (project / "blastguard.toml").write_text('hook-on-error = "deny"\n')
    assert decision(run_hook(absent_edit(project), trusted)) == "deny"


def test_a_project_may_select_more_rules_than_the_config_file(project):
    trusted = project / "settings" / "hook.toml"
    trusted.parent.mkdir()
    trusted.write_text('select = ["SQL"]\n')
    assert run_hook(bash(RM_HOME, project), trusted) == ""
    (project / "blastguard.toml").write_text('select = ["SQL", "SH3"]\n')
    assert decision(run_hook(bash(RM_HOME, project), trusted)) == "deny"


def test_a_project_may_stop_trusting_suppressions_the_config_file_trusts(project):
    trusted = project / "settings" / "hook.toml"
    trusted.parent.mkdir()
    trusted.write_text("hook-trust-suppressions = true\n")
    assert run_hook(bash(RM_HOME_SUPPRESSED, project), trusted) == ""
    (project / "blastguard.toml").write_text("hook-trust-suppressions = false\n")
    assert decision(run_hook(bash(RM_HOME_SUPPRESSED, project), trusted)) == "deny"


# --- the file named with --config loosens ------------------------------------------------------------------


TRUSTED_LOOSENING = [
    ('ignore = ["SH301"]\n', RM_HOME),
    ('select = ["SQL"]\n', RM_HOME),
    ('[severity]\nSH301 = "note"\n', RM_HOME),
    ('[per-path-ignores]\n"command.sh" = ["SH301"]\n', RM_HOME),
    ("hook-trust-suppressions = true\n", RM_HOME_SUPPRESSED),
    ('ignore = ["SH401"]\n', HISTORY_REWRITE),
]


@pytest.mark.parametrize(("table", "command"), TRUSTED_LOOSENING, ids=[c[0].split("\n")[0] for c in TRUSTED_LOOSENING])
@pytest.mark.parametrize("name", ["hook.toml", "pyproject.toml"])
def test_the_config_file_on_the_command_line_may_loosen(tmp_path, project, table, command, name):
    trusted = tmp_path / "settings" / name
    trusted.parent.mkdir()
    trusted.write_text(as_pyproject(table) if name == "pyproject.toml" else table)
    assert decision(run_hook(bash(command, project))) != "allow"
    loosened = run_hook(bash(command, project), trusted)
    assert decision(loosened) == "allow" and "ignored" not in reason(loosened)


def test_the_config_file_on_the_command_line_may_answer_allow_on_error(project, tmp_path):
    trusted = tmp_path / "hook.toml"
    trusted.write_text('hook-on-error = "allow"\n')
    assert decision(run_hook(absent_edit(project), trusted)) == "allow"


def test_the_projects_own_file_named_with_config_is_trusted_whole(project):
    (project / "blastguard.toml").write_text('ignore = ["SH301"]\n')
    assert run_hook(bash(RM_HOME, project), project / "blastguard.toml") == ""


def test_a_loosening_project_cannot_undo_what_the_config_file_loosened_nor_add_to_it(project, tmp_path):
    trusted = tmp_path / "hook.toml"
    trusted.write_text('ignore = ["SH401"]\n')
    (project / "blastguard.toml").write_text('ignore = ["SH401", "SH301"]\n')
    assert decision(run_hook(bash(HISTORY_REWRITE, project), trusted)) == "allow"
    answer = run_hook(bash(RM_HOME, project), trusted)
    assert decision(answer) == "deny" and ignored_keys(answer) == ["ignore"]


# --- a project's file that cannot be read, agent-writable state, the environment ---------------------------


BROKEN = [
    "select = [\n",  # not TOML
    "no-such-key = 1\n",
    'ignore = "SH301"\n',
    'hook-on-error = "sometimes"\n',
    "hook-deadline = 0\n",
    "\udcff = 1\n",
]


@pytest.mark.parametrize("table", BROKEN)
def test_a_broken_project_file_is_ignored_and_the_check_still_denies(project, table):
    """Before, a broken file made every call answer hook-on-error: an agent could turn a deny into an ask."""
    (project / "blastguard.toml").write_bytes(table.encode("utf-8", "surrogateescape"))
    answer = run_hook(bash(RM_HOME, project))
    assert decision(answer) == "deny"
    assert "blastguard ignored the project's configuration, which it cannot read" in reason(answer)


@pytest.mark.parametrize("text", ["tool = 1\n", "[tool]\nblastguard = 3\n", '[tool]\nblastguard = "ignore"\n'])
def test_a_pyproject_with_a_strange_tool_table_never_crashes_the_hook(project, text):
    (project / "pyproject.toml").write_text(text)
    assert decision(run_hook(bash(RM_HOME, project))) == "deny"


def test_an_oversized_project_file_is_not_read(project):
    (project / "blastguard.toml").write_text('ignore = ["SH301"]\n' + "# padding\n" * 200_000)
    answer = run_hook(bash(RM_HOME, project))
    assert decision(answer) == "deny" and "larger than the" in reason(answer)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize("name", ["blastguard.toml", "pyproject.toml"])
def test_a_fifo_named_like_a_configuration_file_never_stalls_the_hook(project, name):
    os.mkfifo(project / name)
    assert decision(run_hook(bash(RM_HOME, project))) == "deny"


def _forge_cache_entry(cache_home, config_path, document: dict) -> None:
    """An entry as the parsed-configuration cache stored it (keyed by path, mtime and size)."""
    stat = os.stat(config_path)
    key = f"{os.path.abspath(config_path)}\0{stat.st_mtime_ns}\0{stat.st_size}"
    folder = cache_home / "blastguard" / "config"
    folder.mkdir(parents=True, exist_ok=True)
    entry = folder / f"{zlib.crc32(key.encode('utf-8', 'surrogatepass')):08x}.json"
    entry.write_text(json.dumps({"key": key, "document": document}))


def test_a_forged_cache_entry_is_not_trusted(project, tmp_path, monkeypatch):
    config = project / "blastguard.toml"
    config.write_text('hook-on-error = "deny"\n')
    loose = {"ignore": ["ALL"], "hook-on-error": "allow", "hook-trust-suppressions": True}
    for cache_home in (tmp_path / "xdg-cache", tmp_path / "home" / ".cache"):
        _forge_cache_entry(cache_home, config, loose)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert decision(run_hook(bash(RM_HOME, project))) == "deny"
    assert decision(run_hook(absent_edit(project))) == "deny"  # the real file's hook-on-error


def test_the_environment_the_agent_can_set_loosens_nothing(project, tmp_path):
    """Through the real command line: cache locations holding forged entries, the action's input
    variables, a --config-like variable. The notice goes to stderr too."""
    config = project / "blastguard.toml"
    config.write_text('ignore = ["SH301"]\n')
    loose = tmp_path / "loose.toml"
    loose.write_text('ignore = ["ALL"]\nhook-on-error = "allow"\n')
    _forge_cache_entry(tmp_path / "xdg-cache", config, {"hook-on-error": "allow"})
    env = {
        **CLEAN_ENV,
        "HOME": str(tmp_path / "home"),
        "XDG_CACHE_HOME": str(tmp_path / "xdg-cache"),
        "BLASTGUARD_CONFIG": str(loose),
        "BLASTGUARD_FAIL_ON": "never",
        "BLASTGUARD_SQL_DIALECT": "tsql",
        "BLASTGUARD_HOOK_ON_ERROR": "allow",
    }
    result = run_cli("hook", stdin=json.dumps(bash(RM_HOME, project)), cwd=project, env=env)
    assert result.returncode == 0 and "Traceback" not in err(result)
    assert decision(out(result)) == "deny"
    assert "blastguard ignored ignore in " in err(result) and str(config) in err(result)
    edit = run_cli("hook", stdin=json.dumps(absent_edit(project)), cwd=project, env=env)
    assert decision(out(edit)) == "ask"


def test_the_command_line_hook_honours_its_config_option(project, tmp_path):
    trusted = tmp_path / "hook.toml"
    trusted.write_text('ignore = ["SH301"]\n')
    (project / "blastguard.toml").write_text('ignore = ["SH301"]\n')
    env = {**CLEAN_ENV, "HOME": str(tmp_path / "home")}
    payload = json.dumps(bash(RM_HOME, project))
    assert decision(out(run_cli("hook", stdin=payload, cwd=project, env=env))) == "deny"
    assert out(run_cli("hook", "--config", trusted, stdin=payload, cwd=project, env=env)) == ""


# --- tightened(), key by key ---------------------------------------------------------------------------------


def _project(table: dict) -> Config:
    return parse_table(table, "/project/blastguard.toml", "/project")


@pytest.mark.parametrize(
    ("trusted", "table", "attribute", "value", "ignored"),
    [
        ({}, {"select": ["SQL"]}, "select", ["ALL"], ["select"]),
        ({"select": ["SQL"]}, {"select": ["SQL", "SH"]}, "select", ["SQL", "SH"], []),
        ({"select": ["SQL", "SH"]}, {"select": ["SH"]}, "select", ["SQL", "SH"], ["select"]),
        ({"select": ["SQL"]}, {"select": ["ALL"]}, "select", ["SQL", "ALL"], []),
        ({"select": ["SQL"]}, {"select": ["SQL", "NOPE9"]}, "select", ["SQL"], ["select 'NOPE9' (names no rule)"]),
        ({}, {"ignore": ["SQL101"]}, "ignore", [], ["ignore"]),
        ({"ignore": ["SQL101"]}, {"ignore": ["SQL101"]}, "ignore", ["SQL101"], []),
        ({}, {"exclude": ["legacy/"]}, "exclude", [], ["exclude"]),
        ({}, {"per-path-ignores": {"m/**": ["SQL204"]}}, "per_path_ignores", {}, ["per-path-ignores"]),
        ({}, {"fail-on": "note"}, "fail_on", "note", []),
        ({}, {"fail-on": "error"}, "fail_on", "warning", ["fail-on"]),
        ({"fail_on": "never"}, {"fail-on": "error"}, "fail_on", "error", []),
        ({}, {"sql-dialect": "postgres"}, "sql_dialect", "auto", ["sql-dialect"]),
        ({"sql_dialect": "mysql"}, {"sql-dialect": "mysql"}, "sql_dialect", "mysql", []),
        ({}, {"baseline": "b.json"}, "baseline", None, ["baseline"]),
        ({}, {"max-file-size": 10}, "max_file_size", Config().max_file_size, ["max-file-size"]),
        ({}, {"max-file-size": 1 << 30}, "max_file_size", Config().max_file_size, ["max-file-size"]),
        ({}, {"respect-gitignore": False}, "respect_gitignore", False, []),
        ({"respect_gitignore": False}, {"respect-gitignore": True}, "respect_gitignore", False, ["respect-gitignore"]),
        (
            {},
            {"production-names": ["prod", "production", "prd", "live", "blue"]},
            "production_names",
            ["prod", "production", "prd", "live", "blue"],
            [],
        ),
        (
            {},
            {"production-names": ["blue"]},
            "production_names",
            ["prod", "production", "prd", "live", "blue"],
            ["production-names"],
        ),
        ({}, {"max-destroy": 3}, "max_destroy", 3, []),
        ({"max_destroy": 5}, {"max-destroy": 3}, "max_destroy", 3, []),
        ({"max_destroy": 5}, {"max-destroy": 50}, "max_destroy", 5, ["max-destroy"]),
        ({"stateful_types": ["acme_a"]}, {"stateful-types": ["acme_b"]}, "stateful_types", ["acme_a", "acme_b"], []),
        ({}, {"audit-log": "trail.jsonl"}, "audit_log", None, ["audit-log"]),
        (
            {"audit_log": "/var/log/bg.jsonl"},
            {"audit-log": "/dev/null"},
            "audit_log",
            "/var/log/bg.jsonl",
            ["audit-log"],
        ),
        ({}, {"hook-on-error": "deny"}, "hook_on_error", "deny", []),
        ({}, {"hook-on-error": "allow"}, "hook_on_error", "ask", ["hook-on-error"]),
        ({"hook_on_error": "allow"}, {"hook-on-error": "ask"}, "hook_on_error", "ask", []),
        ({}, {"hook-trust-suppressions": True}, "hook_trust_suppressions", False, ["hook-trust-suppressions"]),
        ({"hook_trust_suppressions": True}, {"hook-trust-suppressions": False}, "hook_trust_suppressions", False, []),
        ({}, {"hook-deadline": 2}, "hook_deadline", 2.0, []),
        ({}, {"hook-deadline": 60}, "hook_deadline", 5.0, ["hook-deadline"]),
    ],
)
def test_tightened_key_by_key(trusted, table, attribute, value, ignored):
    config, skipped = tightened(Config(**trusted), _project(table))
    assert getattr(config, attribute) == value
    assert skipped == ignored


def test_tightened_severities_are_floors_above_the_trusted_level():
    trusted = Config(severity={"SQL106": Severity.NOTE})
    table = {
        "severity": {
            "SQL106": "warning",
            "SQL101": "note",
            "unbounded-delete": "warning",
            "SH401": "error",
            "NOPE9": "error",
        }
    }
    config, ignored = tightened(trusted, _project(table))
    assert config.severity == {"SQL106": Severity.NOTE}  # the trusted override stays; the floor lifts it
    assert config.severity_floor == {"SQL106": Severity.WARNING, "SH401": Severity.ERROR}
    assert ignored == ["severity.SQL101", "severity.unbounded-delete", "severity.NOPE9 (names no rule)"]


def test_tightened_leaves_the_trusted_configuration_unchanged():
    trusted = Config(select=["SQL"], production_names=["prod"], stateful_types=["a"])
    tightened(
        trusted,
        _project(
            {"select": ["SH"], "production-names": ["blue"], "stateful-types": ["b"], "severity": {"SH401": "error"}}
        ),
    )
    assert (trusted.select, trusted.production_names, trusted.stateful_types, trusted.severity_floor) == (
        ["SQL"],
        ["prod"],
        ["a"],
        {},
    )


def test_every_configuration_key_has_a_decision_for_hooks():
    """A new key must say how a project's value may tighten the guard, or it would go unchecked."""
    assert set(_TIGHTEN) | {"severity"} == set(_KEYS)


def test_discover_guarded_reads_no_project_file_beyond_the_nearest(project):
    (project / "blastguard.toml").write_text('ignore = ["SH301"]\n')
    (project / "sub").mkdir()
    (project / "sub" / "blastguard.toml").write_text('hook-on-error = "deny"\n')
    config, notices = discover_guarded(str(project / "sub"))
    assert (config.hook_on_error, config.ignore, notices) == ("deny", [], [])
    config, notices = discover_guarded(str(project))
    assert config.ignore == [] and len(notices) == 1 and "ignored ignore in " in notices[0]
