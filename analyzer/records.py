"""Value classes without `dataclasses`: the one style for every record in blastguard.

`blastguard hook` runs before every tool call of an agent, and its budget is a few tens of
milliseconds. Importing `dataclasses` costs about 14 ms (it pulls in `inspect`), so records are
declared with the `record` decorator instead, which reads the same annotations:

    @record(frozen=True)
    class Region(Record):
        start_line: int
        end_line: int = 0
        tags: list = factory(list)     # a fresh list per instance
        _cache: dict | None = None     # private: not an argument, not compared, reset by replace

It gives the class `__slots__`, an `__init__` taking the public fields in order (keyword-only with
`kw_only=True`; `__post_init__` is called when defined), a repr, equality and hashing by value
(by identity with `identity=True`), and `replace(**changes)`, which builds the copy through
`__init__` so derived state is recomputed. `frozen=True` forbids assignment after `__init__` (pickle
and copy still restore the slots). An `__init__` written in the class body is kept: for the few
classes made per word on the hook's hot path; it must accept every public field by name.

`Record`, the base, is `object` at run time: it only declares `replace` to a type checker, which
reads the rest from `record` (`dataclass_transform`).
"""

from __future__ import annotations

TYPE_CHECKING = False  # `typing` costs an agent hook milliseconds; a type checker takes this as true
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TypeVar, overload

    from typing_extensions import Self, dataclass_transform

    _T = TypeVar("_T")

    class Record:
        """What `record` adds that a type checker cannot infer. Every record derives from it; at run
        time it is `object`, so it adds nothing."""

        def replace(self, **changes: Any) -> Self: ...

    _R = TypeVar("_R", bound=Record)

    def factory(make: Callable[[], _T], /) -> _T:
        """The checker sees the default `factory` makes, not the factory."""
        ...

else:
    Record = object

    class factory:
        """A default made fresh for each instance (`dataclasses.field(default_factory=...)`)."""

        __slots__ = ("make",)

        def __init__(self, make) -> None:
            self.make = make


_MISSING = object()


if TYPE_CHECKING:
    # The decorator used bare and with arguments. `dataclass_transform` tells the type checker which
    # `__init__`, equality and frozenness `record` builds from the annotations, as `dataclass` would.
    # Unlike `dataclass`, private fields are not arguments: the checker accepts them, the record not.
    @overload
    @dataclass_transform()
    def record(cls: type[_R], /) -> type[_R]: ...

    @overload
    def record(
        *, frozen: bool = False, identity: bool = False, kw_only: bool = False
    ) -> Callable[[type[_R]], type[_R]]: ...


def record(cls=None, /, *, frozen: bool = False, identity: bool = False, kw_only: bool = False):
    if cls is None:
        return lambda klass: _build(klass, frozen, identity, kw_only)
    return _build(cls, frozen, identity, kw_only)


def _build(cls, frozen: bool, identity: bool, kw_only: bool):
    inherited = getattr(cls, "__record_fields__", ())
    own = [name for name in _own_annotations(cls) if name not in inherited]
    fields = (*inherited, *(n for n in own if not n.startswith("_")))
    private = (*getattr(cls, "__record_private__", ()), *(n for n in own if n.startswith("_")))
    defaults = {**getattr(cls, "__record_defaults__", {})}
    namespace = {k: v for k, v in cls.__dict__.items() if k not in own and k not in ("__dict__", "__weakref__")}
    for name in own:
        if name in cls.__dict__:
            defaults[name] = cls.__dict__[name]
    if not kw_only:
        for before, after in zip(fields, fields[1:]):
            if before in defaults and after not in defaults:
                raise TypeError(f"{cls.__name__}: field {after!r} without a default follows one with a default")
    namespace["__slots__"] = tuple(own)
    namespace["__record_fields__"] = fields
    namespace["__record_private__"] = private
    namespace["__record_defaults__"] = defaults
    namespace.setdefault("__repr__", _repr)
    if identity:
        namespace.setdefault("__eq__", object.__eq__)
        namespace.setdefault("__hash__", object.__hash__)
    else:
        namespace.setdefault("__eq__", _eq)
        namespace.setdefault("__hash__", _hash_frozen if frozen else _hash_values)
    if frozen:
        namespace["__setattr__"] = _refuse_set
        namespace["__delattr__"] = _refuse_set
    namespace["replace"] = _replace
    namespace["__setstate__"] = _setstate  # unpickling (a source sent to a check worker) may not assign
    built = type(cls)(cls.__name__, cls.__bases__, namespace)
    if "__init__" not in namespace:  # a hand-written one is kept
        built.__init__ = _first_init(built, kw_only)
    return built


def _first_init(cls, kw_only: bool):
    """Builds the class's `__init__` when the first instance is made: a hook imports many record
    classes it never instantiates."""

    def __init__(self, *args, **kwargs):
        cls.__init__ = init = _make_init(cls, kw_only)
        init(self, *args, **kwargs)

    return __init__


# A class made this many times gets a compiled `__init__` (~3x faster than the generic one): compiling
# costs ~0.05 ms, more than a hook call's few instances of a class would save.
COMPILE_AFTER = 200


