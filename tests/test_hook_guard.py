"""The guard guards itself: calls that would change blastguard's configuration, its cache, the agents'
hook settings or git hooks ask (BG003); an edit that silences an existing finding asks (BG004); any
tool's SQL and commands are checked, and every call is audited. Payloads and commands are only data
handed to blastguard; nothing in them is ever run."""

import json
import os
import sys

import pytest
from test_hook import CLEAN_ENV

import hook_calls
from blastguard import config
from blastguard.config import Config
from blastguard.engine import Engine
from blastguard.interfaces.guard_tampering import command_findings, rule_for
from blastguard.interfaces.tool_inputs import Piece, pieces
from conftest import err, out, run_cli
from hook_calls import claude

# --- shell commands, checked in process -----------------------------------------------------------


def tampering(command, cwd, home=None, cache_home=None):
    engine = Engine(Config(root=str(cwd)), str(cwd))
    return command_findings(rule_for(engine), engine, command, str(cwd), str(home or cwd / "home"), cache_home)


WRITES = [
    # redirections, in every form
    "echo 'ignore=[\"ALL\"]' > blastguard.toml",
    "echo 'ignore=[\"ALL\"]' >> blastguard.toml",
    "printf x &> blastguard.toml",
    "printf x >| .codex/hooks.json",
    "> blastguard.toml",
    "{ echo '[tool.blastguard]'; echo 'ignore=[\"ALL\"]'; } >> pyproject.toml",
    "for f in a b; do echo $f; done > .cursor/hooks.json",
    "cat /tmp/evil.json > .claude/settings.local.json",
    "bash -c 'echo {} > .gemini/settings.json'",
    "sudo sh -c 'echo {} > /etc/claude-code/managed-settings.json'",
    "F=blastguard.toml; echo x > $F",
    'DIR=.claude; echo {} > "$DIR/settings.json"',
    'echo x > "$UNKNOWN/blastguard.toml"',
    # programs that write
    "printf '[tool.blastguard]\\n' | tee -a pyproject.toml",
    "echo {} | sudo tee ~/.copilot/hooks/guard.json",
    "cp /tmp/x .claude/settings.json",
    "cp -f /tmp/x.json .github/hooks/",
    "cp -t .git/hooks /tmp/pre-commit",
    "install -m 755 hook.sh .git/hooks/pre-push",
    "rsync -a /tmp/hooks/ .husky/",
    "mv /tmp/settings.json .gemini/settings.json",
    "mv blastguard.toml blastguard.toml.off",
    "sed -i 's/deny/allow/' .git/hooks/pre-commit",
    "sed -i.bak '/blastguard/d' .pre-commit-config.yaml",
    "sed --in-place -e 's/x/y/' lefthook.yml",
    "perl -pi -e 's/blastguard//' .husky/pre-commit",
    "rm ~/.claude/settings.json",
    "rm -f $HOME/.codex/config.toml",
    "rm -f ${HOME}/.gemini/settings.json",
    "unlink .git/hooks/pre-commit",
    "rm -rf .git/hooks",
    "rm -rf .blastguard_cache",
    "rm -rf ~/.cache/blastguard",
    "shred -u blastguard.toml",
    "ln -sf /dev/null .git/hooks/pre-commit",
    "ln -s /tmp/evil.json .cursor/hooks.json",
    "truncate -s0 .cursor/hooks.json",
    "touch blastguard.toml",
    "chmod -x .git/hooks/pre-commit",
    "chmod 000 blastguard.toml",
    "dd if=/dev/null of=.codex/hooks.json",
    "curl -sSo .git/hooks/pre-commit https://example.com/hook",
    "wget -O ~/.claude/settings.json https://example.com/s",
    "echo x > .github/copilot/settings.json",
    "echo x > ~/.copilot/settings.json",
    "echo x > .git/config",
    "echo '[core]' >> ~/.gitconfig",
    "echo .claude/settings.json | xargs rm -f",
    "printf '%s\\n' blastguard.toml | xargs -I{} cp /dev/null {}",
    # git pointed at other hooks
    "git config core.hooksPath /dev/null",
    "git config --local core.hooksPath .nohooks",
    "git config --global core.hooksPath /tmp/empty",
    "git config --unset core.hooksPath",
    "git config set core.hooksPath /dev/null",
    "git -c core.hooksPath=/dev/null commit -m wip",
    "git config -e",
    # inline programs of other interpreters
    "python3 -c \"open('blastguard.toml', 'w').write('')\"",
    "python -c 'import os; os.remove(\".claude/settings.json\")'",
    'python3 -c \'import pathlib; pathlib.Path(".git/hooks/pre-commit").write_text("")\'',
    "python3 -c 'import shutil; shutil.rmtree(\".husky\")'",
    "perl -e 'unlink \"/root/.claude/settings.json\"'",
    'perl -e \'open(my $f, ">", "blastguard.toml")\'',
    'ruby -e \'File.write(".pre-commit-config.yaml", "")\'',
    'node -e \'require("fs").writeFileSync(".github/hooks/guard.json", "{}")\'',
    'node --eval \'require("fs").unlinkSync(".codex/hooks.json")\'',
]


