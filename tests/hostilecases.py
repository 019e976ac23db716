"""The hostile-input corpus: each case edits the small fleet of :mod:`fleetfixture` and
names the exit code and the exact lines ``hubs`` must print (after ``hubs: error: ``).

An edit is a function of a file's bytes.  Huge inputs are made by the edit, in the test's
temporary folder, so nothing large is committed.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

Edit = Callable[[bytes], bytes]

TOML = "hubs.toml"
LOCK = "hubs.lock"
CLUSTER = "config/clusters/a/cluster.yaml"
COMMON = "config/clusters/a/common.values.yaml"
PROD = "config/clusters/a/prod.values.yaml"
CHART = "helm-charts/basehub/values.yaml"

MiB = 1024 * 1024


@dataclass(frozen=True)
class Case:
    id: str
    edits: tuple[tuple[str, Edit], ...]
    code: int = 2
    command: str = "compile"
    category: str = field(default="", compare=False)
    setup: Callable[[Path], None] | None = None  # what bytes cannot say (folders, links)


def sub(old: str, new: str) -> Edit:
    """Replace the one ``old`` with ``new`` (an edit of a test that no longer applies
    fails loudly)."""

    def edit(data: bytes) -> bytes:
        assert data.count(old.encode()) == 1, old
        return data.replace(old.encode(), new.encode())

    return edit


def put(text: str | bytes) -> Edit:
    raw = text.encode() if isinstance(text, str) else text
    return lambda _data: raw


def add(text: str | bytes) -> Edit:
    raw = text.encode() if isinstance(text, str) else text
    return lambda data: data + raw


def lazy(make: Callable[[], bytes]) -> Edit:
    """A whole new text made when the case runs (huge inputs)."""
    return lambda _data: make()


def crlf(data: bytes) -> bytes:
    return data.replace(b"\n", b"\r\n")


def bom(data: bytes) -> bytes:
    return b"\xef\xbb\xbf" + data


def _cases_toml_syntax() -> list[Case]:
    c = "toml syntax"
    img = 'image = "quay.io/org/small:1.0.0"'
    return [
        Case(
            "unterminated-string",
            ((TOML, sub(img, 'image = "quay.io/org/small:1.0.0')),),
            category=c,
        ),
        Case("unterminated-multiline", ((TOML, add('x = """abc\n')),), category=c),
        Case(
            "unterminated-literal",
            ((TOML, sub(img, "image = 'quay.io/org/small:1.0.0")),),
            category=c,
        ),
        Case("bad-escape", ((TOML, sub(img, 'image = "quay.io/org/small:1\\q"')),), category=c),
        Case("bad-unicode-escape", ((TOML, sub(img, 'image = "a\\uZZZZ"')),), category=c),
        Case("surrogate-escape", ((TOML, sub(img, 'image = "a\\uD800"')),), category=c),
        Case("duplicate-key", ((TOML, sub(img, img + "\n" + img)),), category=c),
        Case("duplicate-table", ((TOML, add("\n[clusters.a.hubs.prod]\n")),), category=c),
        Case("table-over-key", ((TOML, add('\n[defaults.image]\nx = "a"\n')),), category=c),
        Case("invalid-date", ((TOML, add("\nwhen = 2024-13-45\n")),), category=c),
        Case(
            "invalid-time", ((TOML, sub('tree = "."', 'tree = "."\nwhen = 25:61:00')),), category=c
        ),
        Case(
            "mixed-array",
            ((TOML, sub('tree = "."', 'tree = "."\n[registries]\ninsecure = ["a", 1]')),),
            category=c,
        ),
        Case("control-character", ((TOML, sub(img, 'image = "a/b:1\x01"')),), category=c),
        Case("nul-byte", ((TOML, sub(img, 'image = "a/b:1\x00"')),), category=c),
        Case("bom", ((TOML, bom),), category=c),
        Case("bare-cr", ((TOML, sub('tree = "."', 'tree = "."\rx = 1')),), category=c),
        Case(
            "invalid-utf8-bytes",
            ((TOML, lambda d: d.replace(b"small:1.0.0", b"small:\xff\xfe")),),
            category=c,
        ),
        Case("missing-value", ((TOML, sub(img, "image =")),), category=c),
        Case("bare-key-with-space", ((TOML, sub(img, 'ima ge = "a/b:1"')),), category=c),
        Case(
            "unclosed-header",
            ((TOML, sub("[clusters.a.hubs.prod]", "[clusters.a.hubs.prod")),),
            category=c,
        ),
        Case("unclosed-inline-table", ((TOML, sub(img, 'image = { follow = "a/b"')),), category=c),
        Case(
            "inline-trailing-comma", ((TOML, sub(img, 'image = { follow = "a/b", }')),), category=c
        ),
        Case("bad-number", ((TOML, add("\nx = 0x\n")),), category=c),
        Case("empty-key", ((TOML, add('\n"" = 1\n')),), category=c),
        Case(
            "array-of-tables-over-table", ((TOML, add("\n[[clusters.a.hubs.prod]]\n")),), category=c
        ),
    ]


def _cases_types() -> list[Case]:
    c = "wrong type"
    img = 'image = "quay.io/org/small:1.0.0"'
    small = '[clusters.a.files."common.values.yaml".profiles.small]\n'
    return [
        Case("tree-int", ((TOML, sub('tree = "."', "tree = 1")),), category=c),
        Case("tree-array", ((TOML, sub('tree = "."', 'tree = ["."]')),), category=c),
        Case("tree-missing-folder", ((TOML, sub('tree = "."', 'tree = "nowhere"')),), category=c),
        Case(
            "defaults-string",
            (
                (
                    TOML,
                    sub(
                        '[defaults]\nimage = "quay.io/jupyter/scipy-notebook:2024-03-18"\n',
                        'defaults = "x"\n',
                    ),
                ),
            ),
            category=c,
        ),
        Case(
            "defaults-image-int",
            ((TOML, sub('image = "quay.io/jupyter/scipy-notebook:2024-03-18"', "image = 1")),),
            category=c,
        ),
        Case(
            "defaults-image-missing",
            (
                (
                    TOML,
                    sub(
                        '[defaults]\nimage = "quay.io/jupyter/scipy-notebook:2024-03-18"\n',
                        "[defaults]\n",
                    ),
                ),
            ),
            category=c,
        ),
        Case("image-int", ((TOML, sub(img, "image = 1")),), category=c),
        Case("image-bool", ((TOML, sub(img, "image = true")),), category=c),
        Case("image-array", ((TOML, sub(img, 'image = ["a/b:1"]')),), category=c),
        Case("image-date", ((TOML, sub(img, "image = 2024-01-01")),), category=c),
        Case("image-empty-table", ((TOML, sub(img, "image = {}")),), category=c),
        Case(
            "follow-int",
            ((TOML, sub(img, 'image = { follow = 1, match = ".*", order = "semver" }')),),
            category=c,
        ),
        Case(
            "match-int",
            ((TOML, sub(img, 'image = { follow = "a/b", match = 1, order = "semver" }')),),
            category=c,
        ),
        Case(
            "order-int",
            ((TOML, sub(img, 'image = { follow = "a/b", match = ".*", order = 1 }')),),
            category=c,
        ),
        Case(
            "range-int",
            (
                (
                    TOML,
                    sub(
                        img, 'image = { follow = "a/b", match = ".*", order = "semver", range = 2 }'
                    ),
                ),
            ),
            category=c,
        ),
        Case(
            "digest-string",
            (
                (
                    TOML,
                    sub(
                        img,
                        'image = { follow = "a/b", match = ".*", order = "semver", digest = "yes" }',
                    ),
                ),
            ),
            category=c,
        ),
        Case(
            "allow-downgrade-string",
            (
                (
                    TOML,
                    sub(
                        img,
                        'image = { follow = "a/b", match = ".*", order = "semver", allow_downgrade = "no" }',
                    ),
                ),
            ),
            category=c,
        ),
        Case(
            "follow-and-pin-keys",
            (
                (
                    TOML,
                    sub(
                        img,
                        'image = { follow = "a/b", match = ".*", order = "semver", broken = "x" }',
                    ),
                ),
            ),
            category=c,
        ),
        Case("broken-int", ((TOML, sub(img, "image = { broken = 1 }")),), category=c),
        Case("clusters-int", ((TOML, sub('tree = "."', 'tree = "."\nclusters = 1')),), category=c),
        Case(
            "cluster-string",
            ((TOML, sub("[clusters.d.hubs.hub]\n", '[clusters]\nd = "x"\n')),),
            category=c,
        ),
        Case(
            "hubs-array",
            ((TOML, sub("[clusters.d.hubs.hub]\n", "[clusters.d]\nhubs = []\n")),),
            category=c,
        ),
        Case(
            "hub-string",
            ((TOML, sub("[clusters.d.hubs.hub]\n", '[clusters.d.hubs]\nhub = "x"\n')),),
            category=c,
        ),
        Case(
            "files-int",
            (
                (
                    TOML,
                    sub(
                        "[clusters.d.hubs.hub]\n",
                        "[clusters.d]\nfiles = 1\n[clusters.d.hubs.hub]\n",
                    ),
                ),
            ),
            category=c,
        ),
        Case(
            "profiles-string",
            ((TOML, sub("[clusters.a.hubs.prod]\n", '[clusters.a.hubs.prod]\nprofiles = "x"\n')),),
            category=c,
        ),
        Case(
            "profile-string",
            (
                (
                    TOML,
                    sub(
                        small + img, '[clusters.a.files."common.values.yaml".profiles]\nsmall = "x"'
                    ),
                ),
            ),
            category=c,
        ),
        Case("choices-array", ((TOML, sub(small + img, small + "choices = [1]")),), category=c),
        Case(
            "choice-int",
            (
                (
                    TOML,
                    sub(
                        'py = "ghcr.io/org/python:7b7bb16"\nr = "ghcr.io/org/r:2024.01.01"\n\n[clusters.a.files."common.values.yaml".profiles.big',
                        'py = 1\nr = "ghcr.io/org/r:2024.01.01"\n\n[clusters.a.files."common.values.yaml".profiles.big',
                    ),
                ),
            ),
            category=c,
        ),
        Case(
            "registries-int", ((TOML, sub('tree = "."', 'tree = "."\nregistries = 1')),), category=c
        ),
        Case(
            "insecure-string",
            ((TOML, sub('tree = "."', 'tree = "."\n[registries]\ninsecure = "x"')),),
            category=c,
        ),
        Case(
            "mirrors-array",
            ((TOML, sub('tree = "."', 'tree = "."\n[registries]\nmirrors = []')),),
            category=c,
        ),
        Case(
            "mirror-int",
            ((TOML, sub('tree = "."', 'tree = "."\n[registries.mirrors]\n"docker.io" = 1')),),
            category=c,
        ),
    ]


