"""``hubs verify``: the distinct images the compiled fleet runs, and their checks.

From the targets (the value each slot will hold once compiled) this gathers each distinct
image once, with the hubs that run it, the pod settings each hub gives it (:mod:`podspec`)
and the platforms their clusters need, then checks every image against its registry
(:mod:`imagechecks`), concurrently.  Reads only; writes nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from hubs.compile.targets import Target
from hubs.errors import Diagnostic, Exit, UsageError, close_match
from hubs.images.imagechecks import Check, ImageUse, Options, Usage, check_image
from hubs.images.verdicts import parse_platform
from hubs.policy.imageref import ImageRef
from hubs.policy.kinds import Kind
from hubs.policy.load import locate_keys
from hubs.policy.model import Config
from hubs.registry import Platform, RegistryClient
from hubs.tree.layering import Fleet, Holding
from hubs.tree.podspec import PodSpec

Progress = Callable[[int, int], None]
WORKERS = 4


def image_uses(
    config: Config,
    fleet: Fleet,
    targets: Sequence[Target],
    only: Sequence[str],
    config_path: Path,
    prefix: str = "",
) -> list[ImageUse]:
    """Each distinct image that some hub runs (narrowed to ``only``: slot addresses,
    scopes or hubs), in the order of the targets.  Each is placed at its hubs.toml line,
    else at its values file's (``prefix`` + tree-relative path)."""
    after = Holding.of(t.slot for t in targets if t.want is not None)  # as compiled
    hubs = {hub.address: hub for hub in fleet.hubs()}
    spec = PodSpec(fleet.root)
    found: dict[str, tuple[Target, list[Usage]]] = {}
    known: set[str] = set()
    for target in targets:
        if not isinstance(target.want, ImageRef) or target.policy == Kind.USER:
            continue
        reached = fleet.reach(target.slot, after)
        names = {str(target.address), str(target.address.scope), *reached}
        known |= names
        if only and not names & set(only):
            continue
        slot = target.slot if target.slot.kind != "singleuser" else None
        usages = found.setdefault(str(target.want), (target, []))[1]
        for address in reached:
            hub = hubs[address]
            usage = Usage(address, spec.setting(hub, slot, "uid"), spec.setting(hub, slot, "cmd"))
            if usage not in usages:
                usages.append(usage)
    unknown = [a for a in only if a not in known]
    if unknown:
        raise UsageError(
            [
                f"{a}: no image of the fleet is at this address" + close_match(a, known)
                for a in unknown
            ]
        )
    where = locate_keys(
        [Diagnostic("", keys=t.address.keys) for t, _ in found.values()], config_path
    )
    return [
        _use(config, target, tuple(usages), place, prefix)
        for (target, usages), place in zip(found.values(), where, strict=True)
        if usages
    ]


def _use(
    config: Config, target: Target, usages: tuple[Usage, ...], place: Diagnostic, prefix: str
) -> ImageUse:
    assert isinstance(target.want, ImageRef)
    image = target.want
    mirror = config.registries.mirrors.get(image.registry)
    fetch = ImageRef(mirror, image.repository, image.tag, image.digest) if mirror else image
    needed: dict[str, Platform] = {}
    for usage in usages:
        cluster = config.clusters.get(usage.hub.split("/", 1)[0])
        for text in cluster.platforms if cluster else ["linux/amd64"]:
            needed.setdefault(text, parse_platform(text))
    slot = target.slot
    file, line = (place.file, place.line) if place.file else (prefix + slot.file, slot.line)
    return ImageUse(image, fetch, usages, tuple(needed.values()), file, line)


def verify(
    uses: Sequence[ImageUse],
    client: RegistryClient,
    options: Options,
    progress: Progress | None = None,
) -> list[Check]:
    """Every check of every image, in the order of ``uses``."""
    done: list[int] = []
    lock = threading.Lock()

    def one(use: ImageUse) -> list[Check]:
        checks = check_image(client, use, options)
        with lock:
            done.append(1)
            if progress is not None:
                progress(len(done), len(uses))
        return checks

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        results = list(pool.map(one, uses))
    return [check for checks in results for check in checks]


def exit_code(checks: Sequence[Check]) -> Exit:
    """3 when a registry could not be asked, 1 when a check failed, else 0."""
    if any(c.unreachable for c in checks):
        return Exit.FAILURE
    return Exit.FINDINGS if any(c.ok is False for c in checks) else Exit.OK
