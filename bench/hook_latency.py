"""Time `blastguard hook` as an agent runs it: one whole process per tool call, payload on stdin.

Usage: python bench/hook_latency.py [--rounds N] [--venv DIR]

blastguard is installed (not editable) into its own virtual environment under bench/out, as a
user would install it: pip compiles the byte code there, so start-up is measured as users see it.
Each payload runs as its own process, round-robin with Python's bare start-up (`python -c pass`)
as the floor, so machine noise hits all of them alike; medians and 95th percentiles are printed,
with the targets: a shell command with no SQL answered in at most 60 ms, one with SQL in 200 ms.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent


def claude(command: str) -> bytes:
    payload = {
        "session_id": "bench",
        "transcript_path": "/tmp/bench.jsonl",
        "cwd": str(BENCH / "out"),
        "permission_mode": "default",
        "hook_event_name": "PreToolUse",
        "tool_name": "Bash",
        "tool_use_id": "toolu_bench",
        "tool_input": {"command": command},
    }
    return json.dumps(payload).encode()


# name -> (payload, target in ms or None)
CASES = {
    "python -c pass (start-up floor)": (None, None),
    "shell, clean (`ls -la && git status`)": (claude("ls -la && git status"), 60),
    "shell, destroy denied (`bash -c 'terraform destroy -auto-approve'`)": (
        claude("bash -c 'terraform destroy -auto-approve'"),
        60,
    ),
    'shell with SQL (`psql -c "DELETE … WHERE …"`)': (
        claude('psql -h localhost -c "DELETE FROM sessions WHERE expires_at < now()"'),
        200,
    ),
}


def install(venv: Path) -> Path:
    """A virtual environment with blastguard installed from this checkout; reinstalled on every run so
    it measures the code as it is now."""
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--force-reinstall", "--no-deps", str(REPO)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(REPO)], check=True)  # dependencies, if missing
    return python


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=30, help="timed runs of each case (default: 30)")
    ap.add_argument("--venv", type=Path, default=BENCH / "out" / "hook-venv", help="where to install blastguard")
    args = ap.parse_args()
    (BENCH / "out").mkdir(exist_ok=True)
    python = install(args.venv)
    hook = [str(args.venv / "bin" / "blastguard"), "hook"]
    argv = {name: ([str(python), "-c", "pass"] if payload is None else hook) for name, (payload, _) in CASES.items()}
    times: dict[str, list[float]] = {name: [] for name in CASES}
    for round_number in range(args.rounds + 1):  # round 0 warms the file cache and is not timed
        for name, (payload, _) in CASES.items():
            started = time.perf_counter()
            result = subprocess.run(argv[name], input=payload or b"", capture_output=True)
            elapsed = (time.perf_counter() - started) * 1000
            if result.returncode != 0:
                print(f"{name}: exit {result.returncode}: {result.stderr.decode()[-300:]}", file=sys.stderr)
                return 1
            if round_number:
                times[name].append(elapsed)
    print(
        f"# agent hook latency\n\n- Python {sys.version.split()[0]}, {args.rounds} rounds, whole processes, "
        f"blastguard installed in {args.venv}\n"
    )
    print("| case | median ms | p95 ms | target ms | within |\n| --- | ---: | ---: | ---: | --- |")
    failed = False
    for name, (_, target) in CASES.items():
        values = sorted(times[name])
        median = statistics.median(values)
        p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
        within = "" if target is None else ("yes" if median <= target else "NO")
        failed |= within == "NO"
        print(f"| {name} | {median:.1f} | {p95:.1f} | {target or ''} | {within} |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
