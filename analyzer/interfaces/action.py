"""The scan step of blastguard's GitHub composite action (action.yml): `python -I -m blastguard.interfaces.action`.

It runs in the workspace, which is the repository it scans, so Python runs isolated (-I): with a
plain -m the working directory comes first on sys.path, and a pull request that adds a json.py or a
blastguard/ package would have its own code run by the scan. Nothing here may change sys.path.

One process, four renderings of what it found: a SARIF file for code scanning, annotations in the
log (as many as GitHub shows, the most severe first), a Markdown job summary with links to the
lines, and step outputs. The action's inputs arrive as BLASTGUARD_* variables (see action.yml); the
rest comes from the runner: GITHUB_EVENT_NAME, GITHUB_EVENT_PATH (the event payload), GITHUB_SHA,
GITHUB_REPOSITORY, GITHUB_SERVER_URL, GITHUB_BASE_REF, GITHUB_ACTOR, GITHUB_STEP_SUMMARY,
GITHUB_OUTPUT and RUNNER_TEMP.

On a pull request it reports only what the pull request adds (`blastguard check --diff` against
the commit it is merged into, or where it branched off), fetching that commit when the checkout is
shallow; the SARIF report alone covers the whole tree, each result marked new or unchanged, because
code scanning compares it with the base branch's analysis (`sarif_log`). It exits 0 whatever it
finds, so that the summary is written and the SARIF uploaded before the action's last step applies
the fail-on level from the `exit-code` output; it exits 2 when there is no report to show (bad
inputs or configuration, no base to compare with), after saying why.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from collections import Counter
from urllib.parse import quote

SUMMARY_ROWS = 100  # findings listed in the job summary; the SARIF file and code scanning hold them all
FETCH_DEPTHS = (50, 1000)  # history fetched, in turn, to find where a pull request branched off
LEVELS = ("error", "warning", "note")


class ActionError(Exception):
    """There is no report to show: bad inputs or configuration, no base to compare with."""


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, "").strip() or default


def _flag(name: str, default: bool) -> bool:
    value = _env(name).lower()
    if not value:
        return default
    if value in ("true", "yes", "1", "on"):
        return True
    if value in ("false", "no", "0", "off"):
        return False
    raise ActionError(f"{_input(name)} must be true or false, not {value!r}")


def _input(variable: str) -> str:
    """The action input behind a BLASTGUARD_* variable, for messages."""
    return "`" + variable.removeprefix("BLASTGUARD_").lower().replace("_", "-") + "` input"


def _event() -> dict:
    path = _env("GITHUB_EVENT_PATH")
    if not path:
        return {}
    from blastguard.sources import SkipFile, read_regular

    try:
        event = json.loads(read_regular(path).decode("utf-8"))
    except (SkipFile, ValueError) as exc:
        raise ActionError(f"cannot read the event payload {path}: {exc}") from None
    return event if isinstance(event, dict) else {}


# --- the base of a pull request -------------------------------------------------------------------


def _git(*args: str) -> str | None:
    """git's output, or None when it fails."""
    try:
        result = subprocess.run(["git", *args], capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def _commit(rev: str) -> str | None:
    return _git("rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")


def _fetch(*args: str) -> bool:
    command = ["git", "fetch", "--no-tags", "--quiet", *args]
    print(f"blastguard: {' '.join(command)}", flush=True)
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.SubprocessError) as exc:
        print(f"blastguard: the fetch failed: {exc}", flush=True)
        return False
    if result.returncode != 0:
        problem = (result.stderr.strip().splitlines() or [f"exit {result.returncode}"])[-1]
        print(f"blastguard: the fetch failed: {problem}", flush=True)
    return result.returncode == 0


def _parents(commit: str) -> list[str]:
    """A commit's parents as its object records them (a shallow checkout's history hides them)."""
    raw = _git("cat-file", "commit", commit) or ""
    return re.findall(r"^parent ([0-9a-f]+)$", raw.split("\n\n", 1)[0], re.MULTILINE)


def _present(commit: str) -> str | None:
    """`commit` resolved, fetched from origin (without its history) when the clone lacks it."""
    found = _commit(commit)
    if found is None and commit.startswith("origin/"):
        branch = commit.removeprefix("origin/")
        if _fetch("--depth=1", "origin", f"+refs/heads/{branch}:refs/remotes/origin/{branch}"):
            found = _commit(commit)
    elif found is None and _fetch("--depth=1", "origin", commit):
        found = _commit(commit) or _commit("FETCH_HEAD")
    return found


