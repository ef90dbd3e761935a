"""What a shell-only hook call imports. `blastguard hook` runs before every tool call of an agent, so
it must not pay for `dataclasses` and `inspect` (~14 ms), `typing` (~3 ms), nor for the SQL and Python parsers."""

import json
import os
import subprocess
import sys

HEAVY = ("dataclasses", "inspect", "typing", "sqlglot", "libcst")

# Runs the hook in a fresh interpreter, in-process: the check is not forked (a child's imports would not
# show here), then prints each decision and the imported modules. The commands are only parsed.
_SCRIPT = """
import io, json, sys
sys.path.insert(0, sys.argv[1])
import blastguard.interfaces.bounded
blastguard.interfaces.bounded.can_fork = lambda: False
from hook_calls import CLEAN_ENV, claude
from blastguard.interfaces import hook
decisions = []
for command in sys.argv[3:]:
    payload = json.dumps(claude("Bash", {"command": command}, sys.argv[2])).encode()
    answer = io.StringIO()
    assert hook.run(None, None, stdin=io.BytesIO(payload), stdout=answer, environ=CLEAN_ENV) == 0
    output = json.loads(answer.getvalue())["hookSpecificOutput"] if answer.getvalue() else {}
    decisions.append(output.get("permissionDecision", "allow"))
print(json.dumps({"decisions": decisions, "modules": sorted(sys.modules)}))
"""


def _hook_in_a_fresh_interpreter(tmp_path, *commands):
    home = tmp_path / "home"
    home.mkdir()
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
    }
    tests = os.path.dirname(os.path.abspath(__file__))
    result = subprocess.run(
        [sys.executable, "-c", _SCRIPT, tests, str(tmp_path), *commands],
        capture_output=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr.decode()
    return json.loads(result.stdout)


def test_a_shell_hook_call_imports_neither_dataclasses_inspect_typing_sqlglot_nor_libcst(tmp_path):
    seen = _hook_in_a_fresh_interpreter(tmp_path, "ls -la", "rm -rf ~")
    assert seen["decisions"] == ["allow", "deny"]  # the destructive one was read by the shell pack
    assert "blastguard.frontends.shell.frontend" in seen["modules"]
    assert [m for m in seen["modules"] if m.split(".")[0] in HEAVY] == []
