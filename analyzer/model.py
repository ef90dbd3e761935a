"""The values that flow out of the engine: severities, locations, findings and notifications."""

from __future__ import annotations

import enum

from blastguard.records import Record, factory, record


class Severity(enum.IntEnum):
    """How bad a finding is. Ordered, so `>=` compares against a fail-on level."""

    NOTE = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, value: str) -> Severity:
        try:
            return cls[value.upper()]
        except KeyError:
            raise ValueError(f"unknown severity {value!r} (expected error, warning or note)") from None


@record(frozen=True)
class Region(Record):
    """A span in the host file: 1-based lines and columns, end column exclusive (as in SARIF)."""

    start_line: int
    start_column: int
    end_line: int
    end_column: int


@record(frozen=True)
class Suppression(Record):
    """Why a finding is not reported: an inline comment (`in-source`) or a baseline entry (`external`)."""

    kind: str  # "inSource" | "external"
    justification: str


@record
class Finding(Record):
    rule_id: str
    rule_name: str
    severity: Severity
    message: str
    path: str  # as shown to the user: relative to the working directory where possible
    region: Region
    snippet: str  # the source text of the span; part of the finding's identity
    fingerprint: str = ""  # line-independent identity, filled in by the engine
    suppression: Suppression | None = None
    properties: dict | None = None  # facts beside the message (a live estimate), shown by JSON and SARIF

    @property
    def sort_key(self) -> tuple:
        r = self.region
        return (self.path, r.start_line, r.start_column, self.rule_id)


@record(frozen=True)
class Notification(Record):
    """Something the user should know that is not a finding: a parse problem, a skipped file, a crash."""

    path: str
    message: str
    kind: str  # "parse-error" | "skipped" | "internal-error"
    level: str = "warning"  # SARIF notification level: "error" | "warning" | "note"
    region: Region | None = None
    language: str = ""  # of the text a parse error is in (an embedded script's own), when known


@record
class Report(Record):
    """Everything one run produced."""

    findings: list[Finding] = factory(list)
    notifications: list[Notification] = factory(list)
    files_checked: int = 0
    texts: dict[str, str] = factory(dict)  # path -> text, for files with findings
    project_root: str = "."  # SARIF URIs and finding identities are relative to it

    @property
    def reported(self) -> list[Finding]:
        return [f for f in self.findings if f.suppression is None]

    @property
    def suppressed(self) -> list[Finding]:
        return [f for f in self.findings if f.suppression is not None]

    @property
    def had_internal_error(self) -> bool:
        return any(n.kind == "internal-error" for n in self.notifications)
