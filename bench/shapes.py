"""YAML texts shaped like 2i2c-org/infrastructure: values files, profile lists, secrets, chart.

Every builder returns lines (no trailing newline) at the indentation of the key it is placed
under, in the style ruamelfmt leaves config files in: two-space mappings, indentless sequences,
plain scalars where YAML 1.1 and 1.2 both read a string, single quotes otherwise.  ``rng`` makes
every choice, so one seed gives one tree.
"""

from __future__ import annotations

import random
import re

# (repository, tag scheme) pairs seen in the real fleet's user images
POOL: tuple[tuple[str, str], ...] = (
    ("pangeo/pangeo-notebook", "dots"),
    ("pangeo/ml-notebook", "dots"),
    ("pangeo/pytorch-notebook", "dots"),
    ("quay.io/jupyter/scipy-notebook", "dashes"),
    ("quay.io/2i2c/{org}-image", "hex"),
    ("us-central1-docker.pkg.dev/{org}-hubs/user-images/base-user-image", "hex"),
    ("ghcr.io/{org}/container-images/py-rocket-geospatial-2", "latest"),
    ("public.ecr.aws/{org}/geolab/geolab-base", "latest"),
    ("maps.{org}-project.org/root/workspaces/pangeo", "semver"),
    ("rocker/binder", "numeric"),
)
CHOICE_KEYS = ("pangeo", "tensorflow", "pytorch", "scipy", "01-geospatial", "rocker", "custom")
SECRET_DATA = "ENC[AES256_GCM,data:{d},iv:{i},tag:{t},type:str]"
_NEEDS_QUOTES = re.compile(r"^[0-9_]+([eE][-+]?[0-9]+)?$|^\d{4}-\d{2}-\d{2}$|^[0-9.]+$")


def tag(rng: random.Random, scheme: str) -> str:
    if scheme == "dots":
        return f"20{rng.randint(23, 26)}.{rng.randint(1, 12):02d}.{rng.randint(1, 28):02d}"
    if scheme == "dashes":
        return f"20{rng.randint(23, 26)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if scheme == "hex":
        return "".join(rng.choice("0123456789abcdef") for _ in range(12))
    if scheme == "semver":
        return f"v{rng.randint(1, 6)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}"
    if scheme == "numeric":
        return f"4.{rng.randint(1, 5)}"
    return "latest"


def image(rng: random.Random, org: str) -> tuple[str, str]:
    """A (name, tag) pair from the pool."""
    name, scheme = rng.choice(POOL)
    return name.format(org=org), tag(rng, scheme)


def scalar(text: str) -> str:
    """A tag as ruamelfmt writes it: single-quoted when it would not load as a string."""
    return f"'{text}'" if _NEEDS_QUOTES.match(text) else text


def indent(lines: list[str], by: int) -> list[str]:
    pad = " " * by
    return [pad + line if line else line for line in lines]


def singleuser_image(rng: random.Random, org: str, comment: bool) -> list[str]:
    name, version = image(rng, org)
    head = ["# the image every user gets unless a profile says otherwise"] if comment else []
    return [*head, "image:", f"  name: {name}", f"  tag: {scalar(version)}"]


def choices(rng: random.Random, org: str, count: int) -> list[str]:
    out = ["choices:"]
    for key in rng.sample(CHOICE_KEYS, count):
        name, version = image(rng, org)
        label = key.split("-")[-1].capitalize()
        out += [
            f"  {key}:",
            f"    display_name: {label} Notebook ({version})",
            *(["    default: true"] if len(out) == 1 else []),
            f"    slug: {key.replace('-', '_')}",
            "    kubespawner_override:",
            f"      image: {name}:{version}",
        ]
    return out


def image_option(rng: random.Random, org: str, anchor: str | None, unlisted: bool) -> list[str]:
    out = ["image:" + (f" &{anchor}" if anchor else ""), "  display_name: Image"]
    if unlisted:
        out += [
            "  unlisted_choice:",
            "    enabled: true",
            "    display_name: Custom image",
            "    validation_regex: ^.+:.+$",
            "    validation_message: Must be a publicly available docker image, of form"
            " <image-name>:<tag>",
            "    kubespawner_override:",
            "      image: '{value}'",
        ]
    return out + indent(choices(rng, org, rng.randint(2, 4)), 2)


def requests_option(rng: random.Random) -> list[str]:
    out = [
        "requests:",
        "  # node share choices: generated, do not edit by hand",
        "  display_name: Node share",
        "  choices:",
    ]
    for gb in (1, 2, 4, 8, 16)[: rng.randint(2, 5)]:
        out += [
            f"    mem_{gb}:",
            f"      display_name: ~{gb} GB, ~{gb / 8:.3f} CPU",
            "      kubespawner_override:",
            f"        mem_guarantee: {gb * 904.197:.3f}M",
            f"        cpu_guarantee: {gb * 0.013:.3f}",
        ]
    return out


