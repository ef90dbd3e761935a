"""What the SQL rules ask of a live database: which database a file's SQL runs on, and its estimates."""

from __future__ import annotations

import os
from functools import cache

import pathspec

from blastguard.live.connections import shared_session
from blastguard.live.estimates import Estimate, estimate
from blastguard.live.urls import DatabaseUrl, LiveError, parse_url

_ANSWERS: dict[tuple, list[tuple[Estimate, str]] | str] = {}


def url_for(path: str | None, database_url: str | None, databases: dict[str, str]) -> str | None:
    """The URL for SQL found in `path`: the first `databases` pattern (gitignore style) that matches
    it, else `database_url`."""
    if path and databases:
        posix = path.replace(os.sep, "/")
        posix = posix[2:] if posix.startswith("./") else posix
        for spec, url in _specs(tuple(databases.items())):
            if spec.match_file(posix):
                return url
    return database_url


@cache
def _specs(databases: tuple[tuple[str, str], ...]) -> list[tuple[pathspec.GitIgnoreSpec, str]]:
    """Each pattern compiled once per run, not once per statement."""
    return [(pathspec.GitIgnoreSpec.from_lines([pattern]), url) for pattern, url in databases]


def estimates(url: str, statement, text: str, exact: bool, timeout: float) -> list[tuple[Estimate, str]] | str:
    """(estimate, the URL as shown) for each table `statement` changes, or why there is none. Asked
    once per URL and statement text in a run."""
    key = (url, text, exact, timeout)
    if key not in _ANSWERS:
        _ANSWERS[key] = _ask(url, statement, text, exact, timeout)
    return _ANSWERS[key]


def _ask(url: str, statement, text: str, exact: bool, timeout: float) -> list[tuple[Estimate, str]] | str:
    parsed: DatabaseUrl | None = None
    try:
        parsed = parse_url(url)
        session = shared_session(parsed, timeout)
        return [(found, parsed.shown) for found in estimate(session, statement, text, exact)]
    except LiveError as exc:
        where = f"{parsed.shown}: " if parsed is not None else ""
        return where + (parsed.hide(str(exc)) if parsed is not None else str(exc))
