"""Properties over random fleets: compiling is a fixed point that ``check`` accepts and
``import`` states back, and no mutation of the inputs makes ``hubs`` fail unexpectedly.

Hypothesis draws the fleets; runs are in-process.  ``CI`` set makes the draws derandomized
(the same examples on every run); elsewhere they are random, with no example database.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fleetfixture import CHART, FILES
from hubs.cli.main import main
from hubs.policy.load import parse_config
from hubs.policy.model import Config

SETTINGS = settings(
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
RAW = ("\x1b", "\x00", "\u2028", "\u2029")

NAMES = ("quay.io/org/img", "ghcr.io/team/py", "pangeo/notebook")
TAGS = ("1.0.0", "2024-01-02", "abc1234", "v2", "0123", "yes")
images = st.builds(lambda n, t: f"{n}:{t}", st.sampled_from(NAMES), st.sampled_from(TAGS))
maybe_image = st.one_of(st.none(), images)  # None: inherit


# ---------------------------------------------------------------- random fleets


@dataclass(frozen=True)
class Profile:
    slug: str
    image: str | None  # a kubespawner_override.image profile when choices is None
    choices: dict[str, str | None] | None  # key -> image; None: not a profile with options
    alias_of: str | None = None  # the slug of the profile whose options it aliases


@dataclass(frozen=True)
class Values:
    """One values file: its singleuser image (tree, wanted) and its profileList."""

    tree_image: str | None
    image: str | None
    profiles: tuple[Profile, ...] | None  # None: no profileList


@dataclass(frozen=True)
class Cluster:
    name: str
    daskhub: bool
    shared: Values | None
    hubs: dict[str, Values]
    crlf: bool = False  # its files written with CRLF line ends
    quote: str = "'"  # how the tree quotes a tag


@st.composite
def profile_lists(draw: st.DrawFn, prefix: str) -> tuple[Profile, ...] | None:
    if not draw(st.booleans()):
        return None
    profiles: list[Profile] = []
    for number in range(draw(st.integers(1, 3))):
        slug = f"{prefix}p{number}"
        options = [p for p in profiles if p.choices is not None and p.alias_of is None]
        kind = draw(
            st.sampled_from(["image", "choices", "alias"] if options else ["image", "choices"])
        )
        if kind == "image":
            profiles.append(Profile(slug, draw(maybe_image), None))
        elif kind == "choices":
            keys = draw(st.lists(st.sampled_from(["py", "r", "julia"]), min_size=1, unique=True))
            profiles.append(Profile(slug, None, {key: draw(maybe_image) for key in keys}))
        else:  # the same options through a YAML alias: the same wanted images
            source = draw(st.sampled_from(options))
            profiles.append(Profile(slug, None, source.choices, alias_of=source.slug))
    return tuple(profiles)


@st.composite
def values_files(draw: st.DrawFn, prefix: str, profiles: bool) -> Values:
    found = draw(profile_lists(prefix)) if profiles else None
    return Values(draw(maybe_image), draw(maybe_image), found)


@st.composite
def clusters(draw: st.DrawFn, name: str) -> Cluster:
    shared = draw(st.one_of(st.none(), values_files(f"{name}s", True)))
    hubs = {}
    for number in range(draw(st.integers(1, 4))):
        hub = f"h{number}"
        # Helm takes the profileList from the last file: a hub's own only without a shared one
        own_profiles = shared is None or shared.profiles is None
        hubs[hub] = draw(values_files(f"{name}{hub}", own_profiles))
    crlf, quote = draw(st.booleans()), draw(st.sampled_from("'\""))
    return Cluster(name, draw(st.booleans()), shared, hubs, crlf, quote)


@st.composite
def fleets(draw: st.DrawFn) -> tuple[str, tuple[Cluster, ...]]:
    count = draw(st.integers(1, 3))
    return draw(images), tuple(draw(clusters(f"c{n}")) for n in range(count))


def _image_yaml(ref: str, pad: str, quote: str) -> list[str]:
    name, tag = ref.rsplit(":", 1)
    return [f"{pad}image:", f"{pad}  name: {name}", f"{pad}  tag: {quote}{tag}{quote}"]


def _profile_yaml(profile: Profile) -> list[str]:
    lines = [f"- display_name: {profile.slug.upper()}", f"  slug: {profile.slug}"]
    if profile.choices is None:
        image = profile.image or "quay.io/org/tree:1"  # the tree has one; compile decides
        return [*lines, "  kubespawner_override:", f"    image: {image}"]
    if profile.alias_of is not None:
        return [*lines, "  profile_options:", f"    image: *{profile.alias_of}"]
    lines += ["  profile_options:", f"    image: &{profile.slug}", "      display_name: Image"]
    lines.append("      choices:")
    for key in profile.choices:
        lines += [f"        {key}:", f"          display_name: {key}"]
        lines += ["          kubespawner_override:", "            image: quay.io/org/tree:2"]
    return lines


def values_yaml(values: Values, cluster: Cluster) -> str:
    body = ["# a values file", "jupyterhub:", "  singleuser:", "    defaultUrl: /lab"]
    if values.tree_image:
        body += _image_yaml(values.tree_image, "    ", cluster.quote)
    if values.profiles is not None:
        body.append("    profileList:")
        body += ["    " + line for profile in values.profiles for line in _profile_yaml(profile)]
    body += ["  ingress:", "    enabled: true"]
    if cluster.daskhub:
        body = ["basehub:", *("  " + line for line in body), "dask-gateway:", "  enabled: true"]
    newline = "\r\n" if cluster.crlf else "\n"
    return newline.join(body) + newline


def cluster_yaml(cluster: Cluster) -> str:
    lines = [f"name: {cluster.name}", "hubs:"]
    for hub in cluster.hubs:
        lines += [f"- name: {hub}", f"  helm_chart: {'daskhub' if cluster.daskhub else 'basehub'}"]
        lines.append("  helm_chart_values_files:")
        if cluster.shared is not None:
            lines.append("  - common.values.yaml")
        lines.append(f"  - {hub}.values.yaml")
    return "\n".join(lines) + "\n"


def _scope_toml(header: str, values: Values) -> list[str]:
    """The scope's policies; None means inherit, which must be said where the tree has an
    image (a slot hubs.toml does not mention is left as the tree has it)."""
    lines = ["", f"[{header}]"]
    if values.image or values.tree_image:
        lines.append(f'image = "{values.image or "inherit"}"')
    for profile in values.profiles or ():
        if profile.choices is None:  # the tree always has this profile's image
            image = profile.image or "inherit"
            lines += ["", f"[{header}.profiles.{profile.slug}]", f'image = "{image}"']
        stated = {k: v or "inherit" for k, v in (profile.choices or {}).items()}
        if stated:
            lines += ["", f"[{header}.profiles.{profile.slug}.choices]"]
            lines += [f'{key} = "{image}"' for key, image in stated.items()]
    return lines


def hubs_toml(default: str, found: tuple[Cluster, ...]) -> str:
    lines = ['tree = "."', "", "[defaults]", f'image = "{default}"']
    for cluster in found:
        if cluster.shared is not None:
            header = f'clusters.{cluster.name}.files."common.values.yaml"'
            lines += _scope_toml(header, cluster.shared)
        for hub, values in cluster.hubs.items():
            lines += _scope_toml(f"clusters.{cluster.name}.hubs.{hub}", values)
    return "\n".join(lines) + "\n"


def write_fleet(root: Path, default: str, found: tuple[Cluster, ...]) -> None:
    files = {"helm-charts/basehub/values.yaml": CHART, "hubs.toml": hubs_toml(default, found)}
    for cluster in found:
        folder = f"config/clusters/{cluster.name}"
        files[f"{folder}/cluster.yaml"] = cluster_yaml(cluster)
        if cluster.shared is not None:
            files[f"{folder}/common.values.yaml"] = values_yaml(cluster.shared, cluster)
        for hub, values in cluster.hubs.items():
            files[f"{folder}/{hub}.values.yaml"] = values_yaml(values, cluster)
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(text.encode())


# ---------------------------------------------------------------- running


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def hubs(root: Path, *args: str) -> Run:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["-C", str(root), *args])
    return Run(code, out.getvalue(), err.getvalue())


@contextlib.contextmanager
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


@settings(SETTINGS, max_examples=40)
@given(fleets())
def test_a_random_fleet_compiles_to_a_fixed_point_that_import_states_back(
    fleet: tuple[str, tuple[Cluster, ...]],
) -> None:
    default, found = fleet
    with folder() as root:
        write_fleet(root, default, found)
        first = hubs(root, "compile")
        assert (first.code, first.err) == (0, ""), first
        check = hubs(root, "check")
        assert check.code == 0, check
        written = snapshot(root)
        again = hubs(root, "compile")
        assert again.code == 0 and again.out.startswith("hubs compile: nothing to change"), again
        assert snapshot(root) == written  # not a byte, not an mtime
        stated = hubs(root, "import", "--config", "imported.toml")
        assert stated.code == 0, stated
        imported = parse_config((root / "imported.toml").read_text())
        assert effective(imported, root) == effective(
            parse_config((root / "hubs.toml").read_text()), root
        )


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def effective(config: Config, root: Path) -> dict[str, str]:
    """What each slot holds under ``config``, as hubs decides it: an anchored group stated
    once and "inherit" on an empty slot are the same as the long forms."""
    from hubs.compile.targets import targets
    from hubs.tree.layering import load_fleet

    return {
        str(t.address): str(t.want)
        for t in targets(config, load_fleet(root), None)
        if t.want is not None and t.policy != "user-controlled"
    }


# ---------------------------------------------------------------- mutations

SNIPPETS = (
    "\x00",
    "\x1b[31m",
    "\u2028",
    "\r",
    "\ufeff",
    "\t",
    '"',
    "'",
    "[",
    "{",
    "]]",
    '"""',
    "&a [*a]",
    "*nope",
    "<<: *a",
    "---",
    "!!python/object/apply:os.system [x]",
    ": ",
    "image: [1]",
    "tag: 1",
    "- x",
    "[clusters]",
    "x = [[[[",
    "image = { follow = 1 }",
    '[clusters.a.hubs."\\u001b"]',
    "jupyterhub: ~",
    "profileList: {}",
    "a" * 3000,
)
TARGETS = (
    "hubs.toml",
    "config/clusters/a/cluster.yaml",
    "config/clusters/a/common.values.yaml",
    "config/clusters/a/prod.values.yaml",
    "helm-charts/basehub/values.yaml",
)


