"""Every rule's own examples: each `flag` example must produce the rule's finding, each `clean` one must not."""

import pytest

from blastguard.api import check_text
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
}


def _cases(kind):
    for rule in all_rules():
        for number, example in enumerate(getattr(rule, kind), start=1):
            yield pytest.param(rule, example, id=f"{rule.id}-{kind}-{number}")


def _findings(rule, example):
    filename = FILENAMES[rule.examples_language]
    return [f for f in check_text(example, filename=filename) if f.rule_id == rule.id and f.suppression is None]


@pytest.mark.parametrize(("rule", "example"), list(_cases("flag")))
def test_flag_example_is_flagged(rule, example):
    assert _findings(rule, example), f"{rule.id} should flag:\n{example}"


@pytest.mark.parametrize(("rule", "example"), list(_cases("clean")))
def test_clean_example_stays_clean(rule, example):
    found = _findings(rule, example)
    assert not found, f"{rule.id} should not flag:\n{example}\nbut reported: {[f.message for f in found]}"


def test_every_rule_has_unique_id_and_name():
    rules = all_rules()
    assert len({r.id for r in rules}) == len(rules)
    assert len({r.name for r in rules}) == len(rules)
    for rule in rules:
        assert rule.name == rule.name.lower() and " " not in rule.name
        assert rule.summary.endswith("."), rule.id
