"""CI workflows: GitHub Actions `run:` steps and GitLab CI `script:` lines are shell that CI runs.

The YAML is composed (not loaded) so every scalar keeps its position; each script becomes an embedded
shell source whose characters map back to the workflow file. A job that deploys to a production
environment, and `env:` / `variables:` values, become the script's context.
"""

from __future__ import annotations

import re

import yaml

from blastguard.frontends.base import Document, Frontend, Problem
from blastguard.frontends.yaml_nodes import comments, env, get, items, scalar, script
from blastguard.records import factory, record
from blastguard.sources import PYTHON_INTERPRETER, Embedded, Source
from blastguard.textindex import LineIndex

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only
    from collections.abc import Iterator

# Shells whose `run:` text is shell; `shell: python` steps are Python, `pwsh` is not read.
_SHELL_NAMES = {"bash", "sh"}
# GitHub replaces `${{ … }}` before the shell sees the script: keep its length, make it one plain word.
_GITHUB_EXPRESSION = re.compile(r"\$\{\{.*?\}\}", re.DOTALL)


@record(kw_only=True, identity=True)
class WorkflowDocument(Document):
    scripts: list[Embedded] = factory(list)

    def children(self) -> list[Embedded]:
        return self.scripts


class _WorkflowFrontend(Frontend):
    embeds = ("shell", "python")
    # What the file is called in a problem's message, and the shape of YAML its scripts are read from
    # (an Ansible playbook is a list; a CI file a mapping).
    host_name = "workflow"
    root_kind: type[yaml.Node] = yaml.MappingNode
    # A file that is not YAML: a parse problem, or (for hosts added since) a part not checked (BG005),
    # which a CI run failing on warnings, and the hook, treat as a finding.
    unparsed_is_unchecked = False

    def scripts(self, root: yaml.MappingNode, source: Source) -> Iterator[Embedded]:
        """The scripts the workflow runs, each with what is known of where it runs."""
        raise NotImplementedError

    def parse(self, source: Source, wanted=None) -> WorkflowDocument:
        document = WorkflowDocument(source=source, index=LineIndex(source.text), comments=comments(source.text))
        try:
            root = yaml.compose(source.text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            at = min(mark.index if mark else 0, max(len(source.text) - 1, 0))  # the end of the text is a place too
            reason = getattr(exc, "problem", None) or "invalid YAML"
            if self.unparsed_is_unchecked:
                reason = f"the {self.host_name} is not valid YAML ({reason}), so none of its scripts were read"
                document.unchecked.append(Problem(at, at + 1, reason))
                return document
            document.problems.append(
                Problem(
                    at,
                    at + 1,
                    f"The {self.host_name} could not be parsed as YAML ({reason}); its scripts were not checked.",
                )
            )
            return document
        if isinstance(root, self.root_kind):
            document.scripts = list(self.scripts(root, source))
        return document


class GitHubActionsFrontend(_WorkflowFrontend):
    language = "github-actions"

    def scripts(self, root: yaml.MappingNode, source: Source):
        workflow_env = env(get(root, "env"))
        default_shell = scalar(get(get(get(root, "defaults"), "run"), "shell"))
        for job_key, job in items(get(root, "jobs")):
            if not isinstance(job, yaml.MappingNode):
                continue
            context = source.context.with_env({**workflow_env, **env(get(job, "env"))})
            environment = _environment_name(get(job, "environment"))
            if environment and source.context.names.matches(environment):
                context = context.with_production(f"job {job_key.value} deploys to environment '{environment}'")
            job_shell = scalar(get(get(get(job, "defaults"), "run"), "shell")) or default_shell
            steps = get(job, "steps")
            for step in steps.value if isinstance(steps, yaml.SequenceNode) else []:
                run = get(step, "run")
                shell = (scalar(get(step, "shell")) or job_shell or "bash").split()[0]
                program = shell.rsplit("/", 1)[-1]
                language = (
                    "shell" if program in _SHELL_NAMES else "python" if PYTHON_INTERPRETER.fullmatch(program) else None
                )
                if isinstance(run, yaml.ScalarNode) and language:
                    step_context = context.with_env(env(get(step, "env")))
                    yield script(run, source, step_context, _GITHUB_EXPRESSION, language)


class GitLabCIFrontend(_WorkflowFrontend):
    language = "gitlab-ci"

    _RESERVED = {"stages", "variables", "include", "workflow", "image", "services", "cache", "default"}

    def scripts(self, root: yaml.MappingNode, source: Source):
        global_env = env(get(root, "variables"))
        default = get(root, "default")
        jobs = [(None, root), (None, default)] + [
            (key, job)
            for key, job in items(root)
            if key.value not in self._RESERVED and isinstance(job, yaml.MappingNode)
        ]
        for key, job in jobs:
            if job is None:
                continue
            context = source.context.with_env({**global_env, **env(get(job, "variables"))})
            environment = _environment_name(get(job, "environment"))
            if key is not None and environment and source.context.names.matches(environment):
                context = context.with_production(f"job {key.value} deploys to environment '{environment}'")
            for section in ("before_script", "script", "after_script"):
                for line in _script_lines(get(job, section)):
                    yield script(line, source, context, None)


def _environment_name(node) -> str | None:
    """`environment: production` or `environment: {name: production, url: …}`."""
    return scalar(node) or scalar(get(node, "name"))


def _script_lines(node):
    """GitLab scripts: a string, or a list of strings and nested lists (from !reference)."""
    if isinstance(node, yaml.ScalarNode):
        yield node
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _script_lines(item)
