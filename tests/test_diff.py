"""Proposed changes: `blastguard check --diff / --staged / --diff-file` and `changes.introduced`."""

from blastguard.changes import introduced
from blastguard.config import Config
from blastguard.engine import Engine


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
    assert _ids(introduced(engine, str(tmp_path / "run.sh"), None, "terraform destroy -auto-approve\n")) == [("SH101", 1)]
    assert introduced(engine, str(tmp_path / "notes.txt"), None, "DELETE FROM orders;\n") == []
    assert _ids(introduced(engine, str(tmp_path / "notes.txt"), None, "DELETE FROM x;\n", language="sql")) == [("SQL101", 1)]


def test_introduced_reports_a_removed_suppression(tmp_path):
    before = "DELETE FROM scratch; -- blastguard: ignore[SQL101] rebuilt hourly\n"
    after = "DELETE FROM scratch;\n"
    assert _ids(introduced(_engine(tmp_path), str(tmp_path / "q.sql"), before, after)) == [("SQL101", 1)]
