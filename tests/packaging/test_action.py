"""The GitHub Action's script (action/alembic_doctor_action.py) end to end:
the runner's environment (GITHUB_EVENT_PATH, GITHUB_OUTPUT, RUNNER_TEMP,
INPUT_*...), a git repository with a pull request's branches, the installed
alembic-doctor, and a local HTTP server standing in for GitHub's REST API
(issue comments: list with pagination, create, update)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from support import EXAMPLES, ROOT, WHEEL, git, run, show, workspace_version

SCRIPT = ROOT / "action" / "alembic_doctor_action.py"
TOKEN = "ghs_test-token"
REPO = "acme/shop"
PULL = 7
# More than one page (100) of other people's comments come first.
OTHER_COMMENTS = 150


class FakeGitHub:
    """The issue-comment endpoints of the REST API, for one repository."""

    def __init__(self, read_only: bool = False):
        self.read_only = read_only
        self.comments = [
            {"id": 1000 + n, "body": f"comment {n}", "user": {"login": "someone"}} for n in range(OTHER_COMMENTS)
        ]
        self.requests: list[tuple[str, str]] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self.handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def reply(self, status, payload, headers=()):
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def authorised(self):
                fake.requests.append((self.command, self.path))
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    self.reply(401, {"message": "Bad credentials"})
                    return False
                return True

            def body(self):
                return json.loads(self.rfile.read(int(self.headers["Content-Length"])))

            def do_GET(self):
                if not self.authorised():
                    return
                url = urlparse(self.path)
                if url.path != f"/repos/{REPO}/issues/{PULL}/comments":
                    return self.reply(404, {"message": "Not Found"})
                query = parse_qs(url.query)
                per_page = min(int(query.get("per_page", ["30"])[0]), 100)
                page = int(query.get("page", ["1"])[0])
                items = fake.comments[(page - 1) * per_page : page * per_page]
                headers = []
                if page * per_page < len(fake.comments):
                    headers.append(
                        ("Link", f'<{fake.url}{url.path}?per_page={per_page}&page={page + 1}>; rel="next"')
                    )
                self.reply(200, items, headers)

            def do_POST(self):
                if not self.authorised():
                    return
                if self.path != f"/repos/{REPO}/issues/{PULL}/comments":
                    return self.reply(404, {"message": "Not Found"})
                if fake.read_only:
                    return self.reply(403, {"message": "Resource not accessible by integration"})
                comment = {"id": 5000 + len(fake.comments), "body": self.body()["body"], "user": {"login": "github-actions[bot]"}}
                comment["html_url"] = f"https://github.com/{REPO}/pull/{PULL}#issuecomment-{comment['id']}"
                fake.comments.append(comment)
                self.reply(201, comment)

            def do_PATCH(self):
                if not self.authorised():
                    return
                prefix = f"/repos/{REPO}/issues/comments/"
                found = [c for c in fake.comments if self.path == f"{prefix}{c['id']}"]
                if not found:
                    return self.reply(404, {"message": "Not Found"})
                if fake.read_only:
                    return self.reply(403, {"message": "Resource not accessible by integration"})
                found[0]["body"] = self.body()["body"]
                self.reply(200, found[0])

        return Handler

    def ours(self) -> list[dict]:
        return [c for c in self.comments if c["body"].startswith("<!-- alembic-doctor-action:")]

    def pages_read(self) -> list[str]:
        return [path for method, path in self.requests if method == "GET"]


NEW_REVISION = '''"""{message}

Revision ID: {rev}
Revises: {down}
Create Date: 2025-05-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '{rev}'
down_revision = '{down}'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('account', sa.Column('{column}', sa.Text(), nullable=True))


def downgrade():
    op.drop_column('account', '{column}')
