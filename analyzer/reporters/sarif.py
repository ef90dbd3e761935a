"""SARIF 2.1.0, shaped for GitHub code scanning.

One run; every rule described (ids are stable, so ruleIndex is too); results carry an explicit
level, a repository-relative percent-encoded URI, 1-based columns (code points, declared in
`columnKind`), GitHub's `primaryLocationLineHash` and our own line-independent fingerprint.
A report of what a change adds (`--diff`, `--staged`, `--diff-file`) marks every result
`baselineState: "new"`; findings already there before the change are not in it (GitHub ignores the
property; other consumers read it). Parse problems and skipped files are tool execution notifications, not results.
A result's `security-severity` follows its own level, so a finding raised for production shows its real
severity. `%SRCROOT%` is described, never given the checkout's absolute path; stdin is the URI `stdin`.
The run's `automationDetails.id` is its code-scanning category (`blastguard/` unless a caller says).
"""

from __future__ import annotations

import json
import os
import pathlib
from urllib.parse import quote

import blastguard
from blastguard.docs import REPOSITORY_URL, render_rule, rule_markdown, rule_url
from blastguard.model import Finding, Region, Report, Severity
from blastguard.registry import all_rules
from blastguard.reporters import RenderContext
from blastguard.reporters.fingerprints import line_hashes
from blastguard.sources import SkipFile, read_regular

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
ROOT_ID = "%SRCROOT%"
DEFAULT_CATEGORY = "blastguard/"
STDIN_URI = "stdin"  # what stdin without --stdin-filename is called: there is no file to point to
_STDIN_PATH = "<stdin>"  # the path the engine gives such a source
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}
# GitHub's scale: over 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, below that low. Always a string.
_SECURITY_SEVERITY = {Severity.ERROR: "9.1", Severity.WARNING: "6.5", Severity.NOTE: "3.0"}
_PROBLEM_SEVERITY = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "recommendation"}


def _descriptor(rule) -> dict:
    # Rules about the destruction of data are security rules; suppression hygiene is not.
    security = rule.language != "any"
    properties = {
        "tags": list(
            dict.fromkeys((["security"] if security else []) + ["blastguard", rule.examples_language, *rule.tags])
        ),
        "precision": rule.precision,
        "problem.severity": _PROBLEM_SEVERITY[rule.severity],
    }
    if security:
        properties["security-severity"] = _SECURITY_SEVERITY[rule.severity]
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.rationale[:1024]},
        "help": {"text": render_rule(rule), "markdown": rule_markdown(rule)},
        "helpUri": rule_url(rule),
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": properties,
    }


def _uri(path: str, root: str) -> tuple[str, bool]:
    """(uri, relative?) for a reported path: relative to the project root when inside it."""
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute, root)
    if relative.startswith(".."):
        return pathlib.Path(absolute).as_uri(), False
    return quote(relative.replace(os.sep, "/"), safe="/"), True


def _location(path: str, region: Region | None, root: str) -> dict:
    uri, relative = (STDIN_URI, False) if path == _STDIN_PATH else _uri(path, root)
    artifact = {"uri": uri, "uriBaseId": ROOT_ID} if relative else {"uri": uri}
    physical: dict = {"artifactLocation": artifact}
    if region:
        physical["region"] = {
            "startLine": region.start_line,
            "startColumn": region.start_column,
            "endLine": region.end_line,
            "endColumn": region.end_column,
        }
    return {"physicalLocation": physical}


class _LineHashes:
    """GitHub's line hashes per file, computed from the bytes on disk as GitHub reads them."""

    def __init__(self, texts: dict[str, str], prefer_texts: bool = False) -> None:
        self.texts = texts
        self.prefer_texts = prefer_texts  # a change's new content need not be on disk (a patch, the index)
        self.cache: dict[str, list[str]] = {}

    def get(self, path: str, line: int) -> str | None:
        if path not in self.cache and self.prefer_texts and path in self.texts:
            self.cache[path] = line_hashes(self.texts[path])
        if path not in self.cache:
            text: str | None
            try:
                text = read_regular(path).decode("utf-8", errors="replace")
            except SkipFile:
                text = self.texts.get(path)
            self.cache[path] = line_hashes(text) if text is not None else []
        hashes = self.cache[path]
        return hashes[line - 1] if 0 < line <= len(hashes) else None


def _result(
    finding: Finding, index: dict[str, int], rules: list[dict], root: str, hashes: _LineHashes, state: str | None
) -> dict:
    result: dict = {
        "ruleId": finding.rule_id,
        "ruleIndex": index[finding.rule_id],
        "level": _LEVEL[finding.severity],
        "message": {"text": finding.message},
        "locations": [_location(finding.path, finding.region, root)],
        "partialFingerprints": {"blastguard/v1": finding.fingerprint},
    }
    if state:
        result["baselineState"] = state
    properties = dict(finding.properties or {})
    if "security" in rules[index[finding.rule_id]]["properties"]["tags"]:
        # The rule's score is its default level's; this result's level may have been raised (production) or configured.
        properties["security-severity"] = _SECURITY_SEVERITY[finding.severity]
    if properties:
        result["properties"] = properties
    line_hash = hashes.get(finding.path, finding.region.start_line)
    if line_hash:
        result["partialFingerprints"]["primaryLocationLineHash"] = line_hash
    if finding.suppression:
        result["suppressions"] = [
            {"kind": finding.suppression.kind, "status": "accepted", "justification": finding.suppression.justification}
        ]
    return result


def build(report: Report, context: RenderContext, category: str = DEFAULT_CATEGORY) -> dict:
    """The SARIF log of `report`; `category` is the code-scanning category (automationDetails.id, ending in `/`)."""
    root = os.path.abspath(report.project_root)
    rules = list(all_rules())
    descriptors = [_descriptor(rule) for rule in rules]
    index = {rule.id: i for i, rule in enumerate(rules)}
    from blastguard.filters.changes import ChangeReport

    change = isinstance(report, ChangeReport)
    hashes = _LineHashes(report.texts, prefer_texts=change)
    findings = report.findings if context.include_suppressed else report.reported
    notifications = [
        {
            "level": n.level,
            "message": {"text": n.message},
            "descriptor": {"id": n.kind},
            "locations": [_location(n.path, n.region, root)],
        }
        for n in report.notifications
    ]
    run = {
        "tool": {
            "driver": {
                "name": "blastguard",
                "version": blastguard.__version__,
                "semanticVersion": blastguard.__version__,
                "informationUri": REPOSITORY_URL,
                "rules": descriptors,
            }
        },
        "automationDetails": {"id": category if category.endswith("/") else category + "/"},
        # No uri: the checkout's absolute path is nobody's business, and code scanning needs only the relative paths.
        "originalUriBaseIds": {ROOT_ID: {"description": {"text": "The root of the checked project."}}},
        "columnKind": "unicodeCodePoints",
        "results": [
            _result(f, index, descriptors, root, hashes, "new" if change else None)
            for f in sorted(findings, key=lambda f: f.sort_key)
        ],
        "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(report: Report, context: RenderContext) -> str:
    return json.dumps(build(report, context), indent=2, ensure_ascii=False) + "\n"
