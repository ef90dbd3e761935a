"""Makefile recipes are checked as the commands make runs: the variables and `$(call …)` macros the
Makefile defines are resolved from its own text, and what only the run knows stays one unknown word in an
argument and an unknown program where the shell looks for one. The commands make runs while it reads the
file (`$(shell …)`, `VAR != …`) are checked as shell too."""

import pytest

from blastguard.api import check_text
from blastguard.context import Context
from blastguard.frontends.makefile import MakefileFrontend
from blastguard.model import Severity
from blastguard.sources import Source


def _document(makefile: str):
    return MakefileFrontend().parse(Source("Makefile", makefile, "makefile", Context()))


def _recipes(makefile: str) -> list[str]:
    return [child.source.text for child in _document(makefile).recipes]


def _commands(makefile: str) -> list[str]:
    """What `$(shell …)` and `VAR != …` run while make reads the file."""
    return [child.source.text for child in _document(makefile).commands]


def _findings(makefile: str) -> list[tuple[str, int, int]]:
    found = check_text(makefile, filename="Makefile")
    return [(f.rule_id, f.region.start_line, f.region.start_column) for f in found if f.suppression is None]


def _severities(makefile: str) -> list[tuple[str, int, int, Severity]]:
    found = check_text(makefile, filename="Makefile")
    return [(f.rule_id, f.region.start_line, f.region.start_column, f.severity) for f in found if f.suppression is None]


# Destructive commands named through what the Makefile defines: each must be reported at its recipe line.
@pytest.mark.parametrize(
    ("makefile", "expected"),
    [
        ("RM_ALL = rm -rf\n\nwipe:\n\t$(RM_ALL) /\n", ("SH301", 4, 2)),
        ("TF = terraform\n\nteardown:\n\t@$(TF) destroy -auto-approve\n", ("SH101", 4, 3)),
        ("wipe:\n\t$(RM_ALL) /\n\nRM_ALL := rm -rf\n", ("SH301", 2, 2)),  # defined after the rule
        ("export TF ?= terraform\n\nteardown:\n\t${TF} destroy -auto-approve\n", ("SH101", 4, 2)),
        ("override RM_ALL = rm\nRM_ALL += -rf\n\nwipe:\n\t$(RM_ALL) /\n", ("SH301", 5, 2)),
        ("define nuke\n\trm -rf $(1)\nendef\n\nwipe:\n\t$(call nuke,/)\n", ("SH301", 6, 2)),
        ("nuke = $(2) -rf $(1)\n\nwipe:\n\t$(call nuke,/,rm)\n", ("SH301", 4, 2)),
        ("TOOL = TF\nTF = terraform\n\nteardown:\n\t$($(TOOL)) destroy -auto-approve\n", ("SH101", 5, 2)),
        ("teardown: TF = terraform\nteardown:\n\t$(TF) destroy -auto-approve\n", ("SH101", 3, 2)),
        ("wipe:\n\t$(if $(FORCE),rm -rf /,echo would wipe /)\n", ("SH301", 2, 2)),  # the run picks the branch
        ("wipe:\n\t$(if $(FORCE),echo would wipe /,rm -rf /)\n", ("SH301", 2, 2)),
        ("wipe: ; $(RM) -r /\n", ("SH301", 1, 9)),
    ],
)
def test_destructive_commands_named_by_the_makefile_are_reported(makefile, expected):
    assert expected in _findings(makefile)


# Their look-alikes: everyday recipes whose programs the Makefile (or make itself) names.
@pytest.mark.parametrize(
    "makefile",
    [
        "sub:\n\t$(MAKE) -C sub all\n",
        "prog: main.o util.o\n\t$(CC) -o $@ $^\n",
        'log = @echo "==> $(1)"\n\nbuild:\n\t$(call log,building)\n',
        "PYTHON ?= python3\n\ntest:\n\t$(PYTHON) -m pytest\n",
        "BUILDDIR = _build\n\nclean:\n\trm -rf $(BUILDDIR)/*\n",
        "TF = terraform\n\nplan:\n\t$(TF) plan -out=tfplan\n",
        "VERSION := $(shell git describe --tags)\n\nrelease:\n\techo $(VERSION)\n",
    ],
)
def test_everyday_recipes_stay_clean(makefile):
    assert _findings(makefile) == []


def test_rm_from_make_defaults_is_still_checked():
    # `$(RM)` is make's `rm -f`: a real delete, checked like one.
    assert ("SH301", 2, 2) in _findings("clean:\n\t$(RM) -r ~\n")


