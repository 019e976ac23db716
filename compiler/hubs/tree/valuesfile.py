"""What a scan finds in one values file, as values: :class:`Slot` and :class:`ValuesFile`,
and their plain JSON form for :mod:`hubs.tree.cache` (:func:`encode`, :func:`decode`).

:func:`decode` accepts exactly the shape :func:`encode` writes and raises ValueError or
TypeError on anything else, so a cache entry is either the scan's result or a miss.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from hubs.errors import (
    Diagnostic,
    decode_diagnostic,
    encode_diagnostic,
    plain_choice,
    plain_list,
    plain_typed,
)

if TYPE_CHECKING:  # a replayed check reads these values without parsing YAML
    from hubs.policy.address import SlotKind
    from hubs.policy.imageref import Image
    from hubs.tree.yamldoc import YamlPath


@dataclass(frozen=True, slots=True)
class Slot:
    """One image slot of one values file, as it is on disk now."""

    file: str
    kind: SlotKind
    profile: str | None  # profile slug, else display name
    choice: str | None
    path: YamlPath  # to the image node (for ``singleuser``: the ``image`` map)
    physical: YamlPath  # same node at its anchor; equals ``path`` unless reached by alias
    line: int  # of the image value (the tag for ``singleuser``); 0 when absent
    image: str | None  # current reference text; None when the slot is not set here
    anchor: str | None = None  # ``&name`` the node sits under, when aliased elsewhere
    inherited_name: str | None = None  # singleuser map with a tag only: the name from below
    inherited_tag: str | None = None  # singleuser map with a name only: the tag from below
    partial: Literal["name", "tag"] | None = None  # which of name/tag the map lacks
    nulled: bool = False  # ``image: null``: sets nothing, and drops what lower files set

    @property
    def value(self) -> Image | None:
        """The image the tree holds here, typed (a reference, or text kept as written)."""
        from hubs.policy.imageref import read  # 1.7 ms; a replayed check never needs it

        return None if self.image is None else read(self.image)

    @property
    def aliased(self) -> bool:
        return self.path != self.physical


NoteKind = Literal["display_name", "description", "pull_policy", "prepuller"]


@dataclass(frozen=True, slots=True)
class Note:
    """A scalar kept beside the slots, for ``lint`` and ``[sync]``: a profile's or choice's
    label, a pull policy, a ``prePuller.extraImages`` entry (``choice`` is its name,
    ``value`` its ``name:tag``, ``path`` its ``tag``)."""

    kind: NoteKind
    profile: str | None
    choice: str | None
    path: YamlPath
    physical: YamlPath  # same node at its anchor
    line: int
    value: str


@dataclass(frozen=True, slots=True)
class OptionImage:
    """An image a choice of a profile option other than ``image`` sets (``choice`` None:
    its enabled unlisted choice, what users type).  hubs shows it and does not manage it."""

    choice: str | None
    line: int
    image: str


@dataclass(frozen=True, slots=True)
class Option:
    """A profile option that can set the image, listed (in ``profile_options`` order, the
    order KubeSpawner applies them) for a profile where an option other than ``image`` does:
    its choice keys, and the images they set (none for ``image``, whose images are slots)."""

    profile: str
    name: str
    choices: tuple[str, ...]
    images: tuple[OptionImage, ...] = ()

    @property
    def picks(self) -> tuple[str | None, ...]:
        """Every choice a user can pick (None: the unlisted choice, when it sets the image)."""
        unlisted = any(found.choice is None for found in self.images)
        return (*self.choices, *((None,) if unlisted else ()))

    def image_of(self, choice: str | None) -> OptionImage | None:
        return next((found for found in self.images if found.choice == choice), None)


@dataclass(frozen=True, slots=True)
class Setting:
    """A scalar a file sets at one of ``slots.SPAWNER_KEYS``: its text (None: null, which
    Helm drops, or not a scalar) and line."""

    value: str | None
    line: int
    plain: bool = True  # not quoted: a YAML boolean can only be plain


@dataclass(slots=True)
class ValuesFile:
    """One scanned values file: its slots and profiles, and the digest of the text scanned."""

    path: str
    prefix: YamlPath
    digest: str = ""  # of the text scanned, to see that a file did not change since
    slots: list[Slot] = field(default_factory=list)
    profiles: dict[str, int] = field(default_factory=dict)  # name -> index in profileList
    has_profile_list: bool = False
    warnings: list[Diagnostic] = field(default_factory=list)  # nothing fatal
    notes: list[Note] = field(default_factory=list)  # labels, pull policies, prePuller
    shadowed: list[str] = field(default_factory=list)  # profiles KubeSpawner never loads
    options: list[Option] = field(default_factory=list)  # options other than image set one
    settings: dict[YamlPath, Setting] = field(default_factory=dict)  # by spawner key set

    def options_of(self, profile: str) -> list[Option]:
        """The options of ``profile`` that set the image, in order, when one is not ``image``."""
        return [option for option in self.options if option.profile == profile]

    def slot(
        self, kind: SlotKind, profile: str | None = None, choice: str | None = None
    ) -> Slot | None:
        for slot in self.slots:
            if (slot.kind, slot.profile, slot.choice) == (kind, profile, choice):
                return slot
        return None


# ---------------------------------------------------------------- as plain data (the cache)

_KINDS = ("singleuser", "profile", "choice", "unlisted")


def encode(values: ValuesFile) -> list[object]:
    """``values`` as JSON-ready lists, for :mod:`hubs.tree.cache`; :func:`decode` reverses it."""
    slots = [_slot_row(s) for s in values.slots]
    warnings = [encode_diagnostic(w) for w in values.warnings]
    profiles = [[name, index] for name, index in values.profiles.items()]
    notes = [_note_row(n) for n in values.notes]
    options = [_option_row(o) for o in values.options]
    shadowed = list(values.shadowed)
    settings = [[list(key), s.value, s.line, s.plain] for key, s in values.settings.items()]
    return [values.has_profile_list, profiles, slots, warnings, notes, shadowed, options, settings]


def _option_row(o: Option) -> list[object]:
    images = [[found.choice, found.line, found.image] for found in o.images]
    return [o.profile, o.name, list(o.choices), images]


def _note_row(n: Note) -> list[object]:
    return [n.kind, n.profile, n.choice, list(n.path), list(n.physical), n.line, n.value]


def _slot_row(s: Slot) -> list[object]:
    return [
        *(s.kind, s.profile, s.choice, list(s.path), list(s.physical), s.line, s.image),
        *(s.anchor, s.inherited_name, s.inherited_tag, s.partial, s.nulled),
    ]


def decode(data: object, path: str, prefix: YamlPath, digest: str) -> ValuesFile:
    """The :class:`ValuesFile` :func:`encode` gave; ValueError/TypeError on any other shape."""
    has_list, profiles, slots, warnings, notes, shadowed, options, settings = plain_list(data, 8)
    out = ValuesFile(path, prefix, digest, has_profile_list=plain_typed(has_list, bool))
    for name, index in (plain_list(p, 2) for p in plain_list(profiles)):
        out.profiles[_text(name)] = plain_typed(index, int)
    for row in (plain_list(s, 12) for s in plain_list(slots)):
        out.slots.append(_slot(path, row))
    out.warnings.extend(decode_diagnostic(w) for w in plain_list(warnings))
    out.notes.extend(_note(row) for row in (plain_list(n, 7) for n in plain_list(notes)))
    out.shadowed.extend(_text(name) for name in plain_list(shadowed))
    out.options.extend(_option(row) for row in (plain_list(o, 4) for o in plain_list(options)))
    for key, value, line, plain in (plain_list(s, 4) for s in plain_list(settings)):
        out.settings[_path(key)] = Setting(
            _maybe_text(value), plain_typed(line, int), plain_typed(plain, bool)
        )
    return out


def _option(row: list[object]) -> Option:
    profile, name, choices, images = row
    found = (plain_list(i, 3) for i in plain_list(images))
    return Option(
        _text(profile),
        _text(name),
        tuple(_text(choice) for choice in plain_list(choices)),
        tuple(OptionImage(_maybe_text(c), plain_typed(n, int), _text(i)) for c, n, i in found),
    )


_NOTE_KINDS = ("display_name", "description", "pull_policy", "prepuller")


def _note(row: list[object]) -> Note:
    kind, profile, choice, path, physical, line, value = row
    return Note(
        plain_choice(kind, _NOTE_KINDS),  # type: ignore[arg-type]
        _maybe_text(profile),
        _maybe_text(choice),
        _path(path),
        _path(physical),
        plain_typed(line, int),
        _text(value),
    )


def _slot(file: str, row: list[object]) -> Slot:
    kind, profile, choice, path, physical, line, image, anchor, name, tag, partial, nulled = row
    return Slot(
        file,
        plain_choice(kind, _KINDS),  # type: ignore[arg-type]
        _maybe_text(profile),
        _maybe_text(choice),
        _path(path),
        _path(physical),
        plain_typed(line, int),
        _maybe_text(image),
        _maybe_text(anchor),
        _maybe_text(name),
        _maybe_text(tag),
        None if partial is None else plain_choice(partial, ("name", "tag")),  # type: ignore[arg-type]
        plain_typed(nulled, bool),
    )


def _text(value: object) -> str:
    """A cached string, interned: the same names and images recur in every file, and a
    decoded cache would otherwise hold a copy for each (a scan shares them)."""
    return sys.intern(plain_typed(value, str))


def _maybe_text(value: object) -> str | None:
    return None if value is None else _text(value)


def _path(value: object) -> YamlPath:
    steps: list[str | int] = []
    for step in plain_list(value):
        if type(step) is str:
            steps.append(sys.intern(step))
        elif type(step) is int:
            steps.append(step)
        else:
            raise TypeError("not a cached path step")
    return tuple(steps)
