"""`python -m alembic_doctor ARGS`: run the installed binary with ARGS."""

from __future__ import annotations

import os
import sys

from alembic_doctor import find_alembic_doctor_bin


def main() -> None:
    binary = os.fsdecode(find_alembic_doctor_bin())
    if sys.platform == "win32":
        # Windows has no exec that replaces the process: run it and pass the
        # exit status on.
        import subprocess

        sys.exit(subprocess.run([binary, *sys.argv[1:]]).returncode)
    os.execv(binary, [binary, *sys.argv[1:]])


if __name__ == "__main__":
    main()
