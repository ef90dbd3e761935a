"""GitLab Code Quality report: a JSON array of issues, uploaded with `artifacts: reports: codequality:`.

GitLab reads `description`, `check_name`, `fingerprint` (unique per issue, stable across commits: the
line-independent finding fingerprint), `severity` (info, minor, major, critical, blocker) and
`location.path` (relative to the repository root) with `location.lines.begin`. An error destroys data
irreversibly, so it is critical; a warning is destructive but may be meant, major; a note never blocks,
info. Blocker is left for nothing: GitLab gives it no more weight than critical for a merge gate, and
a production finding is already raised one level. Suppressed findings are never issues: GitLab cannot
show them as dismissed.
"""

from __future__ import annotations

import json
import os

from blastguard.model import Finding, Report, Severity
from blastguard.reporters import RenderContext

SEVERITY = {Severity.ERROR: "critical", Severity.WARNING: "major", Severity.NOTE: "info"}
STDIN_PATH = "stdin"  # stdin without --stdin-filename: there is no file to point to


def _path(path: str, root: str) -> str:
    """The path relative to the project root, with forward slashes; outside it, as given."""
    if path == "<stdin>":
        return STDIN_PATH
    relative = os.path.relpath(os.path.abspath(path), root)
    return (path if relative.startswith("..") else relative).replace(os.sep, "/")


def _issue(finding: Finding, root: str) -> dict:
    region = finding.region
    return {
        "type": "issue",
        "description": f"{finding.rule_id} {finding.message}",
        "check_name": f"blastguard/{finding.rule_id}",
        "fingerprint": finding.fingerprint,
        "severity": SEVERITY[finding.severity],
        "location": {"path": _path(finding.path, root), "lines": {"begin": region.start_line, "end": region.end_line}},
    }


def build(report: Report) -> list[dict]:
    root = os.path.abspath(report.project_root)
    return [_issue(f, root) for f in sorted(report.reported, key=lambda f: f.sort_key)]


def render(report: Report, context: RenderContext) -> str:
    return json.dumps(build(report), indent=2, ensure_ascii=False) + "\n"
