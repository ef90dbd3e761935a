"""`blastguard audit [LOG]`: what an audit log says, summed up for a person or a script.

Decisions per day, per rule and per agent, and every stopped call (deny or ask) with its time, agent,
tool, rules and, when the log recorded inputs (`audit-log-inputs`), the redacted input and reason.
A line that is not a decision (not JSON, not an object, a field of the wrong type) is counted and
its line number kept: a damaged log is reported, never a traceback.
"""

from __future__ import annotations

import json

DECISIONS = ("deny", "ask", "allow")
STOPPED = ("deny", "ask")


class AuditLogError(Exception):
    """The log cannot be read at all (missing, a folder, unreadable)."""


def summarise(lines) -> dict:
    """The summary of an audit log given as its lines (text)."""
    per_day: dict[str, dict[str, int]] = {}
    per_rule: dict[str, dict[str, int]] = {}
    per_agent: dict[str, dict[str, int]] = {}
    stopped: list[dict] = []
    problems: list[int] = []
    total = 0
    for number, text in enumerate(lines, 1):
        if not text.strip():
            continue
        entry = _entry(text)
        if entry is None:
            problems.append(number)
            continue
        total += 1
        decision = entry["decision"]
        _count(per_day, entry["time"][:10], decision)
        _count(per_agent, entry["agent"], decision)
        for rule in entry["rules"]:
            _count(per_rule, rule, decision)
        if decision in STOPPED:
            call = {k: entry[k] for k in ("time", "agent", "tool", "decision", "rules", "cwd")}
            for key in ("reason", "input"):
                if key in entry:
                    call[key] = entry[key]
            stopped.append(call)
    return {
        "decisions": total,
        "per_day": dict(sorted(per_day.items())),
        "per_rule": dict(sorted(per_rule.items(), key=lambda item: (-sum(item[1].values()), item[0]))),
        "per_agent": dict(sorted(per_agent.items())),
        "stopped": stopped,
        "malformed_lines": {"count": len(problems), "line_numbers": problems[:100]},
    }


def _entry(text: str) -> dict | None:
    """The decision a line records, or None when it is not one."""
    try:
        entry = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(entry, dict):
        return None
    strings = ("time", "agent", "tool", "cwd", "decision")
    if not all(isinstance(entry.get(key), str) for key in strings) or entry["decision"] not in DECISIONS:
        return None
    rules = entry.get("rules")
    if not isinstance(rules, list) or not all(isinstance(rule, str) for rule in rules):
        return None
    return entry


def _count(table: dict, key: str, decision: str) -> None:
    counts = table.setdefault(key, dict.fromkeys(DECISIONS, 0))
    counts[decision] += 1


def read_lines(path: str) -> list[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as log:
            return log.read().splitlines()
    except OSError as exc:
        raise AuditLogError(f"cannot read the audit log {path}: {exc.strerror or exc}") from None


def render_text(summary: dict, path: str) -> str:
    out = [f"{path}: {_plural(summary['decisions'], 'decision')}"]
    for title, key in (("Per day", "per_day"), ("Per rule", "per_rule"), ("Per agent", "per_agent")):
        table = summary[key]
        if not table:
            continue
        out.append(f"\n{title}:")
        width = max(len(name) for name in table)
        for name, counts in table.items():
            numbers = "  ".join(f"{decision} {counts[decision]}" for decision in DECISIONS)
            out.append(f"  {name.ljust(width)}  {numbers}")
    if summary["stopped"]:
        out.append(f"\nStopped calls ({len(summary['stopped'])}):")
        for call in summary["stopped"]:
            rules = ", ".join(call["rules"]) or "no rule"
            out.append(f"  {call['time']}  {call['decision']:<4}  {call['agent']}  {call['tool']}  {rules}")
            command = (call.get("input") or {}).get("command") if isinstance(call.get("input"), dict) else None
            if command:
                out.append(f"      command: {command}")
            elif isinstance(call.get("input"), dict) and call["input"]:
                out.append(f"      input: {json.dumps(call['input'], ensure_ascii=False)}")
            if call.get("reason"):
                out.append(f"      reason: {call['reason']}")
    bad = summary["malformed_lines"]
    if bad["count"]:
        shown = ", ".join(str(n) for n in bad["line_numbers"][:10])
        out.append(
            f"\n{_plural(bad['count'], 'malformed line')} skipped (line {shown}{', …' if bad['count'] > 10 else ''})"
        )
    return "\n".join(out) + "\n"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def run(path: str, output_format: str, stdout) -> int:
    """Print the summary of the log at `path` (malformed lines are counted in it, not an error)."""
    summary = summarise(read_lines(path))
    if output_format == "json":
        stdout.write(json.dumps({"log": path, **summary}, indent=2, ensure_ascii=False) + "\n")
    else:
        stdout.write(render_text(summary, path))
    return 0
