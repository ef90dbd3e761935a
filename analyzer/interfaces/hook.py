"""`blastguard hook`: check an agent's tool call before it runs, and answer in the agent's protocol.

One JSON payload arrives on stdin. A shell command is checked as shell; a file write or edit is
applied to the file as it is on disk and the result is checked whole, reporting only what the call
introduces. Errors deny, warnings ask, notes allow (with context where the protocol has a place for
it). Production evidence comes from the environment the hook runs in (`environment_gate`).

This runs before every tool call, so it imports only what the call needs: a shell command never
loads sqlglot or libcst unless it carries SQL or Python.
"""

from __future__ import annotations

import json
import os
import sys

from blastguard.interfaces.hook_protocols import (
    PayloadError,
    ToolCall,
    answer,
    decision_for,
    detect,
    read,
    settings_snippet,
    unchecked,
)

MAX_PAYLOAD = 1 << 20  # agents send well under this; a larger payload is refused, not truncated
MAX_REASONS = 3


class EditWillFail(Exception):
    """An edit whose text to replace is not in the file: the agent's own tool refuses it, so nothing is written."""


def run(agent: str | None, config_path: str | None, stdin=None, stdout=None, environ=None) -> int:
    """Answer one payload. The check runs in a forked child while this process stands by, for at most
    the configured `hook-deadline`: a crash inside a native parser (tree-sitter has segfaulted on rare
    inputs) or a check still busy at the deadline must answer `hook-on-error`, not kill or stall the
    hook, which an agent reads as "the hook failed, run the tool". Forking before the analysers are
    imported costs well under a millisecond."""
    raw = (stdin or sys.stdin.buffer).read(MAX_PAYLOAD + 1)
    stdout = stdout or sys.stdout
    environ = os.environ if environ is None else environ
    on_error, call, config, notices = "ask", None, None, []
    evidence: list[str] = []
    try:
        if len(raw) > MAX_PAYLOAD:
            raise PayloadError(f"the payload is larger than {MAX_PAYLOAD} bytes")
        try:
            payload = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise PayloadError(f"the payload is not valid JSON ({exc})") from None
        except RecursionError:
            raise PayloadError("the payload is nested too deeply to read") from None
        agent = agent or detect(payload)
        call = read(payload, agent)  # every call is read (and audited), whatever the tool
        config, notices = _config(call.cwd, config_path, environ)
        on_error = config.hook_on_error
        decision, reason, rule_ids, evidence = _check_bounded(call, config, environ)
    except PayloadError as exc:
        decision, reason, rule_ids = on_error, _unreadable(exc), []
    except Exception as exc:  # a guard must answer, never crash the agent's turn
        decision, reason, rule_ids = on_error, _failed(f"{type(exc).__name__}: {exc}"), []
    agent = agent or "claude"
    for notice in notices:  # what the project's configuration could not loosen, for the agent and its user
        reason = f"{reason} {notice}".strip()
        print(notice, file=sys.stderr)
    if config is not None and config.audit_log:
        _audit(config, agent, call, decision, rule_ids, raw, reason, evidence)
    text, code = answer(agent, decision, reason if decision != "allow" else "", reason if decision == "allow" else "")
    if text:
        stdout.write(text + "\n")
    return code


def _check_bounded(call: ToolCall, config, environ) -> tuple[str, str, list[str], list[str]]:
    """`_check` in a forked child that is killed, with everything it started, at the deadline."""
    if call.checks_nothing:  # a read or a search: nothing runs that could crash or stall
        return _check(call, config, environ)
    from blastguard.interfaces.bounded import can_fork, deadline, run_bounded

    if not can_fork():
        return _check(call, config, environ)
    value, failure = run_bounded(lambda: list(_check(call, config, environ)), deadline(config))
    if failure:
        return config.hook_on_error, _failed(failure), [], []
    decision, reason, rule_ids, evidence = value
    return decision, reason, rule_ids, evidence


def _check(call: ToolCall, config, environ) -> tuple[str, str, list[str], list[str]]:
    """`_decide`, with any failure answered as `hook-on-error` and its reason."""
    try:
        return _decide(call, config, environ)
    except EditWillFail as exc:  # allowed, with why: asking a person about a no-op would cry wolf
        return "allow", f"blastguard did not check this edit: {exc}, so the edit will fail by itself.", [], []
    except PayloadError as exc:
        return config.hook_on_error, _unreadable(exc), [], []
    except Exception as exc:  # RecursionError, a frontend's bug: the call was not checked
        return config.hook_on_error, _failed(f"{type(exc).__name__}: {exc}"), [], []


def _unreadable(exc: PayloadError) -> str:
    return f"blastguard could not read this tool call: {exc}."


def _failed(what: str) -> str:
    return f"blastguard failed while checking this tool call ({what})."