def _cases_unknown() -> list[Case]:
    c = "unknown name"
    return [
        Case("top-key", ((TOML, sub('tree = "."', 'tree = "."\ntreee = "."')),), category=c),
        Case(
            "defaults-key",
            ((TOML, sub("[defaults]\n", '[defaults]\nimgae = "a/b:1"\n')),),
            category=c,
        ),
        Case("cluster", ((TOML, add("\n[clusters.zz.hubs.hub]\n")),), category=c),
        Case("hub", ((TOML, add("\n[clusters.a.hubs.nohub]\n")),), category=c),
        Case(
            "file",
            ((TOML, add('\n[clusters.a.files."nofile.values.yaml"]\nimage = "a/b:1"\n')),),
            category=c,
        ),
        Case(
            "profile",
            (
                (
                    TOML,
                    add(
                        '\n[clusters.a.files."common.values.yaml".profiles.nope]\nimage = "a/b:1"\n'
                    ),
                ),
            ),
            category=c,
        ),
        Case(
            "choice",
            (
                (
                    TOML,
                    sub(
                        'py = "ghcr.io/org/python:7b7bb16"\nr = "ghcr.io/org/r:2024.01.01"\n\n[clusters.a.files."common.values.yaml".profiles.big',
                        'py = "ghcr.io/org/python:7b7bb16"\nr = "ghcr.io/org/r:2024.01.01"\nzz = "a/b:1"\n\n[clusters.a.files."common.values.yaml".profiles.big',
                    ),
                ),
            ),
            category=c,
        ),
        Case(
            "follow-key",
            (
                (
                    TOML,
                    sub(
                        'image = "quay.io/org/small:1.0.0"',
                        'image = { follow = "a/b", match = ".*", order = "semver", folow = 1 }',
                    ),
                ),
            ),
            category=c,
        ),
        Case(
            "registries-key",
            ((TOML, sub('tree = "."', 'tree = "."\n[registries]\nsecure = []')),),
            category=c,
        ),
        Case(
            "hub-key",
            ((TOML, sub("[clusters.a.hubs.prod]\n", '[clusters.a.hubs.prod]\nprofile = "x"\n')),),
            category=c,
        ),
        Case(
            "choices-on-file-scope",
            (
                (
                    TOML,
                    sub(
                        "[clusters.a.hubs.prod]\n",
                        '[clusters.a.hubs.prod]\nchoices = { a = "b/c:1" }\n',
                    ),
                ),
            ),
            category=c,
        ),
        Case(
            "secret-file",
            (
                (
                    TOML,
                    add('\n[clusters.a.files."enc-staging.secret.values.yaml"]\nimage = "a/b:1"\n'),
                ),
            ),
            category=c,
        ),
        Case(
            "file-outside",
            ((TOML, add('\n[clusters.a.files."../d/hub.values.yaml"]\nimage = "a/b:1"\n')),),
            category=c,
        ),
    ]


def _ref(name: str, value: str) -> Case:
    return Case(
        f"ref-{name}",
        ((TOML, sub('image = "quay.io/org/small:1.0.0"', f'image = "{value}"')),),
        category="bad reference",
    )


def _cases_refs() -> list[Case]:
    values = {
        "uppercase": "quay.io/org/Small:1.0.0",
        "trailing-space": "quay.io/org/small:1.0.0 ",
        "inner-space": "quay.io/org /small:1.0.0",
        "empty": "",
        "tag-300": "quay.io/org/small:" + "t" * 300,
        "digest-not-hex": "quay.io/org/small:1.0.0@sha256:xyz",
        "digest-empty": "quay.io/org/small@sha256:",
        "digest-short": "quay.io/org/small@sha256:abc",
        "digest-63": "quay.io/org/small:1.0.0@sha256:" + "0" * 63,
        "digest-uppercase": "quay.io/org/small:1.0.0@sha256:" + "A" * 64,
        "tag-empty": "quay.io/org/small:",
        "name-empty": ":1.0.0",
        "double-slash": "quay.io//small:1.0.0",
        "tag-dash": "quay.io/org/small:-bad",
        "two-colons": "quay.io/org/small:a:b",
        "scheme": "https://quay.io/org/small:1.0.0",
        "name-256": "quay.io/" + "n" * 248 + ":1.0.0",  # Docker refuses a name over 255
        "tag-not-ascii": "quay.io/org/small:1.0.\u00e9",
    }
    over = "quay.io/" + "n" * 248
    return [
        *(_ref(name, value) for name, value in values.items()),
        Case(
            "values-name-256",  # a broken image where it sits, never a reference
            ((COMMON, sub("name: quay.io/org/image", f"name: {over}")),),
            code=1,
            command="check",
            category="bad reference",
        ),
    ]


def _billion_laughs() -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        prev = f"*a{level - 1}"
        lines.append(f"a{level}: &a{level} [{', '.join([prev] * 9)}]")
    return "\n".join(lines) + "\n"


