"""set_policy on the compact layout import writes: one-line scopes stay one line."""

from __future__ import annotations

import tomllib

from hubs.authoring.tomledit import set_policy
from hubs.policy.address import parse

COMPACT = """\
[clusters.c.hubs]
staging = {}  # staging.example.org
prod.image = "a/b:1"  # prod.example.org
"""


def test_a_pin_on_a_compact_hub_edits_its_line_only() -> None:
    assert set_policy(COMPACT, parse("c/prod:image"), "a/b:2") == COMPACT.replace(
        '"a/b:1"', '"a/b:2"'
    )


def test_an_image_on_an_empty_compact_hub_stays_on_its_line() -> None:
    assert set_policy(COMPACT, parse("c/staging:image"), "a/b:3") == COMPACT.replace(
        "staging = {}", 'staging = {image = "a/b:3"}'
    )


def test_a_profile_choice_on_an_empty_compact_hub_stays_valid_toml() -> None:
    text = set_policy(COMPACT, parse("c/staging:profiles/small/choices/x"), "a/b:1")
    assert text == COMPACT.replace(
        "staging = {}", 'staging = {profiles = {small = {choices = {x = "a/b:1"}}}}'
    )
    assert tomllib.loads(text)["clusters"]["c"]["hubs"]["staging"] == {
        "profiles": {"small": {"choices": {"x": "a/b:1"}}}
    }


def test_a_profile_on_a_dotted_compact_hub_gets_a_sub_table() -> None:
    text = set_policy(COMPACT, parse("c/prod:profiles/small/image"), "a/b:9")
    assert text == COMPACT + '\n[clusters.c.hubs.prod.profiles.small]\nimage = "a/b:9"\n'
    assert tomllib.loads(text)["clusters"]["c"]["hubs"]["prod"] == {
        "image": "a/b:1",
        "profiles": {"small": {"image": "a/b:9"}},
    }
