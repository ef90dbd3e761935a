"""The tool-call hook protocols of five coding agents: what each sends, and how each must be answered.

Every agent sends one JSON object on stdin before a tool runs. `detect` tells the agent from the
payload's shape, `read` turns the payload into a `ToolCall` (a shell command, a file write or edit,
or, for any other tool, the SQL, commands and written paths its input carries: `tool_inputs`), and
`answer` renders a decision in the agent's own protocol. Allow is always no output and exit 0;
blocking never uses exit 1, which these agents read as "the hook failed, run the tool".

Where an agent cannot ask a person (Codex and Copilot CLI parse "ask" but do not act on it, so the
tool would run), a decision to ask is answered as deny, and the reason says a person must approve.
"""

from __future__ import annotations

import json
import os

from blastguard.records import Record, factory, record

AGENTS = ("claude", "codex", "gemini", "cursor", "copilot")


class PayloadError(Exception):
    """A payload that is not one of the known shapes; the message is one sentence."""


@record(frozen=True)
class Edit(Record):
    old: str
    new: str
    replace_all: bool = False


@record
class ToolCall(Record):
    agent: str
    tool: str  # the agent's own name for the tool
    cwd: str
    command: str | None = None  # a shell command line
    path: str | None = None  # a file the tool writes
    content: str | None = None  # the file's whole new content
    edits: list[Edit] = factory(list)  # replacements applied to the file as it is on disk
    pieces: list = factory(list)  # any other tool: what its input carries (`tool_inputs.Piece`)
    patch: str | None = None  # Codex's apply_patch: file edits in its own patch format (`codex_patch`)

    @property
    def checks_nothing(self) -> bool:
        """A read, a search, a prompt: nothing in the call can destroy anything (it is still audited)."""
        return self.command is None and self.path is None and self.patch is None and not self.pieces


def detect(payload: dict) -> str:
    """Which agent sent `payload`."""
    if not isinstance(payload, dict):
        raise PayloadError("the hook payload is not a JSON object")
    event = payload.get("hook_event_name")
    if "toolName" in payload and "toolArgs" in payload:
        return "copilot"
    if "conversation_id" in payload or "workspace_roots" in payload or event == "beforeShellExecution":
        return "cursor"
    if event == "BeforeTool":
        return "gemini"
    if event == "PreToolUse":
        # Codex's payload is Claude Code's plus a required `model`, for its Bash and apply_patch tools.
        return "codex" if "model" in payload and payload.get("tool_name") in ("Bash", "apply_patch") else "claude"
    raise PayloadError(
        "the payload is not a pre-tool-use event of Claude Code, Codex, Gemini CLI, Cursor or "
        "Copilot CLI (pass --agent to say which)"
    )


def read(payload: dict, agent: str) -> ToolCall:
    """The tool call in `payload`; for a tool without a reader here, with what its input carries."""
    if not isinstance(payload, dict):
        raise PayloadError("the hook payload is not a JSON object")
    reader = {"claude": _claude, "codex": _claude, "gemini": _gemini, "cursor": _cursor, "copilot": _copilot}[agent]
    call = reader(payload, agent)
    _usable_path(call.cwd, "cwd")
    if call.path is not None:
        _usable_path(call.path, "file path")
    return call


def _usable_path(path: str, what: str) -> None:
    """A path no file can have (a NUL byte, a lone surrogate) is a bad payload, said as one."""
    if "\0" in path:
        raise PayloadError(f"the payload's {what} holds a NUL byte, which no file name can")
    try:
        os.fsencode(path)
    except UnicodeEncodeError:
        raise PayloadError(f"the payload's {what} holds a character no file name can (a lone surrogate)") from None


def _text(value, what: str) -> str:
    if not isinstance(value, str):
        raise PayloadError(f"the payload's {what} is missing or not a string")
    return value


def _cwd(payload: dict) -> str:
    cwd = payload.get("cwd")
    if not cwd:
        roots = payload.get("workspace_roots")
        cwd = roots[0] if isinstance(roots, list) and roots and isinstance(roots[0], str) else "."
    return _text(cwd, "cwd")


def _input(payload: dict, key: str) -> dict:
    value = payload.get(key)
    if isinstance(value, str):  # some agents send the arguments as a JSON string
        try:
            value = json.loads(value)
        except ValueError:
            raise PayloadError(f"the payload's {key} is not valid JSON") from None
        except RecursionError:
            raise PayloadError(f"the payload's {key} is nested too deeply to read") from None
    if not isinstance(value, dict):
        raise PayloadError(f"the payload's {key} is missing or not an object")
    return value


def _edits(items, old_key: str, new_key: str) -> list[Edit]:
    if not isinstance(items, list):
        raise PayloadError("the payload's edits are not a list")
    edits = []
    for item in items:
        if not isinstance(item, dict):
            raise PayloadError("an edit in the payload is not an object")
        edits.append(
            Edit(_text(item.get(old_key), old_key), _text(item.get(new_key), new_key), bool(item.get("replace_all")))
        )
    return edits


