"""``hubs extract-image``: move a user-image folder, with its history, into an image repository."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from hubs.cli.commands._common import EXIT_OK, Command, Where


@dataclass(frozen=True, kw_only=True)
class ExtractOptions(Where):
    folder: str
    into: str
    source: str = "."
    push: bool = False


def run(options: ExtractOptions) -> int:
    from hubs.authoring.extract import extract_image

    done = extract_image(
        options.folder, Path(options.into), options.source, push=options.push, base=options.base
    )
    for line in done.summary():
        print(line)
    return EXIT_OK


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", metavar="DIR", help="the image folder, from the source's top")
    parser.add_argument("--into", metavar="TARGET", required=True, help="repository to merge into")
    parser.add_argument("--source", metavar="REPO", default=".", help="path or URL (default: .)")
    parser.add_argument("--push", action="store_true", help="push the target's branch afterwards")


COMMAND = Command(
    name="extract-image",
    help="move a user-image folder, with its history, into an image repository",
    description=(
        "Clone the source repository fresh, keep only DIR's history (git filter-repo "
        "--subdirectory-filter), and merge it into TARGET, a repository made from the image "
        "template, after removing the template's example environment.yml in its own commit. "
        "Nothing is pushed unless --push."
    ),
    examples=(
        "hubs extract-image images/my-hub --into ../my-hub-image",
        "hubs extract-image images/my-hub --into ../my-hub-image --source ../infrastructure --push",
    ),
    options=ExtractOptions,
    run=run,
    arguments=_arguments,
)