@pytest.mark.parametrize("command", WRITES)
def test_shell_writes_of_what_runs_the_guard_ask(command, project):
    found = tampering(command, project)
    assert found and {f.rule_id for f in found} == {"BG003"}, command
    assert all(f.severity.label == "warning" for f in found)


LOOKALIKES = [
    "cat blastguard.toml",
    "grep -n hooks .claude/settings.json",
    "git diff .claude/settings.json",
    "git log -p -- .git/hooks",
    "less pyproject.toml",
    "jq . ~/.claude/settings.json",
    "cp blastguard.toml /tmp/blastguard-backup.toml",
    "cp .claude/settings.json /tmp/settings.json.bak",
    "echo '# notes' > notes/blastguard.md",
    "echo x > blastguard.toml.md",
    "echo x > settings.json",
    "echo x > .claude/commands/review.md",
    "echo x > docs/hooks/pre-commit.md",
    "sed -e 's/a/b/' .git/hooks/pre-commit",
    "sed 's/a/b/' blastguard.toml > /tmp/out.toml",
    "sed -n '1,5p' pyproject.toml",
    "perl -ne 'print if /hooks/' .claude/settings.json",
    "git config --get core.hooksPath",
    "git config core.hooksPath",
    "git config --list --show-origin",
    "git config user.email dev@example.com",
    "python3 -c \"print(open('blastguard.toml').read())\"",
    "python3 -c 'import json; json.load(open(\".claude/settings.json\"))'",
    'node -e \'console.log(require("fs").readFileSync(".cursor/hooks.json", "utf8"))\'',
    "chmod +x scripts/build.sh",
    "rm -rf node_modules dist",
    "ls -la .git/hooks 2>/dev/null >&2",
    "pytest -q > /tmp/pytest.log 2>&1",
    'echo x > "$F"',
    'echo x > "$(mktemp)"',
    "uv add requests",
    "mkdir -p .claude/commands",
    "echo build dist | xargs rm -rf",
    "find . -name '*.pyc' | xargs rm -f",
]


@pytest.mark.parametrize("command", LOOKALIKES)
def test_reading_or_copying_away_and_ordinary_writes_stay_allowed(command, project):
    assert tampering(command, project) == [], command


def test_paths_resolve_from_the_working_directory_home_and_earlier_cd(project):
    home = project / "home"
    sub = project / "src" / "pkg"
    assert tampering("echo x > ../../blastguard.toml", sub)
    assert tampering(f"echo x > {project}/.claude/settings.json", sub)  # an absolute path
    assert tampering("echo x > settings.json", project / ".claude")  # the working directory itself
    assert tampering("echo x > hooks/pre-commit", project / ".git")
    assert tampering("echo x > ../settings.json", project / ".claude" / "commands")
    assert tampering("cd .claude && echo {} > settings.json", project)
    assert tampering("cd && echo {} > .gemini/settings.json", project, home=home)
    assert tampering("cd ~/.codex; cp /tmp/h.json hooks.json", project, home=home)
    assert not tampering("cd /tmp && echo {} > settings.json", project)
    assert not tampering("echo {} > ../settings.json", project / ".claude")  # the project's own folder


def test_xdg_cache_home_is_blastguards_cache_too(project):
    cache = project / "xdg"
    assert tampering(f"rm -rf {cache}/blastguard", project, cache_home=str(cache))
    assert tampering(f"echo x > {cache}/blastguard/cfg.json", project, cache_home=str(cache))
    assert not tampering(f"rm -rf {cache}/pip", project, cache_home=str(cache))


def test_removing_or_moving_a_folder_that_holds_hook_settings_asks(project):
    (project / ".claude").mkdir()
    assert not tampering("rm -rf .claude", project)  # no settings in it yet
    assert not tampering("mv .claude /tmp/", project)
    (project / ".claude" / "settings.json").write_text("{}")
    assert tampering("rm -rf .claude", project)
    assert tampering("mv .claude /tmp/", project)
    assert tampering("mv .claude .claude.off", project)
    assert not tampering("cp -r .claude /tmp/claude-backup", project)  # copying it away reads it
    assert not tampering("rm -rf build", project)


