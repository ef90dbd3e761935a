"""Sources: the text of one file (or of stdin) with the language it is written in (`detect_language`,
the one policy of every entry point), and the `FileReader` through which a check reads the other files
a source refers to.

Reading never raises for bad input: oversized and unreadable files come back as a reason to skip,
which the engine turns into a notification. Bytes are decoded as editors and the tools that run them
do (`decode`): a byte-order mark names UTF-8, UTF-16 or UTF-32; else UTF-8, else CP-1252 (Latin-1)
for every language but Python. Bytes that are not text even so are `Undecodable`: for a file whose
name blastguard reads, a finding (BG005), never a file passed in silence.
"""

from __future__ import annotations

import functools
import os
import re

from blastguard.context import Context
from blastguard.records import Record, factory, record

# Interpreters named on a `#!` line.
SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "ash"})
PYTHON_INTERPRETER = re.compile(r"python(?:\d+(?:\.\d+)?)?")
# Files whose language only their content tells: no extension (scripts), JSON (Terraform plans), and
# YAML (Kubernetes manifests).
SNIFFED_EXTENSIONS = frozenset({"", ".json", ".yaml", ".yml"})
_YAML_EXTENSIONS = frozenset({".yaml", ".yml"})
_SNIFF_BYTES = 4096

DEFAULT_MAX_FILE_SIZE = 1024 * 1024
_BINARY_SNIFF = 8192
_SQL_START = re.compile(
    r"\s*(?:--[^\n]*\n\s*|/\*.*?\*/\s*)*"
    r"(select|insert|update|delete|merge|with|create|alter|drop|truncate|grant|revoke|set|begin|"
    r"start|commit|rollback|explain|do|pragma|replace|use|vacuum|analyze|copy|call|comment)\b",
    re.IGNORECASE | re.DOTALL,
)


@record
class Source(Record):
    path: str  # the name shown in reports
    text: str
    language: str
    context: Context = factory(Context)  # where it will run, as far as known

    def __post_init__(self) -> None:
        if self.context is None:  # from a caller of the public API that means "nothing known"
            self.context = Context()


@record(frozen=True)
class Embedded(Record):
    """A source inside another (SQL in a shell command, a script in a workflow step).

    `offsets[i]` is the host offset of the child's character i, with one extra entry for the end,
    so every position found in the child maps back to the host file exactly.
    """

    source: Source
    offsets: list[int]
    # When the child's text is not in the host at all (`psql -f file.sql` reads another file),
    # every finding in it points at this span of the host instead.
    anchor: tuple[int, int] | None = None
    # Where each child character ends in the host, when that is not one past its start: a value
    # spliced in from an expression (`{table}`) stands for the whole expression.
    ends: list[int] | None = None

    def host_span(self, start: int, end: int) -> tuple[int, int]:
        if self.anchor:
            return self.anchor
        end = max(end, start + 1)
        last = min(end - 1, len(self.offsets) - 1)
        host_end = self.ends[last] if self.ends and last < len(self.ends) else self.offsets[last] + 1
        return self.offsets[min(start, len(self.offsets) - 1)], host_end


class SkipFile(Exception):
    """A file that cannot be analysed; the message says why, in a few words."""


class Undecodable(SkipFile):
    """Bytes that are not text in any encoding blastguard reads them in: binary data, or bytes invalid
    where no fallback applies (Python that is not UTF-8 and declares nothing else)."""


@record(frozen=True)
class Unreadable(Record):
    """A file (or stdin) that should be checked but whose bytes are not text: reported as not checked
    (BG005), so a CI run or hook that fails on warnings fails. `language` is what its name says."""

    path: str  # the name shown in reports
    language: str | None
    reason: str


def language_for_name(name: str) -> str | None:
    """By file name, as the registry's languages claim them: by a pattern on the path (a GitHub
    workflow by its folder, git hooks), by the exact name (a Makefile, `.bashrc`), else by extension."""
    patterns, filenames, extensions = _claims()
    posix = name.replace(os.sep, "/")
    for pattern, language in patterns:
        if pattern.search(posix):
            return language
    base = posix.rpartition("/")[2]
    return filenames.get(base) or extensions.get(os.path.splitext(base)[1].lower())


