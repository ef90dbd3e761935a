"""Reporters turn a Report into text, JSON, SARIF, GitHub workflow commands or a GitLab Code Quality report."""

from __future__ import annotations

from blastguard.model import Report
from blastguard.records import Record, record

FORMATS = ("text", "json", "sarif", "github", "gitlab")


@record(frozen=True)
class RenderContext(Record):
    """What a reporter may need beyond the findings."""

    include_suppressed: bool = False
    color: bool = False
    quiet: bool = False  # text: the findings only, without the summary line


def render(fmt: str, report: Report, context: RenderContext) -> str:
    if fmt == "text":
        from blastguard.reporters.text import render as text

        return text(report, context)
    if fmt == "json":
        from blastguard.reporters.json import render as json_

        return json_(report, context)
    if fmt == "sarif":
        from blastguard.reporters.sarif import render as sarif

        return sarif(report, context)
    if fmt == "github":
        from blastguard.reporters.github import render as github

        return github(report, context)
    if fmt == "gitlab":
        from blastguard.reporters.gitlab import render as gitlab

        return gitlab(report, context)
    raise ValueError(f"unknown format {fmt!r}")
