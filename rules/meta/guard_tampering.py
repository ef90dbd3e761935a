"""BG003 guard-tampering: an agent's tool call that would change what configures or runs the guard.

Checked by `blastguard hook` only (`blastguard.interfaces.guard_tampering`): repositories and install scripts
write these files legitimately, so `blastguard check` does not report them.
"""

from blastguard.examples import Example
from blastguard.model import Severity
from blastguard.rule import Rule

RULE = Rule(
    id="BG003",
    name="guard-tampering",
    language="any",
    example_language="shell",
    meta=True,
    severity=Severity.WARNING,
    summary="A tool call would change blastguard's configuration or cache, an agent's hook settings, or git hooks.",
    rationale=(
        "An agent that can rewrite the guard's configuration, its own hook settings or the git hooks can "
        "switch the guard off before its next command, and nothing it does afterwards is checked. So a call "
        "that creates, changes, moves or deletes blastguard.toml, the [tool.blastguard] table of a "
        "pyproject.toml, blastguard's cache, .claude/settings.json and the other agents' hook settings, "
        ".git/hooks, .husky or .pre-commit-config.yaml, or that points git at other hooks "
        "(core.hooksPath), is asked about, whether a file tool or a shell command makes it. Reading these "
        "files, and copying them elsewhere, is not. Only the agent hook reports this rule."
    ),
    fix="Let a person make the change, or approve it when asked.",
    flag=(
        Example(
            "echo 'ignore = [\"ALL\"]' > blastguard.toml",
            flagged="blastguard.toml",
            severity=Severity.WARNING,
            message="The redirection to `blastguard.toml` writes blastguard's configuration",
        ),
        "printf '[tool.blastguard]\\n' | tee -a pyproject.toml",
        "cp /tmp/settings.json .claude/settings.json",
        "sed -i '/blastguard/d' .git/hooks/pre-commit",
        "rm ~/.claude/settings.json",
        "ln -sf /dev/null .git/hooks/pre-commit",
        "git config core.hooksPath /dev/null",
        "python3 -c \"open('blastguard.toml', 'w').write('')\"",
        "cd .gemini && truncate -s0 settings.json",
    ),
    clean=(
        "cat blastguard.toml",
        "grep -n hooks .claude/settings.json",
        "git diff .claude/settings.json",
        "cp blastguard.toml /tmp/blastguard.toml.bak",
        "echo '# notes' > notes/blastguard.md",
        "git config --get core.hooksPath",
        "python3 -c \"print(open('blastguard.toml').read())\"",
    ),
    precision="high",
    tags=("hook-only",),
)
