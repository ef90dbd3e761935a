"""Native parsers that crash the process: the inputs that did it are regression fixtures, and a check
that dies anyway costs only the file it was on, reported as BG005 file-not-checked.

Every crashing input runs in a child process (the real command line, with a timeout), never in the
test process. Worker death is made deterministic in two ways: a child program that switches a guard
off so libcst really segfaults, and, in-process, a monkeypatch made before the workers are forked."""

import os
import signal
import subprocess
import sys

import pytest

import blastguard.engine as engine_module
from blastguard import isolation
from blastguard.config import Config
from blastguard.engine import Engine
from blastguard.frontends.python.depth import MAX_CHAIN, MAX_NESTING, too_deep
from blastguard.sources import Source

TIMEOUT = 120
# tree-sitter-bash 0.25.1 reads C ctype tables with the code point: U+10FFFF after `{` segfaults about
# half the runs on Linux (tree-sitter-bash issue 337).
TREE_SITTER_CRASH = "{\U0010ffff"
# libcst's native parser overflows its stack at about 1,200 nested brackets.
LIBCST_CRASH = "import os\nos.system(" + "(" * 1300 + "'ls'" + ")" * 1300 + ")\n"
# A child program that runs the command line with the nesting guard switched off: libcst then
# really segfaults on LIBCST_CRASH, inside whichever process parses it.
WITHOUT_GUARD = (
    "import sys\nimport blastguard.frontends.python.frontend as python\npython.too_deep = lambda text: None\n"
    "from blastguard.interfaces.cli import main\nsys.exit(main(sys.argv[1:]))\n"
)


