"""Disks, containers and working trees: what the rules' own examples cannot say. The files a command's
redirections write, where each is in the text; the working tree judged only where no `cd` moved the
script; and a finding that reaches the redirection it is about. Every script here is analysed, never run."""

import pytest

from blastguard.api import check_text
from blastguard.context import Context
from blastguard.frontends.shell.frontend import ShellFrontend
from blastguard.sources import Source


def _commands(text):
    return ShellFrontend().parse(Source("x.sh", text, "shell", Context())).commands


def _found(text):
    """(rule, severity, flagged text) of each finding."""
    return [(f.rule_id, f.severity.name.lower(), text[_offset(text, f.region)]) for f in check_text(text, "x.sh")]


def _offset(text, region) -> slice:
    lines = text.splitlines(keepends=True)
    start = sum(len(line) for line in lines[: region.start_line - 1]) + region.start_column - 1
    end = sum(len(line) for line in lines[: region.end_line - 1]) + region.end_column - 1
    return slice(start, end)


@pytest.mark.parametrize(
    ("script", "program", "written"),
    [
        ("cat image.img > /dev/sdb", "cat", ["/dev/sdb"]),
        ("echo hi 2>&1 >> log.txt", "echo", ["log.txt"]),  # `2>&1` duplicates a descriptor, it opens no file
        ("sudo sh -c ': > /var/lib/mysql/ibdata1'", ":", ["/var/lib/mysql/ibdata1"]),
        ('D=/dev/nvme0n1; xzcat os.img.xz > "$D"', "xzcat", ["/dev/nvme0n1"]),
        ("cp a b", "cp", []),
    ],
)
def test_a_command_keeps_the_files_its_own_redirections_write(script, program, written):
    command = next(c for c in _commands(script) if c.program == program)
    assert [w.value for w in command.writes] == written
    for word in command.writes:  # in the document's coordinates, inside a `sh -c` string too
        assert script[word.start : word.end].strip("\"'") in (word.value, "$D")


def test_a_finding_about_a_redirection_reaches_its_target():
    assert _found("cat image.img > /dev/sdb 2>/dev/null\n") == [("SH602", "error", "cat image.img > /dev/sdb")]
    assert _found("gunzip -c dump.gz > app.db\n") == [("SH604", "warning", "gunzip -c dump.gz > app.db")]


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("rm -rf *", [("SH301", "error", "rm -rf *")]),
        ("set -e\nrm -rf ./*\n", [("SH301", "error", "rm -rf ./*")]),
        ("find . -type f -print0 | xargs -0 rm -f\nfind . -print0 | xargs -0 rm -rf", [("SH301", "error", "rm -rf")]),
        ("cd build && rm -rf *", []),
        ("cd /tmp/scratch\nrm -rf .", []),
        ("pushd dist; rm -rf ./*; popd", []),
        ('cd "$WORKDIR" && find . -delete', []),
        ("for d in build dist; do (cd $d && rm -rf *); done", []),
        ("find . -name '*.pyc' -print0 | xargs -0 rm -rf", []),
    ],
)
def test_the_working_tree_is_judged_only_where_no_cd_moved_the_script(script, expected):
    assert _found(script) == expected


def test_a_cd_to_a_known_folder_is_judged_there():
    (found,) = check_text("cd / && rm -rf *", "x.sh")
    assert "the whole filesystem (/)" in found.message
    (found,) = check_text("cd ~ && find . -delete", "x.sh")
    assert "the home directory" in found.message


def test_a_volume_named_for_a_database_is_a_warning_and_a_server_data_directory_an_error():
    assert _found("rm -rf docker/pgdata") == [("SH301", "warning", "rm -rf docker/pgdata")]
    assert _found("rm -rf /var/lib/docker/volumes/app_pgdata/_data") == [
        ("SH301", "error", "rm -rf /var/lib/docker/volumes/app_pgdata/_data")
    ]
    assert _found("rm -rf src/models/db.py") == []


@pytest.mark.parametrize(
    ("directory", "script", "message"),
    [
        ("/home/alice", "rm -rf *", "the home directory /home/alice"),
        ("/home/alice", "find . -delete", "the home directory /home/alice"),
        ("/", "rm -rf etc", "the system directory /etc"),
        ("/home/alice/shop", "rm -rf .", "the project's working tree"),
    ],
)
def test_where_an_agent_runs_a_command_its_relative_paths_are_judged_there(directory, script, message):
    (found,) = check_text(script, "x.sh", context=Context(directory=directory, agent=True))
    assert message in found.message


def test_a_relative_path_in_an_ordinary_folder_of_the_agent_stays_clean():
    context = Context(directory="/home/alice/shop", agent=True)
    assert check_text("rm -rf build dist && cd docs && rm -rf *", "x.sh", context=context) == []
