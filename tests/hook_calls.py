"""A hook call in this process, the way `blastguard hook` answers it: the payload goes through `hook.run`
(forked check included) and the answer is read back. Payloads are only read; nothing in them is ever run."""

import io
import json

from blastguard.interfaces import hook
from blastguard.interfaces.environment_gate import READ_VARIABLES

# Variables the environment gate reads, cleared so the machine running the tests cannot leak in.
CLEAN_ENV = dict.fromkeys(READ_VARIABLES, "")


def claude(tool, tool_input, cwd):
    return {
        "session_id": "9f1c",
        "transcript_path": "/tmp/transcript.jsonl",
        "cwd": str(cwd),
        "permission_mode": "default",
        "hook_event_name": "PreToolUse",
        "tool_name": tool,
        "tool_use_id": "toolu_01",
        "tool_input": tool_input,
    }


class Answer:
    def __init__(self, text: str) -> None:
        self.text = text
        output = json.loads(text)["hookSpecificOutput"] if text else {}
        self.decision = output.get("permissionDecision", "allow")
        self.reason = output.get("permissionDecisionReason") or output.get("additionalContext") or ""

    def __repr__(self) -> str:
        return f"Answer({self.decision}: {self.reason})"


def call(tool, tool_input, cwd, tmp_path) -> Answer:
    payload = json.dumps(claude(tool, tool_input, cwd)).encode()
    answer_path = tmp_path / "answer.json"
    with open(answer_path, "w") as answer_file:
        code = hook.run(None, None, stdin=io.BytesIO(payload), stdout=answer_file, environ=CLEAN_ENV)
    assert code == 0
    return Answer(answer_path.read_text())


def bash(command, cwd, tmp_path) -> Answer:
    return call("Bash", {"command": command}, cwd, tmp_path)
