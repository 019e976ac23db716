"""Registry authentication by the distribution token spec.

Anonymous first; on a 401 the ``WWW-Authenticate`` challenge decides between Basic
credentials and a Bearer token from the challenge's realm, cached per host and scope until
90 % of its ``expires_in``.  A host that asked once is answered up front afterwards.
"""

from __future__ import annotations

import functools
import re
import threading
import time
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from hubs.policy.imageref import ImageRef
from hubs.registry.base import TOKEN_LIMIT
from hubs.registry.credentials import Credentials, CredentialStore, env_prefix
from hubs.registry.exchange import Reply, origin
from hubs.registry.transport import Transport

_DEFAULT_TOKEN_LIFETIME = 60.0
_TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_SCHEME_RE = re.compile(rf"[\s,]*({_TOKEN})(?=\s|$)")
_PARAM_RE = re.compile(rf'\s*({_TOKEN})\s*=\s*("(?:[^"\\]|\\.)*"|{_TOKEN})\s*(?:,|$)')
_SENDABLE = re.compile(r"[\x21-\x7e]+")  # what an Authorization header can carry


@dataclass(frozen=True)
class Challenge:
    scheme: str  # lower-case: "bearer", "basic", ...
    params: Mapping[str, str]


def parse_challenges(header: str) -> list[Challenge]:
    """Parse a ``WWW-Authenticate`` header (RFC 7235 auth-params, quoted strings with commas)."""
    challenges: list[Challenge] = []
    pos = 0
    while (scheme := _SCHEME_RE.match(header, pos)) is not None:
        pos = scheme.end()
        params: dict[str, str] = {}
        while (param := _PARAM_RE.match(header, pos)) is not None:
            params[param[1].lower()] = _unquote(param[2])
            pos = param.end()
        challenges.append(Challenge(scheme[1].lower(), params))
    return challenges


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def _hint(creds: Credentials | None, reply: Reply) -> str:
    if reply.status not in (401, 403):
        return ""
    return f" (credentials from {creds.source} refused)" if creds else " (no credentials found)"


