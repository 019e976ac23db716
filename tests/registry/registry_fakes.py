"""Test doubles for the registry tests: docker-registry processes on 127.0.0.1, an image
pusher, a Bearer token server, a paging proxy and scripted fake servers."""

from __future__ import annotations

import base64
import contextlib
import gzip
import hashlib
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pytest

from hubs.registry import RegistryClient

MakeClient = Callable[..., RegistryClient]
MakeServer = Callable[[], "FakeServer"]
MakeProxy = Callable[[int], "PagingProxy"]
REGISTRY_BIN = shutil.which("docker-registry") or "/usr/bin/docker-registry"
HAVE_REGISTRY = Path(REGISTRY_BIN).is_file()
SKIP_REASON = (
    f"{REGISTRY_BIN} not found: install Debian's docker-registry (distribution 2.8) "
    "and apache2-utils to run the registry tests"
)
USER, PASSWORD = "alice", "s3cret-Pa55"
IDENTITY_TOKEN = "idt-0123456789abcdef"  # alice's refresh token (a credential helper's <token>)
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def run(*cmd: str) -> bytes:
    return subprocess.run(cmd, check=True, capture_output=True).stdout


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass(frozen=True)
class Pki:
    token_key: Path
    token_cert: Path
    token_cert_der: bytes
    tls_key: Path
    tls_cert: Path


def make_pki(d: Path) -> Pki:
    """An RSA token-signing keypair (self-signed cert) and an EC TLS cert for 127.0.0.1."""
    tk, tc, lk, lc = d / "token.key", d / "token.crt", d / "tls.key", d / "tls.crt"
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-subj", "/CN=hubs-test-token", "-keyout", str(tk), "-out", str(tc))  # fmt: skip
    der = run("openssl", "x509", "-in", str(tc), "-outform", "DER")
    run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
        "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        "-keyout", str(lk), "-out", str(lc))  # fmt: skip
    return Pki(tk, tc, der, lk, lc)


@dataclass
class Registry:
    proc: subprocess.Popen[bytes]
    port: int
    scheme: str
    log: Path

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}"

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)


def start_registry(workdir: Path, storage: Path, extra: dict[str, Any] | None = None) -> Registry:
    if not HAVE_REGISTRY:
        pytest.skip(SKIP_REASON)
    port = free_port()
    http: dict[str, Any] = {"addr": f"127.0.0.1:{port}", "secret": "testsecret"}
    config: dict[str, Any] = {
        "version": 0.1,
        "log": {"level": "warn", "accesslog": {"disabled": True}},
        "storage": {
            "filesystem": {"rootdirectory": str(storage)},
            "delete": {"enabled": True},
            "maintenance": {"uploadpurging": {"enabled": False}},
        },
        "http": http,
    }
    for key, value in (extra or {}).items():
        if key == "tls":
            http["tls"] = value
        else:
            config[key] = value
    path = workdir / "config.yml"
    path.write_text(json.dumps(config))  # JSON is YAML
    log = workdir / "registry.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([REGISTRY_BIN, "serve", str(path)], stdout=out, stderr=out)
    registry = Registry(proc, port, "https" if "tls" in http else "http", log)
    wait_ready(registry)
    return registry


def wait_ready(registry: Registry) -> None:
    """Poll ``/v2/`` until it answers (200, or 401 behind auth), for at most 10 s."""
    deadline = time.monotonic() + 10
    with httpx.Client(verify=False, timeout=0.5) as http:
        while time.monotonic() < deadline:
            if registry.proc.poll() is not None:
                raise RuntimeError(f"docker-registry exited: {registry.log.read_text()[-2000:]}")
            try:
                if http.get(f"{registry.url}/v2/").status_code in (200, 401):
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.005)
    registry.stop()
    raise RuntimeError("docker-registry did not answer /v2/ within 10 s")


@dataclass(frozen=True)
class TokenRequest:
    service: str | None
    scopes: tuple[str, ...]
    user: str | None
    path: str
    method: str = "GET"


