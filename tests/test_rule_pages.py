"""The generated rule pages under docs/rules/: current, complete, and linked from everywhere a rule is shown."""

import pathlib
import re

from blastguard.docs import DOCS_URL, rule_pages, rule_url, write_rule_pages
from blastguard.registry import all_rules, find_rule
from conftest import err, out, run_cli

REPO = pathlib.Path(__file__).resolve().parent.parent
PAGES = REPO / "docs" / "rules"


def test_the_committed_rule_pages_are_current():
    committed = {p.name: p.read_text(encoding="utf-8") for p in PAGES.glob("*.md")}
    expected = rule_pages()
    assert sorted(committed) == sorted(expected), "run `blastguard rules --write-docs docs/rules`"
    stale = [name for name in expected if committed[name] != expected[name]]
    assert stale == [], f"stale rule pages {stale}: run `blastguard rules --write-docs docs/rules`"


def test_a_page_holds_the_rules_metadata_and_every_example():
    rule = find_rule("SQL101")
    page = (PAGES / "SQL101.md").read_text(encoding="utf-8")
    assert page.splitlines()[1] == "# SQL101 `unbounded-delete`"
    assert f"| {rule.severity.label} | sql | {rule.precision} |" in page
    assert rule.summary in page and rule.rationale in page and rule.fix in page
    flagged, clean = page.split("\nNot flagged:\n")
    assert "DELETE FROM users;" in flagged and "DELETE FROM users WHERE id = 42;" in clean
    assert "DELETE FROM users WHERE id = 42;" not in flagged


def test_write_docs_writes_every_page_and_removes_only_stale_rule_pages(project):
    folder = project / "rules"
    folder.mkdir()
    (folder / "XX999.md").write_text("a rule that is gone\n")
    (folder / "index.md").write_text("kept: not a rule page\n")
    result = run_cli("rules", "--write-docs", folder, cwd=project)
    assert result.returncode == 0, err(result)
    assert out(result) == "" and f"wrote {len(all_rules())} rule pages" in err(result)
    names = {p.name for p in folder.iterdir()}
    assert names == {f"{r.id}.md" for r in all_rules()} | {"index.md"}
    assert write_rule_pages(str(folder)) and (folder / "BG001.md").read_text() == rule_pages()["BG001.md"]


def test_rule_command_names_the_page():
    result = run_cli("rule", "SH501")
    assert out(result).rstrip().splitlines()[-1] == f"Documentation: {DOCS_URL}SH501.md"
    assert rule_url(find_rule("SH501")) == f"{DOCS_URL}SH501.md"


def test_the_readme_table_links_each_rule_to_its_committed_page():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = readme.split("<!-- rules:start -->\n")[1].split("<!-- rules:end -->")[0]
    links = re.findall(r"^\| \[([A-Z]+[0-9]+)\]\(([^)]+)\) \|", table, re.MULTILINE)
    assert [rule_id for rule_id, _ in links] == [r.id for r in all_rules()]
    for rule_id, target in links:
        assert target == f"docs/rules/{rule_id}.md" and (REPO / target).is_file()


def test_docs_url_points_into_the_repository_folder_of_the_pages():
    assert DOCS_URL.endswith("/docs/rules/") and DOCS_URL.startswith("https://")
