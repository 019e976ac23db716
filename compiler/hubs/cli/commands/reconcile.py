"""``hubs reconcile``: adopt what the values files changed, compile what hubs.toml changed."""

from __future__ import annotations

import sys

from hubs.cli.commands._common import (
    EXIT_DRIFT,
    EXIT_OK,
    Command,
    ReportOptions,
    add_report_format,
    config_path,
    emit,
    loaded,
    report,
)


def run(options: ReportOptions) -> int:
    from hubs.authoring.reconcile import reconcile
    from hubs.cli.commands._common import writer as hold
    from hubs.compile.run import write
    from hubs.files.gitbase import open_base
    from hubs.files.transaction import FileWrite
    from hubs.policy.load import dump_lock, read_lock

    with hold(config_path(options).parent, "reconcile") as held:
        source, fleet, lock = loaded(options)
        base = open_base(source.path.parent)
        done = reconcile(source, fleet, lock, base)
        also = [FileWrite(source.path, done.adopted.text, source.text)]
        if done.adopted.lock is not None:
            old = read_lock(source.lock_path)[1]
            also.append(FileWrite(source.lock_path, dump_lock(done.adopted.lock), old))
        write(done.compiled, held, also=also)
    for line in done.adopted.removed:
        print(f"removed {line}")
    for line in done.adopted.taken:
        print(f"adopted {line}")
    for line in done.adopted.refused:
        print(f"not adopted: {line}")
    if done.compiled is not None:
        emit(report(done.compiled, "compile", True, options.base), options.format)
        return EXIT_OK
    print(
        "hubs reconcile: no commit to compare with (no git repository, or hubs.toml not "
        "committed yet): hubs.toml took what it lacked, and nothing was compiled",
        file=sys.stderr,
    )
    for found in done.undecided:
        print(f"hubs: {found}", file=sys.stderr)
    return EXIT_DRIFT if done.undecided else EXIT_OK


COMMAND = Command(
    name="reconcile",
    help="adopt hand edits, compile hubs.toml edits (hooks, jobs)",
    description=(
        "Bring hubs.toml and the values files into step, using the last commit (git HEAD) "
        "to tell which side changed. A slot changed only in a values file is adopted into "
        "hubs.toml; a slot changed only in hubs.toml or hubs.lock is compiled into the file; "
        "a slot changed differently on both sides is a conflict: exit 1, both values shown, "
        "nothing written. Entries of hubs.toml the tree no longer has are removed, and new "
        "clusters, hubs and images are stated, as `hubs adopt` does; a values file is "
        "changed only where hubs.toml changed. Without a commit to compare with it says so, "
        "adopts only what hubs.toml lacks, compiles nothing, and exits 1 when a slot differs."
    ),
    examples=("hubs reconcile", "hubs reconcile --format markdown"),
    options=ReportOptions,
    run=run,
    arguments=add_report_format,
)