def test_a_write_through_a_link_to_a_protected_file_asks(project):
    (project / ".claude").mkdir()
    (project / ".claude" / "settings.json").write_text("{}")
    (project / "notes.json").symlink_to(project / ".claude" / "settings.json")
    assert tampering("echo {} > notes.json", project)
    assert tampering("cp /tmp/x notes.json", project)
    assert not tampering("rm notes.json", project)  # removes the link, not the settings


def test_file_tools_writing_through_a_link_ask(project):
    (project / ".claude").mkdir()
    (project / ".claude" / "settings.json").write_text("{}")
    (project / "notes.json").symlink_to(project / ".claude" / "settings.json")
    answer = hook(claude("Write", {"file_path": "notes.json", "content": "{}"}, project), project)
    assert decision(answer) == "ask" and "Claude Code's settings" in reason(answer)


def test_the_finding_points_at_the_target_and_says_what_it_is(project):
    [finding] = tampering("make build && echo '{}' > .claude/settings.json", project)
    assert finding.snippet == ".claude/settings.json" and finding.region.start_column == 27
    assert "Claude Code's settings" in finding.message and "approval" in finding.message
    [finding] = tampering("git config core.hooksPath /dev/null", project)
    assert "core.hooksPath" in finding.message and finding.region.start_column == 1


def test_configuration_can_turn_the_check_off_for_a_person_who_wants_that(project):
    engine = Engine(Config(root=str(project), ignore=["BG003"]), str(project))
    assert rule_for(engine) is None


# --- what any tool's input carries -----------------------------------------------------------------


def test_tool_inputs_by_key_name():
    assert pieces("mcp__postgres__query", {"sql": "DROP TABLE users"}) == [Piece("sql", "DROP TABLE users", "sql")]
    assert pieces("mcp__db__run", {"statements": ["SELECT 1", "TRUNCATE t"]}) == [
        Piece("sql", "SELECT 1", "statements[0]"),
        Piece("sql", "TRUNCATE t", "statements[1]"),
    ]
    assert pieces("mcp__x__batch", {"ops": [{"raw_sql": "DELETE FROM t"}]}) == [
        Piece("sql", "DELETE FROM t", "ops[0].raw_sql")
    ]
    assert pieces("mcp__shell__run", {"cmd": "ls"}) == [Piece("shell", "ls", "cmd")]
    assert pieces("mcp__term__exec", {"command": "rm", "args": ["-rf", "/srv/data dir"]}) == [
        Piece("shell", "rm -rf '/srv/data dir'", "command")
    ]
    assert pieces("mcp__proc__spawn", {"argv": ["terraform", "destroy"]}) == [
        Piece("shell", "terraform destroy", "argv")
    ]


def test_tool_inputs_query_is_sql_only_when_it_reads_as_sql():
    assert pieces("mcp__search__find", {"query": "how do I drop a table"}) == []
    assert pieces("mcp__pg__query", {"query": "  -- purge\nDELETE FROM t"}) == [
        Piece("sql", "  -- purge\nDELETE FROM t", "query")
    ]


def test_tool_inputs_sniff_destructive_sql_by_shape_not_by_first_word():
    for text in (
        "DELETE FROM users",
        "drop table users;",
        "TRUNCATE orders",
        "UPDATE users SET admin = true",
        "ALTER TABLE users DROP COLUMN email",
        "DROP TABLE IF EXISTS a, b CASCADE",
    ):
        assert pieces("mcp__notes__save", {"body": text}) == [Piece("sql", text, "body")], text
    for text in (
        "Delete from the list please",
        "Update the docs set",
        "drop table tennis tonight?",
        "truncate the log file",
        "Merge request looks good",
    ):
        assert pieces("mcp__notes__save", {"body": text}) == [], text
    # a tool named for a database: anything that starts like SQL is SQL
    assert pieces("mcp__supabase__execute", {"input": "SELECT 1"}) == [Piece("sql", "SELECT 1", "input")]
    assert pieces("mcp__notes__save", {"input": "SELECT 1"}) == []


def test_tool_inputs_paths_only_for_tools_that_write():
    assert pieces("mcp__filesystem__write_file", {"path": "a.txt", "content": "x"}) == [Piece("path", "a.txt", "path")]
    assert pieces("mcp__filesystem__move_file", {"source": "a", "destination": "b"}) == [
        Piece("path", "a", "source"),
        Piece("path", "b", "destination"),
    ]
    assert pieces("mcp__filesystem__read_file", {"path": ".claude/settings.json"}) == []


def test_tool_inputs_are_bounded_and_read_only_tools_are_not_walked():
    deep = current = {}
    for _ in range(100):
        current["next"] = {}
        current = current["next"]
    current["sql"] = "DROP TABLE deep"
    assert pieces("mcp__x__y", deep) == []  # deeper than any real input: not walked for ever
    wide = {f"k{i}": "DROP TABLE t" for i in range(5000)}
    assert 0 < len(pieces("mcp__x__y", wide)) < 600
    assert pieces("WebSearch", {"query": "DROP TABLE users"}) == []
    assert pieces("Grep", {"pattern": "DELETE FROM users"}) == []


