"""Inline suppressions: `-- blastguard: ignore[SQL101] reason`, in the host language's comment syntax.

A directive covers findings on its own line, or on the next line when it stands alone on its line.
A reason is required; a directive without one, one naming an unknown rule, and one that suppresses
nothing are reported (BG001, BG002), so a typo cannot silence the guard.
"""

from __future__ import annotations

import re

from blastguard.model import Finding, Suppression
from blastguard.records import Record, factory, record
from blastguard.textindex import LineIndex

_MARKER = re.compile(r"blastguard\s*:\s*ignore\b", re.IGNORECASE)  # a comment that means to suppress
_DIRECTIVE = re.compile(r"blastguard\s*:\s*ignore\s*\[([^\]]*)\]\s*[:\-—]*\s*(.*)", re.IGNORECASE | re.DOTALL)


@record
class Directive(Record):
    start: int  # offsets of the comment
    end: int
    line: int
    own_line: bool  # nothing but whitespace before it on its line
    rules: list[str]
    reason: str
    used: set[str] = factory(set)  # the rules it suppressed a finding of

    def covers(self, finding: Finding) -> bool:
        region = finding.region
        return region.start_line <= self.line <= region.end_line or (
            self.own_line and self.line == region.start_line - 1
        )


@record(frozen=True)
class Problem(Record):
    """A directive that cannot be honoured, reported as BG001 or BG002."""

    rule_id: str
    start: int
    end: int
    message: str


def parse(comments, index: LineIndex, resolve) -> tuple[list[Directive], list[Problem]]:
    """Directives in `comments` (objects with start, end, body). `resolve` maps a rule key to an id or None."""
    directives, problems = [], []
    for comment in comments:
        if not _MARKER.search(comment.body):
            continue
        match = _DIRECTIVE.search(comment.body)
        if not match:
            problems.append(
                Problem(
                    "BG001",
                    comment.start,
                    comment.end,
                    "Suppression comment is malformed and suppresses nothing. "
                    "Write it as `blastguard: ignore[RULE] reason`.",
                )
            )
            continue
        keys = [k.strip() for k in match.group(1).split(",") if k.strip()]
        reason = " ".join(match.group(2).split())
        unknown = [k for k in keys if resolve(k) is None]
        if not keys or unknown:
            named = ", ".join(unknown) if unknown else "no rule"
            problems.append(
                Problem(
                    "BG001",
                    comment.start,
                    comment.end,
                    f"Suppression names an unknown rule ({named}) and suppresses nothing. "
                    "Use a rule id such as SQL101 or a rule name.",
                )
            )
            continue
        if not reason:
            problems.append(
                Problem(
                    "BG001",
                    comment.start,
                    comment.end,
                    f"Suppression of {', '.join(keys)} has no reason, so it is not applied. "
                    "Say why after the brackets: "
                    f"`blastguard: ignore[{', '.join(keys)}] why`.",
                )
            )
            continue
        line, column = index.position(comment.start)
        own_line = not index.line_text(line)[: column - 1].strip()
        directives.append(Directive(comment.start, comment.end, line, own_line, [resolve(k) for k in keys], reason))
    return directives, problems


def apply(findings: list[Finding], directives: list[Directive]) -> None:
    """Mark each finding a directive covers as suppressed, and record which directives were used."""
    for finding in findings:
        if finding.suppression:
            continue
        for directive in directives:
            if finding.rule_id in directive.rules and directive.covers(finding):
                finding.suppression = Suppression("inSource", directive.reason)
                directive.used.add(finding.rule_id)
                break


def unused(directives: list[Directive], enabled: set[str]) -> list[Problem]:
    """Directives naming an enabled rule that had nothing to suppress (disabled rules are not counted)."""
    problems = []
    for directive in directives:
        idle = [r for r in directive.rules if r not in directive.used and r in enabled]
        if idle:
            problems.append(
                Problem(
                    "BG002",
                    directive.start,
                    directive.end,
                    f"Suppression of {', '.join(idle)} suppresses nothing here. "
                    "Remove it, or move it onto the line of the finding or the line before.",
                )
            )
    return problems