def _claude(payload: dict, agent: str) -> ToolCall:
    tool = _text(payload.get("tool_name"), "tool_name")
    data = _input(payload, "tool_input")
    call = ToolCall(agent, tool, _cwd(payload))
    if tool == "Bash":
        call.command = _text(data.get("command"), "command")
        if agent == "codex":
            call.patch = _shell_patch(call.command)
            if call.patch is not None:
                call.command = None
    elif tool == "apply_patch" and agent == "codex":
        key = next((k for k in ("command", "patch", "input") if isinstance(data.get(k), str)), "command")
        call.patch = _text(data.get(key), "patch")
    elif tool == "Write":
        call.path, call.content = _text(data.get("file_path"), "file_path"), _text(data.get("content"), "content")
    elif tool == "Edit":
        call.path = _text(data.get("file_path"), "file_path")
        call.edits = _edits([data], "old_string", "new_string")
    elif tool == "MultiEdit":
        call.path = _text(data.get("file_path"), "file_path")
        call.edits = _edits(data.get("edits"), "old_string", "new_string")
    else:
        call.pieces = _any_tool(tool, data)
    return call


def _shell_patch(command: str) -> str | None:
    """The patch of `apply_patch <<'EOF' … EOF`, the whole command (how Codex may send a file edit
    through its shell), or None: anything more on the line is a command to check as one."""
    import re

    match = re.fullmatch(
        r"\s*apply_patch\s*<<-?\s*(['\"]?)(\w+)\1[ \t]*\n(\*\*\* Begin Patch\n.*\n\*\*\* End Patch)[ \t]*\n\2\s*",
        command,
        re.DOTALL,
    )
    return match.group(3) if match else None


def _gemini(payload: dict, agent: str) -> ToolCall:
    tool = _text(payload.get("tool_name"), "tool_name")
    data = _input(payload, "tool_input")
    call = ToolCall(agent, tool, _text(data.get("directory") or _cwd(payload), "directory"))
    if tool == "run_shell_command":
        call.command = _text(data.get("command"), "command")
    elif tool == "write_file":
        call.path, call.content = _text(data.get("file_path"), "file_path"), _text(data.get("content"), "content")
    elif tool == "replace":
        call.path = _text(data.get("file_path"), "file_path")
        expected = data.get("expected_replacements")
        replace_all = isinstance(expected, int) and expected > 1
        call.edits = [
            Edit(_text(data.get("old_string"), "old_string"), _text(data.get("new_string"), "new_string"), replace_all)
        ]
    else:
        call.pieces = _any_tool(tool, data)
    return call


def _cursor(payload: dict, agent: str) -> ToolCall:
    event = payload.get("hook_event_name")
    if event == "beforeShellExecution" or (event is None and "command" in payload):
        return ToolCall(agent, "Shell", _cwd(payload), command=_text(payload.get("command"), "command"))
    if event == "beforeMCPExecution":  # the tool's input; the payload's `command` starts the server
        tool = _text(payload.get("tool_name"), "tool_name")
        call = ToolCall(agent, tool, _cwd(payload))
        call.pieces = _any_tool(tool, _input(payload, "tool_input"))
        return call
    if event != "preToolUse":  # reads, prompts and after-the-fact events: nothing to stop, only to audit
        return ToolCall(agent, str(event or "?"), _cwd(payload))
    tool = _text(payload.get("tool_name"), "tool_name")
    data = _input(payload, "tool_input")
    call = ToolCall(agent, tool, _cwd(payload))
    path = data.get("file_path", data.get("path"))
    if tool in ("Shell", "Terminal"):
        call.command = _text(data.get("command"), "command")
    elif tool == "Write":
        call.path, call.content = _text(path, "file_path"), _text(data.get("content", data.get("contents")), "content")
    elif tool in ("StrReplace", "Edit"):
        call.path = _text(path, "file_path")
        call.edits = _edits([data], "old_string", "new_string")
    else:
        call.pieces = _any_tool(tool, data)
    return call


def _copilot(payload: dict, agent: str) -> ToolCall:
    tool = _text(payload.get("toolName"), "toolName")
    data = _input(payload, "toolArgs")
    call = ToolCall(agent, tool, _cwd(payload))
    if tool in ("bash", "shell"):
        call.command = _text(data.get("command"), "command")
    elif tool == "write_bash":  # what is typed into a shell the agent started earlier runs as a command
        call.command = _text(data.get("input"), "input")
    elif tool == "create":
        call.path, call.content = _text(data.get("path"), "path"), _text(data.get("file_text", ""), "file_text")
    elif tool in ("edit", "str_replace"):
        call.path = _text(data.get("path"), "path")
        call.edits = _edits([data], "old_str", "new_str")
    else:
        call.pieces = _any_tool(tool, data)
    return call


