"""Choose the newest tag of a repository under an ordering policy.

Pure functions, no I/O.  A policy is a regex ``match`` (full match; an optional named group
``version`` gives the part to order by, else the whole tag), an ``order`` and, for the
orders that have a notion of version, an optional ``range`` such as ``>=2.1,<3``.

* ``semver``: semantic versions (``semver`` package), optional leading ``v``; prereleases
  sort below their release and are skipped unless the ``range`` names one (``>=2.0.0-0``),
  as npm does.  An upper bound ``<X`` without a prerelease also excludes X's
  prereleases (``<3`` keeps ``3.0.0-rc1`` out), as npm and cargo do.
* ``calver``: ``YYYY.MM.DD``, ``YYYY-MM-DD`` or ``YYYY.MM`` / ``YYYY-MM``, optionally followed
  by a suffix starting with ``-``, ``_``, ``.``, ``+`` or ``~``; a suffixed tag sorts above
  the bare date and suffixes compare naturally (``-v2`` < ``-v10``).
* ``numeric``: decimal numbers such as ``7`` or ``3.11``.
* ``alphabetical``: plain string order.
* ``pushed``: by the times in ``pushed`` (image config ``created``), for commit-hash tags.

Tags that match the regex but do not parse under the order, fall outside the range or have
no pushed time are *skipped* with a reason; that is never fatal.  Ties are broken by the
tag text, so the result is deterministic.  A tag older than ``current`` is never returned
unless ``allow_downgrade``.

``match`` runs on the ``regex`` engine (Python ``re`` syntax) with a time limit of
``MATCH_SECONDS`` per selection: a catastrophic pattern fails its slot with
:class:`MatchTimeout` naming the tag, instead of hanging the run.
"""

from __future__ import annotations

import operator
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, get_args

if TYPE_CHECKING:  # both imported where used: most runs never order a tag
    import regex
    import semver

# The one list of orders: hubs.toml's model (and so its JSON schema) and the command line
# take it from here.
from hubs.errors import shown

Order = Literal["semver", "calver", "numeric", "alphabetical", "pushed"]
ORDERS: tuple[str, ...] = get_args(Order)
MATCH_SECONDS = 1.0  # regex time allowed for one selection over all tags


@dataclass(frozen=True)
class Selection:
    tag: str
    candidates: int
    skipped: tuple[tuple[str, str], ...]  # (tag, why)
    reason: str


class NoMatchError(ValueError):
    """No tag is eligible under the policy."""


class MatchTimeout(ValueError):
    """The ``match`` regex ran past ``MATCH_SECONDS`` (catastrophic backtracking)."""


class _Unparsable(ValueError):
    """A version text does not parse under the order (message = the reason)."""


_CALVER_RE = re.compile(
    r"(?P<y>\d{4})(?P<sep>[.-])(?P<m>\d{2})(?:(?P=sep)(?P<d>\d{2}))?(?P<suffix>[-_.+~].*)?"
)
_NUMERIC_RE = re.compile(r"\d+(?:\.\d+)?")
_CHUNK_RE = re.compile(r"\d+|\D+")
_RANGE_RE = re.compile(r"\s*(>=|<=|==|!=|>|<|=)?\s*(\S+?)\s*")
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    "==": operator.eq,
    "=": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    "<": operator.lt,
}


def _semver_key(text: str) -> semver.Version:
    import semver  # heavy (16 ms): only the semver order needs it

    try:
        return semver.Version.parse(text[1:] if text.startswith("v") else text)
    except ValueError:
        raise _Unparsable("not semver") from None


def _natural(text: str) -> tuple[tuple[int, int, str], ...]:
    """A key that orders digit runs by value: ``v2`` < ``v10``; digits before letters."""
    return tuple((0, int(c), c) if c.isdigit() else (1, 0, c) for c in _CHUNK_RE.findall(text))


