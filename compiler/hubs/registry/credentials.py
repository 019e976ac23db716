"""Registry credentials: ``HUBS_REGISTRY_<HOST>_USERNAME/_PASSWORD``, then Docker's config.json."""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .base import RegistryError
from .routing import auth_key


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str = field(repr=False)
    source: str = ""

    def basic(self) -> str:
        raw = f"{self.username}:{self.password}".encode()
        return "Basic " + base64.b64encode(raw).decode("ascii")

    def secrets(self) -> tuple[str, ...]:
        return (self.password, self.basic().removeprefix("Basic "))


def env_prefix(registry: str) -> str:
    """``HUBS_REGISTRY_<HOST>`` with the host upper-cased and non-alphanumerics as ``_``."""
    return "HUBS_REGISTRY_" + re.sub(r"[^A-Z0-9]", "_", registry.upper())


class CredentialStore:
    """Credentials per registry from the environment, then Docker's config.json."""

    def __init__(self, docker_config: Path | None, env: Mapping[str, str]) -> None:
        self._env = env
        self._path = docker_config or self._default_path(env)
        self._auths: dict[str, Credentials] | None = None
        self._lock = threading.Lock()

    @staticmethod
    def _default_path(env: Mapping[str, str]) -> Path:
        if env.get("DOCKER_CONFIG"):
            return Path(env["DOCKER_CONFIG"]) / "config.json"
        return Path.home() / ".docker" / "config.json"

    def lookup(self, registry: str) -> Credentials | None:
        from_env = self._from_env(registry)
        if from_env is not None:
            return from_env
        with self._lock:
            if self._auths is None:
                self._auths = self._load()
        return self._auths.get(auth_key(registry))

    def _from_env(self, registry: str) -> Credentials | None:
        prefix = env_prefix(registry)
        user, password = self._env.get(prefix + "_USERNAME"), self._env.get(prefix + "_PASSWORD")
        if user is None and password is None:
            return None
        if not user or password is None:
            raise RegistryError(f"{registry}: set both {prefix}_USERNAME and {prefix}_PASSWORD")
        return Credentials(user, password, f"{prefix}_USERNAME/_PASSWORD")

    def _load(self) -> dict[str, Credentials]:
        path = self._path / "config.json" if self._path.is_dir() else self._path
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, RecursionError) as exc:
            raise RegistryError(f"cannot read docker config {path}: {type(exc).__name__}") from None
        auths = data.get("auths") if isinstance(data, dict) else None
        found: dict[str, Credentials] = {}
        for key, entry in (auths if isinstance(auths, dict) else {}).items():
            creds = _entry_credentials(entry, f"{path} auths[{key!r}]")
            if creds is not None:
                found.setdefault(auth_key(key), creds)
        return found


def _entry_credentials(entry: object, where: str) -> Credentials | None:
    if not isinstance(entry, dict):
        return None
    if isinstance(entry.get("auth"), str) and entry["auth"]:
        try:
            user, sep, password = (
                base64.b64decode(entry["auth"], validate=True).decode().partition(":")
            )
        except (binascii.Error, UnicodeDecodeError):
            raise RegistryError(f"{where}: 'auth' is not base64 of user:password") from None
        if not sep:
            raise RegistryError(f"{where}: 'auth' is not base64 of user:password")
        return Credentials(user, password, where)
    name, secret = entry.get("username"), entry.get("password")
    if isinstance(name, str) and isinstance(secret, str) and name:
        return Credentials(name, secret, where)
    return None
