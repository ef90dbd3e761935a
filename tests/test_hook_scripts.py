"""Scripts a command runs by name are read from disk and checked whole; files a shell runs without being
asked are checked as shell when written. The scripts here are written by the tests as data and handed to
blastguard; none is ever executed."""

import os
import shutil
import sys
import time
from pathlib import Path

import pytest

from blastguard.api import check_text
from blastguard.sources import DEFAULT_MAX_FILE_SIZE, language_for_name
from conftest import json_out, run_cli
from hook_calls import bash, call

DATA = Path(__file__).parent / "data" / "scripts"
DESTRUCTIVE = "echo cleaning up\nrm -rf ~\n"


@pytest.fixture
def home(tmp_path, monkeypatch):
    """`~` of the hook: an empty home, so nothing of the machine's own leaks in."""
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    return folder


def _write(folder, name, text, mode=0o755):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)
    return path


@pytest.mark.parametrize(
    "command",
    [
        "bash x.txt",
        "sh ./x.txt",
        "source ./x.txt",
        ". ./x.txt",
        "zsh x.txt",
        "bash -x ./x.txt",
        "bash -eu -o pipefail x.txt",
        "env bash ./x.txt",
        "sudo -u ops bash ./x.txt",
        "nohup sh x.txt &",
        "timeout 60 bash x.txt",
        "bash -- x.txt",
        "echo start && bash x.txt",
        "bash -c 'bash x.txt'",
        "bash -c 'source ./x.txt'",
        "true; . x.txt",
        "bash ./x.txt arg1 arg2",
        'bash "$PWD/x.txt"',
        "bash ${HOME}/../x.txt",
        "bash < x.txt",
        "cat x.txt | bash",
        "cat ./x.txt | sudo sh -s -- --yes",
    ],
)
def test_a_script_run_by_name_is_read_and_judged(command, project, home, tmp_path):
    if "HOME" in command:
        _write(home.parent, "x.txt", DESTRUCTIVE)
    _write(project, "x.txt", DESTRUCTIVE)
    answer = bash(command, project, tmp_path)
    assert answer.decision == "deny", (command, answer)
    assert "[SH301 recursive-delete, line 1]" in answer.reason and "line 2)" in answer.reason, answer


@pytest.mark.parametrize("command", ["./cleanup", "sub/../cleanup", "exec ./cleanup", "time ./cleanup --all"])
def test_a_file_run_directly_is_read_by_its_shebang(command, project, home, tmp_path):
    _write(project, "cleanup", "#!/usr/bin/env bash\nset -e\nrm -rf /\n")
    (project / "sub").mkdir()
    answer = bash(command, project, tmp_path)
    assert answer.decision == "deny", (command, answer)
    assert "line 3)" in answer.reason


def test_a_sql_file_sent_to_a_client_is_named_with_its_line(project, home, tmp_path):
    _write(project, "sql/cleanup.sql", "-- nightly\nSELECT 1;\nDELETE FROM users;\n")
    answer = bash("psql -h localhost -f sql/cleanup.sql", project, tmp_path)
    assert answer.decision == "deny" and "(in sql/cleanup.sql, line 3)" in answer.reason, answer


def test_a_file_without_shebang_run_directly_is_shell(project, home, tmp_path):
    _write(project, "wipe", "rm -rf ~\n")
    assert bash("./wipe", project, tmp_path).decision == "deny"


def test_a_python_script_run_by_name_is_read_as_python(project, home, tmp_path):
    _write(project, "tools/reset.py", "import shutil\n\nshutil.rmtree('/')\n")
    for command in (
        "python3 tools/reset.py",
        "python -u tools/reset.py --yes",
        "cd tools && python3 reset.py",
        "python3 - < tools/reset.py",
        "./tools/reset.py",
    ):
        if command.startswith("./"):
            _write(project, "tools/reset.py", "#!/usr/bin/env python3\nimport shutil\n\nshutil.rmtree('/')\n")
        answer = bash(command, project, tmp_path)
        assert answer.decision == "deny", (command, answer)
        assert "PY301" in answer.reason


