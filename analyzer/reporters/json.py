"""JSON output; its schema is `blastguard/schemas/report.schema.json` and changes only with `version`."""

from __future__ import annotations

import json
from collections import Counter

import blastguard
from blastguard.model import Finding, Region, Report
from blastguard.reporters import RenderContext

SCHEMA_VERSION = 1


def _region(region: Region | None) -> dict | None:
    if region is None:
        return None
    return {
        "start_line": region.start_line,
        "start_column": region.start_column,
        "end_line": region.end_line,
        "end_column": region.end_column,
    }


def _finding(finding: Finding) -> dict:
    shown = {
        "rule_id": finding.rule_id,
        "rule_name": finding.rule_name,
        "severity": finding.severity.label,
        "message": finding.message,
        "path": finding.path,
        "region": _region(finding.region),
        "snippet": finding.snippet,
        "fingerprint": finding.fingerprint,
        "suppression": (
            {"kind": finding.suppression.kind, "justification": finding.suppression.justification}
            if finding.suppression
            else None
        ),
    }
    if finding.properties:
        shown["properties"] = finding.properties
    return shown


def render(report: Report, context: RenderContext) -> str:
    findings = report.findings if context.include_suppressed else report.reported
    counts = Counter(f.severity.label for f in report.reported)
    document = {
        "version": SCHEMA_VERSION,
        "tool": {"name": "blastguard", "version": blastguard.__version__},
        "findings": [_finding(f) for f in sorted(findings, key=lambda f: f.sort_key)],
        "notifications": [
            {"path": n.path, "kind": n.kind, "level": n.level, "message": n.message, "region": _region(n.region)}
            for n in report.notifications
        ],
        "summary": {
            "files_checked": report.files_checked,
            "findings": len(report.reported),
            "by_severity": {level: counts.get(level, 0) for level in ("error", "warning", "note")},
            "suppressed": len(report.suppressed),
        },
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