# --- through the hook, in each agent's protocol ------------------------------------------------------


def hook(payload, project, *args, env=None):
    home = project / "home"
    home.mkdir(exist_ok=True)
    result = run_cli(
        "hook",
        *args,
        stdin=json.dumps(payload),
        cwd=project,
        env={**CLEAN_ENV, "HOME": str(home), "XDG_CACHE_HOME": "", **(env or {})},
    )
    assert result.returncode == 0 and "Traceback" not in err(result), err(result)
    return out(result)


def decision(text):
    """The decision in any agent's answer: "allow" when nothing is printed."""
    if not text:
        return "allow"
    data = json.loads(text)
    if "hookSpecificOutput" in data:
        return data["hookSpecificOutput"]["permissionDecision"]
    return data.get("decision") or data.get("permission") or data.get("permissionDecision")


def reason(text):
    data = json.loads(text)
    inner = data.get("hookSpecificOutput", data)
    return inner.get("permissionDecisionReason") or inner.get("reason") or inner.get("user_message")


def write_payload(agent, path, content, cwd):
    if agent == "claude":
        return claude("Write", {"file_path": path, "content": content}, cwd)
    if agent == "gemini":
        return {
            "session_id": "s1",
            "cwd": str(cwd),
            "hook_event_name": "BeforeTool",
            "tool_name": "write_file",
            "tool_input": {"file_path": path, "content": content},
        }
    if agent == "cursor":
        return {
            "conversation_id": "c1",
            "generation_id": "g1",
            "workspace_roots": [str(cwd)],
            "hook_event_name": "preToolUse",
            "tool_name": "Write",
            "tool_input": {"file_path": path, "content": content},
        }
    return {
        "timestamp": 1,
        "cwd": str(cwd),
        "toolName": "create",
        "toolArgs": json.dumps({"path": path, "file_text": content}),
    }


def edit_payload(agent, path, old, new, cwd):
    if agent == "claude":
        return claude("Edit", {"file_path": path, "old_string": old, "new_string": new}, cwd)
    if agent == "claude-multi":
        return claude("MultiEdit", {"file_path": path, "edits": [{"old_string": old, "new_string": new}]}, cwd)
    if agent == "gemini":
        return {
            "session_id": "s1",
            "cwd": str(cwd),
            "hook_event_name": "BeforeTool",
            "tool_name": "replace",
            "tool_input": {"file_path": path, "old_string": old, "new_string": new},
        }
    if agent == "cursor":
        return {
            "conversation_id": "c1",
            "workspace_roots": [str(cwd)],
            "hook_event_name": "preToolUse",
            "tool_name": "StrReplace",
            "tool_input": {"file_path": path, "old_string": old, "new_string": new},
        }
    return {
        "timestamp": 1,
        "cwd": str(cwd),
        "toolName": "edit",
        "toolArgs": json.dumps({"path": path, "old_str": old, "new_str": new}),
    }


# Copilot CLI cannot ask a person from a hook: its "ask" is a deny that says a person must approve.
ASKED = {"claude": "ask", "claude-multi": "ask", "gemini": "ask", "cursor": "ask", "copilot": "deny", "codex": "deny"}
PROTECTED = [
    "blastguard.toml",
    ".claude/settings.json",
    ".claude/settings.local.json",
    ".codex/hooks.json",
    ".gemini/settings.json",
    ".cursor/hooks.json",
    ".github/hooks/guard.json",
    ".git/hooks/pre-commit",
    ".husky/pre-push",
    ".pre-commit-config.yaml",
    ".blastguard_cache/config.json",
]


@pytest.mark.parametrize("agent", ["claude", "gemini", "cursor", "copilot"])
@pytest.mark.parametrize("path", PROTECTED)
def test_file_tools_writing_what_runs_the_guard_ask(agent, path, project):
    answer = hook(write_payload(agent, path, "{}\n", project), project)
    assert decision(answer) == ASKED[agent], answer
    assert "BG003 guard-tampering" in reason(answer)


@pytest.mark.parametrize("agent", ["claude", "claude-multi", "gemini", "cursor", "copilot"])
def test_file_tools_editing_hook_settings_ask_with_absolute_and_home_paths(agent, project):
    home = project / "home"
    (home / ".claude").mkdir(parents=True)
    (home / ".claude" / "settings.json").write_text('{"hooks": {"PreToolUse": []}}\n')
    (project / ".git" / "hooks").mkdir()
    (project / ".git" / "hooks" / "pre-commit").write_text("#!/bin/sh\nblastguard check --staged\n")
    for path in (str(home / ".claude" / "settings.json"), str(project / ".git" / "hooks" / "pre-commit")):
        old = "PreToolUse" if "settings" in path else "blastguard check --staged"
        answer = hook(edit_payload(agent, path, old, "Ignored" if "settings" in path else "true", project), project)
        assert decision(answer) == ASKED[agent], (path, answer)


