"""A small OCI distribution (registry v2) client, one module per job.

* :mod:`.routing` — which URL a registry host is reached at (Docker Hub, mirrors, HTTP);
* :mod:`.credentials` — credentials from the environment and Docker's config.json;
* :mod:`.auth` — challenges, Basic and Bearer tokens;
* :mod:`.transport` — one request: redirects, retries, the budget, redaction;
* :mod:`.results` — typed results parsed from manifests and configs;
* :mod:`.oci` — :class:`RegistryClient`, the operations.
"""

from .auth import Challenge, parse_challenges
from .base import RegistryError
from .credentials import Credentials, CredentialStore, env_prefix
from .oci import DEFAULT_PLATFORM, RegistryClient
from .results import (
    Descriptor,
    ImageConfig,
    Index,
    IndexEntry,
    Manifest,
    ManifestHead,
    Platform,
    parse_config,
)
from .routing import DOCKER_HUB_API, is_loopback, mirrored, page_query, registry_url

__all__ = [
    "DEFAULT_PLATFORM",
    "DOCKER_HUB_API",
    "Challenge",
    "CredentialStore",
    "Credentials",
    "Descriptor",
    "ImageConfig",
    "Index",
    "IndexEntry",
    "Manifest",
    "ManifestHead",
    "Platform",
    "RegistryClient",
    "RegistryError",
    "env_prefix",
    "is_loopback",
    "mirrored",
    "page_query",
    "parse_challenges",
    "parse_config",
    "registry_url",
]
