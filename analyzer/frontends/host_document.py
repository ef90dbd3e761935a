"""The document of a file that only holds commands for other languages (package.json scripts, a
Dockerfile's RUN instructions, a Kubernetes manifest's containers): the scripts it holds, each an
embedded source mapped back to the file.
"""

from __future__ import annotations

from blastguard.frontends.base import Document
from blastguard.records import factory, record

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only
    from blastguard.sources import Embedded


@record(kw_only=True, identity=True)
class HostDocument(Document):
    scripts: list[Embedded] = factory(list)

    def children(self) -> list[Embedded]:
        return self.scripts