@pytest.mark.parametrize("agent", ["claude", "gemini", "cursor", "copilot"])
def test_file_tools_writing_ordinary_files_next_to_them_stay_allowed(agent, project):
    for path in ("notes/blastguard.md", ".claude/commands/review.md", "docs/settings.json", "hooks/pre-commit.txt"):
        assert hook(write_payload(agent, path, "text\n", project), project) == "", path


PYPROJECT = '[project]\nname = "app"\nversion = "1.0"\n\n[tool.blastguard]\nfail-on = "warning"\n'


@pytest.mark.parametrize(
    ("old", "new", "asks"),
    [
        ('version = "1.0"', 'version = "1.1"', False),  # an ordinary edit
        ('name = "app"', 'name = "app"\ndependencies = ["requests"]', False),
        ('fail-on = "warning"', 'fail-on = "error"', True),  # loosens the guard
        ('fail-on = "warning"', 'fail-on = "warning"\nignore = ["ALL"]', True),
        ('[tool.blastguard]\nfail-on = "warning"\n', "", True),  # removes the table
        ("[tool.blastguard]", "[tool.blastguardx]", True),
        ('version = "1.0"', 'version = "1.0"\n[tool.blastguard.severity]\nSQL101 = "note"', True),
        ('version = "1.0"', "version = [", True),  # unreadable, and the table is there
    ],
)
def test_pyproject_edits_ask_only_when_blastguards_table_changes(old, new, asks, project):
    (project / "pyproject.toml").write_text(PYPROJECT)
    answer = hook(
        claude("Edit", {"file_path": "pyproject.toml", "old_string": old, "new_string": new}, project), project
    )
    assert decision(answer) == ("ask" if asks else "allow"), answer


def test_pyproject_edits_are_read_where_tomllib_is_missing(project, monkeypatch):
    """Python 3.10 has no tomllib: an edit is read with the configuration's TOML parser (tomli there)."""
    parser = config.toml_parser()
    monkeypatch.setitem(sys.modules, "tomllib", None)  # importing it fails, as on Python 3.10
    monkeypatch.setattr(config, "toml_parser", lambda: parser)  # tomli, there
    (project / "pyproject.toml").write_text(PYPROJECT)
    ordinary = {"file_path": "pyproject.toml", "old_string": 'version = "1.0"', "new_string": 'version = "1.1"'}
    assert hook_calls.call("Edit", ordinary, project, project).decision == "allow"
    loosening = {"file_path": "pyproject.toml", "old_string": '"warning"', "new_string": '"error"'}
    assert hook_calls.call("Edit", loosening, project, project).decision == "ask"


def test_pyproject_without_our_table(project):
    (project / "pyproject.toml").write_text('[project]\nname = "app"\n')
    add = claude(
        "Edit",
        {
            "file_path": "pyproject.toml",
            "old_string": 'name = "app"',
            "new_string": 'name = "app"\n\n[tool.blastguard]\nignore = ["ALL"]',
        },
        project,
    )
    assert decision(hook(add, project)) == "ask"
    dotted = claude(
        "Write", {"file_path": "pyproject.toml", "content": '[tool]\nblastguard = {ignore = ["ALL"]}\n'}, project
    )
    assert decision(hook(dotted, project)) == "ask"
    broken = claude("Write", {"file_path": "pyproject.toml", "content": '[project\nname = "app"\n'}, project)
    assert hook(broken, project) == ""  # broken, but never ours
    new = claude("Write", {"file_path": "sub/pyproject.toml", "content": '[project]\nname = "sub"\n'}, project)
    assert hook(new, project) == ""
    # through the shell, what is written cannot be seen: it asks
    assert decision(hook(claude("Bash", {"command": "sed -i 's/1.0/1.1/' pyproject.toml"}, project), project)) == "ask"


