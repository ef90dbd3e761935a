"""Time blastguard against peer linters on one corpus, as whole processes, and print ratios.

Usage: python bench/run.py [--suite sql|terraform|python] [--corpus DIR] [--rounds N] [--tool-rounds TOOL=N]
                           [--timeout S] [--only A,B]

Suites: `sql` (blastguard, squawk, sqlfluff on bench/out/sql-corpus), `terraform` (blastguard and
checkov on bench/out/tf-corpus) and `python` (blastguard and bandit on bench/out/py-corpus, a copy of
the first 200 .py files of this Python's standard library folder, made afresh on each run without
--corpus). A peer is taken from this Python's environment, else from PATH.

Project rule: performance is a ratio against peers run on the same corpus in the same run, from
whole-process wall times, quoting medians. So every tool runs as its own process, round-robin
(A, B, C, A, B, C, ...) so that machine noise hits all of them alike, after one untimed warm-up
round that fills the OS file cache and byte-code caches.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import sysconfig
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

BENCH = Path(__file__).resolve().parent
OUT = BENCH / "out"
BIN = Path(sys.executable).parent  # "installed in the same environment" = next to this Python
SLOW_DEFAULT_ROUNDS = {"sqlfluff": 3}  # ~50 s a run on 2 cores: 7 rounds would take 6+ minutes
# suite -> (default corpus under bench/out, file pattern, generator script; None: copy_stdlib below)
SUITES = {
    "sql": ("sql-corpus", "*.sql", "generate_sql.py"),
    "terraform": ("tf-corpus", "*.tf", "generate_tf.py"),
    "python": ("py-corpus", "*.py", None),
}
STDLIB_FILES = 200  # the python corpus: at most this many .py files, first by name


@dataclass
class Tool:
    name: str
    argv: list[str]
    ok_codes: set[int]  # documented exit codes for "clean" and "found something"
    install: str  # shown when the tool is missing
    checked: str | None = None  # regex for the number of files the tool says it checked
    error_markers: tuple[str, ...] = ()  # stderr text meaning failure even with an ok exit code
    rounds: int = 0
    version: str = ""
    times: list[float] = field(default_factory=list)
    codes: list[int] = field(default_factory=list)
    files_seen: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def make_tools(corpus: Path, suite: str) -> list[Tool]:
    blastguard = Tool(
        "blastguard",
        ["blastguard", "check", str(corpus)],
        {0, 1},
        "pip install -e .",
        checked=r"\((\d+) files? checked\)",
    )
    if suite == "terraform":
        return [
            blastguard,
            # checkov exits 1 when a check fails and names only files with failed checks; without network
            # it must not try to download modules or its rule metadata (that fails slowly).
            Tool(
                "checkov",
                [
                    "checkov",
                    "-d",
                    str(corpus),
                    "--quiet",
                    "--compact",
                    "-o",
                    "cli",
                    "--skip-download",
                    "--download-external-modules",
                    "false",
                ],
                {0, 1},
                "pip install 'checkov>=3.3' (best in a virtualenv of its own, on PATH)",
            ),
        ]
    if suite == "python":
        return [
            blastguard,
            # bandit exits 1 when it reports an issue and names only files with issues; -q drops its
            # progress log, not the report.
            Tool("bandit", ["bandit", "-q", "-r", str(corpus)], {0, 1}, "pip install 'bandit>=1.7'"),
        ]
    return [
        blastguard,
        # squawk wants files or glob patterns, not folders ("Failed to find files", exit 1 as for
        # findings); it expands the quoted pattern itself, so no shell is involved.
        Tool(
            "squawk",
            ["squawk", str(corpus / "*.sql")],
            {0, 1},
            "pip install 'squawk-cli>=2.70'",
            checked=r"checked (\d+) source files?|Found 0 issues in (\d+) files?",
            error_markers=("Failed to find files", "Stack backtrace", "panicked at"),
        ),
        # sqlfluff exits 2 on errors; it names only files with violations, so its count is a floor.
        Tool(
            "sqlfluff",
            ["sqlfluff", "lint", "--dialect", "postgres", str(corpus)],
            {0, 1},
            "pip install 'sqlfluff>=4.5'",
        ),
    ]


def copy_stdlib(corpus: Path) -> str:
    """Copy the first STDLIB_FILES .py files directly in this Python's stdlib folder; "" or an error."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    available = sorted(p.name for p in stdlib.glob("*.py") if p.is_file())
    picked = available[:STDLIB_FILES]
    # Nothing is deleted here: files from another Python's stdlib would skew the timings, so refuse.
    stale = sorted({p.name for p in corpus.glob("*.py")} - set(picked))
    if stale:
        return f"{corpus} holds {len(stale)} .py files not in {stdlib} (e.g. {stale[0]}): remove that folder"
    corpus.mkdir(parents=True, exist_ok=True)
    for name in picked:
        shutil.copyfile(stdlib / name, corpus / name)
    size = sum((corpus / n).stat().st_size for n in picked)
    manifest = {
        "source": str(stdlib),
        "python": platform.python_version(),
        "available": len(available),
        "files": len(picked),
        "total_bytes": size,
    }
    (corpus / "MANIFEST.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    print(
        f"python corpus: first {len(picked)} of {len(available)} .py files in {stdlib}, "
        f"{size / 1e6:.1f} MB, copied to {os.path.relpath(corpus)}",
        file=sys.stderr,
    )
    return ""


