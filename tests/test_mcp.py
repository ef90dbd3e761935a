"""`blastguard mcp`: the real server, started as a subprocess and driven by the mcp package's stdio client."""

import json
import os
import subprocess
import sys

import pytest

from conftest import REPO

pytest.importorskip("mcp", reason="the optional mcp extra is not installed")

from mcp import ClientSession  # noqa: E402
from mcp.client.stdio import StdioServerParameters, stdio_client  # noqa: E402

pytestmark = pytest.mark.anyio

TOOLS = {"check_command", "check_file", "check_diff", "explain_rule"}

PURGE = """import sqlite3


def purge(conn):
    cursor = conn.cursor()
    cursor.execute("DELETE FROM users")
"""

PURGE_IGNORED = PURGE.replace(
    '    cursor.execute("DELETE FROM users")',
    '    # blastguard: ignore[SQL101] the table is rebuilt nightly\n    cursor.execute("DELETE FROM users")',
)

DIFF = """diff --git a/db/cleanup.sql b/db/cleanup.sql
new file mode 100644
--- /dev/null
+++ b/db/cleanup.sql
@@ -0,0 +1,2 @@
+SELECT 1;
+DELETE FROM users;
"""


@pytest.fixture(scope="module")
def anyio_backend():
    return "asyncio"


def _parameters(cwd, *extra):
    # A fixed, minimal environment: production evidence in the developer's own shell must not leak in.
    env = {"PATH": "/usr/bin:/bin", "HOME": str(cwd), "NO_COLOR": "1"}
    return StdioServerParameters(
        command=sys.executable, args=["-m", "blastguard", "mcp", *extra], cwd=str(cwd), env=env
    )


@pytest.fixture(scope="module")
def server_project(tmp_path_factory):
    project = tmp_path_factory.mktemp("mcp-project")
    (project / ".git").mkdir()
    return project


@pytest.fixture(scope="module")
def server_config(tmp_path_factory):
    """The file named with --config: the only one whose settings may loosen the guard."""
    config = tmp_path_factory.mktemp("mcp-settings") / "server.toml"
    config.write_text('ignore = ["SQL107"]\n')
    return config


@pytest.fixture(scope="module")
async def session(server_project, server_config):
    """One server for the whole module: starting Python and importing mcp dominates the cost."""
    async with stdio_client(_parameters(server_project, "--config", str(server_config))) as (read, write):
        async with ClientSession(read, write) as client:
            await client.initialize()
            yield client


def _dump(result) -> dict:
    """The result as on the wire (camelCase keys), whichever major version of mcp is installed."""
    return result.model_dump(by_alias=True, exclude_none=True)


async def _check(session, tool: str, arguments: dict) -> dict:
    result = _dump(await session.call_tool(tool, arguments))
    assert not result.get("isError"), result
    [content] = result["content"]
    data = json.loads(content["text"])
    if "structuredContent" in result:  # mcp >= 1.10 also sends it structured
        assert result["structuredContent"] == data
    return data


async def _error(session, tool: str, arguments: dict) -> str:
    result = _dump(await session.call_tool(tool, arguments))
    assert result.get("isError") is True, result
    return result["content"][0]["text"]


async def test_lists_the_four_tools_with_their_input_schemas(session):
    tools = {tool.name: _dump(tool) for tool in (await session.list_tools()).tools}
    assert set(tools) == TOOLS
    assert set(tools["check_command"]["inputSchema"]["properties"]) == {"command", "cwd"}
    assert tools["check_command"]["inputSchema"]["required"] == ["command"]
    assert set(tools["check_file"]["inputSchema"]["properties"]) == {"path", "content"}
    assert sorted(tools["check_file"]["inputSchema"]["required"]) == ["content", "path"]
    assert set(tools["check_diff"]["inputSchema"]["properties"]) == {"patch", "root"}
    assert set(tools["explain_rule"]["inputSchema"]["properties"]) == {"rule_id"}
    for name in TOOLS:
        assert tools[name]["description"].strip()


async def test_a_destroy_disguised_behind_bash_c_is_denied(session):
    command = 'bash -c "terraform destroy -auto-approve"'
    result = await _check(session, "check_command", {"command": command})
    assert result["decision"] == "deny"
    assert result["notifications"] == []
    [finding] = result["findings"]
    start = command.index("terraform") + 1
    assert finding == {
        "rule_id": "SH101",
        "rule_name": "terraform-destroy",
        "severity": "error",
        "message": finding["message"],
        "line": 1,
        "column": start,
        "end_line": 1,
        "end_column": start + len("terraform destroy -auto-approve"),
        "snippet": "terraform destroy -auto-approve",
    }
    assert "terraform destroy -auto-approve" in finding["message"]


