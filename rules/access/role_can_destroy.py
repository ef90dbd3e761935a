"""DB101 role-can-destroy: the database role an agent connects as can delete, drop or overwrite data."""

from __future__ import annotations

import json

from blastguard.examples import Example
from blastguard.model import Severity
from blastguard.rule import Hit, Rule

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

# What is an error: the role can destroy data outright. The rest (rewriting rows, creating roles,
# privileges on tables not made yet) is a warning a person should look at.
_DESTROYS = frozenset({"SUPERUSER", "BYPASSRLS", "DELETE", "TRUNCATE", "DROP", "ALL PRIVILEGES", "SUPER", "WRITE"})


def check(start: int, end: int, capability: dict) -> Iterator[Hit]:
    what, kind, role = capability["what"], capability["kind"], capability["role"]
    where = f" on {capability['object']}" if capability["object"] else ""
    via = {"directly": "", "PUBLIC": " (granted to PUBLIC, so to every role)"}.get(
        capability["via"], f" (through the role {capability['via']})"
    )
    if kind == "attribute":
        doing = f"is {what}"
    elif kind == "owner":
        doing = f"owns {capability['object']}, so it can drop or alter it"
    elif kind == "writable-file":
        doing = f"can write the database file {capability['object']}"
    elif kind == "default-privilege":
        doing = f"will get {what}{where} on every table created there"
    else:
        doing = f"has {what}{where}"
    destroys = kind in ("owner", "writable-file") or (kind != "default-privilege" and what in _DESTROYS)
    yield Hit(
        start,
        end,
        f"The role {role} {doing}{via}. An agent connecting as it can destroy data that way. "
        f"Revoke it: `{capability['revoke']}`",
        Severity.ERROR if destroys else Severity.WARNING,
    )


def _line(**capability) -> str:
    base = {"engine": "postgresql", "role": "agent", "object": "", "via": "directly"}
    return json.dumps({**base, **capability})


_PUBLIC_DELETE = _line(
    kind="privilege",
    what="DELETE",
    object="public.users",
    via="PUBLIC",
    revoke="REVOKE DELETE ON public.users FROM PUBLIC;",
)

RULE = Rule(
    id="DB101",
    name="role-can-destroy",
    language="database-access",
    severity=Severity.ERROR,
    summary="The database role an agent connects as can delete, drop or overwrite data.",
    rationale=(
        "The surest guard is a role that cannot destroy anything. `blastguard access --database-url URL` "
        "connects as the agent would (read-only) and lists what that role can do: superuser and BYPASSRLS "
        "(error), CREATEROLE and replication (warning); the tables and schemas it owns, which an owner can "
        "drop (error); DELETE, TRUNCATE (error) and UPDATE (warning) on tables, granted directly, through "
        "role membership or to PUBLIC; default privileges that would grant them on tables created later "
        "(warning); on MySQL and MariaDB, global, database and table grants of DROP, DELETE, ALL and SUPER "
        "(error), ALTER and UPDATE (warning); a SQLite file the process can write (error). Each finding "
        "gives the REVOKE (or ALTER) statement that takes it away. A role that can only read gets no "
        "finding. The collected capabilities can be saved as a `*.blastguard-access.jsonl` file and "
        "checked again."
    ),
    fix="Connect the agent as a role that can only read; revoke what the finding names.",
    flag=(
        Example(
            _PUBLIC_DELETE,
            flagged=_PUBLIC_DELETE,
            severity=Severity.ERROR,
            message="The role agent has DELETE on public.users (granted to PUBLIC, so to every role).",
        ),
        Example(
            _line(kind="attribute", what="SUPERUSER", revoke="ALTER ROLE agent NOSUPERUSER;"),
            severity=Severity.ERROR,
            message="Revoke it: `ALTER ROLE agent NOSUPERUSER;`",
        ),
        Example(
            _line(
                kind="owner",
                what="TABLE",
                object="public.orders",
                revoke="ALTER TABLE public.orders OWNER TO app_owner;",
            ),
            severity=Severity.ERROR,
            message="owns public.orders, so it can drop or alter it",
        ),
        Example(
            _line(
                kind="privilege",
                what="UPDATE",
                object="public.users",
                via="app_writer",
                revoke="REVOKE app_writer FROM agent;",
            ),
            severity=Severity.WARNING,
            message="through the role app_writer",
        ),
        Example(
            _line(
                kind="default-privilege",
                what="DELETE",
                object="schema public",
                revoke="ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE DELETE ON TABLES FROM agent;",
            ),
            severity=Severity.WARNING,
        ),
        Example(
            _line(
                engine="sqlite",
                kind="writable-file",
                what="WRITE",
                object="/srv/app.db",
                revoke="chmod a-w /srv/app.db",
            ),
            severity=Severity.ERROR,
        ),
    ),
    clean=(
        "",  # a role that can only read: nothing collected
        "\n",
    ),
    check=check,
    precision="very-high",
    tags=("data-loss", "access"),
)
