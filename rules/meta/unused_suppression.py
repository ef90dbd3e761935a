"""BG002 unused-suppression: a suppression comment with nothing to suppress."""

from blastguard.examples import Example
from blastguard.model import Severity
from blastguard.rule import Rule

RULE = Rule(
    id="BG002",
    name="unused-suppression",
    language="any",
    example_language="sql",
    meta=True,
    severity=Severity.WARNING,
    summary="A suppression comment names a rule that reports nothing on its line or the next.",
    rationale=(
        "A stale suppression is a loaded gun: it silences whatever that rule finds on the line in the "
        "future. Suppressions are removed once the code they excused is gone."
    ),
    fix="Remove the comment, or move it onto the finding's line or the line before it.",
    flag=(
        Example(
            "DELETE FROM users WHERE id = 1; -- blastguard: ignore[SQL101] it has a WHERE now",
            flagged="-- blastguard: ignore[SQL101] it has a WHERE now",
            severity=Severity.WARNING,
            message="Suppression of SQL101 suppresses nothing here.",
        ),
        "-- blastguard: ignore[SQL201] not needed\nSELECT 1;",
    ),
    clean=(
        "-- blastguard: ignore[SQL101] scratch table rebuilt hourly\nDELETE FROM scratch;",
        "DELETE FROM scratch; -- blastguard: ignore[SQL101] scratch table rebuilt hourly",
    ),
    precision="very-high",
    tags=("maintainability",),
)
