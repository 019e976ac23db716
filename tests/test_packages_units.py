"""Package names from layer paths, and two lists compared: no registry needed."""

from __future__ import annotations

from hubs.images.pkgdiff import Entry, compare
from hubs.images.pkgnames import Package, package, packages, pick

ENV = "/opt/conda"
SITE = "/opt/conda/lib/python3.11/site-packages/"


def test_names_from_paths() -> None:
    assert package(str(pick("/opt/conda/conda-meta/r-base-4.3.1-hc_2.json"))) == Package(
        ENV, "r-base", "4.3.1", "hc_2", "conda"
    )
    assert pick(SITE + "Jupyter_Server-2.14.0.dist-info/RECORD") == (
        SITE + "Jupyter_Server-2.14.0.dist-info"
    )
    assert package(SITE + "Jupyter_Server-2.14.0.dist-info") == Package(
        ENV, "Jupyter_Server", "2.14.0", "", "pip"
    )
    assert package("/usr/lib/python3/dist-packages/six-1.16.0.dist-info") == Package(
        "/usr", "six", "1.16.0", "", "pip"
    )
    assert [pick(p) for p in ("/opt/conda/conda-meta/history", SITE + "six.py")] == [None, None]
    # markup or a control character in a name is no package: a report never carries it
    assert package("/opt/conda/conda-meta/a`b-1-0.json") is None
    assert package("/x<y/conda-meta/a-1-0.json") is None


def test_conda_keeps_the_name_pip_records_in_the_same_environment() -> None:
    found = packages(
        [
            f"{ENV}/conda-meta/numpy-1.26.4-py311_0.json",
            SITE + "numpy-1.26.4.dist-info",
            "/usr/lib/python3/dist-packages/numpy-1.24.2.dist-info",
        ]
    )
    assert found == (
        Package(ENV, "numpy", "1.26.4", "py311_0", "conda"),
        Package("/usr", "numpy", "1.24.2", "", "pip"),
    )


def test_the_one_line_names_a_notable_change_else_the_first() -> None:
    old = [Package(ENV, "aaa", "1"), Package(ENV, "pandas", "2.1"), Package(ENV, "gone", "1")]
    new = [Package(ENV, "aaa", "2"), Package(ENV, "pandas", "2.2"), Package(ENV, "new", "1")]
    diff = compare("i:1", "i:2", ("c/h:image",), old, new)
    assert diff.summary == "pandas 2.1 → 2.2; 1 added, 1 removed, 2 changed"
    assert (diff.added, diff.removed) == ((Entry("new", None, "1"),), (Entry("gone", "1", None),))
    assert compare("i:1", "i:2", (), old, new, notable=()).summary == (
        "aaa 1 → 2; 1 added, 1 removed, 2 changed"
    )
    assert compare("i:1", "i:2", (), old[:1], old[:1] + new[2:]).summary == "1 added"
    assert compare("i:1", "i:2", (), old, old).summary == "no package changes"


def test_names_carry_their_environment_when_the_images_have_several() -> None:
    diff = compare(
        "i:1", "i:2", (), [Package(ENV, "a", "1")], [Package("/usr", "a", "1", "", "pip")]
    )
    assert diff.summary == "1 added, 1 removed"
    assert diff.added == (Entry("a (/usr)", None, "1"),)
