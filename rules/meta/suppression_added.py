"""BG004 suppression-added: a change adds a suppression comment that silences a finding.

Reported for changes (`blastguard check --diff`, `--staged`, `--diff-file`, the GitHub action) by
`blastguard.filters.suppression_changes`, and by the agent hook for an edit that silences a finding the
file already had.
"""

from blastguard.examples import Example
from blastguard.model import Severity
from blastguard.rule import Rule

RULE = Rule(
    id="BG004",
    name="suppression-added",
    language="any",
    example_language="diff",
    meta=True,
    severity=Severity.WARNING,
    summary="A change adds a suppression comment that silences a finding.",
    rationale=(
        "A suppression hides a finding from every later check, so adding one is a decision a reviewer "
        "should see, not a line lost in a diff. An agent that cannot get a destructive statement past the "
        "guard may try to silence the guard instead: in the agent hook, an edit that silences a finding the "
        "file already had is asked about, whatever reason the comment gives."
    ),
    fix="Review the suppression and its reason; remove it if the finding is real.",
    flag=(
        Example(
            "--- a/purge.sql\n+++ b/purge.sql\n@@ -1 +1,2 @@\n"
            "+-- blastguard: ignore[SQL101] the table is rebuilt every night\n DELETE FROM sessions;\n",
            flagged="blastguard: ignore[SQL101] the table is rebuilt every night",
            severity=Severity.WARNING,
            message="This change adds a suppression that silences SQL101 unbounded-delete on line 2",
        ),
        "--- a/cleanup.sh\n+++ b/cleanup.sh\n@@ -1,2 +1,2 @@\n #!/bin/sh\n"
        "-terraform destroy -auto-approve\n"
        "+terraform destroy -auto-approve  # blastguard: ignore[SH101] ephemeral review stack\n",
    ),
    clean=(
        "--- a/purge.sql\n+++ b/purge.sql\n@@ -1 +1 @@\n-DELETE FROM sessions;\n"
        "+DELETE FROM sessions WHERE expires_at < now();\n",
        "--- a/purge.sql\n+++ b/purge.sql\n@@ -1,2 +1,3 @@\n"
        " -- blastguard: ignore[SQL101] the table is rebuilt every night\n DELETE FROM sessions;\n+SELECT 1;\n",
    ),
    precision="very-high",
    tags=("maintainability",),
)
