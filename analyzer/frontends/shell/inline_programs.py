"""Inline programs of other interpreters: the shell commands and deletes they run, checked as shell.

`perl -e`, `ruby -e`, `node -e`/`--eval`/`-p`, `deno eval`, `bun -e`, `php -r`, `lua -e` and an `awk`
program (also a program fed on standard input: `node <<'EOF'`) are read at the level of their tokens
(`program_tokens`). A call that runs a shell line (`system`, `exec`, backticks, `qx{}`, `%x()`,
`execSync`, `shell_exec`, `os.execute`, …) with a string literal becomes an embedded shell source
whose every character maps to the literal in the command, so the shell rules judge it where it is
written; the argv forms (`system 'rm', '-rf', '/'`, `execFileSync('rm', ['-rf', '/'])`) are joined
as the shell would read them. A delete call with a literal path (`FileUtils.rm_rf("/")`,
`fs.rmSync("/", {recursive: true})`, `unlink`) is judged as the equivalent `rm` would be: the same
embedded shell source, spelled `rm -rf PATH`. A literal that the program decodes before running it
(`decode_base64("…")`, `Buffer.from("…", "base64")`) is decoded and checked as what it is.

What cannot be pinned down is reported (SH900): a shell call or delete whose argument is computed
at run time, and a program whose text cannot be read. Python's `exec`/`eval` of a decoded literal
(`python3 -c "exec(base64.b64decode('…'))"`) becomes embedded Python.
"""

from __future__ import annotations

import re

from blastguard.frontends.shell.program_tokens import Dialect, Token, Unreadable, arguments, tokens
from blastguard.frontends.shell.script_files import Unverified
from blastguard.frontends.shell.unwrapped_commands import SHELLS
from blastguard.frontends.shell.word_values import Word
from blastguard.records import Record, record
from blastguard.sources import PYTHON_INTERPRETER, Embedded, Source

_PERL = Dialect(perl_quotes=True)
_RUBY = Dialect(ruby_percent=True, interpolates='"')
_JAVASCRIPT = Dialect(
    line_comments=("//",),
    block_comments=(("/*", "*/"),),
    interpolates="",
    backticks="template",
    single_escapes_all=True,
    sigils=False,
)
_PHP = Dialect(line_comments=("//", "#"), block_comments=(("/*", "*/"),))
_LUA = Dialect(
    line_comments=("--",), interpolates="", backticks="", regex_literals=False, sigils=False, single_escapes_all=True
)
_AWK = Dialect(interpolates="", backticks="", sigils=False, single_escapes_all=True)
_PYTHON = Dialect(interpolates="", backticks="", regex_literals=False, sigils=False, single_escapes_all=True)


@record(frozen=True)
class Language(Record):
    """What a language's programs call to run a shell line, to run a program with arguments, to delete."""

    name: str
    dialect: Dialect
    shell_line: frozenset[str] = frozenset()  # a single string is a shell line; several are an argv (Perl, Ruby)
    argv: frozenset[str] = frozenset()  # a program, then its arguments as a list: `execFileSync('rm', ['-rf', '/'])`
    deletes: frozenset[str] = frozenset()  # paths deleted one by one (`unlink`)
    recursive_deletes: frozenset[str] = frozenset()  # whole trees (`rmtree`); `{recursive: true}` makes rmSync one
    decoders: frozenset[str] = frozenset()  # calls that decode their literal argument (base64, hex)
    evaluates: frozenset[str] = frozenset()  # calls that run their argument as this language's code (Python's exec)


def _names(*names: str) -> frozenset[str]:
    return frozenset(names)


