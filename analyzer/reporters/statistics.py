"""`check --statistics`: how many findings each rule has, most first, as ruff prints them."""

from __future__ import annotations

import json
from collections import Counter

from blastguard.model import Report


def statistics(report: Report) -> list[dict]:
    """One entry per rule with reported findings: count, rule id, name, and the highest severity."""
    counts = Counter(f.rule_id for f in report.reported)
    names = {f.rule_id: f.rule_name for f in report.reported}
    worst: dict = {}
    for finding in report.reported:
        worst[finding.rule_id] = max(worst.get(finding.rule_id, finding.severity), finding.severity)
    ordered = sorted(counts, key=lambda rule_id: (-counts[rule_id], rule_id))
    return [{"count": counts[r], "code": r, "name": names[r], "severity": worst[r].label} for r in ordered]


def render_statistics(fmt: str, report: Report) -> str:
    entries = statistics(report)
    if fmt == "json":
        return json.dumps(entries, indent=2) + "\n"
    width = max((len(str(e["count"])) for e in entries), default=1)
    code_width = max((len(e["code"]) for e in entries), default=1)
    return "".join(
        f"{e['count']:>{width}}  {e['code']:<{code_width}}  {e['name']} ({e['severity']})\n" for e in entries
    )