def resolve_base(event: dict, explicit: str = "") -> tuple[str, str]:
    """(commit to compare the checkout with, how to name it): for a pull request, the commit it is
    merged into or where it branched off; else where `explicit` (a revision) and HEAD branched off.
    Fetches what a shallow checkout lacks."""
    head = _commit("HEAD")
    if head is None:
        raise ActionError("there is no checked-out commit (HEAD) to compare with a base")
    pull = event.get("pull_request") or {}
    ref = _env("GITHUB_BASE_REF") or str((pull.get("base") or {}).get("ref") or "")
    name = explicit or ref or "the base branch"
    parents = _parents(head)
    if not explicit and pull and head == _env("GITHUB_SHA") and len(parents) == 2:
        # GitHub's merge commit of the pull request into its base, the default checkout of a
        # pull_request event: what it changes against its first parent is what the pull request brings.
        first = _present(parents[0])
        if first:
            return first, name
    target = explicit or str((pull.get("base") or {}).get("sha") or "") or (f"origin/{ref}" if ref else "")
    if not target:
        raise ActionError(
            "changed-only needs a base to compare with: run on a pull_request event, or set the "
            "`base` input (a branch, tag or commit), or set `changed-only: false`"
        )
    base = _present(target)
    if base is None:
        raise ActionError(
            f"cannot find the base {name} ({target}) in this clone, nor fetch it from origin: "
            "check out with `fetch-depth: 0`"
        )
    merge_base = _git("merge-base", base, head)
    for depth in (*FETCH_DEPTHS, 0):  # 0: all of it
        if merge_base or _git("rev-parse", "--is-shallow-repository") != "true":
            break
        for commit in (base, head):  # one at a time: a head that origin lacks must not stop the base
            _fetch(f"--depth={depth}" if depth else "--unshallow", "origin", commit)
        merge_base = _git("merge-base", base, head)
    if not merge_base:
        raise ActionError(
            f"the checkout and the base {name} have no history in common, so what changed cannot be "
            "told apart: check out with `fetch-depth: 0`"
        )
    return merge_base, f"{name} (merge base {merge_base[:12]})"


# --- the scan --------------------------------------------------------------------------------------


def scan(paths: list[str], base: str | None, described: str):
    """(report, whole, session): `report` is what the working tree adds to `base` (None: all of
    `paths`), `whole` the report of all of `paths` (the same object without a base)."""
    from blastguard.api import Session, UsageError
    from blastguard.config import ConfigError, discover
    from blastguard.filters.baseline import BaselineError
    from blastguard.filters.diffs import DiffError

    try:
        start = paths[0] if os.path.exists(paths[0]) else "."
        config = discover(start, _env("BLASTGUARD_CONFIG") or None)
        fail_on = _env("BLASTGUARD_FAIL_ON").lower()
        if fail_on:
            if fail_on not in (*LEVELS, "never"):
                raise ActionError(f"the `fail-on` input must be error, warning, note or never, not {fail_on!r}")
            config.fail_on = fail_on
        if _env("BLASTGUARD_SQL_DIALECT"):
            config.sql_dialect = _env("BLASTGUARD_SQL_DIALECT")
        session = Session.for_paths(paths, config)
        whole = session.scan(paths)
        if base is None:
            return whole, whole, session
        from blastguard.filters.diffs import git_changes

        root, _, changes = git_changes(".", base)
        changed = Session.for_paths([root], config).check_changes(changes, root, described, paths=paths)
        return changed, whole, session
    except (ConfigError, UsageError, BaselineError, DiffError) as exc:
        raise ActionError(str(exc)) from None


def sarif_log(report, whole, category: str | None = None) -> dict:
    """The SARIF report to upload: every finding of the whole tree, and, when `report` is what a
    change adds, each result marked `baselineState` new (the change adds it) or unchanged.

    Code scanning compares a pull request's analysis with the base branch's, alert by alert: an
    analysis of the changed lines alone would tell it that every other alert was fixed. So the upload
    is the whole analysis, while the annotations, the summary and the step's outcome are the change's.
    `category` (the action's input) becomes the run's automationDetails.id, which upload-sarif keeps.
    """
    from blastguard.model import Report
    from blastguard.reporters import RenderContext
    from blastguard.reporters.sarif import DEFAULT_CATEGORY, build

    category = category or DEFAULT_CATEGORY
    if report is whole:
        return build(whole, RenderContext(), category)
    known = {f.fingerprint for f in whole.findings}
    only_in_change = [f for f in report.findings if f.fingerprint not in known]  # change-only rules (TF108, TF109)
    merged = Report(
        findings=whole.findings + only_in_change,
        notifications=whole.notifications,
        files_checked=whole.files_checked,
        texts={**whole.texts, **report.texts},
        project_root=whole.project_root,
    )
    log = build(merged, RenderContext(), category)
    new = {f.fingerprint for f in report.reported}
    for result in log["runs"][0]["results"]:
        result["baselineState"] = "new" if result["partialFingerprints"]["blastguard/v1"] in new else "unchanged"
    return log


