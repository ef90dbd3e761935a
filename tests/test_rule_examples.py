"""Every rule's own examples: each `flag` example must produce the rule's finding (with the span, severity
and message it pins), each `clean` one must not, under the settings the example carries."""

import pytest

from blastguard.api import check_diff, check_text
from blastguard.config import parse_table
from blastguard.examples import Example, code_of, config_of
from blastguard.filters.diffs import pre_images
from blastguard.registry import all_rules

# The file name each language's examples are checked under.
FILENAMES = {
    "sql": "example.sql",
    "shell": "example.sh",
    "terraform": "main.tf",
    "terraform-plan": "plan.json",
    "github-actions": ".github/workflows/ci.yml",
    "gitlab-ci": ".gitlab-ci.yml",
    "makefile": "Makefile",
    "python": "example.py",
    "database-access": "role.blastguard-access.jsonl",
}


def _cases(kind):
    for rule in all_rules():
        for number, example in enumerate(getattr(rule, kind), start=1):
            yield pytest.param(rule, example, id=f"{rule.id}-{kind}-{number}")


def _findings(rule, example, tmp_path):
    """The rule's unsuppressed findings in `example`, checked with the example's settings."""
    config = parse_table(config_of(example), None, str(tmp_path))
    example = code_of(example)
    if rule.examples_language == "diff":
        # A change-only rule's examples are whole-file patches: rebuild the old files from their
        # context and `-` lines, then check the patch against them as `--diff-file` does.
        for path, text in pre_images(example).items():
            (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / path).write_text(text, encoding="utf-8")
        found = check_diff(example, root=str(tmp_path), config=config)
    elif "hook-only" in rule.tags:
        # A rule only the agent hook reports: each example is a shell command an agent would run.
        from blastguard.engine import Engine
        from blastguard.interfaces.guard_tampering import command_findings

        engine = Engine(config, str(tmp_path))
        found = command_findings(rule, engine, example, str(tmp_path), str(tmp_path / "home"), None)
    else:
        found = check_text(example, filename=FILENAMES[rule.examples_language], config=config)
    return [f for f in found if f.rule_id == rule.id and f.suppression is None]


@pytest.mark.parametrize(("rule", "example"), list(_cases("flag")))
def test_flag_example_is_flagged(rule, example, tmp_path):
    found = _findings(rule, example, tmp_path)
    assert found, f"{rule.id} should flag:\n{code_of(example)}"
    if isinstance(example, Example) and example.pinned:
        mismatches = [_mismatch(example, finding) for finding in found]
        assert "" in mismatches, f"{rule.id}: no finding is as pinned in:\n{example.code}\n" + "\n".join(mismatches)


def _mismatch(example: Example, finding) -> str:
    """How `finding` differs from what `example` pins ("" when it matches every pin)."""
    region = finding.region
    actual = {
        "flagged": finding.snippet,
        "region": (region.start_line, region.start_column, region.end_line, region.end_column),
        "severity": finding.severity,
    }
    wrong = [
        f"{name} is {actual[name]!r}, not {getattr(example, name)!r}"
        for name in ("flagged", "region", "severity")
        if getattr(example, name) is not None and actual[name] != getattr(example, name)
    ]
    if example.message is not None and example.message not in finding.message:
        wrong.append(f"the message {finding.message!r} does not hold {example.message!r}")
    return "; ".join(wrong)


@pytest.mark.parametrize(("rule", "example"), list(_cases("clean")))
def test_clean_example_stays_clean(rule, example, tmp_path):
    found = _findings(rule, example, tmp_path)
    assert not found, f"{rule.id} should not flag:\n{code_of(example)}\nbut reported: {[f.message for f in found]}"


def test_every_rule_has_unique_id_and_name():
    rules = all_rules()
    assert len({r.id for r in rules}) == len(rules)
    assert len({r.name for r in rules}) == len(rules)
    for rule in rules:
        assert rule.name == rule.name.lower() and " " not in rule.name
        assert rule.summary.endswith("."), rule.id


# --- what the examples themselves promise ---------------------------------------------------------------


def test_every_rule_pins_the_span_severity_and_message_of_a_finding():
    for rule in all_rules():
        pinned = [
            e for e in rule.flag if isinstance(e, Example) and (e.flagged or e.region) and e.severity and e.message
        ]
        assert pinned, f"{rule.id}: no flag example pins its finding's span, severity and message"


def test_the_rule_options_have_configured_examples():
    configured = {key for rule in all_rules() for e in (*rule.flag, *rule.clean) for key in config_of(e)}
    assert {"max-destroy", "stateful-types", "production-names", "severity"} <= configured


def test_a_pin_that_does_not_hold_is_reported(tmp_path):
    from blastguard.model import Severity
    from blastguard.registry import find_rule

    rule = find_rule("SQL101")
    right = Example(
        "DELETE FROM users;",
        flagged="DELETE FROM users",
        region=(1, 1, 1, 18),
        severity=Severity.ERROR,
        message="has no WHERE clause",
    )
    (finding,) = _findings(rule, right, tmp_path)
    assert _mismatch(right, finding) == ""
    for wrong in (
        {"flagged": "DELETE"},
        {"region": (1, 1, 1, 7)},
        {"severity": Severity.WARNING},
        {"message": "has no LIMIT"},
    ):
        assert _mismatch(right.replace(**wrong), finding), wrong


def test_example_settings_apply_when_it_is_checked(tmp_path):
    from blastguard.model import Severity
    from blastguard.registry import find_rule

    rule = find_rule("SQL101")
    (plain,) = _findings(rule, "DELETE FROM users;", tmp_path)
    (lowered,) = _findings(rule, Example("DELETE FROM users;", config={"severity": {"SQL101": "note"}}), tmp_path)
    assert (plain.severity, lowered.severity) == (Severity.ERROR, Severity.NOTE)


def test_a_rule_refuses_examples_it_cannot_check():
    from blastguard.model import Severity
    from blastguard.rule import Rule

    def rule(flag, clean):
        return Rule(
            id="X001",
            name="x",
            language="sql",
            severity=Severity.ERROR,
            summary="X.",
            rationale="X.",
            flag=flag,
            clean=clean,
            meta=True,
        )

    rule((Example("DELETE FROM t;", message="WHERE"),), (Example("SELECT 1;", config={"max-destroy": 2}),))
    with pytest.raises(ValueError, match="clean example has no finding to pin"):
        rule(("DELETE FROM t;",), (Example("SELECT 1;", message="WHERE"),))
    with pytest.raises(ValueError, match="must be a string or an Example"):
        rule((("DELETE FROM t;", "WHERE"),), ("SELECT 1;",))


def test_rule_documentation_shows_examples_with_their_settings(capsys):
    import json

    from blastguard.docs import render_rule_list, rule_markdown
    from blastguard.interfaces.cli import main

    assert main(["rule", "TFP105"]) == 0
    text = capsys.readouterr().out
    assert "\n  With max-destroy = 2:\n    {\n" in text and "\n  With max-destroy = 5:\n    {\n" in text
    assert '"resource_changes": [' in text and "Example(" not in text
    markdown = rule_markdown(find("TFP105"))
    assert "With `max-destroy = 2`:\n\n```terraform-plan\n{" in markdown and "Example(" not in markdown
    listed = {r["id"]: r for r in json.loads(render_rule_list("json"))}
    assert listed["SQL101"]["flag"][0] == "DELETE FROM users;"
    assert all(isinstance(e, str) for r in listed.values() for e in (*r["flag"], *r["clean"]))


def find(rule_id):
    from blastguard.registry import find_rule

    return find_rule(rule_id)