class TokenServer:
    """Issues RS256 JWTs the registry trusts; private/* needs alice's credentials."""

    def __init__(self, pki: Pki) -> None:
        self.pki = pki
        self.requests: list[TokenRequest] = []
        self.style = "token"  # "token", "access_token" or "both"
        self.expires_in: int | None = 300
        self.httpd = serve(self._handle)

    @property
    def realm(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/token"

    def reset(self) -> None:
        self.requests.clear()
        self.style, self.expires_in = "token", 300

    def _handle(self, req: BaseHTTPRequestHandler) -> tuple[int, dict[str, str], bytes]:
        query = parse_qs(urlsplit(req.path).query)
        user = _basic_user(req.headers.get("Authorization"))
        scopes = tuple(query.get("scope", []))
        if req.command == "POST":  # OAuth2: an identity token as refresh_token
            form = parse_qs(req.rfile.read(int(req.headers["Content-Length"])).decode())
            query = {"service": form.get("service", [""])}
            scopes = tuple(form.get("scope", [""])[0].split())
            good = form.get("grant_type") == ["refresh_token"]
            user = USER if good and form.get("refresh_token") == [IDENTITY_TOKEN] else ""
        self.requests.append(
            TokenRequest(query.get("service", [None])[0], scopes, user, req.path, req.command)
        )
        if user == "":  # wrong credentials
            error = {"errors": [{"code": "UNAUTHORIZED", "message": "bad login"}]}
            return 401, {"Content-Type": "application/json"}, json.dumps(error).encode()
        token = self._jwt(query.get("service", [""])[0] or "", scopes, user)
        body: dict[str, Any] = {}
        if self.style in ("token", "both"):
            body["token"] = token
        if self.style in ("access_token", "both"):
            body["access_token"] = token
        if self.expires_in is not None:
            body["expires_in"] = self.expires_in
        return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()

    def _jwt(self, service: str, scopes: tuple[str, ...], user: str | None) -> str:
        access = []
        for scope in scopes:
            kind, _, rest = scope.partition(":")
            name, _, actions = rest.rpartition(":")
            if kind == "repository" and (user or not name.startswith("private/")):
                access.append({"type": kind, "name": name, "actions": actions.split(",")})
        now = int(time.time())
        header = {
            "typ": "JWT",
            "alg": "RS256",
            "x5c": [base64.b64encode(self.pki.token_cert_der).decode()],
        }
        claims = {
            "iss": "test-issuer", "sub": user or "", "aud": service, "exp": now + 3600,
            "nbf": now - 60, "iat": now, "jti": uuid.uuid4().hex, "access": access,
        }  # fmt: skip
        signing_input = (
            f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}"
        )
        signature = subprocess.run(
            ["openssl", "dgst", "-sha256", "-sign", str(self.pki.token_key)],
            input=signing_input.encode(), capture_output=True, check=True,
        ).stdout  # fmt: skip
        return f"{signing_input}.{_b64url(signature)}"


def _basic_user(header: str | None) -> str | None:
    """The user of valid Basic credentials, None without any, "" if they are wrong."""
    if not header:
        return None
    try:
        user, _, password = base64.b64decode(header.removeprefix("Basic ")).decode().partition(":")
    except ValueError:
        return ""
    return user if (user, password) == (USER, PASSWORD) else ""


@dataclass(frozen=True)
class Pushed:
    digest: str  # what the tag points to (the index for multi-arch)
    children: dict[str, str] = field(default_factory=dict)  # arch -> manifest digest


