"""Run blastguard over real code from PyPI at pinned versions and check its findings against hand judgements.

Usage: python bench/sweep.py [--source NAME ...] [--update]

For each source below, downloads the pinned wheel (`pip download --no-deps --only-binary=:all:`, kept
in bench/out/sweep/_wheels/), extracts the matching files into bench/out/sweep/<source>/, runs this
Python's `blastguard check --format json` there and collects the error and warning findings as
(source, path, line, rule). bench/sweep_judgements.csv holds one hand judgement per finding:
verdict `true` (a real destructive operation a reviewer should see) or `false` (a false positive),
with a one-line reason.

Prints per source: findings, judged true, judged false, unjudged, and the false-positive rate
(false / judged). Exits 1 when a finding has no judgement or a judged finding is no longer reported
(so a lost true finding is noticed). `--update` also prints the unjudged findings as CSV rows with an
empty verdict, ready to judge and paste into the judgements file.

Not part of the test suite: it downloads.
"""

from __future__ import annotations

import argparse
import csv
import fnmatch
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
OUT = BENCH / "out" / "sweep"
WHEELS = OUT / "_wheels"
JUDGEMENTS = BENCH / "sweep_judgements.csv"
BLASTGUARD = Path(sys.executable).parent / "blastguard"  # the blastguard installed next to this Python
FIELDS = ["source", "path", "line", "rule", "verdict", "reason"]

# source name -> (pinned requirement, wheel members to extract, as fnmatch patterns)
SOURCES = {
    "django-contrib": ("Django==5.1.4", ["django/contrib/*/migrations/*.py"]),
    "mlflow-alembic": ("mlflow==2.19.0", ["mlflow/store/db_migrations/*"]),
    "wagtail": ("wagtail==6.3.1", ["*/migrations/*.py"]),
}


def fetch(requirement: str) -> Path:
    """The wheel for `requirement`, downloaded once into WHEELS."""
    name, version = requirement.split("==")
    prefix = f"{name.replace('-', '_').lower()}-{version}-"
    cached = [w for w in WHEELS.glob("*.whl") if w.name.lower().startswith(prefix)]
    if not cached:
        WHEELS.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:"]
            + [requirement, "-d", str(WHEELS)],
            check=True,
        )
        cached = [w for w in WHEELS.glob("*.whl") if w.name.lower().startswith(prefix)]
    if len(cached) != 1:
        sys.exit(f"expected one wheel for {requirement} in {WHEELS}, found {len(cached)}")
    return cached[0]


def extract(source: str, wheel: Path, patterns: list[str]) -> Path:
    """Extract the members matching `patterns` into a fresh OUT/<source>/; return that folder."""
    target = OUT / source
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    with zipfile.ZipFile(wheel) as archive:
        members = [m for m in archive.namelist() if any(fnmatch.fnmatch(m, p) for p in patterns)]
        archive.extractall(target, members)
    print(f"{source}: {len(members)} files from {wheel.name}")
    return target


def findings(source: str, folder: Path) -> set[tuple[str, str, int, str]]:
    """Error and warning findings of blastguard over `folder`, as (source, path, line, rule)."""
    run = subprocess.run(
        [str(BLASTGUARD), "check", "--format", "json", "."], cwd=folder, capture_output=True, text=True
    )
    if run.returncode not in (0, 1):  # 0 clean, 1 findings; anything else is a failure
        sys.exit(f"blastguard failed on {folder} (exit {run.returncode}):\n{run.stderr}")
    report = json.loads(run.stdout)
    return {
        (source, Path(f["path"]).as_posix(), f["region"]["start_line"], f["rule_id"])
        for f in report["findings"]
        if f["severity"] in ("error", "warning")
    }


def load_judgements() -> dict[tuple[str, str, int, str], dict[str, str]]:
    if not JUDGEMENTS.exists():
        return {}
    with JUDGEMENTS.open(newline="") as handle:
        return {(r["source"], r["path"], int(r["line"]), r["rule"]): r for r in csv.DictReader(handle)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", action="append", choices=sorted(SOURCES), help="only these sources")
    parser.add_argument("--update", action="store_true", help="print unjudged findings as CSV rows to judge")
    args = parser.parse_args()

    judgements = load_judgements()
    failed = False
    unjudged_rows = []
    table = [f"{'source':<16} {'findings':>8} {'true':>5} {'false':>5} {'unjudged':>8} {'lost':>5} {'FP rate':>8}"]
    for source in args.source or SOURCES:
        requirement, patterns = SOURCES[source]
        found = findings(source, extract(source, fetch(requirement), patterns))
        expected = {key for key in judgements if key[0] == source}
        verdicts = [judgements[key]["verdict"] for key in found & expected]
        true, false = verdicts.count("true"), verdicts.count("false")
        unjudged = sorted(key for key in found if judgements.get(key, {}).get("verdict") not in ("true", "false"))
        lost = sorted(expected - found)
        rate = f"{false / (true + false):.1%}" if true + false else "-"
        table.append(f"{source:<16} {len(found):>8} {true:>5} {false:>5} {len(unjudged):>8} {len(lost):>5} {rate:>8}")
        for key in lost:
            table.append(
                f"  lost: {':'.join(map(str, key[1:]))} (judged {judgements[key]['verdict']}) is no longer reported"
            )
        for key in unjudged:
            table.append(f"  unjudged: {':'.join(map(str, key[1:]))}")
        unjudged_rows += unjudged
        failed = failed or bool(unjudged or lost)
    print("\n" + "\n".join(table))
    if args.update and unjudged_rows:
        writer = csv.writer(sys.stdout)
        print("\n# unjudged findings: set verdict to true or false, give a reason, add to", JUDGEMENTS.name)
        for key in unjudged_rows:
            writer.writerow([*key, "", ""])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
