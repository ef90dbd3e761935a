"""BG004 suppression-added: `check --diff`, `--staged` and `--diff-file` report each suppression a change
adds, on real git repositories, so a reviewer sees it."""

import json

from test_diff import check, commit, found

from conftest import err, git

PURGE = "SELECT 1;\nDELETE FROM sessions;\n"
SILENCED = "SELECT 1;\n-- blastguard: ignore[SQL101] sessions are rebuilt nightly\nDELETE FROM sessions;\n"


def test_diff_reports_a_suppression_added_to_an_existing_finding(repo):
    commit(repo, {"purge.sql": PURGE})
    (repo / "purge.sql").write_text(SILENCED)
    result = check(repo, "--diff")
    assert result.returncode == 1, err(result)
    assert found(result) == [("BG004", "purge.sql", 2, 4, 2, 59)]
    [finding] = json.loads(result.stdout)["findings"]
    assert "SQL101" in finding["message"] and "sessions are rebuilt nightly" in finding["message"]


def test_staged_reports_a_suppression_on_the_same_line_in_a_shell_script(repo):
    commit(repo, {"deploy.sh": "#!/bin/sh\nterraform destroy -auto-approve\n"})
    (repo / "deploy.sh").write_text(
        "#!/bin/sh\nterraform destroy -auto-approve  # blastguard: ignore[SH101] review app\n"
    )
    assert found(check(repo, "--staged")) == []  # not staged yet
    git(repo, "add", "deploy.sh")
    assert [f[0] for f in found(check(repo, "--staged"))] == ["BG004"]


def test_a_new_file_born_with_a_suppression_shows_it(repo):
    commit(repo, {"README.md": "x\n"})
    (repo / "jobs.sql").write_text("-- blastguard: ignore[SQL101] scratch table rebuilt hourly\nDELETE FROM scratch;\n")
    git(repo, "add", "jobs.sql")
    assert [f[:3] for f in found(check(repo, "--staged"))] == [("BG004", "jobs.sql", 1)]


def test_suppressions_that_were_already_there_are_not_reported_again(repo):
    commit(repo, {"purge.sql": SILENCED})
    (repo / "purge.sql").write_text("SELECT 2;\n" + SILENCED)  # an unrelated change above it
    assert found(check(repo, "--diff")) == []
    (repo / "purge.sql").write_text(SILENCED.replace("nightly", "every night"))  # a reworded reason
    assert found(check(repo, "--diff")) == []


def test_a_suppression_that_silences_nothing_is_bg002_not_bg004(repo):
    commit(repo, {"purge.sql": "DELETE FROM sessions WHERE id = 1;\n"})
    (repo / "purge.sql").write_text("-- blastguard: ignore[SQL101] just in case\nDELETE FROM sessions WHERE id = 1;\n")
    assert [f[0] for f in found(check(repo, "--diff"))] == ["BG002"]


def test_diff_file_reports_it_and_configuration_can_ignore_it(repo):
    commit(repo, {"purge.sql": PURGE})
    patch = (
        "--- a/purge.sql\n+++ b/purge.sql\n@@ -1,2 +1,3 @@\n SELECT 1;\n"
        "+-- blastguard: ignore[SQL101] sessions are rebuilt nightly\n DELETE FROM sessions;\n"
    )
    assert [f[0] for f in found(check(repo, "--diff-file", "-", stdin=patch))] == ["BG004"]
    commit(repo, {"blastguard.toml": 'ignore = ["BG004"]\n'})
    assert found(check(repo, "--diff-file", "-", stdin=patch)) == []