@functools.cache
def _claims():
    from blastguard.registry import LANGUAGES

    patterns = [(re.compile(claim.path_pattern), name) for name, claim in LANGUAGES.items() if claim.path_pattern]
    filenames = {base: name for name, claim in LANGUAGES.items() for base in claim.filenames}
    extensions = {ext: name for name, claim in LANGUAGES.items() for ext in claim.extensions}
    return patterns, filenames, extensions


def language_for_content(text: str) -> str | None:
    """Guess from the text alone: a shell or Python shebang, a Terraform plan's JSON, or SQL."""
    if text.startswith("#!"):
        words = text[2:].split("\n", 1)[0].split()
        interpreter = os.path.basename(
            words[-1] if words and os.path.basename(words[0]) == "env" else (words or [""])[0]
        )
        if interpreter in SHELLS:
            return "shell"
        return "python" if PYTHON_INTERPRETER.fullmatch(interpreter) else None
    head = text[:_SNIFF_BYTES]
    if head.lstrip().startswith("{") and '"format_version"' in head and '"terraform_version"' in head:
        return "terraform-plan"
    if _SQL_START.match(text):
        return "sql"
    return None


# A Kubernetes object starts a document with its `apiVersion` (`v1`, `apps/v1`, `batch/v1beta1`,
# `example.com/v1alpha1`) and `kind` at the top level. A Helm or other template (`{{ … }}`) is not YAML
# until it is rendered; its rendered output is read.
_KUBERNETES_API_VERSION = re.compile(
    r"^apiVersion:[ \t]*[\"']?(?:[a-z0-9][a-z0-9.-]*/)?v\d+(?:(?:alpha|beta)\d+)?[\"']?[ \t]*(?:#.*)?$", re.MULTILINE
)
_KUBERNETES_KIND = re.compile(r"^kind:[ \t]*[\"']?[A-Z][A-Za-z0-9]*[\"']?[ \t]*(?:#.*)?$", re.MULTILINE)
# What only a template (Helm, Go) writes: `{{ .Values.x }}`, `{{- include … }}`, `{{ if … }}`. Rendered
# manifests may still hold `{{ $labels.pod }}` in an alert's text.
_TEMPLATE = re.compile(r"\{\{-?\s*(?:\.|(?:include|template|if|range|with|define|tpl|toYaml|end)\b|/\*)")


def language_for_yaml(text: str) -> str | None:
    """A YAML file's language by its content: "kubernetes" for a manifest, else None (most YAML is
    configuration that runs nothing, and is not read)."""
    head = text[:_SNIFF_BYTES]
    if _TEMPLATE.search(head) or not _KUBERNETES_KIND.search(head) or not _KUBERNETES_API_VERSION.search(head):
        return None
    return "kubernetes"


def detect_language(name: str | None, text: str) -> str | None:
    """The language blastguard reads a file (or a text) as, or None when it does not read it. Every entry
    point decides with this: a folder scan, `--diff` and `--staged`, the GitHub action, the Python API,
    the agent hook and the MCP server give the same file the same treatment.

    The name decides (extension, file name, folder: `language_for_name`). Content decides only where
    there is no name that could tell: a text without a name (stdin without `--stdin-filename`, a
    command) is read by its content, SQL included; a file without an extension, or a `.json`, by its
    `#!` line or a Terraform plan's shape, a `.yaml` or `.yml` by a Kubernetes object's `apiVersion` and
    `kind` (language_for_yaml). Any other name (`NOTES.txt`, `README.md`) is not read, even
    when its text starts like SQL: a scan over a repository's notes and docs would otherwise take
    prose that starts with "Update" or "Drop" for statements, as no ruff or semgrep user expects.
    SQL saved under such a name is checked where it is run: `psql -f NOTES.txt` reads it as SQL.
    """
    if name is None:
        return language_for_content(text)
    language = language_for_name(name)
    if language is not None:
        return language
    _, ext = os.path.splitext(os.path.basename(name.replace(os.sep, "/")))
    if ext.lower() in _YAML_EXTENSIONS:
        return language_for_yaml(text)
    if ext.lower() not in SNIFFED_EXTENSIONS:
        return None
    sniffed = language_for_content(text[:_SNIFF_BYTES])
    return sniffed if sniffed in ("shell", "python", "terraform-plan") else None