async def test_an_echo_of_a_destroy_is_allowed_with_no_findings(session, server_project):
    result = await _check(session, "check_command", {"command": 'echo "terraform destroy"', "cwd": str(server_project)})
    assert result == {"decision": "allow", "findings": [], "notifications": []}


async def test_a_warning_asks(session):
    result = await _check(session, "check_command", {"command": "git reset --hard"})
    assert result["decision"] == "ask"
    assert [(f["rule_id"], f["severity"]) for f in result["findings"]] == [("SH401", "warning")]


async def test_sql_in_a_python_file_is_denied_at_its_exact_position(session):
    result = await _check(session, "check_file", {"path": "app/cleanup.py", "content": PURGE})
    assert result["decision"] == "deny"
    [finding] = result["findings"]
    line = PURGE.splitlines()[5]
    start = line.index("DELETE") + 1
    assert (finding["rule_id"], finding["rule_name"], finding["severity"]) == ("SQL101", "unbounded-delete", "error")
    assert (finding["line"], finding["column"], finding["end_line"], finding["end_column"]) == (
        6,
        start,
        6,
        start + len("DELETE FROM users"),
    )
    assert finding["snippet"] == "DELETE FROM users"


async def test_an_ignore_comment_in_checked_content_is_not_trusted(session):
    result = await _check(session, "check_file", {"path": "app/cleanup.py", "content": PURGE_IGNORED})
    assert result["decision"] == "deny"
    assert [f["rule_id"] for f in result["findings"]] == ["SQL101"]
    assert result["findings"][0]["line"] == 7


async def test_the_configuration_given_with_config_applies(session):
    # The --config file ignores SQL107; SQL101 is still reported.
    result = await _check(session, "check_file", {"path": "q.sql", "content": "DELETE FROM users WHERE id = 1;\n"})
    assert result == {"decision": "allow", "findings": [], "notifications": []}


async def test_a_file_type_blastguard_does_not_read_is_allowed_with_a_note(session):
    result = await _check(
        session, "check_file", {"path": "notes.txt", "content": "Remember to back up the database first.\n"}
    )
    assert result["decision"] == "allow"
    assert result["findings"] == []
    assert [n["kind"] for n in result["notifications"]] == ["skipped"]


async def test_check_diff_judges_what_the_patch_adds(session, server_project):
    result = await _check(session, "check_diff", {"patch": DIFF, "root": str(server_project)})
    assert result["decision"] == "deny"
    assert result["notifications"] == []
    [finding] = result["findings"]
    assert finding["path"].replace("\\", "/").endswith("db/cleanup.sql")
    assert (finding["rule_id"], finding["severity"]) == ("SQL101", "error")
    assert (finding["line"], finding["column"], finding["end_line"], finding["end_column"]) == (2, 1, 2, 18)
    assert finding["snippet"] == "DELETE FROM users"


async def test_check_diff_leaves_out_what_was_already_there(session, server_project):
    (server_project / "db").mkdir(exist_ok=True)
    (server_project / "db" / "old.sql").write_text("DELETE FROM users;\n")
    patch = "--- a/db/old.sql\n+++ b/db/old.sql\n@@ -1 +1,2 @@\n DELETE FROM users;\n+SELECT 1;\n"
    result = await _check(session, "check_diff", {"patch": patch, "root": str(server_project)})
    assert result == {"decision": "allow", "findings": [], "notifications": []}


async def test_check_diff_does_not_trust_an_ignore_comment_the_patch_adds(session, server_project):
    patch = DIFF.replace("+DELETE FROM users;", "+DELETE FROM users; -- blastguard: ignore[SQL101] scratch table")
    result = await _check(session, "check_diff", {"patch": patch, "root": str(server_project)})
    assert result["decision"] == "deny"
    assert [f["rule_id"] for f in result["findings"]] == ["SQL101"]


async def test_a_patch_that_does_not_apply_is_an_error(session, server_project):
    patch = "--- a/missing.sql\n+++ b/missing.sql\n@@ -1 +1 @@\n-SELECT 1;\n+DELETE FROM users;\n"
    message = await _error(session, "check_diff", {"patch": patch, "root": str(server_project)})
    assert "missing.sql" in message