class Authenticator:
    """The ``Authorization`` header for each request of a client; thread-safe."""

    def __init__(self, store: CredentialStore, transport: Transport) -> None:
        self._store = store
        self._transport = transport
        self._lock = threading.Lock()
        self._challenges: dict[str, Challenge] = {}
        self._basic_hosts: set[str] = set()
        self._tokens: dict[tuple[str, str], tuple[str, float]] = {}
        self._token_locks: dict[tuple[str, str], threading.Lock] = {}

    def unauthorized(self, ref: ImageRef) -> str:
        creds = self._store.lookup(ref.registry)
        if creds is None:
            return (
                "unauthorized: the repository does not exist or needs credentials (none found; "
                f"set {env_prefix(ref.registry)}_USERNAME/_PASSWORD or use docker login)"
            )
        return (
            f"unauthorized: the credentials from {creds.source} were refused, "
            "or the repository does not exist or is not accessible with them"
        )

    def preauthorization(self, ref: ImageRef) -> str | None:
        """The Authorization to send before any challenge, from what this host asked before."""
        with self._lock:
            challenge = self._challenges.get(ref.registry)
            basic = ref.registry in self._basic_hosts
        if challenge is not None:
            return "Bearer " + self._token(ref, challenge, refresh=False)
        if basic:
            creds = self._store.lookup(ref.registry)
            return creds.basic() if creds else None
        return None

    def authorize(self, ref: ImageRef, header: str) -> str:
        """Answer a 401 challenge: a fresh Bearer token or Basic credentials."""
        challenges = {c.scheme: c for c in reversed(parse_challenges(header))}
        if "bearer" in challenges:
            bearer = challenges["bearer"]
            # remembered for other repositories, whose scope is not this one's
            params = {k: v for k, v in bearer.params.items() if k != "scope"}
            with self._lock:
                self._challenges[ref.registry] = Challenge("bearer", params)
            return "Bearer " + self._token(ref, bearer, refresh=True)
        if "basic" in challenges:
            creds = self._store.lookup(ref.registry)
            if creds is None:
                raise self._transport.error(ref.canonical_name, self.unauthorized(ref))
            self._transport.redactor.add(creds.secrets())
            with self._lock:
                self._basic_hosts.add(ref.registry)
            return creds.basic()
        raise self._transport.error(
            ref.canonical_name, f"unsupported authentication challenge {sorted(challenges)}"
        )

    def _token(self, ref: ImageRef, challenge: Challenge, *, refresh: bool) -> str:
        key = (ref.registry, _scope(ref))
        with self._lock:
            lock = self._token_locks.setdefault(key, threading.Lock())
        with lock:
            with self._lock:
                cached = self._tokens.get(key)
            if cached and not refresh and cached[1] > time.monotonic():
                return cached[0]
            token, lifetime = self._fetch_token(ref, challenge)
            with self._lock:
                self._tokens[key] = (token, time.monotonic() + lifetime * 0.9)
            return token

    def _fetch_token(self, ref: ImageRef, challenge: Challenge) -> tuple[str, float]:
        name = ref.canonical_name
        realm = challenge.params.get("realm")
        if not realm:
            raise self._transport.error(name, "Bearer challenge without a realm")
        scopes = [_scope(ref)]
        if challenge.params.get("scope") and challenge.params["scope"] not in scopes:
            scopes.append(challenge.params["scope"])
        params: dict[str, str | list[str]] = {"scope": scopes}
        if challenge.params.get("service"):
            params["service"] = challenge.params["service"]
        try:
            url = httpx.URL(realm).copy_merge_params(params)
        except (httpx.InvalidURL, TypeError):
            raise self._transport.error(name, "Bearer challenge with an invalid realm") from None
        creds = self._store.lookup(ref.registry)
        what = f"token request to {url.host}"
        service = challenge.params.get("service", "")
        reply = self._token_reply(name, (realm, url, scopes, service), creds, what)
        if reply.status != 200:
            raise self._transport.error(name, f"{what}: {reply.detail()}{_hint(creds, reply)}")
        return self._token_from(name, self._transport.json_object(name, reply, what), what)

    def _token_reply(
        self,
        name: str,
        request: tuple[str, httpx.URL, list[str], str],  # realm, GET URL, scopes, service
        creds: Credentials | None,
        what: str,
    ) -> Reply:
        """GET a token (Basic credentials if any), or exchange an identity token for one by
        POSTing it as an OAuth2 refresh token, as the distribution spec says."""
        realm, url, scopes, service = request
        fetch = functools.partial(
            self._transport.fetch, name, limit=TOKEN_LIMIT, what=what, auth_origin=origin(url)
        )
        if creds is None:
            return fetch(method="GET", url=str(url), headers={})
        self._transport.redactor.add(creds.secrets())
        if not creds.identity_token:
            return fetch(method="GET", url=str(url), headers={"Authorization": creds.basic()})
        form = {
            "grant_type": "refresh_token",
            "refresh_token": creds.password,
            "client_id": "hubs",
            "service": service,
            "scope": " ".join(scopes),
        }
        return fetch(
            method="POST",
            url=realm,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            content=urllib.parse.urlencode(form).encode(),
        )

    def _token_from(self, name: str, body: Mapping[str, Any], what: str) -> tuple[str, float]:
        token = body.get("token") or body.get("access_token")
        if not isinstance(token, str) or not token:
            raise self._transport.error(name, f"{what}: the response holds no token")
        if not _SENDABLE.fullmatch(token):
            raise self._transport.error(
                name, f"{what}: the token is not printable ASCII, so it cannot be sent"
            )
        self._transport.redactor.add((token,))
        lifetime = body.get("expires_in", _DEFAULT_TOKEN_LIFETIME)
        if not isinstance(lifetime, int | float) or isinstance(lifetime, bool):
            lifetime = _DEFAULT_TOKEN_LIFETIME
        return token, float(lifetime)


def _scope(ref: ImageRef) -> str:
    return f"repository:{ref.repository}:pull"
