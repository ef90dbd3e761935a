"""package.json `scripts`: what `npm run`, `yarn` and `pnpm` run, each script a shell command line.

The JSON is walked with the standard decoder (json_positions), so each script's characters map back
to the file, escapes included. A script named for production (`deploy:prod`, `db:reset:production`)
runs there: that is its context.
"""

from __future__ import annotations

import json

from blastguard.frontends.base import Frontend, Problem
from blastguard.frontends.command_words import embedded
from blastguard.frontends.host_document import HostDocument
from blastguard.frontends.json_positions import members, string
from blastguard.textindex import LineIndex

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only
    from blastguard.sources import Source


class PackageScriptsFrontend(Frontend):
    language = "package-json"
    embeds = ("shell",)

    def parse(self, source: Source, wanted=None) -> HostDocument:
        text = source.text
        document = HostDocument(source=source, index=LineIndex(text))
        if not text.strip():
            return document  # an empty file being written: it runs nothing yet
        try:
            json.loads(text)  # the whole file must be JSON, as npm requires, before any part of it is trusted
            if not text.lstrip().startswith("{"):
                return document
            top, _ = members(text, 0)
            for key, start, _ in top:
                if key == "scripts" and text.startswith("{", start):
                    document.scripts = list(_scripts(text, start, source))
        except json.JSONDecodeError as exc:
            at = min(exc.pos, max(len(text) - 1, 0))
            reason = f"package.json could not be parsed as JSON ({exc.msg})"
            document.unchecked.append(Problem(at, at + 1, reason))
        return document


def _scripts(text: str, start: int, source: Source):
    entries, _ = members(text, start)
    for name, value_start, value_end in entries:
        if not text.startswith('"', value_start):
            continue
        piece, _ = string(text, value_start)
        context = source.context
        if source.context.names.matches(name):
            context = context.with_production(f"npm script '{name}' is named for production")
        yield embedded(piece, source.replace(language="shell", context=context), (value_start, value_end))