PERL = Language(
    "perl",
    _PERL,
    shell_line=_names("system", "exec", "readpipe", "CORE::system", "CORE::exec"),
    deletes=_names("unlink", "CORE::unlink"),
    recursive_deletes=_names("rmtree", "remove_tree", "File::Path::rmtree", "File::Path::remove_tree"),
    decoders=_names("decode_base64", "MIME::Base64::decode_base64", "pack"),
)
RUBY = Language(
    "ruby",
    _RUBY,
    shell_line=_names(
        "system",
        "exec",
        "spawn",
        "Kernel.system",
        "Kernel.exec",
        "Kernel.spawn",
        "Process.spawn",
        "IO.popen",
        "Open3.capture2",
        "Open3.capture2e",
        "Open3.capture3",
        "Open3.popen3",
        "Open3.popen2",
        "Open3.popen2e",
        "PTY.spawn",
    ),
    deletes=_names(
        "File.delete", "File.unlink", "FileUtils.rm", "FileUtils.rm_f", "FileUtils.remove", "FileUtils.remove_file"
    ),
    recursive_deletes=_names(
        "FileUtils.rm_rf",
        "FileUtils.rm_r",
        "FileUtils.rmtree",
        "FileUtils.remove_dir",
        "FileUtils.remove_entry",
        "FileUtils.remove_entry_secure",
        "rm_rf",
        "rm_r",
    ),
    decoders=_names("Base64.decode64", "Base64.strict_decode64", "Base64.urlsafe_decode64", "unpack1", "unpack"),
)
JAVASCRIPT = Language(
    "javascript",
    _JAVASCRIPT,
    shell_line=_names(
        "execSync", "exec", "child_process.exec", "child_process.execSync", "cp.exec", "cp.execSync", "$"
    ),
    argv=_names(
        "execFileSync",
        "execFile",
        "spawn",
        "spawnSync",
        "child_process.spawn",
        "child_process.spawnSync",
        "Bun.spawn",
        "Bun.spawnSync",
    ),
    deletes=_names(
        "unlinkSync",
        "fs.unlink",
        "fs.unlinkSync",
        "fs.promises.unlink",
        "Deno.remove",
        "Deno.removeSync",
        "rmSync",
        "fs.rm",
        "fs.rmSync",
        "fs.promises.rm",
        "rmdirSync",
        "fs.rmdir",
        "fs.rmdirSync",
        "fs.promises.rmdir",
    ),
    recursive_deletes=_names(
        "rimraf",
        "rimrafSync",
        "rimraf.sync",
        "removeSync",
        "fs.remove",
        "fs.removeSync",
        "fse.remove",
        "fse.removeSync",
        "emptyDirSync",
        "fs.emptyDirSync",
        "fs.emptyDir",
        "deleteSync",
        "del.sync",
    ),
    decoders=_names("Buffer.from", "atob"),
)
PHP = Language(
    "php",
    _PHP,
    shell_line=_names("system", "exec", "shell_exec", "passthru", "popen", "proc_open", "pcntl_exec"),
    deletes=_names("unlink"),
    decoders=_names("base64_decode", "hex2bin"),
)
LUA = Language("lua", _LUA, shell_line=_names("os.execute", "io.popen"), deletes=_names("os.remove"))
AWK = Language("awk", _AWK, shell_line=_names("system"))
PYTHON = Language(
    "python",
    _PYTHON,
    decoders=_names(
        "base64.b64decode",
        "b64decode",
        "base64.decodebytes",
        "bytes.fromhex",
        "codecs.decode",
        "base64.standard_b64decode",
        "base64.urlsafe_b64decode",
    ),
    evaluates=_names("exec", "eval", "builtins.exec"),
)

# Options that take the next word, per interpreter, and the options that give the program itself.
_INTERPRETERS: dict[str, tuple[Language, frozenset[str], frozenset[str]]] = {
    "perl": (PERL, _names("-e", "-E"), _names("-I", "-M", "-m", "-F", "-x", "-C", "-d", "-D")),
    "ruby": (RUBY, _names("-e"), _names("-r", "-I", "-C", "-E", "--encoding", "-F", "-x")),
    "node": (
        JAVASCRIPT,
        _names("-e", "--eval", "-p", "--print"),
        _names(
            "-r",
            "--require",
            "--import",
            "--loader",
            "--experimental-loader",
            "--input-type",
            "-C",
            "--conditions",
            "--env-file",
            "--title",
            "--stack-size",
        ),
    ),
    "nodejs": (JAVASCRIPT, _names("-e", "--eval", "-p", "--print"), _names("-r", "--require", "--import")),
    "bun": (JAVASCRIPT, _names("-e", "--eval", "-p", "--print"), _names("-r", "--preload", "--cwd", "--env-file")),
    "php": (PHP, _names("-r", "-R", "-B", "-E"), _names("-d", "-c", "-z")),
    "lua": (LUA, _names("-e"), _names("-l")),
    "luajit": (LUA, _names("-e"), _names("-l", "-j", "-O")),
}
_AWKS = frozenset({"awk", "gawk", "mawk", "nawk", "busybox-awk"})
_AWK_VALUES = _names("-F", "-v", "-f", "-i", "--include", "--field-separator", "--assign", "-l", "--load")
_RECURSIVE_OPTION = re.compile(r"\brecursive\s*:\s*true\b")


