"""Rule documentation, from the rules' own metadata: `blastguard rules`, `blastguard rule ID`, the README
table and one Markdown page per rule under docs/rules/ (`blastguard rules --write-docs docs/rules`)."""

from __future__ import annotations

import json
import os
import re

from blastguard.examples import code_of, settings_text
from blastguard.registry import all_rules
from blastguard.rule import Rule

# Where the project lives; every link to a rule's page is built from this one place.
REPOSITORY_URL = "https://github.com/blastguard/blastguard"
DOCS_FOLDER = "docs/rules"  # relative to the repository root, where the README links to
DOCS_URL = f"{REPOSITORY_URL}/blob/main/{DOCS_FOLDER}/"


def rule_url(rule: Rule) -> str:
    """The web address of the rule's documentation page."""
    return f"{DOCS_URL}{rule.id}.md"


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
    lines += [f"| [{r.id}]({DOCS_FOLDER}/{r.id}.md) | `{r.name}` | {r.severity.label} | {r.summary} |" for r in rules]
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
    parts += ["", f"Documentation: {rule_url(rule)}"]
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
    parts += ["", f"[Documentation]({rule_url(rule)})"]
    return "\n".join(parts)


def rule_page(rule: Rule) -> str:
    """The rule's documentation page (docs/rules/ID.md), generated: edit the rule, not the page."""
    language = rule.examples_language if rule.language == "any" else rule.language
    header = [
        f"<!-- Generated from the rule's metadata by `blastguard rules --write-docs {DOCS_FOLDER}`; do not edit. -->",
        f"# {rule.id} `{rule.name}`",
        "",
        "| Severity | Language | Precision |",
        "|---|---|---|",
        f"| {rule.severity.label} | {language} | {rule.precision} |",
        "",
    ]
    body = rule_markdown(rule).split("\n")[2:]  # without the bold title line the header replaces
    body = body[:-2]  # without the link to this very page
    return "\n".join([*header, rule.summary, "", *body]).rstrip("\n") + "\n"


def rule_pages() -> dict[str, str]:
    """{file name: content} of every rule's page."""
    return {f"{rule.id}.md": rule_page(rule) for rule in all_rules()}


def write_rule_pages(folder: str) -> list[str]:
    """Write every rule's page into `folder` and remove pages of rules that no longer exist; returns the
    paths written."""
    os.makedirs(folder, exist_ok=True)
    pages = rule_pages()
    for name in os.listdir(folder):
        if re.fullmatch(r"[A-Z]+[0-9]+\.md", name) and name not in pages:  # only what looks like a rule's page
            os.remove(os.path.join(folder, name))
    written = []
    for name, content in pages.items():
        path = os.path.join(folder, name)
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(content)
        written.append(path)
    return written


def _shown(example) -> str:
    """The example indented, after the settings it is checked with."""
    settings = _settings(example)
    return (f"  With {settings}:\n" if settings else "") + _indent(code_of(example))


def _settings(example) -> str:
    """`max-destroy = 2, stateful-types = ["acme_ledger"]`: the settings an example is checked with."""
    return settings_text(example).replace("\n", ", ")


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())
