"""What `make` makes of the `$` in a Makefile: the variables the file defines, make's own defaults, and
the make functions whose result the file's text decides (`$(call …)`, `$(if …)`, `$(subst …)`, …).

Whatever only the run decides (the environment, the command line, `$(shell …)`, `$(wildcard …)`, the
automatic variables `$@ $< $^ …`) expands to `UNKNOWN`, which the frontend turns into one plain word.
"""

from __future__ import annotations

import re

UNKNOWN = "\x00"  # text only known when make runs; no Makefile contains this character

# make's built-in variables, as `make -p` prints them, for the programs a recipe may run through them.
BUILTINS = {
    "MAKE": "make",
    "SHELL": "/bin/sh",
    "RM": "rm -f",
    "AR": "ar",
    "AS": "as",
    "CC": "cc",
    "CXX": "g++",
    "CPP": "$(CC) -E",
    "OBJC": "cc",
    "FC": "f77",
    "F77": "$(FC)",
    "LD": "ld",
    "LEX": "lex",
    "YACC": "yacc",
    "LINT": "lint",
    "MAKEINFO": "makeinfo",
    "TEX": "tex",
    "TEXI2DVI": "texi2dvi",
}

# Functions and how many arguments they split into (the last one keeps any further commas).
_ARITY = {
    "subst": 3,
    "patsubst": 3,
    "strip": 1,
    "findstring": 2,
    "filter": 2,
    "filter-out": 2,
    "sort": 1,
    "word": 2,
    "wordlist": 3,
    "words": 1,
    "firstword": 1,
    "lastword": 1,
    "dir": 1,
    "notdir": 1,
    "suffix": 1,
    "basename": 1,
    "addsuffix": 2,
    "addprefix": 2,
    "join": 2,
    "if": 3,
    "or": 1000,
    "and": 1000,
    "foreach": 3,
    "call": 1000,
    "value": 1,
    "info": 1,
    "warning": 1,
    "error": 1,
    # Decided by the run (files, the shell, other make state), or not evaluated here: their result is unknown.
    "shell": 1,
    "wildcard": 1,
    "realpath": 1,
    "abspath": 1,
    "eval": 1,
    "file": 2,
    "origin": 1,
    "flavor": 1,
    "let": 3,
    "intcmp": 5,
    "guile": 1,
}
_UNEVALUATED = frozenset(
    {"shell", "wildcard", "realpath", "abspath", "eval", "file", "origin", "flavor", "let", "intcmp", "guile"}
)
_AUTOMATIC = frozenset("@<^+*?%|")
_FUNCTION_CALL = re.compile(r"([a-z-]+)[ \t]+")
# Bounds on what one expansion may do, so a Makefile written to explode (`A = $(B)$(B)`, …) cannot.
STEPS_PER_FILE = 100_000
_MAX_DEPTH = 40
_MAX_LENGTH = 100_000


def references(text: str):
    """Each `$` reference in `text` as (start, end, body): body is `$` for `$$`, the one character of
    `$@`, or what stands between the parentheses or braces of `$(…)` and `${…}`."""
    i = text.find("$")
    while 0 <= i < len(text) - 1:
        opener = text[i + 1]
        if opener in "({":
            closer = ")" if opener == "(" else "}"
            depth, j = 1, i + 2
            while j < len(text) and depth:  # make counts only its own kind of delimiter
                depth += (text[j] == opener) - (text[j] == closer)
                j += 1
            yield i, j, text[i + 2 : j - 1] if depth == 0 else text[i + 2 :]
        else:
            j = i + 2
            yield i, j, opener
        i = text.find("$", j)


class Variable:
    __slots__ = ("recursive", "value")

    def __init__(self, value: str, recursive: bool) -> None:
        self.value = value  # raw text for a recursive variable, already expanded for a simple one
        self.recursive = recursive