def run(args, cwd, stdin: str | None = None, program: str | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", program, *args] if program else [sys.executable, "-m", "blastguard", *args]
    result = subprocess.run(
        command,
        cwd=cwd,
        capture_output=True,
        timeout=TIMEOUT,
        input=(stdin or "").encode(),
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert "Traceback" not in result.stderr.decode(), result.stderr.decode()
    assert result.returncode >= 0, f"the check died: signal {-result.returncode}"
    return result


def found(result) -> list[tuple[str, str]]:
    """(file, rule) of every finding line of the text report."""
    pairs = []
    for line in result.stdout.decode().splitlines():
        parts = line.split(" ")
        if len(parts) > 2 and parts[0].count(":") == 3 and parts[2] in ("error", "warning", "note"):
            pairs.append((parts[0].split(":")[0], parts[1]))
    return pairs


def folder_of_twenty(root, crashing_name: str, crashing_text: str):
    """19 destructive files, each with one finding, and the crashing input among them."""
    for i in range(10):
        (root / f"purge_{i:02}.sql").write_text(f"DELETE FROM table_{i};\n")
    for i in range(9):
        (root / f"teardown_{i:02}.sh").write_text(f"cd stack_{i}\nterraform destroy -auto-approve\n")
    (root / crashing_name).write_text(crashing_text, encoding="utf-8")
    return {(f"purge_{i:02}.sql", "SQL101") for i in range(10)} | {(f"teardown_{i:02}.sh", "SH101") for i in range(9)}


# --- tree-sitter: characters beyond the Basic Multilingual Plane ------------------------------------------------


@pytest.mark.parametrize("text", [TREE_SITTER_CRASH, "{\U00031860", "{\U0001f600", "x{\U0010ffff}\n", "$\U0010ffff"])
def test_tree_sitter_crash_inputs_are_checked_every_time(tmp_path, text):
    (tmp_path / "crash.sh").write_text(text, encoding="utf-8")
    for _ in range(6):  # the unguarded crash came about every other run
        result = run(["check", "crash.sh"], tmp_path)
        # checked, not crashed: what tree-sitter cannot read is SH900 (it may run something), nothing else
        assert set(found(result)) <= {("crash.sh", "SH900")}
        assert result.returncode == (1 if found(result) else 0)


def test_tree_sitter_crash_input_on_stdin_and_in_the_hook(tmp_path):
    for _ in range(4):
        result = run(["check", "-", "--stdin-filename", "x.sh"], tmp_path, stdin=TREE_SITTER_CRASH)
        assert result.returncode == 1 and [rule for _, rule in found(result)] == ["SH900"]
        payload = (
            '{"hook_event_name": "PreToolUse", "tool_name": "Bash", "cwd": "%s", "tool_input": {"command": '
            '"%s && terraform destroy -auto-approve"}}'
        ) % (tmp_path, "{\\udbff\\udfff")
        answer = run(["hook"], tmp_path, stdin=payload).stdout.decode()
        assert '"permissionDecision": "deny"' in answer and "SH101" in answer and "crashed" not in answer


def test_positions_after_characters_beyond_the_bmp_stay_exact(tmp_path):
    script = "echo \U0001f600 \U0010ffff && terraform destroy -auto-approve  # \U0001f4a5\nrm -rf ~  # \U0001f600\n"
    (tmp_path / "x.sh").write_text(script, encoding="utf-8")
    out = run(["check", "x.sh", "--format", "json"], tmp_path).stdout.decode()
    import json

    regions = {
        f["rule_id"]: (f["region"]["start_line"], f["region"]["start_column"], f["region"]["end_column"])
        for f in json.loads(out)["findings"]
    }
    start = script.index("terraform") + 1
    assert regions["SH101"] == (1, start, start + len("terraform destroy -auto-approve"))
    assert regions["SH301"][:2] == (2, 1)


def test_tree_sitter_crash_input_in_a_folder_of_twenty(tmp_path):
    expected = folder_of_twenty(tmp_path, "crash.sh", TREE_SITTER_CRASH + "\n")
    for _ in range(3):
        result = run(["check", "."], tmp_path)
        assert result.returncode == 1
        assert set(found(result)) == expected | {("crash.sh", "SH900")}  # unreadable, so unverifiable


# --- libcst: deep nesting ---------------------------------------------------------------------------------------


def test_libcst_crash_input_alone_is_a_not_checked_finding(tmp_path):
    (tmp_path / "deep.py").write_text(LIBCST_CRASH)
    result = run(["check", "deep.py"], tmp_path)
    assert result.returncode == 1
    assert found(result) == [("deep.py", "BG005")]
    assert f"deep.py:2:1: BG005 warning This part was not checked: nesting deeper than {MAX_NESTING} brackets" in (
        result.stdout.decode()
    )


def test_libcst_crash_input_in_a_folder_of_twenty(tmp_path):
    expected = folder_of_twenty(tmp_path, "deep.py", LIBCST_CRASH)
    result = run(["check", "."], tmp_path)
    assert result.returncode == 1
    assert set(found(result)) == expected | {("deep.py", "BG005")}


def test_a_real_segfault_in_a_worker_costs_only_its_file(tmp_path):
    """With the guard off, libcst really dies on the fixture: the scan goes on without it."""
    expected = folder_of_twenty(tmp_path, "deep.py", LIBCST_CRASH)
    result = run(["check", "."], tmp_path, program=WITHOUT_GUARD)
    assert result.returncode == 1
    assert set(found(result)) == expected | {("deep.py", "BG005")}
    assert (
        "deep.py:1:1: BG005 warning This file was not checked: its check crashed (signal 11); nothing in it "
        "was verified."
    ) in result.stdout.decode()


def test_a_real_segfault_checking_one_named_file_is_a_finding_not_a_dead_process(tmp_path):
    (tmp_path / "deep.py").write_text(LIBCST_CRASH)
    result = run(["check", "deep.py", "--format", "json"], tmp_path, program=WITHOUT_GUARD)
    assert result.returncode == 1
    assert '"rule_id": "BG005"' in result.stdout.decode()


def test_a_real_segfault_of_a_file_on_stdin_is_a_finding(tmp_path):
    result = run(["check", "-", "--stdin-filename", "deep.py"], tmp_path, stdin=LIBCST_CRASH, program=WITHOUT_GUARD)
    assert result.returncode == 1 and found(result) == [("deep.py", "BG005")]


# --- the nesting guard ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("opens, closes", [("(", ")"), ("[", "]"), ("{", "}"), ("f(", ")")])
def test_nesting_past_the_limit_is_refused_and_at_the_limit_parsed(opens, closes):
    def nested(depth):
        return "x = " + opens * depth + "1" + closes * depth + "\n"

    assert too_deep(nested(MAX_NESTING)) is None
    assert too_deep(nested(MAX_NESTING + 1)) == f"nesting deeper than {MAX_NESTING} brackets"


@pytest.mark.parametrize("link", [" + a", ".b", " and a", " if a else a", "[0]", "()", " ** 2", " < a", " | a"])
def test_long_chains_are_refused(link):
    assert too_deep("x = a" + link * (MAX_CHAIN + 1) + "\n") == f"an expression chains more than {MAX_CHAIN} operators"
    assert too_deep("x = a" + link * (MAX_CHAIN // 2) + "\n") is None


@pytest.mark.parametrize("prefix", ["-", "~", "not ", "lambda: ", "await "])
def test_long_prefix_chains_are_refused(prefix):
    assert too_deep("x = " + prefix * (MAX_CHAIN + 1) + "1\n") is not None


def test_f_string_replacement_fields_count_as_nesting():
    assert too_deep("x = f'" + "{" * (MAX_NESTING + 1) + "a" + "}" * (MAX_NESTING + 1) + "'\n") is not None


@pytest.mark.parametrize(
    "text",
    [
        "NUMBERS = [" + ", ".join(str(-n) for n in range(5000)) + "]\n",  # many short chains, not one long one
        "PAIRS = {" + ", ".join(f"'k{n}': -{n}.5" for n in range(3000)) + "}\n",
        "TEXT = '" + "(" * 5000 + "'\n",  # brackets in a string do not nest
        "# " + "[" * 5000 + "\nx = 1\n",  # nor in a comment
        "BLOB = '" + "ab+/" * 20000 + "'\n",  # a base64 blob is full of operator characters
        '"""' + "a. b - c + d. " * 3000 + '"""\n',
        "".join(f"x{n} = a.b.c + d - e\n" for n in range(3000)),  # many statements, each short
    ],
)
def test_large_ordinary_code_is_not_refused(text):
    assert too_deep(text) is None


def test_a_refused_statement_does_not_hide_the_rest_of_the_file():
    text = (
        "import os\n\nos.system('terraform destroy -auto-approve')\n\nvalue = os.system("
        + "(" * 300
        + "'ls'"
        + ")" * 300
        + ")\n\nos.system('rm -rf ~')\n"
    )
    findings, notes = Engine(Config(), ".").check_source(Source("x.py", text, "python"))
    assert [(f.rule_id, f.region.start_line) for f in findings] == [("SH101", 3), ("BG005", 5), ("SH301", 7)]
    assert not notes
    assert len(findings[1].snippet) <= 200


def test_a_refused_statement_that_only_binds_a_value_is_a_notice_not_a_finding():
    text = "import os\nTABLE = " + "[" * 1300 + "]" * 1300 + "\nos.system('rm -rf /')\n"
    findings, notes = Engine(Config(), ".").check_source(Source("x.py", text, "python"))
    assert [f.rule_id for f in findings] == ["SH301"]
    assert [(n.message, n.region.start_line) for n in notes] == [
        (
            f"A statement was not read (nesting deeper than {MAX_NESTING} brackets); the values it defines are unknown.",
            2,
        )
    ]


def test_bg005_can_be_switched_off_but_the_refusal_is_still_reported():
    text = "import os\nos.system(" + "(" * 300 + "'ls'" + ")" * 300 + ")\n"
    findings, notes = Engine(Config(ignore=["BG005"]), ".").check_source(Source("x.py", text, "python"))
    assert findings == []
    assert [n.message for n in notes] == [
        f"This part was not checked: nesting deeper than {MAX_NESTING} brackets; what it runs is unknown."
    ]


# --- worker death, deterministic: a monkeypatch inherited by the forked workers ---------------------------------


def _sources(count):
    return [
        (Source(f"f{i:02}.sql", f"DELETE FROM table_{i};\n" + "SELECT 1;\n" * 800, "sql"), None) for i in range(count)
    ]


def _dies_on(monkeypatch, names, how=lambda: os.kill(os.getpid(), signal.SIGSEGV)):
    real = Engine.check_source

    def check_source(self, source, fs_path=None):
        if source.path in names:
            how()
        return real(self, source, fs_path)

    monkeypatch.setattr(Engine, "check_source", check_source)


@pytest.mark.parametrize("parallel", [False, True])
@pytest.mark.parametrize(
    "crashing",
    [
        {"f00.sql"},
        {"f10.sql"},
        {"f19.sql"},
        {"f04.sql", "f05.sql", "f06.sql"},
        {f"f{i:02}.sql" for i in range(0, 20, 2)},
    ],
)
def test_each_dead_worker_costs_only_its_file(monkeypatch, parallel, crashing):
    monkeypatch.setattr(engine_module, "PARALLEL_MIN_FILES", 2 if parallel else 10**9)
    _dies_on(monkeypatch, crashing)
    report = Engine(Config(), ".").check_sources(_sources(20))
    by_file = {(f.path, f.rule_id) for f in report.findings}
    assert by_file == {(f"f{i:02}.sql", "BG005" if f"f{i:02}.sql" in crashing else "SQL101") for i in range(20)}
    assert report.files_checked == 20 and not report.notifications
    crashed = [f for f in report.findings if f.rule_id == "BG005"]
    assert all(
        f.message == "This file was not checked: its check crashed (signal 11); nothing in it was verified."
        and f.severity.name == "WARNING"
        and f.region.start_line == 1
        and f.fingerprint
        for f in crashed
    )


def test_a_worker_that_exits_is_reported_with_its_status(monkeypatch):
    _dies_on(monkeypatch, {"f01.sql"}, how=lambda: os._exit(3))
    report = Engine(Config(), ".").check_sources(_sources(3))
    [crashed] = [f for f in report.findings if f.rule_id == "BG005"]
    assert crashed.path == "f01.sql" and "its check crashed (exit 3)" in crashed.message


def test_a_dead_worker_with_bg005_ignored_is_an_internal_error_not_a_clean_file(monkeypatch):
    _dies_on(monkeypatch, {"f01.sql"})
    report = Engine(Config(ignore=["BG005"]), ".").check_sources(_sources(3))
    assert {f.path for f in report.findings} == {"f00.sql", "f02.sql"}
    [note] = report.notifications
    assert note.path == "f01.sql" and note.kind == "internal-error" and report.had_internal_error


def test_a_configuration_error_raised_in_a_worker_is_raised_again(monkeypatch):
    from blastguard.config import ConfigError

    def broken(self, source, fs_path=None):
        raise ConfigError("bad key")

    monkeypatch.setattr(Engine, "check_source", broken)
    with pytest.raises(ConfigError, match="bad key"):
        Engine(Config(), ".").check_sources(_sources(2))


# --- the worker pool itself -------------------------------------------------------------------------------------


def _square_or_die(n):
    if n % 7 == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    return n * n


@pytest.mark.parametrize("workers", [1, 2, 5, 50])
def test_the_pool_keeps_order_and_marks_only_the_items_whose_worker_died(workers):
    results = isolation.run(_square_or_die, list(range(30)), workers)
    assert [r.how if isinstance(r, isolation.Crashed) else r for r in results] == [
        "signal 9" if n % 7 == 3 else n * n for n in range(30)
    ]


def test_the_pool_carries_large_results_and_leaves_no_worker_behind():
    results = isolation.run(lambda n: "x" * n, [0, 1, 5 << 20, 3], 2)
    assert [len(r) for r in results] == [0, 1, 5 << 20, 3]
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # every worker was reaped
