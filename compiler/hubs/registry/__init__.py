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
from .oci import RegistryClient
from .results import ImageConfig, parse_config
from .routing import DOCKER_HUB_API, is_loopback, mirrored, page_query, registry_url

__all__ = [
    "DOCKER_HUB_API",
    "Challenge",
    "CredentialStore",
    "Credentials",
    "ImageConfig",
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
