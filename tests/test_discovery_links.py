"""Folder scans and symbolic links: every folder and file is visited once, loops end, links that leave
the scanned folder are not followed, and what was passed over is said. Scans of link loops run the
real command line in a child process with a timeout: before, two links to `.` made a scan take
minutes and grow without bound."""

import json
import os
import subprocess
import sys

import pytest

from blastguard.api import scan
from blastguard.config import Config

TIMEOUT = 60


def check(*paths, cwd) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "blastguard", "check", *map(str, paths), "--format", "json"],
        cwd=cwd,
        capture_output=True,
        timeout=TIMEOUT,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert "Traceback" not in result.stderr.decode()
    assert result.returncode in (0, 1), result.stderr.decode()
    return json.loads(result.stdout)


def paths_found(report: dict) -> list[str]:
    return sorted(f["path"] for f in report["findings"])


def notes(report: dict) -> dict[str, str]:
    return {n["path"]: n["message"] for n in report["notifications"]}


@pytest.fixture
def tree(tmp_path):
    """tmp_path/outside.sql beside a project with destructive files at two levels."""
    (tmp_path / "outside.sql").write_text("DROP TABLE outside;\n")
    root = tmp_path / "project"
    (root / ".git").mkdir(parents=True)
    (root / "db").mkdir()
    (root / "db" / "purge.sql").write_text("DELETE FROM users;\n")
    (root / "wipe.sql").write_text("TRUNCATE accounts;\n")
    return root


EXPECTED = ["db/purge.sql", "wipe.sql"]


def test_two_links_to_the_folder_itself_scan_each_file_once(tree):
    os.symlink(".", tree / "again")
    os.symlink(".", tree / "more")
    os.symlink(".", tree / "db" / "here")
    report = check(".", cwd=tree)
    assert paths_found(report) == EXPECTED
    assert report["summary"]["files_checked"] == 2
    assert report["notifications"] == []  # a loop is not worth a notice: everything in it was scanned


def test_links_to_parents_and_grandparents_end(tree):
    (tree / "db" / "deeper" / "still").mkdir(parents=True)
    os.symlink("..", tree / "db" / "up")
    os.symlink("../../..", tree / "db" / "deeper" / "still" / "top")
    os.symlink("../..", tree / "db" / "deeper" / "back")
    assert paths_found(check(".", cwd=tree)) == EXPECTED


def test_a_loop_of_links_to_each_other_is_said_and_ends(tree):
    os.symlink("b.sql", tree / "a.sql")
    os.symlink("a.sql", tree / "b.sql")
    os.symlink("self.sql", tree / "self.sql")
    report = check(".", cwd=tree)
    assert paths_found(report) == EXPECTED
    assert set(notes(report)) == {"a.sql", "b.sql", "self.sql"}
    assert all(m.startswith("Skipped: a symbolic link to nothing readable (") for m in notes(report).values())


def test_a_link_to_a_file_inside_is_reported_once_under_its_real_path(tree):
    os.symlink("wipe.sql", tree / "a_link.sql")  # sorts before its target
    os.symlink("../wipe.sql", tree / "db" / "also.sql")
    report = check(".", cwd=tree)
    assert paths_found(report) == EXPECTED


def test_a_hard_link_is_the_same_file_and_reported_once(tree):
    os.link(tree / "db" / "purge.sql", tree / "db" / "hard.sql")  # two names, neither more real: the first is kept
    assert paths_found(check(".", cwd=tree)) == ["db/hard.sql", "wipe.sql"]


def test_a_link_to_a_folder_inside_is_scanned_once(tree):
    os.symlink("db", tree / "a_db")
    os.symlink(str(tree / "db"), tree / "absolute_db")
    assert paths_found(check(".", cwd=tree)) == EXPECTED


def test_a_link_reached_only_through_a_link_is_followed(tree):
    """A folder outside the walked tree but inside the scan (an excluded folder) is read through its link."""
    (tree / "build" / "gen").mkdir(parents=True)
    (tree / "build" / "gen" / "generated.sql").write_text("DROP TABLE generated;\n")
    os.symlink("build/gen", tree / "gen")
    assert paths_found(check(".", cwd=tree)) == ["db/purge.sql", "gen/generated.sql", "wipe.sql"]


def test_links_that_leave_the_scanned_folder_are_not_followed_and_are_said(tree):
    os.symlink("../outside.sql", tree / "outside.sql")
    os.symlink("..", tree / "parent")
    os.symlink("/", tree / "root")
    report = check(".", cwd=tree)
    assert paths_found(report) == EXPECTED
    said = notes(report)
    assert said["outside.sql"] == (
        f"Skipped: a symbolic link that leads out of the scanned folder "
        f"(to {tree.parent / 'outside.sql'}); not followed."
    )
    assert said["parent"].startswith("Skipped: a symbolic link that leads out of the scanned folder")
    assert said["root"] == "Skipped: a symbolic link that leads out of the scanned folder (to /); not followed."
    assert all(n["level"] == "note" for n in report["notifications"])


def test_scanning_a_subfolder_does_not_climb_out_through_a_link(tree):
    os.symlink("..", tree / "db" / "up")
    report = check("db", cwd=tree)
    assert paths_found(report) == ["db/purge.sql"]
    assert "db/up" in notes(report)


def test_dangling_links_are_said_only_when_their_name_is_a_file_type_blastguard_reads(tree):
    os.symlink("missing.sql", tree / "dangling.sql")
    os.symlink("missing", tree / "dangling")
    os.symlink("missing-folder", tree / "gone")
    report = check(".", cwd=tree)
    assert paths_found(report) == EXPECTED
    assert notes(report) == {
        "dangling.sql": "Skipped: a symbolic link to nothing readable (No such file or directory)."
    }


def test_the_scanned_folder_may_itself_be_a_link(tree, tmp_path):
    os.symlink(tree, tmp_path / "alias")
    report = check(tmp_path / "alias", cwd=tmp_path)
    assert sorted(os.path.basename(p) for p in paths_found(report)) == ["purge.sql", "wipe.sql"]
    assert report["notifications"] == []


def test_a_folder_named_twice_is_scanned_once(tree):
    assert paths_found(check(".", "db", ".", cwd=tree)) == EXPECTED


def test_an_unreadable_folder_is_said_and_the_rest_still_scanned(tree, monkeypatch):
    """Tests run as root, whom chmod 000 does not stop: os.scandir is made to refuse one folder instead."""
    (tree / "secret").mkdir()
    (tree / "secret" / "drop.sql").write_text("DROP TABLE secret;\n")
    real_scandir = os.scandir

    def scandir(path="."):
        if os.path.basename(os.fspath(path)) == "secret":
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.chdir(tree)
    report = scan(["."], Config(root=str(tree)))
    assert sorted(f.path for f in report.findings) == EXPECTED
    [note] = report.notifications
    assert (note.path, note.message, note.level) == (
        "secret",
        "Skipped: the folder cannot be read (Permission denied).",
        "warning",
    )


def test_a_deep_tree_of_links_stays_fast(tree):
    """Before, each link to `.` multiplied the walk: eight of them at three levels never finished."""
    for level in ("", "db/"):
        for i in range(4):
            os.symlink("." if not level else "..", tree / f"{level}loop{i}")
    report = check(".", cwd=tree)
    assert paths_found(report) == EXPECTED
