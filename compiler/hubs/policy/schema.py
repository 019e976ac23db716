"""hubs.toml and hubs.lock as Pydantic models: the validated boundary, and its JSON Schema.

Only text read from disk or typed by the user passes through here; what validates is turned
into :mod:`hubs.policy.model`'s frozen dataclasses (:func:`inside`), which the rest of the
tool uses.  No I/O here.

Every image slot has one of three policies:

* inherit: the key is absent from hubs.toml; the layer below decides (and the compiler
  removes the slot's key from the values file),
* pinned: a string ``"name:tag"`` or ``"name:tag@sha256:..."`` / ``"name@sha256:..."``,
* follow-latest: a table ``{ follow = "name", match = "regex", order = "calver" }``,
  resolved by ``hubs update`` into ``hubs.lock``.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PlainSerializer,
    PlainValidator,
    Tag,
    WithJsonSchema,
    model_validator,
)

from hubs.errors import shown
from hubs.images.pkgnames import NOTABLE
from hubs.policy import imageref, model
from hubs.policy.imageref import ImageRef
from hubs.policy.tagorder import Order, parse_range


def _pinned(value: object) -> ImageRef:
    # An untagged image is allowed (it means :latest).  Spaces around it are refused here,
    # once: a tree value written with them is stated as { broken = "..." } instead.
    if isinstance(value, ImageRef):
        return value
    if not isinstance(value, str):
        raise ValueError("an image is a string: name:tag, name:tag@sha256:..., name@sha256:...")
    if value != value.strip() and value.strip():
        raise ValueError(
            f"spaces around the image reference {shown(value)}; write {shown(value.strip())}"
        )
    return imageref.parse(value)


def _repository(value: object) -> ImageRef:
    ref = _pinned(value)
    if ref.tag or ref.digest:
        raise ValueError(f"follow takes a repository without tag or digest, not {shown(str(ref))}")
    return ref


def _tag(text: str) -> str:
    return imageref.check_tag(text)


def _digest(text: str | None) -> str | None:
    return None if text is None else imageref.check_digest(text)


MATCH_LIMIT = 1000  # characters of a match pattern: compiling a huge one takes minutes


def _regex(text: str) -> str:
    # the engine tagorder matches tags with (re syntax, with a time limit); imported here
    # because most commands never validate a follow policy
    import regex

    if len(text) > MATCH_LIMIT:
        raise ValueError(f"a regular expression of {len(text)} characters; at most {MATCH_LIMIT}")

    try:
        regex.compile(text)
    except regex.error as exc:
        raise ValueError(f"invalid regular expression {text!r}: {exc}") from None
    return text


def _image_schema(description: str) -> WithJsonSchema:
    return WithJsonSchema(
        {"type": "string", "pattern": imageref.REFERENCE_PATTERN, "description": description}
    )


Pinned = Annotated[
    ImageRef,
    PlainValidator(_pinned),
    PlainSerializer(str, return_type=str),
    _image_schema(
        "A pinned image: name:tag, name:tag@sha256:..., name@sha256:... (or an "
        "untagged name, which means :latest)"
    ),
]
Repository = Annotated[
    ImageRef,
    PlainValidator(_repository),
    PlainSerializer(str, return_type=str),
    _image_schema("Repository to follow, e.g. pangeo/pangeo-notebook (no tag)"),
]


def _hold(what: str) -> Any:
    """The ``hold`` field of a policy whose locked ``what`` (a tag, an image) it keeps."""
    description = f"Keep the locked {what}: `hubs update` leaves this slot until released"
    return Field(False, strict=True, description=description)


def _hold_until(what: str) -> Any:
    description = f"Keep the locked {what} until this day (inclusive), e.g. 2026-12-31"
    return Field(None, description=description)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Follow(_Strict):
    """Follow the newest tag of a repository that matches ``match``, ordered by ``order``."""

    follow: Repository
    match: Annotated[str, AfterValidator(_regex)] = Field(
        ".*",
        description="Regex a tag must fully match; a named group 'version' is what is ordered",
    )
    order: Order = Field(description="How tags are ordered to find the newest")
    range: str | None = Field(None, description="semver only: e.g. '>=2.1,<3'")
    digest: bool = Field(
        False, strict=True, description="Also pin the resolved digest (name:tag@sha256:...)"
    )
    allow_downgrade: bool = Field(
        False, strict=True, description="Allow moving to an older tag than locked"
    )
    hold: bool = _hold("tag")
    hold_until: date | None = _hold_until("tag")

    @model_validator(mode="after")
    def _range_fits(self) -> Follow:
        if self.range is None:
            return self
        if self.order != "semver":
            raise ValueError(f"range only applies to order 'semver', not {self.order!r}")
        parse_range(self.range, self.order)
        return self


_DURATION = re.compile(r"^(?P<count>[1-9][0-9]{0,5})(?P<unit>[mhdw])$")


def _duration(text: str) -> str:
    if not _DURATION.match(text):
        raise ValueError(
            f"not a duration {shown(text)}: a count and a unit, m, h, d or w (e.g. 7d, 12h)"
        )
    return text


def _hub_name(text: str) -> str:
    cluster, slash, hub = text.partition("/")
    if not (cluster and slash and hub) or "/" in hub or text != text.strip():
        raise ValueError(f"not a hub {shown(text)}: CLUSTER/HUB, e.g. alpha/staging")
    return text


class Promote(_Strict):
    """Take the image another hub has run for at least ``after``; resolved by ``hubs update``
    from the git history of the line that holds the source's image."""

    promote: Annotated[str, AfterValidator(_hub_name)] = Field(
        description="The hub whose image this slot takes, CLUSTER/HUB (its image for the same "
        "profile and choice)",
    )
    after: Annotated[str, AfterValidator(_duration)] = Field(
        description="How long the source must have run an image before this slot takes it: "
        "a count and a unit, m, h, d or w (e.g. 7d)"
    )
    hold: bool = _hold("image")
    hold_until: date | None = _hold_until("image")


