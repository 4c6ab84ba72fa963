#!/usr/bin/env python3
"""The README's two commands, on a fresh machine with only Python 3.11:

    python3 run.py demo    set up the embedded demo database and serve the panel
    python3 run.py test    run the whole test suite (the browser tests in a pass of their own)

Each creates ``.venv`` on first use and installs the locked requirements from the public index
with their hashes (again only when the lock changes), then hands over to ``flask --app app demo``
or ``pytest``; extra arguments pass through. A lock that was not generated from its hand-written
list as it is now stops both with one line.

    python3 run.py lock    regenerate requirements.txt and requirements-dev.txt from the
                           hand-written requirements.in and requirements-dev.in (pip-compile),
                           keeping today's pins; ``--upgrade`` or ``--upgrade-package NAME``
                           moves them
"""

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LOCK_VENV = ROOT / ".venv-lock"
BIN = "Scripts" if os.name == "nt" else "bin"
#: Each lock and what it is generated from, in the order they are generated: the development lock
#: is constrained by the runtime lock, so it is generated after it and depends on it.
LOCKS = {
    "requirements.txt": ["requirements.in"],
    "requirements-dev.txt": ["requirements-dev.in", "requirements.in", "requirements.txt"],
}
#: The line of a lock's header that records what it was generated from.
INPUTS_LINE = "# inputs sha256: "
PUBLIC_INDEX = "https://pypi.org/simple"
PIP_TOOLS = "pip-tools==7.6.2"
#: The test command's workers at most: each starts an embedded PostgreSQL and loads its template.
MAX_WORKERS = 4
#: pytest's exit status when a pass selects no test.
NO_TESTS_COLLECTED = 5


def inputs_digest(lock: str) -> str:
    """A digest of the requirements a lock is generated from: their lines without comments and
    blank lines, so that editing a comment does not call for a new lock."""
    lines = set()
    for name in LOCKS[lock]:
        for line in (ROOT / name).read_text().splitlines():
            line = line.split(" #")[0].strip()
            if line and not line.startswith("#"):
                lines.add(line)
    return hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest()


def check_lock(lock: str) -> None:
    """Stop with one line when ``lock`` does not record the digest of its current inputs."""
    recorded = [
        line.removeprefix(INPUTS_LINE)
        for line in (ROOT / lock).read_text().splitlines()
        if line.startswith(INPUTS_LINE)
    ]
    if recorded != [inputs_digest(lock)]:
        raise SystemExit(
            f"{lock} was not generated from {' and '.join(LOCKS[lock][:2])} as they are now: "
            "run python3 run.py lock"
        )


def ensure_environment(lock: str) -> None:
    """Create ``.venv`` and install ``lock`` with its hashes unless that lock is installed already."""
    check_lock(lock)
    python = VENV / BIN / "python"
    if not python.exists():
        print("creating .venv ...", flush=True)
        venv.create(VENV, with_pip=True)
    digest = hashlib.sha256((ROOT / lock).read_bytes()).hexdigest()
    stamp = VENV / f".installed-{lock}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    print(f"installing {lock} into .venv ...", flush=True)
    pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run(
        [*pip, "--index-url", PUBLIC_INDEX, "--require-hashes", "-r", ROOT / lock],
        check=True,
        env=public_index_environment(),
    )
    stamp.write_text(digest)


def public_index_environment() -> dict:
    """The environment without this machine's pip configuration (files, extra indexes, wheel
    folders, constraints): a lock is resolved against the public index alone and records nothing
    of the machine it was made on, and installed from there on every machine alike (the hashes
    decide what is accepted). Certificates and timeouts stay: they only decide how to connect."""
    kept = {"PIP_CERT", "PIP_DEFAULT_TIMEOUT"}
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PIP_") or k in kept}
    return {**environment, "PIP_CONFIG_FILE": os.devnull}


def lock(extra: list[str]) -> int:
    """Regenerate every lock with pip-compile, then record the digest of its inputs in its header."""
    environment = {**public_index_environment(), "CUSTOM_COMPILE_COMMAND": "python3 run.py lock"}
    pip_compile = LOCK_VENV / BIN / "pip-compile"
    if not pip_compile.exists():
        venv.create(LOCK_VENV, with_pip=True)
        pip = [LOCK_VENV / BIN / "python", "-m", "pip", "install", "--quiet", "--index-url", PUBLIC_INDEX]
        subprocess.run([*pip, PIP_TOOLS], check=True, env=environment)
    for output, (source, *_) in LOCKS.items():
        print(f"generating {output} from {source} ...", flush=True)
        subprocess.run(
            [
                pip_compile,
                "--quiet",
                "--no-config",
                "--generate-hashes",
                "--allow-unsafe",
                "--strip-extras",
                "--index-url",
                PUBLIC_INDEX,
                "--no-emit-index-url",
                "--no-emit-find-links",
                "--output-file",
                output,
                source,
                *extra,
            ],
            check=True,
            cwd=ROOT,
            env=environment,
        )
        record_inputs(output)
    return 0


def record_inputs(lock: str) -> None:
    """Write the digest of ``lock``'s inputs as the last line of pip-compile's header."""
    lines = (ROOT / lock).read_text().splitlines()
    header_end = next(i for i, line in enumerate(lines) if i > 0 and not line.startswith("#")) - 1
    lines.insert(header_end, f"{INPUTS_LINE}{inputs_digest(lock)}")
    (ROOT / lock).write_text("\n".join(lines) + "\n")


def test(extra: list[str]) -> int:
    """The suite in two passes, each given ``extra`` (a path, ``-k``, ``-q``): everything but the
    browser tests, spread over the machine's cores (at most four workers, each with its own
    embedded PostgreSQL), then the browser tests, which share one Chromium. A pass that ``extra``
    leaves without tests is no failure; the first failing pass's status is the answer."""
    pytest = [VENV / BIN / "python", "-m", "pytest"]
    workers = str(min(os.cpu_count() or 1, MAX_WORKERS))
    passes = [
        [*pytest, "-m", "not browser", "-n", workers, "--dist", "loadfile", *extra],
        [*pytest, "-m", "browser", *extra],
    ]
    statuses = [subprocess.call(command, cwd=ROOT) for command in passes]
    failed = [status for status in statuses if status not in (0, NO_TESTS_COLLECTED)]
    if failed:
        return failed[0]
    return NO_TESTS_COLLECTED if all(status == NO_TESTS_COLLECTED for status in statuses) else 0


def _until_stopped(command: list, env: dict) -> int:
    """Run ``command`` until it ends. Ctrl-C reaches it too: wait while it stops what it started
    (the embedded PostgreSQL), where ``subprocess.call`` would kill it at once."""
    child = subprocess.Popen(command, cwd=ROOT, env=env)
    while True:
        try:
            return child.wait()
        except KeyboardInterrupt:
            continue


def main(argv: list[str]) -> int:
    command, extra = (argv[1], argv[2:]) if len(argv) > 1 else ("", [])
    if command == "demo":
        ensure_environment("requirements.txt")
        env = {**os.environ, "BACKOFFICE_MODE": "demo"}
        return _until_stopped([VENV / BIN / "flask", "--app", "app", "demo", *extra], env)
    if command == "test":
        ensure_environment("requirements-dev.txt")
        return test(extra)
    if command == "lock":
        return lock(extra)
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