def _cases_yaml() -> list[Case]:
    c = "yaml syntax"
    out: list[Case] = []
    for label, rel, anchor, pad in (
        ("values", COMMON, "      tag: abc1234\n", "      "),
        ("cluster", CLUSTER, "  display_name: A prod\n", "  "),
    ):
        key, value = anchor.strip().split(": ")
        bad = {
            "unclosed-quote": f'{pad}{key}: "{value}\n',
            "bad-indent": anchor + pad + " x: 1\n",
            "tab-indent": anchor + "\tx: 1\n",
            "unclosed-flow-seq": anchor + pad + "x: [1, 2\n",
            "unclosed-flow-map": anchor + pad + "x: {a: 1\n",
            "undefined-alias": anchor + pad + "x: *nope\n",
            "bad-escape": anchor + pad + 'x: "\\q"\n',
            "control-char": anchor + pad + "x: a\x07b\n",
            "two-documents": anchor + "---\nb: 1\n",
            "duplicate-key": anchor + anchor,
            "bad-tag": f"{pad}{key}: !!python/object/apply:os.system [echo]\n",
        }
        for name, new in bad.items():
            code = 0 if (label, name) == ("cluster", "bad-tag") else 2  # never run: ignored
            out.append(Case(f"{label}-{name}", ((rel, sub(anchor, new)),), code=code, category=c))
    edited = (TOML, sub("abc1234", "abc9999"))  # so that check edits common.values.yaml
    out += [
        Case(
            "values-alias-bomb",
            ((COMMON, add(_billion_laughs())), edited),
            code=1,
            command="check",
            category=c,
        ),
        Case(
            "values-recursive-alias",
            ((COMMON, add("loop: &loop [*loop, {a: *loop}]\n")), edited),
            code=1,
            command="check",
            category=c,
        ),
        Case(
            "values-deep-no-image",  # parsed all the same: Helm reads every file
            ((PROD, add("x: " + "[" * 10000 + "]" * 10000 + "\n")),),
            category=c,
        ),
        Case(
            "values-deep-scanned",
            ((COMMON, add("x: " + "[" * 10000 + "]" * 10000 + "\n")),),
            category=c,
        ),
        Case(
            "values-deep-maps",
            (
                (
                    COMMON,
                    add(
                        "".join("  " * i + f"k{i}:\n" for i in range(3000))
                        + "  " * 3000
                        + "image: a\n"
                    ),
                ),
            ),
            category=c,
        ),
        Case(
            "values-deep-edited",
            ((COMMON, add("x: " + "[" * 500 + "]" * 500 + "\n")), edited),
            command="check",
            category=c,
        ),
        Case(
            "values-deep-aliases-edited",
            (
                (
                    COMMON,
                    add(
                        "".join(
                            f"d{i}: &d{i} [*d{i - 1}]\n" if i else "d0: &d0 [1]\n"
                            for i in range(300)
                        )
                    ),
                ),
                edited,
            ),
            command="check",
            category=c,
        ),
        Case("values-not-a-map", ((COMMON, put("- image: a/b:1\n")),), category=c),
        Case("values-scalar", ((COMMON, put("image\n")),), category=c),
        Case("values-empty", ((PROD, put("")),), code=0, category=c),
        Case("values-only-comment", ((PROD, put("# nothing\n")),), code=0, category=c),
        Case(
            "values-null-image",
            (
                (
                    COMMON,
                    sub(
                        "    image:\n      name: quay.io/org/image\n      tag: abc1234\n",
                        "    image: ~\n",
                    ),
                ),
            ),
            category=c,
        ),
        Case(
            "values-image-list",
            (
                (
                    COMMON,
                    sub(
                        "    image:\n      name: quay.io/org/image\n      tag: abc1234\n",
                        "    image: [a]\n",
                    ),
                ),
            ),
            category=c,
        ),
        Case(
            "values-profilelist-map",
            ((COMMON, put("jupyterhub:\n  singleuser:\n    profileList: {a: 1}\n")),),
            category=c,
        ),
        Case(
            "values-profile-scalar",
            ((COMMON, put("jupyterhub:\n  singleuser:\n    profileList: [1, image]\n")),),
            category=c,
        ),
        Case(
            "values-choices-list",
            (
                (
                    COMMON,
                    sub(
                        "          choices:\n            py:",
                        "          choices:\n            - 1\n            py:",
                    ),
                ),
            ),
            category=c,
        ),
        Case(
            "values-tag-int",
            ((COMMON, sub("tag: abc1234", "tag: 1234")),),
            code=1,
            command="check",
            category=c,
        ),
        Case(
            "values-merge-key",
            (
                (
                    COMMON,
                    sub(
                        "    image:\n      name: quay.io/org/image",
                        "    image:\n      <<: {name: a}\n      name: quay.io/org/image",
                    ),
                ),
            ),
            category=c,
        ),
        Case("cluster-not-a-map", ((CLUSTER, put("- a\n")),), category=c),
        Case("cluster-empty", ((CLUSTER, put("")),), category=c),
        Case("cluster-hubs-map", ((CLUSTER, put("name: a\nhubs: {staging: 1}\n")),), category=c),
        Case(
            "cluster-hub-not-a-map",
            ((CLUSTER, sub("- name: prod\n", "- prod\n- name: prod\n")),),
            category=c,
        ),
        Case(
            "cluster-hub-no-name",
            ((CLUSTER, sub("- name: prod\n  display_name: A prod\n", "- display_name: A prod\n")),),
            category=c,
        ),
        Case(
            "cluster-hub-name-int", ((CLUSTER, sub("- name: prod\n", "- name: 7\n")),), category=c
        ),
        Case(
            "cluster-files-string",
            (
                (
                    CLUSTER,
                    sub(
                        "  helm_chart_values_files:\n  - common.values.yaml\n  - prod.values.yaml\n",
                        "  helm_chart_values_files: common.values.yaml\n",
                    ),
                ),
            ),
            category=c,
        ),
        Case(
            "cluster-file-int", ((CLUSTER, sub("  - prod.values.yaml\n", "  - 7\n")),), category=c
        ),
        Case(
            "cluster-file-through-a-file",
            (
                (
                    CLUSTER,
                    sub("  - prod.values.yaml\n", "  - prod.values.yaml/../prod.values.yaml\n"),
                ),
                (
                    TOML,
                    sub("[clusters.a.hubs.prod]\n", '[clusters.a.hubs.prod]\nimage = "a/p:1"\n'),
                ),
            ),
            category=c,
        ),
        Case(
            "cluster-file-map",
            ((CLUSTER, sub("  - prod.values.yaml\n", "  - {a: 1}\n")),),
            category=c,
        ),
        Case(
            "cluster-unknown-chart",
            (
                (
                    CLUSTER,
                    sub(
                        "  helm_chart: basehub\n  helm_chart_values_files:\n  - common.values.yaml\n  - prod",
                        "  helm_chart: otherhub\n  helm_chart_values_files:\n  - common.values.yaml\n  - prod",
                    ),
                ),
            ),
            category=c,
        ),
        Case(
            "cluster-duplicate-hub",
            (
                (
                    CLUSTER,
                    add(
                        "- name: prod\n  helm_chart: basehub\n  helm_chart_values_files: [prod.values.yaml]\n"
                    ),
                ),
            ),
            category=c,
        ),
        Case("cluster-alias-bomb", ((CLUSTER, add(_billion_laughs())),), code=0, category=c),
        Case(
            "cluster-deep-nesting",
            ((CLUSTER, add("x: " + "[" * 10000 + "]" * 10000 + "\n")),),
            category=c,
        ),
        Case(
            "chart-unclosed-quote",
            ((CHART, sub('tag: "2024-03-18"', 'tag: "2024-03-18')),),
            category=c,
        ),
    ]
    return out


def _cases_encoding() -> list[Case]:
    c = "encoding"
    return [
        Case("values-bom", ((COMMON, bom),), code=0, category=c),
        Case("values-crlf", ((COMMON, crlf),), code=0, category=c),
        Case("values-bom-crlf", ((COMMON, lambda d: bom(crlf(d))),), code=0, category=c),
        Case("toml-crlf", ((TOML, crlf),), code=0, category=c),
        Case("cluster-crlf", ((CLUSTER, crlf),), code=0, category=c),
        Case("cluster-bom", ((CLUSTER, bom),), code=0, category=c),
        Case(
            "values-not-utf8",
            ((COMMON, lambda d: d.replace(b"abc1234", b"abc\xff234")),),
            category=c,
        ),
        Case("values-utf16", ((COMMON, lambda d: d.decode().encode("utf-16")),), category=c),
        Case("lock-bom", ((LOCK, put(b"\xef\xbb\xbfversion = 1\n")),), category=c),
    ]


ESC = "\x1b[31mred\x1b[0m"


def _cases_escapes() -> list[Case]:
    c = "escaped echo"
    img = 'image = "quay.io/org/small:1.0.0"'
    out: list[Case] = []
    for label, toml_escape in (
        ("nul", "\\u0000"),
        ("cr", "\\r"),
        ("u2028", "\\u2028"),
        ("ansi", "\\u001b[31mred\\u001b[0m"),
        ("newline", "\\n"),
    ):
        out.append(
            Case(
                f"toml-pin-{label}",
                ((TOML, sub(img, f'image = "a/b:1{toml_escape}"')),),
                category=c,
            )
        )
        out.append(
            Case(
                f"toml-hub-{label}",
                ((TOML, add(f'\n[clusters.a.hubs."x{toml_escape}y"]\n')),),
                category=c,
            )
        )
    out += [
        Case("toml-key-ansi", ((TOML, sub(img, f'"{ESC}" = 1')),), category=c),
        Case(
            "values-tag-ansi",
            ((COMMON, sub("tag: abc1234", 'tag: "\\e[31mred\\u2028\\r"')),),
            code=1,
            command="check",
            category=c,
        ),
        Case(
            "values-tag-ansi-markdown",
            ((COMMON, sub("tag: abc1234", 'tag: "\\e[31mred\\u2028\\r"')),),
            code=1,
            command="check --format markdown",
            category=c,
        ),
        Case(
            "values-tag-ansi-github",
            ((COMMON, sub("tag: abc1234", 'tag: "\\e[31mred\\u2028\\r"')),),
            code=1,
            command="check --format github",
            category=c,
        ),
        Case(
            "values-tag-ansi-json",
            ((COMMON, sub("tag: abc1234", 'tag: "\\e[31mred\\u2028\\r"')),),
            code=1,
            command="check --format json",
            category=c,
        ),
        Case(
            "values-tag-ansi-explain",
            ((COMMON, sub("tag: abc1234", 'tag: "\\e[31mred\\u2028\\r"')),),
            code=0,
            command="explain a/prod",
            category=c,
        ),
        Case(
            "values-tag-ansi-list",
            ((COMMON, sub("tag: abc1234", 'tag: "\\e[31mred\\u2028\\r"')),),
            code=0,
            command="list",
            category=c,
        ),
        Case(
            "values-tag-huge-list",  # piped, list cuts nothing but a hostile run of text
            ((COMMON, sub("tag: abc1234", "tag: " + "a" * 5000)),),
            code=0,
            command="list",
            category=c,
        ),
        Case(
            "values-profile-name-ansi",
            ((COMMON, sub("- display_name: Choose", '- display_name: "Cho\\e[31mose"')),),
            category=c,
        ),
        Case(
            "values-file-name-ansi",
            ((CLUSTER, sub("  - prod.values.yaml\n", '  - "pr\\e[31mod\\u2028.values.yaml"\n')),),
            category=c,
        ),
        Case(
            "cluster-hub-name-ansi",
            ((CLUSTER, sub("- name: prod\n", '- name: "pr\\e[31mod\\r"\n')),),
            category=c,
        ),
        *_cases_bidi(),
        Case("values-raw-ansi", ((COMMON, sub("tag: abc1234", 'tag: "\x1b[31m"')),), category=c),
        Case(
            "match-ansi",
            (
                (
                    TOML,
                    sub(
                        img, 'image = { follow = "a/b", match = "(\\u001b[31m", order = "semver" }'
                    ),
                ),
            ),
            category=c,
        ),
    ]
    return out


