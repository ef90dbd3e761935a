"""Terraform plan frontend: `terraform show -json` output, with the position of every resource change.

`json` gives no positions, so the plan is read one level at a time: the top-level object and each
`resource_changes[i]` object are walked member by member, and each member's value is decoded by
`JSONDecoder.raw_decode`, which says where the value ends. Every offset is therefore into the file
text itself: escapes (`\\u003c`, which Terraform writes for `<`), duplicate addresses (a deposed
object beside the current one) and any layout, pretty-printed or one line, map exactly.

`planned_values` is never read: the rules work from `resource_changes` and `prior_state` alone.
"""

from __future__ import annotations

import json
import re

from blastguard.context import Production, name_tokens
from blastguard.frontends.base import Document, Frontend, Problem
from blastguard.records import Record, factory, record
from blastguard.sources import Source
from blastguard.textindex import LineIndex

# `change.actions` as Terraform writes them, by the name its own UI uses.
ACTIONS = {
    ("no-op",): "no-op",
    ("create",): "create",
    ("read",): "read",
    ("update",): "update",
    ("delete",): "delete",
    ("forget",): "forget",  # removed from state, left running: nothing is destroyed
    ("delete", "create"): "delete-then-create",
    ("create", "delete"): "create-then-delete",
    ("create", "forget"): "create-then-forget",
}
DELETING = frozenset({"delete", "delete-then-create", "create-then-delete"})

# Variables whose value names the target environment: `env`, `environment`, `target_env`, `workspace`.
_ENVIRONMENT_WORDS = frozenset({"env", "environment", "workspace", "stage"})
# Provider settings that name an account or project: (nested block..., attribute).
_PROVIDER_IDENTITY = (("profile",), ("assume_role", "role_arn"), ("project",), ("subscription_id",))

_DECODER = json.JSONDecoder()
_WHITESPACE = re.compile(r"[ \t\n\r]*")


@record(frozen=True)
class ResourceChange(Record):
    address: str  # as decoded; `resource_changes[i]` when the entry has none
    type: str
    actions: tuple[str, ...]
    reason: str  # `action_reason`, "" when absent
    replace_paths: tuple[tuple, ...]  # attribute paths, each a tuple of names and list indexes
    before: dict
    after: dict
    deposed: str  # the deposed object's key; "" for the current object
    start: int  # span of the `address` value in the file, or of the whole entry when it has none
    end: int

    @property
    def action(self) -> str:
        return ACTIONS.get(self.actions, "unrecognised")

    @property
    def deletes(self) -> bool:
        """Whether applying it destroys the existing object (a plain delete or either replace order)."""
        return self.action in DELETING

    @property
    def label(self) -> str:
        return f"{self.address} (deposed object {self.deposed})" if self.deposed else self.address


@record(kw_only=True, identity=True)
class PlanDocument(Document):  # JSON has no comments, so no inline suppressions
    changes: list[ResourceChange] = factory(list)
    complete: bool = True  # False when the text broke off: plan-wide counts would be wrong
    changes_key: tuple[int, int] | None = None  # span of the `"resource_changes"` key
    prior_key: tuple[int, int] | None = None  # span of the `"prior_state"` key
    prior_addresses: frozenset[str] | None = None  # managed resources in prior_state; None without one
    production: tuple[str, ...] = ()  # evidence from variables and provider settings


class PlanFrontend(Frontend):
    language = "terraform-plan"
    embeds = ()

    @classmethod
    def from_config(cls, config) -> PlanFrontend:
        return cls()

    def parse(self, source: Source, wanted=None) -> PlanDocument:
        document = PlanDocument(source=source, index=LineIndex(source.text))
        try:
            plan, members = _Reader(source.text, document).plan()
        except json.JSONDecodeError as exc:
            _broken(document, exc.pos, f"{exc.msg}: line {exc.lineno} column {exc.colno}")
        except RecursionError:  # the C decoder's limit on nesting
            _broken(document, 0, "it nests too deeply")
        else:
            _describe(document, plan, members)
        return document


