"""`blastguard mcp`: a stdio MCP server, so an agent can check what it is about to run or write.

Tools (each answers with a JSON object, or an error result for bad input):
    check_command(command, cwd)   a shell command line
    check_file(path, content)     a file's proposed content, read as the language of its name
    check_diff(patch, root)       a unified diff, applied to the files under root: what it introduces
    explain_rule(rule_id)         a rule's documentation, as `blastguard rule ID` prints it

A check answers {"decision": "deny"|"ask"|"allow", "findings": [...], "notifications": [...]}: deny if
any finding is an error, ask if any is a warning, else allow. Ignore comments inside the checked
content are not trusted (an agent must not silence the guard by writing one) unless the configuration
says `hook-trust-suppressions = true`.

The agent is assumed hostile. Configuration comes from the file given with --config (or the
defaults), made stricter by the project's file found upward from the root; what in the project's
file would loosen the guard is ignored, and said so in every result's notifications. Every path a
tool is given must lie inside the root (fixed at start: --root, else the working directory), after
symlinks are followed: nothing outside it is read or quoted.

Needs the optional `mcp` extra; the engine itself never imports it.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading

from blastguard.config import Config, ConfigError, discover_guarded, with_database_from
from blastguard.interfaces.hook_protocols import decision_for
from blastguard.model import Finding, Notification
from blastguard.sources import is_within

MISSING_EXTRA = "blastguard mcp needs the optional mcp extra: pip install 'blastguard[mcp]'"
COMMAND_FILENAME = "command.sh"


class CheckError(Exception):
    """Input the tools cannot check; the message is shown to the agent as an error result."""


# --- the checks, free of any MCP dependency -----------------------------------------------------


def finding_dict(finding: Finding, *, with_path: bool = False) -> dict:
    region = finding.region
    result = {
        "rule_id": finding.rule_id,
        "rule_name": finding.rule_name,
        "severity": finding.severity.label,
        "message": finding.message,
        "line": region.start_line,
        "column": region.start_column,
        "end_line": region.end_line,
        "end_column": region.end_column,
        "snippet": finding.snippet,
    }
    if with_path:
        result = {"path": finding.path, **result}
    if finding.properties:
        result["properties"] = finding.properties  # a live estimate (SQL120)
    return result


def notification_dict(notification: Notification) -> dict:
    return {
        "kind": notification.kind,
        "level": notification.level,
        "message": notification.message,
        "path": notification.path,
        "line": notification.region.start_line if notification.region else None,
    }


def _result(
    findings: list[Finding], notifications: list[Notification], config: Config, *, with_path: bool = False
) -> dict:
    reported = [f for f in findings if f.suppression is None]
    return {
        # Not checked completely (an internal error, a part skipped, content that runs and did not
        # parse): at least what the configuration says a hook answers on an error.
        "decision": decision_for(reported, notifications, config.hook_on_error),
        "findings": [finding_dict(f, with_path=with_path) for f in reported],
        "notifications": [notification_dict(n) for n in notifications],
    }


def _unfinished(why: str, path: str) -> Notification:
    """What a check that crashed or ran out of time reports: nothing was checked completely."""
    return Notification(path, f"{why}; nothing was checked completely", "internal-error", level="error")


def _import_analysers() -> None:
    """Import every parser and rule pack in the server, once, so each forked check inherits them instead
    of importing them again (sqlglot alone is tens of milliseconds a call)."""
    from blastguard import registry

    for language in registry.FRONTENDS:
        registry.frontend_class(language)
        registry.rules_for(language)
    registry.meta_rules()


def _outcome(work) -> list:
    """In the checking child: ("ok", the result) or ("error", a CheckError's message for the agent)."""
    try:
        return ["ok", work()]
    except CheckError as exc:
        return ["error", str(exc)]


class Checker:
    """The four tools' logic for one configuration, confined to one folder."""

    def __init__(self, config: Config, root: str | None = None, notices: list[str] | tuple = ()) -> None:
        self.config = config
        self.trust_suppressions = config.hook_trust_suppressions
        self.root = os.path.realpath(root or os.getcwd())
        # What the project's configuration could not loosen: part of every answer, so it is seen.
        self.notices = [Notification(self.root, notice, "configuration-ignored", level="note") for notice in notices]
        # One check at a time: a child forked during another's check would hold that check's pipe open.
        self._one_at_a_time = threading.Lock()

    def _inside(self, path: str, what: str) -> str:
        """`path` (relative to the root, or absolute) resolved, symlinks followed; CheckError when
        that leaves the root. The message names only the path given, never anything read."""
        if not isinstance(path, str) or "\0" in path:
            raise CheckError(f"{what} must be a path")
        resolved = os.path.realpath(os.path.join(self.root, path))
        if not is_within(resolved, self.root):
            raise CheckError(
                f"{what} {path!r} is outside the folder this server checks ({self.root}): give a path inside it"
            )
        return resolved

    def _result(self, findings: list[Finding], notifications: list[Notification], *, with_path: bool = False) -> dict:
        return _result(findings, [*notifications, *self.notices], self.config, with_path=with_path)

    def _bounded(self, work, path: str) -> dict:
        """`work()` in a forked child that is killed at the deadline: a stalled check answers at least ask
        instead of hanging the server, and a native parser's crash costs the child, not the server."""
        from blastguard.interfaces.bounded import can_fork, deadline, run_bounded

        if not can_fork():
            return work()
        with self._one_at_a_time:
            _import_analysers()
            value, failure = run_bounded(lambda: _outcome(work), deadline(self.config))
        if failure:
            return self._result([], [_unfinished(failure, path)])
        kind, result = value
        if kind == "error":
            raise CheckError(result)
        return result

    def _context(self, cwd: str):
        """Production evidence from the environment the server (so the agent) runs in, as hooks use."""
        from blastguard.interfaces.environment_gate import environment_context

        return environment_context(os.environ, cwd, self.config.production_names)

    def _session(self, root: str, **options):
        """A session per call: tools may run on worker threads, and an engine caches parsers."""
        from blastguard.api import Session

        return Session(self.config, root, self.trust_suppressions, **options)

    def _check_text(self, text: str, path: str, cwd: str | None = None, location: str | None = None) -> dict:
        return self._bounded(lambda: self._check_text_now(text, path, cwd, location), path)

    def _check_text_now(self, text: str, path: str, cwd: str | None, location: str | None) -> dict:
        if not isinstance(text, str):
            raise CheckError("the text to check must be a string")
        where = self._inside(cwd, "cwd") if cwd else self.root
        if not os.path.isdir(where):
            where = self.root
        text = text.lstrip("\ufeff")
        # The proposed content of a file is what the files that refer to it (a module's others) see.
        session = self._session(where, context=self._context(where), pending={location: text} if location else None)
        try:
            findings, notifications = session.check_text(text, path, location=location)
        except ConfigError as exc:
            raise CheckError(f"configuration error: {exc}") from None
        return self._result(findings, notifications)

    def check_command(self, command: str, cwd: str | None = None) -> dict:
        """A shell command line; `cwd` is where it will run (default: the server's root)."""
        return self._check_text(command, COMMAND_FILENAME, cwd)

    def check_file(self, path: str, content: str) -> dict:
        if not path or not isinstance(path, str):
            raise CheckError("path must name the file, e.g. migrations/0042_cleanup.sql; its name sets the language")
        return self._check_text(content, path, location=self._inside(path, "path"))

    def check_diff(self, patch: str, root: str | None = None) -> dict:
        return self._bounded(lambda: self._check_diff_now(patch, root), "the patch")

    def _check_diff_now(self, patch: str, root: str | None) -> dict:
        from blastguard.discovery import find_project_root
        from blastguard.filters.diffs import DiffError, apply_patch

        if not isinstance(patch, str):
            raise CheckError("the patch must be a string")
        folder = self._inside(root, "root") if root else self.root
        if not os.path.isdir(folder):
            raise CheckError(f"root {root!r} is not a folder: give the folder the patch's paths are relative to")
        try:
            changes = apply_patch(patch, folder)
            session = self._session(find_project_root(folder))
            report = session.check_changes(
                changes, folder, "the patch's pre-image", excludes=False, suppressions_added="existing"
            )  # as the hook judges an agent's edit
        except (DiffError, ConfigError) as exc:
            raise CheckError(str(exc)) from None
        return self._result(report.findings, report.notifications, with_path=True)

    @staticmethod
    def explain_rule(rule_id: str) -> str:
        from blastguard.docs import render_rule
        from blastguard.registry import find_rule

        rule = find_rule(rule_id.strip()) if isinstance(rule_id, str) else None
        if rule is None:
            raise CheckError(
                f"no rule {rule_id!r}: give a rule id or name such as SQL101 or unbounded-delete "
                "(`blastguard rules` lists them)"
            )
        return render_rule(rule)


# --- the MCP server ------------------------------------------------------------------------------

try:  # pydantic reads TypedDicts from typing_extensions below Python 3.12 (mcp depends on it)
    from typing_extensions import TypedDict
except ImportError:  # pragma: no cover - without mcp the server is never built
    from typing import TypedDict


# The tools' output schemas, as MCP clients see them.
class _Facts(TypedDict, total=False):
    properties: dict  # facts beside the message: a live database's estimate (SQL120)


class FindingResult(_Facts):
    rule_id: str
    rule_name: str
    severity: str  # error | warning | note
    message: str
    line: int  # 1-based, in the checked text
    column: int
    end_line: int
    end_column: int  # exclusive
    snippet: str


class DiffFindingResult(_Facts):
    path: str
    rule_id: str
    rule_name: str
    severity: str
    message: str
    line: int
    column: int
    end_line: int
    end_column: int
    snippet: str


class NotificationResult(TypedDict):
    kind: str  # parse-error | skipped | internal-error
    level: str
    message: str
    path: str
    line: int | None


class CheckResult(TypedDict):
    decision: str  # deny | ask | allow
    findings: list[FindingResult]
    notifications: list[NotificationResult]


class DiffCheckResult(TypedDict):
    decision: str
    findings: list[DiffFindingResult]
    notifications: list[NotificationResult]


def _server_classes():
    """(server class, ToolError class) of the installed mcp SDK: MCPServer in mcp 2, FastMCP in mcp 1."""
    try:
        from mcp.server.mcpserver import MCPServer
        from mcp.server.mcpserver.exceptions import ToolError
    except ImportError:
        from mcp.server.fastmcp import FastMCP as MCPServer
        from mcp.server.fastmcp.exceptions import ToolError
    return MCPServer, ToolError


# Each tool's arguments: name -> (required, the JSON types accepted). Checked before the SDK's own
# validation, whose message is pydantic's (a URL, `input_type=dict`), unfit to show an agent.
TOOL_ARGUMENTS: dict[str, dict[str, tuple[bool, tuple[type, ...]]]] = {
    "check_command": {"command": (True, (str,)), "cwd": (False, (str, type(None)))},
    "check_file": {"path": (True, (str,)), "content": (True, (str,))},
    "check_diff": {"patch": (True, (str,)), "root": (False, (str, type(None)))},
    "explain_rule": {"rule_id": (True, (str,))},
}


def argument_problem(tool: str, arguments) -> str | None:
    """One plain line saying what is wrong with a tool call's arguments, or None."""
    expected = TOOL_ARGUMENTS.get(tool)
    if expected is None:
        return None  # an unknown tool: the SDK says so itself
    if not isinstance(arguments, dict):
        return f"{tool}: the arguments must be an object"
    for name, (required, types) in expected.items():
        if name not in arguments:
            if required:
                return f"{tool}: missing argument {name!r} (a string)"
            continue
        if not isinstance(arguments[name], types):
            kind = "a string" if type(None) not in types else "a string or null"
            return f"{tool}: argument {name!r} must be {kind}, not {_json_type(arguments[name])}"
    unknown = sorted(set(arguments) - set(expected))
    if unknown:
        return f"{tool}: unknown argument {unknown[0]!r} (it takes {', '.join(expected)})"
    return None


def _json_type(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, dict):
        return "an object"
    return "an array" if isinstance(value, list) else type(value).__name__


def server_version() -> str:
    """The installed package's version (what `blastguard --version` says)."""
    try:
        from importlib.metadata import PackageNotFoundError, version

        return version("blastguard")
    except (ImportError, PackageNotFoundError):
        import blastguard

        return blastguard.__version__


def _version_option(server_class) -> dict:
    """`version=` for a server class that takes it (mcp 2); mcp 1's is set after construction."""
    import inspect

    return {"version": server_version()} if "version" in inspect.signature(server_class).parameters else {}


def _tool_decorator(server):
    """Registers a function as a read-only tool (nothing a tool does changes anything) whose
    description is its docstring without the source's indentation."""
    import inspect

    from mcp.types import ToolAnnotations

    annotations = ToolAnnotations(readOnlyHint=True, destructiveHint=False, openWorldHint=False)

    def register(function):
        description = inspect.cleandoc(function.__doc__ or "")
        return server.tool(description=description, annotations=annotations)(function)

    return register


def build_server(config: Config, root: str | None = None, notices: list[str] | tuple = ()):
    """The MCP server with the four tools registered (raises ImportError without the mcp package)."""
    server_class, tool_error = _server_classes()
    checker = Checker(config, root, notices)

    def guarded(call, *args):
        try:
            return call(*args)
        except CheckError as exc:
            raise tool_error(str(exc)) from None

    class Server(server_class):  # type: ignore[valid-type,misc]
        async def call_tool(self, name, arguments, *rest, **options):
            problem = argument_problem(name, arguments)
            if problem:  # said plainly, before the SDK's validation answers with pydantic's internals
                raise tool_error(problem)
            return await super().call_tool(name, arguments, *rest, **options)

    server = Server(
        "blastguard",
        instructions="Check shell commands, file contents and diffs for operations that destroy data or "
        "infrastructure before running or writing them. decision 'deny' means do not run it; 'ask' means "
        "a person must approve it first; 'allow' means blastguard found nothing destructive.",
        log_level="WARNING",
        **_version_option(server_class),
    )
    tool = _tool_decorator(server)

    @tool
    def check_command(command: str, cwd: str | None = None) -> CheckResult:
        """Check a shell command line before running it. Wrappers such as bash -c, sudo, env and eval are
        looked through. Returns decision (deny, ask or allow) and the findings with 1-based positions."""
        return guarded(checker.check_command, command, cwd)

    @tool
    def check_file(path: str, content: str) -> CheckResult:
        """Check a file's proposed content before writing it; the language (SQL, Python, shell, Terraform,
        YAML workflows, Makefiles...) comes from the file's name. Returns decision and findings."""
        return guarded(checker.check_file, path, content)

    @tool
    def check_diff(patch: str, root: str | None = None) -> DiffCheckResult:
        """Check a unified diff (git diff output): what it introduces is reported. root is the folder
        the patch's paths are relative to (default: the server's root folder; it must lie inside it).
        Findings already in the files are left out; positions are in the patched files."""
        return guarded(checker.check_diff, patch, root)

    @tool
    def explain_rule(rule_id: str) -> str:
        """A rule's documentation: what it flags, why, what to do instead, and examples."""
        return guarded(checker.explain_rule, rule_id)

    if not _version_option(server_class):  # mcp 1: the low-level server reports it
        low_level = getattr(server, "_mcp_server", None)
        if low_level is not None:
            low_level.version = server_version()
    return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="blastguard mcp", description="Run the blastguard MCP server on stdio.")
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="configuration file; the project's, found upward from the root, may only make it stricter",
    )
    parser.add_argument(
        "--root", metavar="FOLDER", help="the folder the tools may read (default: the working directory)"
    )
    args = parser.parse_args(argv)
    try:
        import mcp  # noqa: F401
    except ImportError:
        sys.stderr.write(MISSING_EXTRA + "\n")
        return 2
    root = os.path.realpath(args.root or os.getcwd())
    if not os.path.isdir(root):
        sys.stderr.write(f"blastguard: error: --root {args.root}: not a folder\n")
        return 2
    try:
        config, notices = discover_guarded(root, args.config, bad_project_raises=True)
        config = with_database_from(config, os.environ)
    except ConfigError as exc:
        sys.stderr.write(f"blastguard: error: {exc}\n")
        return 2
    for notice in notices:
        sys.stderr.write(notice + "\n")
    try:
        server = build_server(config, root, notices)
    except ImportError as exc:
        sys.stderr.write(f"blastguard mcp: the installed mcp package is not usable ({exc}); pip install 'mcp>=1.2'\n")
        return 2
    server.run("stdio")
    return 0
