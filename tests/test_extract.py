"""``hubs extract-image``, with real git and real git-filter-repo in tmp_path."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from hubs.authoring.extract import extract_image, find_filter_repo
from hubs.cli.main import main
from hubs.errors import FailureError, InputError

pytestmark = pytest.mark.skipif(not shutil.which("git"), reason="needs git")

ME = {"GIT_AUTHOR_NAME": "Op", "GIT_AUTHOR_EMAIL": "op@example.org"}


@pytest.fixture(autouse=True)
def _git_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No user or system git config; the tool's own commits by a fixed operator and time."""
    for key, value in {
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        **ME,
        "GIT_COMMITTER_NAME": "Op",
        "GIT_COMMITTER_EMAIL": "op@example.org",
        "GIT_AUTHOR_DATE": "2025-06-01T12:00:00+00:00",
        "GIT_COMMITTER_DATE": "2025-06-01T12:00:00+00:00",
    }.items():
        monkeypatch.setenv(key, value)


def git(repo: Path, *args: str, **env: str) -> str:
    done = subprocess.run(
        ["git", "-c", "init.defaultBranch=main", *args],
        cwd=repo,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def commit(repo: Path, files: dict[str, str], message: str, who: str, date: str) -> None:
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    git(repo, "add", "-A")
    email = f"{who.lower()}@example.org"
    git(
        repo, "commit", "-q", "-m", message,
        GIT_AUTHOR_NAME=who, GIT_AUTHOR_EMAIL=email, GIT_AUTHOR_DATE=date,
        GIT_COMMITTER_NAME=who, GIT_COMMITTER_EMAIL=email, GIT_COMMITTER_DATE=date,
    )  # fmt: skip


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """A deployment repository whose image/ folder has three commits among others."""
    repo = tmp_path / "deploy"
    repo.mkdir()
    git(repo, "init", "-q")
    commit(
        repo,
        {"image/environment.yml": "dependencies: [numpy]\n", "config/hub.values.yaml": "a: 1\n"},
        "Add the hub and its image",
        "Alice",
        "2024-01-01T10:00:00+01:00",
    )
    commit(repo, {"config/hub.values.yaml": "a: 2\n"}, "Bump a", "Bob", "2024-02-02T10:00:00+00:00")
    commit(
        repo,
        {"image/Dockerfile": "FROM scratch\n", "config/hub.values.yaml": "a: 3\n"},
        "Add a Dockerfile\n\nWith a body.",
        "Carol",
        "2024-03-03T10:00:00-05:00",
    )
    commit(
        repo,
        {"image/environment.yml": "dependencies: [numpy, scipy]\n"},
        "Add scipy",
        "Bob",
        "2024-04-04T10:00:00+00:00",
    )
    return repo


@pytest.fixture
def target(tmp_path: Path) -> Path:
    """A repository made from the image template, cloned from a bare 'origin' it tracks."""
    bare = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    repo = tmp_path / "image-repo"
    repo.mkdir()
    git(repo, "init", "-q")
    commit(
        repo,
        {"README.md": "# my image\n", "environment.yml": "dependencies: [python]\n"},
        "Initial commit",
        "Template",
        "2023-12-01T00:00:00+00:00",
    )
    git(repo, "remote", "add", "origin", str(bare))
    git(repo, "push", "-q", "-u", "origin", "main")
    return repo


def log(repo: Path, *rev: str) -> list[str]:
    text = git(repo, "log", "--topo-order", "--format=%s|%an <%ae>|%aI", *rev)
    return text.splitlines()


IMPORTED = [
    "Add scipy|Bob <bob@example.org>|2024-04-04T10:00:00+00:00",
    "Add a Dockerfile|Carol <carol@example.org>|2024-03-03T10:00:00-05:00",
    "Add the hub and its image|Alice <alice@example.org>|2024-01-01T10:00:00+01:00",
]


def test_history_of_the_folder_is_merged(
    source: Path, target: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "-C",
            str(target.parent),
            "extract-image",
            "image",
            "--into",
            "image-repo",
            "--source",
            "deploy",
        ]
    )
    assert code == 0
    assert capsys.readouterr().out == (
        "imported image from deploy: 3 commits merged into main\n"
        "removed the template's example environment.yml in its own commit\n"
        f"not pushed; review with `git -C {target} log`, then push\n"
    )
    assert (
        git(target, "log", "-1", "--format=%B") == "Import image from deploy with its history\n\n"
    )
    assert git(target, "log", "-1", "--format=%P").count(" ") == 1  # a merge commit
    # every commit that touched image/ survives, with author, date and message; Bob's
    # config-only bump does not come along
    assert log(target, "HEAD^2") == IMPORTED
    assert (
        git(target, "log", "-1", "--format=%B", "HEAD^2~1")
        == "Add a Dockerfile\n\nWith a body.\n\n"
    )
    assert log(target, "HEAD^1") == [
        "Remove the template's example environment.yml|Op <op@example.org>|2025-06-01T12:00:00+00:00",
        "Initial commit|Template <template@example.org>|2023-12-01T00:00:00+00:00",
    ]
    # the removal is its own commit, touching that file only
    assert git(target, "show", "--format=", "--name-status", "HEAD^1") == "D\tenvironment.yml\n"
    # the folder's files at the top, nothing from outside it
    assert git(target, "ls-tree", "-r", "--name-only", "HEAD").split() == [
        "Dockerfile",
        "README.md",
        "environment.yml",
    ]
    assert (target / "environment.yml").read_text() == "dependencies: [numpy, scipy]\n"
    assert git(target, "status", "--porcelain") == ""
    assert git(target, "remote").split() == ["origin"]  # the temporary remote is gone
    # nothing pushed
    assert git(target, "rev-parse", "origin/main") == git(target, "rev-parse", "HEAD~1^1")
    # the source is untouched
    assert len(log(source)) == 4


