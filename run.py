#!/usr/bin/env python3
"""The README's two commands, on a fresh machine with only Python 3.11:

    python3 run.py demo    set up the embedded demo database and serve the panel
    python3 run.py test    run the whole test suite

Each creates ``.venv`` on first use and installs the pinned requirements (again only when they
change), then hands over to ``flask --app app demo`` or ``pytest``; extra arguments pass through.
"""

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def ensure_environment(requirements: str) -> None:
    """Create the virtual environment and install ``requirements`` unless already done."""
    if not (BIN / "python").exists():
        print("creating .venv ...", flush=True)
        venv.create(VENV, with_pip=True)
    files = [ROOT / "requirements.txt", ROOT / requirements]
    digest = hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()
    stamp = VENV / f".installed-{requirements}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    print(f"installing {requirements} into .venv ...", flush=True)
    subprocess.run(
        [
            BIN / "python",
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
            ROOT / requirements,
        ],
        check=True,
    )
    stamp.write_text(digest)


def main(argv: list[str]) -> int:
    command, extra = (argv[1], argv[2:]) if len(argv) > 1 else ("", [])
    if command == "demo":
        ensure_environment("requirements.txt")
        env = {**os.environ, "BACKOFFICE_MODE": "demo"}
        return subprocess.call([BIN / "flask", "--app", "app", "demo", *extra], cwd=ROOT, env=env)
    if command == "test":
        ensure_environment("requirements-dev.txt")
        return subprocess.call([BIN / "python", "-m", "pytest", *extra], cwd=ROOT)
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