def shown(argv: list[str]) -> str:
    """The command as a person would type it: bare tool name, paths relative to here."""

    def short(arg: str) -> str:
        if arg.startswith("/"):
            rel = os.path.relpath(arg)
            return arg if rel.startswith("..") else rel
        return arg

    return shlex.join([Path(argv[0]).name] + [short(a) for a in argv[1:]])


def run_once(tool: Tool, corpus_names: list[str], timeout: float) -> tuple[float | None, int | None, int | None, str]:
    """(seconds, exit code, files seen, problem or ""): one whole process, timed as tightly as possible."""
    start = time.perf_counter()
    try:
        proc = subprocess.run(tool.argv, capture_output=True, text=True, errors="replace", timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, None, None, f"timeout after {timeout:g} s"
    elapsed = time.perf_counter() - start
    problem = ""
    last = next((ln.strip() for ln in reversed(proc.stderr.splitlines()) if ln.strip()), "")
    if proc.returncode not in tool.ok_codes:
        problem = f"crash: exit {proc.returncode}: {last[:100]}"
    elif "Traceback (most recent call last)" in proc.stderr:
        problem = f"crash: Python traceback: {last[:100]}"
    elif marker := next((m for m in tool.error_markers if m in proc.stderr), None):
        problem = f"error despite exit {proc.returncode}: {marker}"
    seen = None
    if tool.checked and (m := re.search(tool.checked, proc.stdout)):
        seen = int(next(g for g in m.groups() if g))
        if seen != len(corpus_names) and not problem:
            problem = f"checked {seen} of {len(corpus_names)} files"  # e.g. a scan that skipped the corpus
    elif not tool.checked:
        # Whole names only: a bare `in` would count io.py whenever _pyio.py is named.
        seen = sum(bool(re.search(rf"(?<![\w.-]){re.escape(name)}", proc.stdout)) for name in corpus_names)
    (OUT / "logs").mkdir(parents=True, exist_ok=True)  # last run's output, to look at by hand
    (OUT / "logs" / f"{tool.name}.stdout.txt").write_text(proc.stdout, encoding="utf-8")
    (OUT / "logs" / f"{tool.name}.stderr.txt").write_text(proc.stderr, encoding="utf-8")
    return elapsed, proc.returncode, seen, problem


def version_of(tool: Tool) -> str:
    try:
        out = subprocess.run([tool.argv[0], "--version"], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    m = re.search(r"\d+(\.\d+)+\S*", out)
    return m.group(0) if m else out.strip()[:40] or "?"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--suite", choices=sorted(SUITES), default="sql", help="which corpus and peers (default: sql)")
    ap.add_argument("--corpus", type=Path, help="the corpus folder (default: the suite's, under bench/out/)")
    ap.add_argument("--rounds", type=int, default=7, help="timed rounds per tool (default: 7)")
    ap.add_argument(
        "--tool-rounds",
        action="append",
        default=[],
        metavar="TOOL=N",
        help="timed rounds for one tool (default: sqlfluff=3, as it is slow); repeatable",
    )
    ap.add_argument("--timeout", type=float, default=300, help="seconds before one run is killed (default: 300)")
    ap.add_argument("--only", help="comma-separated tools to run (blastguard is always run)")
    args = ap.parse_args()

    default_corpus, pattern, generator = SUITES[args.suite]
    corpus = (args.corpus or OUT / default_corpus).resolve()
    if generator is None and not args.corpus and (error := copy_stdlib(corpus)):
        print(error, file=sys.stderr)
        return 2
    names = sorted(p.name for p in corpus.glob(pattern))
    if not names:
        how = f"run `python bench/{generator}` first" if generator else "leave out --corpus to copy the stdlib"
        print(f"no {pattern} files in {corpus}: {how}", file=sys.stderr)
        return 2
    per_tool = dict(SLOW_DEFAULT_ROUNDS)
    for item in args.tool_rounds:
        name, _, n = item.partition("=")
        per_tool[name] = int(n)

    tools, skipped = [], []
    for tool in make_tools(corpus, args.suite):
        if args.only and tool.name != "blastguard" and tool.name not in args.only.split(","):
            continue
        exe = BIN / tool.argv[0]
        if not exe.exists() and tool.name != "blastguard" and (found := shutil.which(tool.argv[0])):
            exe = Path(found)
        if not exe.exists():
            if tool.name == "blastguard":
                print(f"blastguard is not installed next to {sys.executable}: {tool.install}", file=sys.stderr)
                return 2
            skipped.append(tool)
            continue
        tool.argv[0] = str(exe)
        tool.rounds = min(per_tool.get(tool.name, args.rounds), args.rounds)
        tool.version = version_of(tool)
        tools.append(tool)

    # Round 0 is the untimed warm-up; a tool with fewer rounds just drops out of the later ones.
    for rnd in range(args.rounds + 1):
        line = []
        for tool in tools:
            if rnd > tool.rounds:
                continue
            elapsed, code, seen, problem = run_once(tool, names, args.timeout)
            if problem:
                tool.problems.append(problem)
            if rnd and elapsed is not None:
                tool.times.append(elapsed)
                tool.codes.append(code)
                tool.files_seen.append(seen)
            line.append(f"{tool.name} {'-' if elapsed is None else f'{elapsed:.2f}s'}")
        print(
            f"[{'warm-up' if rnd == 0 else f'round {rnd}/{args.rounds}'}] " + ", ".join(line),
            file=sys.stderr,
            flush=True,
        )

    manifest = {}
    if (corpus / "MANIFEST.json").exists():
        manifest = json.loads((corpus / "MANIFEST.json").read_text(encoding="utf-8"))
    size = sum((corpus / n).stat().st_size for n in names)
    base = statistics.median(tools[0].times) if tools[0].times else None
    now = datetime.now(timezone.utc)
    cpus = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cpus

    out = [
        f"# {args.suite} scan benchmark",
        "",
        f"- When: {now:%Y-%m-%d %H:%M} UTC on {platform.platform()}",
        f"- Python {platform.python_version()} ({sys.executable}), CPUs: {cpus} ({usable} usable)",
        "- Tools: "
        + ", ".join(f"{t.name} {t.version}" for t in tools)
        + "".join(f", {t.name} not installed" for t in skipped),
        f"- Corpus: {os.path.relpath(corpus)}: {len(names)} files, {size / 1000:.1f} KB"
        + (
            f", {manifest['statements']} statements, {manifest['destructive_statements']} destructive"
            if "statements" in manifest
            else ""
        )
        + (
            f", the first {manifest['files']} of {manifest['available']} .py files in {manifest['source']}"
            if "source" in manifest
            else ""
        ),
        f"- Method: 1 untimed warm-up round, then up to {args.rounds} timed rounds round-robin; "
        f"whole-process wall time (time.perf_counter around subprocess.run); timeout {args.timeout:g} s a run",
    ]
    slow = [f"{t.name} {t.rounds}" for t in tools if t.rounds < args.rounds]
    if slow:
        out.append(f"- Fewer timed rounds for slow tools: {', '.join(slow)} (change with --tool-rounds TOOL=N)")
    out += [
        "",
        "| tool | command | runs | median s | min s | max s | median / blastguard | exit codes | files | status |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- |",
    ]
    for t in tools:
        if t.times:
            med = statistics.median(t.times)
            ratio = f"{med / base:.2f}x" if base else "n/a"
            nums = f"{med:.3f} | {min(t.times):.3f} | {max(t.times):.3f} | {ratio}"
        else:
            nums = "- | - | - | n/a"
        seen = [s for s in t.files_seen if s is not None]
        files = "-" if not seen else f"{min(seen)}/{len(names)}" + ("" if t.checked else " named")
        runs = t.rounds + 1  # warm-up included: a crash there counts too
        status = "; ".join(f"{p} ({n}/{runs} runs)" for p, n in Counter(t.problems).items()) or "ok"
        codes = ",".join(map(str, sorted(set(t.codes)))) or "-"
        out.append(f"| {t.name} | `{shown(t.argv)}` | {len(t.times)} | {nums} | {codes} | {files} | {status} |")
    for t in skipped:
        out.append(
            f"| {t.name} | `{shown(t.argv)}` | 0 | - | - | - | n/a | - | - | skipped: not installed (`{t.install}`) |"
        )
    out += [
        "",
        "Ratio > 1: the tool took longer than blastguard on this corpus in this run. Exit code 1 means "
        "findings, not failure. `files`: files the tool says it checked (`named`: files named in its output, "
        "a floor). Numbers are for this machine only.",
    ]
    bg_seen = [s for s in tools[0].files_seen if s is not None]
    if bg_seen and min(bg_seen) < len(names):
        # e.g. a file type blastguard has no frontend for: it then times start-up, not a scan.
        out.append(
            f"\n**blastguard checked {min(bg_seen)} of {len(names)} files, so the ratios above do not "
            f"compare scans of this corpus.**"
        )
    report = "\n".join(out)
    print(report)

    OUT.mkdir(parents=True, exist_ok=True)
    stamp = now.strftime("%Y%m%d-%H%M%S")
    raw = {
        "when": now.isoformat(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": cpus,
        "usable_cpus": usable,
        "corpus": str(corpus),
        "files": len(names),
        "bytes": size,
        "rounds": args.rounds,
        "timeout": args.timeout,
        "tools": {
            t.name: {
                "version": t.version,
                "command": t.argv,
                "rounds": t.rounds,
                "seconds": t.times,
                "exit_codes": t.codes,
                "files_seen": t.files_seen,
                "problems": t.problems,
            }
            for t in tools
        },
        "skipped": {t.name: t.install for t in skipped},
    }
    (OUT / f"results-{stamp}.json").write_text(json.dumps(raw, indent=1) + "\n", encoding="utf-8")
    (OUT / f"results-{stamp}.md").write_text(report + "\n", encoding="utf-8")
    print(f"\nraw timings: {os.path.relpath(OUT / f'results-{stamp}.json')}", file=sys.stderr)
    return 1 if any(t.problems for t in tools) else 0


if __name__ == "__main__":
    raise SystemExit(main())
