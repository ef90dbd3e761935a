"""Run a function over items in forked worker processes that may die.

A native parser can crash the process it runs in (a segfault inside tree-sitter or libcst). A
worker handles one item at a time, so when it dies the item it was on is known: that item's result
is a `Crashed`, a fresh worker takes over, and every other item is still done. Workers are forked,
so they inherit the caller's state (imported parsers, the engine) without pickling it; items and
results travel through pipes as pickles.
"""

from __future__ import annotations

import os
import pickle
import selectors
import signal
import struct
from collections.abc import Callable, Sequence

_HEADER = struct.Struct("!Q")


class Crashed:
    """The worker died while handling this item."""

    def __init__(self, how: str) -> None:
        self.how = how  # "signal 11", "exit 1"

    def __repr__(self) -> str:
        return f"Crashed({self.how!r})"


def quiet_crashes() -> None:
    """In a forked worker: a crash is the parent's to report (the file is "not checked"), so a fault
    handler inherited from the parent (`python -X faulthandler`, pytest) must not print its trace too."""
    import sys

    faulthandler = sys.modules.get("faulthandler")  # never imported here: the hook's start-up is counted
    if faulthandler is not None and faulthandler.is_enabled():
        faulthandler.disable()


def available() -> bool:
    return hasattr(os, "fork")


def run(function: Callable, items: Sequence, workers: int) -> list:
    """`function(item)` for every item, in order; `Crashed` where the worker died on that item."""
    workers = max(1, workers)
    results: list = [None] * len(items)
    pending = list(range(len(items) - 1, -1, -1))  # popped from the end: first item first
    pool: dict[int, _Worker] = {}  # by result-pipe descriptor
    selector = selectors.DefaultSelector()
    try:
        while pending or pool:
            while pending and len(pool) < workers:
                worker = _Worker.start(function, list(pool.values()))
                pool[worker.results] = worker
                selector.register(worker.results, selectors.EVENT_READ)
                _assign(worker, pending, items, results)
            if not pool:
                break
            for key, _ in selector.select():
                worker = pool[key.fd]
                index, answer = worker.index, worker.receive()
                if isinstance(answer, Crashed):
                    selector.unregister(worker.results)
                    del pool[worker.results]
                    results[index] = Crashed(worker.stop())
                    continue
                results[index] = answer
                if pending:
                    _assign(worker, pending, items, results)
                else:
                    selector.unregister(worker.results)
                    del pool[worker.results]
                    worker.stop()
    finally:
        for worker in pool.values():
            worker.stop(kill=True)
        selector.close()
    return results


def _assign(worker: _Worker, pending: list[int], items: Sequence, results: list) -> None:
    index = pending.pop()
    if not worker.send(index, items[index]):
        results[index] = Crashed(worker.stop())


class _Worker:
    def __init__(self, pid: int, tasks: int, results: int) -> None:
        self.pid = pid
        self.tasks = tasks  # the parent's end of the pipe items go down
        self.results = results  # the parent's end of the pipe results come up
        self.index = -1  # the item being handled

    @classmethod
    def start(cls, function: Callable, others: list[_Worker]) -> _Worker:
        task_read, task_write = os.pipe()
        result_read, result_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker: never returns
            code = 1
            try:
                signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends the worker with the parent
                quiet_crashes()
                os.close(task_write)
                os.close(result_read)
                for other in others:  # only the parent may hold them, or a dead worker's pipe never ends
                    os.close(other.tasks)
                    os.close(other.results)
                _serve(function, task_read, result_write)
                code = 0
            finally:
                os._exit(code)
        os.close(task_read)
        os.close(result_write)
        return cls(pid, task_write, result_read)

    def send(self, index: int, item) -> bool:
        self.index = index
        try:
            _write(self.tasks, pickle.dumps(item, pickle.HIGHEST_PROTOCOL))
            return True
        except OSError:  # it died before reading
            return False

    def receive(self):
        """The result of the current item, or Crashed when the worker died first."""
        payload = _read(self.results)
        if payload is None:
            return Crashed("")
        return pickle.loads(payload)

    def stop(self, kill: bool = False) -> str:
        """End the worker and say how it ended."""
        for fd in (self.tasks, self.results):
            try:
                os.close(fd)
            except OSError:
                pass
        if kill:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except OSError:
                pass
        _, status = os.waitpid(self.pid, 0)
        if os.WIFSIGNALED(status):
            return f"signal {os.WTERMSIG(status)}"
        return f"exit {os.WEXITSTATUS(status)}"


def _serve(function: Callable, tasks: int, results: int) -> None:
    while (payload := _read(tasks)) is not None:
        _write(results, pickle.dumps(function(pickle.loads(payload)), pickle.HIGHEST_PROTOCOL))


def _write(fd: int, payload: bytes) -> None:
    data = memoryview(_HEADER.pack(len(payload)) + payload)
    while data:
        data = data[os.write(fd, data) :]


def _read(fd: int) -> bytes | None:
    """One message, or None at the end of the pipe (the other side closed it or died)."""
    header = _read_exactly(fd, _HEADER.size)
    if header is None:
        return None
    return _read_exactly(fd, _HEADER.unpack(header)[0])


def _read_exactly(fd: int, size: int) -> bytes | None:
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
