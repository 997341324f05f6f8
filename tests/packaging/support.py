"""What the packaging tests share: where the repository, the wheel and the
virtual environment it was installed into are (scripts/test-packaging
builds and installs it once and passes the paths in the environment)."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def required_path(name: str) -> Path:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"${name} is not set: run these tests with scripts/test-packaging")
    return Path(value)


WHEEL = required_path("ALEMBIC_DOCTOR_WHEEL")
VENV = required_path("ALEMBIC_DOCTOR_VENV")
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
COMMAND = BIN / "alembic-doctor"


def workspace_version() -> str:
    with open(ROOT / "Cargo.toml", "rb") as manifest:
        return tomllib.load(manifest)["workspace"]["package"]["version"]


def environment(**extra: str) -> dict[str, str]:
    """The environment of a user who installed the wheel: its `bin/` first
    on PATH, no colours, the parse cache kept out of the user's home."""
    env = dict(os.environ)
    # Then the tools of the tests' own environment (pre-commit, actionlint).
    tools = os.path.dirname(sys.executable)
    env["PATH"] = os.pathsep.join([str(BIN), tools, env.get("PATH", "")])
    env["NO_COLOR"] = "1"
    env["ALEMBIC_DOCTOR_CACHE_DIR"] = str(ROOT / "target" / "packaging" / "parse-cache")
    env.pop("ALEMBIC_CONFIG", None)
    # A machine without a git identity can still commit (pre-commit and the
    # tests' repositories do).
    for role in ("AUTHOR", "COMMITTER"):
        env.setdefault(f"GIT_{role}_NAME", "Test")
        env.setdefault(f"GIT_{role}_EMAIL", "test@example.com")
    env.update(extra)
    return env


def run(args: list[str], cwd: Path, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=environment(**extra),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def git(cwd: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "init.defaultBranch=main", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {result.stderr}")
    return result.stdout.strip()


def show(result: subprocess.CompletedProcess) -> str:
    """A failed command's output, for assertion messages."""
    return f"exit {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"

