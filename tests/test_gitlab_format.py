"""`--format gitlab`: a GitLab Code Quality report, and the README's .gitlab-ci.yml job that uploads it."""

import json
import pathlib
import shlex

import jsonschema
import yaml

from blastguard.interfaces.cli import _parser
from conftest import err, git, json_out, out, run_cli

REPO = pathlib.Path(__file__).resolve().parent.parent

# What GitLab reads from each issue (docs.gitlab.com/ci/testing/code_quality, "Code Quality report format").
CODE_QUALITY_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string", "minLength": 1, "not": {"pattern": "^(/|\\./|\\.\\./)"}},
                    "lines": {
                        "type": "object",
                        "required": ["begin"],
                        "properties": {"begin": {"type": "integer", "minimum": 1}, "end": {"type": "integer"}},
                    },
                },
            },
        },
    },
}
SQL = "-- nightly\nDELETE FROM users;\nUPDATE users SET email = NULL WHERE email = NULL;\n"


def _report(cwd, *args, stdin=None):
    result = run_cli("check", *args, "--format", "gitlab", cwd=cwd, stdin=stdin)
    issues = json.loads(out(result))
    jsonschema.validate(issues, CODE_QUALITY_SCHEMA)
    return result, issues


def test_gitlab_report_shape_severities_and_paths(project):
    (project / "db dir").mkdir()
    (project / "db dir" / "clean#up.sql").write_text(SQL)
    (project / "ok.sql").write_text("DELETE FROM scratch; -- blastguard: ignore[SQL101] rebuilt hourly\n")
    (project / "notes.sql").write_text("DELETE FROM cache WHERE TRUE; -- blastguard: ignore[SQL103] rebuilt\n")
    result, issues = _report(project, ".")
    assert result.returncode == 1, err(result)
    by_check = {i["check_name"]: i for i in issues}
    assert set(by_check) == {"blastguard/SQL101", "blastguard/SQL105"}  # suppressed findings are not issues
    delete, null_cmp = by_check["blastguard/SQL101"], by_check["blastguard/SQL105"]
    assert delete["severity"] == "critical" and null_cmp["severity"] == "major"
    assert delete["description"].startswith("SQL101 DELETE from users has no WHERE clause")
    assert delete["location"] == {"path": "db dir/clean#up.sql", "lines": {"begin": 2, "end": 2}}
    assert null_cmp["location"]["lines"]["begin"] == 3
    fingerprints = [i["fingerprint"] for i in issues]
    assert len(set(fingerprints)) == len(fingerprints)
    # The fingerprint is the finding's, the same in every format, so GitLab tracks an issue across commits.
    findings = json_out(run_cli("check", ".", "--format", "json", cwd=project))["findings"]
    assert sorted(fingerprints) == sorted(f["fingerprint"] for f in findings)


def test_gitlab_severity_of_a_note_and_of_a_production_finding(project):
    (project / "t.sh").write_text(
        "kubectl delete namespace staging\nkubectl --context prod-cluster delete namespace shop\n"
    )
    (project / "blastguard.toml").write_text('[severity]\nSQL101 = "note"\n')
    (project / "a.sql").write_text("DELETE FROM users;\n")
    _, issues = _report(project, ".")
    assert [(i["location"]["path"], i["location"]["lines"]["begin"], i["severity"]) for i in issues] == [
        ("a.sql", 1, "info"),
        ("t.sh", 1, "major"),
        ("t.sh", 2, "critical"),  # raised for production
    ]


def test_gitlab_report_of_a_clean_scan_is_an_empty_array(project):
    (project / "a.sql").write_text("SELECT 1;\n")
    result, issues = _report(project, ".")
    assert result.returncode == 0 and issues == []


def test_gitlab_stdin_paths(project):
    sub = project / "sup"
    sub.mkdir()
    _, (issue,) = _report(sub, "-", stdin="DELETE FROM users;\n")
    assert issue["location"]["path"] == "stdin"
    _, (issue,) = _report(sub, "-", "--stdin-filename", "db/q.sql", stdin="DELETE FROM users;\n")
    assert issue["location"]["path"] == "sup/db/q.sql"


def test_gitlab_report_of_a_change_holds_only_what_it_adds(repo):
    (repo / "old.sql").write_text("DELETE FROM legacy;\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "base")
    base = git(repo, "rev-parse", "HEAD").strip()
    (repo / "new.sql").write_text("SELECT 1;\nDROP TABLE users;\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "merge request")
    result, issues = _report(repo, ".", "--diff", base)
    assert result.returncode == 1, err(result)
    assert [(i["check_name"], i["location"]["path"], i["location"]["lines"]["begin"]) for i in issues] == [
        ("blastguard/SQL202", "new.sql", 2)
    ]
    assert run_cli("check", ".", "--format", "gitlab", "--fail-on", "never", cwd=repo).returncode == 0


def _readme_job() -> tuple[str, dict]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## GitLab CI\n")[1].split("\n## ")[0]
    text = section.split("```yaml\n")[1].split("```")[0]
    return text, yaml.safe_load(text)["blastguard"]


def test_the_readme_gitlab_job_uploads_the_report_and_fails_only_in_merge_requests():
    _, job = _readme_job()
    report = job["artifacts"]["reports"]["codequality"]
    assert job["artifacts"]["when"] == "always"  # the widget gets the report even when the job fails
    assert job["variables"]["GIT_DEPTH"] == 0
    assert [r["if"] for r in job["rules"]] == [
        '$CI_PIPELINE_SOURCE == "merge_request_event"',
        "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH",
    ]
    full, changed = job["script"]
    full_args = _parser().parse_args(shlex.split(full)[1:])
    assert (full_args.format, full_args.output, full_args.fail_on, full_args.diff) == ("gitlab", report, "never", None)
    condition, command = changed.split("; then ")
    assert condition == 'if [ -n "$CI_MERGE_REQUEST_DIFF_BASE_SHA" ]'
    changed_args = _parser().parse_args(shlex.split(command.removesuffix("; fi"))[1:])
    assert changed_args.diff == "$CI_MERGE_REQUEST_DIFF_BASE_SHA" and changed_args.fail_on is None  # the default gate


def test_the_readme_gitlab_job_is_read_by_blastguard_and_is_clean(project):
    text, _ = _readme_job()
    (project / ".gitlab-ci.yml").write_text(text)
    result = run_cli("check", ".", "--format", "json", cwd=project)
    report = json.loads(out(result))
    assert report["summary"]["files_checked"] == 1 and report["notifications"] == []
    assert result.returncode == 0 and report["findings"] == []
