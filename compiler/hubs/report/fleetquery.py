"""Fleet queries: ``hubs list`` narrowed by image, registry, cluster, hub or policy, and
``hubs list --hubs``, one row per hub with every image it can run.

The rows come from :mod:`hubs.report.inventory`, the images a hub runs from
:meth:`hubs.tree.layering.Fleet.offers`.  Text tables (:mod:`hubs.report.tablefit`) fit a width when
given one, wrapping long values, and never drop a character; JSON has the same values as data.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from hubs.compile.targets import Target
from hubs.errors import UsageError, shown
from hubs.policy import imageref
from hubs.report import tablefit
from hubs.report.inventory import SHOWN, Row, Runs, runs_of
from hubs.tree.layering import Fleet, key_of

IMAGE_FORM = (
    "REPOSITORY[:TAG][@DIGEST], each part a glob (quay.io/jupyter/*, scipy-notebook:2024-*)"
)


@dataclass(frozen=True, slots=True)
class ImageGlob:
    """``--image``: ``REPOSITORY[:TAG][@DIGEST]``, each part an ``fnmatch`` glob.  The
    repository matches as written or in full (``docker.io/library/*``), and one without a
    ``/`` (``scipy-notebook``) matches the last component of the path too.  A tag matches
    the image's tag (``latest`` when it names neither tag nor digest)."""

    text: str
    repository: str
    tag: str | None = None
    digest: str | None = None

    @classmethod
    def parse(cls, text: str) -> ImageGlob:
        """The glob of ``text``, or a usage error naming the form expected."""
        rest, at, digest = text.partition("@")
        slash, colon = rest.rfind("/"), rest.rfind(":")
        repository, tag = (rest[:colon], rest[colon + 1 :]) if colon > slash else (rest, None)
        if not repository or tag == "" or (at and not digest) or text != "".join(text.split()):
            raise UsageError(f"--image {shown(text)}: expected {IMAGE_FORM}")
        return cls(text, repository, tag, digest if at else None)

    def matches(self, image: str) -> bool:
        ref = imageref.read(image)
        if not isinstance(ref, imageref.ImageRef):  # not a reference: the text as written
            return fnmatchcase(image, self.text)
        tag = ref.tag or ("latest" if ref.digest is None else None)
        return self._repository(ref) and _glob(self.tag, tag) and _glob(self.digest, ref.digest)

    def _repository(self, ref: imageref.ImageRef) -> bool:
        names = [ref.name, ref.canonical_name]
        if "/" not in self.repository:
            names.append(ref.path.rsplit("/", 1)[-1])
        return any(fnmatchcase(name, self.repository) for name in names)


@dataclass(frozen=True, slots=True)
class Query:
    """What ``hubs list`` keeps; None keeps everything."""

    image: ImageGlob | None = None
    registry: str | None = None  # a registry host; docker.io for names written with none
    cluster: str | None = None
    hub: str | None = None  # CLUSTER/HUB
    policy: str | None = None  # a targets.PolicyKind

    def described(self) -> str:
        """The filters given, as flags (``--image 'foo*' --cluster 'a'``); empty for none."""
        given = (
            ("--image", None if self.image is None else self.image.text),
            ("--registry", self.registry),
            ("--cluster", self.cluster),
            ("--hub", self.hub),
            ("--policy", self.policy),
        )
        return " ".join(f"{flag} {shown(value)}" for flag, value in given if value is not None)

    def check(self, fleet: Fleet) -> None:
        """A cluster or hub the fleet does not have is a usage error, with a did-you-mean."""
        fleet.check_names(self.cluster, self.hub)

    def image_matches(self, image: str | None) -> bool:
        """Whether ``image`` passes ``image`` and ``registry``."""
        if self.image is None and self.registry is None:
            return True
        if image is None:
            return False
        if self.registry is not None:
            ref = imageref.read(image)
            if not isinstance(ref, imageref.ImageRef) or ref.registry != _registry(self.registry):
                return False
        return self.image is None or self.image.matches(image)

    def row_matches(self, row: Row) -> bool:
        scope = row.address.partition(":")[0]
        if self.policy is not None and row.policy != self.policy:
            return False
        if self.hub is not None and self.hub not in row.hubs and scope != self.hub:
            return False
        if self.cluster is not None and not _in_cluster(scope, row.hubs, self.cluster):
            return False
        return self.image_matches(row.image)


def _glob(pattern: str | None, text: str | None) -> bool:
    """No pattern passes anything; a pattern passes only text it matches."""
    return pattern is None or (text is not None and fnmatchcase(text, pattern))


def _registry(host: str) -> str:
    host = host.lower()
    return imageref.DOCKER_HUB if host in imageref.DOCKER_HUB_ALIASES else host


def _in_cluster(scope: str, hubs: tuple[str, ...], cluster: str) -> bool:
    if scope == "defaults":  # the chart default: where it runs
        return any(hub.partition("/")[0] == cluster for hub in hubs)
    return scope.partition("/")[0] == cluster


def select(rows: list[Row], query: Query, fleet: Fleet) -> list[Row]:
    query.check(fleet)
    return [row for row in rows if query.row_matches(row)]


def render_rows(found: list[Row], fmt: str, width: int | None = None) -> Iterator[str]:
    """The rows as JSON or as a text table, fitted to ``width`` when given, in pieces: JSON
    one row at a time (at 10,000 hubs the whole text and its parts would be held at once)."""
    if fmt == "json":
        yield from json_array(r.as_json() for r in found)
        return
    cells = [
        (r.address, r.policy, r.registry or "-", _on(r.image), str(len(r.hubs))) for r in found
    ]
    header = ("ADDRESS", "POLICY", "REGISTRY", "IMAGE", "HUBS")
    yield tablefit.render(header, cells, (0, 2, 3), width)


def json_array(items: Iterable[object]) -> Iterator[str]:
    """``json.dumps(list(items), indent=2) + "\\n"``, an item at a time: each item's own
    lines indented two more (JSON text has no raw newline inside a string)."""
    first = True
    for item in items:
        yield ("[\n" if first else ",\n") + _indented(json.dumps(item, indent=2))
        first = False
    yield "[]\n" if first else "\n]\n"


def _indented(text: str) -> str:
    return "  " + text.replace("\n", "\n  ")


def _on(image: str | None) -> str:
    """The image as the text table shows it beside its registry: without the host."""
    ref = None if image is None else imageref.read(image)
    if not isinstance(ref, imageref.ImageRef):
        return image or "-"
    return str(imageref.ImageRef(None, ref.path, ref.tag, ref.digest))


# ---------------------------------------------------------------- one row per hub


@dataclass(frozen=True, slots=True)
class HubRow:
    hub: str
    display_name: str
    runs: tuple[Runs, ...]

    @property
    def images(self) -> list[str]:
        """The distinct images, as the text table shows them."""
        shown = [SHOWN.get(r.how) or r.image or "-" for r in self.runs]
        return list(dict.fromkeys(shown))

    def as_json(self) -> dict[str, Any]:
        return {
            "hub": self.hub,
            "display_name": self.display_name,
            "images": [r.as_json() for r in self.runs],
        }


def hub_rows(fleet: Fleet, targets: list[Target], query: Query) -> list[HubRow]:
    """Every hub (those inheriting everything too) with the images it can run, narrowed by
    ``query``: cluster and hub pick hubs; image, registry and policy pick images, and a hub
    with none left is dropped."""
    query.check(fleet)
    by_key = {key_of(t.slot): t for t in targets}
    out = []
    for hub in fleet.hubs():
        if query.cluster is not None and hub.cluster != query.cluster:
            continue
        if query.hub is not None and hub.address != query.hub:
            continue
        runs = [runs_of(fleet, offer, by_key) for offer in fleet.offers(hub)]
        kept = [r for r in runs if _keeps(query, r)]
        if kept or not (query.image or query.registry or query.policy):
            out.append(HubRow(hub.address, hub.display_name, tuple(kept)))
    return out


def _keeps(query: Query, runs: Runs) -> bool:
    if query.policy is not None and runs.policy != query.policy:
        return False
    if runs.how in SHOWN:  # what users type or BinderHub builds matches no image asked for
        return query.image is None and query.registry is None
    return query.image_matches(runs.image)


def render_hubs(found: list[HubRow], fmt: str, width: int | None = None) -> str:
    """The hub rows as JSON or as a text table, fitted to ``width`` when given."""
    if fmt == "json":
        return json.dumps([r.as_json() for r in found], indent=2) + "\n"
    cells = [(r.hub, str(len(r.images)), ", ".join(r.images)) for r in found]
    return tablefit.render(("HUB", "IMAGES", "RUNS"), cells, (0, 2), width)
