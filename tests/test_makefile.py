"""Makefile recipes are checked as the commands make runs: the variables and `$(call …)` macros the
Makefile defines are resolved from its own text, and what only the run knows stays one unknown word."""

import pytest

from blastguard.api import check_text
from blastguard.context import Context
from blastguard.frontends.makefile import MakefileFrontend
from blastguard.sources import Source


def _recipes(makefile: str) -> list[str]:
    document = MakefileFrontend().parse(Source("Makefile", makefile, "makefile", Context()))
    return [child.source.text for child in document.children()]


def _findings(makefile: str) -> list[tuple[str, int, int]]:
    found = check_text(makefile, filename="Makefile")
    return [(f.rule_id, f.region.start_line, f.region.start_column) for f in found if f.suppression is None]


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
    assert _recipes("clean:\n\t$(RM) -r $(HOME)\n") == ["rm -f -r MAKEVALUE\n"]
    assert ("SH301", 2, 2) in _findings("clean:\n\t$(RM) -r ~\n")


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
        ("X := $(shell which rm)\nall:\n\t$(X) -rf build\n", "MAKEVALUE -rf build\n"),
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
