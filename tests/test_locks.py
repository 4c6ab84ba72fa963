"""The locks: every package pinned with its hashes, generated from the hand-written lists as they
are now, and nothing of the machine they were made on."""

import re

import pytest

import run

PINNED = re.compile(r"^[a-z0-9][a-z0-9._-]*==[^\s\\]+ \\$")


@pytest.mark.parametrize("lock", run.LOCKS)
def test_each_lock_was_generated_from_its_lists_as_they_are_now(lock):
    run.check_lock(lock)  # raises SystemExit with the one line .ci/run shows


@pytest.mark.parametrize("lock", run.LOCKS)
def test_every_package_is_pinned_with_hashes_and_no_machine_source(lock):
    text = (run.ROOT / lock).read_text()
    lines = text.splitlines()
    requirements = [i for i, line in enumerate(lines) if line and not line.startswith((" ", "#"))]
    assert requirements
    for i in requirements:
        assert PINNED.match(lines[i]) and lines[i + 1].startswith("    --hash=sha256:"), lines[i]
    assert not re.search(r"file:|/opt/|--find-links|--extra-index-url|--index-url|^-c ", text, re.M)


def test_a_changed_list_is_caught(tmp_path, monkeypatch):
    for name in ("requirements.in", "requirements.txt"):
        (tmp_path / name).write_text((run.ROOT / name).read_text())
    monkeypatch.setattr(run, "ROOT", tmp_path)
    run.check_lock("requirements.txt")
    (tmp_path / "requirements.in").write_text(
        (tmp_path / "requirements.in").read_text() + "# a comment changes nothing\n"
    )
    run.check_lock("requirements.txt")
    (tmp_path / "requirements.in").write_text((tmp_path / "requirements.in").read_text() + "six\n")
    with pytest.raises(SystemExit, match="requirements.txt was not generated from requirements.in"):
        run.check_lock("requirements.txt")