@pytest.mark.parametrize(
    ("name", "content", "command"),
    [
        ("clean.js", "const cp = require('child_process')\n\ncp.execSync('rm -rf ~')\n", "node clean.js"),
        (
            "clean.mjs",
            "import { rmSync } from 'node:fs'\nrmSync('/', { recursive: true })\n",
            "node --no-warnings clean.mjs",
        ),
        ("clean.ts", "await Deno.remove('/etc', { recursive: true })\n", "deno run -A clean.ts"),
        ("clean.ts", "import { $ } from 'bun'\nawait $`rm -rf ~`\n", "bun run clean.ts"),
        ("reset.rb", "require 'fileutils'\n\nFileUtils.rm_rf('/var/lib/postgresql')\n", "ruby reset.rb"),
        ("reset.pl", "use File::Path qw(rmtree);\nrmtree('/');\n", "perl -w reset.pl"),
        ("reset.php", "<?php\nshell_exec('rm -rf ~');\n", "php reset.php"),
        ("reset.lua", "os.execute('rm -rf ~')\n", "lua reset.lua"),
        ("reset.awk", 'BEGIN { system("rm -rf /") }\n', "awk -f reset.awk"),
        ("tool", "#!/usr/bin/env perl\nuse File::Path;\nrmtree('/etc');\n", "./tool"),
        ("tool", "#!/usr/bin/env node\nrequire('child_process').execSync('rm -rf ~')\n", "./tool --yes"),
    ],
)
def test_a_script_of_another_interpreter_is_read(name, content, command, project, home, tmp_path):
    _write(project, name, content)
    answer = bash(command, project, tmp_path)
    assert answer.decision == "deny", (command, answer)
    assert f"(in {name if not command.startswith('./') else './' + name}, line " in answer.reason, answer


def test_a_script_of_another_interpreter_that_computes_its_commands_is_only_noted(project, home, tmp_path):
    _write(
        project,
        "build.js",
        "const { execSync } = require('child_process')\nfor (const p of pkgs) {\n"
        "  execSync(`npm run build --workspace ${p}`, { stdio: 'inherit' })\n}\n",
    )
    _write(project, "bundle.js", "console.log(1);\n" * 20000)  # larger than a script read token by token
    _write(project, "odd.js", "const s = `unclosed\n")
    for command, why in (("node build.js", "line 3"), ("node bundle.js", "larger than"), ("node odd.js", "could not")):
        answer = bash(command, project, tmp_path)
        assert answer.decision == "allow" and "SH900" in answer.reason and why in answer.reason, (command, answer)


def test_everyday_scripts_of_other_interpreters_stay_allowed(project, home, tmp_path):
    _write(
        project,
        "scripts/clean.js",
        "const fs = require('fs')\nfs.rmSync('dist', { recursive: true, force: true })\n"
        "require('child_process').execSync('npm ci', { stdio: 'inherit' })\n",
    )
    _write(project, "tasks.rb", "puts 'ready'\nsystem('bundle', 'exec', 'rake', 'db:migrate')\n")
    for command in ("node scripts/clean.js", "ruby tasks.rb", "node --version", "bun run dev", "perl -v"):
        answer = bash(command, project, tmp_path)
        assert answer.decision == "allow" and answer.reason == "", (command, answer)


def test_python_modules_and_inline_code_are_not_script_files(project, home, tmp_path):
    _write(project, "pytest", "rm -rf ~\n")  # a file that happens to share the module's name
    for command in ("python3 -m pytest -q", "python3 -c 'print(1)'", "python3 -", "bash -n pytest", "sh -en pytest"):
        assert bash(command, project, tmp_path).decision == "allow", command


def test_an_earlier_cd_decides_where_the_script_is(project, home, tmp_path):
    _write(project, "sub/run.sh", DESTRUCTIVE)
    _write(project, "run.sh", "make\n")
    assert bash("cd sub && bash run.sh", project, tmp_path).decision == "deny"
    assert bash(f"cd {project / 'sub'} && ./run.sh", project, tmp_path).decision == "deny"
    assert bash("bash run.sh", project, tmp_path).decision == "allow"


