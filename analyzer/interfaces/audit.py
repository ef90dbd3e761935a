"""The audit log: one JSON line per agent-hook decision (`audit-log` in the configuration).

    {"time": "2025-06-01T12:00:00.123Z", "agent": "claude-code", "tool": "Bash", "cwd": "/repo",
     "decision": "deny", "rules": ["SH101"], "input_sha256": "9f86d0…"}

By default the input itself is never written, nor anything taken from it beyond its hash: a command
an agent proposes can carry a password, and the log must not become a second copy of it. The hash
still lets an investigator match a line to a payload they hold. With `audit-log-inputs = true` the
line also says what was checked and why the decision was taken, each string passed through
`redaction.redact` first:

    {…, "input_sha256": "9f86d0…", "reason": "blastguard blocked this: [SH101 …] …",
     "input": {"command": "PGPASSWORD=*** psql -h db -c 'DROP TABLE users'"}}

`input` holds `command` (a shell command), or `path` and `findings` (a file write or edit: the
file and each finding's line and text), or `paths` and `findings` (a patch), or `fields` (any other
tool: the values checked, by their key path).

Many hook processes may record at the same moment, so each line is written whole under an exclusive
lock, by a single write to a file opened for appending. Recording never raises: a failure comes back
as a short message for the caller to print on stderr, and the decision stands.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from datetime import datetime, timezone

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: O_APPEND alone, no lock
    fcntl = None  # type: ignore[assignment]

# O_NONBLOCK: a FIFO put where the log was must not stall the hook (it is refused below).
_FLAGS = (
    os.O_WRONLY
    | os.O_APPEND
    | os.O_CREAT
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
    | getattr(os, "O_NONBLOCK", 0)
)


def resolve(path: str, config) -> str:
    """Where the log named `path` lives: `~` expanded, a relative path taken from the configuration's root."""
    path = os.path.expanduser(path)
    if not os.path.isabs(path):
        path = os.path.join(getattr(config, "root", None) or ".", path)
    return os.path.abspath(path)


MAX_TEXT = 4000  # characters kept of one recorded string: a log line stays a line, not a file


def line(
    *,
    agent: str,
    tool: str,
    cwd: str,
    decision: str,
    rule_ids,
    payload_text: str | bytes,
    now: datetime | None = None,
    reason: str | None = None,
    inputs: dict | None = None,
) -> str:
    """The JSON line recorded for one decision (with its newline); `reason` and `inputs` (what was
    checked) only when the configuration records inputs, redacted here."""
    data = payload_text if isinstance(payload_text, bytes) else str(payload_text).encode("utf-8", "surrogatepass")
    moment = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    entry = {
        "time": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "agent": str(agent),
        "tool": str(tool),
        "cwd": str(cwd),
        "decision": str(decision),
        "rules": sorted({str(r) for r in rule_ids}),
        "input_sha256": hashlib.sha256(data).hexdigest(),
    }
    if reason is not None or inputs is not None:
        from blastguard.interfaces.redaction import redact

        entry["reason"] = _clip(redact(reason or ""))
        entry["input"] = _redacted(inputs or {}, redact)
    return json.dumps(entry, separators=(",", ":")) + "\n"


def _clip(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + f"… ({len(text) - MAX_TEXT} more characters)"


def _redacted(value, redact):
    """`value` with every string in it redacted and clipped."""
    if isinstance(value, str):
        return _clip(redact(value))
    if isinstance(value, dict):
        return {str(k): _redacted(v, redact) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_redacted(v, redact) for v in value]
    return value


def record(
    path: str,
    *,
    agent: str,
    tool: str,
    cwd: str,
    decision: str,
    rule_ids: list[str],
    payload_text: str | bytes,
    reason: str | None = None,
    inputs: dict | None = None,
) -> str | None:
    """Append one decision to the log at `path` (already resolved); None, or why it could not be written."""
    try:
        data = line(
            agent=agent,
            tool=tool,
            cwd=cwd,
            decision=decision,
            rule_ids=rule_ids,
            payload_text=payload_text,
            reason=reason,
            inputs=inputs,
        ).encode("utf-8")
        path = os.path.expanduser(path)
        parent = os.path.dirname(path)
        if parent:
            os.makedirs(parent, exist_ok=True)
        fd = os.open(path, _FLAGS, 0o600)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return f"cannot write the audit log {path}: not a regular file"
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                written = os.write(fd, data)
                while written < len(data):  # a short write: finish the line while the lock is held
                    written += os.write(fd, data[written:])
            finally:
                if fcntl is not None:
                    fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
    except OSError as exc:
        return f"cannot write the audit log {path}: {exc.strerror or exc}"
    except Exception as exc:  # noqa: BLE001 - recording must never take the decision down with it
        return f"cannot write the audit log {path}: {type(exc).__name__}: {exc}"
    return None
