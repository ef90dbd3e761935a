"""What several Terraform rules need: which blocks hold data, and how to word and place a hit."""

from __future__ import annotations

from blastguard.frontends.terraform import Attribute, Block, TerraformDocument
from blastguard.model import Severity
from blastguard.rule import Hit
from blastguard.terraform_types import is_stateful


def literal_is(value: object, expected: object) -> bool:
    """`value` is exactly the literal `expected`: `false` is not `0`, `"0"` is not `0`."""
    return type(value) is type(expected) and value == expected


def owner_of(block: Block | None) -> Block | None:
    return block.owner if block is not None else None


def holds_data(document: TerraformDocument, block: Block | None) -> bool:
    """A stateful resource, or a module (its inputs configure resources we cannot see)."""
    owner = owner_of(block)
    if owner is None:
        return True  # found line by line: the block is unknown, the attribute name says enough
    if owner.type == "module":
        return True
    return owner.resource_type is not None and is_stateful(owner.resource_type, document.stateful_types)


def describe(block: Block | None) -> str:
    owner = owner_of(block)
    if owner is None:
        return "a resource in this unparsable file"
    if owner.type == "module":
        return f"the input to {owner.address}"
    return owner.address


def hit(document: TerraformDocument, attribute: Attribute, message: str, severity: Severity | None = None) -> Hit:
    return Hit(attribute.start, attribute.end, message, severity, production=document.production)