@record(frozen=True)
class _Program(Record):
    """An inline program: its text with the document offset of each character."""

    language: Language
    word: Word  # the program's text, or with `file` the word naming the script file
    label: str  # how the command is shown in messages: `perl -e`
    file: bool = False


def interpreter_runs(document) -> tuple[list[Embedded], list[Unverified]]:
    children: list[Embedded] = []
    unverified: list[Unverified] = []
    for command in document.commands:
        for program in [p for p in inline_programs(command) if not p.file]:
            context = document.source.context.with_production(*document.evidence(command))
            reader = _Reader(program, document.source.path, context)
            word = program.word
            agent = document.source.context.agent
            if not word.literal and (_BUILT_AT_RUN_TIME.search(word.value) or _risky_words(program, agent)):
                unverified.append(
                    (
                        command.index,
                        word.start,
                        word.end,
                        "warning",
                        f"The {program.label} program is built from values only known when it runs, so "
                        "blastguard cannot tell whether it destroys anything.",
                    )
                )
                continue
            try:
                reader.read()
            except Exception as exc:  # text that ends inside a string, or a reader that tripped: asked, never passed
                if not isinstance(exc, (Unreadable, RecursionError)):
                    unverified.append(
                        (
                            command.index,
                            word.start,
                            word.end,
                            "warning",
                            f"The {program.label} program could not be read ({type(exc).__name__}: {exc}), "
                            "so blastguard cannot tell whether it destroys anything.",
                        )
                    )
                    continue
                if _risky_words(program):
                    unverified.append(
                        (
                            command.index,
                            word.start,
                            word.end,
                            "warning",
                            f"The {program.label} program could not be read far enough to tell what it "
                            "runs, so blastguard cannot tell whether it destroys anything.",
                        )
                    )
                continue
            children += reader.children
            unverified += [(command.index, *problem) for problem in reader.problems]
    return children, unverified


def inline_programs(command) -> list[_Program]:
    """The programs `command` hands an interpreter inline (`perl -e`, `node -e`, `python -c`, a heredoc), or
    the script file it names (`file=True`)."""
    program = command.program
    if PYTHON_INTERPRETER.fullmatch(program):
        from blastguard.frontends.shell.embedded_python import inline_code

        code = inline_code(command)
        return [_Program(PYTHON, code, f"`{program} -c`")] if code is not None else []
    if program in _AWKS:
        return _awk_program(command)
    if program == "deno":
        args = command.args
        if args and args[0].value == "eval":
            rest = [w for w in args[1:] if not w.value.startswith("-")]
            return [_Program(JAVASCRIPT, rest[0], "`deno eval`")] if rest else []
        return []
    known = _INTERPRETERS.get(program)
    if known is None:
        return []
    language, code_options, value_options = known
    words = command.words[1:]
    codes: list[Word] = []
    index = 0
    while index < len(words):
        word = words[index]
        value = word.value
        if value == "--" or not value.startswith("-") or value == "-":
            break
        name, _, attached = value.partition("=")
        if name in code_options and name.startswith("--"):
            if attached or "=" in value:
                codes.append(word.slice(len(name) + 1))
            elif index + 1 < len(words):
                codes.append(words[index + 1])
                index += 1
        elif value.startswith("--"):
            index += 1 if value in value_options else 0
        else:
            index += _cluster(
                word, words[index + 1] if index + 1 < len(words) else None, code_options, value_options, codes
            )
        index += 1
    label = f"`{program} {'-e' if program not in ('php',) else '-r'}`"
    if codes:
        return [_Program(language, code, label) for code in codes]
    reads_stdin = index >= len(words) or words[index].value == "-"
    if reads_stdin and command.stdin is not None and command.stdin.text is not None:
        return [_Program(language, command.stdin.text, f"`{program}`")]
    return [] if reads_stdin else [_Program(language, words[index], "", file=True)]