class Broken(_Strict):
    """An image string the tree holds that is not a valid reference, stated exactly as
    written: compile never rewrites it, and ``hubs check`` reports it until it is pinned."""

    broken: str = Field(description="The text exactly as the values file has it")


Inherit = Annotated[
    Literal["inherit"],
    Field(
        description='"inherit": remove the image here, so the layer below decides '
        "(a slot hubs.toml does not mention is left as the tree has it)"
    ),
]


def _policy_kind(value: object) -> str:
    if value == model.INHERIT:
        return "inherit"
    if isinstance(value, Broken) or (isinstance(value, dict) and "broken" in value):
        return "broken-image"
    if isinstance(value, Promote) or (isinstance(value, dict) and "promote" in value):
        return "promote"
    return "follow-latest" if isinstance(value, dict | Follow) else "pinned-image"


# A string is a pinned image (or the word "inherit"), a table a follow-latest policy (or a
# broken image kept as written, or a promotion from another hub); errors speak of the
# form that was written only.
Policy = Annotated[
    Annotated[Inherit, Tag("inherit")]
    | Annotated[Pinned, Tag("pinned-image")]
    | Annotated[Follow, Tag("follow-latest")]
    | Annotated[Broken, Tag("broken-image")]
    | Annotated[Promote, Tag("promote")],
    Discriminator(_policy_kind),
]


class Profile(_Strict):
    """Images of one profile of a profileList, addressed by slug (else display name)."""

    image: Policy | None = Field(None, description="kubespawner_override.image of the profile")
    choices: dict[str, Policy] = Field(
        default_factory=dict,
        description="profile_options.image.choices.<key>.kubespawner_override.image",
    )


class Scope(_Strict):
    """The images one values file sets: a hub's own file, or a file shared by hubs."""

    image: Policy | None = Field(None, description="jupyterhub.singleuser.image")
    profiles: dict[str, Profile] = Field(
        default_factory=dict, description="Profiles of the file's profileList, by slug or name"
    )


def _file_name(name: str) -> str:
    if "/" in name or not name.endswith((".yaml", ".yml")):
        raise ValueError("not a values file name: a file of the cluster folder, *.yaml or *.yml")
    return name


class Cluster(_Strict):
    files: dict[Annotated[str, AfterValidator(_file_name)], Scope] = Field(
        default_factory=dict, description="Files shared by several hubs, by file name"
    )
    hubs: dict[str, Scope] = Field(
        default_factory=dict, description="Every hub of cluster.yaml; {} when it inherits all"
    )
    platforms: list[Annotated[str, Field(pattern=r"^[a-z0-9_]+/[a-z0-9_]+(/[a-z0-9_]+)?$")]] = (
        Field(
            default_factory=lambda: list(model.DEFAULT_PLATFORMS),
            description="Platforms (os/arch[/variant]) the cluster's nodes run; "
            "`hubs verify` checks that its images have them",
        )
    )


