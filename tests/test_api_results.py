"""The Python API: check_text, check_paths and check_diff return the same kind of result, and raise
only the documented exceptions. Texts here are only analysed, never run."""

import pytest

from blastguard.api import CheckResult, UsageError, check_diff, check_paths, check_text
from blastguard.config import ConfigError
from blastguard.filters.diffs import DiffError
from blastguard.model import Report

PATCH = """--- /dev/null
+++ b/purge.sql
@@ -0,0 +1,2 @@
+SELECT 1;
+DELETE FROM users;
"""


def test_the_three_return_the_same_kind_of_result(tmp_path):
    (tmp_path / "purge.sql").write_text("SELECT 1;\nDELETE FROM users;\n")
    (tmp_path / "empty").mkdir()
    results = [
        check_text("SELECT 1;\nDELETE FROM users;\n", filename="purge.sql"),
        check_paths([str(tmp_path / "purge.sql")]),
        check_diff(PATCH, str(tmp_path / "empty")),
    ]
    for result in results:
        assert type(result) is CheckResult
        assert [(f.rule_id, f.region.start_line) for f in result] == [("SQL101", 2)]
        assert result.findings == list(result) and result.reported == list(result) and result.suppressed == []
        assert isinstance(result.notifications, list)
        assert isinstance(result.report(), Report) and result.report().findings == list(result)
    assert results[1].files_checked == 1


def test_a_result_still_compares_and_counts_as_the_list_of_findings_it_was():
    clean = check_text("SELECT 1;", filename="q.sql")
    assert clean == [] and len(clean) == 0 and not clean


def test_notifications_are_no_longer_dropped_by_check_text():
    result = check_text("echo $(( \n", filename="broken.sh")
    assert result.notifications and all(n.kind for n in result.notifications)


def test_suppressed_findings_are_marked_and_kept_apart():
    result = check_text("DELETE FROM users; -- blastguard: ignore[SQL101] rebuilt nightly\n", filename="q.sql")
    assert len(result) == 1 and result.reported == [] and len(result.suppressed) == 1


def test_the_documented_exceptions(tmp_path):
    with pytest.raises(UsageError):
        check_text("DELETE FROM users;", filename="notes.unknown-extension")
    with pytest.raises(UsageError):
        check_paths([str(tmp_path / "absent")])
    with pytest.raises(DiffError):
        check_diff("--- a/x.sql\n+++ b/x.sql\n@@ -1 +1 @@\n-nothing here\n+DELETE FROM t;\n", str(tmp_path))
    (tmp_path / "blastguard.toml").write_text("fail-on = 7\n")
    (tmp_path / "a.sql").write_text("SELECT 1;\n")
    with pytest.raises(ConfigError):
        check_paths([str(tmp_path / "a.sql")])
