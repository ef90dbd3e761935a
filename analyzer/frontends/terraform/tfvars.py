"""Terraform variable files (`.tfvars`, `.tfvars.json`): the values a run gives the module's variables.

A value matters where a variable feeds a setting the Terraform rules judge (`deletion_protection =
var.protect` in a `.tf` file of the same folder): the document hands the rules those settings at the
value's line, so `protect = false` in `prod.tfvars` is reported there. A file named for production
(`prod.tfvars`, `production.tfvars`, `eu-prod.tfvars`) and values that name production (a workspace,
an environment, a bucket) make what it sets production, as variable defaults do for a module.

A partial backend configuration (`prod.tfbackend`, given to `terraform init -backend-config=…`) is
read the same way for where the state lives: a file or a value (`bucket = "acme-prod-tfstate"`,
`workspace_key_prefix`) that names production is reported as the production target it is (TF107).
Its keys are the backend's, not variables, so they feed no setting.
"""

from __future__ import annotations

import os

from blastguard.frontends.base import Frontend, Problem
from blastguard.frontends.terraform import hcl  # its `_parse` is looked up when called: one parser, one count
from blastguard.frontends.terraform.hcl import Attribute, TerraformDocument, _comments
from blastguard.frontends.terraform.module_values import Written, hcl_values, in_variables_file, json_values
from blastguard.sources import reader_of
from blastguard.textindex import LineIndex

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from blastguard.context import Production
    from blastguard.sources import Source


class TfvarsFrontend(Frontend):
    language = "terraform-vars"

    def parse(self, source: Source, wanted=None) -> TerraformDocument:
        text = source.text
        reader = reader_of(source.context)
        document = TerraformDocument(source=source, index=LineIndex(text), blocks=[])
        values: dict[str, Written] = {}
        if source.path.endswith(".json"):
            try:
                values = json_values(text) if text.strip() else {}
            except ValueError as exc:
                document.problems.append(Problem(0, 1, f"The file could not be read as JSON ({exc})."))
        else:
            tree, problem = reader.parsed("hcl", reader.host, text, hcl._parse) if reader.host else hcl._parse(text)
            if tree is None:
                start = problem[0] if problem else 0
                reason = problem[1] if problem else "syntax error"
                document.problems.append(Problem(start, start + 1, f"The file could not be parsed as HCL ({reason})."))
            else:
                values = hcl_values(tree, text)
                document.comments = _comments(tree)
        names = source.context.names
        backend = source.path.endswith(".tfbackend")
        document.production_sites = _production_sites(values, names, "backend setting" if backend else "variable")
        named = _named_for_production(source.path, names)
        if backend and named and values and not document.production_sites:
            # A backend file named for production is itself the evidence: noted at its first setting.
            first = min(values.values(), key=lambda written: written.start)
            site = Attribute("backend", first.start, first.end, first.value, first.start, first.end)
            document.production_sites.append((site, named[0]))
        document.production = named + tuple(e for _, e in document.production_sites)
        host = reader.host
        if host is not None and reader.exists(host) and values and not backend:
            document.resolved = in_variables_file(host, values, text, reader, True)
        return document


def _named_for_production(path: str, names: Production) -> tuple[str, ...]:
    base = os.path.basename(path)
    stem = base[: -len(".tfvars.json")] if base.endswith(".tfvars.json") else os.path.splitext(base)[0]
    kind = "backend configuration" if base.endswith(".tfbackend") else "variables file"
    return (f"{kind} {base}",) if names.matches(stem) else ()


def _production_sites(values: dict[str, Written], names: Production, label: str) -> list[tuple[Attribute, str]]:
    """Top-level string values that name production (`workspace = "prod"`, `environment = "production"`)."""
    found = []
    for name, value in values.items():
        if isinstance(value.value, str) and names.matches(value.value):
            attribute = Attribute(name, value.start, value.end, value.value, value.start, value.end)
            found.append((attribute, f'{label} {name} = "{value.value}"'))
    return found