def _broken(document: PlanDocument, position: int, why: str) -> None:
    """The text stopped being JSON at `position`: the changes read before it are all the rules get."""
    document.complete = False
    checked = (
        f"only the {len(document.changes)} resource changes before this point were checked"
        if document.changes
        else "it was not checked"
    )
    document.problems.append(
        Problem(position, position + 1, f"The plan could not be read as JSON ({why}), so {checked}.")
    )


def _describe(document: PlanDocument, plan: dict, members: dict[str, _Member]) -> None:
    """Fill in what the rules read besides the changes: where the sections are, prior state, production."""
    if "resource_changes" in members:
        document.changes_key = members["resource_changes"].key
    elif "values" in plan and "planned_values" not in plan:
        document.problems.append(
            Problem(
                *members["values"].key,
                "This is Terraform state (`terraform show -json` "
                "without a plan file), not a plan, so there are no changes to check.",
            )
        )
    if isinstance(plan.get("prior_state"), dict):
        document.prior_key = members["prior_state"].key
        document.prior_addresses = _managed_addresses(plan["prior_state"])
    document.production = _production(plan, document.source.context.names)


class _Reader:
    """Reads the plan text one level at a time, adding each resource change to the document as it goes."""

    def __init__(self, text: str, document: PlanDocument) -> None:
        self.text = text
        self.document = document

    def plan(self) -> tuple[dict, dict[str, _Member]]:
        plan, members, end = self.object(0, self.member)
        if self.skip(end) < len(self.text):
            self.document.problems.append(
                Problem(self.skip(end), len(self.text), "Text follows the plan's JSON object; it was ignored.")
            )
        return plan, members

    def member(self, key: str, start: int):
        if key == "resource_changes" and self.text.startswith("[", start):
            return None, self.changes(start)
        if key == "resource_changes":
            self.document.problems.append(
                Problem(start, start + 1, "`resource_changes` is not a list, so no resource change was checked.")
            )
        return self.value(key, start)

    def changes(self, pos: int) -> int:
        """Read `resource_changes` from the `[` at `pos`; the end offset of the array."""
        pos = self.skip(pos + 1)
        if self.text.startswith("]", pos):
            return pos + 1
        index = 0
        while True:
            start = self.skip(pos)
            if self.text.startswith("{", start):
                entry, members, end = self.object(start, self.value)
                self.document.changes.append(_change(entry, members, index, start, end))
            else:
                _, end = _DECODER.raw_decode(self.text, start)
                self.document.problems.append(
                    Problem(start, end, f"resource_changes[{index}] is not an object, so it was not checked.")
                )
            pos = self.skip(end)
            if self.text.startswith("]", pos):
                return pos + 1
            pos, index = self.expect(pos, ",", "',' delimiter"), index + 1

    def object(self, pos: int, read) -> tuple[dict, dict[str, _Member], int]:
        """The object at `pos`, one level deep: its members, where each one lies, and its end offset.

        `read(key, start)` decodes a member's value at `start` and returns (value, end). A repeated key
        keeps its last value, as json.loads does.
        """
        pos = self.expect(pos, "{", "'{'")
        values: dict = {}
        members: dict[str, _Member] = {}
        if self.text.startswith("}", self.skip(pos)):
            return values, members, self.skip(pos) + 1
        while True:
            key_start = self.skip(pos)
            if not self.text.startswith('"', key_start):
                raise json.JSONDecodeError("Expecting property name enclosed in double quotes", self.text, key_start)
            key, key_end = _DECODER.raw_decode(self.text, key_start)
            value_start = self.skip(self.expect(key_end, ":", "':' delimiter"))
            values[key], value_end = read(key, value_start)
            members[key] = _Member((key_start, key_end), (value_start, value_end))
            pos = self.skip(value_end)
            if self.text.startswith("}", pos):
                return values, members, pos + 1
            pos = self.expect(pos, ",", "',' delimiter")

    def value(self, key: str, start: int):
        return _DECODER.raw_decode(self.text, start)

    def skip(self, pos: int) -> int:
        blank = _WHITESPACE.match(self.text, pos)
        assert blank is not None  # it matches the empty string too
        return blank.end()

    def expect(self, pos: int, char: str, what: str) -> int:
        pos = self.skip(pos)
        if not self.text.startswith(char, pos):
            raise json.JSONDecodeError(f"Expecting {what}", self.text, pos)
        return pos + 1