class Defaults(_Strict):
    image: Policy = Field(description="The chart default, helm-charts/basehub/values.yaml")


class Registries(_Strict):
    insecure: list[str] = Field(
        default_factory=list, description="Registry hosts reached over plain HTTP"
    )
    mirrors: dict[str, str] = Field(
        default_factory=dict,
        description="Registry host -> mirror host[:port] serving the same repositories "
        "(e.g. a pull-through cache for docker.io); used by `hubs update` and `hubs verify`",
    )


class Packages(_Strict):
    notable: list[str] = Field(
        default_factory=lambda: list(NOTABLE),
        description="Packages a `--packages` diff names first in its one line when they "
        "change (conda names, or pip names as pip compares them)",
    )


class Lint(_Strict):
    off: list[str] = Field(
        default_factory=list, description="Lint rules turned off for the whole fleet"
    )
    strict: bool = Field(False, description="`hubs check` fails on lint findings (exit 1)")
    ignore: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Lint rules turned off where the key says: a cluster, a scope "
        "(CLUSTER/HUB, CLUSTER/FILE.yaml, defaults), an address, or the start of one "
        "(CLUSTER/FILE.yaml:profiles/NAME); a key that covers nothing is an error",
    )


# true: everywhere; a list: only under these scopes or addresses (as in [lint.ignore])
Where = bool | list[str]


class Sync(_Strict):
    prepuller: Where = Field(
        False,
        description="When compile changes a tag, also change the prePuller.extraImages "
        "entry of that repository that held the old tag (in the same file)",
    )
    labels: Where = Field(
        False,
        description="When compile changes a tag, also change the old tag where the "
        "profile's or choice's display_name or description names it",
    )


class Config(_Strict):
    """The whole of hubs.toml."""

    tree: str = Field(".", description="Infrastructure tree root, relative to hubs.toml")
    defaults: Defaults | None = Field(None, description="The chart default image")
    registries: Registries = Field(
        default_factory=Registries,
        description="How `hubs update` and `hubs verify` reach registries",
    )
    clusters: dict[str, Cluster] = Field(
        default_factory=dict, description="Clusters by the name of their folder"
    )
    lint: Lint = Field(default_factory=Lint, description="Which `hubs lint` rules apply")
    sync: Sync = Field(
        default_factory=Sync, description="Copies of a tag that compile keeps in step"
    )
    packages: Packages = Field(
        default_factory=Packages, description="What `--packages` reports of an image bump"
    )


class LockEntry(_Strict):
    image: Repository
    tag: Annotated[str, AfterValidator(_tag)] = Field(description="The tag it resolved to")
    digest: Annotated[str | None, AfterValidator(_digest)] = Field(
        None, description="The digest (sha256:...), when the policy asks for it"
    )
    resolved: str = Field(description="When it was resolved (UTC, ISO 8601)")
    policy: str = Field(description="Fingerprint of the policy that resolved it")
    source: str | None = Field(
        None, description="A promote slot: the hub (CLUSTER/HUB) its image was promoted from"
    )
    since: str | None = Field(
        None,
        description="A promote slot: when the source's image landed on the branch, from git "
        "(UTC, ISO 8601); absent while the slot keeps its own image, waiting",
    )


class Lock(_Strict):
    version: Literal[1] = Field(1, description="Format version of hubs.lock")
    slots: dict[str, LockEntry] = Field(
        default_factory=dict, description="One entry per follow-latest or promote slot, by address"
    )


def json_schema() -> dict[str, object]:
    schema = Config.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "hubs.toml"
    return schema


def inside(value: object) -> object:
    """``value`` with every model turned into the :mod:`hubs.policy.model` dataclass of its
    name, field by field (what validated is passed on as it is)."""
    if isinstance(value, BaseModel):
        made = getattr(model, type(value).__name__)
        return made(**{name: inside(getattr(value, name)) for name in type(value).model_fields})
    if isinstance(value, dict):
        return {key: inside(item) for key, item in value.items()}
    if isinstance(value, list):
        return [inside(item) for item in value]
    return value