COMMANDS = (
    "check",
    "compile",
    "list",
    "diff --format markdown",
    "explain a/prod",
    "import --force",
    "check --format github",
)


@st.composite
def mutations(draw: st.DrawFn) -> tuple[str, bytes]:
    target = draw(st.sampled_from(TARGETS))
    data = FILES[target].encode()
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["flip", "delete", "insert"]))
        if kind == "flip" and data:
            at = draw(st.integers(0, len(data) - 1))
            data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
        elif kind == "delete":
            lines = data.split(b"\n")
            del lines[draw(st.integers(0, len(lines) - 1))]
            data = b"\n".join(lines)
        else:
            lines = data.split(b"\n")
            snippet = draw(st.sampled_from(SNIPPETS)).encode()
            at = draw(st.integers(0, len(lines)))
            column = draw(st.integers(0, 8))
            if at < len(lines):
                line = lines[at]
                lines[at] = line[:column] + snippet + line[column:]
            else:
                lines.append(snippet)
            data = b"\n".join(lines)
    return target, data


@settings(SETTINGS, max_examples=150)
@given(mutations(), st.sampled_from(COMMANDS))
def test_a_mutated_fleet_never_fails_unexpectedly(
    mutation: tuple[str, bytes], command: str
) -> None:
    target, data = mutation
    with folder() as root:
        for rel, text in FILES.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(text.encode())
        (root / target).write_bytes(data)
        run = hubs(root, *command.split())
        assert run.code in (0, 1, 2), run  # no registry, no I/O failure: never 3
        assert "Traceback" not in run.err and "error: unexpected" not in run.err, run
        for char in RAW:
            assert char not in run.out + run.err, (repr(char), run)
        assert all(len(line) <= 1000 for line in (run.out + run.err).splitlines()), run
