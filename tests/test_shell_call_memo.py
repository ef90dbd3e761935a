"""A function call met again with the same arguments, in a shell that reads the same, is not followed again.

The budget of loop runs and calls (SH900 past it) then measures distinct calls, so a script calling its
helpers thousands of times is followed to its end; a call whose arguments, or anything its body reads,
differ is still followed and counted.
"""

from blastguard.api import check_text
from conftest import cpu_seconds


def findings(text):
    return [(f.rule_id, f.severity.label, f.region.start_line) for f in check_text(text, filename="x.sh")]


def budget_reached(text):
    return any(f.rule_id == "SH900" and "more than 2000 times" in f.message for f in check_text(text, filename="x.sh"))


def test_a_helper_called_thousands_of_times_alike_stays_within_the_budget_and_a_later_call_is_judged():
    text = 'f() { rm -rf "$1"; }\n' + "f build\n" * 5000 + "f /\n"
    started = cpu_seconds()
    assert findings(text) == [("SH301", "error", 1)]
    assert cpu_seconds() - started < 2
    assert findings('f() { rm -rf "$1"; }\n' + "f build\n" * 5000) == []


def test_calls_in_a_state_their_body_reads_differently_each_time_still_count():
    text = 'f() { rm -rf "$D"; }\n' + "".join(f"D=build{n}; f\n" for n in range(2500)) + "D=/; f\n"
    assert budget_reached(text)
    # a variable the body does not read may change between the calls
    text = 'f() { rm -rf "$D"; }\nD=build\n' + "".join(f"X={n}; f\n" for n in range(2500))
    assert not budget_reached(text)


def test_a_changed_variable_the_body_reads_is_followed():
    assert findings('f() { rm -rf "$D"; }\nD=build; f\nD=/; f\n') == [("SH301", "error", 1)]
    assert findings('f() { rm -rf "$D"; }\nD=build; f\nD=build; f\n') == []


def test_what_a_call_not_followed_again_sets_is_still_set():
    text = 'g() { T=/; }\ng\nT=build\ng\nrm -rf "$T"\n'
    assert findings(text) == [("SH301", "error", 5)]


def test_a_function_redefined_between_the_calls_is_followed():
    text = 'f() { g /; }\ng() { echo "$1"; }\nf\ng() { rm -rf "$1"; }\nf\n'
    assert findings(text) == [("SH301", "error", 4)]


def test_an_alias_redefined_between_the_calls_is_followed():
    text = "f() { x /; }\nalias x=ls\nf\nalias x='rm -rf'\nf\n"
    assert ("SH301", "error", 4) in findings(text)


def test_a_changed_environment_reaches_a_shell_the_call_starts():
    text = "f() { sh -c 'rm -rf \"$T\"'; }\nexport T=build\nf\nT=/\nf\n"
    assert ("SH301", "error", 1) in findings(text)


def test_a_call_with_other_arguments_is_followed_after_many_alike():
    text = 'f() { g "$1"; }\ng() { rm -rf "$1"; }\n' + "f build\n" * 3000 + "f ~\n"
    assert findings(text) == [("SH301", "error", 2)]


def test_calls_in_a_large_environment_finish_quickly():
    text = "".join(f"export V{n}={n}\n" for n in range(5000)) + "f() { echo x; }\n" + "f\n" * 5000 + "rm -rf /\n"
    started = cpu_seconds()
    found = findings(text)
    assert cpu_seconds() - started < 2
    assert ("SH301", "error", 10002) in found
