"""BG004 suppression-added: the suppression comments a change adds, made visible.

A finding that a change leaves suppressed where the old content had it unsuppressed (or did not have
it at all) was silenced by a comment the change adds. `analyse_change` with an engine that honours
suppressions returns those findings, marked; each becomes a BG004 finding on the comment's line, so a
reviewer of `check --diff`, `--staged` or the GitHub action sees every new suppression.

In the agent hook the question is narrower: an edit that silences a finding the file already had is
the agent silencing the guard, and asks, whatever the reason written. A suppression added together
with the code it covers is judged with that code (the hook does not honour it unless
`hook-trust-suppressions` says so).
"""

from __future__ import annotations

import os
from collections import Counter

from blastguard import registry
from blastguard.context import Context
from blastguard.filters import baseline
from blastguard.model import Finding
from blastguard.rule import Hit
from blastguard.textindex import LineIndex

RULE_ID = "BG004"


def rule_for(engine):
    """The BG004 rule, or None when the configuration does not select it."""
    rule = next((r for r in registry.meta_rules() if r.id == RULE_ID), None)  # not find_rule: it loads every pack
    return rule if rule is not None and engine.selection.enabled(rule) else None


def added(engine, change_findings: list[Finding], path: str, shown: str, text: str) -> list[Finding]:
    """BG004 findings for the findings of one file's change that a new suppression silences.
    `change_findings` come from `analyse_change` (or `introduced`); `text` is the file's new content."""
    rule = rule_for(engine)
    silenced = [f for f in change_findings if f.suppression is not None and f.suppression.kind == "inSource"]
    if rule is None or not silenced or rule.id in engine._path_ignores(engine.config_relative(path)):
        return []
    found = [_finding(engine, rule, f, shown, text, "This change adds a suppression that silences") for f in silenced]
    baseline.assign_fingerprints(found, engine.identity_path(path))
    return found


def silenced_in_change(
    engine,
    path: str,
    before: str | None,
    after: str,
    language: str,
    context,
    new: list[Finding],
    shown: str | None = None,
) -> list[Finding]:
    """For the agent hook and the MCP server: BG004 for each finding the change to `path` silences that
    the file already had. `new` is what `engine` found the change introduces. The other view (with
    suppressions honoured if `engine` ignores them, or ignored if it honours them) is computed here,
    only when the new content mentions blastguard at all."""
    if before is None or "blastguard" not in after.lower() or rule_for(engine) is None:
        return []
    from blastguard.api import Session
    from blastguard.filters.changes import introduced

    other = Session(
        engine.config, engine.project_root, not engine.trust_suppressions, pending=engine.reader.pending
    ).engine()
    other_new = introduced(other, path, before, after, language, context=context)
    trusted, untrusted = (new, other_new) if engine.trust_suppressions else (other_new, new)
    return silenced_existing(engine, trusted, untrusted, shown or os.path.basename(path), after)


def silenced_existing(
    engine, trusted_new: list[Finding], untrusted_new: list[Finding], shown: str, text: str
) -> list[Finding]:
    """For the agent hook: BG004 findings for the findings an edit silences that the file already had.

    `trusted_new` is what the edit introduces with suppressions honoured (a silenced finding is new
    in its suppressed form), `untrusted_new` what it introduces with them ignored (only findings the
    edit's own code brings). A silenced finding not among the latter was there before the edit."""
    rule = rule_for(engine)
    if rule is None:
        return []
    brought = Counter(_key(f) for f in untrusted_new)
    found = []
    for finding in trusted_new:
        if finding.suppression is None:
            continue
        if brought[_key(finding)]:
            brought[_key(finding)] -= 1
            continue
        found.append(
            _finding(
                engine,
                rule,
                finding,
                shown,
                text,
                "This edit adds a suppression that silences a finding the file already had:",
            )
        )
    return found


def _key(finding: Finding) -> tuple:
    return finding.rule_id, " ".join(finding.snippet.split())


def _finding(engine, rule, silenced: Finding, shown: str, text: str, lead: str) -> Finding:
    """BG004 on the suppression comment: on the silenced finding's first line or the line before it."""
    index = LineIndex(text)
    line = silenced.region.start_line
    start, end = index.line_starts[line - 1], index.line_starts[line - 1] + len(index.line_text(line))
    for candidate in (line, line - 1):
        if 1 <= candidate <= index.line_count and "blastguard" in index.line_text(candidate).lower():
            body = index.line_text(candidate)
            start = index.line_starts[candidate - 1] + body.lower().index("blastguard")
            end = index.line_starts[candidate - 1] + len(body.rstrip())
            break
    reason = silenced.suppression.justification if silenced.suppression else ""
    message = (
        f"{lead} {silenced.rule_id} {silenced.rule_name} on line {line} ({silenced.message.rstrip('.')}). "
        f'The reason given: "{reason}".'
    )
    return engine.finding(rule, Hit(start, end, message), shown, text, index, Context())
