"""Docker credential helpers: ``docker-credential-NAME get`` with the server on stdin.

The helper answers ``{"ServerURL": ..., "Username": ..., "Secret": ...}``; a user of
``<token>`` means the secret is an identity (refresh) token.  "credentials not found" is
no credentials, not an error.  Nothing a helper prints is ever echoed: it may hold secrets.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping

from hubs.registry.base import RegistryError

HELPER_SECONDS = 10.0  # how long a helper (a keychain prompt, a cloud CLI) may take
_NOT_FOUND = "credentials not found"


def run_helper(
    name: str, server: str, registry: str, env: Mapping[str, str]
) -> tuple[str, str] | None:
    """(username, secret) from helper ``name`` for ``server``, None when it has none."""
    program = f"docker-credential-{name}"
    path = env["PATH"] if "PATH" in env else os.environ.get("PATH", "")
    found = shutil.which(program, path=path)
    if found is None:
        raise RegistryError(
            f"{registry}: the docker config names credential helper {name!r}, "
            f"but {program} is not on PATH"
        )
    try:
        done = subprocess.run(
            [found, "get"],
            input=server.encode(),
            capture_output=True,
            timeout=HELPER_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise RegistryError(
            f"{registry}: {program} get did not answer within {HELPER_SECONDS:g} s"
        ) from None
    except OSError as exc:
        raise RegistryError(f"{registry}: cannot run {program}: {exc.strerror}") from None
    if done.returncode != 0:
        if _NOT_FOUND in (done.stdout + done.stderr).decode(errors="replace").lower():
            return None
        raise RegistryError(f"{registry}: {program} get failed (exit {done.returncode})")
    return _parse(done.stdout, registry, program)


def _parse(output: bytes, registry: str, program: str) -> tuple[str, str]:
    try:
        answer = json.loads(output)
    except (ValueError, RecursionError):
        answer = None
    user = answer.get("Username") if isinstance(answer, dict) else None
    secret = answer.get("Secret") if isinstance(answer, dict) else None
    if not isinstance(user, str) or not isinstance(secret, str) or not secret:
        raise RegistryError(
            f"{registry}: {program} get answered with no Username and Secret (JSON expected)"
        )
    return user, secret