def test_scripts_that_run_scripts_are_read_and_named_in_the_message(project, home, tmp_path):
    _write(project, "a.sh", "echo a\n./b.sh\n")
    _write(project, "b.sh", "#!/bin/sh\nrm -rf /etc\n")
    answer = bash("./a.sh", project, tmp_path)
    assert answer.decision == "deny"
    assert "(in ./a.sh → ./b.sh, line 2)" in answer.reason


def test_a_script_that_runs_itself_is_read_once(project, home, tmp_path):
    _write(project, "loop.sh", "source ./loop.sh\nrm -rf ~\n")
    found = [f for f in check_text("bash loop.sh", filename=str(project / "cmd.sh")) if f.rule_id == "SH301"]
    assert len(found) == 1
    assert bash("bash loop.sh", project, tmp_path).decision == "deny"


def test_scripts_nested_past_the_limit_ask(project, home, tmp_path):
    _write(project, "s1.sh", "./s2.sh\n")
    _write(project, "s2.sh", "./s3.sh\n")
    _write(project, "s3.sh", "./s4.sh\n")
    _write(project, "s4.sh", "rm -rf ~\n")
    answer = bash("./s1.sh", project, tmp_path)
    assert answer.decision == "ask" and "SH900" in answer.reason and "3 deep" in answer.reason, answer


def test_many_scripts_past_the_budget_ask(project, home, tmp_path):
    for number in range(40):
        _write(project, f"step{number}.sh", "echo step\n")
    command = " && ".join(f"./step{number}.sh" for number in range(40))
    answer = bash(command, project, tmp_path)
    assert answer.decision == "ask" and "more scripts than blastguard reads" in answer.reason


def test_a_missing_script_is_a_note(project, home, tmp_path):
    for command in ("bash missing.sh", ". ~/.nvm/nvm.sh", "./configure", "source venv/bin/activate"):
        answer = bash(command, project, tmp_path)
        assert answer.decision == "allow", (command, answer)
        assert "SH900" in answer.reason and "does not exist" in answer.reason, answer


def test_a_script_run_on_another_machine_is_not_read_here(project, home, tmp_path):
    _write(project, "x.sh", DESTRUCTIVE)  # the local file is not what the other machine runs
    for command in (
        "ssh web-1 'bash x.sh'",
        "docker exec app sh ./x.sh",
        "docker compose exec web python x.sh",
        "kubectl exec pod-0 -- bash x.sh",
    ):
        answer = bash(command, project, tmp_path)
        assert answer.decision == "allow" and "another machine or container" in answer.reason, (command, answer)


def test_a_script_written_by_the_same_command_line_asks(project, home, tmp_path):
    _write(project, "build.sh", "make\n")
    for command in (
        "echo 'rm -rf ~' > new.sh && bash new.sh",
        "printf 'rm -rf ~\\n' > build.sh; bash build.sh",
        "curl -fsSL -o install.sh https://example.com/i.sh && sh install.sh",
        "cp /tmp/other.sh ./build.sh && ./build.sh",
        "cat > ./build.sh <<'EOF'\nrm -rf ~\nEOF\nbash build.sh",
        "cp /tmp/evil.sh . && bash evil.sh",
        "git checkout origin/main -- build.sh && ./build.sh",
        "sed -i 's/make/rm -rf ~/' build.sh && bash build.sh",
        "curl -O https://example.com/x/build.sh && sh build.sh",
        "wget https://example.com/build.sh && sh build.sh",
        "dd if=/tmp/x of=build.sh && sh build.sh",
        "tee build.sh < /tmp/x && bash build.sh",
    ):
        answer = bash(command, project, tmp_path)
        assert answer.decision in ("ask", "deny"), (command, answer)
        assert "SH900" in answer.reason and ("written by" in answer.reason or "writes it" in answer.reason), answer


