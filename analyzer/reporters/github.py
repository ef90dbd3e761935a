"""GitHub Actions workflow commands: each finding becomes an annotation on its line."""

from __future__ import annotations

from blastguard.model import Report, Severity
from blastguard.reporters import RenderContext

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def render(report: Report, context: RenderContext) -> str:
    lines = []
    for finding in sorted(report.reported, key=lambda f: (-f.severity, f.sort_key)):
        r = finding.region
        props = [f"file={_escape_property(finding.path)}", f"line={r.start_line}", f"endLine={r.end_line}"]
        if r.start_line == r.end_line:  # GitHub accepts columns only for single-line annotations
            props += [f"col={r.start_column}", f"endColumn={r.end_column}"]
        props.append(f"title={_escape_property(f'{finding.rule_id} {finding.rule_name}')}")
        lines.append(f"::{_COMMAND[finding.severity]} {','.join(props)}::{_escape_data(finding.message)}")
    for n in report.notifications:
        props = [f"file={_escape_property(n.path)}"]
        if n.region:
            props.append(f"line={n.region.start_line}")
        props.append(f"title={_escape_property('blastguard ' + n.kind)}")
        lines.append(f"::{'error' if n.level == 'error' else 'notice'} {','.join(props)}::{_escape_data(n.message)}")
    return "\n".join(lines) + ("\n" if lines else "")
