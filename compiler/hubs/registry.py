"""A small OCI distribution (registry v2) client: tag lists, manifest digests, image configs.

Synchronous and thread-safe; callers get concurrency from a thread pool.  Authentication
follows the distribution token spec: anonymous first, then on a 401 the ``WWW-Authenticate``
challenge decides between Basic credentials and a Bearer token from the challenge's realm
(cached per host and scope).  Credentials come from ``HUBS_REGISTRY_<HOST>_USERNAME`` /
``_PASSWORD`` or from Docker's ``config.json``; they are sent only to the registry's own
origin (redirects elsewhere lose the ``Authorization`` header) and to the token realm, and
they never appear in an error message.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import ipaddress
import json
import os
import random
import re
import ssl
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from hubs.errors import FailureError
from hubs.imageref import DOCKER_HUB, ImageRef

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
MANIFEST_ACCEPT = ", ".join((OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_MANIFEST))
INDEX_TYPES = frozenset({OCI_INDEX, DOCKER_LIST})
HELM_CONFIG = "application/vnd.cncf.helm.config.v1+json"
DOCKER_HUB_API = "registry-1.docker.io"
_DOCKER_HUB_NAMES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})

_MAX_REDIRECTS = 5
_BACKOFF_BASE = 0.25
_BACKOFF_CAP = 8.0
_DEFAULT_TOKEN_LIFETIME = 60.0
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_DIGEST_RE = re.compile(r"[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+")
_TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_SCHEME_RE = re.compile(rf"[\s,]*({_TOKEN})(?=\s|$)")
_PARAM_RE = re.compile(rf'\s*({_TOKEN})\s*=\s*("(?:[^"\\]|\\.)*"|{_TOKEN})\s*(?:,|$)')


class RegistryError(FailureError):
    """A registry operation failed; the message is one line and holds no secret."""


@dataclass(frozen=True)
class ImageConfig:
    created: datetime | None
    user: str | None


@dataclass(frozen=True)
class Challenge:
    scheme: str  # lower-case: "bearer", "basic", ...
    params: Mapping[str, str]


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


# --- pure helpers -------------------------------------------------------------------------


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


def _hostname(host: str) -> str:
    """``host[:port]`` without the port; ``[::1]:5000`` gives ``[::1]``."""
    if host.startswith("["):
        return host[: host.index("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if ":" in host else host


def is_loopback(host: str) -> bool:
    """``localhost``, ``127.0.0.0/8`` or ``[::1]`` (with or without a port)."""
    name = _hostname(host).lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name.strip("[]")).is_loopback
    except ValueError:
        return False


def registry_url(registry: str, insecure: frozenset[str] = frozenset()) -> str:
    """The base URL of a registry: Docker Hub's API host, plain HTTP for loopback/insecure."""
    host = DOCKER_HUB_API if registry.lower() in _DOCKER_HUB_NAMES else registry
    plain = {h.lower() for h in insecure}
    is_plain = is_loopback(host) or host.lower() in plain or _hostname(host).lower() in plain
    return f"{'http' if is_plain else 'https'}://{host}"


def page_query(registry: str) -> str:
    """The query of a first tags/list request: a big page where the registry allows one.

    Docker Hub honours large ``n``; ECR rejects ``n`` over 1000; Quay rejects more than
    about 100, so other registries get their default page size and ``Link`` is followed.
    """
    host = _hostname(registry).lower()
    if host in _DOCKER_HUB_NAMES:
        return "?n=10000"
    if host == "public.ecr.aws" or (host.endswith(".amazonaws.com") and ".ecr." in host):
        return "?n=1000"
    return ""


def env_prefix(registry: str) -> str:
    """``HUBS_REGISTRY_<HOST>`` with the host upper-cased and non-alphanumerics as ``_``."""
    return "HUBS_REGISTRY_" + re.sub(r"[^A-Z0-9]", "_", registry.upper())


