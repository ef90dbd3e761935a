"""The `record` decorator: the one way blastguard declares a value class."""

import copy
import pickle

import pytest

from blastguard.records import factory, record


@record
class Span:
    start: int
    end: int = 0
    tags: list = factory(list)


@record(frozen=True)
class Point:
    x: int
    y: int = 0


@record(frozen=True)
class Box:
    low: int
    high: int
    size: int = 0  # derived: always recomputed

    def __post_init__(self) -> None:
        object.__setattr__(self, "size", self.high - self.low)


@record(kw_only=True)
class Options:
    name: str
    verbose: bool = False


@record(identity=True)
class Node:
    label: str


@record
class Cached:
    text: str
    _length: int | None = None  # private: not an argument, not compared, reset by replace
    _seen: list = factory(list)

    @property
    def length(self) -> int:
        if self._length is None:
            self._length = len(self.text)
        return self._length


def test_defaults_and_positional_or_keyword_arguments():
    assert (Span(1).start, Span(1).end) == (1, 0)
    assert Span(1, 2) == Span(start=1, end=2) == Span(1, end=2)
    with pytest.raises(TypeError, match="missing required argument 'start'"):
        Span()
    with pytest.raises(TypeError, match="unexpected or repeated argument 'stop'"):
        Span(1, stop=2)
    with pytest.raises(TypeError, match="unexpected or repeated argument 'start'"):
        Span(1, start=2)
    with pytest.raises(TypeError, match="takes 3 positional arguments but 4 were given"):
        Span(1, 2, [], 4)


def test_a_factory_default_is_made_fresh_for_each_instance():
    first, second = Span(1), Span(2)
    first.tags.append("x")
    assert second.tags == []
    assert Span(3, 4, ["given"]).tags == ["given"]


def test_kw_only_refuses_positional_arguments():
    assert Options(name="a").verbose is False
    with pytest.raises(TypeError, match="takes 0 positional arguments"):
        Options("a")


def test_frozen_refuses_assignment_and_deletion_but_replace_makes_a_changed_copy():
    point = Point(1, 2)
    with pytest.raises(AttributeError, match="frozen"):
        point.x = 5
    with pytest.raises(AttributeError, match="frozen"):
        del point.y
    moved = point.replace(y=7)
    assert (moved, point) == (Point(1, 7), Point(1, 2))


def test_replace_goes_through_init_so_post_init_recomputes_derived_state():
    box = Box(2, 5)
    assert box.size == 3
    assert box.replace(high=10).size == 8


def test_replace_resets_private_state_and_refuses_unknown_fields():
    cached = Cached("abc")
    assert cached.length == 3
    cached._seen.append(1)
    copy = cached.replace(text="abcdef")
    assert (copy.length, copy._seen) == (6, [])
    assert Cached("abc") == cached  # private fields are not compared
    assert "_length" not in repr(cached)
    with pytest.raises(TypeError):
        cached.replace(_length=5)  # private fields are not arguments


def test_value_equality_and_hashing():
    assert Point(1, 2) == Point(1, 2) and Point(1, 2) != Point(2, 1)
    assert hash(Point(1, 2)) == hash(Point(1, 2))
    assert len({Point(1, 2), Point(1, 2), Point(0, 0)}) == 2
    assert Point(1, 2) != (1, 2)
    assert repr(Point(1, 2)) == "Point(x=1, y=2)"


def test_a_mutable_record_compares_by_value_but_is_unhashable():
    assert Span(1, 2) == Span(1, 2)
    with pytest.raises(TypeError, match="unhashable"):
        hash(Span(1, 2))


def test_identity_records_compare_and_hash_by_identity():
    first, second = Node("a"), Node("a")
    assert first != second and first == first
    assert len({first, second}) == 2
    assert first.replace() is not first


def test_a_subclass_inherits_fields_and_adds_its_own():
    @record(frozen=True)
    class Point3(Point):
        z: int = 0

    point = Point3(1, 2, 3)
    assert (point.x, point.y, point.z) == (1, 2, 3)
    assert Point3(1) == Point3(1, 0, 0)
    assert point != Point(1, 2)  # a different class
    assert point.replace(x=9) == Point3(9, 2, 3)
    assert repr(point) == "Point3(x=1, y=2, z=3)"


def test_records_have_slots_and_no_instance_dict():
    with pytest.raises(AttributeError):
        Span(1).other = 1
    assert not hasattr(Point(1), "__dict__")


def test_a_field_without_a_default_after_one_with_a_default_is_refused():
    with pytest.raises(TypeError, match="field 'end' without a default follows one with a default"):

        @record
        class Broken:
            start: int = 0
            end: int

    @record(kw_only=True)
    class Fine:  # keyword-only fields may come in any order
        start: int = 0
        end: int

    assert Fine(end=1).start == 0


def test_a_hand_written_init_is_kept_and_replace_uses_it():
    @record(identity=True)
    class Fast:
        value: str
        literal: bool = True

        def __init__(self, value: str, literal: bool = True) -> None:
            self.value, self.literal = value, literal.__bool__()

    fast = Fast("x", literal=1)
    assert fast.literal is True
    assert fast.replace(value="y").value == "y"


def test_records_survive_pickle_and_copy_private_state_included():
    # The engine's workers send findings back pickled; a frozen record must not refuse its own restore.
    cached = Cached("abc")
    assert cached.length == 3
    for original in (Point(1, 2), Box(2, 5), Span(1, 2, ["t"]), cached):
        restored = pickle.loads(pickle.dumps(original))
        assert restored == original and restored is not original
        assert copy.deepcopy(original) == original
    assert pickle.loads(pickle.dumps(cached))._length == 3
    assert pickle.loads(pickle.dumps(Node("a"))).label == "a"


def test_a_class_made_often_gets_a_compiled_init_that_behaves_the_same():
    from blastguard import records

    @record(frozen=True, kw_only=True)
    class Often:
        name: str
        size: int = 1
        tags: list = factory(list)
        _seen: list = factory(list)
        doubled: int = 0

        def __post_init__(self) -> None:
            object.__setattr__(self, "doubled", self.size * 2)

    made = [Often(name="0", size=0)]
    generic = Often.__init__  # built by the first instance
    made += [Often(name=str(n), size=n) for n in range(1, records.COMPILE_AFTER + 5)]
    assert Often.__init__ is not generic and Often.__init__.__code__.co_filename == "<string>"  # compiled
    for n, item in enumerate(made):
        assert (item.name, item.size, item.doubled, item.tags, item._seen) == (str(n), n, 2 * n, [], [])
    late = Often(name="late")
    assert (late.size, late.doubled) == (1, 2) and late.tags is not made[-1].tags
    with pytest.raises(AttributeError):
        late.size = 3
    with pytest.raises(TypeError):
        Often("positional")
    with pytest.raises(TypeError):
        Often()
    assert late.replace(size=4).doubled == 8