@pytest.mark.parametrize(
    ("agent", "payload"),
    [
        ("claude", lambda p: claude("Bash", {"command": "echo '{}' > .claude/settings.json"}, p)),
        (
            "codex",
            lambda p: {
                "session_id": "s",
                "cwd": str(p),
                "hook_event_name": "PreToolUse",
                "model": "gpt-5",
                "tool_name": "Bash",
                "tool_input": {"command": "git config core.hooksPath /dev/null"},
            },
        ),
        (
            "gemini",
            lambda p: {
                "session_id": "s",
                "cwd": str(p),
                "hook_event_name": "BeforeTool",
                "tool_name": "run_shell_command",
                "tool_input": {"command": "rm ~/.gemini/settings.json"},
            },
        ),
        (
            "cursor",
            lambda p: {
                "conversation_id": "c",
                "generation_id": "g",
                "hook_event_name": "beforeShellExecution",
                "workspace_roots": [str(p)],
                "command": "ln -sf /dev/null .git/hooks/pre-commit",
            },
        ),
        (
            "copilot",
            lambda p: {
                "timestamp": 1,
                "cwd": str(p),
                "toolName": "bash",
                "toolArgs": json.dumps({"command": "python3 -c \"open('blastguard.toml','w')\""}),
            },
        ),
    ],
)
def test_shell_tampering_asks_in_every_agents_protocol(agent, payload, project):
    answer = hook(payload(project), project)
    assert decision(answer) == ASKED[agent] and "BG003" in reason(answer), answer


# --- an edit that only silences the guard ---------------------------------------------------------


SUPPRESS = (
    "DELETE FROM sessions;",
    "-- blastguard: ignore[SQL101] sessions are rebuilt nightly\nDELETE FROM sessions;",
)


@pytest.mark.parametrize("agent", ["claude", "claude-multi", "gemini", "cursor", "copilot"])
def test_an_edit_that_only_adds_a_suppression_asks(agent, project):
    (project / "purge.sql").write_text("SELECT 1;\nDELETE FROM sessions;\n")
    answer = hook(edit_payload(agent, "purge.sql", *SUPPRESS, project), project)
    assert decision(answer) == ASKED[agent], answer
    assert "BG004 suppression-added" in reason(answer) and "sessions are rebuilt nightly" in reason(answer)


@pytest.mark.parametrize("trusted", [False, True])
def test_silencing_an_existing_finding_asks_whatever_else_the_edit_does(trusted, project, tmp_path_factory):
    config = tmp_path_factory.mktemp("cfg") / "hook.toml"
    config.write_text(f"hook-trust-suppressions = {'true' if trusted else 'false'}\n")
    (project / "purge.sql").write_text("SELECT 1;\nDELETE FROM sessions;\n")
    same_line = claude(
        "Edit",
        {
            "file_path": "purge.sql",
            "old_string": "DELETE FROM sessions;",
            "new_string": "DELETE FROM sessions; -- blastguard: ignore[unbounded-delete] ok",
        },
        project,
    )
    assert decision(hook(same_line, project, "--config", config)) == "ask"
    with_a_real_change = claude(
        "Write",
        {
            "file_path": "purge.sql",
            "content": ("SELECT 2;\n-- blastguard: ignore[SQL101] rebuilt nightly\nDELETE FROM sessions;\n"),
        },
        project,
    )
    answer = hook(with_a_real_change, project, "--config", config)
    assert decision(answer) == "ask" and "BG004" in reason(answer)
    (project / "run.sh").write_text("#!/bin/sh\nterraform destroy -auto-approve\n")
    shell = claude(
        "Edit",
        {
            "file_path": "run.sh",
            "old_string": "#!/bin/sh\n",
            "new_string": "#!/bin/sh\n# blastguard: ignore[SH101] review stack\n",
        },
        project,
    )
    assert decision(hook(shell, project, "--config", config)) == "ask"


def test_new_code_with_its_own_suppression_is_judged_as_that_code(project, tmp_path_factory):
    (project / "purge.sql").write_text("SELECT 1;\n")
    add = claude(
        "Edit",
        {
            "file_path": "purge.sql",
            "old_string": "SELECT 1;\n",
            "new_string": "SELECT 1;\n-- blastguard: ignore[SQL101] scratch table\nDELETE FROM scratch;\n",
        },
        project,
    )
    answer = hook(add, project)
    assert decision(answer) == "deny" and "SQL101" in reason(answer)  # not trusted: the DELETE itself is judged
    trusting = tmp_path_factory.mktemp("cfg") / "hook.toml"
    trusting.write_text("hook-trust-suppressions = true\n")
    assert hook(add, project, "--config", trusting) == ""  # a person chose to trust them


def test_edits_that_keep_reword_or_remove_a_suppression_do_not_ask(project):
    (project / "purge.sql").write_text("-- blastguard: ignore[SQL101] scratch table\nDELETE FROM scratch;\n")
    keep = claude(
        "Edit",
        {
            "file_path": "purge.sql",
            "old_string": "DELETE FROM scratch;",
            "new_string": "DELETE FROM scratch;\nSELECT 1;",
        },
        project,
    )
    assert hook(keep, project) == ""
    reword = claude(
        "Edit", {"file_path": "purge.sql", "old_string": "scratch table", "new_string": "rebuilt hourly"}, project
    )
    assert hook(reword, project) == ""  # the finding was silenced before the edit too
    drop = claude(
        "Edit",
        {"file_path": "purge.sql", "old_string": "-- blastguard: ignore[SQL101] scratch table\n", "new_string": ""},
        project,
    )
    assert hook(drop, project) == ""


