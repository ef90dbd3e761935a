"""Small value classes for the modules an agent hook loads.

`blastguard hook` runs before every tool call of an agent, and its budget is a few tens of
milliseconds. The `dataclasses` module costs about 14 ms to import (it pulls in `inspect`) and
generates each class's methods with `exec` when the module defining it is imported; for the thirty
or so classes a shell check loads that was over half the budget. The classes on that path write
their `__init__` by hand and take the rest from `Record`: a repr, equality and hashing by value (or
by identity, with `_identity = True`), and `replace` as `dataclasses.replace` does it.

Modules outside that path (Terraform, plans, Python, reporters) keep using `dataclasses`.
"""

from __future__ import annotations


class Record:
    __slots__ = ()
    _identity = False  # compare and hash by identity (dataclasses' eq=False)

    @classmethod
    def _fields(cls) -> tuple[str, ...]:
        fields = cls.__dict__.get("_field_names")
        if fields is None:
            fields = tuple(n for klass in reversed(cls.__mro__) for n in klass.__dict__.get("__slots__", ())
                           if not n.startswith("_"))  # fmt: skip
            cls._field_names = fields
        return fields

    def _values(self) -> tuple:
        return tuple(getattr(self, name) for name in self._fields())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields())
        return f"{type(self).__name__}({shown})"

    def __eq__(self, other) -> bool:
        if self._identity:
            return self is other
        return type(other) is type(self) and other._values() == self._values()

    def __hash__(self) -> int:
        return id(self) if self._identity else hash(self._values())

    def replace(self, **changes):
        """A copy with `changes` applied (the other fields shared, as `dataclasses.replace` does)."""
        copy = object.__new__(type(self))
        for name in self._all_slots():
            if hasattr(self, name):
                object.__setattr__(copy, name, getattr(self, name))
        for name, value in changes.items():
            object.__setattr__(copy, name, value)
        return copy

    @classmethod
    def _all_slots(cls) -> tuple[str, ...]:
        return tuple(n for klass in cls.__mro__ for n in klass.__dict__.get("__slots__", ()) if not n.startswith("__"))
