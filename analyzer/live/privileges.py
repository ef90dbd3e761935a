"""What the role a session connects as can destroy, asked of the database's catalogue, read-only.

Each capability is one dict (see `blastguard.frontends.access`): the attribute, ownership or
privilege, the object, how the role holds it (`directly`, `PUBLIC`, or the role it inherits it from),
and the statement that takes it away. Only what can destroy or overwrite data is collected.
"""

from __future__ import annotations

import os

from blastguard.live.urls import DatabaseUrl

TYPE_CHECKING = False
if TYPE_CHECKING:
    from blastguard.live.connections import ReadOnlySession

_TABLE_PRIVILEGES = ("DELETE", "TRUNCATE", "UPDATE")

# PostgreSQL: who the session is, and its attributes.
_PG_ROLE = (
    "SELECT current_user, rolsuper, rolbypassrls, rolcreaterole, rolreplication FROM pg_roles "
    "WHERE rolname = current_user"
)
# Tables (and partitioned tables) outside the catalogues: their owner, and every ACL entry granting a
# destructive privilege to the session's role, a role it inherits from, or PUBLIC (grantee 0).
_PG_TABLES = """
SELECT n.nspname, c.relname, pg_has_role(current_user, c.relowner, 'USAGE'), pg_get_userbyid(c.relowner),
       acl.privilege_type, CASE WHEN acl.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(acl.grantee) END
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN LATERAL aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) acl
       ON acl.privilege_type IN ('DELETE', 'TRUNCATE', 'UPDATE')
      AND CASE WHEN acl.grantee = 0 THEN true ELSE pg_has_role(current_user, acl.grantee, 'USAGE') END
WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg_toast%'
ORDER BY 1, 2, 5
"""
_PG_SCHEMAS = """
SELECT nspname, pg_get_userbyid(nspowner) FROM pg_namespace
WHERE pg_has_role(current_user, nspowner, 'USAGE') AND nspname NOT IN ('pg_catalog', 'information_schema')
  AND nspname NOT LIKE 'pg_toast%' AND nspname NOT LIKE 'pg_temp%'
ORDER BY 1
"""
_PG_DEFAULTS = """
SELECT pg_get_userbyid(d.defaclrole), coalesce(n.nspname, ''), acl.privilege_type,
       CASE WHEN acl.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(acl.grantee) END
FROM pg_default_acl d
LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
CROSS JOIN LATERAL aclexplode(d.defaclacl) acl
WHERE d.defaclobjtype = 'r' AND acl.privilege_type IN ('DELETE', 'TRUNCATE', 'UPDATE')
  AND CASE WHEN acl.grantee = 0 THEN true ELSE pg_has_role(current_user, acl.grantee, 'USAGE') END
ORDER BY 1, 2, 3
"""
_PG_ATTRIBUTES = (("SUPERUSER", 1), ("BYPASSRLS", 2), ("CREATEROLE", 3), ("REPLICATION", 4))

# MySQL / MariaDB: the grants of the current account, global, per database and per table.
_MY_PRIVILEGES = ("DROP", "DELETE", "ALTER", "UPDATE", "SUPER")
_MY_LEVELS = (
    ("*.*", "SELECT PRIVILEGE_TYPE, '', '' FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = %s"),
    ("db", "SELECT PRIVILEGE_TYPE, TABLE_SCHEMA, '' FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = %s"),
    (
        "table",
        "SELECT PRIVILEGE_TYPE, TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLE_PRIVILEGES WHERE GRANTEE = %s",
    ),
)


def capabilities(session: ReadOnlySession, url: DatabaseUrl) -> list[dict]:
    """What the session's role can destroy, in a stable order."""
    if session.engine == "postgresql":
        return _postgres(session)
    if session.engine == "mysql":
        return _mysql(session)
    return _sqlite(url)


def _postgres(session) -> list[dict]:
    ((role, *flags),) = session.ask([(_PG_ROLE, ())])
    found = [
        _capability("postgresql", role, "attribute", name, "", "directly", f"ALTER ROLE {_ident(role)} NO{name};")
        for name, at in _PG_ATTRIBUTES
        if flags[at - 1]
    ]
    if flags[0]:
        return found  # a superuser can do anything: listing every table it could drop adds nothing
    seen_owner = set()
    for schema, table, owns, owner, privilege, grantee in session.ask([(_PG_TABLES, ())]):
        name = f"{_ident(schema)}.{_ident(table)}"
        if owns and name not in seen_owner:
            seen_owner.add(name)
            via = "directly" if owner == role else owner
            fix = f"ALTER TABLE {name} OWNER TO <a role the agent is not>;"
            found.append(_capability("postgresql", role, "owner", "TABLE", name, via, fix))
        if privilege is None or owns:
            continue  # an owner holds every privilege; its ownership is the finding
        via = "directly" if grantee == role else grantee
        target = "PUBLIC" if grantee == "PUBLIC" else _ident(grantee)
        found.append(
            _capability(
                "postgresql", role, "privilege", privilege, name, via, f"REVOKE {privilege} ON {name} FROM {target};"
            )
        )
    for schema, owner in session.ask([(_PG_SCHEMAS, ())]):
        via = "directly" if owner == role else owner
        fix = f"ALTER SCHEMA {_ident(schema)} OWNER TO <a role the agent is not>;"
        found.append(_capability("postgresql", role, "owner", "SCHEMA", f"schema {_ident(schema)}", via, fix))
    for creator, schema, privilege, grantee in session.ask([(_PG_DEFAULTS, ())]):
        where = f" IN SCHEMA {_ident(schema)}" if schema else ""
        target = "PUBLIC" if grantee == "PUBLIC" else _ident(grantee)
        fix = f"ALTER DEFAULT PRIVILEGES FOR ROLE {_ident(creator)}{where} REVOKE {privilege} ON TABLES FROM {target};"
        via = "directly" if grantee == role else grantee
        scope = f"schema {schema}" if schema else "every schema"
        found.append(
            _capability(
                "postgresql", role, "default-privilege", privilege, f"tables {creator} creates in {scope}", via, fix
            )
        )
    return found


def _mysql(session) -> list[dict]:
    ((account,),) = session.ask([("SELECT CURRENT_USER()", ())])
    user, _, host = account.rpartition("@")
    grantee = f"'{user}'@'{host}'"
    found = []
    for level, query in _MY_LEVELS:
        for privilege, schema, table in session.ask([(query, (grantee,))]):
            if privilege not in _MY_PRIVILEGES:
                continue
            on = {"*.*": "*.*", "db": f"`{schema}`.*", "table": f"`{schema}`.`{table}`"}[level]
            shown = "every database" if level == "*.*" else on
            fix = f"REVOKE {privilege} ON {on} FROM {grantee};"
            found.append(_capability("mysql", account, "privilege", privilege, shown, "directly", fix))
    return found


def _sqlite(url: DatabaseUrl) -> list[dict]:
    path = os.path.abspath(url.database)
    if not os.access(path, os.W_OK):
        return []
    fix = f"chmod a-w {path}  # or open it with ?mode=ro"
    return [_capability("sqlite", "this process", "writable-file", "WRITE", path, "directly", fix)]


def _capability(engine: str, role: str, kind: str, what: str, target: str, via: str, revoke: str) -> dict:
    return {"engine": engine, "role": role, "kind": kind, "what": what, "object": target, "via": via, "revoke": revoke}


def _ident(name: str) -> str:
    plain = name.isidentifier() and name == name.lower()
    return name if plain else '"' + name.replace('"', '""') + '"'