async def test_explain_rule_prints_the_rule_documentation(session):
    result = _dump(await session.call_tool("explain_rule", {"rule_id": "SQL101"}))
    assert not result.get("isError")
    text = result["content"][0]["text"]
    expected = subprocess.run(
        [sys.executable, "-m", "blastguard", "rule", "SQL101"], capture_output=True, text=True, cwd=REPO, check=True
    ).stdout
    assert text == expected
    assert text.startswith("SQL101 unbounded-delete (error, sql)")


async def test_explain_rule_of_an_unknown_id_is_a_clear_error(session):
    message = await _error(session, "explain_rule", {"rule_id": "SQL999"})
    assert "no rule 'SQL999'" in message


async def test_check_file_without_a_path_is_an_error(session):
    message = await _error(session, "check_file", {"path": "", "content": "DELETE FROM users;"})
    assert "path must name the file" in message


async def test_trusted_suppressions_when_the_configuration_says_so(tmp_path):
    (tmp_path / ".git").mkdir()
    config = tmp_path / "trusting.toml"
    config.write_text("hook-trust-suppressions = true\n")
    async with stdio_client(_parameters(tmp_path, "--config", str(config))) as (read, write):
        async with ClientSession(read, write) as client:
            await client.initialize()
            result = await _check(client, "check_file", {"path": "app/cleanup.py", "content": PURGE_IGNORED})
            patch = DIFF.replace(
                "+DELETE FROM users;", "+DELETE FROM users; -- blastguard: ignore[SQL101] scratch table"
            )
            from_diff = await _check(client, "check_diff", {"patch": patch})  # root: the server's folder
    assert result == {"decision": "allow", "findings": [], "notifications": []}
    assert from_diff == {"decision": "allow", "findings": [], "notifications": []}


def test_a_check_that_fails_inside_answers_at_least_hook_on_error(monkeypatch):
    from blastguard.config import Config
    from blastguard.engine import Engine
    from blastguard.interfaces.mcp_server import Checker
    from blastguard.model import Notification

    def broken(self, source, fs_path=None):
        return [], [Notification(source.path, "internal error while checking this file", "internal-error", "error")]

    monkeypatch.setattr(Engine, "check_source", broken)
    result = Checker(Config(hook_on_error="deny")).check_command("ls")
    assert result["decision"] == "deny"
    assert [n["kind"] for n in result["notifications"]] == ["internal-error"]
    assert Checker(Config()).check_command("ls")["decision"] == "ask"  # the default
    assert Checker(Config(hook_on_error="allow")).check_command("ls")["decision"] == "allow"


def test_without_the_mcp_extra_it_says_how_to_install_it():
    code = "import sys; sys.modules['mcp'] = None; from blastguard.interfaces.cli import main; sys.exit(main(['mcp']))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.returncode == 2
    assert result.stderr == "blastguard mcp needs the optional mcp extra: pip install 'blastguard[mcp]'\n"
    assert result.stdout == ""