@pytest.mark.parametrize("trusted", [False, True])
def test_the_mcp_servers_diff_check_judges_suppressions_as_the_hook_does(trusted, project):
    from blastguard.interfaces.mcp_server import Checker

    (project / "purge.sql").write_text("SELECT 1;\nDELETE FROM sessions;\n")
    checker = Checker(Config(root=str(project), hook_trust_suppressions=trusted), root=str(project))
    silence = (
        "--- a/purge.sql\n+++ b/purge.sql\n@@ -1,2 +1,3 @@\n SELECT 1;\n"
        "+-- blastguard: ignore[SQL101] sessions are rebuilt nightly\n DELETE FROM sessions;\n"
    )
    result = checker.check_diff(silence, str(project))
    assert result["decision"] == "ask" and [f["rule_id"] for f in result["findings"]] == ["BG004"]
    own = (
        "--- a/purge.sql\n+++ b/purge.sql\n@@ -1,2 +1,4 @@\n SELECT 1;\n DELETE FROM sessions;\n"
        "+-- blastguard: ignore[SQL101] scratch table\n+DELETE FROM scratch;\n"
    )
    result = checker.check_diff(own, str(project))
    assert [f["rule_id"] for f in result["findings"]] == ([] if trusted else ["SQL101"])


# --- any tool, any agent ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tool", "tool_input", "expected"),
    [
        ("mcp__postgres__query", {"sql": "DROP TABLE users"}, "deny"),
        ("mcp__postgres__query", {"sql": "DELETE FROM users WHERE id = 4"}, "allow"),
        ("mcp__postgres__query", {"sql": "SELECT * FROM users"}, "allow"),
        ("mcp__db__execute", {"statements": [{"sql": "SELECT 1"}, {"sql": "TRUNCATE orders"}]}, "deny"),
        ("mcp__supabase__execute_sql", {"project_id": "p1", "query": "DELETE FROM accounts"}, "deny"),
        ("mcp__neon__run_sql", {"params": {"sql": "UPDATE users SET admin = true"}}, "deny"),
        ("mcp__neon__run_sql", {"params": {"sql": "DROP INDEX idx_users_email"}}, "ask"),
        ("mcp__shell__execute", {"command": "terraform destroy -auto-approve"}, "deny"),
        ("mcp__desktop__start_process", {"command": "rm", "args": ["-rf", "/"]}, "deny"),
        ("mcp__desktop__start_process", {"command": "ls", "args": ["-la"]}, "allow"),
        ("mcp__github__search_code", {"query": "DROP TABLE users"}, "allow"),
        ("mcp__docs__lookup", {"text": "DELETE FROM users;"}, "allow"),  # a tool that reads: nothing sniffed
        ("mcp__analytics__run", {"text": "DELETE FROM users;"}, "deny"),  # the very shape of a destructive statement
        ("mcp__notes__create", {"title": "todo", "body": "Delete from the list please"}, "allow"),
        ("mcp__filesystem__write_file", {"path": ".claude/settings.json", "content": "{}"}, "ask"),
        ("mcp__filesystem__read_file", {"path": ".claude/settings.json"}, "allow"),
        ("mcp__filesystem__write_file", {"path": "notes.md", "content": "DROP TABLE is documented here"}, "allow"),
        ("WebSearch", {"query": "DROP TABLE users postgres"}, "allow"),
        ("Read", {"file_path": "blastguard.toml"}, "allow"),
        ("Task", {"description": "cleanup", "prompt": "run DELETE FROM users"}, "allow"),
    ],
)
def test_claude_any_tool_is_checked_by_what_its_input_carries(tool, tool_input, expected, project):
    assert decision(hook(claude(tool, tool_input, project), project)) == expected