# A right-to-left override, an isolate and a mark: shown raw they reorder what follows.
BIDI = "\u202eevil\u2066x\u200f"


def _cases_bidi() -> list[Case]:
    c = "escaped echo"
    tag = sub("tag: abc1234", f'tag: "1{BIDI}"')
    formats = {"": "check", "-markdown": "check --format markdown"}
    formats |= {"-github": "check --format github", "-json": "check --format json"}
    out = [
        Case(f"values-tag-bidi{name}", ((COMMON, tag),), code=1, command=cmd, category=c)
        for name, cmd in formats.items()
    ]
    out += [
        Case("values-tag-bidi-list", ((COMMON, tag),), code=0, command="list", category=c),
        Case(
            "values-tag-bidi-explain",
            ((COMMON, tag),),
            code=0,
            command="explain a/common.values.yaml:image",
            category=c,
        ),
        Case("address-bidi", (), command=f"explain a/pr{BIDI}od", category=c),
        Case("toml-hub-bidi", ((TOML, add(f'\n[clusters.a.hubs."x{BIDI}"]\n')),), category=c),
    ]
    return out


def _huge_pin() -> bytes:
    return fleet_toml().replace(b'"quay.io/org/small:1.0.0"', b'"a/b:' + b"x" * (10 * MiB) + b'"')


def fleet_toml() -> bytes:
    from fleetfixture import TOML as TEXT

    return TEXT.encode()


def _cases_huge() -> list[Case]:
    c = "huge"
    return [
        Case("toml-10mb-pin", ((TOML, lazy(_huge_pin)),), category=c),
        Case(
            "toml-10mb-key",
            (
                (
                    TOML,
                    lazy(
                        lambda: fleet_toml() + b"\n[clusters.a.hubs." + b"h" * (10 * MiB) + b"]\n"
                    ),
                ),
            ),
            category=c,
        ),
        Case(
            "toml-10mb-comment",
            ((TOML, lazy(lambda: fleet_toml() + b"# " + b"c" * (10 * MiB) + b"\n")),),
            code=0,
            category=c,
        ),
        Case(
            "toml-10mb-match",
            (
                (
                    TOML,
                    lazy(
                        lambda: fleet_toml().replace(
                            b'"quay.io/org/small:1.0.0"',
                            b'{ follow = "a/b", order = "semver", match = "('
                            + b"x" * (10 * MiB)
                            + b'" }',
                        )
                    ),
                ),
            ),
            category=c,
        ),
        Case(
            "toml-over-bound",
            ((TOML, lazy(lambda: fleet_toml() + b"# " + b"c" * (16 * MiB) + b"\n")),),
            category=c,
        ),
        Case(
            "toml-nested-arrays",
            ((TOML, lazy(lambda: fleet_toml() + b"x = " + b"[" * 10000 + b"]" * 10000 + b"\n")),),
            category=c,
        ),
        Case(
            "toml-nested-inline",
            (
                (
                    TOML,
                    lazy(
                        lambda: (
                            fleet_toml() + b"x = " + b"{a = " * 10000 + b"1" + b"}" * 10000 + b"\n"
                        )
                    ),
                ),
            ),
            category=c,
        ),
        Case(
            "toml-nested-tables",
            ((TOML, lazy(lambda: fleet_toml() + b"[" + b".".join([b"t"] * 10000) + b"]\n")),),
            category=c,
        ),
        Case(
            "toml-nested-dotted",
            ((TOML, lazy(lambda: b'tree = "."\n' + b".".join([b"t"] * 10000) + b" = 1\n")),),
            category=c,
        ),
        Case(
            "toml-dotted-50000",  # 98 KiB: tomllib takes time and memory quadratic in parts
            ((TOML, lazy(lambda: b'tree = "."\n' + b".".join([b"t"] * 50_000) + b" = 1\n")),),
            category=c,
        ),
        Case(
            "toml-inline-dotted",
            ((TOML, add(b"x = { " + b".".join([b"t"] * 101) + b" = 1 }\n")),),
            category=c,
        ),
        Case(
            "toml-header-101",
            ((TOML, add(b'[clusters . "a" .' + b".".join([b"t"] * 99) + b"]\n")),),
            category=c,
        ),
        Case(
            "lock-dotted-50000",
            ((LOCK, lazy(lambda: b"[slots." + b".".join([b"t"] * 50_000) + b"]\n")),),
            category=c,
        ),
        Case(
            "values-near-bound",
            ((PROD, lazy(lambda: b"a: 1\n" + b"#" * (16 * MiB - 100) + b"\n")),),
            code=0,
            category=c,
        ),
        Case(
            "values-over-bound",
            ((PROD, lazy(lambda: b"a: 1\n" + b"#" * (16 * MiB) + b"\n")),),
            category=c,
        ),
        Case(
            "values-10mb-tag",
            ((COMMON, lambda d: d.replace(b"tag: abc1234", b"tag: " + b"t" * (10 * MiB))),),
            code=1,
            command="check",
            category=c,
        ),
        Case(
            "lock-nested-arrays",
            ((LOCK, lazy(lambda: b"x = " + b"[" * 10000 + b"]" * 10000 + b"\n")),),
            category=c,
        ),
    ]


def _cases_lock() -> list[Case]:
    c = "lock"
    entry = '[slots."a/common.values.yaml:profiles/small/image"]\nimage = "a/b"\ntag = "1.0"\nresolved = "2024-01-01T00:00:00Z"\npolicy = "sha256:0"\n'
    return [
        Case("not-toml", ((LOCK, put("version = \n")),), category=c),
        Case("version-string", ((LOCK, put('version = "1"\n')),), category=c),
        Case("version-future", ((LOCK, put("version = 99\n")),), category=c),
        Case("slots-int", ((LOCK, put("slots = 1\n")),), category=c),
        Case("slot-string", ((LOCK, put('[slots]\n"a/b:image" = "x"\n')),), category=c),
        Case("entry-missing-tag", ((LOCK, put(entry.replace('tag = "1.0"\n', ""))),), category=c),
        Case("entry-extra-key", ((LOCK, put(entry + "extra = 1\n")),), category=c),
        Case("entry-bad-digest", ((LOCK, put(entry + 'digest = "sha256:xyz"\n')),), category=c),
        Case("entry-bad-image", ((LOCK, put(entry.replace('"a/b"', '"A/B:1"'))),), category=c),
        Case(
            "entry-bad-address",
            ((LOCK, put(entry.replace("a/common.values.yaml:profiles/small/image", "nowhere"))),),
            code=0,
            category=c,
        ),
        Case(
            "entry-resolved-date",
            ((LOCK, put(entry.replace('"2024-01-01T00:00:00Z"', "2024-01-01T00:00:00Z"))),),
            category=c,
        ),
        Case(
            "entry-tag-ansi", ((LOCK, put(entry.replace('"1.0"', '"1\\u001b[31m"'))),), category=c
        ),
        Case("lock-folder", (), category=c, setup=lambda root: (root / LOCK).mkdir()),
        Case(
            "lock-unreadable",
            (),
            code=3,
            category=c,
            setup=lambda root: (root / LOCK).symlink_to("/proc/self/mem"),
        ),
        Case(
            "toml-unreadable",
            (),
            code=3,
            category=c,
            setup=lambda root: _replace_by_link(root / TOML, "/proc/self/mem"),
        ),
        Case(
            "lock-dangling-link",
            (),
            command="update",
            category=c,
            setup=lambda root: (root / LOCK).symlink_to(root.parent / f"{root.name}-outside.lock"),
        ),
        Case(
            "writer-lock-fifo",
            (),
            code=3,
            category=c,
            setup=lambda root: os.mkfifo(root / ".hubs-writer.lock"),
        ),
        Case("toml-folder", (), category=c, setup=lambda root: _replace_by_folder(root / TOML)),
        Case(
            "toml-folder-below-a-fleet",
            (),
            command="-C {root}/sub compile",
            category=c,
            setup=lambda root: (root / "sub" / TOML).mkdir(parents=True),
        ),
    ]


def _bad_cache(make: Callable[[Path], None]) -> Callable[[Path], None]:
    """A setup putting ``make``'s thing where the scan cache of the fleet at root lives."""

    def setup(root: Path) -> None:
        from hubs.tree import cache

        path = cache.file_of(root)
        path.parent.mkdir(parents=True, exist_ok=True)
        make(path)

    return setup


def _sparse(path: Path) -> None:
    with path.open("wb") as handle:
        handle.truncate(4 * 1024 * MiB)  # 4 GiB of zeros, no disk used


