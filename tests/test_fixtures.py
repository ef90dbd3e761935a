"""Each fixture set under fixtures/ says what it expects in expected.txt; the real CLI must report
exactly that: every intended finding at its exact span and severity, and nothing else."""

from pathlib import Path

import pytest

from conftest import REPO, json_out, run_cli

FIXTURE_SETS = sorted(p.parent for p in (REPO / "fixtures").glob("*/expected.txt"))


def _expected(path: Path) -> list[str]:
    lines = (line.strip() for line in path.read_text().splitlines())
    return sorted(line for line in lines if line and not line.startswith("#"))


def _reported(result) -> list[str]:
    found = []
    for f in json_out(result)["findings"]:
        r = f["region"]
        found.append(
            f"{f['path']}:{r['start_line']}:{r['start_column']}-{r['end_line']}:{r['end_column']} "
            f"{f['rule_id']} {f['severity']}"
        )
    return sorted(found)


def test_there_are_fixture_sets():
    assert FIXTURE_SETS


@pytest.mark.parametrize("fixture", FIXTURE_SETS, ids=lambda p: p.name)
def test_fixture_set_reports_exactly_what_it_expects(fixture):
    result = run_cli("check", ".", "--format", "json", cwd=fixture)
    assert result.returncode in (0, 1), result.stderr
    assert _reported(result) == _expected(fixture / "expected.txt")


def test_demo_is_what_the_readme_runs_from_the_repository_root():
    result = run_cli("check", "fixtures/demo", cwd=REPO)
    assert result.returncode == 1
    assert (
        result.stdout.decode()
        .rstrip()
        .endswith("Found 25 findings: 13 errors, 11 warnings, 1 note (15 files checked; 1 suppressed).")
    )