def test_home_from_the_environment_is_the_home_folder():
    # make imports HOME from the environment: `rm -rf $(HOME)` deletes the home folder, as `rm -rf $HOME` does.
    assert _recipes("clean:\n\t$(RM) -r $(HOME)\n") == ["rm -f -r ${HOME}\n"]
    assert ("SH301", 2, 2) in _findings("clean:\n\t$(RM) -r $(HOME)\n")
    assert ("SH301", 2, 2) in _findings("clean:\n\trm -rf $(HOME)\n")
    # One the Makefile defines is its value; an unknown one of another name stays an argument of its own.
    assert _findings("HOME = build\nclean:\n\trm -rf $(HOME)\n") == []
    assert _findings("clean:\n\trm -rf $(CACHE_DIR)\n") == []


@pytest.mark.parametrize(
    ("makefile", "recipe"),
    [
        # `=` is expanded when the recipe runs, `:=` when the line is read.
        ("A = $(B)\nC := $(B)\nB = x\nall:\n\techo $(A) $(C)\n", "echo x MAKEVALUE\n"),
        ("A ?= one\nA ?= two\nall:\n\techo $(A)\n", "echo one\n"),
        ("A = one\nA += $(B)\nB = two\nall:\n\techo $(A)\n", "echo one two\n"),
        ("A := one\nA += $(B)\nB = two\nall:\n\techo $(A)\n", "echo one MAKEVALUE\n"),
        ("A ::= one\nall:\n\techo $(A) ${A}\n", "echo one one\n"),
        ("A != ls\nall:\n\techo $(A)\n", "echo MAKEVALUE\n"),
        ("A = x # note\nall:\n\techo $(A)|\n", "echo x|\n"),
        ("A = a \\\n    b\nall:\n\techo $(A)\n", "echo a b\n"),
        ("SRCS = a.c b.c\nall:\n\techo $(SRCS:.c=.o) $(SRCS:%.c=obj/%.o)\n", "echo a.o b.o obj/a.o obj/b.o\n"),
        ("CFLAGS += -O2\nall:\n\t$(CC) $(CFLAGS) -c x.c\n", "cc -O2 -c x.c\n"),
        ("CC += -m32\nall:\n\t$(CC) -c x.c\n", "cc -m32 -c x.c\n"),
        ("A = one\nundefine A\nall:\n\techo $(A)\n", "echo MAKEVALUE\n"),
        # `$$` is a `$` for the shell; `$@`, `$(@D)` and the environment stay unknown.
        ("all:\n\tfor f in *; do echo $$f; done\n", "for f in *; do echo $f; done\n"),
        ("all:\n\tcp $< $(@D)/$(@F) $(DESTDIR)\n", "cp MAKEVALUE MAKEVALUE/MAKEVALUE MAKEVALUE\n"),
        ("X := $(shell which rm)\nall:\n\t$(X) -rf build\n", "${X} -rf build\n"),  # an unknown program
        # Functions whose result the text decides.
        ("all:\n\techo $(subst a,o,banana) $(patsubst %.c,%.o,x.c y.h)\n", "echo bonono x.o y.h\n"),
        ("all:\n\techo $(strip  a   b ) $(words a b c) $(word 2,a b c) $(firstword a b)\n", "echo a b 3 b a\n"),
        ("all:\n\techo $(filter %.c,a.c b.h) $(filter-out %.c,a.c b.h) $(sort b a b)\n", "echo a.c b.h a b\n"),
        ("all:\n\techo $(dir src/a.c b) $(notdir src/a.c) $(basename a.c) $(suffix a.c)\n", "echo src/ ./ a.c a .c\n"),
        ("all:\n\techo $(addprefix -I,a b) $(addsuffix .o,a b) $(join a b,1 2)\n", "echo -Ia -Ib a.o b.o a1 b2\n"),
        ("all:\n\techo $(foreach d,a b,$(d)/x) $(if ,yes,no) $(or ,z) $(and a,b)\n", "echo a/x b/x no z b\n"),
        ("all:\n\t$(info building)echo $(wildcard *.c) $(value CC)\n", "echo MAKEVALUE MAKEVALUE\n"),
        # A canned recipe: each of its lines loses its prefixes as a recipe line does.
        ("define steps\n@echo one\n-rm -f x\nendef\nall:\n\t$(steps)\n", "echo one\nrm -f x\n"),
        ("Q = @\nall:\n\t$(Q)echo quiet\n", "echo quiet\n"),
    ],
)
def test_make_expansion(makefile, recipe):
    assert _recipes(makefile) == [recipe]


