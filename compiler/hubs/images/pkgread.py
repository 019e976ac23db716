"""The package diff of every image a run changes, read from the registries.

For each distinct pair of images (old, new) among a report's changes, each image's
package list is read once: its manifest (linux/amd64, else the index's first image),
then its kept list (:mod:`pkgcache`, by the manifest's digest), else every layer
streamed whole, whiteouts honoured (:func:`hubs.images.layers.listing`) within a budget of
bytes and seconds per image; a layer the two images share is read once.  A registry
failure, an unreadable layer or a spent budget is that pair's note, never the run's
failure: the report still shows the slots.  Images are read four at a time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from hubs.images import layers, pkgcache, pkgnames
from hubs.images.pkgdiff import ImageDiff, compare, failed
from hubs.images.pkgnames import NOTABLE, Package
from hubs.policy.imageref import ImageRef, parse
from hubs.registry import RegistryClient, RegistryError

WORKERS = 4
SECONDS = 600.0  # the layers of one image, at most
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Options:
    budget: int = 4 << 30  # bytes per image, at most: received, and decompressed
    seconds: float = SECONDS
    notable: tuple[str, ...] = NOTABLE
    cache: bool = True
    mirrors: Mapping[str, str] | None = None


@dataclass(frozen=True)
class Bump:
    """One slot whose image changes: its address, old and new value as written."""

    address: str
    old: str | None
    new: str | None


class Unread(Exception):
    """Why an image's package list could not be read; one line."""


def pairs(bumps: Sequence[Bump]) -> dict[tuple[str, str], tuple[str, ...]]:
    """(old, new) -> the addresses changing from one to the other, in order; only where
    both are image references and they differ."""
    found: dict[tuple[str, str], list[str]] = {}
    for bump in bumps:
        if bump.old is None or bump.new is None or bump.old == bump.new:
            continue
        try:
            parse(bump.old), parse(bump.new)
        except ValueError:  # not an image reference: a broken value
            continue
        found.setdefault((bump.old, bump.new), []).append(bump.address)
    return {pair: tuple(addresses) for pair, addresses in found.items()}


def diffs(
    bumps: Sequence[Bump],
    client: RegistryClient,
    options: Options,
    progress: Progress | None = None,
) -> tuple[ImageDiff, ...]:
    """The package diff of each distinct (old, new) pair of ``bumps``, in order."""
    changing = pairs(bumps)
    images = list(dict.fromkeys(image for pair in changing for image in pair))
    known: dict[str, layers.Contents] = {}
    done: list[int] = []
    lock = threading.Lock()

    def one(image: str) -> tuple[Package, ...] | str:
        try:
            return read(client, _fetch(image, options.mirrors or {}), options, known)
        except (RegistryError, layers.LayerError, Unread) as exc:
            return str(exc)
        finally:
            with lock:
                done.append(1)
                if progress is not None:
                    progress(len(done), len(images))

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        lists = dict(zip(images, pool.map(one, images), strict=True))
    out = []
    for (old, new), addresses in changing.items():
        before, after = lists[old], lists[new]
        if isinstance(before, str) or isinstance(after, str):
            why = before if isinstance(before, str) else after
            out.append(failed(old, new, addresses, str(why)))
        else:
            out.append(compare(old, new, addresses, before, after, options.notable))
    return tuple(out)


def _fetch(image: str, mirrors: Mapping[str, str]) -> ImageRef:
    ref = parse(image)
    mirror = mirrors.get(ref.registry)
    return ImageRef(mirror, ref.repository, ref.tag, ref.digest) if mirror else ref


def read(
    client: RegistryClient,
    ref: ImageRef,
    options: Options,
    known: dict[str, layers.Contents] | None = None,
) -> tuple[Package, ...]:
    """The packages of one image: kept by its manifest's digest, else from its layers."""
    manifest = client.image_manifest(ref)
    kept = pkgcache.load(manifest.digest, not options.cache)
    if kept is not None:
        return kept
    end = time.monotonic() + options.seconds
    sources = [
        layers.Layer(d.digest, d.size, layers.blob_opener(client, ref, d.digest, d.size, end))
        for d in manifest.layers
    ]
    found = layers.listing(sources, pkgnames.pick, options.budget, options.seconds, known)
    if found.stopped:
        count = len(sources)
        raise Unread(
            f"{ref}: stopped after {found.layers_read} of {count} "
            f"layer{'s' * (count != 1)}: {found.stopped}"
        )
    packages = pkgnames.packages(key for key, _ in found.keys)
    pkgcache.save(manifest.digest, packages, not options.cache)
    return packages
