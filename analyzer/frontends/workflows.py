"""CI workflows: GitHub Actions `run:` steps and GitLab CI `script:` lines are shell that CI runs.

The YAML is composed (not loaded) so every scalar keeps its position; each script becomes an embedded
shell source whose characters map back to the workflow file. A job that deploys to a production
environment, and `env:` / `variables:` values, become the script's context.
"""

from __future__ import annotations

import re

import yaml

from blastguard.context import Context
from blastguard.frontends.base import Comment, Document, Frontend, Problem
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
_COMMENT = re.compile(r"(?:^|[ \t])(#[^\n]*)")


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
        document = WorkflowDocument(source=source, index=LineIndex(source.text), comments=_comments(source.text))
        try:
            root = yaml.compose(source.text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            at = mark.index if mark else 0
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
        workflow_env = _env(_get(root, "env"))
        default_shell = _scalar(_get(_get(_get(root, "defaults"), "run"), "shell"))
        for job_key, job in _items(_get(root, "jobs")):
            if not isinstance(job, yaml.MappingNode):
                continue
            context = source.context.with_env({**workflow_env, **_env(_get(job, "env"))})
            environment = _environment_name(_get(job, "environment"))
            if environment and source.context.names.matches(environment):
                context = context.with_production(f"job {job_key.value} deploys to environment '{environment}'")
            job_shell = _scalar(_get(_get(_get(job, "defaults"), "run"), "shell")) or default_shell
            steps = _get(job, "steps")
            for step in steps.value if isinstance(steps, yaml.SequenceNode) else []:
                run = _get(step, "run")
                shell = (_scalar(_get(step, "shell")) or job_shell or "bash").split()[0]
                program = shell.rsplit("/", 1)[-1]
                language = (
                    "shell" if program in _SHELL_NAMES else "python" if PYTHON_INTERPRETER.fullmatch(program) else None
                )
                if isinstance(run, yaml.ScalarNode) and language:
                    step_context = context.with_env(_env(_get(step, "env")))
                    yield _script(run, source, step_context, _GITHUB_EXPRESSION, language)


class GitLabCIFrontend(_WorkflowFrontend):
    language = "gitlab-ci"

    _RESERVED = {"stages", "variables", "include", "workflow", "image", "services", "cache", "default"}

    def scripts(self, root: yaml.MappingNode, source: Source):
        global_env = _env(_get(root, "variables"))
        default = _get(root, "default")
        jobs = [(None, root), (None, default)] + [
            (key, job)
            for key, job in _items(root)
            if key.value not in self._RESERVED and isinstance(job, yaml.MappingNode)
        ]
        for key, job in jobs:
            if job is None:
                continue
            context = source.context.with_env({**global_env, **_env(_get(job, "variables"))})
            environment = _environment_name(_get(job, "environment"))
            if key is not None and environment and source.context.names.matches(environment):
                context = context.with_production(f"job {key.value} deploys to environment '{environment}'")
            for section in ("before_script", "script", "after_script"):
                for line in _script_lines(_get(job, section)):
                    yield _script(line, source, context, None)


# --- YAML helpers ---------------------------------------------------------------------------------


def _get(node, key: str):
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return v
    return None


def _items(node):
    return (
        [(k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode)] if isinstance(node, yaml.MappingNode) else []
    )


def _scalar(node) -> str | None:
    return node.value if isinstance(node, yaml.ScalarNode) else None


def _env(node) -> dict[str, str]:
    return {k.value: v.value for k, v in _items(node) if isinstance(v, yaml.ScalarNode)}


def _environment_name(node) -> str | None:
    """`environment: production` or `environment: {name: production, url: …}`."""
    return _scalar(node) or _scalar(_get(node, "name"))


def _script_lines(node):
    """GitLab scripts: a string, or a list of strings and nested lists (from !reference)."""
    if isinstance(node, yaml.ScalarNode):
        yield node
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _script_lines(item)


def _comments(text: str) -> list[Comment]:
    # A `#` starts a YAML comment only at a line start or after a blank; inside a block scalar it is the
    # script's own comment, which the shell frontend reports; duplicates are harmless for suppressions.
    return [Comment(m.start(1), m.end(1), m.group(1)[1:]) for m in _COMMENT.finditer(text)]


# --- scalar text to host offsets ------------------------------------------------------------------


def _script(
    node: yaml.ScalarNode, source: Source, context: Context, expression: re.Pattern | None, language: str = "shell"
) -> Embedded:
    text = source.text
    code, offsets = _scalar_code(node, text)
    if expression is not None:
        code = expression.sub(lambda m: "X" * len(m.group(0)), code)
    if offsets is None:  # a quoted scalar with escapes: point every finding at the whole scalar
        return Embedded(Source(source.path, code, language, context), [], (node.start_mark.index, node.end_mark.index))
    return Embedded(Source(source.path, code, language, context), offsets)


def _scalar_code(node: yaml.ScalarNode, text: str) -> tuple[str, list[int] | None]:
    start, end = node.start_mark.index, node.end_mark.index
    value = node.value
    raw = text[start:end]
    if node.style is None and "\n" not in raw and raw == value:
        return value, list(range(start, end + 1))
    if node.style == "|":
        return value, _literal_block_offsets(value, text, start, end)
    return value, _aligned_offsets(value, raw, start)


def _literal_block_offsets(value: str, text: str, start: int, end: int) -> list[int] | None:
    """A `|` block keeps its lines: each content line starts after the block's indentation."""
    header_end = text.find("\n", start, end)
    if header_end < 0:  # `run: |` on the file's last line, with no line break after it: an empty script
        return [end] if not value else None
    lines_start = header_end + 1
    lines = text[lines_start:end].split("\n")
    indent = min((len(line) - len(line.lstrip(" ")) for line in lines if line.strip()), default=0)
    offsets: list[int] = []
    position = lines_start
    for line in lines:
        # the line's characters after the indentation, then its line break
        offsets.extend(range(position + min(indent, len(line)), position + len(line) + 1))
        position += len(line) + 1
    if len(offsets) < len(value):
        return None
    return offsets[: len(value)] + [offsets[len(value) - 1] + 1 if value else lines_start]


def _aligned_offsets(value: str, raw: str, start: int) -> list[int] | None:
    """Offsets of `value`'s characters in `raw`, skipping what YAML folds or escapes; None if they drift."""
    offsets: list[int] = []
    j = 0
    for ch in value:
        while j < len(raw) and raw[j] != ch and (raw[j] in " \t\r\n\\\"'>|-+" or (ch == " " and raw[j] == "\n")):
            j += 1
        if j >= len(raw) or (raw[j] != ch and not (ch == " " and raw[j] == "\n")):
            return None
        offsets.append(start + j)
        j += 1
    offsets.append(start + j)
    return offsets