'''


class ActionTest(unittest.TestCase):
    def setUp(self):
        self.temp = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.temp)
        self.api = FakeGitHub()
        self.addCleanup(self.api.close)
        # A checkout as actions/checkout leaves it: the base branch and the
        # pull request's branch as remote-tracking refs.
        self.repo = self.temp / "workspace"
        shutil.copytree(EXAMPLES / "healthy", self.repo)
        git(self.repo, "init", "-q")
        git(self.repo, "add", "-A")
        git(self.repo, "commit", "-qm", "base")
        git(self.repo, "update-ref", "refs/remotes/origin/main", "HEAD")
        git(self.repo, "checkout", "-q", "-b", "feature")
        self.runner_temp = self.temp / "runner"
        self.runner_temp.mkdir()

    def push(self, rev: str, down: str, column: str) -> str:
        """Commit a new revision on the pull request's branch."""
        path = self.repo / "migrations" / "versions" / f"{rev}_add_{column}.py"
        path.write_text(NEW_REVISION.format(message=f"add {column}", rev=rev, down=down, column=column))
        git(self.repo, "add", "-A")
        git(self.repo, "commit", "-qm", f"add {column}")
        git(self.repo, "update-ref", "refs/remotes/origin/feature", "HEAD")
        return git(self.repo, "rev-parse", "HEAD")

    def action(self, command: str = "report", **inputs: str):
        """Run one step of the action as the runner would; returns the
        result and the step's outputs."""
        sha = git(self.repo, "rev-parse", "HEAD")
        event = self.temp / "event.json"
        event.write_text(
            json.dumps(
                {
                    "action": "synchronize",
                    "number": PULL,
                    "pull_request": {
                        "number": PULL,
                        "base": {"ref": "main"},
                        "head": {"ref": "feature", "sha": sha},
                    },
                }
            )
        )
        output = self.temp / "github_output"
        output.write_text("")
        env = {
            "GITHUB_ACTIONS": "true",
            "GITHUB_API_URL": self.api.url,
            "GITHUB_REPOSITORY": REPO,
            "GITHUB_EVENT_NAME": "pull_request",
            "GITHUB_EVENT_PATH": str(event),
            "GITHUB_OUTPUT": str(output),
            "GITHUB_STEP_SUMMARY": str(self.temp / "summary.md"),
            "GITHUB_PATH": str(self.temp / "github_path"),
            "GITHUB_WORKSPACE": str(self.repo),
            "GITHUB_TOKEN": TOKEN,
            "RUNNER_TEMP": str(self.runner_temp),
            "RUNNER_OS": "Linux",
            "RUNNER_ARCH": "X64",
        }
        env.update({f"INPUT_{name.upper()}": value for name, value in inputs.items()})
        result = run([sys.executable, SCRIPT, command], cwd=self.repo, **env)
        outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
        return result, outputs

    def test_first_run_creates_the_comment_later_runs_update_it(self):
        self.push("aa11bb22cc33", "e9f08b7c3d15", "note")
        result, outputs = self.action()
        self.assertEqual(result.returncode, 0, show(result))
        ours = self.api.ours()
        self.assertEqual(len(ours), 1, "one comment created")
        self.assertIn("Migration chain is healthy", ours[0]["body"])
        self.assertIn("`origin/feature` into `origin/main`", ours[0]["body"])
        self.assertEqual(outputs["exit-code"], "0")
        self.assertEqual(outputs["comment-id"], str(ours[0]["id"]))
        self.assertEqual(outputs["comment-url"], ours[0]["html_url"])
        # Every page was read before deciding to create one.
        self.assertEqual(len(self.api.pages_read()), 2, self.api.pages_read())
        self.assertIn("page=2", self.api.pages_read()[1])
        self.assertEqual(
            Path(outputs["report-file"]).read_text(), ours[0]["body"].split("\n", 1)[1], "the report file is the comment"
        )
        self.assertIn("Migration Status Report", (self.temp / "summary.md").read_text())

        # A second push forks the chain: the same comment is updated (it is
        # on the second page now), and then the step fails.
        self.push("bb22cc33dd44", "e9f08b7c3d15", "nickname")
        created = len(self.api.comments)
        result, outputs = self.action(sarif="true")
        self.assertEqual(result.returncode, 1, show(result))
        self.assertEqual(len(self.api.comments), created, "no second comment")
        ours_now = self.api.ours()
        self.assertEqual([c["id"] for c in ours_now], [ours[0]["id"]])
        self.assertIn("multiple-heads", ours_now[0]["body"])
        self.assertNotIn("Migration chain is healthy", ours_now[0]["body"])
        self.assertEqual(outputs["exit-code"], "1")
        self.assertEqual(outputs["comment-id"], str(ours[0]["id"]))
        self.assertIn(("PATCH", f"/repos/{REPO}/issues/comments/{ours[0]['id']}"), self.api.requests)
        # Annotations for the runner, and SARIF for upload-sarif.
        self.assertRegex(result.stdout, r"(?m)^::error .*multiple-heads")
        sarif = json.loads(Path(outputs["sarif-file"]).read_text())
        self.assertEqual(sarif["version"], "2.1.0")
        rules = {r["ruleId"] for r in sarif["runs"][0]["results"]}
        self.assertIn("multiple-heads", rules)

    def test_a_read_only_token_warns_and_the_report_still_decides(self):
        self.api.read_only = True
        self.push("bb22cc33dd44", "8d2e4b6a9c10", "nickname")
        result, outputs = self.action()
        self.assertEqual(result.returncode, 1, show(result))
        self.assertIn("::warning title=alembic-doctor::could not post the report comment: HTTP 403", result.stdout)
        self.assertIn("pull-requests: write", result.stdout)
        self.assertEqual(outputs["exit-code"], "1")
        self.assertNotIn("comment-id", outputs)

    def test_comment_false_posts_nothing_and_fail_on_never_passes(self):
        self.push("bb22cc33dd44", "8d2e4b6a9c10", "nickname")
        result, outputs = self.action(comment="false", fail_on="never")
        self.assertEqual(result.returncode, 0, show(result))
        self.assertRegex(result.stdout, r"(?m)^::error .*multiple-heads", "still annotated")
        self.assertEqual(self.api.requests, [])
        self.assertNotIn("comment-id", outputs)

    def test_an_unknown_base_fails_without_posting(self):
        self.push("aa11bb22cc33", "e9f08b7c3d15", "note")
        result, _ = self.action(base="origin/release-9")
        self.assertEqual(result.returncode, 2, show(result))
        self.assertIn("::error title=alembic-doctor::the base branch `origin/release-9`", result.stdout)
        self.assertEqual(self.api.requests, [])

    def test_a_bad_fail_on_is_named(self):
        result, _ = self.action(fail_on="warnings")
        self.assertEqual(result.returncode, 2, show(result))
        self.assertIn("the fail-on input is `warnings`", result.stdout)

    def test_install_puts_the_cached_wheel_on_path(self):
        wheels = self.temp / "wheel-cache"
        wheels.mkdir()
        shutil.copy(WHEEL, wheels)
        result, _ = self.action("install")
        self.assertEqual(result.returncode, 2, "no wheel directory given: " + show(result))
        self.assertIn("$ALEMBIC_DOCTOR_WHEEL_DIR is not set", result.stdout)
        result = run(
            [sys.executable, SCRIPT, "install"],
            cwd=self.repo,
            ALEMBIC_DOCTOR_WHEEL_DIR=str(wheels),
            RUNNER_TEMP=str(self.runner_temp),
            GITHUB_PATH=str(self.temp / "github_path"),
            GITHUB_OUTPUT=str(self.temp / "github_output"),
        )
        self.assertEqual(result.returncode, 0, show(result))
        bin_dir = Path((self.temp / "github_path").read_text().strip())
        version = subprocess.run([bin_dir / "alembic-doctor", "--version"], capture_output=True, text=True, check=True)
        self.assertEqual(version.stdout, f"alembic-doctor {workspace_version()}\n")
        self.assertIn(f"version={workspace_version()}", (self.temp / "github_output").read_text())

    def test_the_cache_key_follows_the_sources(self):
        result, outputs = self.action("cache-key")
        self.assertEqual(result.returncode, 0, show(result))
        self.assertRegex(outputs["key"], r"^alembic-doctor-wheel-Linux-X64-[0-9a-f]{20}$")
        again, outputs_again = self.action("cache-key")
        self.assertEqual(outputs, outputs_again)


if __name__ == "__main__":
    unittest.main()