def _any_tool(tool: str, data: dict) -> list:
    from blastguard.interfaces.tool_inputs import pieces  # only for tools without a reader here

    return pieces(tool, data)


DECISIONS = ("allow", "ask", "deny")  # weakest first

# Parse problems that leave nothing unjudged. SQL that does not parse is still judged word by word,
# and a destructive statement whose scope the words do not show is a finding of its own (SQL900), so
# a stored migration and a `psql -c` are treated alike. A Terraform plan is data that nothing runs.
# Every other parse problem is in content that runs (a command line, a script, a program, a
# workflow, a Terraform module a later `apply` reads), where a parser's recovery may hide a command.
_JUDGED_DESPITE_PARSE_ERRORS = frozenset({"sql", "terraform-plan"})


def unchecked(notifications) -> list:
    """The notifications that say the content was not checked completely: an internal error, a crash,
    a cap reached, a part skipped, or a parse failure in content that will run. Anything not known to
    be harmless counts, so a new kind of notification fails closed."""
    return [
        n
        for n in notifications
        if not (n.kind == "skipped" and n.level == "note")  # not a file type blastguard reads
        and n.kind != "configuration-ignored"  # a loosening key the project may not set: nothing unchecked
        and not (n.kind == "parse-error" and n.language in _JUDGED_DESPITE_PARSE_ERRORS)
    ]


def decision_for(findings, notifications=(), on_error: str = "ask") -> str:
    """The hook's and the MCP server's decision: deny for an error finding, ask (a person approves) for
    a warning, else allow; and at least `on_error` when part of the content was not checked
    completely (`unchecked`). `on_error` is the configuration's `hook-on-error`."""
    worst = max((f.severity.label for f in findings), key=("note", "warning", "error").index, default="note")
    decision = {"error": "deny", "warning": "ask"}.get(worst, "allow")
    if unchecked(notifications):
        decision = max(decision, on_error, key=DECISIONS.index)
    return decision


def answer(agent: str, decision: str, reason: str, note: str = "") -> tuple[str, int]:
    """(what to print on stdout, exit code) for `decision` ("deny" | "ask" | "allow") in `agent`'s protocol.
    `note` is context for an allowed call, where the protocol can carry it."""
    if decision == "allow":
        if note and agent in ("claude", "gemini"):
            context = {"hookEventName": "PreToolUse" if agent == "claude" else "BeforeTool", "additionalContext": note}
            return json.dumps({"hookSpecificOutput": context}), 0
        return "", 0
    if decision == "ask" and agent in ("codex", "copilot"):
        decision = "deny"
        reason += " (This agent cannot ask a person from a hook, so the call is denied: review it and run it yourself.)"
    if agent in ("claude", "codex"):
        output = {"hookEventName": "PreToolUse", "permissionDecision": decision, "permissionDecisionReason": reason}
        return json.dumps({"hookSpecificOutput": output}), 0
    if agent == "gemini":
        return json.dumps({"decision": decision, "reason": reason}), 0
    if agent == "cursor":
        return json.dumps({"permission": decision, "user_message": reason, "agent_message": reason}), 0
    return json.dumps({"permissionDecision": decision, "permissionDecisionReason": reason}), 0


def settings_snippet(agent: str) -> str:
    """What to add to the agent's settings so it runs `blastguard hook` before its tools: before every
    tool, so that MCP tools are checked too and every call is audited."""
    hook = {"type": "command", "command": f"blastguard hook --agent {agent}"}
    if agent == "claude":
        config: dict = {"hooks": {"PreToolUse": [{"matcher": "*", "hooks": [{**hook, "timeout": 30}]}]}}
        where = "Add to .claude/settings.json (or ~/.claude/settings.json):"
    elif agent == "codex":
        # apply_patch: Codex's file edits, checked like Claude Code's Write and Edit
        config = {"hooks": {"PreToolUse": [{"matcher": "Bash|apply_patch", "hooks": [{**hook, "timeout": 30}]}]}}
        where = "Add to .codex/hooks.json (or ~/.codex/hooks.json), and turn hooks on in Codex's [features]:"
    elif agent == "gemini":
        config = {"hooks": {"BeforeTool": [{"matcher": ".*", "hooks": [{**hook, "timeout": 30000}]}]}}
        where = "Add to .gemini/settings.json (or ~/.gemini/settings.json):"
    elif agent == "cursor":
        config = {
            "version": 1,
            "hooks": {
                "beforeShellExecution": [{"command": hook["command"]}],
                "preToolUse": [{"command": hook["command"]}],
                "beforeMCPExecution": [{"command": hook["command"]}],
            },
        }
        where = "Add to .cursor/hooks.json (or ~/.cursor/hooks.json):"
    else:
        config = {
            "version": 1,
            "hooks": {"preToolUse": [{"type": "command", "bash": hook["command"], "timeoutSec": 30}]},
        }
        where = "Save as .github/hooks/blastguard.json:"
    return f"{where}\n{json.dumps(config, indent=2)}\n"
