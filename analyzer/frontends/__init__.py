"""Frontends parse a Source once into a Document that a language's rules read.

The contract is code, in `blastguard.frontends.base`: every frontend derives from `Frontend`
(`language`, `embeds`, `from_config`, `parse`) and every document from `Document` (`source`, `index`,
`comments`, `problems` and `unchecked` as `Problem` records, `children()`). A frontend per host
language; `registry` maps each language to its frontend.

A rule package `blastguard.rules.<language>` has `run(rule, document, options) -> Iterable[Hit]`, which
drives one rule over one document (per statement, per command, per block) and adds to each hit the
production evidence of the unit it was found in, and one module per rule.
"""

from __future__ import annotations

from blastguard.frontends.base import Comment

__all__ = ["Comment"]
