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

from hubs.policy.imageref import DOCKER_HUB
from hubs.registry.base import RegistryError
from hubs.registry.helpers import run_helper
from hubs.registry.routing import auth_key


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str = field(repr=False)
    source: str = ""

    @property
    def identity_token(self) -> bool:
        """A credential helper's ``<token>`` user: the password is an OAuth refresh token."""
        return self.username == "<token>"

    def basic(self) -> str:
        raw = f"{self.username}:{self.password}".encode()
        return "Basic " + base64.b64encode(raw).decode("ascii")

    def secrets(self) -> tuple[str, ...]:
        return (self.password, self.basic().removeprefix("Basic "))


_ESCAPES = {".": "_DOT_", "-": "_DASH_", ":": "_COLON_"}


def env_prefix(registry: str) -> str:
    """``HUBS_REGISTRY_<HOST>``: letters upper-cased, digits kept, ``.`` ``-`` ``:`` as
    ``_DOT_`` ``_DASH_`` ``_COLON_`` (any other character as ``_X<hex>_``).

    One to one: a host never holds ``_``, so each ``_`` opens an escape and no two hosts
    (up to case, as DNS) share a name.  ``evil.reg.test`` is ``EVIL_DOT_REG_DOT_TEST``,
    ``evil-reg.test`` is ``EVIL_DASH_REG_DOT_TEST``.
    """
    encoded = "".join(
        c.upper() if c.isascii() and c.isalnum() else _ESCAPES.get(c, f"_X{ord(c):X}_")
        for c in registry
    )
    return "HUBS_REGISTRY_" + encoded


def legacy_prefix(registry: str) -> str:
    """The name read before issue 18: every non-alphanumeric as ``_``, shared by hosts
    such as ``evil.reg.test`` and ``evil-reg.test``; refused, never read."""
    return "HUBS_REGISTRY_" + re.sub(r"[^A-Z0-9]", "_", registry.upper())


@dataclass(frozen=True)
class _DockerConfig:
    """What config.json says: ``auths`` entries, ``credHelpers`` and ``credsStore``."""

    path: Path
    auths: Mapping[str, Credentials]
    helpers: Mapping[str, tuple[str, str]]  # registry -> (key as written, helper name)
    store: str | None


class CredentialStore:
    """Credentials per registry: the environment, then Docker's config.json (its
    ``credHelpers`` entry for the registry, else its ``credsStore``, else ``auths``)."""

    def __init__(self, docker_config: Path | None, env: Mapping[str, str]) -> None:
        self._env = env
        self._path = docker_config or self._default_path(env)
        self._config: _DockerConfig | None = None
        self._found: dict[str, Credentials | None] = {}
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
        with self._lock:  # one helper run per registry, however many threads ask
            if registry not in self._found:
                self._found[registry] = self._from_config(registry)
            return self._found[registry]

    def _from_env(self, registry: str) -> Credentials | None:
        prefix = env_prefix(registry)
        user, password = self._env.get(prefix + "_USERNAME"), self._env.get(prefix + "_PASSWORD")
        if user is None and password is None:
            self._refuse_legacy(registry, prefix)
            return None
        if not user or password is None:
            raise RegistryError(f"{registry}: set both {prefix}_USERNAME and {prefix}_PASSWORD")
        return Credentials(user, password, f"{prefix}_USERNAME/_PASSWORD")

    def _refuse_legacy(self, registry: str, prefix: str) -> None:
        """Stop, naming it, on a variable of the old many-to-one form for this host."""
        legacy = legacy_prefix(registry)
        if legacy == prefix:
            return
        for suffix in ("_USERNAME", "_PASSWORD"):
            if legacy + suffix in self._env:
                raise RegistryError(
                    f"{registry}: {legacy}{suffix} is no longer read (it can name more than "
                    f"one host); set {prefix}_USERNAME and {prefix}_PASSWORD"
                )

    def _from_config(self, registry: str) -> Credentials | None:
        if self._config is None:
            self._config = self._load()
        config, key = self._config, auth_key(registry)
        if key in config.helpers:
            written, name = config.helpers[key]
            return self._helper(name, written, registry)
        if config.store:
            found = self._helper(config.store, _server(key), registry)
            if found is not None:
                return found
        return config.auths.get(key)

    def _helper(self, name: str, server: str, registry: str) -> Credentials | None:
        found = run_helper(name, server, registry, self._env)
        return None if found is None else Credentials(*found, f"docker-credential-{name}")

    def _load(self) -> _DockerConfig:
        path = self._path / "config.json" if self._path.is_dir() else self._path
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return _DockerConfig(path, {}, {}, None)
        except (OSError, ValueError, RecursionError) as exc:
            raise RegistryError(f"cannot read docker config {path}: {type(exc).__name__}") from None
        data = data if isinstance(data, dict) else {}
        auths = data.get("auths")
        found: dict[str, Credentials] = {}
        for key, entry in (auths if isinstance(auths, dict) else {}).items():
            creds = _entry_credentials(entry, f"{path} auths[{key!r}]")
            if creds is not None:
                found.setdefault(auth_key(key), creds)
        helpers = data.get("credHelpers")
        named = {
            auth_key(key): (key, name)
            for key, name in (helpers if isinstance(helpers, dict) else {}).items()
            if isinstance(key, str) and isinstance(name, str) and name
        }
        store = data.get("credsStore")
        return _DockerConfig(
            path, found, named, store if isinstance(store, str) and store else None
        )


def _server(key: str) -> str:
    """The server name a credential store keeps a registry's entry under (as docker login)."""
    return "https://index.docker.io/v1/" if key == DOCKER_HUB else key


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