def test_a_bad_configuration_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "blastguard.toml").write_text("no-such-key = 1\n")
    result = subprocess.run(
        [sys.executable, "-m", "blastguard", "mcp"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("blastguard: error:") and "unknown key 'no-such-key'" in result.stderr
    assert result.stderr.count("\n") == 1


# --- confinement: every tool stays inside the server's root ----------------------------------------------

SECRET = "secret-line-9d2e\n"


@pytest.fixture
def confined(tmp_path):
    """(checker, root): a root with a file, a folder, and symlinks pointing out of it to a secret."""
    from blastguard.config import Config
    from blastguard.interfaces.mcp_server import Checker

    root, elsewhere = tmp_path / "root", tmp_path / "elsewhere"
    (root / ".git").mkdir(parents=True)
    (root / "db").mkdir()
    (root / "db" / "old.sql").write_text("SELECT 1;\n")
    elsewhere.mkdir()
    (elsewhere / "secret.sql").write_text(SECRET)
    (root / "leak.sql").symlink_to(elsewhere / "secret.sql")
    (root / "out").symlink_to(elsewhere, target_is_directory=True)
    (root / "inner").symlink_to(root / "db", target_is_directory=True)
    return Checker(Config(), root=str(root)), root


def _refused(call, *args) -> str:
    from blastguard.interfaces.mcp_server import CheckError

    with pytest.raises(CheckError) as refused:
        call(*args)
    message = str(refused.value)
    assert "secret-line" not in message
    return message


PATCH_OF = "--- a/{0}\n+++ b/{0}\n@@ -1 +1 @@\n-SELECT 2;\n+DELETE FROM users;\n"


@pytest.mark.parametrize("root", ["..", "../elsewhere", "out", "db/../..", "/", "/etc", "{tmp}", "{tmp}/elsewhere"])
def test_check_diff_refuses_a_root_outside_the_servers(confined, tmp_path, root):
    checker, _ = confined
    root = root.format(tmp=tmp_path)
    message = _refused(checker.check_diff, PATCH_OF.format("secret.sql"), root)
    assert f"root {root!r} is outside the folder this server checks" in message


@pytest.mark.parametrize("path", ["leak.sql", "out/secret.sql", "inner/../out/secret.sql"])
def test_check_diff_never_quotes_a_file_reached_through_a_symlink(confined, path):
    checker, _ = confined
    message = _refused(checker.check_diff, PATCH_OF.format(path))
    assert "leads out of the folder the patch applies to, through a symbolic link" in message


@pytest.mark.skipif(not os.path.exists("/etc/passwd"), reason="no /etc/passwd here")
def test_a_diff_against_etc_passwd_does_not_quote_it(confined):
    checker, root = confined
    (root / "users.sql").symlink_to("/etc/passwd")
    first = open("/etc/passwd", encoding="utf-8", errors="replace").readline().strip()
    for patch, where in [
        (PATCH_OF.format("users.sql"), None),
        (PATCH_OF.format("passwd"), "/etc"),
        (PATCH_OF.format("../../../../../../../etc/passwd"), None),
        (PATCH_OF.format("/etc/passwd"), None),
    ]:
        message = _refused(checker.check_diff, patch, where)
        assert first not in message


def test_check_diff_inside_the_root_still_works(confined):
    checker, root = confined
    patch = "--- a/db/old.sql\n+++ b/db/old.sql\n@@ -1 +1,2 @@\n SELECT 1;\n+DELETE FROM users;\n"
    for where in (None, str(root), "db/..", "inner/.."):
        result = checker.check_diff(patch, where)
        assert result["decision"] == "deny" and [f["rule_id"] for f in result["findings"]] == ["SQL101"]
    via_link = "--- a/old.sql\n+++ b/old.sql\n@@ -1 +1,2 @@\n SELECT 1;\n+DELETE FROM users;\n"
    assert checker.check_diff(via_link, "inner")["decision"] == "deny"  # a symlink that stays inside
    mismatch = _refused(checker.check_diff, PATCH_OF.format("db/old.sql"))
    assert "line 1 is `SELECT 1;`" in mismatch  # inside the root, a mismatch is quoted as before


@pytest.mark.parametrize("cwd", ["..", "/", "/etc", "out", "{tmp}/elsewhere", "db/../../elsewhere"])
def test_check_command_refuses_a_cwd_outside_the_root(confined, tmp_path, cwd):
    checker, _ = confined
    cwd = cwd.format(tmp=tmp_path)
    assert f"cwd {cwd!r} is outside the folder this server checks" in _refused(checker.check_command, "ls", cwd)


def test_check_command_inside_the_root(confined):
    checker, root = confined
    for cwd in (None, str(root), "db", str(root / "db"), "inner"):
        assert checker.check_command("rm -rf ~", cwd)["decision"] == "deny"


@pytest.mark.parametrize("path", ["../x.sql", "/etc/x.sql", "out/x.sql", "{tmp}/elsewhere/x.sql", "db/../../x.sql"])
def test_check_file_refuses_a_path_outside_the_root(confined, tmp_path, path):
    checker, _ = confined
    path = path.format(tmp=tmp_path)
    assert f"path {path!r} is outside the folder this server checks" in _refused(
        checker.check_file, path, "DELETE FROM users;\n"
    )


def test_check_file_inside_the_root(confined):
    checker, root = confined
    for path in ("new/x.sql", str(root / "db" / "x.sql"), "inner/x.sql"):
        assert checker.check_file(path, "DELETE FROM users;\n")["decision"] == "deny"


# --- configuration: the project's file may only tighten --------------------------------------------------


def test_the_projects_loosening_keys_are_ignored_and_named_in_every_result(tmp_path):
    from blastguard.config import discover_guarded
    from blastguard.interfaces.mcp_server import Checker

    (tmp_path / ".git").mkdir()
    (tmp_path / "blastguard.toml").write_text(
        'ignore = ["ALL"]\nhook-trust-suppressions = true\n[severity]\nSH401 = "error"\n'
    )
    config, notices = discover_guarded(str(tmp_path))
    checker = Checker(config, root=str(tmp_path), notices=notices)
    result = checker.check_command("rm -rf ~  # blastguard: ignore[SH301] fine")
    assert result["decision"] == "deny"
    [notice] = [n for n in result["notifications"] if n["kind"] == "configuration-ignored"]
    assert "blastguard ignored ignore, hook-trust-suppressions in " in notice["message"]
    assert notice["level"] == "note"
    assert checker.check_command("git reset --hard")["decision"] == "deny"  # the raised severity applies
    assert checker.check_file("x.sql", "SELECT 1;\n")["notifications"] == result["notifications"]


async def test_the_real_server_confines_its_tools_and_ignores_a_loosening_project(tmp_path):
    root = tmp_path / "project"
    (root / ".git").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[tool.blastguard]\nignore = ["SH301", "SQL101"]\nhook-on-error = "allow"\n')
    (root / "users.sql").symlink_to(tmp_path / "secret.sql")
    (tmp_path / "secret.sql").write_text(SECRET)
    # Started from elsewhere: --root, not the working directory, is what the tools may read.
    async with stdio_client(_parameters(tmp_path, "--root", str(root))) as (read, write):
        async with ClientSession(read, write) as client:
            await client.initialize()
            command = await _check(client, "check_command", {"command": "rm -rf ~"})
            diff = await _check(client, "check_diff", {"patch": DIFF})
            outside = await _error(
                client, "check_diff", {"patch": PATCH_OF.format("secret.sql"), "root": str(tmp_path)}
            )
            linked = await _error(client, "check_diff", {"patch": PATCH_OF.format("users.sql")})
    assert command["decision"] == "deny" and diff["decision"] == "deny"
    assert [n["message"].split(" in /")[0] for n in command["notifications"]] == [
        "blastguard ignored ignore, hook-on-error"
    ]
    assert "is outside the folder this server checks" in outside and "through a symbolic link" in linked
    assert "secret-line" not in outside + linked


def test_check_diff_reads_folders_a_scan_leaves_out(tmp_path):
    from blastguard.config import Config
    from blastguard.interfaces.mcp_server import Checker

    patch = "--- /dev/null\n+++ b/build/wipe.sql\n@@ -0,0 +1 @@\n+DELETE FROM users;\n"
    result = Checker(Config(root=str(tmp_path)), root=str(tmp_path)).check_diff(patch, str(tmp_path))
    assert result["decision"] == "deny" and [f["rule_id"] for f in result["findings"]] == ["SQL101"]


async def test_tools_are_read_only_with_dedented_descriptions(session):
    for tool in (await session.list_tools()).tools:
        data = _dump(tool)
        assert data["annotations"]["readOnlyHint"] is True, tool.name
        lines = data["description"].splitlines()
        assert all(line == line.lstrip() for line in lines), data["description"]


@pytest.mark.parametrize(
    "tool, arguments, expected",
    [
        ("check_command", {}, "check_command: missing argument 'command' (a string)"),
        ("check_file", {"path": "a.sql"}, "check_file: missing argument 'content' (a string)"),
        ("check_command", {"command": 3}, "check_command: argument 'command' must be a string, not a number"),
        (
            "check_diff",
            {"patch": "x", "root": ["a"]},
            "check_diff: argument 'root' must be a string or null, not an array",
        ),
        ("explain_rule", {"rule_id": None}, "explain_rule: argument 'rule_id' must be a string, not null"),
    ],
)
async def test_a_missing_or_mistyped_argument_is_one_plain_line(session, tool, arguments, expected):
    message = await _error(session, tool, arguments)
    assert message == expected
    assert "pydantic" not in message and "\n" not in message


async def test_the_server_reports_the_package_version(server_project):
    from importlib.metadata import version

    async with stdio_client(_parameters(server_project)) as (read, write):
        async with ClientSession(read, write) as client:
            initialized = _dump(await client.initialize())
    assert initialized["serverInfo"]["name"] == "blastguard"
    assert initialized["serverInfo"]["version"] == version("blastguard")
