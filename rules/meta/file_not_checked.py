"""BG005 file-not-checked: a file, or a statement in it, that blastguard could not check."""

from blastguard.examples import Example
from blastguard.model import Severity
from blastguard.rule import Rule

# Python nested deeper than libcst can parse without overflowing its stack (see frontends.python.depth).
_TOO_DEEP = "import os\nos.system(" + "(" * 201 + "'ls'" + ")" * 201 + ")\n"
_CHAINED = "import os\nos.system(cmd" + " + cmd" * 1001 + ")\n"

RULE = Rule(
    id="BG005",
    name="file-not-checked",
    language="any",
    example_language="python",
    meta=True,
    severity=Severity.WARNING,
    summary="A file, or a statement in it, could not be checked, so what it runs is unknown.",
    rationale=(
        "A file the guard could not read is not a clean file. Three things stop a check: bytes that are "
        "not text in a file whose name says it is read (a `.sql` holding binary data, a binary change "
        "in a patch, Python that is neither UTF-8 nor in the encoding its coding line declares), a statement "
        "nested or chained so deeply that parsing it would overflow the parser's stack (more than 200 "
        "brackets inside each other, which Python itself refuses to compile, or more than 1000 "
        "operators in one expression), and a crash of the check itself, such as a native parser "
        "dying on an input it mishandles; the other files of the scan are still checked. Reporting "
        "this as a finding makes a CI run that fails on warnings fail, and a hook ask, rather than "
        "pass something nobody looked at."
    ),
    fix="Split the statement into smaller ones; if the check crashed, report the file's content to the blastguard maintainers.",
    flag=(
        Example(
            _TOO_DEEP,
            region=(2, 1, 2, 418),
            severity=Severity.WARNING,
            message="This part was not checked: nesting deeper than 200 brackets",
        ),
        _CHAINED,
    ),
    clean=(
        "import os\nos.system(" + "(" * 150 + "'ls'" + ")" * 150 + ")\n",
        "import os\nos.system(cmd" + " + cmd" * 500 + ")\n",
        "import os\nos.system('ls')\nNUMBERS = [" + ", ".join(str(-n) for n in range(2000)) + "]\n",
    ),
    precision="very-high",
    tags=("reliability",),
)
