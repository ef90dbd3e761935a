"""Every rule's own examples: each `flag` example must produce the rule's finding, each `clean` one must not."""

import pytest

from blastguard.api import check_diff, check_text
from blastguard.config import Config
from blastguard.diffs import pre_images
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


def _findings(rule, example, tmp_path):
    if rule.examples_language == "diff":
        # A change-only rule's examples are whole-file patches: rebuild the old files from their
        # context and `-` lines, then check the patch against them as `--diff-file` does.
        for path, text in pre_images(example).items():
            (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / path).write_text(text, encoding="utf-8")
        found = check_diff(example, root=str(tmp_path), config=Config(root=str(tmp_path)))
    elif "hook-only" in rule.tags:
        # A rule only the agent hook reports: each example is a shell command an agent would run.
        from blastguard.engine import Engine
        from blastguard.guard_tampering import command_findings

        engine = Engine(Config(root=str(tmp_path)), str(tmp_path))
        found = command_findings(rule, engine, example, str(tmp_path), str(tmp_path / "home"), None)
    else:
        found = check_text(example, filename=FILENAMES[rule.examples_language])
    return [f for f in found if f.rule_id == rule.id and f.suppression is None]


@pytest.mark.parametrize(("rule", "example"), list(_cases("flag")))
def test_flag_example_is_flagged(rule, example, tmp_path):
    assert _findings(rule, example, tmp_path), f"{rule.id} should flag:\n{example}"


@pytest.mark.parametrize(("rule", "example"), list(_cases("clean")))
def test_clean_example_stays_clean(rule, example, tmp_path):
    found = _findings(rule, example, tmp_path)
    assert not found, f"{rule.id} should not flag:\n{example}\nbut reported: {[f.message for f in found]}"


def test_every_rule_has_unique_id_and_name():
    rules = all_rules()
    assert len({r.id for r in rules}) == len(rules)
    assert len({r.name for r in rules}) == len(rules)
    for rule in rules:
        assert rule.name == rule.name.lower() and " " not in rule.name
        assert rule.summary.endswith("."), rule.id
