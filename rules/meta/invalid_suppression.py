"""BG001 invalid-suppression: a suppression comment that cannot be honoured."""

from blastguard.examples import Example
from blastguard.model import Severity
from blastguard.rule import Rule

RULE = Rule(
    id="BG001",
    name="invalid-suppression",
    language="any",
    example_language="sql",
    meta=True,
    severity=Severity.WARNING,
    summary="A suppression comment is malformed, names an unknown rule, or gives no reason.",
    rationale=(
        "Suppressions must say which rule they silence and why, so that a reviewer can judge them and "
        "a typo cannot silence the guard. A directive without a reason is not applied: the finding it "
        "meant to hide is still reported."
    ),
    fix="Write `blastguard: ignore[RULE] reason` with a known rule id or name and a reason.",
    flag=(
        Example(
            "DELETE FROM scratch; -- blastguard: ignore[SQL101]",
            flagged="-- blastguard: ignore[SQL101]",
            severity=Severity.WARNING,
            message="Suppression of SQL101 has no reason, so it is not applied.",
        ),
        "DELETE FROM scratch; -- blastguard: ignore[SQL1O1] typo in the id",
        "DELETE FROM scratch; -- blastguard: ignore nightly purge",
    ),
    clean=(
        "DELETE FROM scratch; -- blastguard: ignore[SQL101] nightly purge of a scratch table",
        "DELETE FROM scratch; -- blastguard: ignore[unbounded-delete] scratch table, rebuilt hourly",
        "-- mentions blastguard in passing\nSELECT 1;",
        "-- blastguard: see the runbook before editing\nSELECT 1;",
    ),
    precision="very-high",
    tags=("maintainability",),
)
