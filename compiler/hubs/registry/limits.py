"""How long a client may take: per logical request, in all, and waiting to retry.

Every clock read and every sleep of the registry client happens here, so a test can
replace ``time`` in this one module.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Deadline:
    """When one logical request must be over, and what to say when it is not."""

    end: float
    why: str

    def left(self) -> float:
        return self.end - time.monotonic()


class Limits:
    """The time a client may spend: per logical request, in all, and waiting to retry."""

    def __init__(self, budget: float, request_deadline: float, deadline: float | None) -> None:
        self._budget = budget
        self._spent = 0.0
        self._request = request_deadline
        self._all = deadline
        self._end = None if deadline is None else time.monotonic() + deadline
        self._lock = threading.Lock()

    def deadline(self, seconds: float | None = None) -> Deadline:
        """The deadline of a request starting now (``seconds`` instead of the usual span)."""
        span = self._request if seconds is None else seconds
        own = time.monotonic() + span
        if self._end is not None and self._end < own:
            return Deadline(self._end, f"{self._all_text()} passed")
        return Deadline(own, f"no complete answer within the request deadline of {span:g} s")

    def wait(self, said: str, wait: float, asked: float | None) -> str | None:
        """Sleep ``wait`` seconds taken from the budget; else (no sleep) say why not.

        ``said`` is what happened; ``asked`` is the registry's Retry-After, if any.
        """
        if asked is not None and asked > self._budget:
            return (
                f"{said}; the registry asked to retry after {asked:g} s, "
                f"beyond the retry budget of {self._budget:g} s"
            )
        if self._end is not None and time.monotonic() + wait > self._end:
            why = "the registry asked to retry after" if asked is not None else "a retry in"
            return f"{said}; {why} {wait:.3g} s, beyond {self._all_text()}"
        with self._lock:
            if self._spent + wait > self._budget:
                return f"{said}; retry budget of {self._budget:g} s spent"
            self._spent += wait
        time.sleep(wait)
        return None

    def _all_text(self) -> str:
        return f"the deadline of {self._all:g} s for all registry requests"