def upload_decision(event_name: str, event: dict) -> tuple[bool, str]:
    """(upload the SARIF?, why not) from the inputs, the token and where a pull request comes from."""
    if not _flag("BLASTGUARD_UPLOAD_SARIF", True):
        return False, ""
    if not _flag("BLASTGUARD_HAS_TOKEN", False):
        return False, "there is no token (the `token` input is empty)"
    pull = event.get("pull_request")
    if event_name == "pull_request" and isinstance(pull, dict):
        head = (pull.get("head") or {}).get("repo")
        base = (pull.get("base") or {}).get("repo") or {}
        if not head:
            fork = True  # the fork was deleted
        elif head.get("full_name") and base.get("full_name"):
            fork = head["full_name"] != base["full_name"]
        else:
            fork = bool(head.get("fork"))
        if fork:
            return False, "this pull request comes from a fork, and a fork's token cannot write code-scanning alerts"
        if _env("GITHUB_ACTOR") == "dependabot[bot]":
            return False, "Dependabot's pull requests get a read-only token"
    return True, ""


# --- what the step leaves behind -------------------------------------------------------------------


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


class _Links:
    """Links to a finding's lines at the commit the checks are about."""

    def __init__(self, root: str, event: dict) -> None:
        self.root = os.path.abspath(root)
        server = _env("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
        repository = _env("GITHUB_REPOSITORY")
        sha = str(((event.get("pull_request") or {}).get("head") or {}).get("sha") or "") or _env("GITHUB_SHA")
        self.prefix = f"{server}/{repository}/blob/{sha}/" if repository and sha else None

    def relative(self, path: str) -> str | None:
        relative = os.path.relpath(os.path.abspath(path), self.root)
        return None if relative.startswith("..") else relative.replace(os.sep, "/")

    def cell(self, path: str, start: int, end: int) -> str:
        relative = self.relative(path)
        shown = f"{relative or path}:{start}"
        if relative is None or self.prefix is None:
            return f"`{_cell(shown)}`"
        anchor = f"#L{start}" + (f"-L{end}" if end > start else "")
        return f"[{_cell(shown)}]({self.prefix}{quote(relative)}{anchor})"


def summary(report, config, scope: str, links: _Links, counts: Counter, failing: int, earlier: int = 0) -> str:
    findings = sorted(report.reported, key=lambda f: (-f.severity, f.sort_key))
    lines = ["## blastguard", ""]
    if config.fail_on == "never":
        verdict = "The check does not fail on findings (`fail-on: never`)."
    elif failing:
        verdict = f"**The check fails**: {_plural(failing, 'finding')} at or above `{config.fail_on}`."
    else:
        verdict = f"**The check passes**: no finding at or above `{config.fail_on}`."
    lines += [f"{scope} {verdict}", "", "| Severity | Findings |", "|---|---:|"]
    lines += [f"| {level} | {counts[level]} |" for level in LEVELS]
    if earlier:
        lines += [
            "",
            f"The SARIF report also lists {_plural(earlier, 'finding')} that {'was' if earlier == 1 else 'were'} "
            "already there (marked `baselineState: unchanged`), so that code scanning can compare it with the "
            "base branch's analysis.",
        ]
    if report.suppressed:
        lines += [
            "",
            f"{_plural(len(report.suppressed), 'finding')} suppressed by ignore comments or the baseline "
            "are not counted.",
        ]
    if findings:
        lines += ["", "| Severity | Rule | Where | Message |", "|---|---|---|---|"]
        for f in findings[:SUMMARY_ROWS]:
            where = links.cell(f.path, f.region.start_line, f.region.end_line)
            lines.append(f"| {f.severity.label} | `{f.rule_id}` {f.rule_name} | {where} | {_cell(f.message)} |")
        if len(findings) > SUMMARY_ROWS:
            lines += [
                "",
                f"… and {len(findings) - SUMMARY_ROWS} more, in the SARIF report (and in code scanning "
                "when it is uploaded).",
            ]
    if report.notifications:
        lines += [
            "",
            f"<details><summary>{_plural(len(report.notifications), 'notice')}: files that were not "
            "fully checked</summary>",
            "",
        ]
        for n in report.notifications[:SUMMARY_ROWS]:
            where = links.cell(n.path, n.region.start_line, n.region.start_line) if n.region else f"`{_cell(n.path)}`"
            lines.append(f"- {where}: {_cell(n.message)}")
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


def _append(variable: str, text: str) -> None:
    path = _env(variable)
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(text)


def _outputs(values: dict[str, object]) -> None:
    _append("GITHUB_OUTPUT", "".join(f"{name}={' '.join(str(value).split())}\n" for name, value in values.items()))


def _sarif_path() -> str:
    return _env("BLASTGUARD_SARIF_FILE") or os.path.join(_env("RUNNER_TEMP", "."), "blastguard", "blastguard.sarif")


def run() -> int:
    from blastguard.reporters import RenderContext, github

    event_name = _env("GITHUB_EVENT_NAME")
    event = _event()
    paths = shlex.split(_env("BLASTGUARD_PATHS", ".")) or ["."]
    mode = _env("BLASTGUARD_CHANGED_ONLY", "auto").lower()
    if mode not in ("auto", "true", "false"):
        raise ActionError(f"the `changed-only` input must be auto, true or false, not {mode!r}")
    explicit = _env("BLASTGUARD_BASE")
    upload, why_not = upload_decision(event_name, event)
    changed_only = mode == "true" or (mode == "auto" and (event_name == "pull_request" or bool(explicit)))
    if changed_only:
        base, name = resolve_base(event, explicit)
        what = "the pull request" if event_name == "pull_request" and not explicit else "the checkout"
        scope = f"Checked what {what} changes, compared with {name}:"
    else:
        base, name = None, ""
        scope = "Checked the whole tree:" if paths == ["."] else f"Checked {', '.join(f'`{p}`' for p in paths)}:"
    report, whole, session = scan(paths, base, name)
    config = session.config
    scope = f"{scope} {_plural(report.files_checked, 'file')}."

    counts = Counter(f.severity.label for f in report.reported)
    failing = len(session.failing(report.reported))
    exit_code = 2 if report.had_internal_error or whole.had_internal_error else 1 if failing else 0

    sarif = _sarif_path()
    log = sarif_log(report, whole, _env("BLASTGUARD_CATEGORY") or None)
    os.makedirs(os.path.dirname(os.path.abspath(sarif)), exist_ok=True)
    with open(sarif, "w", encoding="utf-8") as handle:
        json.dump(log, handle, indent=2, ensure_ascii=False)
        handle.write("\n")
    earlier = sum(1 for result in log["runs"][0]["results"] if result.get("baselineState") == "unchanged")

    see = ", in the job summary and in code scanning" if upload else ", and in the job summary"
    sys.stdout.write(github.render(report, RenderContext(), reserved=1 if why_not else 0, see=see))
    if why_not:
        print(
            "::notice title=blastguard::"
            + github.escape_data(
                f"The SARIF report is not uploaded to code scanning: "
                f"{why_not}. The annotations and the job summary show the findings."
            )
        )
    total = sum(counts.values())
    detail = ", ".join(f"{counts[level]} {level}{'s' if counts[level] != 1 else ''}" for level in LEVELS)
    print(
        f"blastguard: {_plural(total, 'finding')} ({detail}); {scope[0].lower()}{scope[1:]} SARIF report: {sarif}",
        flush=True,
    )

    links = _Links(report.project_root, event)
    _append("GITHUB_STEP_SUMMARY", summary(report, config, scope, links, counts, failing, earlier))
    _outputs(
        {
            "sarif-file": sarif,
            "findings": total,
            "errors": counts["error"],
            "warnings": counts["warning"],
            "notes": counts["note"],
            "failing": failing,
            "fail-on": config.fail_on,
            "exit-code": exit_code,
            "upload-sarif": "true" if upload else "false",
            "checkout-path": os.path.abspath(report.project_root),
        }
    )
    return 0


def main() -> int:
    try:
        return run()
    except ActionError as exc:
        message = f"blastguard could not run: {exc}"
        from blastguard.reporters.github import escape_data

        print(f"::error title=blastguard::{escape_data(message)}", flush=True)
        _append("GITHUB_STEP_SUMMARY", f"## blastguard\n\n{message}\n")
        _outputs({"exit-code": 2})
        return 2


if __name__ == "__main__":
    sys.exit(main())
