"""What several Terraform rules need: which blocks hold data, and how to word and place a hit."""

from __future__ import annotations

from collections.abc import Collection

from blastguard.frontends.terraform.hcl import Attribute, Block, TerraformDocument
from blastguard.frontends.terraform.stateful_types import is_stateful
from blastguard.model import Severity
from blastguard.rule import Hit


def literal_is(value: object, expected: object) -> bool:
    """`value` is exactly the literal `expected`: `false` is not `0`, `"0"` is not `0`."""
    return type(value) is type(expected) and value == expected


def owner_of(block: Block | None) -> Block | None:
    return block.owner if block is not None else None


def holds_data(block: Block | None, stateful_types: Collection[str]) -> bool:
    """A stateful resource (`stateful_types`: the configured additions to the built-in list), or a module
    (its inputs configure resources we cannot see)."""
    owner = owner_of(block)
    if owner is None:
        return True  # found line by line: the block is unknown, the attribute name says enough
    if owner.type == "module":
        return True
    return owner.resource_type is not None and is_stateful(owner.resource_type, stateful_types)


def describe(block: Block | None) -> str:
    owner = owner_of(block)
    if owner is None:
        return "a resource in this unparsable file"
    if owner.type == "module":
        return f"the input to {owner.address}"
    return owner.address


def hit(attribute: Attribute, message: str, severity: Severity | None = None) -> Hit:
    """A hit on `attribute`; for a value the setting reads from elsewhere, the message says where."""
    return Hit(
        attribute.start, attribute.end, f"{message} {attribute.origin}" if attribute.origin else message, severity
    )


# --- change-only rules ------------------------------------------------------------------------------


def resources(document: TerraformDocument) -> dict[str, Block]:
    """Top-level `resource` blocks by address (`aws_db_instance.main`)."""
    return {b.address: b for b in document.blocks if b.type == "resource" and len(b.labels) == 2}


def address_of(block: Block, key: str) -> str | None:
    """The address in a `moved` or `removed` block's `from` / `to` (`aws_db_instance.main`)."""
    attribute = block.attributes.get(key)
    value = attribute.value if attribute else None
    text = value.text if hasattr(value, "text") else value
    return text.strip() if isinstance(text, str) else None


def covers(reference: str | None, address: str) -> bool:
    """`reference` names `address` or one of its instances (`aws_db_instance.main["eu"]`)."""
    return reference is not None and (reference == address or reference.startswith(address + "["))


def head(block: Block, document: TerraformDocument) -> str:
    """The block's header as written: `resource "aws_db_instance" "main"`."""
    return document.source.text[block.start : block.head_end]


def full_diff(path: str, before: str, after: str) -> str:
    """A unified diff of a whole file (every line in the hunk), for change-only rules' examples: the
    old file can be rebuilt from its context and `-` lines alone."""
    import difflib

    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    lines = difflib.unified_diff(old, new, f"a/{path}", f"b/{path}", n=max(len(old), len(new)))
    return "".join(lines)