# Script files by the interpreter on their `#!` line.
_BY_SHEBANG = {
    "perl": PERL,
    "ruby": RUBY,
    "node": JAVASCRIPT,
    "nodejs": JAVASCRIPT,
    "bun": JAVASCRIPT,
    "deno": JAVASCRIPT,
    "php": PHP,
    "lua": LUA,
    "luajit": LUA,
    **dict.fromkeys(_AWKS, AWK),
}
_JAVASCRIPT_FILE = re.compile(r".*\.(?:[cm]?js|[cm]?ts|jsx|tsx)")


def script_file(command) -> tuple[Word, Language] | None:
    """`perl x.pl`, `node build.js`, `deno run x.ts`, `bun x.ts`, `awk -f x.awk`: the file an interpreter runs."""
    program = command.program
    if program in _AWKS:
        words = command.words[1:]
        for index, word in enumerate(words[:-1]):
            if word.value in ("-f", "--file"):
                return words[index + 1], AWK
        return None
    if program in ("deno", "bun"):
        rest = [w for w in command.args if not w.value.startswith("-")]
        rest = rest[1:] if rest and rest[0].value == "run" else rest
        return (rest[0], JAVASCRIPT) if rest and _JAVASCRIPT_FILE.fullmatch(rest[0].value) else None
    found = [p for p in inline_programs(command) if p.file]
    return (found[0].word, found[0].language) if found else None


def language_of_script(text: str) -> Language | None:
    """The language a `#!` line names, among those read here."""
    if not text.startswith("#!"):
        return None
    words = text[2:].split("\n", 1)[0].split()
    words = [w for w in words[1:] if not w.startswith("-")] if words and words[0].endswith("/env") else words
    return _BY_SHEBANG.get(words[0].rpartition("/")[2]) if words else None


def read_script(text: str, language: Language, path: str, context) -> tuple[list[Embedded], list[tuple[int, str]]]:
    """What a script file of `language` runs: embedded sources in the file's coordinates, and (offset,
    message) for what could not be read. Raises Unreadable."""
    code = Word(text, tuple(range(len(text) + 1)), 0, len(text))
    reader = _Reader(_Program(language, code, f"`{path}`", file=True), path, context)
    reader.read()
    return reader.children, [(start, message) for start, _, _, message in reader.problems]


def _cluster(word: Word, following: Word | None, code_options, value_options, codes: list[Word]) -> int:
    """Read `-lne CODE`, `-MMIME::Base64`, `-pi.bak`: the program into `codes`; 1 when `following` was used."""
    text = word.value
    for position in range(1, len(text)):
        option = "-" + text[position]
        rest = position + 1 < len(text)
        if option in code_options:
            if rest:
                codes.append(word.slice(position + 1))
                return 0
            if following is not None:
                codes.append(following)
                return 1
            return 0
        if option in value_options:
            return 0 if rest else (1 if following is not None else 0)
        if option in ("-i", "-0", "-l") and rest and not text[position + 1].isalpha():
            return 0  # `-i.bak`, `-0777`, `-l012`: the rest is the option's value
    return 0


def _awk_program(command) -> list[_Program]:
    words = command.words[1:]
    index = 0
    while index < len(words):
        value = words[index].value
        if value in ("-e", "--source") and index + 1 < len(words):
            return [_Program(AWK, words[index + 1], f"`{command.program}`")]
        if value in ("-f", "--file") or value.startswith("--file="):
            return []
        if value == "--" or not value.startswith("-"):
            break
        index += 2 if value in _AWK_VALUES else 1
    return [_Program(AWK, words[index], f"`{command.program}`")] if index < len(words) else []


