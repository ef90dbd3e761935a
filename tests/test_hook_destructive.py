"""What destroys data must be stopped by the hook, in every family of commands an agent may run.

Every line of tests/data/destructive_commands/*.txt is `deny` or `ask`, a tab, and a command. Each
goes through `blastguard.interfaces.hook.run` (the real entry point, forked check included) as a
Claude Code Bash call from the same small project folder the everyday commands use, and must get
exactly that answer. Nothing here is run; commands are data for the hook.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_hook_everyday import hook_in_process, project  # noqa: F401  (the shared project fixture)

from hook_calls import claude

FOLDER = Path(__file__).parent / "data" / "destructive_commands"


def _cases() -> list[tuple[str, str, str]]:
    cases = []
    for path in sorted(FOLDER.glob("*.txt")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            expected, _, command = line.partition("\t")
            assert expected in ("deny", "ask") and command.strip(), f"{path.name}:{number}: `deny|ask<TAB>command`"
            cases.append((f"{path.stem}:{number}", expected, command))
    return cases


CASES = _cases()


def test_the_list_covers_every_family_broadly():
    assert len(CASES) >= 150
    commands = [command for _, _, command in CASES]
    assert len(set(commands)) == len(commands), "a command is listed twice"


@pytest.mark.parametrize(("where", "expected", "command"), CASES, ids=[where for where, _, _ in CASES])
def test_a_destructive_command_gets_its_answer(where, expected, command, project):  # noqa: F811
    code, text = hook_in_process(claude("Bash", {"command": command}, project), project)
    assert code == 0, f"{command}: exit {code}"
    assert text.strip(), f"{command}: allowed"
    answer = json.loads(text)["hookSpecificOutput"]
    assert answer.get("permissionDecision") == expected, f"{command}: {answer}"
