"""Human-readable output: one line per finding, a marked excerpt, and a summary."""

from __future__ import annotations

from collections import Counter

from blastguard.model import Report, Severity
from blastguard.reporters import RenderContext
from blastguard.textindex import LineIndex

_COLORS = {Severity.ERROR: "\033[1;31m", Severity.WARNING: "\033[1;33m", Severity.NOTE: "\033[1;36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"
_EXCERPT_WIDTH = 160


def render(report: Report, context: RenderContext) -> str:
    paint = _painter(context.color)
    lines: list[str] = []
    indexes: dict[str, LineIndex] = {}
    findings = report.findings if context.include_suppressed else report.reported
    for finding in sorted(findings, key=lambda f: f.sort_key):
        r = finding.region
        location = paint(_BOLD, f"{finding.path}:{r.start_line}:{r.start_column}:")
        severity = paint(_COLORS[finding.severity], finding.severity.label)
        suppressed = f" [suppressed: {finding.suppression.justification}]" if finding.suppression else ""
        lines.append(f"{location} {finding.rule_id} {severity} {finding.message}{suppressed}")
        lines.extend(
            paint(_DIM, line) if i != 1 else line for i, line in enumerate(_excerpt(finding, report.texts, indexes))
        )
    if not context.quiet:
        lines.append(_summary(report))
    return "".join(line + "\n" for line in lines)


def _excerpt(finding, texts: dict[str, str], indexes: dict[str, LineIndex]) -> list[str]:
    text = texts.get(finding.path)
    if text is None:
        return []
    index = indexes.get(finding.path) or indexes.setdefault(finding.path, LineIndex(text))
    r = finding.region
    if r.start_line > index.line_count:
        return []
    line = index.line_text(r.start_line).replace("\t", " ")  # one column per tab, as counted
    end = r.end_column if r.end_line == r.start_line else len(line) + 1
    # A long line (minified JSON, a one-line plan) is cropped around the span.
    first = max(0, min(r.start_column - 1 - 20, len(line) - _EXCERPT_WIDTH))
    shown = line[first : first + _EXCERPT_WIDTH]
    width = len(str(r.start_line))
    start = r.start_column - 1 - first
    marker = " " * start + "^" * max(1, min(end - 1 - first, len(shown)) - start)
    more = f" (to line {r.end_line})" if r.end_line > r.start_line else ""
    prefix = "…" if first else ""
    suffix = "…" if first + _EXCERPT_WIDTH < len(line) else ""
    return [
        f"{' ' * width} |",
        f"{r.start_line} | {prefix}{shown}{suffix}",
        f"{' ' * width} | {' ' * len(prefix)}{marker}{more}",
    ]


def _summary(report: Report) -> str:
    counts = Counter(f.severity for f in report.reported)
    files = f"{report.files_checked} file{'s' if report.files_checked != 1 else ''} checked"
    suppressed = len(report.suppressed)
    tail = f"; {suppressed} suppressed" if suppressed else ""
    total = sum(counts.values())
    if not total:
        return f"No findings ({files}{tail})."
    parts = [f"{counts[s]} {s.label}{'s' if counts[s] != 1 else ''}" for s in sorted(counts, reverse=True)]
    return f"Found {total} finding{'s' if total != 1 else ''}: {', '.join(parts)} ({files}{tail})."


def _painter(enabled: bool):
    def paint(code: str, text: str) -> str:
        return f"{code}{text}{_RESET}" if enabled else text

    return paint


def render_notifications(report: Report, quiet: bool = False) -> list[str]:
    """Notifications for stderr: they are about the scan, not findings in the code. `quiet` leaves out
    the notes (a skipped file type); warnings and errors always show, so nothing passes silently."""
    lines = []
    for n in report.notifications:
        if quiet and n.level == "note":
            continue
        where = f"{n.path}:{n.region.start_line}:{n.region.start_column}" if n.region else n.path
        lines.append(f"{where}: {n.level}: {n.message}")
    return lines
