"""alembic-doctor: static health checks for Alembic migration chains.

The package carries the `alembic-doctor` binary (installed into the
environment's scripts directory); this module only finds it, for
`python -m alembic_doctor` and for tools that want to run it.
"""

from __future__ import annotations

import os
import sys
import sysconfig

__all__ = ["find_alembic_doctor_bin"]


def find_alembic_doctor_bin() -> str:
    """Return the path of the installed `alembic-doctor` binary.

    Looked for, in order: the scripts directory of the running interpreter's
    environment (a virtual environment, `uv tool`, `pipx`, a system install),
    the user scheme's (`pip install --user`), and `bin/` beside the package
    (`pip install --target`). Raises FileNotFoundError when none has it.
    """
    exe = "alembic-doctor" + (sysconfig.get_config_var("EXE") or "")
    candidates = [os.path.join(sysconfig.get_path("scripts"), exe)]

    if sys.version_info >= (3, 10):
        user_scheme = sysconfig.get_preferred_scheme("user")
    elif os.name == "nt":
        user_scheme = "nt_user"
    elif sys.platform == "darwin" and getattr(sys, "_framework", None):
        user_scheme = "osx_framework_user"
    else:
        user_scheme = "posix_user"
    candidates.append(os.path.join(sysconfig.get_path("scripts", scheme=user_scheme), exe))

    package_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    candidates.append(os.path.join(package_root, "bin", exe))

    for candidate in candidates:
        if os.path.isfile(candidate):
            return candidate
    raise FileNotFoundError(
        "the alembic-doctor binary is not installed beside this package; looked in "
        + ", ".join(candidates)
        + ". Reinstall it: pip install --force-reinstall alembic-doctor"
    )