class Expander:
    """Expands make text against one Makefile's variables. `choice` picks the branch of an `$(if …)`
    whose condition only the run decides: 0 takes the first, 1 the second; `undecided` tells whether
    any such choice was made, so the caller can read the other branch too."""

    def __init__(self, variables: dict[str, Variable], choice: int = 0, budget: list[int] | None = None) -> None:
        self.variables = variables
        self.choice = choice
        self.undecided = False
        self._scopes: list[dict[str, str]] = []  # `$(1)`… of the calls and `foreach` names being expanded
        self._expanding: set[str] = set()
        self._budget = budget if budget is not None else [STEPS_PER_FILE]  # steps left, shared across a file
        self._depth = 0  # references being expanded inside one another

    def expand(self, text: str) -> str:
        out: list[str] = []
        i = 0
        for start, end, body in references(text):
            out.append(text[i:start])
            out.append(self.reference(body))
            i = end
        out.append(text[i:])
        result = "".join(out)
        return result if len(result) <= _MAX_LENGTH else UNKNOWN

    def reference(self, body: str) -> str:
        """The value of one reference, given what stands inside it."""
        self._budget[0] -= 1
        if self._budget[0] < 0 or self._depth > _MAX_DEPTH:
            return UNKNOWN
        self._depth += 1
        try:
            return self._reference(body)
        finally:
            self._depth -= 1

    def _reference(self, body: str) -> str:
        if body == "$":
            return "$"
        if len(body) == 1 and body in _AUTOMATIC:
            return UNKNOWN
        call = _FUNCTION_CALL.match(body)
        if call and call.group(1) in _ARITY:
            return self._function(call.group(1), body[call.end() :])
        name, substitution = body, None
        if ":" in body and not body.startswith(":"):
            name, substitution = _split_substitution(body)
        value = self.variable(self.expand(name))
        if substitution is not None and UNKNOWN not in value:
            pattern, replacement = (self.expand(part) for part in substitution)
            if "%" not in pattern:  # `$(SRCS:.c=.o)` is `$(SRCS:%.c=%.o)`
                pattern, replacement = "%" + pattern, "%" + replacement
            value = " ".join(_patsubst_word(pattern, replacement, word) for word in value.split())
        return value

    def variable(self, name: str) -> str:
        for scope in reversed(self._scopes):
            if name in scope:
                return scope[name]
        if len(name) == 2 and name[0] in _AUTOMATIC and name[1] in "DF":  # `$(@D)`, `$(<F)`
            return UNKNOWN
        variable = self.variables.get(name)
        if variable is None:
            return self.expand(BUILTINS[name]) if name in BUILTINS else UNKNOWN
        if not variable.recursive:
            return variable.value
        if name in self._expanding:  # make stops: "Recursive variable references itself"
            return UNKNOWN
        self._expanding.add(name)
        try:
            return self.expand(variable.value)
        finally:
            self._expanding.discard(name)

    def _function(self, name: str, rest: str) -> str:
        args = _arguments(rest, _ARITY[name])
        if name in _UNEVALUATED:
            return UNKNOWN
        if name == "if":
            return self._if(args)
        if name in ("or", "and"):
            return self._or_and(name, args)
        if name == "foreach":
            return self._foreach(args)
        if name == "call":
            return self._call(args)
        if name == "value":
            variable = self.variables.get(self.expand(args[0]))
            return variable.value if variable else UNKNOWN
        if name in ("info", "warning", "error"):
            return ""  # make prints the message; the text expands to nothing
        values = [self.expand(arg) for arg in args]
        if any(UNKNOWN in value for value in values):
            return UNKNOWN
        return _text_function(name, values)

    def _if(self, args: list[str]) -> str:
        condition = _truth(self.expand(args[0]))
        then, otherwise = (args[1] if len(args) > 1 else ""), (args[2] if len(args) > 2 else "")
        if condition is None:
            self.undecided = True
            condition = self.choice == 0
        return self.expand(then if condition else otherwise)

    def _or_and(self, name: str, args: list[str]) -> str:
        value = ""
        for arg in args:
            value = self.expand(arg)
            truth = _truth(value)
            if truth is None:
                return UNKNOWN
            if truth == (name == "or"):
                return value
        return value if name == "and" else ""

    def _foreach(self, args: list[str]) -> str:
        if len(args) < 3:
            return ""
        name, words = self.expand(args[0]).strip(), self.expand(args[1])
        # Over a list only the run knows, one pass with an unknown word stands for every pass.
        words_or_unknown = [UNKNOWN] if UNKNOWN in words else words.split()
        results = []
        for word in words_or_unknown[:100]:
            self._scopes.append({name: word})
            try:
                results.append(self.expand(args[2]))
            finally:
                self._scopes.pop()
        return " ".join(results)

    def _call(self, args: list[str]) -> str:
        name = self.expand(args[0]).strip()
        values = [self.expand(arg) for arg in args[1:]]
        if name in _ARITY:  # `$(call subst,…)` runs the function itself
            return self._function(name, ",".join(values))
        variable = self.variables.get(name)
        if variable is None:
            return UNKNOWN
        if not variable.recursive:
            return variable.value
        # Inside the call `$(1)`, `$(2)`… are its arguments and any further number is empty.
        scope = {str(n): "" for n in range(10)}
        scope.update({str(n): value for n, value in enumerate([name, *values])})
        self._scopes.append(scope)
        try:
            return self.expand(variable.value)
        finally:
            self._scopes.pop()