def _calver_key(text: str) -> tuple[int, int, int, tuple[tuple[int, int, str], ...]]:
    m = _CALVER_RE.fullmatch(text)
    if not m:
        raise _Unparsable("not calver (YYYY.MM.DD, YYYY-MM-DD or YYYY.MM)")
    year, month, day = int(m["y"]), int(m["m"]), int(m["d"] or 0)
    try:
        date(year, month, day or 1)
    except ValueError:
        raise _Unparsable("not calver: no such date") from None
    return (year, month, day, _natural(m["suffix"] or ""))


def _numeric_key(text: str) -> Decimal:
    if not _NUMERIC_RE.fullmatch(text):
        raise _Unparsable("not a number")
    return Decimal(text)


_KEYS: dict[str, Callable[[str], Any]] = {
    "semver": _semver_key,
    "calver": _calver_key,
    "numeric": _numeric_key,
    "alphabetical": str,
}


@dataclass(frozen=True)
class _Bound:
    op: str
    key: Any
    names_prerelease: bool = False  # the range text itself names a prerelease

    def admits(self, key: Any) -> bool:
        return _OPS[self.op](key, self.key)


def _parse_bound(clause: str, order: str) -> _Bound:
    m = _RANGE_RE.fullmatch(clause)
    if not m:
        raise ValueError(f"invalid range clause {clause!r}: expected <op><version>")
    op, text = m[1] or "==", m[2]
    if order == "semver":
        import semver  # heavy (16 ms): only the semver order needs it

        try:
            version = semver.Version.parse(text.removeprefix("v"), optional_minor_and_patch=True)
        except ValueError:
            raise ValueError(f"invalid range clause {clause!r}: {text!r} is not semver") from None
        named = bool(version.prerelease)
        if op == "<" and not version.prerelease:
            version = version.replace(prerelease="0")  # <3 keeps 3.0.0-rc1 out
        return _Bound(op, version, named)
    try:
        return _Bound(op, _KEYS[order](text))
    except _Unparsable as exc:
        raise ValueError(f"invalid range clause {clause!r}: {exc}") from None


def parse_range(spec: str, order: str) -> tuple[_Bound, ...]:
    """Parse ``>=2.1,<3`` (comma means *and*) for ``order``; ValueError if invalid."""
    if order == "pushed":
        raise ValueError("a range cannot be used with order 'pushed'")
    clauses = [c for c in spec.split(",") if c.strip()]
    if not clauses:
        raise ValueError(f"invalid range {spec!r}: empty")
    return tuple(_parse_bound(c, order) for c in clauses)


def compile_match(match: str) -> regex.Pattern[str]:
    """``match`` compiled by the engine selections use; ValueError saying why not."""
    import regex  # heavy (13 ms): only a selection of tags needs it

    try:
        return regex.compile(match)
    except (regex.error, TypeError) as exc:
        raise ValueError(f"invalid match regex {match!r}: {exc}") from None


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class _Policy:
    pattern: regex.Pattern[str]
    order: str
    bounds: tuple[_Bound, ...]
    pushed: Mapping[str, datetime]
    prereleases: bool = False  # semver: consider prerelease tags
    match_end: float = 0.0  # time.monotonic() by which all matching must be done

    def version_text(self, tag: str) -> str | None:
        """The part of ``tag`` to order by, or None when the tag does not match."""
        try:
            m = self.pattern.fullmatch(tag, timeout=max(0.001, self.match_end - time.monotonic()))
        except TimeoutError:
            raise MatchTimeout(
                f"match timed out on tag {shown(tag)} (over {MATCH_SECONDS:g} s; "
                "simplify the regex)"
            ) from None
        if m is None:
            return None
        if "version" in self.pattern.groupindex and m["version"] is not None:
            return str(m["version"])
        return tag

    def key(self, tag: str, text: str) -> Any:
        """The sort key of ``tag`` (whose version part is ``text``); _Unparsable if none."""
        if self.order != "pushed":
            return _KEYS[self.order](text)
        if tag not in self.pushed:
            raise _Unparsable("no pushed time (image config has no created)")
        return _utc(self.pushed[tag])

    def in_range(self, key: Any) -> bool:
        return all(bound.admits(key) for bound in self.bounds)