def test_push_sends_the_merge(source: Path, target: Path) -> None:
    done = extract_image("image/", target, str(source), push=True)
    assert (done.commits, done.removed_example, done.pushed, done.branch) == (3, True, True, "main")
    assert done.summary()[-1] == "pushed main"
    bare = target.parent / "origin.git"
    assert git(bare, "rev-parse", "main") == git(target, "rev-parse", "HEAD")


def test_no_example_no_removal_commit(source: Path, target: Path) -> None:
    git(target, "rm", "-q", "environment.yml")
    git(target, "commit", "-q", "-m", "No example")
    done = extract_image("image", target, str(source))
    assert not done.removed_example
    assert "removed" not in "\n".join(done.summary())
    assert log(target, "HEAD^1") == [
        "No example|Op <op@example.org>|2025-06-01T12:00:00+00:00",
        "Initial commit|Template <template@example.org>|2023-12-01T00:00:00+00:00",
    ]
    assert git(target, "log", "-1", "--format=%s") == (
        f"Import image from {source} with its history\n"
    )


def extract_error(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["extract-image", *args])
    captured = capsys.readouterr()
    assert captured.out == ""
    return code, captured.err


def test_folder_without_history(
    source: Path, target: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    head = git(target, "rev-parse", "HEAD")
    code, err = extract_error(capsys, "images", "--into", str(target), "--source", str(source))
    assert (code, err) == (
        2,
        f"hubs: error: extract-image: no commit of {source} touches images; "
        "give the image folder's path from the repository's top\n",
    )
    assert git(target, "rev-parse", "HEAD") == head  # nothing done to the target


def test_folder_outside_the_repository(target: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = extract_error(capsys, "../image", "--into", str(target))
    assert (code, err) == (
        2,
        "hubs: error: extract-image: '../image' is not a folder of the source repository; "
        "give its path from the repository's top, e.g. image/\n",
    )


def test_target_not_a_repository(
    source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    code, err = extract_error(capsys, "image", "--into", str(plain), "--source", str(source))
    assert (code, err) == (
        2,
        f"hubs: error: --into {plain}: not a git repository; "
        "create it from the image template and clone it there first\n",
    )


def test_target_with_uncommitted_changes(
    source: Path, target: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (target / "README.md").write_text("# edited\n")
    code, err = extract_error(capsys, "image", "--into", str(target), "--source", str(source))
    assert (code, err) == (
        2,
        f"hubs: error: --into {target}: has uncommitted changes; commit or stash them first\n",
    )


def test_source_not_a_repository(
    target: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = extract_error(capsys, "image", "--into", str(target), "--source", str(tmp_path))
    assert (code, err) == (2, f"hubs: error: --source {tmp_path}: not a git repository\n")


def test_clone_failure_is_exit_3(target: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = extract_error(
        capsys, "image", "--into", str(target), "--source", "file:///nonexistent/repo"
    )
    assert code == 3
    assert err == (
        "hubs: error: git clone: fatal: '/nonexistent/repo' does not appear to be a git repository\n"
    )


def test_filter_repo_missing(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        find_filter_repo(str(tmp_path))
    assert caught.value.messages == [
        "git-filter-repo not found; install it with `pip install git-filter-repo`"
    ]
    assert Path(find_filter_repo()[0]).name == "git-filter-repo"


def test_merge_conflict_is_exit_3(
    source: Path, target: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    commit(
        target,
        {"Dockerfile": "FROM busybox\n"},
        "Own Dockerfile",
        "Template",
        "2023-12-02T00:00:00+00:00",
    )
    code, err = extract_error(capsys, "image", "--into", str(target), "--source", str(source))
    assert (code, err) == (
        3,
        f"hubs: error: --into {target}: the merge stopped on conflicts in Dockerfile; "
        "resolve them and `git commit`, or `git merge --abort`\n",
    )
    assert git(target, "remote").split() == ["origin"]


def test_push_without_upstream_is_exit_3(source: Path, target: Path) -> None:
    git(target, "branch", "--unset-upstream")
    with pytest.raises(FailureError) as caught:
        extract_image("image", target, str(source), push=True)
    assert caught.value.messages == [
        "git push: fatal: The current branch main has no upstream branch."
    ]
    assert (
        git(target, "log", "-1", "--format=%s") == f"Import image from {source} with its history\n"
    )


def test_target_on_a_detached_head(
    source: Path, target: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git(target, "checkout", "-q", "--detach")
    code, err = extract_error(capsys, "image", "--into", str(target), "--source", str(source))
    assert (code, err) == (
        2,
        f"hubs: error: --into {target}: HEAD is detached; check out the branch to merge into\n",
    )


def test_target_without_commits(
    source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    git(empty, "init", "-q")
    code, err = extract_error(capsys, "image", "--into", str(empty), "--source", str(source))
    assert (code, err) == (
        2,
        f"hubs: error: --into {empty}: has no commit; create it from the image template\n",
    )


def test_a_second_run_says_nothing_was_merged(
    source: Path, target: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["-C", str(target.parent), "extract-image", "image", "--into", "image-repo"]
    assert main([*args, "--source", "deploy"]) == 0
    capsys.readouterr()
    head = git(target, "rev-parse", "HEAD")
    assert main([*args, "--source", "deploy"]) == 0
    assert capsys.readouterr().out == (
        "imported image from deploy: nothing new, main already has its 3 commits\n"
        f"not pushed; review with `git -C {target} log`, then push\n"
    )
    assert git(target, "rev-parse", "HEAD") == head
    commit(source, {"image/Dockerfile": "FROM b\n"}, "Base b", "Alice", "2024-05-01T10:00:00+00:00")
    assert main([*args, "--source", "deploy"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == (
        "imported image from deploy: 1 new of its 4 commits merged into main"
    )
    assert (target / "Dockerfile").read_text() == "FROM b\n"
    assert (target / "environment.yml").read_text() == "dependencies: [numpy, scipy]\n"
