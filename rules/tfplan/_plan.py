"""What the plan rules share: a hit on a resource change, and Terraform's reasons and paths in words."""

from __future__ import annotations

import json

from blastguard.frontends.terraform.plan import ResourceChange
from blastguard.model import Severity
from blastguard.rule import Hit

# `action_reason` values, said the way a reviewer would.
REASONS = {
    "replace_because_cannot_update": "an argument that cannot change in place changed",
    "replace_because_tainted": "it is tainted (an earlier apply failed part way, or `terraform taint` marked it)",
    "replace_by_request": "it was asked for with `-replace`",
    "replace_by_triggers": "something in its `replace_triggered_by` changed",
    "delete_because_no_resource_config": "its resource block is no longer in the configuration",
    "delete_because_no_module": "the module call that holds it is no longer in the configuration",
    "delete_because_count_index": "its index is beyond the new `count`",
    "delete_because_each_key": "its key is no longer in `for_each`",
    "delete_because_wrong_repetition": "its block switched between `count`, `for_each` and neither",
    "delete_because_no_move_target": "a `moved` block points it at an address that has no configuration",
}


def because(change: ResourceChange) -> str:
    """` because <reason> (<code>)`, or `` when the plan gives no reason."""
    if not change.reason:
        return ""
    words = REASONS.get(change.reason)
    return f" because {words} ({change.reason})" if words else f" ({change.reason})"


def attribute_path(path: tuple) -> str:
    """A `replace_paths` entry as Terraform writes references: `ebs_block_device[0].volume_size`."""
    text = ""
    for step in path:
        if isinstance(step, str) and step.isidentifier():
            text += f".{step}" if text else step
        else:
            text += f"[{json.dumps(step, ensure_ascii=False)}]"
    return text


def hit(change: ResourceChange, message: str, severity: Severity | None = None) -> Hit:
    """A hit on the change's address."""
    return Hit(change.start, change.end, message, severity)
