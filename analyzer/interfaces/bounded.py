"""Run a check in a forked child, bounded in time: a crash or a stall costs only the child.

The hook and the MCP server check content an agent controls, which may crash a native parser or
keep a check busy for minutes. The check runs in a child process in a process group of its own and
sends its JSON result back through a pipe. At the deadline the parent kills the child's whole group
and answers without it. The child watches a second pipe that only the parent holds open: when the
parent dies (an agent killing a hook it found slow), the read returns, and the child kills its own
group instead of checking on unseen. This works wherever fork does, and costs no ctypes import.

    from blastguard.interfaces.bounded import run_bounded
    value, failure = run_bounded(lambda: {"decision": "allow"}, seconds=5)
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only
    from typing import Any

_FAILED = 70  # the child's exit status when its work raised or its result could not be sent
# Seconds: at most this long whatever the configuration says, to stay below the 30 s hook timeout
# that `blastguard hook --print-config` sets up, after which an agent runs the tool unchecked.
MAX_DEADLINE = 20.0


def can_fork() -> bool:
    return hasattr(os, "fork")


def deadline(config) -> float:
    """Seconds a hook or MCP check may take: the configured `hook-deadline`, within MAX_DEADLINE."""
    return min(config.hook_deadline, MAX_DEADLINE)


def run_bounded(work, seconds: float) -> tuple[Any, str]:
    """(work()'s result, "") or (None, why there is none: the check crashed, failed or ran out of time).

    `work` returns a JSON value; it runs in a forked child, so what it changes stays there."""
    result_read, result_write = os.pipe()
    alive_read, alive_write = os.pipe()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()  # what is buffered would otherwise be written twice, once by each process
    pid = os.fork()
    if pid == 0:
        _child(work, result_write, alive_read, (result_read, alive_write))
    os.close(result_write)
    os.close(alive_read)
    reaped = False
    try:
        try:
            os.setpgid(pid, pid)  # the child does the same; whichever runs first wins the race
        except OSError:
            pass  # the child has done it, or is already gone
        data, complete = _collect(result_read, time.monotonic() + seconds)
        if not complete:
            _kill_group(pid)
        status = os.waitpid(pid, 0)[1]
        reaped = True
    finally:
        if not reaped:  # interrupted while waiting: the child must not outlive this call
            _kill_group(pid)
            os.waitpid(pid, 0)
        os.close(result_read)
        os.close(alive_write)
    if not complete:
        return None, f"the check did not finish within {seconds:g} s"
    if os.WIFSIGNALED(status):
        return None, f"the check crashed (signal {os.WTERMSIG(status)})"
    try:
        ok, value = json.loads(data.decode("utf-8"))
    except ValueError:
        return None, f"the check crashed (exit {os.WEXITSTATUS(status)})"
    return (value, "") if ok else (None, value)


def _collect(fd: int, end: float) -> tuple[bytes, bool]:
    """Everything the child writes until it closes the pipe (True), or what came before `end` (False)."""
    import select

    poller = select.poll()
    poller.register(fd, select.POLLIN)
    data = bytearray()
    while True:
        remaining = end - time.monotonic()
        if remaining <= 0 or not poller.poll(remaining * 1000):
            return bytes(data), False
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return bytes(data), True
        data += chunk


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:  # no such group (the child had not made it yet): the child alone
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def _child(work, result_write: int, alive_read: int, parent_ends: tuple[int, int]) -> None:
    code = _FAILED
    try:
        for fd in parent_ends:
            os.close(fd)
        try:
            os.setpgid(0, 0)
        except OSError:
            pass
        _die_with_parent(alive_read)
        # The parent answers for a crash: a fault handler inherited from it (`python -X faulthandler`,
        # pytest) must not also print a trace on the agent's stderr. Looked up, never imported here.
        faulthandler = sys.modules.get("faulthandler")
        if faulthandler is not None and faulthandler.is_enabled():
            faulthandler.disable()
        try:
            message = [True, work()]
        except Exception as exc:
            message = [False, f"{type(exc).__name__}: {exc}"]
        data = json.dumps(message).encode("utf-8")
        while data:
            data = data[os.write(result_write, data) :]
        code = 0
    finally:
        os._exit(code)  # never return into the parent's code, never run its exit handlers


def _die_with_parent(alive_read: int) -> None:
    """Kill this process group as soon as the parent is gone (its end of `alive_read` closes)."""
    import _thread  # built in; `threading` would cost a few milliseconds of every hook call

    def watch() -> None:
        try:
            os.read(alive_read, 1)
        finally:
            if os.getpgrp() == os.getpid():
                os.killpg(0, signal.SIGKILL)
            os.kill(os.getpid(), signal.SIGKILL)

    _thread.start_new_thread(watch, ())