def test_conditionals_the_file_decides_are_followed():
    makefile = (
        "MODE = release\nifeq ($(MODE),release)\n  A = fast\nelse\n  A = slow\nendif\n"
        "ifdef MODE\n  B = set\nendif\nifndef MODE\n  B = unset\nendif\n"
        "ifneq '$(MODE)' 'debug'\n  C = on\nelse ifeq ($(MODE),debug)\n  C = off\nendif\n"
        "all:\n\techo $(A) $(B) $(C)\n"
    )
    assert _recipes(makefile) == ["echo fast set on\n"]


def test_conditionals_only_the_run_decides_read_every_branch():
    # `OS` comes from the environment: both branches are read in order, as before conditionals were known.
    makefile = "ifeq ($(OS),Windows_NT)\n  DEL = del /q\nelse\n  DEL = rm -rf\nendif\nclean:\n\t$(DEL) /\n"
    assert ("SH301", 7, 2) in _findings(makefile)


def test_conditional_lines_inside_a_recipe():
    makefile = "all:\n\techo start\nifeq (a,b)\n\trm -rf /\nelse\n\techo safe\nendif\n\techo end\n"
    assert _recipes(makefile) == ["echo start\necho safe\necho end\n"]


def test_a_branch_only_the_run_picks_is_read_without_repeating_the_other_lines():
    makefile = "all:\n\trm -rf /tmp/x\n\techo $(if $(V),loud,quiet)\n"
    assert _recipes(makefile) == ["rm -rf /tmp/x\necho loud\n", "echo quiet\n"]


def test_self_reference_and_runaway_expansion_end():
    assert _recipes("A = $(A) x\nall:\n\techo $(A)\n") == ["echo MAKEVALUE x\n"]
    doubling = "".join(f"V{n} = $(V{n + 1})$(V{n + 1})\n" for n in range(40)) + "V40 = x\nall:\n\techo $(V0)\n"
    [recipe] = _recipes(doubling)
    assert recipe.startswith("echo ") and len(recipe) < 200_000


def test_positions_point_into_the_makefile():
    makefile = "TF = terraform\nENV = prod\n\nteardown:\n\t@$(TF) destroy -auto-approve -var env=$(ENV)\n"
    [child] = MakefileFrontend().parse(Source("Makefile", makefile, "makefile", Context())).children()
    text = child.source.text
    assert text == "terraform destroy -auto-approve -var env=prod\n"
    assert makefile[child.offsets[text.index(" destroy")] :].startswith(" destroy -auto-approve -var env=")
    assert makefile[child.offsets[text.index("prod")]] == "$"
    assert ("SH101", 5, 3) in _findings(makefile)


# An unknown value where the shell looks for the program: the unknown program it is, under SH900's policy for
# a repository check (asked about only when its arguments look destructive).
@pytest.mark.parametrize(
    ("makefile", "expected"),
    [
        ("teardown:\n\t$(TF) destroy -auto-approve\n", ("SH900", 2, 2)),
        ("wipe:\n\t@$(UNDEFINED) -rf /\n", ("SH900", 2, 3)),
        ("teardown:\n\tcd infra && sudo -E $(TF) destroy -auto-approve\n", ("SH900", 2, 22)),
        ("wipe:\n\tfor d in a b; do \\\n\t  $(TOOL) -rf $$d; done\n", ("SH900", 3, 4)),
        ("X := $(shell which terraform)\nteardown:\n\t$(X) destroy -auto-approve\n", ("SH900", 3, 2)),
        # The shell's own TF is not make's: the recipe cannot choose what `$(TF)` runs.
        ("teardown:\n\tTF=echo; $(TF) destroy -auto-approve\n", ("SH900", 2, 11)),
        ("teardown:\n\tfor TF in echo; do $(TF) destroy -auto-approve; done\n", ("SH900", 2, 21)),
    ],
)
def test_an_unknown_program_that_could_destroy_is_asked_about(makefile, expected):
    assert (*expected, Severity.WARNING) in _severities(makefile)


@pytest.mark.parametrize(
    "makefile",
    [
        "build:\n\t$(PYTHON) setup.py build\n",
        "plan:\n\t$(TF) plan -out=tfplan\n",
        "teardown:\n\tTF=echo; $(TF) --version\n",
    ],
)
def test_an_unknown_program_with_harmless_arguments_is_only_noted(makefile):
    found = _severities(makefile)
    assert [rule for rule, *_ in found] == ["SH900"]
    assert all(severity == Severity.NOTE for *_, severity in found)


