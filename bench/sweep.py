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
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
import zipfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
OUT = BENCH / "out" / "sweep"
WHEELS = OUT / "_wheels"
JUDGEMENTS = BENCH / "sweep_judgements.csv"
BLASTGUARD = Path(sys.executable).parent / "blastguard"  # the blastguard installed next to this Python
FIELDS = ["source", "path", "line", "rule", "verdict", "reason"]

# source name -> (kind, pinned packages, members to extract as fnmatch patterns). Kinds:
#   wheel:  a PyPI wheel (`pip download --only-binary=:all:`)
#   sdist:  a PyPI source distribution, fetched by exact file name from the simple index (no build is run)
#   npm:    an npm package tarball (`npm pack name@version`)
#   debian: Debian binary packages (`apt-get download name=version`); their files and maintainer scripts
#           (under DEBIAN/), of which only shell scripts (by shebang) and patterns are kept
# Debian keeps only the current version of a release in its archive: when a point release replaces a
# pinned version, pin the new one and re-judge what moved.
SOURCES = {
    "django-contrib": ("wheel", ["Django==5.1.4"], ["django/contrib/*/migrations/*.py"]),
    "mlflow-alembic": ("wheel", ["mlflow==2.19.0"], ["mlflow/store/db_migrations/*"]),
    "wagtail": ("wheel", ["wagtail==6.3.1"], ["*/migrations/*.py"]),
    "pretix": ("wheel", ["pretix==2024.10.0"], ["*/migrations/*.py"]),
    "umami": ("npm", ["umami@2.10.0"], ["package/db/*"]),
    "airflow": ("sdist", ["apache-airflow==2.10.3"], ["*"]),
    "sdist-scripts": (
        "sdist",
        ["psycopg2==2.9.10", "uvloop==0.21.0", "lxml==5.3.0", "Cython==3.0.11", "grpcio==1.68.1"],
        ["*"],
    ),
    "debian-scripts": (
        "debian",
        [
            "debootstrap=1.0.128+nmu2+deb12u2",
            "devscripts=2.23.4+deb12u2",
            "dkms=3.0.10-8+deb12u1",
            "git=1:2.39.5-0+deb12u3",
            "initramfs-tools-core=0.142+deb12u3",
            "lvm2=2.03.16-2",
            "mariadb-client=1:10.11.19-0+deb12u1",
            "mariadb-server=1:10.11.19-0+deb12u1",
            "pbuilder=0.231",
            "postgresql-common=248+deb12u2",
        ],
        ["*.sh"],
    ),
}
SHELL_SHEBANG = re.compile(rb"#!\s*(/usr)?/bin/(env\s+)?(ba|da)?sh\b")


def cached(pattern: str) -> list[Path]:
    return [p for p in WHEELS.glob("*") if fnmatch.fnmatch(p.name.lower(), pattern.lower())]


def fetch_wheel(requirement: str) -> Path:
    """The wheel for `requirement`, downloaded once."""
    name, version = requirement.split("==")
    pattern = f"{name.replace('-', '_')}-{version}-*.whl"
    if not cached(pattern):
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:"]
            + [requirement, "-d", str(WHEELS)],
            check=True,
        )
    return one(cached(pattern), requirement)


