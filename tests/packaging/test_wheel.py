"""The wheel, installed into a fresh virtual environment as a user would
install it, runs: the `alembic-doctor` command, `python -m alembic_doctor`,
and the binary finder behind it."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import unittest
import zipfile
from pathlib import Path

from support import BIN, COMMAND, EXAMPLES, VENV, WHEEL, run, show, workspace_version

PYTHON = BIN / "python"


class WheelTest(unittest.TestCase):
    def test_wheel_is_named_and_filled_as_pip_expects(self):
        version = workspace_version()
        self.assertTrue(WHEEL.name.startswith(f"alembic_doctor-{version}-"), WHEEL.name)
        with zipfile.ZipFile(WHEEL) as wheel:
            names = wheel.namelist()
            metadata = wheel.read(f"alembic_doctor-{version}.dist-info/METADATA").decode()
        self.assertIn(f"alembic_doctor-{version}.data/scripts/alembic-doctor", names)
        self.assertIn("alembic_doctor/__init__.py", names)
        self.assertIn("alembic_doctor/__main__.py", names)
        self.assertIn("Name: alembic-doctor\n", metadata)
        self.assertIn(f"Version: {version}\n", metadata)

    def test_version_is_the_workspace_version(self):
        result = run([COMMAND, "--version"], cwd=EXAMPLES)
        self.assertEqual(result.returncode, 0, show(result))
        self.assertEqual(result.stdout, f"alembic-doctor {workspace_version()}\n")

    def test_check_passes_on_the_healthy_example(self):
        result = run([COMMAND, "check"], cwd=EXAMPLES / "healthy")
        self.assertEqual(result.returncode, 0, show(result))
        self.assertIn("All checks passed: 5 revisions, 1 head", result.stdout)

    def test_check_fails_on_the_broken_example(self):
        result = run([COMMAND, "check", "--all"], cwd=EXAMPLES / "broken")
        self.assertEqual(result.returncode, 1, show(result))
        output = result.stdout + result.stderr
        for rule in ("duplicate-revision", "multiple-heads", "header-mismatch"):
            self.assertIn(rule, output)
        # Without --all, in this repository, the warning on a file no branch
        # changed is summarised; the errors still fail the check.
        result = run([COMMAND, "check"], cwd=EXAMPLES / "broken")
        self.assertEqual(result.returncode, 1, show(result))
        self.assertIn("duplicate-revision", result.stdout)
        self.assertIn("`--all` shows it", result.stdout)

    def test_python_m_runs_the_binary(self):
        result = run([PYTHON, "-m", "alembic_doctor", "--version"], cwd=EXAMPLES)
        self.assertEqual(result.returncode, 0, show(result))
        self.assertEqual(result.stdout, f"alembic-doctor {workspace_version()}\n")
        # Arguments and the exit status pass through.
        result = run([PYTHON, "-m", "alembic_doctor", "check", "--format", "json"], cwd=EXAMPLES / "broken")
        self.assertEqual(result.returncode, 1, show(result))
        self.assertIn('"duplicate-revision"', result.stdout)

    def test_the_finder_names_the_installed_binary(self):
        result = run(
            [PYTHON, "-c", "import alembic_doctor; print(alembic_doctor.find_alembic_doctor_bin())"],
            cwd=EXAMPLES,
        )
        self.assertEqual(result.returncode, 0, show(result))
        self.assertEqual(Path(result.stdout.strip()), COMMAND)

    def test_python_m_finds_the_binary_of_a_target_install(self):
        # `pip install --target DIR` puts the binary in DIR/bin, beside the
        # package, and no scripts directory of the interpreter has it.
        with tempfile.TemporaryDirectory() as target:
            subprocess.run(
                [PYTHON, "-m", "pip", "install", "--quiet", "--no-index", "--target", target, WHEEL],
                check=True,
            )
            self.assertTrue((Path(target) / "bin" / "alembic-doctor").is_file())
            result = run(
                [PYTHON, "-m", "alembic_doctor", "--version"],
                cwd=EXAMPLES,
                PYTHONPATH=target,
                PATH="/usr/bin:/bin",
            )
            self.assertEqual(result.returncode, 0, show(result))
            self.assertIn(workspace_version(), result.stdout)

    def test_a_missing_binary_is_a_clear_error(self):
        with tempfile.TemporaryDirectory() as empty:
            package = Path(empty) / "alembic_doctor"
            package.mkdir()
            for name in ("__init__.py", "__main__.py"):
                (package / name).write_bytes((VENV_PACKAGE / name).read_bytes())
            # The tests' own interpreter, whose scripts directories do not
            # have the binary.
            result = run([sys.executable, "-m", "alembic_doctor", "--version"], cwd=EXAMPLES, PYTHONPATH=empty)
            self.assertNotEqual(result.returncode, 0)
            self.assertIn("the alembic-doctor binary is not installed", result.stderr)
            self.assertIn("pip install --force-reinstall alembic-doctor", result.stderr)


def installed_package() -> Path:
    result = subprocess.run(
        [PYTHON, "-c", "import alembic_doctor, os; print(os.path.dirname(alembic_doctor.__file__))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(result.stdout.strip())


VENV_PACKAGE = installed_package()
assert VENV_PACKAGE.is_relative_to(VENV), VENV_PACKAGE

if __name__ == "__main__":
    unittest.main()
