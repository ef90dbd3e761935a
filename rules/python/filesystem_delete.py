"""PY301 filesystem-delete: deleting the root, the home directory, or a system or data directory."""

from __future__ import annotations

from blastguard.examples import Example
from blastguard.model import Severity
from blastguard.rule import Hit, Rule
from blastguard.rules._paths import dangerous_target

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.python.calls import Call
    from blastguard.frontends.python.frontend import PythonDocument

# Functions that delete the path given as their first argument.
_DELETES = {
    "shutil.rmtree": "recursively deletes",
    "os.removedirs": "deletes",
    "os.rmdir": "deletes",
    "os.remove": "deletes",
    "os.unlink": "deletes",
}
# pathlib methods that delete the path they are called on.
_PATH_METHODS = {"unlink": "deletes", "rmdir": "deletes", "rmtree": "recursively deletes"}
_FIX = "Delete only the paths you mean, spelled out, and never a path that can resolve to a system, home or data directory."


def check(call: Call, document: PythonDocument) -> Iterator[Hit]:
    if call.name in _DELETES:
        target, verb = call.argument(0, "path"), _DELETES[call.name]
    elif call.method in _PATH_METHODS and call.receiver is not None:
        target, verb = call.receiver, _PATH_METHODS[call.method]
    else:
        return
    value = document.string(target, call) if target is not None else None
    if value is None:
        return  # not a path this check can read: a tempfile, a parameter, an object
    path = "".join("~" if p.kind == "home" else p.text for p in value.pieces)
    what = dangerous_target(path, value.literal or _home_only(value), None)
    if what:
        yield Hit(*call.span(), f"This {verb} {what}. {_FIX}")


def _home_only(value) -> bool:
    """`Path.home()`, maybe followed by literal parts: known, though not written as a literal."""
    return bool(value.pieces) and value.pieces[0].kind == "home" and all(p.kind == "text" for p in value.pieces[1:])


RULE = Rule(
    id="PY301",
    name="filesystem-delete",
    language="python",
    severity=Severity.ERROR,
    summary="Python code that deletes the root, the home directory, or a system or data directory.",
    rationale=(
        '`shutil.rmtree` of `/`, of the home directory (`Path.home()`, `os.path.expanduser("~")`, '
        '`os.environ["HOME"]`), of `/etc` or `/var/lib/postgresql` destroys a machine or its data, exactly '
        "like `rm -rf`. The same paths are judged as for shell deletes, whether written out, built with "
        "`os.path.join` or pathlib's `/`, or held in a constant. Deleting a temporary directory, a build "
        "folder or a path only known at run time is not a finding."
    ),
    fix=_FIX,
    flag=(
        Example(
            'import shutil\nshutil.rmtree("/")',
            flagged='shutil.rmtree("/")',
            severity=Severity.ERROR,
            message="This recursively deletes the whole filesystem (/).",
        ),
        'import os, shutil\nshutil.rmtree(os.path.expanduser("~"))',
        "import shutil\nfrom pathlib import Path\nshutil.rmtree(Path.home())",
        'import os, shutil\nshutil.rmtree(os.environ["HOME"])',
        'import shutil\nDATA = "/var/lib/postgresql/15/main"\nshutil.rmtree(DATA)',
        'import os, shutil\nshutil.rmtree(os.path.join("/var/lib", "mysql"))',
        'import os\nos.remove("/var/lib/mysql/ibdata1")',
        'from pathlib import Path\nPath("/etc").rmdir()',
    ),
    clean=(
        "import shutil, tempfile\nshutil.rmtree(tempfile.mkdtemp())",
        "import shutil, tempfile\ntmp = tempfile.mkdtemp()\nshutil.rmtree(tmp)",
        'import shutil\nshutil.rmtree("build")',
        'import shutil\nfrom pathlib import Path\nshutil.rmtree(Path.home() / ".cache" / "myapp")',
        'import os\nos.remove("/etc/nginx/conf.d/default.conf")',
        "import shutil\ndef clean(path):\n    shutil.rmtree(path)",
        "print(\"shutil.rmtree('/')\")",
        'items.remove("/")',
    ),
    check=check,
    escalates=True,
    keywords=("rmtree", "remove", "unlink", "rmdir", "removedirs"),
    precision="high",
    tags=("data-loss", "filesystem"),
)