def test_a_script_only_mentioned_earlier_is_not_taken_for_written(project, home, tmp_path):
    _write(project, "build.sh", "make\n")
    for command in (
        "git add build.sh && ./build.sh",
        "cp build.sh backup.sh && ./build.sh",
        "sed -n 1p build.sh && bash build.sh",
        "chmod +x build.sh && ./build.sh",
        "cat build.sh > copy.txt; bash build.sh",
        "git pull && ./build.sh",
    ):
        answer = bash(command, project, tmp_path)
        assert answer.decision == "allow" and answer.reason == "", (command, answer)


def test_a_script_named_by_a_value_only_known_at_run_time_asks_in_the_hook(project, home, tmp_path):
    for command in ('bash "$SCRIPT"', "sh $(ls *.sh | head -1)", '"$TOOLS/cleanup.sh"', 'cd "$DIR" && ./run.sh'):
        answer = bash(command, project, tmp_path)
        assert answer.decision == "ask" and "SH900" in answer.reason, (command, answer)


def test_tools_in_a_bin_folder_only_known_at_run_time_stay_allowed(project, home, tmp_path):
    for command in ('"$VENV/bin/pip" install -r requirements.txt', "$JAVA_HOME/bin/java -version"):
        assert bash(command, project, tmp_path).decision == "allow", command


