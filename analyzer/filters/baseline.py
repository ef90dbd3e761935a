"""Finding identity that survives unrelated edits, and the baseline file built on it.

The identity is a hash of the rule, the file's project-relative path, the finding's source text
with whitespace collapsed, and its occurrence number among identical findings in that file: moving
a finding down by adding lines above it keeps its identity; changing the offending text does not.
"""

from __future__ import annotations

import json
import os
from collections import Counter

from blastguard.model import Finding, Suppression
from blastguard.sources import SkipFile, read_regular

BASELINE_VERSION = 1


class BaselineError(Exception):
    pass


def assign_fingerprints(findings: list[Finding], identity_path: str) -> None:
    if not findings:
        return
    from hashlib import sha256  # only when there is something to fingerprint: a clean hook call skips it

    seen: Counter = Counter()
    for finding in sorted(findings, key=lambda f: f.sort_key):
        snippet = " ".join(finding.snippet.split())
        key = (finding.rule_id, identity_path, snippet)
        seen[key] += 1
        material = "\0".join([*key, str(seen[key])])
        finding.fingerprint = sha256(material.encode("utf-8")).hexdigest()[:32]


def write(path: str, findings: list[Finding]) -> None:
    entries = [
        {"fingerprint": f.fingerprint, "rule": f.rule_id, "path": f.path, "line": f.region.start_line}
        for f in sorted(findings, key=lambda f: f.sort_key)
    ]
    data = {"version": BASELINE_VERSION, "tool": "blastguard", "findings": entries}
    try:
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2)
            handle.write("\n")
    except OSError as exc:
        raise BaselineError(f"cannot write baseline {path}: {exc.strerror or exc}") from None


def load(path: str) -> set[str]:
    if not os.path.exists(path):
        raise BaselineError(f"baseline {path} does not exist (create it with --write-baseline)")
    try:
        data = json.loads(read_regular(path).decode("utf-8"))
    except SkipFile as skip:
        raise BaselineError(f"baseline {path}: {skip}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineError(f"baseline {path} is not valid JSON: {exc}") from None
    if (
        not isinstance(data, dict)
        or data.get("version") != BASELINE_VERSION
        or not isinstance(data.get("findings"), list)
    ):
        raise BaselineError(f"baseline {path} is not a blastguard baseline (version {BASELINE_VERSION})")
    try:
        return {entry["fingerprint"] for entry in data["findings"]}
    except (TypeError, KeyError):
        raise BaselineError(f"baseline {path}: every entry needs a fingerprint") from None


def apply(findings: list[Finding], known: set[str]) -> None:
    for finding in findings:
        if finding.suppression is None and finding.fingerprint in known:
            finding.suppression = Suppression("external", "in the baseline")


def resolve_path(path: str, root: str) -> str:
    return path if os.path.isabs(path) else os.path.join(root, path)


def apply_configured(findings: list[Finding], config, baseline_file: str | None = None) -> None:
    """Mark the findings in the baseline: `baseline_file` when given, else the configured one, if any."""
    baseline_file = baseline_file or (resolve_path(config.baseline, config.root) if config.baseline else None)
    if baseline_file:
        apply(findings, load(baseline_file))
