"""`blastguard access`: what the database role an agent connects as could destroy.

It connects as the URL says (read-only: see `blastguard.live.connections`), collects the role's
destructive capabilities from the catalogue (`blastguard.live.privileges`), and reports them as DB101
findings in any output format, each with the statement that revokes it. A role that can only read
gets none, and the exit is 0. `--save FILE` keeps what was collected, as a `*.blastguard-access.jsonl`
file that `blastguard check` reads again.
"""

from __future__ import annotations

import json
import os
import sys

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class AccessError(Exception):
    """A one-line reason `blastguard access` could not answer; never holds a password."""


def run(url_text: str | None, output_format: str, save: str | None, config_path: str | None, timeout: float) -> int:
    from blastguard.config import ConfigError, database_url, discover, with_database_from
    from blastguard.context import Context
    from blastguard.engine import Engine
    from blastguard.live.connections import open_read_only
    from blastguard.live.privileges import capabilities
    from blastguard.live.urls import LiveError, parse_url
    from blastguard.model import Report
    from blastguard.reporters import RenderContext, render
    from blastguard.sources import Source

    try:
        config = discover(".", config_path)
        url_text = (
            database_url("--database-url", url_text)
            if url_text
            else with_database_from(config, os.environ).database_url
        )
    except ConfigError as exc:
        raise AccessError(str(exc)) from None
    url_text = url_text or config.database_url
    if not url_text:
        raise AccessError("give the database with --database-url URL or BLASTGUARD_DATABASE_URL")
    url = parse_url(url_text)
    try:
        session = open_read_only(url, timeout)
        try:
            found = capabilities(session, url)
        finally:
            session.close()
    except LiveError as exc:
        raise AccessError(f"{url.shown}: {url.hide(str(exc))}") from None
    text = "".join(json.dumps(capability) + "\n" for capability in found)
    if save:
        try:
            with open(save, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as exc:
            raise AccessError(f"cannot write {save}: {exc.strerror or exc}") from None
    engine = Engine(config.replace(select=["DB101"], ignore=[]), os.getcwd())
    findings, notifications = engine.check_source(Source(url.shown, text, "database-access", Context()))
    report = Report(project_root=os.getcwd(), findings=findings, notifications=notifications, files_checked=1)
    report.texts[url.shown] = text
    sys.stdout.write(render(output_format, report, RenderContext()))
    if not findings:
        sys.stderr.write(f"blastguard: the role {url.user or 'of this URL'} can only read here.\n")
    return EXIT_FINDINGS if findings else EXIT_CLEAN
