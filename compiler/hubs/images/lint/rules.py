"""The lint rules, one function each: a :class:`Context` in, findings out (reads only).

Each finding is a warning :class:`~hubs.errors.Diagnostic` at the line of the image (or
label, or prePuller entry), keyed by the address, with the rule's name and its fix.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from hubs.errors import Diagnostic
from hubs.images import labels
from hubs.images.lint.context import Context, Node
from hubs.policy import imageref
from hubs.policy.imageref import DOCKER_HUB, ImageRef
from hubs.tree.scan import Slot

# Tags that name a moving target rather than one build: the default tag, branch builds
# (main, master, develop, dev), rolling channels (edge, nightly, stable, unstable).  Dated,
# semver and commit tags are taken to be immutable; a custom tag such as `2i2c` cannot be
# told apart from a version by its name and is not flagged.
MUTABLE_TAGS = frozenset(
    {"latest", "main", "master", "develop", "dev", "edge", "nightly", "stable", "unstable"}
)
ALWAYS = "Always"


def _finding(rule: str, node: Node, message: str, fix: str, line: int = 0) -> Diagnostic:
    slot = node.slot
    return Diagnostic(
        message, slot.file, line or slot.line, key=node.address, severity="warning",
        rule=rule, fix=fix,
    )  # fmt: skip


def docker_hub(ctx: Context) -> Iterator[Diagnostic]:
    """An image pulled from Docker Hub, whose pull limits can stop servers from starting."""
    for node in ctx.nodes():
        if node.ref.registry == DOCKER_HUB:
            yield _finding(
                "docker-hub",
                node,
                f"{node.ref} is pulled from Docker Hub, whose pull limits can keep a hub "
                "from starting servers",
                "push it to quay.io, GitHub's registry (ghcr.io) or the cloud's own registry "
                "(Artifact Registry, ECR) and pin it from there",
            )


def mutable_tag(ctx: Context) -> Iterator[Diagnostic]:
    """``latest`` or a branch-like tag, no digest, and no ``imagePullPolicy: Always``."""
    for node in ctx.nodes():
        ref = node.ref
        tag = ref.tag or "latest"
        if ref.digest or tag not in MUTABLE_TAGS or _always(ctx, node.slot):
            continue
        where = (
            "singleuser.image.pullPolicy"
            if node.slot.kind == "singleuser"
            else "kubespawner_override.image_pull_policy"
        )
        yield _finding(
            "mutable-tag",
            node,
            f"{ref} has the moving tag `{tag}`, no digest and no imagePullPolicy Always, so "
            "each node keeps the build it pulled first (kubespawner does not imply Always)",
            f"pin a dated or commit tag (or add @sha256:...), or set {where}: {ALWAYS}",
        )


def _always(ctx: Context, slot: Slot) -> bool:
    """Whether the slot is pulled with ``Always``: by the choice's or the profile's override,
    else by ``singleuser.image.pullPolicy`` as each hub it reaches merges it."""
    notes = [n for n in ctx.fleet.file(slot.file).notes if n.kind == "pull_policy"]
    if slot.kind != "singleuser":
        mine = {(slot.profile, slot.choice), (slot.profile, None)}
        if any((n.profile, n.choice) in mine and n.value == ALWAYS for n in notes):
            return True
    hubs = ctx.users_of(slot)
    if not hubs:  # the chart's default with no hub, or a file no hub uses
        return any(n.profile is None and n.value == ALWAYS for n in notes)
    return all(ctx.pull_policy(hub) == ALWAYS for hub in hubs)


def stale_label(ctx: Context) -> Iterator[Diagnostic]:
    """A profile's or choice's label names a version (of the tag's kind) that is not its tag."""
    for node in ctx.nodes():
        tag = node.ref.tag
        if node.slot.kind == "singleuser" or tag is None:
            continue
        for note in ctx.notes(node.slot, ("display_name", "description")):
            named = labels.stale(note.value, tag)
            if named:
                yield _finding(
                    "stale-label",
                    node,
                    f"{note.kind} {note.value!r} names {', '.join(named)}, but the image's "
                    f"tag is {tag}",
                    f"write {tag} in the {note.kind}; `[sync] labels = true` keeps it in step "
                    "when compile changes the tag",
                    note.line,
                )


def prepuller_copy(ctx: Context) -> Iterator[Diagnostic]:
    """A ``prePuller.extraImages`` entry of a repository the hubs run, with another tag."""
    refs: dict[str, list[ImageRef]] = {}
    for node in ctx.nodes():
        refs.setdefault(node.slot.file, []).append(node.ref)
    for path in ctx.files():
        for note in ctx.fleet.file(path).notes:
            entry = imageref.read(note.value)
            if note.kind != "prepuller" or not isinstance(entry, ImageRef):
                continue
            files = {f for hub in ctx.fleet.users_of(path) for f in hub.files} | {path}
            tags = sorted(
                {
                    ref.tag or "latest"
                    for f in files
                    for ref in refs.get(f, [])
                    if ref.canonical_name == entry.canonical_name
                }
            )
            if tags and entry.tag not in tags:
                yield Diagnostic(
                    f"prePuller.extraImages.{note.choice} pulls {entry}, but the hubs run "
                    f"{entry.name} at {', '.join(tags)}",
                    path,
                    note.line,
                    key=f"{ctx.scope_of(path)}:prepuller/{note.choice}",
                    severity="warning",
                    rule="prepuller-copy",
                    fix=f"set its tag to {tags[-1]}; `[sync] prepuller = true` keeps it in "
                    "step when compile changes the tag",
                )


def unused_image(ctx: Context) -> Iterator[Diagnostic]:
    """A ``singleuser.image`` that no hub runs, though hubs carry it: every profile of
    theirs sets its own image (the layering's true reach decides)."""
    for node in ctx.nodes():
        if node.slot.kind != "singleuser" or ctx.fleet.reach(node.slot):
            continue
        hubs = ctx.fleet.overridden_in(node.slot)
        if hubs:
            shown = ", ".join(hubs[:5])
            more = f" and {len(hubs) - 5} more" if len(hubs) > 5 else ""
            yield _finding(
                "unused-image",
                node,
                f"singleuser.image {node.ref} is never used: every profile of {shown}{more} "
                "sets its own image",
                f"`hubs set '{node.address}' --inherit` removes it; or leave one profile "
                "without an image",
            )


def two_spellings(ctx: Context) -> Iterator[Diagnostic]:
    """One repository written two ways (``docker.io/x/y`` and ``x/y``)."""
    names: dict[str, Counter[str]] = {}
    first: dict[tuple[str, str], Node] = {}
    for node in ctx.nodes():
        names.setdefault(node.ref.canonical_name, Counter())[node.ref.name] += 1
        first.setdefault((node.ref.canonical_name, node.ref.name), node)
    for node in ctx.nodes():
        counted = names[node.ref.canonical_name]
        chosen = counted.most_common(1)[0][0]  # the most used spelling; first seen on a tie
        if len(counted) < 2 or node.ref.name == chosen:
            continue
        other = first[(node.ref.canonical_name, chosen)].slot
        yield _finding(
            "two-spellings",
            node,
            f"{node.ref.name} is written {chosen} at {other.file}:{other.line}: one "
            "repository, two spellings",
            f"write {chosen} here too, so that searches and tools see one image",
        )