def _make_policy(
    match: str, order: str, range_: str | None, pushed: Mapping[str, datetime] | None
) -> _Policy:
    if order not in ORDERS:
        raise ValueError(f"unknown order {order!r}; expected one of {', '.join(ORDERS)}")
    if order == "pushed" and pushed is None:
        raise ValueError("order 'pushed' needs the pushed times of the tags")
    bounds = parse_range(range_, order) if range_ else ()
    prereleases = any(bound.names_prerelease for bound in bounds)
    pattern = compile_match(match)
    end = time.monotonic() + MATCH_SECONDS
    return _Policy(pattern, order, bounds, pushed or {}, prereleases, end)


@dataclass(frozen=True)
class _Sorted:
    eligible: list[tuple[Any, str]]  # (key, tag)
    skipped: list[tuple[str, str]]
    matched: int


def _classify(tags: Sequence[str], policy: _Policy, range_: str | None) -> _Sorted:
    eligible: list[tuple[Any, str]] = []
    skipped: list[tuple[str, str]] = []
    matched = 0
    for tag in sorted(set(tags)):
        text = policy.version_text(tag)
        if text is None:
            continue
        matched += 1
        try:
            key = policy.key(tag, text)
        except _Unparsable as exc:
            skipped.append((tag, str(exc)))
            continue
        if policy.order == "semver" and key.prerelease and not policy.prereleases:
            skipped.append((tag, "prerelease (name one in range to follow them)"))
            continue
        if not policy.in_range(key):
            skipped.append((tag, f"outside range {range_}"))
            continue
        eligible.append((key, tag))
    return _Sorted(eligible, skipped, matched)


def eligible_tags(
    tags: Sequence[str], *, match: str, order: Order, range: str | None = None
) -> list[str]:
    """Tags that ``select`` would consider, before pushed times are known.

    For ``pushed`` that is every tag the regex matches (the caller then fetches their
    times); for the other orders, the tags that parse and fall within ``range``.
    """
    policy = _make_policy(match, order, range, {})
    if order == "pushed":
        return [t for t in sorted(set(tags)) if policy.version_text(t) is not None]
    return [tag for _, tag in _classify(tags, policy, range).eligible]


def _no_match(tags: Sequence[str], match: str, order: str, range_: str | None, s: _Sorted) -> str:
    if not tags:
        return "the repository has no tags"
    if not s.matched:
        return f"none of {len(set(tags))} tags matches {match}"
    example = "; ".join(f"{shown(tag)}: {why}" for tag, why in s.skipped[:3])
    scope = f" within range {range_}" if range_ else ""
    return f"none of {s.matched} tags matching {match} is a usable {order} tag{scope} ({example})"


def _describe(order: str, count: int, match: str, range_: str | None) -> str:
    if order == "pushed":
        text = f"newest pushed of {count} tags matching {match} (image config created)"
    else:
        text = f"newest of {count} {order} tags matching {match}"
    return text + (f" in range {range_}" if range_ else "")


def select(
    tags: Sequence[str],
    *,
    match: str,
    order: Order,
    range: str | None = None,
    current: str | None = None,
    allow_downgrade: bool = False,
    pushed: Mapping[str, datetime] | None = None,
) -> Selection:
    """The newest tag under the policy; NoMatchError if none is eligible.

    ValueError (not NoMatchError) for an invalid regex, order or range.
    """
    policy = _make_policy(match, order, range, pushed)
    result = _classify(tags, policy, range)
    if not result.eligible:
        raise NoMatchError(_no_match(tags, match, order, range, result))
    key, tag = max(result.eligible)
    count, skipped = len(result.eligible), tuple(result.skipped)
    reason = _describe(order, count, match, range)
    current_key = _current_key(policy, current)
    if current is not None and current_key is not None and current_key > key:
        if not allow_downgrade:
            return Selection(current, count, skipped, "locked tag is newest")
        reason += f" (downgrade from {current} allowed)"
    return Selection(tag, count, skipped, reason)


def _current_key(policy: _Policy, current: str | None) -> Any | None:
    """The key of the locked tag, or None when it is not comparable under the policy."""
    if current is None:
        return None
    text = policy.version_text(current)
    if text is None:
        return None
    try:
        return policy.key(current, text)
    except _Unparsable:
        return None
