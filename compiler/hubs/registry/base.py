"""What every part of the registry client shares: its error and the OCI media types."""

from __future__ import annotations

import re

from hubs.errors import FailureError

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
MANIFEST_ACCEPT = ", ".join((OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_MANIFEST))
INDEX_TYPES = frozenset({OCI_INDEX, DOCKER_LIST})
HELM_CONFIG = "application/vnd.cncf.helm.config.v1+json"
DIGEST_RE = re.compile(r"[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+")


class RegistryError(FailureError):
    """A registry operation failed; the message is one line and holds no secret."""


# The most a registry may send for each kind of document; more is refused, not read.
# A page is parsed whole (4 MiB of two-letter tags are 75 MiB of str), so pages stay
# small; a listing (every page) is capped in bytes and in tags.
TAG_PAGE_LIMIT = 4 << 20
TAG_LISTING_LIMIT = 16 << 20
TAG_COUNT_LIMIT = 100_000
MANIFEST_LIMIT = 4 << 20
CONFIG_LIMIT = 4 << 20
TOKEN_LIMIT = 1 << 20