@record(frozen=True)
class _Member(Record):
    key: tuple[int, int]  # span of the quoted key
    value: tuple[int, int]


def _change(entry: dict, members: dict[str, _Member], index: int, start: int, end: int) -> ResourceChange:
    """A resource change with safe types, whatever odd values the entry holds."""
    change = _dict(entry.get("change"))
    address = entry.get("address")
    actions = change.get("actions")
    paths = change.get("replace_paths")
    return ResourceChange(
        address=address if isinstance(address, str) else f"resource_changes[{index}]",
        type=_string(entry.get("type")),
        actions=tuple(actions) if isinstance(actions, list) and all(isinstance(a, str) for a in actions) else (),
        reason=_string(entry.get("action_reason")),
        replace_paths=tuple(tuple(p) for p in paths if isinstance(p, list)) if isinstance(paths, list) else (),
        before=_dict(change.get("before")),
        after=_dict(change.get("after")),
        deposed=_string(entry.get("deposed")),
        start=members["address"].value[0] if isinstance(address, str) else start,
        end=members["address"].value[1] if isinstance(address, str) else end,
    )


def _managed_addresses(state: dict) -> frozenset[str] | None:
    """Addresses of the managed resources in a state's root module and its child modules."""
    values = state.get("values")
    if not isinstance(values, dict):
        return None
    addresses: set[str] = set()
    modules = [values.get("root_module")]
    while modules:
        module = _dict(modules.pop())
        for resource in _list(module.get("resources")):
            resource = _dict(resource)
            if resource.get("mode") == "managed" and isinstance(resource.get("address"), str):
                addresses.add(resource["address"])
        modules += _list(module.get("child_modules"))
    return frozenset(addresses)


def _production(plan: dict, names: Production) -> tuple[str, ...]:
    """Evidence that the plan targets production: an environment variable, or a provider's account."""
    evidence = []
    variables = _dict(plan.get("variables"))
    for name, variable in variables.items():
        value = _dict(variable).get("value")
        if isinstance(value, str) and _ENVIRONMENT_WORDS & set(name_tokens(name)) and names.matches(value):
            evidence.append(f"variable {name} = {_quoted(value)}")
    providers = _dict(_dict(plan.get("configuration")).get("provider_config"))
    for key, provider in providers.items():
        expressions = _dict(_dict(provider).get("expressions"))
        for path in _PROVIDER_IDENTITY:
            # A module's providers see the module's variables, which the plan does not list.
            for value, via in _setting(expressions, path, variables if ":" not in key else {}):
                if names.matches(value):
                    evidence.append(f"provider {key} {'.'.join(path)}{via} = {_quoted(value)}")
    return tuple(evidence)


def _setting(expressions: dict, path: tuple[str, ...], variables: dict) -> list[tuple[str, str]]:
    """A provider setting's string value and where it came from: a constant, or root variables it uses."""
    node = expressions
    for block in path[:-1]:  # nested blocks are lists of expression objects
        node = _dict(next(iter(_list(node.get(block))), None))
    expression = _dict(node.get(path[-1]))
    if isinstance(expression.get("constant_value"), str):
        return [(expression["constant_value"], "")]
    found = []
    for reference in _list(expression.get("references")):
        if isinstance(reference, str) and reference.startswith("var."):
            value = _dict(variables.get(reference[4:])).get("value")
            if isinstance(value, str):
                found.append((value, f" (from {reference})"))
    return found


def _quoted(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _string(value) -> str:
    return value if isinstance(value, str) else ""