def _truth(value: str) -> bool | None:
    """An `$(if …)` condition: true when it expands to anything but whitespace; None when the run decides."""
    known = value.replace(UNKNOWN, "").strip()
    if known:
        return True
    return None if UNKNOWN in value else False


def _arguments(text: str, limit: int) -> list[str]:
    """A function's arguments: split at the commas outside nested references, at most `limit` parts."""
    args: list[str] = []
    depth, start = 0, 0
    for i, char in enumerate(text):
        if char in "({":
            depth += 1
        elif char in ")}":
            depth -= 1
        elif char == "," and depth == 0 and len(args) < limit - 1:
            args.append(text[start:i])
            start = i + 1
    args.append(text[start:])
    return args


def _split_substitution(body: str) -> tuple[str, tuple[str, str] | None]:
    """`VAR:pattern=replacement` of a substitution reference, with the colon outside nested references."""
    depth = 0
    for i, char in enumerate(body):
        if char in "({":
            depth += 1
        elif char in ")}":
            depth -= 1
        elif char == ":" and depth == 0:
            pattern, equals, replacement = body[i + 1 :].partition("=")
            return (body[:i], (pattern, replacement)) if equals else (body, None)
    return body, None


def _patsubst_word(pattern: str, replacement: str, word: str) -> str:
    prefix, percent, suffix = pattern.partition("%")
    if not percent:
        return replacement if word == pattern else word
    if len(word) >= len(prefix) + len(suffix) and word.startswith(prefix) and word.endswith(suffix):
        stem = word[len(prefix) : len(word) - len(suffix)]
        return replacement.replace("%", stem, 1) if "%" in replacement else replacement
    return word


def _matches(pattern: str, word: str) -> bool:
    return _patsubst_word(pattern, "\x01", word) == "\x01"


def _text_function(name: str, args: list[str]) -> str:
    """The functions that only rearrange text, with every argument known."""
    args = args + [""] * (3 - len(args))
    first, second, third = args[0], args[1], args[2]
    words = first.split()
    if name == "subst":
        return third.replace(first, second) if first else third
    if name == "patsubst":
        return " ".join(_patsubst_word(first.strip(), second.strip(), word) for word in third.split())
    if name == "strip":
        return " ".join(words)
    if name == "findstring":
        return first if first in second else ""
    if name in ("filter", "filter-out"):
        keep = name == "filter"
        return " ".join(w for w in second.split() if any(_matches(p, w) for p in words) == keep)
    if name == "sort":
        return " ".join(sorted(set(words)))
    if name == "word":
        index = _number(first)
        return " ".join(second.split()[index - 1 : index]) if index else ""
    if name == "wordlist":
        start, end = _number(first), _number(second)
        return " ".join(third.split()[start - 1 : end]) if start else ""
    if name == "words":
        return str(len(words))
    if name in ("firstword", "lastword"):
        return (words[0] if name == "firstword" else words[-1]) if words else ""
    if name in ("dir", "notdir", "suffix", "basename"):
        return " ".join(filter(None, (_file_part(name, word) for word in words)))
    if name in ("addsuffix", "addprefix"):
        return " ".join(word + first if name == "addsuffix" else first + word for word in second.split())
    if name == "join":
        other = second.split()
        size = max(len(words), len(other))
        return " ".join((words + [""] * size)[i] + (other + [""] * size)[i] for i in range(size))
    return UNKNOWN


def _number(text: str) -> int:
    return int(text) if text.strip().isdigit() else 0


def _file_part(name: str, word: str) -> str:
    slash = word.rfind("/") + 1
    dot = word.rfind(".")
    if name == "dir":
        return word[:slash] or "./"
    if name == "notdir":
        return word[slash:]
    has_suffix = dot >= slash and dot != -1
    if name == "suffix":
        return word[dot:] if has_suffix else ""
    return word[:dot] if has_suffix else word
