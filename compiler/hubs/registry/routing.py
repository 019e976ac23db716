"""Where a registry host is reached: Docker Hub's API host, mirrors, plain HTTP or TLS.

Docker Hub's names are owned by :mod:`hubs.policy.imageref` (``DOCKER_HUB_ALIASES``); this module
only decides URLs from them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping

from hubs.policy.imageref import DOCKER_HUB, DOCKER_HUB_ALIASES, parse

DOCKER_HUB_API = "registry-1.docker.io"


def hostname(host: str) -> str:
    """``host[:port]`` without the port; ``[::1]:5000`` gives ``[::1]``."""
    if host.startswith("["):
        return host[: host.index("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if ":" in host else host


def is_docker_hub(host: str) -> bool:
    return host.lower() in DOCKER_HUB_ALIASES


def is_loopback(host: str) -> bool:
    """``localhost``, ``127.0.0.0/8`` or ``[::1]`` (with or without a port)."""
    name = hostname(host).lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name.strip("[]")).is_loopback
    except ValueError:
        return False


def registry_url(registry: str, insecure: frozenset[str] = frozenset()) -> str:
    """The base URL of a registry: Docker Hub's API host, plain HTTP for loopback/insecure."""
    host = DOCKER_HUB_API if is_docker_hub(registry) else registry
    plain = {h.lower() for h in insecure}
    is_plain = is_loopback(host) or host.lower() in plain or hostname(host).lower() in plain
    return f"{'http' if is_plain else 'https'}://{host}"


def page_query(registry: str) -> str:
    """The query of a first tags/list request: a big page where the registry allows one.

    Docker Hub honours large ``n``; ECR rejects ``n`` over 1000; Quay rejects more than
    about 100, so other registries get their default page size and ``Link`` is followed.
    """
    host = hostname(registry).lower()
    if is_docker_hub(host):
        return "?n=10000"
    if host == "public.ecr.aws" or (host.endswith(".amazonaws.com") and ".ecr." in host):
        return "?n=1000"
    return ""


def auth_key(key: str) -> str:
    """A docker config.json ``auths``/``credHelpers`` key or a registry host, normalised."""
    host = key.strip().split("://", 1)[-1].split("/", 1)[0].lower()
    return DOCKER_HUB if is_docker_hub(host) else host


def mirrored(image: str, mirrors: Mapping[str, str]) -> str:
    """``image`` on the mirror of its registry (``registries.mirrors``), else unchanged."""
    ref = parse(image)
    mirror = mirrors.get(ref.registry)
    return f"{mirror}/{ref.repository}" if mirror else image