def sniff_language(path: str) -> str | None:
    """`detect_language` of a file on disk, reading only as much of it as its name leaves to tell."""
    language = language_for_name(path)
    _, ext = os.path.splitext(path)
    if language is not None or ext.lower() not in SNIFFED_EXTENSIONS:
        return language
    try:
        head = read_regular(path, limit=_SNIFF_BYTES)
    except SkipFile:
        return None
    return detect_language(path, _head_text(head))


# Byte-order marks, longest first: UTF-32 LE's starts with UTF-16 LE's.
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
# PEP 263: `# -*- coding: latin-1 -*-` on the first or second line.
_PYTHON_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
# Characters no text holds (C0 controls but tab, line breaks, form feed and escape; DEL and C1
# controls): above this share of a decoded head, the bytes are binary data, not text.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f-\x9f]")
_BINARY_SHARE = 0.05


def decode(data: bytes, language: str | None = None) -> str:
    """Bytes to text as the tools that run them read them, the BOM stripped so that columns (code
    points) match what editors show: by a byte-order mark (UTF-8, UTF-16, UTF-32), else UTF-8, else
    (bytes that are not UTF-8: a Latin-1 or Windows export) CP-1252, or Latin-1 for the five bytes
    CP-1252 leaves undefined. Python is read as Python reads it: UTF-8 unless its coding line says
    otherwise. Either way one byte is one character, so positions stay right. `language` is what the
    file's name says (None: unknown yet). Raises Undecodable for binary data."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(codec)
            except UnicodeDecodeError as exc:
                raise Undecodable(
                    f"not valid {codec.upper()} after its byte-order mark (byte {exc.start + len(bom)})"
                ) from None
            return _text_not_binary(text)
    if b"\0" in data[:_BINARY_SNIFF]:
        raise Undecodable("binary file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        invalid = exc.start
    if language == "python":
        return _python_declared(data, invalid)
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = data.decode("latin-1")  # never fails: every byte is a character
    return _text_not_binary(text)


def _python_declared(data: bytes, invalid: int) -> str:
    """Python that is not UTF-8, in the encoding its coding line declares (PEP 263)."""
    import codecs

    for line in data.split(b"\n", 2)[:2]:
        match = _PYTHON_CODING.match(line)
        if match:
            try:
                codec = codecs.lookup(match.group(1).decode("ascii")).name
                return _text_not_binary(data.decode(codec))
            except (LookupError, UnicodeDecodeError):
                break
    raise Undecodable(
        f"not valid UTF-8 (byte {invalid}) nor in an encoding its coding line declares, so Python would not run it"
    )


def _text_not_binary(text: str) -> str:
    head = text[:_BINARY_SNIFF]
    if head and len(_CONTROL.findall(head)) > _BINARY_SHARE * len(head):
        raise Undecodable("binary file")
    return text


def _head_text(data: bytes) -> str:
    """The first bytes of a file as text, enough to tell its language (a `#!` line, a plan's keys)."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, errors="replace")
    return data.decode("utf-8", errors="replace")


def is_within(path: str, folder: str) -> bool:
    """Whether the absolute `path` is `folder` or lies under it (by name: resolve links first where they count)."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def read_regular(path: str, max_size: int | None = None, limit: int | None = None) -> bytes:
    """The bytes of the regular file at `path`, never blocking: a FIFO, device or socket is refused
    before it could stall the reader (opening a FIFO waits for a writer, reading a device may never
    end). `max_size` refuses a larger file; `limit` reads only its first bytes. Raises SkipFile."""
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise SkipFile(f"cannot be read: {exc.strerror or exc}") from None
    except ValueError:  # a NUL byte in the name
        raise SkipFile("cannot be read: no file can have that name") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise SkipFile("not a regular file (a FIFO, device or socket is never opened for reading)")
        if max_size is not None and info.st_size > max_size:
            raise SkipFile(f"larger than the {max_size}-byte limit ({info.st_size} bytes)")
        wanted = info.st_size if limit is None else min(limit, info.st_size)
        chunks, left = [], wanted
        while left > 0:
            chunk = os.read(fd, left)
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise SkipFile(f"cannot be read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


_PARSED_KEPT = 512  # parses kept for reuse: a module's files, many times over


class FileReader:
    """How a check reads the files a source refers to: the `psql -f x.sql` or `bash x.sh` of a script,
    the other `.tf` files of a module. Frontends never open a file themselves; they ask the reader
    their context carries (`reader_of`).

    A name is resolved against where the source really is (its folder on disk, or the directory an
    agent's command runs in), never against the name it is shown under. Files larger than the
    configured limit and files that are not regular (a FIFO or device, which could stall the check)
    are refused with SkipFile, as `read_regular` does. `pending` is content that is not on disk: the
    staged files of `--staged`, the patched files of `--diff` and `--diff-file`, the file an agent's
    write proposes (absolute path -> text, None for a file that is deleted); it is read first.

    `parsed` keeps what a file parses to for the whole scan, so a file that many others refer to (a
    module's provider file) is parsed once, not once per file that refers to it.
    """

    __slots__ = ("max_size", "pending", "host", "_parsed")

    def __init__(
        self,
        max_size: int = DEFAULT_MAX_FILE_SIZE,
        pending: dict[str, str | None] | None = None,
        host: str | None = None,
        _parsed: dict | None = None,
    ) -> None:
        self.max_size = max_size
        self.pending = {os.path.abspath(p): t for p, t in (pending or {}).items()}
        self.host = host  # the absolute path of the file being checked; None for stdin, a command
        self._parsed = {} if _parsed is None else _parsed

    def at(self, host: str | None) -> FileReader:
        """This reader, for checking the file at `host` (a filesystem path; None: no file)."""
        reader = FileReader(self.max_size, None, os.path.abspath(host) if host else None, self._parsed)
        reader.pending = self.pending
        return reader

    @property
    def folder(self) -> str | None:
        """The folder of the file being checked, which relative names are read from by default."""
        return os.path.dirname(self.host) if self.host else None

    def path(self, name: str, directory: str | None = None) -> str:
        """Where `name` is, relative to `directory` (where a command runs) or else the checked file's folder."""
        base = directory or self.folder
        return os.path.join(base, name) if base and not os.path.isabs(name) else name

    def exists(self, path: str, dangling: bool = False) -> bool:
        """Whether there is a file at `path`; with `dangling`, a symbolic link to nothing counts."""
        absolute = os.path.abspath(path)
        if absolute in self.pending:
            return self.pending[absolute] is not None
        return os.path.lexists(path) if dangling else os.path.exists(path)

    def is_folder(self, path: str) -> bool:
        return os.path.abspath(path) not in self.pending and os.path.isdir(path)

    def read(self, path: str, max_size: int | None = None) -> str:
        """The text of the file at `path`; SkipFile when it cannot or must not be read. `max_size`
        lowers the configured limit (what is left of a budget)."""
        limit = self.max_size if max_size is None else min(max_size, self.max_size)
        absolute = os.path.abspath(path)
        if absolute in self.pending:
            text = self.pending[absolute]
            if text is None:
                raise SkipFile("cannot be read: deleted by the change")
            size = len(text.encode("utf-8"))
            if size > limit:
                raise SkipFile(f"larger than the {limit}-byte limit ({size} bytes)")
            return text
        return decode(read_regular(path, limit), language_for_name(path))

    def names(self, folder: str) -> list[str]:
        """The absolute paths of the files in `folder`, as the check sees them (pending content included)."""
        folder = os.path.abspath(folder)
        try:
            found = {os.path.join(folder, name) for name in os.listdir(folder)}
        except OSError:
            found = set()
        for path, text in self.pending.items():
            if os.path.dirname(path) == folder:
                (found.add if text is not None else found.discard)(path)
        return sorted(found)

    def parsed(self, kind: str, path: str, text: str, parse):
        """`parse(text)` for the file at `path`, computed once per scan for the same content."""
        key = (kind, os.path.abspath(path), len(text), hash(text))
        if key not in self._parsed:
            if len(self._parsed) >= _PARSED_KEPT:  # a scan goes folder by folder: the oldest are done with
                del self._parsed[next(iter(self._parsed))]
            self._parsed[key] = parse(text)
        return self._parsed[key]


def reader_of(context: Context) -> FileReader:
    """The reader a source's context carries; a plain reader of the disk when none was given."""
    return context.reader if context.reader is not None else FileReader()