def _config(cwd: str, explicit: str | None, environ):
    """(configuration, notices): the --config file's, tightened by the project's (`discover_guarded`),
    with the database the hook's environment names."""
    from blastguard.config import ConfigError, discover_guarded, with_database_from

    try:
        config, notices = discover_guarded(cwd if os.path.isdir(cwd) else ".", explicit)
        return with_database_from(config, environ), notices
    except ConfigError as exc:
        raise PayloadError(f"the blastguard configuration is invalid: {exc}") from None


def _decide(call: ToolCall, config, environ) -> tuple[str, str, list[str], list[str]]:
    """(decision, reason or context, rule ids, each finding's place and text) for one tool call."""
    if call.checks_nothing:
        return "allow", "", [], []  # a read, a search: allowed without loading any analyser
    from blastguard.interfaces.environment_gate import environment_context

    context = environment_context(environ, call.cwd, config.production_names)
    findings, notifications = _findings(call, config, context, environ)
    findings = [f for f in findings if f.suppression is None]
    partial = unchecked(notifications)
    if not findings and not partial:
        return "allow", "", [], []
    findings.sort(key=lambda f: (-f.severity, f.region.start_line, f.region.start_column))
    decision = decision_for(findings, notifications, config.hook_on_error)
    shown = [f"[{f.rule_id} {f.rule_name}, line {f.region.start_line}] {f.message}" for f in findings[:MAX_REASONS]]
    more = f" (and {len(findings) - MAX_REASONS} more)" if len(findings) > MAX_REASONS else ""
    if partial:  # why the call was not checked completely, first: it is why a harmless-looking call asks
        why = " ".join(_unchecked_reason(n) for n in partial[:MAX_REASONS])
        shown.insert(0, f"It could not be checked completely: {why}")
    lead = {"deny": "blastguard blocked this", "ask": "blastguard wants a person to confirm this"}.get(
        decision, "blastguard notes"
    )
    evidence = [f"{f.path}:{f.region.start_line}: {f.snippet}" for f in findings]
    return decision, f"{lead}: " + " ".join(shown) + more, sorted({f.rule_id for f in findings}), evidence


def _unchecked_reason(notification) -> str:
    where = f"line {notification.region.start_line}: " if notification.region else ""
    return f"[{where}{notification.message.rstrip('.')}.]"


def _findings(call: ToolCall, config, context, environ=None) -> tuple[list, list]:
    """(findings, notifications): what the call introduces, and whether it tampers with the guard itself
    (BG003, BG004); the notifications say what could not be checked completely."""
    from blastguard.api import Session
    from blastguard.interfaces import guard_tampering

    environ = os.environ if environ is None else environ
    root = call.cwd if os.path.isdir(call.cwd) else "."
    home, cache_home = environ.get("HOME") or os.path.expanduser("~"), environ.get("XDG_CACHE_HOME")
    trust = config.hook_trust_suppressions
    if call.patch is not None:  # Codex's apply_patch: each file judged as an Edit of it is
        return _patch_findings(call, config, context, root, cache_home)
    if call.path is None:  # a shell command, or any other tool's SQL, commands and written paths
        session = Session(config, root, trust, fingerprints=False, context=context)
        engine = session.engine()
        guard = guard_tampering.rule_for(engine)
        findings, notifications = [], []
        pieces = [("shell", call.command, "command")] if call.command is not None else []
        pieces += [(p.language, p.text, p.field) for p in call.pieces]
        for language, text, field in pieces:
            if language == "path":
                if guard:
                    findings += guard_tampering.path_findings(
                        guard, engine, call.tool, field, text, call.cwd, home, cache_home
                    )
                continue
            shown = "command.sh" if call.command is not None else f"{call.tool} {field}"
            found, notes = session.check_text(text, shown, language=language)
            findings += found
            notifications += notes
            if language == "shell" and guard:
                findings += guard_tampering.command_findings(guard, engine, text, call.cwd, home, cache_home)
        return findings, notifications
    path = call.path if os.path.isabs(call.path) else os.path.join(call.cwd, call.path)
    before = _read(path)
    after = call.content if call.content is not None else _apply(before, call.edits, call.path)
    return _change_findings(config, context, root, call.path, path, before, after, cache_home)


def _change_findings(config, context, root: str, shown: str, path: str, before, after: str, cache_home) -> tuple:
    """(findings, notifications) of writing `after` over the file at `path` (content `before`)."""
    from blastguard.api import Session
    from blastguard.interfaces import guard_tampering

    trust = config.hook_trust_suppressions
    # Comparing old and new content needs fingerprints; what the file refers to sees the proposed content.
    session = Session(config, root, trust, context=context, pending={path: after})
    engine = session.engine()
    guard = guard_tampering.rule_for(engine)
    findings = (
        guard_tampering.file_findings(guard, engine, shown, os.path.normpath(path), before, after, cache_home)
        if guard
        else []
    )
    new, notifications = session.check_change(path, before, after)
    return findings + new, notifications