def _cases_cache() -> list[Case]:
    """A scan cache that is not a file hubs wrote is no cache: never a hang, never an error."""
    c = "cache"
    makes: dict[str, Callable[[Path], None]] = {
        "fifo": lambda path: os.mkfifo(path),
        "dev-zero": lambda path: path.symlink_to("/dev/zero"),
        "huge": _sparse,
        "folder": lambda path: path.mkdir(),
        "unreadable": lambda path: path.symlink_to("/proc/self/mem"),
    }
    return [
        Case(f"cache-{name}", (), code=0, command="check", category=c, setup=_bad_cache(make))
        for name, make in makes.items()
    ]


def _replace_by_link(path: Path, target: str) -> None:
    path.unlink()
    path.symlink_to(target)


def _replace_by_folder(path: Path) -> None:
    path.unlink()
    path.mkdir()


def all_cases() -> list[Case]:
    return [
        *_cases_toml_syntax(),
        *_cases_types(),
        *_cases_unknown(),
        *_cases_refs(),
        *_cases_yaml(),
        *_cases_encoding(),
        *_cases_escapes(),
        *_cases_huge(),
        *_cases_lock(),
        *_cases_cache(),
    ]


# What each case says: for exit 2 and 3 every line of stderr (after "hubs: error: "), for
# exit 0 and 1 the report's first line.  "{root}" stands for the fleet's folder.
EXPECTED: dict[str, tuple[str, ...]] = {
    "unterminated-string": ("hubs.toml:10:33: Illegal character '\\n'",),
    "unterminated-multiline": ("hubs.toml:25:11: Unterminated string at the end of the file",),
    "unterminated-literal": ('hubs.toml:24:22: Expected "\'" at the end of the file',),
    "bad-escape": ("hubs.toml:10:31: Unescaped '\\' in a string",),
    "bad-unicode-escape": ("hubs.toml:10:13: Invalid hex value",),
    "surrogate-escape": ("hubs.toml:10:17: Escaped character is not a Unicode scalar value",),
    "duplicate-key": ("hubs.toml:11:34: Cannot overwrite a value",),
    "duplicate-table": ("hubs.toml:26:22: Cannot declare ('clusters', 'a', 'hubs', 'prod') twice",),
    "table-over-key": ("hubs.toml:26:16: Cannot overwrite a value",),
    "invalid-date": ("hubs.toml:26:12: Expected newline or end of document after a statement",),
    "invalid-time": ("hubs.toml:2:10: Expected newline or end of document after a statement",),
    "mixed-array": ("hubs.toml:3:1: registries.insecure.1: Input should be a valid string",),
    "control-character": ("hubs.toml:10:15: Illegal character '\\x01'",),
    "nul-byte": ("hubs.toml:10:15: Illegal character '\\x00'",),
    "bom": ("hubs.toml:1:1: starts with a byte order mark; save it without one",),
    "bare-cr": ("hubs.toml:1:11: Expected newline or end of document after a statement",),
    "invalid-utf8-bytes": ("{root}/hubs.toml: not UTF-8 text (byte 235)",),
    "missing-value": ("hubs.toml:10:8: Invalid value",),
    "bare-key-with-space": ("hubs.toml:10:5: Expected '=' after a key in a key/value pair",),
    "unclosed-header": ("hubs.toml:22:22: Expected ']' at the end of a table declaration",),
    "unclosed-inline-table": ("hubs.toml:10:25: Unclosed inline table",),
    "inline-trailing-comma": ("hubs.toml:10:27: Invalid initial character for a key part",),
    "bad-number": ("hubs.toml:26:6: Expected newline or end of document after a statement",),
    "empty-key": ('hubs.toml:26:1: clusters.d.hubs.hub."": unknown key',),
    "array-of-tables-over-table": ("hubs.toml:26:23: Cannot overwrite a value",),
    "tree-int": ("hubs.toml:1:1: tree: Input should be a valid string",),
    "tree-array": ("hubs.toml:1:1: tree: Input should be a valid string",),
    "tree-missing-folder": ("{root}/nowhere: no config/clusters/ folder (is this the tree root?)",),
    "defaults-string": (
        "hubs.toml:3:1: defaults: Input should be a valid dictionary or instance of Defaults",
    ),
    "defaults-image-int": (
        "hubs.toml:4:1: defaults.image: an image is a string: name:tag, name:tag@sha256:..., name@sha256:...",
    ),
    "defaults-image-missing": ("hubs.toml:3:1: defaults.image: Field required",),
    "image-int": (
        'hubs.toml:10:1: clusters.a.files."common.values.yaml".profiles.small.image: an image is a string: name:tag, name:tag@sha256:..., name@sha256:...',
    ),
    "image-bool": (
        'hubs.toml:10:1: clusters.a.files."common.values.yaml".profiles.small.image: an image is a string: name:tag, name:tag@sha256:..., name@sha256:...',
    ),
    "image-array": (
        'hubs.toml:10:1: clusters.a.files."common.values.yaml".profiles.small.image: an image is a string: name:tag, name:tag@sha256:..., name@sha256:...',
    ),
    "image-date": (
        'hubs.toml:10:1: clusters.a.files."common.values.yaml".profiles.small.image: an image is a string: name:tag, name:tag@sha256:..., name@sha256:...',
    ),
    "image-empty-table": (
        'hubs.toml:10:1: clusters.a.files."common.values.yaml".profiles.small.image.follow: Field required',
        'hubs.toml:10:1: clusters.a.files."common.values.yaml".profiles.small.image.order: Field required',
    ),
    "follow-int": (
        'hubs.toml:10:11: clusters.a.files."common.values.yaml".profiles.small.image.follow: an image is a string: name:tag, name:tag@sha256:..., name@sha256:...',
    ),
    "match-int": (
        'hubs.toml:10:27: clusters.a.files."common.values.yaml".profiles.small.image.match: Input should be a valid string',
    ),
    "order-int": (
        "hubs.toml:10:41: clusters.a.files.\"common.values.yaml\".profiles.small.image.order: Input should be 'semver', 'calver', 'numeric', 'alphabetical' or 'pushed'",
    ),
    "range-int": (
        'hubs.toml:10:59: clusters.a.files."common.values.yaml".profiles.small.image.range: Input should be a valid string',
    ),
    "digest-string": (
        'hubs.toml:10:59: clusters.a.files."common.values.yaml".profiles.small.image.digest: Input should be a valid boolean',
    ),
    "allow-downgrade-string": (
        'hubs.toml:10:59: clusters.a.files."common.values.yaml".profiles.small.image.allow_downgrade: Input should be a valid boolean',
    ),
    "follow-and-pin-keys": (
        'hubs.toml:10:11: clusters.a.files."common.values.yaml".profiles.small.image.follow: unknown key',
        'hubs.toml:10:27: clusters.a.files."common.values.yaml".profiles.small.image.match: unknown key',
        'hubs.toml:10:41: clusters.a.files."common.values.yaml".profiles.small.image.order: unknown key',
    ),
    "broken-int": (
        'hubs.toml:10:11: clusters.a.files."common.values.yaml".profiles.small.image.broken: Input should be a valid string',
    ),
    "clusters-int": ("hubs.toml:7:39: Cannot overwrite a value",),
    "cluster-string": (
        "hubs.toml:25:1: clusters.d: Input should be a valid dictionary or instance of Cluster",
    ),
    "hubs-array": ("hubs.toml:25:1: clusters.d.hubs: Input should be a valid dictionary",),
    "hub-string": (
        "hubs.toml:25:1: clusters.d.hubs.hub: Input should be a valid dictionary or instance of Scope",
    ),
    "files-int": ("hubs.toml:25:1: clusters.d.files: Input should be a valid dictionary",),
    "profiles-string": (
        "hubs.toml:23:1: clusters.a.hubs.prod.profiles: Input should be a valid dictionary",
    ),
    "profile-string": (
        'hubs.toml:10:1: clusters.a.files."common.values.yaml".profiles.small: Input should be a valid dictionary or instance of Profile',
    ),
    "choices-array": (
        'hubs.toml:10:1: clusters.a.files."common.values.yaml".profiles.small.choices: Input should be a valid dictionary',
    ),
    "choice-int": (
        'hubs.toml:13:1: clusters.a.files."common.values.yaml".profiles.Choose.choices.py: an image is a string: name:tag, name:tag@sha256:..., name@sha256:...',
    ),
    "registries-int": (
        "hubs.toml:2:1: registries: Input should be a valid dictionary or instance of Registries",
    ),
    "insecure-string": ("hubs.toml:3:1: registries.insecure: Input should be a valid list",),
    "mirrors-array": ("hubs.toml:3:1: registries.mirrors: Input should be a valid dictionary",),
    "mirror-int": (
        'hubs.toml:3:1: registries.mirrors."docker.io": Input should be a valid string',
    ),
    "top-key": ("hubs.toml:2:1: treee: unknown key",),
    "defaults-key": ("hubs.toml:4:1: defaults.imgae: unknown key",),
    "cluster": ("hubs.toml:26:1: clusters.zz: no such cluster in the tree",),
    "hub": (
        "hubs.toml:26:1: clusters.a.hubs.nohub: no such hub in config/clusters/a/cluster.yaml",
    ),
    "file": (
        "hubs.toml:26:1: clusters.a.files.\"nofile.values.yaml\": no hub of cluster.yaml uses this file (did you mean 'prod.values.yaml'?)",
    ),
    "profile": (
        'hubs.toml:26:1: clusters.a.files."common.values.yaml".profiles.nope: no profile with this slug or display name in config/clusters/a/common.values.yaml',
    ),
    "choice": (
        'hubs.toml:15:1: clusters.a.files."common.values.yaml".profiles.Choose.choices.zz: no such image choice in config/clusters/a/common.values.yaml',
    ),
    "follow-key": (
        'hubs.toml:10:59: clusters.a.files."common.values.yaml".profiles.small.image.folow: unknown key',
    ),
    "registries-key": ("hubs.toml:3:1: registries.secure: unknown key",),
    "hub-key": ("hubs.toml:23:1: clusters.a.hubs.prod.profile: unknown key",),
    "choices-on-file-scope": ("hubs.toml:23:1: clusters.a.hubs.prod.choices: unknown key",),
    "secret-file": (
        "hubs.toml:26:1: clusters.a.files.\"enc-staging.secret.values.yaml\": no hub of cluster.yaml uses this file (did you mean 'staging.values.yaml'?)",
    ),
    "file-outside": (
        'hubs.toml:26:1: clusters.a.files."../d/hub.values.yaml": not a values file name: a file of the cluster folder, *.yaml or *.yml',
    ),
    "ref-uppercase": (
        "hubs.toml:10:1: clusters.a.files.\"common.values.yaml\".profiles.small.image: invalid image reference 'quay.io/org/Small:1.0.0': repository 'org/Small' must be lowercase components separated by '/'",
    ),
    "ref-trailing-space": (
        "hubs.toml:10:1: clusters.a.files.\"common.values.yaml\".profiles.small.image: spaces around the image reference 'quay.io/org/small:1.0.0 '; write 'quay.io/org/small:1.0.0'",
    ),
    "ref-inner-space": (
        "hubs.toml:10:1: clusters.a.files.\"common.values.yaml\".profiles.small.image: invalid image reference 'quay.io/org /small:1.0.0': holds spaces (starts with 'quay.io/org ')",
    ),
    "ref-empty": (
        "hubs.toml:10:1: clusters.a.files.\"common.values.yaml\".profiles.small.image: invalid image reference '': empty or surrounded by spaces",
    ),
    "ref-tag-300": (
        'hubs.toml:10:1: clusters.a.files."common.values.yaml".profiles.small.image: invalid image reference \'quay.io/org/small:'
        + "t" * 182
        + "... (318 characters)': bad tag '"
        + "t" * 200
        + "... (300 characters)'",
    ),
    "ref-digest-not-hex": (
        "hubs.toml:10:1: clusters.a.files.\"common.values.yaml\".profiles.small.image: invalid image reference 'quay.io/org/small:1.0.0@sha256:xyz': bad digest 'sha256:xyz'",
    ),
    "ref-digest-empty": (
        "hubs.toml:10:1: clusters.a.files.\"common.values.yaml\".profiles.small.image: invalid image reference 'quay.io/org/small@sha256:': bad digest 'sha256:'",
    ),
    "ref-digest-short": (
        "hubs.toml:10:1: clusters.a.files.\"common.values.yaml\".profiles.small.image: invalid image reference 'quay.io/org/small@sha256:abc': bad digest 'sha256:abc'",
    ),
    "ref-digest-63": (
        'hubs.toml:10:1: clusters.a.files."common.values.yaml".profiles.small.image: invalid image reference \'quay.io/org/small:1.0.0@sha256:'
        + "0" * 63
        + "': bad digest 'sha256:"
        + "0" * 63
        + "'",
    ),
    "ref-digest-uppercase": (
        'hubs.toml:10:1: clusters.a.files."common.values.yaml".profiles.small.image: invalid image reference \'quay.io/org/small:1.0.0@sha256:'
        + "A" * 64
        + "': bad digest 'sha256:"
        + "A" * 64
        + "'",
    ),
    "ref-tag-empty": (
        "hubs.toml:10:1: clusters.a.files.\"common.values.yaml\".profiles.small.image: invalid image reference 'quay.io/org/small:': bad tag ''",
    ),
    "ref-name-empty": (
        "hubs.toml:10:1: clusters.a.files.\"common.values.yaml\".profiles.small.image: invalid image reference ':1.0.0': repository '' must be lowercase components separated by '/'",
    ),
    "ref-double-slash": (
        "hubs.toml:10:1: clusters.a.files.\"common.values.yaml\".profiles.small.image: invalid image reference 'quay.io//small:1.0.0': repository '/small' must be lowercase components separated by '/'",
    ),
    "ref-tag-dash": (
        "hubs.toml:10:1: clusters.a.files.\"common.values.yaml\".profiles.small.image: invalid image reference 'quay.io/org/small:-bad': bad tag '-bad'",
    ),
    "ref-two-colons": (
        "hubs.toml:10:1: clusters.a.files.\"common.values.yaml\".profiles.small.image: invalid image reference 'quay.io/org/small:a:b': repository 'org/small:a' must be lowercase components separated by '/'",
    ),
    "ref-scheme": (
        "hubs.toml:10:1: clusters.a.files.\"common.values.yaml\".profiles.small.image: invalid image reference 'https://quay.io/org/small:1.0.0': bad registry host 'https:'",
    ),
    "ref-name-256": (
        'hubs.toml:10:1: clusters.a.files."common.values.yaml".profiles.small.image: invalid image reference \'quay.io/'
        + "n" * 192
        + "... (262 characters)': a repository name of 256 characters; at most 255",
    ),
    "ref-tag-not-ascii": (
        "hubs.toml:10:1: clusters.a.files.\"common.values.yaml\".profiles.small.image: invalid image reference 'quay.io/org/small:1.0.\u00e9': bad tag '1.0.\u00e9'",
    ),
    "values-name-256": (
        "hubs check: 1 slot in 1 file out of date, 1 broken image; see the fix under each",
    ),
    "values-unclosed-quote": (
        "config/clusters/a/common.values.yaml:24:25: invalid YAML: did not find expected key",
    ),
    "values-bad-indent": (
        "config/clusters/a/common.values.yaml:7:9: invalid YAML: mapping values are not allowed in this context",
    ),
    "values-tab-indent": (
        "config/clusters/a/common.values.yaml:7:1: invalid YAML: found a tab character that violates indentation",
    ),
    "values-unclosed-flow-seq": (
        "config/clusters/a/common.values.yaml:8:16: invalid YAML: did not find expected ',' or ']'",
    ),
    "values-unclosed-flow-map": (
        "config/clusters/a/common.values.yaml:8:16: invalid YAML: did not find expected ',' or '}'",
    ),
    "values-undefined-alias": (
        "config/clusters/a/common.values.yaml:7:10: invalid YAML: found undefined alias",
    ),
    "values-bad-escape": (
        "config/clusters/a/common.values.yaml:7:11: invalid YAML: found unknown escape character",
    ),
    "values-control-char": (
        "config/clusters/a/common.values.yaml:7:11: invalid YAML: character #x0007: control characters are not allowed",
    ),
    "values-two-documents": (
        "config/clusters/a/common.values.yaml:9:16: invalid YAML: mapping values are not allowed in this context",
    ),
    "values-duplicate-key": ("config/clusters/a/common.values.yaml:7: duplicate key 'tag'",),
    "values-bad-tag": (
        "config/clusters/a/common.values.yaml:6: singleuser.image.tag is not a string; write a tag as a string, or remove the key",
    ),
    "cluster-unclosed-quote": (
        "config/clusters/a/cluster.yaml:16:1: invalid YAML: found unexpected end of stream",
    ),
    "cluster-bad-indent": (
        "config/clusters/a/cluster.yaml:12:5: invalid YAML: mapping values are not allowed in this context",
    ),
    "cluster-tab-indent": (
        "config/clusters/a/cluster.yaml:12:1: invalid YAML: found a tab character that violates indentation",
    ),
    "cluster-unclosed-flow-seq": (
        "config/clusters/a/cluster.yaml:13:13: invalid YAML: did not find expected ',' or ']'",
    ),
    "cluster-unclosed-flow-map": (
        "config/clusters/a/cluster.yaml:13:13: invalid YAML: did not find expected ',' or '}'",
    ),
    "cluster-undefined-alias": (
        "config/clusters/a/cluster.yaml:12:6: invalid YAML: found undefined alias",
    ),
    "cluster-bad-escape": (
        "config/clusters/a/cluster.yaml:12:7: invalid YAML: found unknown escape character",
    ),
    "cluster-control-char": (
        "config/clusters/a/cluster.yaml:12:7: invalid YAML: character #x0007: control characters are not allowed",
    ),
    "cluster-two-documents": (
        "config/clusters/a/cluster.yaml:14:13: invalid YAML: mapping values are not allowed in this context",
    ),
    "cluster-duplicate-key": ("config/clusters/a/cluster.yaml:12: duplicate key 'display_name'",),
    "cluster-bad-tag": ("hubs compile: nothing to change (7 slots, 3 hubs)",),
    "values-alias-bomb": (
        "hubs check: 1 slot in 1 file out of date; run `hubs compile`; 1 lint finding (unused-image)",
    ),
    "values-recursive-alias": (
        "hubs check: 1 slot in 1 file out of date; run `hubs compile`; 1 lint finding (unused-image)",
    ),
    "values-deep-no-image": (
        "config/clusters/a/prod.values.yaml:4:1003: invalid YAML: exceeded maximum nesting depth",
    ),
    "values-deep-scanned": (
        "config/clusters/a/common.values.yaml:33:1003: invalid YAML: exceeded maximum nesting depth",
    ),
    "values-deep-maps": (
        "config/clusters/a/common.values.yaml:1032:2003: invalid YAML: exceeded maximum nesting depth",
    ),
    "values-deep-edited": (
        "config/clusters/a/common.values.yaml:33: nested deeper than 100 levels",
    ),
    "values-deep-aliases-edited": (
        "config/clusters/a/common.values.yaml:33: nested deeper than 100 levels",
    ),
    "values-not-a-map": (
        "hubs.toml:9:1: clusters.a.files.\"common.values.yaml\".profiles.small: config/clusters/a/common.values.yaml has no profileList (Helm takes a hub's whole profileList from the last file that sets it: set profile images in that file's scope)",
        "hubs.toml:12:1: clusters.a.files.\"common.values.yaml\".profiles.Choose: config/clusters/a/common.values.yaml has no profileList (Helm takes a hub's whole profileList from the last file that sets it: set profile images in that file's scope)",
        "hubs.toml:16:1: clusters.a.files.\"common.values.yaml\".profiles.big: config/clusters/a/common.values.yaml has no profileList (Helm takes a hub's whole profileList from the last file that sets it: set profile images in that file's scope)",
    ),
    "values-scalar": (
        "hubs.toml:9:1: clusters.a.files.\"common.values.yaml\".profiles.small: config/clusters/a/common.values.yaml has no profileList (Helm takes a hub's whole profileList from the last file that sets it: set profile images in that file's scope)",
        "hubs.toml:12:1: clusters.a.files.\"common.values.yaml\".profiles.Choose: config/clusters/a/common.values.yaml has no profileList (Helm takes a hub's whole profileList from the last file that sets it: set profile images in that file's scope)",
        "hubs.toml:16:1: clusters.a.files.\"common.values.yaml\".profiles.big: config/clusters/a/common.values.yaml has no profileList (Helm takes a hub's whole profileList from the last file that sets it: set profile images in that file's scope)",
    ),
    "values-empty": ("hubs compile: nothing to change (7 slots, 3 hubs)",),
    "values-only-comment": ("hubs compile: nothing to change (7 slots, 3 hubs)",),
    # a null image is Helm's (it drops the lower files' image); pinning one is refused
    "values-null-image": (
        "a/common.values.yaml:image: config/clusters/a/common.values.yaml:4: jupyterhub.singleuser.image is not a block map",
    ),
    "values-image-list": ("config/clusters/a/common.values.yaml:4: image must be a name/tag map",),
    "values-profilelist-map": (
        'hubs.toml:9:1: clusters.a.files."common.values.yaml".profiles.small: no profile with this slug or display name in config/clusters/a/common.values.yaml',
        'hubs.toml:12:1: clusters.a.files."common.values.yaml".profiles.Choose: no profile with this slug or display name in config/clusters/a/common.values.yaml',
        'hubs.toml:16:1: clusters.a.files."common.values.yaml".profiles.big: no profile with this slug or display name in config/clusters/a/common.values.yaml',
    ),
    "values-profile-scalar": (
        'hubs.toml:9:1: clusters.a.files."common.values.yaml".profiles.small: no profile with this slug or display name in config/clusters/a/common.values.yaml',
        'hubs.toml:12:1: clusters.a.files."common.values.yaml".profiles.Choose: no profile with this slug or display name in config/clusters/a/common.values.yaml',
        'hubs.toml:16:1: clusters.a.files."common.values.yaml".profiles.big: no profile with this slug or display name in config/clusters/a/common.values.yaml',
    ),
    "values-choices-list": (
        "config/clusters/a/common.values.yaml:22:13: invalid YAML: did not find expected '-' indicator",
    ),
    "values-tag-int": (
        "hubs check: 1 slot in 1 file out of date; run `hubs compile`; 1 lint finding (unused-image)",
    ),
    "values-merge-key": (
        "config/clusters/a/common.values.yaml:5: a merge key (<<) here may supply image keys, which hubs cannot edit in place; write the keys out instead",
    ),
    "cluster-not-a-map": ("config/clusters/a/cluster.yaml:1: cluster.yaml must be a mapping",),
    "cluster-empty": (
        "hubs.toml:20:1: clusters.a.hubs.staging: no such hub in config/clusters/a/cluster.yaml",
        "hubs.toml:22:1: clusters.a.hubs.prod: no such hub in config/clusters/a/cluster.yaml",
        'hubs.toml:6:1: clusters.a.files."common.values.yaml": no hub of cluster.yaml uses this file',
    ),
    "cluster-hubs-map": ("config/clusters/a/cluster.yaml:2: hubs must be a list of hubs",),
    "cluster-hub-not-a-map": ("config/clusters/a/cluster.yaml:10: hub has no 'name'",),
    "cluster-hub-no-name": ("config/clusters/a/cluster.yaml:10: hub has no 'name'",),
    "cluster-hub-name-int": (
        "hubs.toml:22:1: clusters.a.hubs.prod: no such hub in config/clusters/a/cluster.yaml",
    ),
    "cluster-files-string": (
        "config/clusters/a/cluster.yaml:13: hub 'prod': helm_chart_values_files must be a list of file names",
    ),
    "cluster-file-through-a-file": (
        "config/clusters/a/cluster.yaml:10: hub 'prod': 'prod.values.yaml/../prod.values.yaml': "
        "goes through prod.values.yaml, which is not a folder; name the file itself",
    ),
    "cluster-file-int": ("config/clusters/a/7 (listed in cluster.yaml): file not found",),
    "cluster-file-map": (
        "config/clusters/a/cluster.yaml:15: hub 'prod': a values file is given by its name",
    ),
    "cluster-unknown-chart": (
        "hubs.toml:22:1: clusters.a.hubs.prod: runs chart 'otherhub', which hubs does not manage",
    ),
    "cluster-duplicate-hub": ("config/clusters/a/cluster.yaml:16: hub 'prod' is listed twice",),
    "cluster-alias-bomb": ("hubs compile: nothing to change (7 slots, 3 hubs)",),
    "cluster-deep-nesting": (
        "config/clusters/a/cluster.yaml:16:1003: invalid YAML: exceeded maximum nesting depth",
    ),
    "chart-unclosed-quote": (
        "helm-charts/basehub/values.yaml:9:1: invalid YAML: found unexpected end of stream",
    ),
    "values-bom": ("hubs compile: nothing to change (7 slots, 3 hubs)",),
    "values-crlf": ("hubs compile: nothing to change (7 slots, 3 hubs)",),
    "values-bom-crlf": ("hubs compile: nothing to change (7 slots, 3 hubs)",),
    "toml-crlf": ("hubs compile: nothing to change (7 slots, 3 hubs)",),
    "cluster-crlf": ("hubs compile: nothing to change (7 slots, 3 hubs)",),
    "cluster-bom": ("hubs compile: nothing to change (7 slots, 3 hubs)",),
    "values-not-utf8": (
        "config/clusters/a/common.values.yaml (listed in cluster.yaml): not UTF-8 text (byte 100)",
    ),
    "values-utf16": (
        "config/clusters/a/common.values.yaml (listed in cluster.yaml): not UTF-8 text (byte 0)",
    ),
    "lock-bom": ("hubs.lock:1:1: starts with a byte order mark; save it without one",),
    "toml-pin-nul": (
        "hubs.toml:10:1: clusters.a.files.\"common.values.yaml\".profiles.small.image: invalid image reference 'a/b:1\\x00': bad tag '1\\x00'",
    ),
    "toml-hub-nul": (
        'hubs.toml:26:1: clusters.a.hubs."x\\u0000y": no such hub in config/clusters/a/cluster.yaml',
    ),
    "toml-pin-cr": (
        "hubs.toml:10:1: clusters.a.files.\"common.values.yaml\".profiles.small.image: spaces around the image reference 'a/b:1\\r'; write 'a/b:1'",
    ),
    "toml-hub-cr": (
        'hubs.toml:26:1: clusters.a.hubs."x\\ry": no such hub in config/clusters/a/cluster.yaml',
    ),
    "toml-pin-u2028": (
        "hubs.toml:10:1: clusters.a.files.\"common.values.yaml\".profiles.small.image: spaces around the image reference 'a/b:1\\u2028'; write 'a/b:1'",
    ),
    "toml-hub-u2028": (
        'hubs.toml:26:1: clusters.a.hubs."x\\u2028y": no such hub in config/clusters/a/cluster.yaml',
    ),
    "toml-pin-ansi": (
        "hubs.toml:10:1: clusters.a.files.\"common.values.yaml\".profiles.small.image: invalid image reference 'a/b:1\\x1b[31mred\\x1b[0m': bad tag '1\\x1b[31mred\\x1b[0m'",
    ),
    "toml-hub-ansi": (
        'hubs.toml:26:1: clusters.a.hubs."x\\u001b[31mred\\u001b[0my": no such hub in config/clusters/a/cluster.yaml',
    ),
    "toml-pin-newline": (
        "hubs.toml:10:1: clusters.a.files.\"common.values.yaml\".profiles.small.image: spaces around the image reference 'a/b:1\\n'; write 'a/b:1'",
    ),
    "toml-hub-newline": (
        'hubs.toml:26:1: clusters.a.hubs."x\\ny": no such hub in config/clusters/a/cluster.yaml',
    ),
    "toml-key-ansi": ("hubs.toml:10:2: Illegal character '\\x1b'",),
    "values-tag-ansi": (
        "hubs check: 1 slot in 1 file out of date, 1 broken image; see the fix under each",
    ),
    "values-tag-ansi-markdown": (
        "### `hubs check`: 1 slot in 1 file out of date, 1 broken image; see the fix under each",
    ),
    "values-tag-ansi-github": (
        "::error file=config/clusters/a/common.values.yaml,line=6,title=hubs check::a/common.values.yaml:image: quay.io/org/image:\\x1b[31mred\\u2028\\r -> quay.io/org/image:abc1234; reaches no hub (overridden everywhere)",
    ),
    "values-tag-ansi-json": ("{",),
    "values-tag-ansi-explain": ("a/prod (A prod, basehub)",),
    "values-tag-ansi-list": (
        "ADDRESS                                          POLICY           REGISTRY  IMAGE                                  HUBS",
    ),
    "values-tag-huge-list": (  # the image clipped to 200 + "... (5018 characters)"
        "ADDRESS                                          POLICY           REGISTRY  IMAGE"
        + " " * 216
        + "  HUBS",
    ),
    "values-profile-name-ansi": (
        "hubs.toml:12:1: clusters.a.files.\"common.values.yaml\".profiles.Choose: no profile with this slug or display name in config/clusters/a/common.values.yaml (did you mean 'Cho\\x1b[31mose'?)",
    ),
    "values-file-name-ansi": (
        "config/clusters/a/pr\\x1b[31mod\\u2028.values.yaml (listed in cluster.yaml): file not found",
    ),
    "cluster-hub-name-ansi": (
        "hubs.toml:22:1: clusters.a.hubs.prod: no such hub in config/clusters/a/cluster.yaml",
    ),
    "values-tag-bidi": (
        "hubs check: 1 slot in 1 file out of date, 1 broken image; see the fix under each",
    ),
    "values-tag-bidi-markdown": (
        "### `hubs check`: 1 slot in 1 file out of date, 1 broken image; see the fix under each",
    ),
    "values-tag-bidi-github": (
        "::error file=config/clusters/a/common.values.yaml,line=6,title=hubs check::a/common.values.yaml:image: quay.io/org/image:1\\u202eevil\\u2066x\\u200f -> quay.io/org/image:abc1234; reaches no hub (overridden everywhere)",
    ),
    "values-tag-bidi-json": ("{",),
    "values-tag-bidi-list": (
        "ADDRESS                                          POLICY           REGISTRY  IMAGE                                       HUBS",
    ),
    "values-tag-bidi-explain": (
        "a/common.values.yaml:image: quay.io/org/image:1\\u202eevil\\u2066x\\u200f",
    ),
    "address-bidi": (
        "a/pr\\u202eevil\\u2066x\\u200fod: no such hub or slot (did you mean 'a/prod'?)",
    ),
    "toml-hub-bidi": (
        'hubs.toml:26:1: clusters.a.hubs."x\\u202eevil\\u2066x\\u200f": no such hub in config/clusters/a/cluster.yaml',
    ),
    **{
        f"cache-{name}": ("hubs check: clean (7 slots, 3 hubs); 1 lint finding (unused-image)",)
        for name in ("fifo", "dev-zero", "huge", "folder", "unreadable")
    },
    "values-raw-ansi": (
        "config/clusters/a/common.values.yaml:6:13: invalid YAML: character #x001b: control characters are not allowed",
    ),
    "match-ansi": (
        "hubs.toml:10:27: clusters.a.files.\"common.values.yaml\".profiles.small.image.match: invalid regular expression '(\\x1b[31m': unterminated character set at position 6",
    ),
    "toml-10mb-pin": (
        'hubs.toml:10:1: clusters.a.files."common.values.yaml".profiles.small.image: invalid image reference \'a/b:'
        + "x" * 196
        + "... (10485764 characters)': bad tag '"
        + "x" * 200
        + "... (10485760 characters)'",
    ),
    "toml-10mb-key": (
        "hubs.toml:26:1: clusters.a.hubs."
        + "h" * 184
        + "... (10485777 characters) no such hub in config/clusters/a/cluster.yaml",
    ),
    "toml-10mb-comment": ("hubs compile: nothing to change (7 slots, 3 hubs)",),
    "toml-10mb-match": (
        'hubs.toml:10:45: clusters.a.files."common.values.yaml".profiles.small.image.match: a regular expression of 10485761 characters; at most 1000',
    ),
    "toml-over-bound": ("{root}/hubs.toml: larger than 16 MiB; hubs reads only files below that",),
    "toml-nested-arrays": ("hubs.toml:25: arrays or inline tables nested too deeply to read",),
    "toml-nested-inline": ("hubs.toml:25: arrays or inline tables nested too deeply to read",),
    "toml-nested-tables": (
        "hubs.toml:25:2: a dotted key or table header of more than 100 parts (those of hubs.toml and hubs.lock have at most 8); shorten it",
    ),
    "toml-dotted-50000": (
        "hubs.toml:2:1: a dotted key or table header of more than 100 parts (those of hubs.toml and hubs.lock have at most 8); shorten it",
    ),
    "toml-inline-dotted": (
        "hubs.toml:25:7: a dotted key or table header of more than 100 parts (those of hubs.toml and hubs.lock have at most 8); shorten it",
    ),
    "toml-header-101": (
        "hubs.toml:25:2: a dotted key or table header of more than 100 parts (those of hubs.toml and hubs.lock have at most 8); shorten it",
    ),
    "lock-dotted-50000": (
        "hubs.lock:1:2: a dotted key or table header of more than 100 parts (those of hubs.toml and hubs.lock have at most 8); shorten it",
    ),
    "toml-nested-dotted": (
        "hubs.toml:2:1: a dotted key or table header of more than 100 parts (those of hubs.toml and hubs.lock have at most 8); shorten it",
    ),
    "values-near-bound": ("hubs compile: nothing to change (7 slots, 3 hubs)",),
    "values-over-bound": (
        "config/clusters/a/prod.values.yaml (listed in cluster.yaml): larger than 16 MiB; hubs reads only files below that",
    ),
    "values-10mb-tag": (
        "hubs check: 1 slot in 1 file out of date, 1 broken image; see the fix under each",
    ),
    "lock-nested-arrays": ("hubs.lock:1: arrays or inline tables nested too deeply to read",),
    "not-toml": ("hubs.lock:1:11: Invalid value",),
    "version-string": ("hubs.lock:1:1: version: Input should be 1",),
    "version-future": ("hubs.lock:1:1: version: Input should be 1",),
    "slots-int": ("hubs.lock:1:1: slots: Input should be a valid dictionary",),
    "slot-string": (
        'hubs.lock:2:1: slots."a/b:image": Input should be a valid dictionary or instance of LockEntry',
    ),
    "entry-missing-tag": (
        'hubs.lock:1:1: slots."a/common.values.yaml:profiles/small/image".tag: Field required',
    ),
    "entry-extra-key": (
        'hubs.lock:6:1: slots."a/common.values.yaml:profiles/small/image".extra: unknown key',
    ),
    "entry-bad-digest": (
        "hubs.lock:6:1: slots.\"a/common.values.yaml:profiles/small/image\".digest: invalid digest 'sha256:xyz'",
    ),
    "entry-bad-image": (
        "hubs.lock:2:1: slots.\"a/common.values.yaml:profiles/small/image\".image: invalid image reference 'A/B:1': repository 'A/B' must be lowercase components separated by '/'",
    ),
    "entry-bad-address": ("hubs compile: nothing to change (7 slots, 3 hubs)",),
    "entry-resolved-date": (
        'hubs.lock:4:1: slots."a/common.values.yaml:profiles/small/image".resolved: Input should be a valid string',
    ),
    "entry-tag-ansi": (
        "hubs.lock:3:1: slots.\"a/common.values.yaml:profiles/small/image\".tag: invalid tag '1\\x1b[31m': up to 128 of [A-Za-z0-9_.-], not starting with '.' or '-'",
    ),
    "lock-folder": ("{root}/hubs.lock: not a regular file (a folder)",),
    "lock-unreadable": ("{root}/hubs.lock: cannot read: Input/output error",),
    "toml-unreadable": ("{root}/hubs.toml: cannot read: Input/output error",),
    "lock-dangling-link": (
        "{root}/hubs.lock: a symlink to a missing file; hubs will not create a file through it",
    ),
    "writer-lock-fifo": (
        "{root}/.hubs-writer.lock: not a regular file; remove it to let hubs take the lock",
    ),
    "toml-folder": ("{root}/hubs.toml: not a regular file (a folder)",),
    "toml-folder-below-a-fleet": ("{root}/sub/hubs.toml: not a regular file (a folder)",),
}