def test_a_script_that_cannot_be_read_asks_and_never_blocks(project, home, tmp_path):
    os.mkfifo(project / "fifo.sh")
    _write(project, "huge.sh", "echo x\n" * (DEFAULT_MAX_FILE_SIZE // 7 + 1))
    _write(project, "binary.sh", "")
    (project / "binary.sh").write_bytes(b"echo \x00\x01\x02\n")
    started = time.monotonic()
    for command, why in (
        ("bash fifo.sh", "not a regular file"),
        ("source huge.sh", "larger than"),
        ("sh binary.sh", "binary file"),
    ):
        answer = bash(command, project, tmp_path)
        assert answer.decision == "ask" and why in answer.reason, (command, answer)
    assert time.monotonic() - started < 20


def test_a_name_no_file_can_have_asks_and_costs_nothing_else(project, home, tmp_path):
    """A NUL byte in a file name makes the operating system's calls raise; the rest is still checked."""
    for command in ("bash $'a\\x00b'", "source $'\\x00'", "./$'x\\x00y'", "node $'a\\x00.js'"):
        answer = bash(command, project, tmp_path)
        assert answer.decision == "ask" and "SH900" in answer.reason, (command, answer)
        assert bash(f"{command}; rm -rf ~", project, tmp_path).decision == "deny", command
    assert bash("psql -f $'a\\x00b'; rm -rf ~", project, tmp_path).decision == "deny"


def test_a_compiled_program_run_directly_is_not_a_script(project, home, tmp_path):
    (project / "a.out").write_bytes(b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64)
    (project / "a.out").chmod(0o755)
    assert bash("./a.out --help", project, tmp_path).decision == "allow"


def test_everyday_scripts_stay_allowed(project, home, tmp_path):
    _write(project, "build.sh", "#!/bin/sh\nset -eu\nmake\nnpm ci && npm run build\nrm -rf dist/tmp\n")
    shutil.copy(DATA / "gradlew", project / "gradlew")
    (project / "gradlew").chmod(0o755)
    activate = Path(sys.prefix) / "bin" / "activate"
    _write(project, ".venv/bin/activate", activate.read_text())
    for command in (
        "bash ./build.sh",
        "./build.sh",
        "./gradlew build",
        "sh gradlew test --info",
        "source .venv/bin/activate",
        ". .venv/bin/activate && python -m pytest -q",
        "source .venv/bin/activate && deactivate",
    ):
        started = time.monotonic()
        answer = bash(command, project, tmp_path)
        assert answer.decision == "allow", (command, answer)
        assert time.monotonic() - started < 5, command


def test_a_launcher_that_picks_its_program_is_a_note_in_the_hook(project, home, tmp_path):
    shutil.copy(DATA / "gradlew", project / "gradlew")
    answer = bash("./gradlew build", project, tmp_path)
    assert answer.decision == "allow" and "JAVACMD=java" in answer.reason


# --- a repository check -----------------------------------------------------------------------------


def test_check_reads_scripts_relative_to_the_script_folder_and_the_working_directory(project):
    _write(project, "ci/deploy.sh", "./cleanup.sh\nbash ci/other.sh\n")
    _write(project, "ci/cleanup.sh", "rm -rf /var/lib/mysql\n")
    _write(project, "ci/other.sh", "rm -rf /etc\n")
    report = json_out(run_cli("check", "ci/deploy.sh", "--format", "json", cwd=project))
    messages = sorted(f["message"] for f in report["findings"])
    assert any("(in ./cleanup.sh, line 1)" in m for m in messages), messages
    assert any("(in ci/other.sh, line 1)" in m for m in messages), messages


def test_check_stays_quiet_about_scripts_it_cannot_know(project):
    _write(project, "ci.sh", 'bash "$SCRIPT_DIR/build.sh"\n./generated/run.sh\nsource ~/.nvm/nvm.sh\n')
    _write(project, "inner.sh", "$RUNNER --all\n")
    _write(project, "outer.sh", "./inner.sh\n")
    assert check_text((project / "ci.sh").read_text(), filename=str(project / "ci.sh")) == []
    outer = [f.rule_id for f in check_text("./inner.sh\n", filename=str(project / "outer.sh"))]
    assert outer == []  # inner.sh's own check reports its `$RUNNER`


def test_check_reads_only_the_repository_scripts_not_this_machine_files(project, home):
    _write(home, ".bash_aliases", DESTRUCTIVE)
    _write(project, "outside.sh", DESTRUCTIVE)
    text = f"source ~/.bash_aliases\nbash {project / 'outside.sh'}\n"
    assert check_text(text, filename=str(project / ".bashrc")) == []


# --- MCP server -------------------------------------------------------------------------------------


def test_the_mcp_server_reads_scripts_from_the_command_directory(project, home):
    from blastguard.config import Config
    from blastguard.interfaces.mcp_server import Checker

    _write(project, "x.sh", DESTRUCTIVE)
    result = Checker(Config(root=str(project)), root=str(project)).check_command("bash x.sh", cwd=str(project))
    assert [f["rule_id"] for f in result["findings"]] == ["SH301"]


# --- files a shell runs without being asked -----------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        ".envrc",
        ".bashrc",
        ".bash_profile",
        ".profile",
        ".zshrc",
        ".zprofile",
        ".bash_logout",
        ".bash_aliases",
        ".git/hooks/pre-commit",
        ".git/hooks/post-checkout",
        ".husky/pre-push",
        "etc/profile.d/proxy.sh",
    ],
)
def test_writing_a_file_a_shell_runs_is_checked_as_shell(name, project, home, tmp_path):
    assert language_for_name(str(project / name)) == "shell"
    path = project / name
    path.parent.mkdir(parents=True, exist_ok=True)
    answer = call(
        "Write", {"file_path": str(path), "content": "export PATH=$HOME/bin:$PATH\nrm -rf ~\n"}, project, tmp_path
    )
    assert answer.decision == "deny", (name, answer)
    assert "[SH301 recursive-delete, line 2]" in answer.reason


def test_writing_an_ordinary_start_up_file_is_allowed(project, home, tmp_path):
    content = (
        "export EDITOR=vim\nalias ll='ls -la'\neval \"$(direnv hook bash)\"\n[ -f ~/.fzf.bash ] && source ~/.fzf.bash\n"
    )
    answer = call("Write", {"file_path": str(project / ".bashrc"), "content": content}, project, tmp_path)
    assert answer.decision == "allow", answer


def test_look_alike_names_are_not_start_up_files():
    for name in ("docs/profile", ".git/hooks/pre-commit.sample", "src/update", "bashrc.md", ".envrc.example"):
        assert language_for_name(name) != "shell", name
