"""Where rules and frontends live, loaded only when a language needs them.

Each language has a frontend class (parse a Source once into a Document) and a rule package under
`blastguard.rules.<language>`: every public module in it defines `RULE`, and the package's `run`
drives one rule over one document (`run_change` over one change, for a package with change rules). Loading is lazy so a check that sees no SQL never imports sqlglot.
"""

from __future__ import annotations

import importlib
import os
from functools import cache

from blastguard.rule import Rule

FRONTENDS = {
    "sql": "blastguard.frontends.sql:SqlFrontend",
    "terraform": "blastguard.frontends.terraform:TerraformFrontend",
    "terraform-plan": "blastguard.frontends.tfplan:PlanFrontend",
    "shell": "blastguard.frontends.shell:ShellFrontend",
    "github-actions": "blastguard.frontends.workflows:GitHubActionsFrontend",
    "gitlab-ci": "blastguard.frontends.workflows:GitLabCIFrontend",
    "makefile": "blastguard.frontends.makefile:MakefileFrontend",
    "python": "blastguard.frontends.python:PythonFrontend",
}
RULE_PACKAGES = {
    "sql": "blastguard.rules.sql",
    "terraform": "blastguard.rules.terraform",
    "terraform-plan": "blastguard.rules.tfplan",
    "shell": "blastguard.rules.shell",
    "python": "blastguard.rules.python",
}
META_PACKAGE = "blastguard.rules.meta"  # rules the engine itself reports (suppression problems)


def _load(target: str):
    module, _, attr = target.partition(":")
    loaded = importlib.import_module(module)
    return getattr(loaded, attr) if attr else loaded


def frontend_class(language: str):
    return _load(FRONTENDS[language])


def rule_package(language: str):
    return _load(RULE_PACKAGES[language]) if language in RULE_PACKAGES else None


@cache
def _rules_in(package_name: str) -> tuple[Rule, ...]:
    package = importlib.import_module(package_name)
    rules = []
    names = sorted({name[:-3] for folder in package.__path__ for name in os.listdir(folder) if name.endswith(".py")})
    for name in names:
        if name.startswith("_"):
            continue  # shared helpers, not rules
        module = importlib.import_module(f"{package_name}.{name}")
        rules.append(module.RULE)
    return tuple(sorted(rules, key=lambda r: r.id))


def rules_for(language: str) -> tuple[Rule, ...]:
    """Rules of a language; a host language that only embeds others (a CI workflow) has none."""
    return _rules_in(RULE_PACKAGES[language]) if language in RULE_PACKAGES else ()


def change_rules(language: str) -> tuple[Rule, ...]:
    """Rules of a language that judge a change (a file's old and new versions): `blastguard.changes`
    runs them through the package's `run_change`."""
    return tuple(r for r in rules_for(language) if r.check_change is not None)


def meta_rules() -> tuple[Rule, ...]:
    return _rules_in(META_PACKAGE)


def all_rules() -> tuple[Rule, ...]:
    rules = list(meta_rules())
    for language in RULE_PACKAGES:
        rules.extend(rules_for(language))
    return tuple(sorted(rules, key=lambda r: r.id))


def find_rule(key: str) -> Rule | None:
    """A rule by id (case-insensitive) or by name."""
    key_upper = key.upper()
    for rule in all_rules():
        if rule.id == key_upper or rule.name == key.lower():
            return rule
    return None
