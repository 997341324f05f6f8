"""The hooks of .pre-commit-hooks.yaml, run by `pre-commit try-repo` in
temporary git repositories: a broken chain fails the check hook and shows
the finding, a healthy one passes, commits that touch no migration skip it,
and the header hook rewrites a stale header.

How the hooks get their command: a user's pre-commit installs this
repository as a Python package (`language: python`), which compiles the
release binary from source, minutes of CPU that the wheel test has just
spent on the same build. So the tests run the committed hook definitions
verbatim (id, entry, arguments, `files`, `pass_filenames`,
`require_serial`) from a copy of the hook repository in which only
`language: python` becomes `language: system`: pre-commit then runs the
`alembic-doctor` that the wheel installed, found on PATH. What this leaves
untested is pre-commit's own `pip install` of the repository, the same
maturin build as the wheel's, which test_wheel.py installs and runs."""

from __future__ import annotations

import shutil
import tempfile
import unittest
from pathlib import Path

import yaml

from support import EXAMPLES, ROOT, git, run, show

HOOKS = ROOT / ".pre-commit-hooks.yaml"


class PreCommitHooksTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.temp = tempfile.TemporaryDirectory()
        cls.home = Path(cls.temp.name) / "pre-commit-home"
        cls.hook_repo = Path(cls.temp.name) / "hook-repo"
        cls.hook_repo.mkdir()
        hooks = yaml.safe_load(HOOKS.read_text())
        for hook in hooks:
            assert hook["language"] == "python", hook
            hook["language"] = "system"
        (cls.hook_repo / ".pre-commit-hooks.yaml").write_text(yaml.safe_dump(hooks, sort_keys=False))
        git(cls.hook_repo, "init", "-q")
        git(cls.hook_repo, "add", "-A")
        git(cls.hook_repo, "commit", "-qm", "hooks")

    @classmethod
    def tearDownClass(cls):
        cls.temp.cleanup()

    def project(self, example: str) -> Path:
        """A git repository holding a copy of examples/EXAMPLE, committed."""
        repo = Path(tempfile.mkdtemp(dir=self.temp.name))
        shutil.copytree(EXAMPLES / example, repo, dirs_exist_ok=True)
        (repo / "README.md").write_text("# shop\n")
        git(repo, "init", "-q")
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", "init")
        return repo

    def try_repo(self, repo: Path, hook: str, *args: str):
        return run(
            ["pre-commit", "try-repo", self.hook_repo, hook, "--color", "never", *args],
            cwd=repo,
            PRE_COMMIT_HOME=str(self.home),
        )

    def test_the_manifest_is_valid(self):
        result = run(["pre-commit", "validate-manifest", HOOKS], cwd=ROOT)
        self.assertEqual(result.returncode, 0, show(result))

    def test_check_fails_on_a_broken_chain_and_shows_the_finding(self):
        repo = self.project("broken")
        result = self.try_repo(repo, "alembic-doctor", "--all-files")
        self.assertEqual(result.returncode, 1, show(result))
        self.assertRegex(result.stdout, r"alembic-doctor check\.+Failed")
        self.assertIn("error[duplicate-revision]: revision id `a1b2c3d4e5f6` is defined by 2 files", result.stdout)
        self.assertIn("migrations/versions/a1b2c3d4e5f6_add_block.py:15:17", result.stdout)

    def test_check_passes_on_a_healthy_chain(self):
        repo = self.project("healthy")
        result = self.try_repo(repo, "alembic-doctor", "--all-files")
        self.assertEqual(result.returncode, 0, show(result))
        self.assertRegex(result.stdout, r"alembic-doctor check\.+Passed")

    def test_check_on_a_branch_fails_when_merging_main_would_fork_the_chain(self):
        # On `main` the hook checks the chain alone and passes; on a branch
        # whose new revision forks from the head main has since moved past,
        # it fails with the finding of the simulated merge.
        repo = self.project("healthy")
        git(repo, "branch", "-M", "main")
        versions = repo / "migrations/versions"
        head = "e9f08b7c3d15"
        template = '"""{id}"""\nrevision = "{id}"\ndown_revision = "{head}"\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n'
        git(repo, "checkout", "-q", "-b", "feature")
        (versions / "1a1a1a1a1a1a_feature.py").write_text(template.format(id="1a1a1a1a1a1a", head=head))
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", "feature")
        git(repo, "checkout", "-q", "main")
        (versions / "2b2b2b2b2b2b_main.py").write_text(template.format(id="2b2b2b2b2b2b", head=head))
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", "main moves on")
        result = self.try_repo(repo, "alembic-doctor", "--all-files")
        self.assertEqual(result.returncode, 0, show(result))
        git(repo, "checkout", "-q", "feature")
        result = self.try_repo(repo, "alembic-doctor", "--all-files")
        self.assertEqual(result.returncode, 1, show(result))
        self.assertIn("error[multiple-heads]: after merging main at ", result.stdout)
        self.assertIn("to fix, on feature", result.stdout)

    def test_check_runs_only_when_migrations_or_configuration_change(self):
        repo = self.project("broken")
        result = self.try_repo(repo, "alembic-doctor", "--files", "README.md")
        self.assertEqual(result.returncode, 0, show(result))
        self.assertRegex(result.stdout, r"alembic-doctor check\.+\(no files to check\)Skipped")
        for changed in ("migrations/versions/8d2e4b6a9c10_create_transaction.py", "alembic.ini", "migrations/env.py"):
            result = self.try_repo(repo, "alembic-doctor", "--files", changed)
            self.assertEqual(result.returncode, 1, f"{changed}: {show(result)}")

    def test_fix_headers_rewrites_a_stale_header_being_committed(self):
        repo = self.project("healthy")
        migration = repo / "migrations/versions/5b7d1f3e2a48_add_display_name.py"
        text = migration.read_text()
        stale = text.replace("Revises: 8d2e4b6a9c10", "Revises: 3f1c9a0e7b21", 1)
        self.assertNotEqual(stale, text)
        migration.write_text(stale)
        git(repo, "add", "-A")
        # The staged change differs from the last commit, as every file
        # being committed does: the hook still rewrites it.
        result = self.try_repo(repo, "alembic-doctor-fix-headers")
        self.assertEqual(result.returncode, 1, show(result))
        self.assertIn("files were modified by this hook", result.stdout)
        self.assertEqual(migration.read_text(), text)
        git(repo, "add", "-A")
        result = self.try_repo(repo, "alembic-doctor-fix-headers", "--all-files")
        self.assertEqual(result.returncode, 0, show(result))
        self.assertRegex(result.stdout, r"alembic-doctor fix headers\.+Passed")


if __name__ == "__main__":
    unittest.main()