@functools.cache
def _ssl_context(ca_file: str | None) -> ssl.SSLContext:
    """The system CAs, plus ``ca_file`` if given (built once per file: loading CAs is slow)."""
    context = httpx.create_ssl_context()
    if ca_file:
        try:
            context.load_verify_locations(cafile=ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise RegistryError(f"cannot load CA file {ca_file}: {exc}") from None
    return context


def _origin(url: httpx.URL | str) -> tuple[str, str, int | None]:
    parsed = httpx.URL(url)
    return (parsed.scheme, parsed.host, parsed.port)


def _digest_of(data: bytes, algorithm: str = "sha256") -> str:
    return f"{algorithm}:{hashlib.new(algorithm, data).hexdigest()}"


def _parse_created(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_config(body: Mapping[str, Any]) -> ImageConfig:
    """``created`` (RFC 3339, optional) and ``config.User`` of an image config blob."""
    inner = body.get("config")
    user = inner.get("User") if isinstance(inner, dict) else None
    return ImageConfig(_parse_created(body.get("created")), user if isinstance(user, str) else None)


def _pick_child(index: Mapping[str, Any]) -> str | None:
    """The digest of the linux/amd64 manifest of an index, else of its first image."""
    entries = [m for m in index.get("manifests") or [] if isinstance(m, dict)]
    images = [m for m in entries if not _is_attestation(m) and isinstance(m.get("digest"), str)]
    for entry in images:
        platform = entry.get("platform") or {}
        if platform.get("os") == "linux" and platform.get("architecture") == "amd64":
            return str(entry["digest"])
    return str(images[0]["digest"]) if images else None


def _is_attestation(entry: Mapping[str, Any]) -> bool:
    platform = entry.get("platform") or {}
    annotations = entry.get("annotations") or {}
    return bool(
        platform.get("os") == "unknown"
        or annotations.get("vnd.docker.reference.type") == "attestation-manifest"
    )


def _retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP-date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _error_detail(response: httpx.Response) -> str:
    """``CODE: message`` from a distribution error body, else the HTTP status."""
    text = f"HTTP {response.status_code}"
    try:
        errors = json.loads(response.content).get("errors")
        first = errors[0]
        return f"{text} {first.get('code', '')}: {str(first.get('message', ''))[:200]}".strip()
    except (ValueError, AttributeError, IndexError, KeyError, TypeError):
        return text


def _hint(creds: Credentials | None, response: httpx.Response) -> str:
    if response.status_code not in (401, 403):
        return ""
    return f" (credentials from {creds.source} refused)" if creds else " (no credentials found)"


# --- credentials ----------------------------------------------------------------------------


class _CredentialStore:
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
        return self._auths.get(_auth_key(registry))

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
        except (OSError, ValueError) as exc:
            raise RegistryError(f"cannot read docker config {path}: {type(exc).__name__}") from None
        auths = data.get("auths") if isinstance(data, dict) else None
        found: dict[str, Credentials] = {}
        for key, entry in (auths or {}).items():
            creds = _entry_credentials(entry, f"{path} auths[{key!r}]")
            if creds is not None:
                found.setdefault(_auth_key(key), creds)
        return found


def _auth_key(key: str) -> str:
    """Normalise a config.json ``auths`` key or a registry host for lookups."""
    host = key.strip().split("://", 1)[-1].split("/", 1)[0].lower()
    return DOCKER_HUB if host in _DOCKER_HUB_NAMES else host


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


# --- the client -----------------------------------------------------------------------------


class RegistryClient:
    """Talks to OCI registries.  Use as a context manager; safe to share between threads."""

    def __init__(
        self,
        *,
        insecure: frozenset[str] = frozenset(),
        ca_file: str | None = None,
        timeout: float = 10.0,
        budget: float = 120.0,
        max_pages: int = 50,
        docker_config: Path | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.requests = 0
        self._insecure = insecure
        self._timeout = timeout
        self._budget = budget
        self._spent = 0.0
        self._max_pages = max_pages
        self._creds = _CredentialStore(docker_config, os.environ if env is None else env)
        self._lock = threading.Lock()
        self._challenges: dict[str, Challenge] = {}
        self._basic_hosts: set[str] = set()
        self._tokens: dict[tuple[str, str], tuple[str, float]] = {}
        self._token_locks: dict[tuple[str, str], threading.Lock] = {}
        self._secrets: set[str] = set()
        self._http = httpx.Client(
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            verify=_ssl_context(ca_file),
            trust_env=False,
        )

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # --- public operations ------------------------------------------------------------------

    def list_tags(self, ref: ImageRef) -> list[str]:
        """Every tag of the repository, following ``Link: rel="next"`` pages."""
        url = f"{self._base(ref)}/v2/{ref.repository}/tags/list{page_query(ref.registry)}"
        tags: list[str] = []
        for _ in range(self._max_pages):
            response = self._checked(ref, "GET", url, "tag listing")
            tags.extend(self._page_tags(ref, response))
            link = response.links.get("next", {}).get("url")
            if not link:
                return tags
            url = str(response.url.join(link))
        raise self._error(
            ref, f"tag listing has more than {self._max_pages} pages; refusing a truncated list"
        )

    def digest(self, ref: ImageRef, reference: str) -> str:
        """The digest of the manifest (the index itself for multi-arch images)."""
        what = f"manifest {reference}"
        response = self._checked(ref, "HEAD", self._manifest_url(ref, reference), what)
        header: str | None = response.headers.get("docker-content-digest")
        if header:
            if not _DIGEST_RE.fullmatch(header):
                raise self._error(ref, f"{what}: invalid Docker-Content-Digest header")
            return header
        return self._manifest(ref, reference)[1]

    def config(self, ref: ImageRef, reference: str) -> ImageConfig:
        """``created`` and ``User`` from the image config (linux/amd64 for an index)."""
        manifest, _, media = self._manifest(ref, reference)
        if media in INDEX_TYPES or "manifests" in manifest:
            child = _pick_child(manifest)
            if child is None:
                raise self._error(ref, f"index {reference} lists no image manifest")
            manifest, _, media = self._manifest(ref, child)
            if media in INDEX_TYPES or "manifests" in manifest:
                raise self._error(ref, f"index {reference} nests another index")
        config = manifest.get("config")
        if not isinstance(config, dict) or not isinstance(config.get("digest"), str):
            raise self._error(ref, f"manifest {reference} has no config (not an image?)")
        if config.get("mediaType") == HELM_CONFIG:
            raise self._error(ref, f"{reference} is a Helm chart, not a container image")
        return parse_config(self._blob(ref, config["digest"]))

    # --- manifests and blobs ------------------------------------------------------------------

    def _manifest_url(self, ref: ImageRef, reference: str) -> str:
        return f"{self._base(ref)}/v2/{ref.repository}/manifests/{reference}"

    def _manifest(self, ref: ImageRef, reference: str) -> tuple[dict[str, Any], str, str]:
        """GET a manifest: (body, verified digest, media type)."""
        what = f"manifest {reference}"
        response = self._checked(ref, "GET", self._manifest_url(ref, reference), what)
        expected = reference if _DIGEST_RE.fullmatch(reference) else None
        digest = self._verify(
            ref, response, expected or response.headers.get("docker-content-digest"), what
        )
        body = self._json(ref, response, what)
        content_type = response.headers.get("content-type", "").split(";")[0].strip()
        media = body.get("mediaType") if isinstance(body.get("mediaType"), str) else content_type
        return body, digest, str(media)

    def _blob(self, ref: ImageRef, digest: str) -> dict[str, Any]:
        what = f"config blob {digest}"
        url = f"{self._base(ref)}/v2/{ref.repository}/blobs/{digest}"
        response = self._checked(ref, "GET", url, what, accept="*/*")
        self._verify(ref, response, digest, what)
        return self._json(ref, response, what)

    def _verify(
        self, ref: ImageRef, response: httpx.Response, expected: str | None, what: str
    ) -> str:
        """Check the body against ``expected`` (when hashlib knows its algorithm)."""
        if not expected:
            return _digest_of(response.content)
        algorithm = expected.split(":", 1)[0]
        if algorithm not in hashlib.algorithms_available:
            return expected
        if _digest_of(response.content, algorithm) != expected:
            raise self._error(ref, f"{what}: content does not match digest {expected}")
        return expected

    def _page_tags(self, ref: ImageRef, response: httpx.Response) -> list[str]:
        tags = self._json(ref, response, "tag listing").get("tags")
        if tags is None:
            return []
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise self._error(
                ref, "tag listing: malformed response ('tags' is not a list of strings)"
            )
        return tags

    def _json(self, ref: ImageRef, response: httpx.Response, what: str) -> dict[str, Any]:
        try:
            body = json.loads(response.content)
        except ValueError:
            raise self._error(ref, f"{what}: malformed JSON from the registry") from None
        if not isinstance(body, dict):
            raise self._error(ref, f"{what}: malformed response (not a JSON object)")
        return body

    # --- requests with auth -----------------------------------------------------------------

    def _base(self, ref: ImageRef) -> str:
        return registry_url(ref.registry, self._insecure)

    def _checked(
        self, ref: ImageRef, method: str, url: str, what: str, *, accept: str = MANIFEST_ACCEPT
    ) -> httpx.Response:
        """An authenticated request whose status must be 200."""
        response = self._authed(ref, method, url, accept)
        if response.status_code == 200:
            return response
        if response.status_code == 404:
            raise self._error(ref, f"{what}: not found ({_error_detail(response)})")
        raise self._error(ref, f"{what}: {_error_detail(response)}")

    def _authed(self, ref: ImageRef, method: str, url: str, accept: str) -> httpx.Response:
        origin = _origin(self._base(ref))
        headers = {"Accept": accept}
        authorization = self._preauthorization(ref)
        if authorization:
            headers["Authorization"] = authorization
        response = self._send(ref, method, url, headers, origin)
        challenge = response.headers.get("www-authenticate")
        if response.status_code == 401 and challenge and _origin(response.url) == origin:
            headers["Authorization"] = self._authorize(ref, challenge)
            response = self._send(ref, method, url, headers, origin)
        if response.status_code == 401:
            raise self._error(ref, self._unauthorized(ref))
        return response

    def _unauthorized(self, ref: ImageRef) -> str:
        creds = self._creds.lookup(ref.registry)
        if creds is None:
            return (
                "unauthorized: the repository does not exist or needs credentials (none found; "
                f"set {env_prefix(ref.registry)}_USERNAME/_PASSWORD or use docker login)"
            )
        return (
            f"unauthorized: the credentials from {creds.source} were refused, "
            "or the repository does not exist or is not accessible with them"
        )

    def _scope(self, ref: ImageRef) -> str:
        return f"repository:{ref.repository}:pull"

    def _preauthorization(self, ref: ImageRef) -> str | None:
        """The Authorization to send before any challenge, from what this host asked before."""
        with self._lock:
            challenge = self._challenges.get(ref.registry)
            basic = ref.registry in self._basic_hosts
        if challenge is not None:
            return "Bearer " + self._token(ref, challenge, refresh=False)
        if basic:
            creds = self._creds.lookup(ref.registry)
            return creds.basic() if creds else None
        return None

    def _authorize(self, ref: ImageRef, header: str) -> str:
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
            creds = self._creds.lookup(ref.registry)
            if creds is None:
                raise self._error(ref, self._unauthorized(ref))
            self._remember(creds.secrets())
            with self._lock:
                self._basic_hosts.add(ref.registry)
            return creds.basic()
        raise self._error(ref, f"unsupported authentication challenge {sorted(challenges)}")

    def _token(self, ref: ImageRef, challenge: Challenge, *, refresh: bool) -> str:
        key = (ref.registry, self._scope(ref))
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
        realm = challenge.params.get("realm")
        if not realm:
            raise self._error(ref, "Bearer challenge without a realm")
        scopes = [self._scope(ref)]
        if challenge.params.get("scope") and challenge.params["scope"] not in scopes:
            scopes.append(challenge.params["scope"])
        params: dict[str, str | list[str]] = {"scope": scopes}
        if challenge.params.get("service"):
            params["service"] = challenge.params["service"]
        try:
            url = httpx.URL(realm).copy_merge_params(params)
        except (httpx.InvalidURL, TypeError):
            raise self._error(ref, "Bearer challenge with an invalid realm") from None
        headers: dict[str, str] = {}
        creds = self._creds.lookup(ref.registry)
        if creds is not None:
            self._remember(creds.secrets())
            headers["Authorization"] = creds.basic()
        response = self._send(ref, "GET", str(url), headers, _origin(url))
        what = f"token request to {url.host}"
        if response.status_code != 200:
            raise self._error(ref, f"{what}: {_error_detail(response)}{_hint(creds, response)}")
        return self._token_from(ref, self._json(ref, response, what), what)

    def _token_from(self, ref: ImageRef, body: Mapping[str, Any], what: str) -> tuple[str, float]:
        token = body.get("token") or body.get("access_token")
        if not isinstance(token, str) or not token:
            raise self._error(ref, f"{what}: the response holds no token")
        self._remember((token,))
        lifetime = body.get("expires_in", _DEFAULT_TOKEN_LIFETIME)
        if not isinstance(lifetime, int | float) or isinstance(lifetime, bool):
            lifetime = _DEFAULT_TOKEN_LIFETIME
        return token, float(lifetime)

    # --- transport: redirects, retries, errors ----------------------------------------------

    def _send(
        self,
        ref: ImageRef,
        method: str,
        url: str,
        headers: Mapping[str, str],
        auth_origin: tuple[str, str, int | None],
    ) -> httpx.Response:
        """One logical request: 429/5xx retried with backoff within the budget."""
        attempt = 0
        while True:
            response = self._follow(ref, method, url, headers, auth_origin)
            if response.status_code != 429 and response.status_code < 500:
                return response
            attempt += 1
            wait = _retry_after(response.headers.get("retry-after"))
            if wait is None:
                wait = min(_BACKOFF_CAP, _BACKOFF_BASE * 2 ** (attempt - 1)) * random.uniform(
                    1, 1.2
                )
            if not self._spend(wait):
                raise self._error(
                    ref,
                    f"{method} {httpx.URL(url).path}: {_error_detail(response)} after {attempt} "
                    f"attempt(s); retry budget of {self._budget:g} s spent",
                )
            time.sleep(wait)

    def _spend(self, wait: float) -> bool:
        with self._lock:
            if self._spent + wait > self._budget:
                return False
            self._spent += wait
            return True

    def _follow(
        self,
        ref: ImageRef,
        method: str,
        url: str,
        headers: Mapping[str, str],
        auth_origin: tuple[str, str, int | None],
    ) -> httpx.Response:
        """Send, following redirects; Authorization goes only to ``auth_origin``."""
        target = httpx.URL(url)
        for _ in range(_MAX_REDIRECTS + 1):
            sent = {k: v for k, v in headers.items() if k.lower() != "authorization"}
            if _origin(target) == auth_origin and "Authorization" in headers:
                sent["Authorization"] = headers["Authorization"]
            response = self._raw(ref, method, target, sent)
            location = response.headers.get("location")
            if response.status_code not in _REDIRECTS or not location:
                return response
            target = response.url.join(location)
            if response.status_code == 303 and method != "HEAD":
                method = "GET"
        raise self._error(ref, f"{method} {target.path}: more than {_MAX_REDIRECTS} redirects")

    def _raw(
        self, ref: ImageRef, method: str, url: httpx.URL, headers: Mapping[str, str]
    ) -> httpx.Response:
        with self._lock:
            self.requests += 1
        where = f"{method} {url.copy_with(query=None)}"
        try:
            return self._http.request(method, url, headers=headers)
        except httpx.TimeoutException:
            raise self._error(ref, f"{where}: timed out after {self._timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise self._error(ref, f"{where}: {exc}") from None

    def _remember(self, secrets: tuple[str, ...]) -> None:
        with self._lock:
            self._secrets.update(s for s in secrets if len(s) >= 4)

    def _error(self, ref: ImageRef, what: str) -> RegistryError:
        message = f"{ref.canonical_name}: {what}".replace("\n", " ")
        with self._lock:
            secrets = sorted(self._secrets, key=len, reverse=True)
        for secret in secrets:
            message = message.replace(secret, "***")
        return RegistryError(message)
