"""When two constraint names stand for the same constraint: read alike by the SQL and the Alembic readings."""

from __future__ import annotations

# Suffixes that naming conventions give one kind of constraint (PostgreSQL's `_key`, SQLAlchemy's `_uq`).
_SUFFIX_KINDS = (
    frozenset({"uq", "key", "unique", "uniq", "ukey"}),
    frozenset({"fk", "fkey"}),
    frozenset({"pk", "pkey"}),
    frozenset({"check", "ck", "chk"}),
)


def same_constraint(one: str, other: str) -> bool:
    """The same name, or the same stem with suffixes for the same kind (`dag_run_dag_id_run_id_uq` and
    `dag_run_dag_id_run_id_key`)."""
    if one == other:
        return True
    stem, _, suffix = one.rpartition("_")
    other_stem, _, other_suffix = other.rpartition("_")
    return bool(stem) and stem == other_stem and any({suffix, other_suffix} <= kind for kind in _SUFFIX_KINDS)
