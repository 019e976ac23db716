"""hubs.images.layers: real tar streams (plain, gzip, zstd) searched top down, piece by piece."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import pytest
from imagebuild import Compression, Entry, compress, tar

from hubs.images.layers import Answer, Contents, Layer, LayerError, Question, listing, search

SU = "/usr/local/bin/jupyterhub-singleuser"
PATHS = (SU, "/usr/bin/jupyterhub-singleuser")
PASSWD = b"root:x:0:0::/root:/bin/sh\njovyan:x:1000:100::/home/jovyan:/bin/bash\n"


class Source:
    """Layers served in 7-byte pieces, recording which were opened and how far read."""

    def __init__(self, layers: list[Mapping[str, Entry]], how: Compression = "gzip") -> None:
        self.blobs = [compress(tar(entries), how) for entries in layers]
        self.opened: list[int] = []
        self.closed: list[int] = []

    def _pieces(self, n: int) -> Iterator[bytes]:
        self.opened.append(n)
        blob = self.blobs[n]
        try:
            for start in range(0, len(blob), 7):
                yield blob[start : start + 7]
        finally:
            self.closed.append(n)

    def layers(self) -> list[Layer]:
        return [
            Layer(f"sha256:{n}", len(b), lambda n=n: self._pieces(n))  # type: ignore[misc]
            for n, b in enumerate(self.blobs)
        ]


@pytest.mark.parametrize("how", ["gzip", "zstd", "none"])
def test_a_file_in_a_lower_layer_is_found_in_every_compression(how: Compression) -> None:
    source = Source([{"usr/local/bin/jupyterhub-singleuser": b"x"}, {"home/a": b"y"}], how)
    found = search(source.layers(), [Question(PATHS)], 1 << 20)
    assert found.answers == (Answer("file", SU, 1),)
    assert (found.layers_read, found.stopped) == (2, None)
    assert found.read == sum(len(b) for b in source.blobs)  # each layer read to its end
    assert source.opened == [1, 0] and source.closed == [1, 0]  # top down, each closed


def test_the_search_stops_at_the_first_answer() -> None:
    source = Source([{"etc/passwd": PASSWD}, {"./usr/local/bin/jupyterhub-singleuser": "python3"}])
    found = search(source.layers(), [Question(PATHS)], 1 << 20)
    assert found.answers == (Answer("link", SU, 2),)
    assert source.opened == [1]  # the bottom layer is never asked for


def test_contents_are_read_when_asked() -> None:
    source = Source([{"etc/passwd": PASSWD}, {"home/jovyan/.bashrc": b""}])
    found = search(source.layers(), [Question(("/etc/passwd",), read=True)], 1 << 20)
    assert found.answers == (Answer("file", "/etc/passwd", 1, PASSWD),)


def test_a_whiteout_deletes_the_file_below() -> None:
    source = Source([{"usr/local/bin/jupyterhub-singleuser": b"x"},
                     {"usr/local/bin/.wh.jupyterhub-singleuser": b""}])  # fmt: skip
    found = search(source.layers(), [Question(PATHS)], 1 << 20)
    assert found.answers == (Answer("deleted", SU, 2),)


def test_a_whiteout_of_a_folder_and_an_opaque_folder_hide_what_is_below() -> None:
    below = {"usr/local/bin/jupyterhub-singleuser": b"x"}
    gone = Source([below, {"usr/local/.wh.bin": b""}])
    assert search(gone.layers(), [Question((SU,))], 1 << 20).answers == (
        Answer("deleted", "/usr/local/bin", 2),
    )
    opaque = Source([below, {"usr/local/bin/.wh..wh..opq": b"", "usr/local/bin/other": b""}])
    assert search(opaque.layers(), [Question((SU,))], 1 << 20).answers == (
        Answer("deleted", "/usr/local/bin", 2),
    )
    assert opaque.opened == [1]  # every path is hidden: the layer below is not read


def test_a_file_written_again_above_a_whiteout_counts() -> None:
    source = Source([{"usr/local/bin/jupyterhub-singleuser": b"x"},
                     {"usr/local/bin/.wh..wh..opq": b""},
                     {"usr/local/bin/jupyterhub-singleuser": b"again"}])  # fmt: skip
    found = search(source.layers(), [Question(PATHS)], 1 << 20)
    assert found.answers == (Answer("file", SU, 3),)


def test_nothing_found_is_an_answer() -> None:
    source = Source([{"bin/sh": b"x"}])
    found = search(source.layers(), [Question(PATHS), Question(())], 1 << 20)
    assert found.answers == (Answer(None), Answer(None))


def test_the_budget_stops_the_search() -> None:
    source = Source([{"usr/local/bin/jupyterhub-singleuser": b"x"}, {"home/a": b"y" * 5000}])
    found = search(source.layers(), [Question(PATHS)], 30)
    assert found.answers == (None,)
    assert found.stopped == "the budget of 30 bytes is spent"
    assert (found.read, found.layers_read) == (35, 0)  # 5 pieces of 7 bytes
    assert source.closed == [1]


def test_a_broken_layer_is_one_line() -> None:
    source = Source([{"a": b"x"}])
    source.blobs[0] = source.blobs[0][:20]
    with pytest.raises(LayerError) as info:
        search(source.layers(), [Question(PATHS)], 1 << 20)
    assert str(info.value).startswith("layer 1 (sha256:0): not a readable tar: ")
    assert "\n" not in str(info.value)


# ---------------------------------------------------------------- listing (package lists)

META = "opt/conda/conda-meta/"


def keep_meta(path: str) -> str | None:
    return path if path.startswith("/" + META) else None


def test_listing_honours_whiteouts_and_opaque_folders_of_the_layers_above() -> None:
    bottom = {META + "a-1-0.json": b"", META + "b-1-0.json": b"", "etc/x": b""}
    middle = {META + ".wh.a-1-0.json": b"", META + "c-1-0.json": b""}
    top = {"opt/conda/conda-meta/.wh..wh..opq": b"", META + "d-1-0.json": b""}
    found = listing(Source([bottom, middle]).layers(), keep_meta, 1 << 20)
    assert found.keys == (("/" + META + "b-1-0.json", 1), ("/" + META + "c-1-0.json", 2))
    assert (found.layers_read, found.stopped) == (2, None)
    found = listing(Source([bottom, middle, top], "zstd").layers(), keep_meta, 1 << 20)
    assert found.keys == (("/" + META + "d-1-0.json", 3),)  # the opaque folder hides the rest


def test_listing_reads_a_layer_it_knows_only_once() -> None:
    source = Source([{META + "a-1-0.json": b""}, {META + "b-1-0.json": b""}])
    known: dict[str, Contents] = {}
    first = listing(source.layers(), keep_meta, 1 << 20, known=known)
    again = listing(source.layers(), keep_meta, 1 << 20, known=known)
    assert (again.keys, again.read, again.layers_read) == (first.keys, 0, 2)
    assert source.opened == [1, 0]


def test_listing_stops_at_the_budget() -> None:
    found = listing(Source([{META + "a-1-0.json": b"x" * 4096}], "none").layers(), keep_meta, 600)
    assert (found.keys, found.stopped) == ((), "the budget of 600 bytes is spent")