_RISKY = re.compile(
    r"system|exec|spawn|popen|passthru|unlink|rmtree|remove|rm_r|rmSync|rmdir|rimraf|`|qx|%x|"
    r"eval|decode|Buffer|atob|pack|getline|\|\s*\""
)
_RISKY_PYTHON = re.compile(r"\b(?:exec|eval)\b")


_BUILT_AT_RUN_TIME = re.compile(r"\$\(|`")  # a command's output spliced into the program
# Interpolation that runs code or a command inside a string: Perl's `@{[ … ]}` and `${\ … }`, Ruby's `#{…}`,
# JavaScript's `${…}`, a shell's `$(…)` and backticks.
_INTERPOLATED_CODE = re.compile(r"@\{\[|\$\{\\|#\{|\$\{|\$\(|`")
# A command string with one of these words keeps asking when a value in it is unknown: it may delete.
_DELETING_WORDS = re.compile(r"\b(rm|rmdir|unlink|shred|dd|mkfs\S*|wipefs|truncate|find|eval|sh|bash)\b")


def _risky_words(program: _Program, agent: bool = True) -> bool:
    """Whether a program that could not be read mentions anything that runs or deletes. A repository check
    does not count the names of the shell variables spliced in (`"'$package'"` does not `pack`)."""
    pattern = _RISKY_PYTHON if program.language is PYTHON else _RISKY
    text = program.word.value if agent else _SPLICED_VARIABLE.sub("", program.word.value)
    return bool(pattern.search(text))


