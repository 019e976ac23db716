"""``hubs lint``: rules about the images the tree holds, from one registry keyed by name.

Each rule is one function of :mod:`hubs.images.lint.rules` taking a :class:`Context` (the tree's
slots, once per YAML node, with their notes and the layering) and yielding findings.  A
finding is a :class:`~hubs.errors.Diagnostic` with the place, the rule, a one-line reason
and the fix.  hubs.toml turns rules off for the fleet (``[lint] off``) or under a scope or
address (``[lint.ignore]``); ``strict`` makes findings errors.  Reads only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace

from hubs.compile.targets import Target
from hubs.errors import Diagnostic, InputError, Severity, close_match
from hubs.images.lint import rules
from hubs.images.lint.context import Context
from hubs.policy.address import covers
from hubs.policy.model import Lint
from hubs.tree.layering import Fleet

Rule = Callable[[Context], Iterator[Diagnostic]]

# The rules, in the order their findings are reported.
RULES: dict[str, Rule] = {
    "docker-hub": rules.docker_hub,
    "mutable-tag": rules.mutable_tag,
    "stale-label": rules.stale_label,
    "prepuller-copy": rules.prepuller_copy,
    "unused-image": rules.unused_image,
    "two-spellings": rules.two_spellings,
}


def lint(
    settings: Lint, fleet: Fleet, targets: Iterable[Target], strict: bool = False
) -> tuple[Diagnostic, ...]:
    """Every finding of the rules ``settings`` leaves on, warnings unless ``strict``."""
    ctx = Context(fleet, tuple(targets))
    places = ["defaults", *fleet.clusters, *(hub.address for hub in fleet.hubs())]
    _check(settings, [str(t.address) for t in ctx.targets], places)
    severity: Severity = "error" if strict or settings.strict else "warning"
    found: list[Diagnostic] = []
    for name, rule in RULES.items():
        if name in settings.off:
            continue
        for finding in rule(ctx):
            if not _ignored(settings, name, finding.key or ""):
                found.append(replace(finding, severity=severity))
    return tuple(found)


def _ignored(settings: Lint, rule: str, key: str) -> bool:
    return any(rule in off and covers(where, key) for where, off in settings.ignore.items())


def _check(settings: Lint, addresses: list[str], places: list[str]) -> None:
    """Unknown rule names, and ``[lint.ignore]`` keys that cover no slot of the fleet (a
    typo would ignore nothing), are bad input, at their key in hubs.toml."""
    problems = [_unknown(name, ("lint", "off")) for name in settings.off if name not in RULES]
    for where, names in settings.ignore.items():
        keys = ("lint", "ignore", where)
        problems += [_unknown(name, keys) for name in names if name not in RULES]
        if where not in places and not any(covers(where, address) for address in addresses):
            problems.append(_nowhere(where, [*places, *addresses]))
    if problems:
        raise InputError(problems)


def _nowhere(where: str, known: list[str]) -> Diagnostic:
    scopes = {address.partition(":")[0] for address in known}
    near = close_match(where, sorted(scopes | set(known)))
    return Diagnostic(
        f"no cluster, scope or slot of the fleet is under {where!r}{near}",
        key="lint.ignore",
        keys=("lint", "ignore", where),
    )


def _unknown(name: str, keys: tuple[str, ...]) -> Diagnostic:
    return Diagnostic(
        f"no lint rule {name!r}{close_match(name, RULES)}; the rules are {', '.join(RULES)}",
        key=".".join(keys),
        keys=keys,
    )