def _own_annotations(cls) -> dict:
    annotations = cls.__dict__.get("__annotations__")
    if annotations is None:  # Python 3.14 computes them on first access
        annotations = getattr(cls, "__annotations__", {})
        if any(annotations is getattr(base, "__annotations__", None) for base in cls.__mro__[1:]):
            return {}
    return annotations


def _make_init(cls, kw_only: bool):
    """One generic `__init__` per class: compiling a tailored one costs an agent hook ~0.1 ms a class.

    It fills a copy of the row of defaults from the arguments and stores it through the slots'
    descriptors (so it also fills a frozen record): about 3x the cost of a hand-written `__init__`.
    A class made by the thousand on a hot path may write its own (the decorator keeps it; in a frozen
    class it must store with `object.__setattr__`)."""
    class_name = cls.__name__
    fields, private, defaults = cls.__record_fields__, cls.__record_private__, cls.__record_defaults__
    setters = tuple(getattr(cls, name).__set__ for name in fields)
    private_setters = tuple((getattr(cls, name).__set__, defaults.get(name)) for name in private)
    count = len(fields)
    positional = 0 if kw_only else count
    template = [defaults.get(name, _MISSING) for name in fields]
    column = {name: i for i, name in enumerate(fields)}
    required = tuple(i for i, default in enumerate(template) if default is _MISSING)
    fresh = tuple((i, default) for i, default in enumerate(template) if type(default) is factory)
    post = getattr(cls, "__post_init__", None)  # a subclass with its own is decorated too, so gets its own init
    made = 0

    def __init__(self, *args, **kwargs):
        nonlocal made
        made += 1
        if made == COMPILE_AFTER:
            cls.__init__ = _compile_init(cls, kw_only)
        given = len(args)
        if given > positional:
            raise TypeError(f"{class_name}() takes {positional} positional arguments but {given} were given")
        row = args
        if kwargs or given < count:
            row = template.copy()
            row[:given] = args
            for name, value in kwargs.items():
                i = column.get(name, -1)
                if i < given:  # not a field (-1), or given positionally too
                    raise TypeError(f"{class_name}() got an unexpected or repeated argument {name!r}")
                row[i] = value
            for i in required:
                if row[i] is _MISSING:
                    raise TypeError(f"{class_name}() missing required argument {fields[i]!r}")
            for i, default in fresh:
                if row[i] is default:
                    row[i] = default.make()
        for store, value in zip(setters, row):
            store(self, value)
        if private_setters:
            for store, default in private_setters:
                store(self, default.make() if type(default) is factory else default)
        if post is not None:
            post(self)

    return __init__


def _compile_init(cls, kw_only: bool):
    """A straight-line `__init__` for a class made often: what the generic one does, without its loops."""
    fields, private, defaults = cls.__record_fields__, cls.__record_private__, cls.__record_defaults__
    frozen = cls.__setattr__ is _refuse_set
    scope: dict = {}
    params, body = [], []
    for name in (*fields, *private):
        scope[f"_set_{name}"] = getattr(cls, name).__set__  # the slot's own store: it fills a frozen record too
    for name in fields:
        default = defaults.get(name, _MISSING)
        if default is _MISSING:
            params.append(name)
        else:
            scope[f"_default_{name}"] = default
            params.append(f"{name}=_default_{name}")
            if type(default) is factory:
                body.append(f"if {name} is _default_{name}: {name} = _default_{name}.make()")
        body.append(f"_set_{name}(self, {name})" if frozen else f"self.{name} = {name}")
    for name in private:
        default = defaults.get(name)
        scope[f"_default_{name}"] = default
        value = f"_default_{name}.make()" if type(default) is factory else f"_default_{name}"
        body.append(f"_set_{name}(self, {value})")
    if getattr(cls, "__post_init__", None) is not None:
        body.append("self.__post_init__()")
    signature = ", ".join(["self", *(["*"] if kw_only and params else []), *params])
    source = f"def __init__({signature}):\n" + "".join(f"    {line}\n" for line in body or ["pass"])
    exec(source, scope)  # built from the class's own field names
    return scope["__init__"]


def _values(self) -> tuple:
    return tuple(getattr(self, name) for name in self.__record_fields__)


def _repr(self) -> str:
    shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__record_fields__)
    return f"{type(self).__name__}({shown})"


def _eq(self, other) -> bool:
    if type(other) is not type(self):
        return NotImplemented
    return _values(self) == _values(other)


def _hash_frozen(self) -> int:
    return hash(_values(self))


# A mutable record hashed by value would change its hash when changed: like dataclasses, it has none.
_hash_values = None


def _refuse_set(self, name, value=None):
    raise AttributeError(f"{type(self).__name__} is frozen: use replace() to change {name!r}")


def _setstate(self, state) -> None:
    # pickle gives a slotted object's state as (None, {slot: value})
    if isinstance(state, tuple):
        state = {**(state[0] or {}), **(state[1] or {})}
    for name, value in state.items():
        object.__setattr__(self, name, value)


def _replace(self, **changes):
    """A copy with `changes` applied, made through `__init__` (as `dataclasses.replace` does)."""
    values = {name: getattr(self, name) for name in self.__record_fields__}
    values.update(changes)
    return type(self)(**values)
