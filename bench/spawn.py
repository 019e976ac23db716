"""Run one command as the child of this small process; print its wall time and peak memory.

    python bench/spawn.py ARGV...

prints ``{"wall_s": ..., "rss_kib": ..., "code": ...}`` on stdout; the command's stdout goes
to /dev/null and its stderr is this process's stderr.

Why a relay: Linux reports a child's ``ru_maxrss`` as at least the resident memory its parent
had when it forked (the copied page tables count, and ``exec`` keeps the high-water mark).
Started straight from the benchmark, which holds the fleet's file listings, even ``/bin/true``
shows the benchmark's size.  Forked from this fresh interpreter it shows ~5 MiB at most.
"""

from __future__ import annotations

import json
import os
import sys
import time


def main() -> None:
    argv = sys.argv[1:]
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the child: stdout to /dev/null, then become the command
        try:
            devnull = os.open(os.devnull, os.O_RDWR)
            os.dup2(devnull, 0)
            os.dup2(devnull, 1)
            os.execv(argv[0], argv)
        except OSError as exc:
            os.write(2, f"{argv[0]}: {exc.strerror}\n".encode())
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    print(json.dumps({"wall_s": wall, "rss_kib": usage.ru_maxrss, "code": code}))


if __name__ == "__main__":
    main()
