"""Unit tests of hubs.policy.tagorder: pure tag selection, no registry needed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hubs.policy.tagorder import NoMatchError, Selection, eligible_tags, select

SEMVER_TAGS = ["1.0.0", "v1.2.0", "1.10.0", "1.9.9", "2.0.0-rc.10", "2.0.0-rc.2", "latest", "1.2"]
CALVER_TAGS = ["2024.01.05", "2024.12.30", "2025.01.02", "2024.13.01", "latest", "2025.01"]


PRE = "prerelease (name one in range to follow them)"


def test_semver_orders_numerically_and_skips_prereleases_by_default() -> None:
    sel = select(SEMVER_TAGS, match=r"v?\d+\.\d+\.\d+(-.+)?", order="semver")
    assert sel == Selection(
        tag="1.10.0",  # numeric identifiers compare by value: 1.10.0 > 1.9.9
        candidates=4,
        skipped=(("2.0.0-rc.10", PRE), ("2.0.0-rc.2", PRE)),
        reason=r"newest of 4 semver tags matching v?\d+\.\d+\.\d+(-.+)?",
    )
    pre = select(SEMVER_TAGS, match=r"v?\d+\.\d+\.\d+(-.+)?", order="semver", range=">=1.0.0-0")
    assert (pre.tag, pre.candidates) == ("2.0.0-rc.10", 6)  # rc.10 > rc.2, by value
    with_release = select(
        [*SEMVER_TAGS, "2.0.0"], match=r"v?[\d.]+(-.+)?", order="semver", range=">=0.0.0-0"
    )
    assert with_release.tag == "2.0.0"  # a release sorts above its prereleases
    assert with_release.skipped == (("1.2", "not semver"),)
    assert with_release.candidates == 7


def test_semver_accepts_leading_v_and_breaks_ties_by_text() -> None:
    assert select(["v1.2.0", "1.1.0"], match=".*", order="semver").tag == "v1.2.0"
    # 1.2.3 and v1.2.3 (and build metadata) have the same precedence: the larger text wins.
    assert select(["1.2.3", "v1.2.3"], match=".*", order="semver").tag == "v1.2.3"
    assert select(["1.2.3+b", "1.2.3+a"], match=".*", order="semver").tag == "1.2.3+b"
    assert select(["1.2.3+a", "1.2.3+b"], match=".*", order="semver").tag == "1.2.3+b"


def test_semver_range_is_a_conjunction_and_upper_bound_excludes_prereleases() -> None:
    tags = ["2.0.5", "2.1.0", "2.9.1", "3.0.0-rc1", "3.0.0", "3.1.0"]
    sel = select(tags, match=r"[\d.]+(-rc\d+)?", order="semver", range=">=2.1,<3")
    assert sel.tag == "2.9.1"
    assert sel.candidates == 2
    assert sel.skipped == (
        ("2.0.5", "outside range >=2.1,<3"),
        ("3.0.0", "outside range >=2.1,<3"),
        ("3.0.0-rc1", PRE),
        ("3.1.0", "outside range >=2.1,<3"),
    )
    assert sel.reason.endswith("in range >=2.1,<3")
    assert select(tags, match=".*", order="semver", range="<=3.0.0-rc1").tag == "3.0.0-rc1"
    assert select(tags, match=".*", order="semver", range="!=3.1.0").tag == "3.0.0"


def test_version_group_selects_the_part_to_order_by() -> None:
    tags = ["python-3.9.1", "python-3.11.2", "python-3.10.9", "r-4.4.0"]
    sel = select(tags, match=r"python-(?P<version>\d+\.\d+\.\d+)", order="semver")
    assert (sel.tag, sel.candidates) == ("python-3.11.2", 3)
    bounded = select(tags, match=r"python-(?P<version>.+)", order="semver", range=">=3.9,<3.11")
    assert bounded.tag == "python-3.10.9"


def test_calver_dotted_dashed_month_only_and_suffixes() -> None:
    sel = select(CALVER_TAGS, match=r"\d{4}\.\d{2}(\.\d{2})?", order="calver")
    assert sel.tag == "2025.01.02"
    assert sel.candidates == 4
    assert sel.skipped == (("2024.13.01", "not calver: no such date"),)
    assert sel.reason == r"newest of 4 calver tags matching \d{4}\.\d{2}(\.\d{2})?"
    dashed = ["2023-10-20", "2023-09-30", "2023-10-03"]
    assert select(dashed, match=".*", order="calver").tag == "2023-10-20"
    suffixed = ["2025.12.30", "2025.12.30-v1", "2025.12.30-v10", "2025.12.30-v9", "2025.12.29-v99"]
    assert select(suffixed, match=".*", order="calver").tag == "2025.12.30-v10"
    assert select(["2025.12.30", "2025.12.30-v1"], match=".*", order="calver").tag == (
        "2025.12.30-v1"
    )
    # YYYY.MM sorts below any day of that month.
    assert select(["2025.01", "2025.01.01"], match=".*", order="calver").tag == "2025.01.01"


def test_calver_skips_non_dates_with_reasons() -> None:
    tags = ["2024.1.5", "20240105", "2024.01-05", "2024.02.30", "2024.02.29"]
    sel = select(tags, match=".*", order="calver")
    assert sel.tag == "2024.02.29"
    # "2024.01-05" is YYYY.MM with the suffix "-05": a candidate, not a skip.
    assert sel.candidates == 2
    assert sel.skipped == (
        ("2024.02.30", "not calver: no such date"),
        ("2024.1.5", "not calver (YYYY.MM.DD, YYYY-MM-DD or YYYY.MM)"),
        ("20240105", "not calver (YYYY.MM.DD, YYYY-MM-DD or YYYY.MM)"),
    )


def test_calver_range() -> None:
    tags = ["2023.12.31", "2024.06.01", "2025.02.01"]
    assert select(tags, match=".*", order="calver", range="<2025.01").tag == "2024.06.01"


def test_numeric_orders_by_value_not_text() -> None:
    tags = ["9", "10", "2.5", "10.1", "abc", "1e5", "-3"]
    sel = select(tags, match=r".*", order="numeric")
    assert sel.tag == "10.1"
    assert sel.candidates == 4
    assert sel.skipped == (("-3", "not a number"), ("1e5", "not a number"), ("abc", "not a number"))
    assert select(tags, match=r"\d+", order="numeric", range="<10").tag == "9"
    # equal values: ties broken by text
    assert select(["1.0", "1"], match=".*", order="numeric").tag == "1.0"


def test_alphabetical_is_plain_string_order() -> None:
    sel = select(["b", "a", "c1", "C2"], match="[a-zA-Z].*", order="alphabetical")
    assert sel == Selection("c1", 4, (), "newest of 4 alphabetical tags matching [a-zA-Z].*")


def test_pushed_orders_by_time_and_skips_tags_without_time() -> None:
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    pushed = {"abc1234": t0, "def5678": t0 + timedelta(days=2), "0aa0000": t0 + timedelta(days=1)}
    tags = ["abc1234", "def5678", "0aa0000", "fff9999", "latest"]
    sel = select(tags, match=r"[0-9a-f]{7}", order="pushed", pushed=pushed)
    assert sel.tag == "def5678"
    assert sel.candidates == 3
    assert sel.skipped == (("fff9999", "no pushed time (image config has no created)"),)
    assert sel.reason == ("newest pushed of 3 tags matching [0-9a-f]{7} (image config created)")
    # naive datetimes count as UTC; equal times are broken by tag text
    same = {"aaa0000": datetime(2025, 1, 1), "bbb0000": t0}
    assert select(list(same), match=".*", order="pushed", pushed=same).tag == "bbb0000"


def test_pushed_requires_times_and_rejects_range() -> None:
    with pytest.raises(ValueError, match="needs the pushed times"):
        select(["a"], match=".*", order="pushed")
    with pytest.raises(ValueError, match="range cannot be used"):
        select(["a"], match=".*", order="pushed", range=">1", pushed={})


def test_never_downgrades_below_current() -> None:
    tags = ["1.0.0", "1.1.0"]  # 1.2.0 was deleted upstream
    sel = select(tags, match=".*", order="semver", current="1.2.0")
    assert sel == Selection("1.2.0", 2, (), "locked tag is newest")
    down = select(tags, match=".*", order="semver", current="1.2.0", allow_downgrade=True)
    assert down.tag == "1.1.0"
    assert down.reason == "newest of 2 semver tags matching .* (downgrade from 1.2.0 allowed)"
    # a newer tag than current wins; current equal to the newest stays
    assert select([*tags, "1.3.0"], match=".*", order="semver", current="1.2.0").tag == "1.3.0"
    assert select(tags, match=".*", order="semver", current="1.1.0").tag == "1.1.0"


def test_downgrade_guard_for_calver_and_pushed() -> None:
    cal = select(["2024.01.01"], match=".*", order="calver", current="2024.02.01")
    assert (cal.tag, cal.reason) == ("2024.02.01", "locked tag is newest")
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    pushed = {"aaaaaaa": t0, "bbbbbbb": t0 + timedelta(hours=1)}
    sel = select(["aaaaaaa", "bbbbbbb"], match=".*", order="pushed", pushed=pushed,
                 current="bbbbbbb")  # fmt: skip
    assert sel.tag == "bbbbbbb"
    # re-pushing an old commit tag does not matter: times come from the mapping given
    assert select(
        ["aaaaaaa"], match=".*", order="pushed", pushed=pushed, current="bbbbbbb"
    ).tag == ("bbbbbbb")


def test_current_outside_the_policy_does_not_block() -> None:
    # the policy switched from calver to semver: the old tag is not comparable
    sel = select(["1.0.0"], match=r"\d+\.\d+\.\d+", order="semver", current="2024.01.01")
    assert sel.tag == "1.0.0"
    assert sel.reason == r"newest of 1 semver tags matching \d+\.\d+\.\d+"


def test_no_match_errors_are_clear() -> None:
    with pytest.raises(NoMatchError, match=r"^none of 3 tags matches \^v\\d\+\$$"):
        select(["a", "b", "a", "c"], match=r"^v\d+$", order="numeric")
    with pytest.raises(NoMatchError, match="repository has no tags"):
        select([], match=".*", order="semver")
    with pytest.raises(NoMatchError) as info:
        select(["x1", "x2"], match="x.*", order="semver")
    assert str(info.value) == (
        "none of 2 tags matching x.* is a usable semver tag ('x1': not semver; 'x2': not semver)"
    )
    with pytest.raises(NoMatchError, match="within range >=5"):
        select(["1.0.0"], match=".*", order="semver", range=">=5")


def test_no_match_error_is_a_value_error_and_bad_policies_are_value_errors() -> None:
    assert issubclass(NoMatchError, ValueError)
    with pytest.raises(ValueError, match="invalid match regex"):
        select(["a"], match="(", order="alphabetical")
    with pytest.raises(ValueError, match="unknown order 'newest'"):
        select(["a"], match=".*", order="newest")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="is not semver"):
        select(["1.0.0"], match=".*", order="semver", range=">=banana")
    with pytest.raises(ValueError, match="expected <op><version>"):
        select(["1.0.0"], match=".*", order="semver", range=">= 1 2")
    for match, range_ in (("(", None), (".*", ">x")):
        with pytest.raises(ValueError) as info:
            select(["1"], match=match, order="numeric", range=range_)
        assert not isinstance(info.value, NoMatchError)


def test_selection_is_independent_of_input_order_and_duplicates() -> None:
    tags = ["1.0.0", "1.2.0", "v1.2.0", "1.1.0"]
    first = select(tags, match=".*", order="semver")
    second = select([*reversed(tags), "1.0.0"], match=".*", order="semver")
    assert first == second
    assert first.tag == "v1.2.0"


def test_eligible_tags() -> None:
    tags = ["abc1234", "latest", "def5678", "abc1234"]
    assert eligible_tags(tags, match="[0-9a-f]{7}", order="pushed") == ["abc1234", "def5678"]
    assert eligible_tags(["1.0.0", "x", "2.0.0"], match=".*", order="semver", range="<2") == [
        "1.0.0"
    ]