def profile_list(rng: random.Random, org: str, style: str) -> list[str]:
    """``profileList:`` with 1-4 profiles; ``style`` is ``options``, ``choices`` or ``kso``.

    ``options`` anchors the first profile's image option and aliases it in the others (leap),
    ``choices`` anchors its choices map (awi-ciroh), ``kso`` sets
    ``profileList[i].kubespawner_override.image`` strings (ucmerced).
    """
    out = ["profileList:"]
    count = rng.randint(2, 4) if style != "kso" else rng.randint(1, 3)
    for index in range(count):
        slug = ("small", "medium", "large", "gpu")[index]
        entry = [f"- display_name: {slug.capitalize()} ({org})", f"  slug: {slug}"]
        entry += ["  description: Start a container limited to a chosen share of a node"]
        if index == 0:
            entry.append("  default: true")
        if style == "kso":
            name, version = image(rng, org)
            entry += ["  kubespawner_override:", f"    image: {name}:{version}"]
            entry.append("    mem_limit: 4G")
        else:
            entry += ["  profile_options:", *indent(requests_option(rng), 4)]
            entry += indent(_profile_image(rng, org, style, index), 4)
            entry += ["  kubespawner_override:", "    node_selector:"]
            entry.append(f"      node.kubernetes.io/instance-type: r5.{2**index}xlarge")
        out += entry
    return out


def _profile_image(rng: random.Random, org: str, style: str, index: int) -> list[str]:
    if style == "options":
        return (
            image_option(rng, org, "image_options", True)
            if index == 0
            else ["image: *image_options"]
        )
    option = ["image:", "  display_name: Image"]
    if index == 0:
        return option + indent(["choices: &image_choices", *choices(rng, org, 3)[1:]], 2)
    return [*option, "  choices: *image_choices"]


def homepage(org: str) -> list[str]:
    url = f"https://{org}.example.org"
    out = ["custom:", "  2i2c:", "    add_staff_user_ids_to_admin_users: true"]
    out += ["    add_staff_user_ids_of_type: github", "  homepage:", "    templateVars:"]
    for role in ("org", "designed_by", "operated_by", "funded_by"):
        out += [f"      {role}:", f"        name: {org.upper()}", f"        url: {url}"]
    return out


def hub_config(rng: random.Random, org: str, users: int) -> list[str]:
    out = ["hub:", "  config:", "    JupyterHub:", "      authenticator_class: github"]
    out += ["    GitHubOAuthenticator:", "      # members of these teams can log in"]
    out += ["      allowed_organizations:"]
    out += [f"      - {org}:team-{rng.randint(1, 999)}" for _ in range(users)]
    out += ["      scope:", "      - read:org", "    Authenticator:", "      admin_users:"]
    out += [f"      - user{rng.randint(1, 99999)}" for _ in range(max(1, users // 3))]
    return out


def extra_env(rng: random.Random, org: str, count: int) -> list[str]:
    out = ["extraEnv:"]
    for index in range(count):
        out.append(f"  VAR_{index}: gs://{org}-scratch-{rng.randint(1, 9)}/$(JUPYTERHUB_USER)")
    return out


def values(jupyterhub: list[str], top: list[str], daskhub: bool) -> str:
    """A values file: ``top`` keys then ``jupyterhub:``, nested under ``basehub:`` for daskhub."""
    body = top + (["jupyterhub:", *indent(jupyterhub, 2)] if jupyterhub else [])
    if daskhub:
        body = ["basehub:", *indent(body, 2)]
    return "\n".join(body) + "\n"


def nfs(rng: random.Random) -> list[str]:
    return [
        "nfs:",
        "  enabled: true",
        "  pv:",
        "    enabled: true",
        f"    # see issue #{rng.randint(1000, 9000)}",
        "    serverIP: 10.0.0.2",
    ]


def secret(rng: random.Random, daskhub: bool) -> str:
    def enc() -> str:
        return SECRET_DATA.format(
            d="".join(rng.choice("ABCDEFabcdef0123456789+/") for _ in range(40)),
            i="x" * 43 + "=",
            t="y" * 22 + "==",
        )

    hub = ["jupyterhub:", "  hub:", "    config:", "      GitHubOAuthenticator:"]
    hub += [f"        client_id: {enc()}", f"        client_secret: {enc()}"]
    body = ["basehub:", *indent(hub, 2)] if daskhub else hub
    body += [
        "sops:",
        "  kms: []",
        "  gcp_kms:",
        "  - resource_id: projects/p/keyRings/k",
        f"    enc: {enc()}",
        "  lastmodified: '2025-01-27T16:06:44Z'",
        f"  mac: {enc()}",
        "  version: 3.8.1",
    ]
    return "\n".join(body) + "\n"


def support(rng: random.Random, org: str) -> str:
    lines = [
        "prometheusIngressAuthSecret:",
        "  enabled: true",
        "grafana:",
        "  ingress:",
        "    hosts:",
        f"    - grafana.{org}.example.org",
        "    tls:",
        "    - secretName: grafana-tls",
        "      hosts:",
        f"      - grafana.{org}.example.org",
    ]
    lines += [
        "prometheus:",
        "  server:",
        "    resources:",
        "      requests:",
        f"        memory: {rng.randint(2, 8)}Gi",
    ]
    return "\n".join(lines) + "\n"