def test_an_unknown_program_is_a_shell_variable_and_an_unknown_argument_a_plain_word():
    recipe = "all:\n\t$(TF) apply $(PLAN); echo '$(TF)' \"$(TF)\"; X=$(TF) $(CMD) $(DIR)/*\n"
    assert _recipes(recipe) == [
        "${TF} apply MAKEVALUE; echo 'MAKEVALUE' \"MAKEVALUE\"; X=MAKEVALUE ${CMD} MAKEVALUE/*\n"
    ]
    # A name the shell text uses itself is left to it.
    assert _recipes("all:\n\tTF=echo; $(TF) x\n") == ["TF=echo; ${TF_} x\n"]
    assert _recipes("all:\n\t$(TF) x $${TF}\n") == ["${TF} x ${TF}\n"]  # the same variable, from the environment
    # Part of a value: the program word is still only known at run time.
    assert _recipes("CMD = $(TOOL) -x\nall:\n\t$(CMD) $(BIN)/tf\n") == ["${MAKE_UNKNOWN} -x MAKEVALUE/tf\n"]


# An unknown argument stays a plain word: `rm -rf $(BUILDDIR)/*` deletes below a folder the run names, as the
# shell rules read `rm -rf $BUILDDIR/*`; where the Makefile names the folder, the delete is judged by it.
@pytest.mark.parametrize(
    ("makefile", "expected"),
    [
        ("clean:\n\trm -rf $(BUILDDIR)/*\n", []),
        ("BUILDDIR = /\nclean:\n\trm -rf $(BUILDDIR)/*\n", [("SH301", 3, 2)]),
        ("clean:\n\trm -rf $(DESTDIR)$(PREFIX)/share/doc\n", []),
        ("PREFIX = /etc\nclean:\n\trm -rf $(PREFIX)\n", [("SH301", 3, 2)]),
    ],
)
def test_unknown_arguments_add_no_findings(makefile, expected):
    assert _findings(makefile) == expected


# What make runs as it reads the file is a shell command like any recipe's.
@pytest.mark.parametrize(
    ("makefile", "expected"),
    [
        ("X := $(shell rm -rf ~)\n", ("SH301", 1, 14)),
        ("HOME_DIR := ~\nX := $(shell rm -rf $(HOME_DIR))\n", ("SH301", 2, 14)),
        ("X = $(shell rm -rf ~)\n", ("SH301", 1, 13)),
        ("X != rm -rf ~\n", ("SH301", 1, 6)),
        ("X := $(strip $(shell rm -rf ~))\n", ("SH301", 1, 22)),
        ("ifeq ($(shell rm -rf ~),)\nendif\n", ("SH301", 1, 15)),
        ("all: $(shell rm -rf ~)\n\techo done\n", ("SH301", 1, 14)),
        ("all:\n\techo $(shell rm -rf ~)\n", ("SH301", 2, 15)),
        ("define setup\n$(shell rm -rf ~)\nendef\n", ("SH301", 2, 9)),
        ("-include $(shell rm -rf ~)\n", ("SH301", 1, 18)),
        ("TF = terraform\nOUT := $(shell $(TF) destroy -auto-approve)\n", ("SH101", 2, 16)),
    ],
)
def test_commands_make_runs_while_reading_are_checked(makefile, expected):
    assert expected in _findings(makefile)


@pytest.mark.parametrize(
    "makefile",
    [
        "X := $(shell rm -rf build)\n",
        "X != git describe --tags\n",
        "SRCS := $(shell find src -name '*.c')\nall:\n\techo $(SRCS)\n",
        "ifeq ($(shell uname -s),Linux)\n  LIBS = -ldl\nendif\n",
        "# X := $(shell rm -rf ~)\n",
        "ifeq (a,b)\n  X := $(shell rm -rf ~)\nendif\n",  # a branch make does not read
        "all:\n\techo $$(shell rm -rf ~)\n",  # `$$(` is the shell's command substitution of a `shell` program
    ],
)
def test_commands_make_runs_while_reading_stay_clean_when_harmless(makefile):
    assert _findings(makefile) == []


def test_a_command_make_runs_keeps_its_place_in_the_makefile():
    makefile = "D := build\nX := $(shell rm -rf $(D) && echo ok)\n"
    [child] = _document(makefile).commands
    assert child.source.text == "rm -rf build && echo ok\n"
    assert makefile[child.offsets[0] :].startswith("rm -rf $(D)")
    assert makefile[child.offsets[child.source.text.index("build")]] == "$"