_SPLICED_VARIABLE = re.compile(r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?")


class _Reader:
    """One program's calls, turned into embedded sources and problems."""

    def __init__(self, program: _Program, path: str, context) -> None:
        self.program = program
        self.language = program.language
        self.code = program.word
        self.path = path
        self.context = context
        self.children: list[Embedded] = []
        self.problems: list[tuple[int, int, str, str]] = []

    def read(self) -> None:
        found = tokens(self.code.value, self.language.dialect)
        language = self.language
        for index, token in enumerate(found):
            if token.kind == "shell":
                self._shell_string(token, token)
                continue
            if token.kind == "punct" and token.value == "|" and language is AWK:
                self._awk_pipe(found, index)
                continue
            if token.kind != "name" or _is_definition(found, index):
                continue
            name = _call_name(token.value)
            if name in language.shell_line or token.value in language.shell_line:
                if name == "$" and not _followed_by_template(found, index, self.code.value):
                    continue
                self._shell_call(found, index)
            elif name in language.argv or token.value in language.argv:
                self._argv_call(found, index)
            elif (
                name in language.recursive_deletes
                or token.value in language.recursive_deletes
                or name in language.deletes
                or token.value in language.deletes
            ):
                self._delete_call(found, index)
            elif name in language.evaluates or token.value in language.evaluates:
                self._evaluate_call(found, index)
            elif name == "open" and language in (PERL, RUBY):
                self._piped_open(found, index)

    # --- what the calls run -------------------------------------------------------------------

    def _shell_call(self, found: list[Token], index: int) -> None:
        name = found[index]
        if _call_name(name.value) == "$":  # Bun / zx: $`rm -rf ~`
            self._shell_string(found[index + 1], name)
            return
        groups, _ = arguments(found, index)
        if self.language is JAVASCRIPT and _call_name(name.value) == "exec" and "child_process" not in self.code.value:
            return  # `/re/.exec(s)`: a regular expression's method, not a process
        if not groups:
            return
        strings = [_literal(group) for group in groups]
        known = _all_known(strings)
        if len(groups) > 1 and self.language in (PERL, RUBY) and known is not None:
            self._argv_words(known, name)  # `system 'rm', '-rf', '/'`
            return
        first = groups[0]
        if self.language is RUBY and strings[0] is None and len(groups) > 1 and _is_hash_like(first):
            first = groups[1]  # `system({"A" => "1"}, "cmd")`: the environment comes first
        decoded = self._decoded(first)
        if decoded is not None:
            self._embed_decoded(decoded, "shell")
            return
        literal = self._string(first)
        if literal is None:
            self._unknown(name, "runs a shell command")
            return
        self._shell_string(literal, name)

    def _argv_call(self, found: list[Token], index: int) -> None:
        name = found[index]
        groups, _ = arguments(found, index)
        if not groups:
            return
        parts: list[Token | None] = []
        for group in groups[:2]:
            if group[0].kind == "punct" and group[0].value == "[":
                inner = _list_items(group)
                parts += inner if inner is not None else [None]
            else:
                parts.append(_literal(group))
        if name.value.startswith("Bun."):
            parts = parts[: len(_list_items(groups[0]) or [])] if groups[0][0].value == "[" else parts[:1]
        known = _all_known(parts)
        if not known:
            self._unknown(name, "runs a program")
            return
        self._argv_words(known, name)

    def _delete_call(self, found: list[Token], index: int) -> None:
        name = found[index]
        groups, _ = arguments(found, index)
        if not groups:
            return
        call = _call_name(name.value)
        recursive = call in self.language.recursive_deletes or name.value in self.language.recursive_deletes
        options = " ".join(t.value for group in groups[1:] for t in group)
        recursive = recursive or bool(_RECURSIVE_OPTION.search(options))
        paths = groups if self.language in (PERL, RUBY) else groups[:1]
        if self.language is RUBY and len(groups) == 1 and groups[0][0].value == "[":
            paths = [[t] if t is not None else [] for t in (_list_items(groups[0]) or [None])]
        literals = _all_known([_literal(group) for group in paths])
        if literals is None:
            self._unknown(name, "deletes a path")
            return
        for literal in literals:
            self._rm(literal, name, recursive)

    def _awk_pipe(self, found: list[Token], index: int) -> None:
        """`"cmd" | getline` runs the string; `print … | "cmd"` runs it and feeds it the printed text."""
        before = found[index - 1] if index else None
        after = found[index + 1] if index + 1 < len(found) else None
        if any(t is not None and t.kind == "punct" and t.value == "|" for t in (before, after)):
            return  # `a || b`
        if before is not None and after is not None and after.kind == "name" and after.value == "getline":
            target = before
        elif after is not None:
            target = after
        else:
            return
        if (
            target.kind == "string"
            and target.literal
            and target.value.split()[:1]
            and (target.value.split()[0].rpartition("/")[2] in SHELLS)
        ):
            self._unknown(found[index], "pipes what it prints into a shell")
        elif target.kind == "string" or (target.kind == "name" and target.value != "getline"):
            self._shell_string(target, found[index])

    def _piped_open(self, found: list[Token], index: int) -> None:
        """Perl's `open(F, "-|", "cmd")` and `open(F, "cmd |")`, Ruby's `open("|cmd")`: a pipe from a command."""
        groups, _ = arguments(found, index)
        literals = [_literal(group) for group in groups]
        modes = [i for i, lit in enumerate(literals) if lit is not None and lit.value.strip() in ("-|", "|-")]
        if modes:
            rest = groups[modes[0] + 1 :]
            strings = _all_known([self._string(group) for group in rest])
            if not rest or strings is None:
                self._unknown(found[index], "runs a command")
            elif len(strings) == 1:
                self._shell_string(strings[0], found[index])
            else:
                self._argv_words(strings, found[index])
            return
        for literal in literals:
            if literal is None or "|" not in (literal.value.strip()[:1] + literal.value.strip()[-1:]):
                continue
            first = literal.value.index("|") if literal.value.lstrip().startswith("|") else -1
            last = literal.value.rindex("|")
            start, end = (first + 1, len(literal.value)) if first >= 0 else (0, last)
            after = literal.value_offsets[end - 1] + 1 if end > start else literal.value_offsets[start]
            piece = Token(
                "string",
                literal.value[start:end],
                literal.start,
                literal.end,
                literal.value_offsets[start:end] + [after],
            )
            self._shell_string(piece, found[index])

    def _evaluate_call(self, found: list[Token], index: int) -> None:
        groups, _ = arguments(found, index)
        if not groups:
            return
        decoded = self._decoded(groups[0])
        literal = _literal(groups[0])
        if decoded is not None:
            self._embed_decoded(decoded, self.language.name)
        elif literal is None:
            self._unknown(found[index], "runs code")
        elif literal.value.strip():  # `exec("import os; os.system(…)")`: the string is code of its own
            self._embed(literal.value, [self._doc(i) for i in literal.value_offsets], self.language.name)

    # --- embedded sources ----------------------------------------------------------------------

    def _doc(self, index: int) -> int:
        """The document offset of the program text's character `index`."""
        offsets = self.code.offsets
        return offsets[min(index, len(offsets) - 1)]

    def _string(self, group: list[Token]) -> Token | None:
        """The string literal a whole argument is; in a repository check also one that only interpolates
        variables (`"git show $ARGV[0]"`): the command is written there, only a value is not."""
        if len(group) == 1 and group[0].kind == "string" and (group[0].literal or self._reads_values(group[0])):
            return group[0]
        return None

    def _reads_values(self, token: Token) -> bool:
        """Whether a string that interpolates is read as the command it spells out, its values unknown: never
        where an agent runs it (the values could be anything), nor when it interpolates code or output."""
        return (
            not self.context.agent
            and token.kind == "string"
            and not _INTERPOLATED_CODE.search(token.value)
            and not _DELETING_WORDS.search(token.value)
        )

    def _shell_string(self, token: Token, call: Token) -> None:
        if token.kind not in ("string", "shell"):
            self._unknown(call, "runs a shell command")
            return
        if not token.literal and not self._reads_values(token):
            self._unknown(call, "runs a shell command")
            return
        if token.value.strip():
            offsets = [self._doc(i) for i in token.value_offsets]
            self._embed(token.value, offsets, "shell")

    def _argv_words(self, parts: list[Token], call: Token) -> None:
        """A program and its arguments as the shell line that runs the same thing, mapped to the literals."""
        text, offsets = [], []
        for number, part in enumerate(parts):
            if number:
                text.append(" ")
                offsets.append(self._doc(parts[number - 1].end - 1))
            quoted = _shell_quoted(part.value)
            if quoted == part.value:
                text.append(quoted)
                offsets += [self._doc(i) for i in part.value_offsets[:-1]]
            else:
                text.append(quoted)
                offsets += [self._doc(part.start)] * len(quoted)
        offsets.append(self._doc(parts[-1].end - 1) + 1)
        self._embed("".join(text), offsets, "shell")

    def _rm(self, path: Token, call: Token, recursive: bool) -> None:
        """`FileUtils.rm_rf("/")` as `rm -rf /`: the flags stand for the call's name, the path for the literal."""
        flags = "rm -rf " if recursive else "rm -f "
        quoted = _shell_quoted(path.value)
        offsets = [self._doc(call.start)] * len(flags)
        if quoted == path.value:
            offsets += [self._doc(i) for i in path.value_offsets[:-1]]
        else:  # quoted for the shell: every character stands for the literal's start
            offsets += [self._doc(path.start)] * len(quoted)
        offsets.append(self._doc(path.end - 1) + 1)
        self._embed(flags + quoted, offsets, "shell")

    def _decoded(self, group: list[Token]) -> tuple[str, Token] | None:
        """(the decoded text, its literal) when `group` decodes a literal: `decode_base64("…")`."""
        names = [
            t
            for t in group
            if t.kind == "name" and (t.value in self.language.decoders or _call_name(t.value) in self.language.decoders)
        ]
        literals = [t for t in group if t.kind == "string" and t.literal and len(t.value) > 3]
        if not names or not literals:
            return None
        payload = max(literals, key=lambda t: len(t.value))
        text = _decode(payload.value, hex_first=any("hex" in t.value or t.value == "pack" for t in names))
        return (text, payload) if text is not None else None

    def _embed_decoded(self, decoded: tuple[str, Token], language: str) -> None:
        """The decoded text, every character pointing at the whole encoded literal."""
        text, payload = decoded
        start, end = self._doc(payload.start), self._doc(payload.end - 1) + 1
        source = Source(self.path, text, language, self.context)
        self.children.append(Embedded(source, [start] * (len(text) + 1), ends=[end] * (len(text) + 1)))

    def _embed(self, text: str, offsets: list[int], language: str) -> None:
        self.children.append(Embedded(Source(self.path, text, language, self.context), offsets))

    def _unknown(self, call: Token, does: str) -> None:
        start, end = self._doc(call.start), self._doc(call.end - 1) + 1
        what = "script" if self.program.file else "program"
        self.problems.append(
            (
                start,
                end,
                "warning",
                (
                    f"The {self.program.label} {what} {does} through `{call.value}` with a value only known when it runs, "
                    "so blastguard cannot tell whether it destroys anything. Spell the command out, or review it "
                    "before it runs."
                ),
            )
        )


_PLAIN_WORD = re.compile(r"[\w@%+=:,./~-]+")


def _shell_quoted(value: str) -> str:
    """`value` as one shell word: as it is when nothing in it is special, else in single quotes."""
    if _PLAIN_WORD.fullmatch(value):
        return value
    return "'" + value.replace("'", "'\\''") + "'"


def _call_name(value: str) -> str:
    """The last part of a dotted name: `execSync` of `require("child_process").execSync`."""
    return re.split(r"\.|->", value)[-1]


def _is_definition(found: list[Token], index: int) -> bool:
    """`sub system {…}`, `def system`, `function exec(`: a definition, not a call; `$obj->{system}`: a key."""
    if index and found[index - 1].kind == "name" and found[index - 1].value in ("sub", "def", "function"):
        return True
    if index and found[index - 1].kind == "punct" and found[index - 1].value == ".":
        return False
    following = found[index + 1] if index + 1 < len(found) else None
    return (
        following is not None
        and following.kind == "punct"
        and following.value in ("=", ":", "}")
        and (following.value != "=" or (index + 2 < len(found) and found[index + 2].value != "="))
    )


def _followed_by_template(found: list[Token], index: int, text: str) -> bool:
    following = found[index + 1] if index + 1 < len(found) else None
    return following is not None and following.kind == "string" and text[following.start] == "`"


def _literal(group: list[Token]) -> Token | None:
    """The string literal a whole argument is, if it is one (a shell string `qx` also counts as not literal)."""
    if len(group) == 1 and group[0].kind == "string" and group[0].literal:
        return group[0]
    return None


def _all_known(tokens: list[Token | None]) -> list[Token] | None:
    """The tokens, when none of them is missing."""
    known = [token for token in tokens if token is not None]
    return known if len(known) == len(tokens) else None


def _list_items(group: list[Token]) -> list[Token | None] | None:
    """The literals of `[ 'a', 'b' ]`; None where the list is not one."""
    if not group or group[0].value != "[" or group[-1].value != "]":
        return None
    items: list[Token | None] = []
    current: list[Token] = []
    for token in group[1:-1]:
        if token.kind == "punct" and token.value == ",":
            items.append(_literal(current))
            current = []
        else:
            current.append(token)
    if current:
        items.append(_literal(current))
    return items


def _is_hash_like(group: list[Token]) -> bool:
    return bool(group) and group[0].kind == "punct" and group[0].value == "{"


def _decode(payload: str, hex_first: bool) -> str | None:
    """A base64 or hex payload as text; None when it is neither, or not text."""
    compact = re.sub(r"\s+", "", payload)
    attempts = (_hex, _base64) if hex_first else (_base64, _hex)
    for attempt in attempts:
        data = attempt(compact)
        if data is not None:
            try:
                return data.decode("utf-8")
            except UnicodeDecodeError:
                continue
    return None


def _base64(text: str) -> bytes | None:
    import base64  # only for a program that decodes something
    import binascii

    if not re.fullmatch(r"[A-Za-z0-9+/_-]+={0,2}", text):
        return None
    try:
        return base64.b64decode(text.replace("-", "+").replace("_", "/") + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None


def _hex(text: str) -> bytes | None:
    if len(text) % 2 or not re.fullmatch(r"[0-9A-Fa-f]+", text):
        return None
    return bytes.fromhex(text)