class Pusher:
    """Pushes real images over HTTP: blobs (POST + PUT), manifests and indexes."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = httpx.Client(timeout=10)

    def blob(self, repo: str, data: bytes) -> str:
        digest = sha256(data)
        started = self.http.post(f"{self.base}/v2/{repo}/blobs/uploads/")
        assert started.status_code == 202, started.text
        location = started.headers["location"]
        # not params=: httpx would replace the upload's own query (_state=...)
        target = location + ("&" if "?" in location else "?") + "digest=" + digest
        done = self.http.put(
            target, content=data, headers={"Content-Type": "application/octet-stream"}
        )
        assert done.status_code == 201, done.text
        return digest

    def manifest(self, repo: str, reference: str, body: dict[str, Any]) -> str:
        raw = json.dumps(body).encode()
        put = self.http.put(
            f"{self.base}/v2/{repo}/manifests/{reference}",
            content=raw,
            headers={"Content-Type": body["mediaType"]},
        )
        assert put.status_code == 201, put.text
        assert put.headers["docker-content-digest"] == sha256(raw)
        return sha256(raw)

    def image(
        self,
        repo: str,
        tag: str | None,
        *,
        created: str | None = "2025-01-01T00:00:00Z",
        user: str | None = None,
        arch: str = "amd64",
        docker: bool = False,
    ) -> str:
        """Push one single-platform image; returns its manifest digest."""
        layer = gzip.compress(f"{repo}:{tag}:{arch}".encode(), mtime=0)
        config: dict[str, Any] = {
            "architecture": arch,
            "os": "linux",
            "config": {} if user is None else {"User": user},
            "rootfs": {"type": "layers", "diff_ids": [sha256(f"{repo}:{tag}:{arch}".encode())]},
        }
        if created is not None:
            config["created"] = created
        config_raw = json.dumps(config).encode()
        manifest = {
            "schemaVersion": 2,
            "mediaType": DOCKER_MANIFEST if docker else OCI_MANIFEST,
            "config": {
                "mediaType": DOCKER_CONFIG if docker else OCI_CONFIG,
                "digest": self.blob(repo, config_raw),
                "size": len(config_raw),
            },
            "layers": [
                {
                    "mediaType": DOCKER_LAYER if docker else OCI_LAYER,
                    "digest": self.blob(repo, layer),
                    "size": len(layer),
                }
            ],
        }
        raw = json.dumps(manifest).encode()
        return self.manifest(repo, tag or sha256(raw), manifest)

    def index(
        self,
        repo: str,
        tag: str,
        platforms: Mapping[str, tuple[str | None, str | None]],
        *,
        docker: bool = False,
    ) -> Pushed:
        """Push an index of arch -> (created, user) images under ``tag``."""
        children = {
            arch: self.image(repo, None, created=created, user=user, arch=arch, docker=docker)
            for arch, (created, user) in platforms.items()
        }
        entries = []
        for arch, digest in children.items():
            got = self.http.get(
                f"{self.base}/v2/{repo}/manifests/{digest}",
                headers={"Accept": DOCKER_MANIFEST if docker else OCI_MANIFEST},
            )
            assert got.status_code == 200, got.text
            entries.append(
                {
                    "mediaType": DOCKER_MANIFEST if docker else OCI_MANIFEST,
                    "digest": digest,
                    "size": len(got.content),
                    "platform": {"architecture": arch, "os": "linux"},
                }
            )
        body = {
            "schemaVersion": 2,
            "mediaType": DOCKER_LIST if docker else OCI_INDEX,
            "manifests": entries,
        }
        return Pushed(self.manifest(repo, tag, body), children)

    def retag(self, repo: str, source: str, tag: str) -> str:
        """Point ``tag`` at the manifest ``source`` points to; returns its digest."""
        accept = ", ".join((OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_LIST))
        got = self.http.get(f"{self.base}/v2/{repo}/manifests/{source}", headers={"Accept": accept})
        assert got.status_code == 200, got.text
        put = self.http.put(
            f"{self.base}/v2/{repo}/manifests/{tag}",
            content=got.content,
            headers={"Content-Type": got.headers["content-type"]},
        )
        assert put.status_code == 201, put.text
        return sha256(got.content)

    def delete(self, repo: str, digest: str) -> None:
        gone = self.http.delete(f"{self.base}/v2/{repo}/manifests/{digest}")
        assert gone.status_code == 202, gone.text


Body = bytes | Iterable[bytes]  # an iterable is sent chunked, piece by piece
Handler = Callable[[BaseHTTPRequestHandler], tuple[int, dict[str, str], Body]]


def serve(handle: Handler) -> ThreadingHTTPServer:
    class RequestHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # no 40 ms delayed-ACK stall per reply

        def _any(self) -> None:
            status, headers, body = handle(self)
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if isinstance(body, bytes):
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(body)
                    return
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for piece in body:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                    self.wfile.flush()
                self.wfile.write(b"0\r\n\r\n")
            except OSError:
                pass  # the client went away (timeout tests)

        do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = _any

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), RequestHandler)
    httpd.daemon_threads = True
    threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    return httpd


def shutdown(httpd: ThreadingHTTPServer) -> None:
    httpd.shutdown()
    httpd.server_close()


@dataclass
class Reply:
    status: int = 200
    body: bytes | dict[str, Any] | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    hang: bool = False  # block until the test ends
    stream: Callable[[], Iterator[bytes]] | None = None  # a chunked body made on each request


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]


class FakeServer:
    """Scripted replies per ``"METHOD /path"``; a list is consumed, its last reply repeats."""

    def __init__(self) -> None:
        self.routes: dict[str, Reply | list[Reply] | Callable[[Seen], Reply]] = {}
        self.seen: list[Seen] = []
        self.release = threading.Event()
        self.httpd = serve(self._handle)

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.httpd.server_address[1]}"

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    def _handle(self, req: BaseHTTPRequestHandler) -> tuple[int, dict[str, str], Body]:
        seen = Seen(req.command, req.path, {k.lower(): v for k, v in req.headers.items()})
        self.seen.append(seen)
        route = self.routes.get(f"{req.command} {req.path}") or self.routes.get(
            f"{req.command} {urlsplit(req.path).path}"
        )
        if route is None:
            reply = Reply(404, {"errors": [{"code": "NOT_FOUND", "message": "no route"}]})
        elif isinstance(route, list):
            reply = route.pop(0) if len(route) > 1 else route[0]
        elif isinstance(route, Reply):
            reply = route
        else:
            reply = route(seen)
        if reply.hang:
            self.release.wait(10)
        if reply.stream is not None:
            return (
                reply.status,
                {"Content-Type": "application/json", **reply.headers},
                reply.stream(),
            )
        body = reply.body
        if isinstance(body, dict):
            body = json.dumps(body)
        raw = body.encode() if isinstance(body, str) else body
        return reply.status, {"Content-Type": "application/json", **reply.headers}, raw

    def close(self) -> None:
        self.release.set()
        shutdown(self.httpd)


class PagingProxy:
    """Pages ``tags/list`` of an upstream registry with ``n``/``last`` and a relative
    ``Link`` (as GHCR and Quay do); forwards everything else unchanged."""

    def __init__(self, upstream: str, page_size: int) -> None:
        self.upstream = upstream
        self.page_size = page_size
        self.hits: Counter[str] = Counter()
        self.http = httpx.Client(timeout=10)
        self.httpd = serve(self._handle)

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.httpd.server_address[1]}"

    def _handle(self, req: BaseHTTPRequestHandler) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(req.path)
        self.hits[f"{req.command} {parts.path}"] += 1
        headers = {k: v for k, v in req.headers.items() if k.lower() in ("accept", "authorization")}
        upstream = self.http.request(req.command, self.upstream + parts.path, headers=headers)
        if not parts.path.endswith("/tags/list") or upstream.status_code != 200:
            keep = ("content-type", "docker-content-digest", "www-authenticate", "location")
            return (
                upstream.status_code,
                {k: v for k, v in upstream.headers.items() if k in keep},
                upstream.content,
            )
        return self._page(parts.path, parse_qs(parts.query), upstream.json())

    def _page(
        self, path: str, query: dict[str, list[str]], body: dict[str, Any]
    ) -> tuple[int, dict[str, str], bytes]:
        size = int(query.get("n", [self.page_size])[0])
        last = query.get("last", [None])[0]
        remaining = [t for t in sorted(body["tags"] or []) if last is None or t > last]
        page, headers = remaining[:size], {"Content-Type": "application/json"}
        if len(remaining) > size:
            headers["Link"] = f'<{path}?n={size}&last={quote(page[-1], safe="")}>; rel="next"'
        return 200, headers, json.dumps({"name": body["name"], "tags": page}).encode()

    def close(self) -> None:
        shutdown(self.httpd)
        self.http.close()


def drip(data: bytes, every: float) -> Callable[[], Iterator[bytes]]:
    """A body sent one byte every ``every`` seconds."""

    def body() -> Iterator[bytes]:
        for byte in data:
            time.sleep(every)
            yield bytes([byte])

    return body


def endless(piece: bytes = b" " * 65536) -> Callable[[], Iterator[bytes]]:
    """A body that never ends (until the client hangs up)."""

    def body() -> Iterator[bytes]:
        while True:
            yield piece

    return body


class HeaderDrip:
    """A raw HTTP server that sends its status line and headers a byte at a time (for
    ``seconds``), then a tag list: only a deadline on the whole request cuts it short."""

    def __init__(self, seconds: float, every: float = 0.05) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.seconds, self.every = seconds, every
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.sock.getsockname()[1]}"

    def _serve(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                conn, _ = self.sock.accept()
                threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        body = b'{"tags": ["1.0"]}'
        with conn, contextlib.suppress(OSError):
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            end = time.monotonic() + self.seconds
            while time.monotonic() < end:
                conn.sendall(b"z")
                time.sleep(self.every)
            conn.sendall(b"\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))

    def close(self) -> None:
        self.sock.close()


class FakeClock:
    """Stands in for the ``time`` module inside hubs.registry modules: sleeps advance a clock."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@dataclass(frozen=True)
class Measured:
    """A ``hubs`` run in its own process: exit code, output, peak resident memory."""

    code: int
    out: str
    err: str
    peak_mib: float
    seconds: float


# Linux keeps a process's peak RSS across fork and exec, so a child forked from pytest
# starts at pytest's peak: a small launcher forks the run and reports the run's own peak.
_LAUNCH = """\
import os, subprocess, sys
child = subprocess.Popen([sys.executable, "-m", "hubs", *sys.argv[2:]])
_, status, usage = os.wait4(child.pid, 0)
with open(sys.argv[1], "w") as peak:
    peak.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_measured(*args: str, timeout: float = 60.0) -> Measured:
    """``python -m hubs ARGS`` in a process of its own; its peak RSS from ``wait4``."""
    with tempfile.TemporaryDirectory() as folder:
        peak = Path(folder) / "peak"
        start = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-c", _LAUNCH, str(peak), *args],
            capture_output=True,
            timeout=timeout,
        )
        return Measured(
            done.returncode,
            done.stdout.decode(),
            done.stderr.decode(),
            int(peak.read_text()) / 1024,  # KiB on Linux
            time.monotonic() - start,
        )
