"""A rule's examples: texts its rule must flag (`Rule.flag`) or must leave alone (`Rule.clean`).

A plain string asserts only that the rule reports something in it, or nothing. An `Example` can pin
the finding, as Fixit's `Invalid(code, range=…, expected_message=…)` does, and can carry settings
for a rule that has options:

    Example("DELETE FROM users;", flagged="DELETE FROM users", severity=Severity.ERROR,
            message="has no WHERE clause")
    Example(plan_deleting_three, config={"max-destroy": 2}, message="more than max-destroy = 2")

    code      the example text
    flagged   the exact text the finding spans
    region    where the finding is: (start line, start column, end line, end column), 1-based, end
              column exclusive, as in the reports
    severity  the finding's severity, after configuration
    message   a part of the finding's message
    config    settings as the keys of a `[tool.blastguard]` table (`max-destroy`, `stateful-types`,
              `production-names`, `severity`), applied when the example is checked

Some finding of the rule must match every pin given. A clean example may carry `config` only: it
stays clean under those settings. tests/test_rule_examples.py checks every example.

Imported with every rule module: it must stay as cheap as `records`.
"""

from __future__ import annotations

from blastguard.records import Record, factory, record

_PINS = ("flagged", "region", "severity", "message")


@record(frozen=True)
class Example(Record):
    code: str
    flagged: str | None = None
    region: tuple[int, int, int, int] | None = None
    severity: object = None  # a Severity
    message: str | None = None
    config: dict = factory(dict)

    @property
    def pinned(self) -> tuple[str, ...]:
        """The names of the pins this example sets."""
        return tuple(name for name in _PINS if getattr(self, name) is not None)


def code_of(example: str | Example) -> str:
    return example if isinstance(example, str) else example.code


def config_of(example: str | Example) -> dict:
    return {} if isinstance(example, str) else example.config


def problem_with(flag: tuple, clean: tuple) -> str | None:
    """Why these examples are malformed, or None."""
    for example in (*flag, *clean):
        if not isinstance(example, (str, Example)):
            return f"an example must be a string or an Example, not {type(example).__name__}"
    for example in clean:
        if isinstance(example, Example) and example.pinned:
            return f"a clean example has no finding to pin ({', '.join(example.pinned)})"
    return None


def settings_text(example: str | Example) -> str:
    """The example's settings as TOML lines (`max-destroy = 2`), "" when it has none."""
    return "\n".join(f"{key} = {_toml(value)}" for key, value in config_of(example).items())


def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{key} = {_toml(item)}" for key, item in value.items()) + " }"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    label = getattr(value, "label", None)  # a Severity
    text = label if isinstance(label, str) else str(value)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