def _patch_findings(call: ToolCall, config, context, root: str, cache_home) -> tuple[list, list]:
    """What a Codex patch introduces: every file it adds, updates or deletes, judged as a Write or an
    Edit of that file is (a deleted file as emptied; a moved one as written at its new path)."""
    from blastguard.interfaces import codex_patch

    try:
        operations = codex_patch.parse(call.patch or "")
    except codex_patch.PatchError as exc:
        raise PayloadError(str(exc)) from None
    findings: list = []
    notifications: list = []
    for operation in operations:
        path = operation.path if os.path.isabs(operation.path) else os.path.join(call.cwd, operation.path)
        before = _read(path)
        if operation.kind == "add":
            after = operation.content
        elif before is None:
            raise EditWillFail(f"{operation.path} does not exist")
        elif operation.kind == "delete":
            after = ""
        else:
            try:
                after = codex_patch.apply(before, operation.chunks, operation.path)
            except codex_patch.PatchWillNotApply as exc:
                raise EditWillFail(str(exc)) from None
        if operation.move_to:  # the old file goes, the new one holds the result
            found, notes = _change_findings(config, context, root, operation.path, path, before, "", cache_home)
            findings += found
            notifications += notes
            moved = operation.move_to
            path = moved if os.path.isabs(moved) else os.path.join(call.cwd, moved)
            before, shown = _read(path), moved
        else:
            shown = operation.path
        found, notes = _change_findings(config, context, root, shown, path, before, after, cache_home)
        findings += found
        notifications += notes
    return findings, notifications


def _read(path: str) -> str | None:
    from blastguard.sources import SkipFile, decode, language_for_name, read_regular

    if not os.path.exists(path):
        return None
    try:
        # Never a FIFO or device: it would stall the hook. Decoded as a check of the file would (a
        # Latin-1 script, a UTF-16 export), so the edit applies to the text the agent saw.
        return decode(read_regular(path), language_for_name(path))
    except SkipFile as exc:
        raise PayloadError(f"{path} cannot be read to apply the edit ({exc})") from None


def _apply(before: str | None, edits, shown: str) -> str:
    """The file after the agent's replacements, as the agent's own edit tool would produce it."""
    if before is None:
        raise PayloadError(f"{shown} does not exist, so the edit cannot be applied to it")
    text = before
    for edit in edits:
        if edit.old not in text:
            from blastguard.interfaces.codex_patch import loose

            if loose(edit.old) in loose(text):  # the tool may still match it: what it writes is unknown
                raise PayloadError(
                    f"the text to replace matches {shown} only up to line endings, quotes or spacing, "
                    "so the edit cannot be reproduced to check it"
                )
            raise EditWillFail(f"the text to replace is not in {shown}")
        text = text.replace(edit.old, edit.new) if edit.replace_all else text.replace(edit.old, edit.new, 1)
    return text


def _audit(
    config, agent: str, call: ToolCall | None, decision: str, rule_ids: list[str], raw: bytes, reason, evidence
) -> None:
    from blastguard.interfaces.audit import record, resolve

    recorded = config.audit_log_inputs
    error = record(
        resolve(config.audit_log, config),
        agent=agent,
        tool=call.tool if call else "?",
        cwd=call.cwd if call else os.getcwd(),
        decision=decision,
        rule_ids=rule_ids,
        payload_text=raw.decode("utf-8", "replace"),
        reason=reason if recorded else None,
        inputs=_checked_input(call, evidence) if recorded else None,
    )
    if error:
        print(f"blastguard: audit log not written: {error}", file=sys.stderr)


def _checked_input(call: ToolCall | None, evidence: list[str]) -> dict:
    """What the call asked to run or write, for `audit-log-inputs` (redacted when written): a command
    whole; a file write by its path and the findings' lines, not its content."""
    if call is None:
        return {}
    if call.command is not None:
        return {"command": call.command}
    if call.path is not None:
        return {"path": call.path, "findings": evidence}
    if call.patch is not None:
        from blastguard.interfaces.codex_patch import PatchError, parse

        try:
            paths = [op.path for op in parse(call.patch)]
        except PatchError:
            paths = []
        return {"paths": paths, "findings": evidence}
    return {"fields": {p.field: p.text for p in call.pieces}} if call.pieces else {}


def print_config(agent: str) -> int:
    """The snippet as JSON alone on stdout, so it can be piped into a file or `jq`; where it goes, on stderr."""
    where, snippet = settings_snippet(agent).split("\n", 1)
    sys.stderr.write(where + "\n")
    sys.stdout.write(snippet)
    return 0