def fetch_sdist(requirement: str) -> Path:
    """The source distribution of `requirement` from PyPI's simple index, checked against its sha256."""
    name, version = requirement.split("==")
    found = [
        p
        for p in WHEELS.glob("*.tar.gz")
        if p.name.lower().replace("_", "-") == f"{name}-{version}.tar.gz".lower().replace("_", "-")
    ]
    if found:
        return one(found, requirement)
    request = urllib.request.Request(
        f"https://pypi.org/simple/{name}/", headers={"Accept": "application/vnd.pypi.simple.v1+json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        files = json.load(response)["files"]
    wanted = f"{name}-{version}.tar.gz".lower().replace("_", "-")
    entry = one([f for f in files if f["filename"].lower().replace("_", "-") == wanted], requirement)
    with urllib.request.urlopen(entry["url"], timeout=300) as response:
        data = response.read()
    if hashlib.sha256(data).hexdigest() != entry["hashes"]["sha256"]:
        sys.exit(f"{entry['filename']}: sha256 does not match the index")
    target = WHEELS / entry["filename"]
    target.write_bytes(data)
    return target


def fetch_npm(package: str) -> Path:
    """The npm tarball of `name@version`, downloaded once with npm (which checks its integrity)."""
    name, version = package.rsplit("@", 1)
    pattern = f"{name.lstrip('@').replace('/', '-')}-{version}.tgz"
    if not cached(pattern):
        subprocess.run(["npm", "pack", "--silent", package], cwd=WHEELS, check=True, capture_output=True)
    return one(cached(pattern), package)


def fetch_deb(package: str) -> Path:
    """The Debian binary package `name=version`, downloaded once with apt-get."""
    name, version = package.split("=")
    pattern = f"{name}_{version.replace(':', '%3a')}_*.deb"
    if not cached(pattern):
        subprocess.run(["apt-get", "download", "-q", package], cwd=WHEELS, check=True, capture_output=True)
    return one(cached(pattern), package)


def one(found: list, what: str):
    if len(found) != 1:
        sys.exit(f"expected one download for {what}, found {len(found)}")
    return found[0]


def extract(source: str) -> Path:
    """Download and extract the source's members into a fresh OUT/<source>/; return that folder."""
    kind, packages, patterns = SOURCES[source]
    WHEELS.mkdir(parents=True, exist_ok=True)
    target = OUT / source
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    count = 0
    for package in packages:
        if kind == "wheel":
            with zipfile.ZipFile(fetch_wheel(package)) as archive:
                members = [m for m in archive.namelist() if any(fnmatch.fnmatch(m, p) for p in patterns)]
                archive.extractall(target, members)
            count += len(members)
        elif kind in ("sdist", "npm"):
            with tarfile.open(fetch_sdist(package) if kind == "sdist" else fetch_npm(package)) as archive:
                members = [
                    m for m in archive.getmembers() if m.isfile() and any(fnmatch.fnmatch(m.name, p) for p in patterns)
                ]
                archive.extractall(target, members, filter="data")
            count += len(members)
        else:
            count += extract_deb(fetch_deb(package), target / package.split("=")[0], patterns)
    print(f"{source}: {count} files from {len(packages)} package(s)")
    return target


def extract_deb(deb: Path, target: Path, patterns: list[str]) -> int:
    """Unpack a .deb (files and maintainer scripts) and keep its shell scripts and the files matching patterns."""
    with tempfile.TemporaryDirectory() as scratch:
        unpacked = Path(scratch)
        subprocess.run(["dpkg-deb", "-x", str(deb), str(unpacked)], check=True)
        subprocess.run(["dpkg-deb", "-e", str(deb), str(unpacked / "DEBIAN")], check=True)
        kept = 0
        for path in sorted(unpacked.rglob("*")):
            if path.is_symlink() or not path.is_file():
                continue
            member = path.relative_to(unpacked).as_posix()
            with path.open("rb") as handle:
                head = handle.read(64)
            if SHELL_SHEBANG.match(head) or any(fnmatch.fnmatch(member, p) for p in patterns):
                destination = target / member
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, destination)
                kept += 1
        return kept


TEST_CODE_NOTE = "It is in test code"  # how a finding made a note by the `test-code` setting says so


def findings(source: str, folder: Path) -> tuple[set[tuple[str, str, int, str]], set[tuple[str, str, int, str]]]:
    """Error and warning findings of blastguard over `folder`, and the findings that test code made notes,
    each as (source, path, line, rule)."""
    run = subprocess.run(
        [str(BLASTGUARD), "check", "--format", "json", "."], cwd=folder, capture_output=True, text=True
    )
    if run.returncode not in (0, 1):  # 0 clean, 1 findings; anything else is a failure
        sys.exit(f"blastguard failed on {folder} (exit {run.returncode}):\n{run.stderr}")
    report = json.loads(run.stdout)

    def keys(wanted) -> set[tuple[str, str, int, str]]:
        return {
            (source, Path(f["path"]).as_posix(), f["region"]["start_line"], f["rule_id"])
            for f in report["findings"]
            if wanted(f)
        }

    return keys(lambda f: f["severity"] in ("error", "warning")), keys(
        lambda f: f["severity"] == "note" and TEST_CODE_NOTE in f["message"]
    )


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
    table = [
        f"{'source':<16} {'findings':>8} {'true':>5} {'false':>5} {'unjudged':>8} {'lost':>5} {'FP rate':>8}"
        f" {'test notes':>10}"
    ]
    for source in args.source or SOURCES:
        found, test_notes = findings(source, extract(source))
        expected = {key for key in judgements if key[0] == source}
        verdicts = [judgements[key]["verdict"] for key in found & expected]
        true, false = verdicts.count("true"), verdicts.count("false")
        unjudged = sorted(key for key in found if judgements.get(key, {}).get("verdict") not in ("true", "false"))
        # A judged finding in test code that is now a note is reported still, where the `test-code` setting says.
        noted = expected & test_notes
        lost = sorted(expected - found - noted)
        rate = f"{false / (true + false):.1%}" if true + false else "-"
        table.append(
            f"{source:<16} {len(found):>8} {true:>5} {false:>5} {len(unjudged):>8} {len(lost):>5} {rate:>8}"
            f" {len(noted):>10}"
        )
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
