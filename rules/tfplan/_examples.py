"""Small plan documents in the layout of `terraform show -json`, for the rules' examples."""

from __future__ import annotations

import json


def plan(*changes: dict, **sections) -> str:
    """A plan with these resource changes, one per line, after any other top-level sections."""
    head = ['  "format_version": "1.2",', '  "terraform_version": "1.9.5",']
    head += [f"  {json.dumps(key)}: {json.dumps(value)}," for key, value in sections.items()]
    body = ",\n".join(f"    {json.dumps(c)}" for c in changes)
    return "{\n" + "\n".join(head) + '\n  "resource_changes": [\n' + body + "\n  ]\n}"


def change(address: str, actions: list[str], before=None, after=None, reason: str = "", replace_paths=None) -> dict:
    """One `resource_changes` entry for a root-module resource (`type.name`)."""
    resource_type, name = address.split("[")[0].split(".")
    entry: dict = {
        "address": address,
        "mode": "managed",
        "type": resource_type,
        "name": name,
        "provider_name": f"registry.terraform.io/hashicorp/{resource_type.split('_')[0]}",
        "change": {"actions": actions, "before": before, "after": after},
    }
    if replace_paths:
        entry["change"]["replace_paths"] = replace_paths
    if reason:
        entry["action_reason"] = reason
    return entry


def prior(*addresses: str) -> dict:
    """A `prior_state` section holding these managed resources."""
    resources = [{"address": a, "mode": "managed", "type": a.split(".")[0], "name": a.split(".")[1]} for a in addresses]
    return {"format_version": "1.0", "terraform_version": "1.9.5", "values": {"root_module": {"resources": resources}}}
