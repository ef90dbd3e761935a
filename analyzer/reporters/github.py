"""GitHub Actions workflow commands: each finding becomes an annotation on its line.

GitHub shows at most 10 error, 10 warning and 10 notice annotations per step (the runner counts the
rest but drops them; a job shows 50 in all). So the most severe come first, each kind stops at the
limit, what is left is still printed to the log as plain lines, and a last notice says how many
findings the annotations leave out.
"""

from __future__ import annotations

from collections import Counter

from blastguard.model import Finding, Notification, Report, Severity
from blastguard.reporters import RenderContext

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}
STEP_LIMIT = 10  # annotations of each kind (error, warning, notice) that GitHub shows for one step
_NAMES = {"error": ("error", "errors"), "warning": ("warning", "warnings"), "notice": ("note", "notes")}


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def _one_line(text: str) -> str:
    """A plain log line. It starts with a rule id or a notice kind, never with `::` (which the runner
    would read as a command, even after spaces)."""
    return " ".join(text.splitlines())


def _finding(finding: Finding) -> tuple[str, str, str]:
    """(kind, workflow command, plain log line) for a finding."""
    r = finding.region
    props = [f"file={_escape_property(finding.path)}", f"line={r.start_line}", f"endLine={r.end_line}"]
    if r.start_line == r.end_line:  # GitHub accepts columns only for single-line annotations
        props += [f"col={r.start_column}", f"endColumn={r.end_column}"]
    props.append(f"title={_escape_property(f'{finding.rule_id} {finding.rule_name}')}")
    kind = _COMMAND[finding.severity]
    plain = f"{finding.rule_id} {finding.severity.label} at {finding.path}:{r.start_line}:{r.start_column}: {finding.message}"
    return kind, f"::{kind} {','.join(props)}::{escape_data(finding.message)}", _one_line(plain)


def _notification(n: Notification) -> tuple[str, str, str]:
    props = [f"file={_escape_property(n.path)}"]
    if n.region:
        props.append(f"line={n.region.start_line}")
    props.append(f"title={_escape_property('blastguard ' + n.kind)}")
    kind = "error" if n.level == "error" else "notice"
    where = f"{n.path}:{n.region.start_line}" if n.region else n.path
    return kind, f"::{kind} {','.join(props)}::{escape_data(n.message)}", _one_line(f"{n.kind} at {where}: {n.message}")


def render(
    report: Report, context: RenderContext, *, limit: int | None = STEP_LIMIT, reserved: int = 0, see: str = ""
) -> str:
    """Workflow commands for `report`, at most `limit` of each kind (None: no limit), leaving
    `reserved` notices to the caller. `see` completes the closing notice's "They are listed in this
    log" (e.g. ", in the job summary and in code scanning")."""
    findings = sorted(report.reported, key=lambda f: (-f.severity, f.sort_key))
    entries = [(True, *_finding(f)) for f in findings] + [(False, *_notification(n)) for n in report.notifications]
    budget = {"error": limit, "warning": limit, "notice": limit - reserved} if limit is not None else {}
    counts = Counter(kind for _, kind, _, _ in entries)
    if limit is None or all(counts[kind] <= budget[kind] for kind in counts):
        return "".join(f"{command}\n" for _, _, command, _ in entries)
    budget["notice"] -= 1  # one notice says what is left out
    shown, held = [], []
    for is_finding, kind, command, plain in entries:
        if budget[kind] > 0:
            budget[kind] -= 1
            shown.append(command)
        else:
            held.append((is_finding, kind, plain))
    lines = shown + [plain for _, _, plain in held]
    lines.append(f"::notice title=blastguard::{escape_data(_left_out(held, limit, see))}")
    return "".join(f"{line}\n" for line in lines)


def _left_out(held: list[tuple[bool, str, str]], limit: int, see: str) -> str:
    findings = Counter(kind for is_finding, kind, _ in held if is_finding)
    notices = sum(1 for is_finding, _, _ in held if not is_finding)
    parts = []
    if findings:
        total = sum(findings.values())
        kinds = ", ".join(f"{findings[k]} {_NAMES[k][findings[k] != 1]}" for k in _NAMES if findings[k])
        parts.append(f"{total} more finding{'s' if total != 1 else ''} ({kinds})")
    if notices:
        parts.append(f"{notices} more notice{'s' if notices != 1 else ''} about files that were not fully checked")
    one = len(held) == 1
    return (
        f"{' and '.join(parts)} {'is' if one else 'are'} not shown as annotations: GitHub shows at most {limit} errors, {limit} "
        f"warnings and {limit} notices per step. They are listed in this log{see}."
    )
