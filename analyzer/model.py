"""The values that flow out of the engine: severities, locations, findings and notifications."""

from __future__ import annotations

import enum

from blastguard.records import Record


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


class Region(Record):
    """A span in the host file: 1-based lines and columns, end column exclusive (as in SARIF)."""

    __slots__ = ("start_line", "start_column", "end_line", "end_column")

    def __init__(self, start_line: int, start_column: int, end_line: int, end_column: int) -> None:
        self.start_line, self.start_column, self.end_line, self.end_column = start_line, start_column, end_line, end_column


class Suppression(Record):
    """Why a finding is not reported: an inline comment (`in-source`) or a baseline entry (`external`)."""

    __slots__ = ("kind", "justification")

    def __init__(self, kind: str, justification: str) -> None:
        self.kind = kind  # "inSource" | "external"
        self.justification = justification


class Finding(Record):
    __slots__ = ("rule_id", "rule_name", "severity", "message", "path", "region", "snippet", "fingerprint", "suppression")

    def __init__(self, rule_id: str, rule_name: str, severity: Severity, message: str, path: str, region: Region,
                 snippet: str, fingerprint: str = "", suppression: Suppression | None = None) -> None:
        self.rule_id = rule_id
        self.rule_name = rule_name
        self.severity = severity
        self.message = message
        self.path = path  # as shown to the user: relative to the working directory where possible
        self.region = region
        self.snippet = snippet  # the source text of the span; part of the finding's identity
        self.fingerprint = fingerprint  # line-independent identity, filled in by the engine
        self.suppression = suppression

    @property
    def sort_key(self) -> tuple:
        r = self.region
        return (self.path, r.start_line, r.start_column, self.rule_id)


class Notification(Record):
    """Something the user should know that is not a finding: a parse problem, a skipped file, a crash."""

    __slots__ = ("path", "message", "kind", "level", "region", "language")

    def __init__(self, path: str, message: str, kind: str, level: str = "warning", region: Region | None = None,
                 language: str = "") -> None:
        self.path = path
        self.message = message
        self.kind = kind  # "parse-error" | "skipped" | "internal-error"
        self.level = level  # SARIF notification level: "error" | "warning" | "note"
        self.region = region
        self.language = language  # of the text a parse error is in (an embedded script's own), when known


class Report(Record):
    """Everything one run produced."""

    __slots__ = ("findings", "notifications", "files_checked", "texts", "project_root")

    def __init__(self, findings: list[Finding] | None = None, notifications: list[Notification] | None = None,
                 files_checked: int = 0, texts: dict[str, str] | None = None, project_root: str = ".") -> None:
        self.findings = [] if findings is None else findings
        self.notifications = [] if notifications is None else notifications
        self.files_checked = files_checked
        self.texts = {} if texts is None else texts  # path -> text, for files with findings
        self.project_root = project_root  # SARIF URIs and finding identities are relative to it

    @property
    def reported(self) -> list[Finding]:
        return [f for f in self.findings if f.suppression is None]

    @property
    def suppressed(self) -> list[Finding]:
        return [f for f in self.findings if f.suppression is not None]

    @property
    def had_internal_error(self) -> bool:
        return any(n.kind == "internal-error" for n in self.notifications)
