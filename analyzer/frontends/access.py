"""A database role's destructive capabilities, one JSON object per line, as `blastguard access` collects
them (`blastguard.live.privileges`) and as a saved `*.blastguard-access.jsonl` file holds them.

Each line is one thing the role can do that can destroy data: `{"engine", "role", "kind", "what",
"object", "via", "revoke"}` where `kind` is `attribute` (SUPERUSER, BYPASSRLS, CREATEROLE,
REPLICATION), `owner`, `privilege`, `default-privilege` or `writable-file`. A line that is not such
an object is a problem of the document, never skipped in silence.
"""

from __future__ import annotations

import json

from blastguard.frontends.base import Document, Frontend, Problem
from blastguard.records import factory, record
from blastguard.textindex import LineIndex

TYPE_CHECKING = False
if TYPE_CHECKING:
    from blastguard.sources import Source

KINDS = ("attribute", "owner", "privilege", "default-privilege", "writable-file")
_FIELDS = ("engine", "role", "kind", "what", "object", "via", "revoke")


@record(kw_only=True, identity=True)
class AccessDocument(Document):
    # (start, end, capability) of each line
    capabilities: list[tuple[int, int, dict]] = factory(list)


class AccessFrontend(Frontend):
    language = "database-access"

    def parse(self, source: Source, wanted=None) -> AccessDocument:
        document = AccessDocument(source=source, index=LineIndex(source.text))
        start = 0
        for line in source.text.split("\n"):
            end = start + len(line)
            if line.strip():
                reason: str | None
                try:
                    capability = json.loads(line)
                except ValueError as exc:
                    capability, reason = None, f"it is not JSON ({exc})"
                else:
                    reason = _wrong(capability)
                if reason:
                    document.unchecked.append(Problem(start, max(end, start + 1), f"a line not read: {reason}"))
                else:
                    document.capabilities.append((start, end, capability))
            start = end + 1
        return document


def _wrong(capability) -> str | None:
    if not isinstance(capability, dict):
        return "it is not a JSON object"
    missing = [f for f in _FIELDS if not isinstance(capability.get(f), str)]
    if missing:
        return f"it lacks {', '.join(missing)}"
    if capability["kind"] not in KINDS:
        return f"its kind is not one of {', '.join(KINDS)}"
    return None
