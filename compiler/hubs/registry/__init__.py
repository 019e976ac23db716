"""A small OCI distribution (registry v2) client, one module per job.

* :mod:`.routing` — which URL a registry host is reached at (Docker Hub, mirrors, HTTP);
* :mod:`.credentials`, :mod:`.helpers` — credentials from the environment and Docker's
  config.json (``auths``, ``credHelpers``, ``credsStore``);
* :mod:`.auth` — challenges, Basic, Bearer tokens, identity tokens;
* :mod:`.transport` — one logical request: redirects, retries, the budget;
  :mod:`.limits` its clocks, :mod:`.netstream` deadlines on every socket operation,
  :mod:`.reader` size caps, JSON and one-line scrubbed errors, :mod:`.exchange` the rest;
* :mod:`.results` — typed results parsed from manifests, indexes and configs;
* :mod:`.session` — authenticated requests; :mod:`.oci` — :class:`RegistryClient`.
"""

from hubs.registry.auth import Challenge, parse_challenges
from hubs.registry.base import RegistryError
from hubs.registry.credentials import Credentials, CredentialStore, env_prefix
from hubs.registry.oci import DEFAULT_PLATFORM, RegistryClient
from hubs.registry.results import (
    Descriptor,
    ImageConfig,
    Index,
    IndexEntry,
    Manifest,
    ManifestHead,
    Platform,
    parse_config,
)
from hubs.registry.routing import DOCKER_HUB_API, is_loopback, mirrored, page_query, registry_url

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
