"""The kinds of policy a slot can be under: one enum, its values the words users read.

A slot is *inherit* (the key absent), *pinned*, *follow-latest* or *promote* (resolved
through hubs.lock), *pending* (a follow or promote hubs.lock cannot answer yet),
*broken* (text that is no image reference, kept as written), *user-controlled* (an
``unlisted_choice``: what users type), *unstated* (hubs.toml says nothing; left as the
tree has it) or *unmanaged* (an image hubs reads but never writes: another option's
choice, ``hub.config.KubeSpawner.image``).  A ``StrEnum``: each member is its word, so
reports and JSON show it as written.  Imports nothing, so the command line can offer
the words without loading the models.
"""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    INHERIT = "inherit"
    PINNED = "pinned"
    FOLLOW = "follow-latest"
    PROMOTE = "promote"
    PENDING = "pending"
    BROKEN = "broken"
    USER = "user-controlled"
    UNSTATED = "unstated"
    UNMANAGED = "unmanaged"


# What `hubs list --policy` takes, in the order its help lists them.
LISTED = (
    Kind.PINNED,
    Kind.FOLLOW,
    Kind.PROMOTE,
    Kind.PENDING,
    Kind.INHERIT,
    Kind.BROKEN,
    Kind.UNSTATED,
    Kind.USER,
)
