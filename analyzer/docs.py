"""Rule documentation, from the rules' own metadata: `blastguard rules`, `blastguard rule ID`, README table."""

from __future__ import annotations

import json

from blastguard.examples import code_of, settings_text
from blastguard.registry import all_rules
from blastguard.rule import Rule


def render_rule_list(fmt: str = "text", keys: list[str] | None = None) -> str:
    """Every rule, or those `keys` name (ids, id prefixes such as SQL1, names), in `fmt`."""
    from blastguard.engine import Selection

    rules = tuple(r for r in all_rules() if not keys or any(Selection.matches(k, r) for k in keys))
    if not rules:
        return ""
    if fmt == "json":
        return json.dumps([rule_metadata(r) for r in rules], indent=2) + "\n"
    if fmt == "markdown":
        return rule_table(rules)
    id_width, name_width = max(len(r.id) for r in rules), max(len(r.name) for r in rules)
    return "".join(f"{r.id:<{id_width}}  {r.name:<{name_width}}  {r.severity.label:<7}  {r.summary}\n" for r in rules)


def rule_table(rules=None) -> str:
    rules = rules or all_rules()
    lines = ["| ID | Name | Severity | What it flags |", "|---|---|---|---|"]
    lines += [f"| {r.id} | `{r.name}` | {r.severity.label} | {r.summary} |" for r in rules]
    return "\n".join(lines) + "\n"


def rule_metadata(rule: Rule) -> dict:
    return {
        "id": rule.id,
        "name": rule.name,
        "language": rule.language,
        "severity": rule.severity.label,
        "summary": rule.summary,
        "rationale": rule.rationale,
        "fix": rule.fix,
        "flag": [code_of(e) for e in rule.flag],
        "clean": [code_of(e) for e in rule.clean],
    }


def render_rule(rule: Rule) -> str:
    parts = [
        f"{rule.id} {rule.name} ({rule.severity.label}, {rule.language})",  # the language `rules --format json` gives
        "",
        rule.summary,
        "",
        rule.rationale,
    ]
    if rule.fix:
        parts += ["", f"Instead: {rule.fix}"]
    parts += ["", "Flagged:", "", "\n\n".join(_shown(e) for e in rule.flag)]
    parts += ["", "Not flagged:", "", "\n\n".join(_shown(e) for e in rule.clean)]
    return "\n".join(parts) + "\n"


def rule_markdown(rule: Rule) -> str:
    """The rule's help as Markdown (SARIF help.markdown)."""
    fence = "```"
    lang = rule.examples_language
    parts = [f"**{rule.id} {rule.name}**: {rule.summary}", "", rule.rationale]
    if rule.fix:
        parts += ["", f"**Instead:** {rule.fix}"]
    for title, examples in (("Flagged", rule.flag), ("Not flagged", rule.clean)):
        parts += ["", f"{title}:"]
        for example in examples:
            if settings := _settings(example):
                parts += ["", f"With `{settings}`:"]
            parts += ["", f"{fence}{lang}", code_of(example), fence]
    return "\n".join(parts)


def _shown(example) -> str:
    """The example indented, after the settings it is checked with."""
    settings = _settings(example)
    return (f"  With {settings}:\n" if settings else "") + _indent(code_of(example))


def _settings(example) -> str:
    """`max-destroy = 2, stateful-types = ["acme_ledger"]`: the settings an example is checked with."""
    return settings_text(example).replace("\n", ", ")


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())