def test_gemini_cursor_and_copilot_mcp_tools_are_checked(project):
    gemini = {
        "session_id": "s",
        "cwd": str(project),
        "hook_event_name": "BeforeTool",
        "tool_name": "postgres__query",
        "tool_input": {"sql": "DROP DATABASE app"},
        "mcp_context": {"server_name": "postgres"},
    }
    assert decision(hook(gemini, project)) == "deny"
    cursor_tool = {
        "conversation_id": "c",
        "workspace_roots": [str(project)],
        "hook_event_name": "preToolUse",
        "tool_name": "MCP:query",
        "tool_input": {"sql": "TRUNCATE users"},
    }
    assert decision(hook(cursor_tool, project)) == "deny"
    cursor_mcp = {
        "conversation_id": "c",
        "workspace_roots": [str(project)],
        "hook_event_name": "beforeMCPExecution",
        "tool_name": "query",
        "tool_input": json.dumps({"sql": "DELETE FROM users"}),
        "command": "npx -y @modelcontextprotocol/server-postgres",
    }
    assert decision(hook(cursor_mcp, project)) == "deny"
    benign = {**cursor_mcp, "tool_input": json.dumps({"sql": "SELECT count(*) FROM users"})}
    assert hook(benign, project) == ""
    typed = {
        "timestamp": 1,
        "cwd": str(project),
        "toolName": "write_bash",
        "toolArgs": json.dumps({"shellId": "1", "input": "terraform destroy -auto-approve\n", "delay": 5}),
    }
    assert decision(hook(typed, project)) == "deny"  # typed into a shell started earlier: it runs
    copilot = {
        "timestamp": 1,
        "cwd": str(project),
        "toolName": "postgres-query",
        "toolArgs": json.dumps({"query": "DROP TABLE users"}),
    }
    assert decision(hook(copilot, project)) == "deny"


def test_every_call_is_audited_known_tool_or_not(project):
    trusted = project / "home" / "hook.toml"  # the audit trail is named by the hook's own --config
    trusted.parent.mkdir(exist_ok=True)
    trusted.write_text(f'audit-log = "{project}/logs/hook.jsonl"\n')
    calls = [
        claude("Read", {"file_path": "README.md"}, project),
        claude("mcp__postgres__query", {"sql": "DROP TABLE users"}, project),
        claude("mcp__memory__store", {"note": "remember this"}, project),
        {
            "conversation_id": "c",
            "workspace_roots": [str(project)],
            "hook_event_name": "beforeReadFile",
            "file_path": "README.md",
            "content": "x",
        },
        {"timestamp": 1, "cwd": str(project), "toolName": "view", "toolArgs": json.dumps({"path": "README.md"})},
    ]
    for payload in calls:
        hook(payload, project, "--config", str(trusted))
    entries = [json.loads(line) for line in (project / "logs" / "hook.jsonl").read_text().splitlines()]
    assert [(e["agent"], e["tool"], e["decision"], e["rules"]) for e in entries] == [
        ("claude", "Read", "allow", []),
        ("claude", "mcp__postgres__query", "deny", ["SQL202"]),
        ("claude", "mcp__memory__store", "allow", []),
        ("cursor", "beforeReadFile", "allow", []),
        ("copilot", "view", "allow", []),
    ]
    assert "DROP TABLE" not in (project / "logs" / "hook.jsonl").read_text()


def test_print_config_sends_every_tool_to_the_hook(project):
    def snippet(agent):
        return json.loads(out(run_cli("hook", "--print-config", agent, cwd=project)))

    assert snippet("claude")["hooks"]["PreToolUse"][0]["matcher"] == "*"
    assert snippet("gemini")["hooks"]["BeforeTool"][0]["matcher"] == ".*"
    assert set(snippet("cursor")["hooks"]) == {"beforeShellExecution", "preToolUse", "beforeMCPExecution"}
    assert "matcher" not in snippet("copilot")["hooks"]["preToolUse"][0]  # every tool already


def test_blastguard_check_does_not_report_guard_tampering(project):
    """Install scripts write git hooks legitimately: only the agent hook asks about them."""
    (project / "install.sh").write_text(
        "#!/bin/sh\ncp hooks/pre-commit .git/hooks/pre-commit\ngit config core.hooksPath .githooks\n"
    )
    result = run_cli("check", "--format", "json", "install.sh", cwd=project)
    assert result.returncode == 0, err(result)
    assert json.loads(out(result))["findings"] == []


def test_guarded_locations_are_listed_in_one_module():
    from blastguard.interfaces import guarded_paths

    whats = {g.parts: g.what for g in guarded_paths.GUARDED}
    for parts in [
        ("blastguard.toml",),
        (".claude", "settings.json"),
        (".codex", "hooks.json"),
        (".codex", "config.toml"),
        (".gemini", "settings.json"),
        (".cursor", "hooks.json"),
        (".github", "hooks"),
        (".copilot", "hooks"),
        (".git", "hooks"),
        (".husky",),
        (".pre-commit-config.yaml",),
        (".cache", "blastguard"),
    ]:
        assert parts in whats, parts
    assert os.path.basename(guarded_paths.resolve("~/x/../.claude/settings.json", "/w", "/h")) == "settings.json"
    assert guarded_paths.resolve("~/x/../.claude/settings.json", "/w", "/h") == "/h/.claude/settings.json"
    assert guarded_paths.resolve("$HOME/.gemini/settings.json", "/w", "/h") == "/h/.gemini/settings.json"
    assert guarded_paths.resolve("../a", "/w/b", "/h") == "/w/a"
