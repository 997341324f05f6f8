#!/usr/bin/env python3
"""The logic of the alembic-doctor GitHub Action (action.yml), kept out of
YAML so that tests can run it: standard library only, Python 3.9+.

Subcommands, one for each step of the action:

  cache-key   the key under which the built wheel is cached: a hash of the
              sources it is built from, so a new commit of the action
              builds a new wheel and the same commit reuses it
  install     builds the wheel from the action's own source with maturin
              (unless the cache restored it), installs it into a fresh
              virtual environment and puts its `bin/` on the job's PATH
  report      runs `alembic-doctor report` on the pull request's base and
              head; prints the findings as annotations; writes SARIF when
              asked; posts the Markdown report as one pull-request comment,
              found again on later pushes by a hidden marker and updated in
              place; writes the step's outputs; and exits with the report's
              exit status (0 healthy, 1 findings at or above fail-on,
              2 the report could not be made) after posting

Everything comes from the environment the runner sets (GITHUB_*, RUNNER_*)
and from INPUT_* variables that action.yml passes on.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

ACTION_ROOT = Path(__file__).resolve().parent.parent
# The files the wheel is built from, for the cache key.
WHEEL_SOURCES = ("Cargo.toml", "Cargo.lock", "pyproject.toml", "crates", "python")
# GitHub refuses comments longer than this many characters.
MAX_COMMENT = 65_536
PER_PAGE = 100


def main(argv: list[str]) -> int:
    commands = {"cache-key": cache_key, "install": install, "report": report}
    if len(argv) != 1 or argv[0] not in commands:
        print(f"usage: {Path(__file__).name} {{{','.join(commands)}}}", file=sys.stderr)
        return 2
    try:
        return commands[argv[0]]()
    except ActionError as error:
        print(f"::error title=alembic-doctor::{escape_message(str(error))}")
        return 2


class ActionError(Exception):
    """A problem that stops the step, reported as one error annotation."""


# ---- the runner's interface -------------------------------------------------


def env(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, "")
    if value:
        return value
    if default is not None:
        return default
    raise ActionError(f"${name} is not set; this script runs inside GitHub Actions (see action.yml)")


def set_outputs(**values: str) -> None:
    """Append `name=value` lines to $GITHUB_OUTPUT (values are one line)."""
    path = os.environ.get("GITHUB_OUTPUT")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as out:
        for name, value in values.items():
            out.write(f"{name.replace('_', '-')}={value}\n")


def escape_message(text: str) -> str:
    """A workflow command's message: `%`, CR and LF escaped."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def warning(text: str) -> None:
    print(f"::warning title=alembic-doctor::{escape_message(text)}", flush=True)


# ---- cache-key and install --------------------------------------------------


def cache_key() -> int:
    digest = hashlib.sha256()
    for name in WHEEL_SOURCES:
        path = ACTION_ROOT / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if "target" in file.relative_to(ACTION_ROOT).parts or not file.exists():
                continue
            digest.update(file.relative_to(ACTION_ROOT).as_posix().encode() + b"\0")
            digest.update(file.read_bytes() + b"\0")
    platform = f"{env('RUNNER_OS', sys.platform)}-{env('RUNNER_ARCH', 'unknown')}"
    key = f"alembic-doctor-wheel-{platform}-{digest.hexdigest()[:20]}"
    print(key)
    set_outputs(key=key)
    return 0


def install() -> int:
    wheels = Path(env("ALEMBIC_DOCTOR_WHEEL_DIR"))
    found = sorted(wheels.glob("alembic_doctor-*.whl"))
    if not found:
        print(f"Building the alembic-doctor wheel from {ACTION_ROOT} (cached for later runs)", flush=True)
        run_checked(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(wheels), str(ACTION_ROOT)],
            "building the wheel (needs a Rust toolchain, which GitHub's hosted runners have)",
        )
        found = sorted(wheels.glob("alembic_doctor-*.whl"))
        if not found:
            raise ActionError(f"pip wheel wrote no alembic_doctor wheel into {wheels}")
    venv = Path(env("RUNNER_TEMP")) / "alembic-doctor-venv"
    run_checked([sys.executable, "-m", "venv", "--clear", str(venv)], "creating a virtual environment")
    scripts = venv / ("Scripts" if os.name == "nt" else "bin")
    python = scripts / ("python.exe" if os.name == "nt" else "python")
    run_checked(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-index", str(found[-1])],
        f"installing {found[-1].name}",
    )
    with open(env("GITHUB_PATH"), "a", encoding="utf-8") as path_file:
        path_file.write(f"{scripts}\n")
    version = subprocess.run(
        [str(scripts / "alembic-doctor"), "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    print(f"Installed {version} into {venv}")
    set_outputs(version=version.rpartition(" ")[2])
    return 0


def run_checked(command: list[str], what: str) -> None:
    result = subprocess.run(command, check=False)
    if result.returncode != 0:
        raise ActionError(f"{what} failed: `{' '.join(command)}` exited with {result.returncode}")


# ---- report -----------------------------------------------------------------


def report() -> int:
    workspace = Path(env("GITHUB_WORKSPACE", os.getcwd()))
    directory = workspace / env("INPUT_WORKING_DIRECTORY", ".")
    event = load_event()
    pull = event.get("pull_request") or {}

    base = resolve_base(directory, pull)
    heads = resolve_heads(directory, pull)
    common = report_options()
    command = ["alembic-doctor", "report", *([base] if base else []), *heads, *common]
    print(f"::group::{' '.join(command)}", flush=True)
    markdown = run_report(command, directory, "markdown")
    print(markdown.stderr, end="", file=sys.stderr)
    print("::endgroup::", flush=True)
    if markdown.returncode not in (0, 1):
        # No report to post: the run itself failed (bad configuration, an
        # unknown base branch...). Its message says what to change.
        raise ActionError(
            f"alembic-doctor report exited with {markdown.returncode}: {markdown.stderr.strip() or markdown.stdout.strip()}"
        )

    # The findings as annotations on the pull request's files.
    annotations = run_report(command, directory, "github")
    print(annotations.stdout, end="", flush=True)

    temp = Path(env("RUNNER_TEMP"))
    outputs = {"exit_code": str(markdown.returncode), "report_file": str(temp / "alembic-doctor-report.md")}
    Path(outputs["report_file"]).write_text(markdown.stdout, encoding="utf-8")
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as out:
            out.write(markdown.stdout)

    if truthy(env("INPUT_SARIF", "false")):
        sarif = run_report(command, directory, "sarif")
        if sarif.returncode not in (0, 1):
            raise ActionError(f"alembic-doctor report --format sarif exited with {sarif.returncode}: {sarif.stderr.strip()}")
        sarif_file = temp / "alembic-doctor.sarif"
        sarif_file.write_text(sarif.stdout, encoding="utf-8")
        outputs["sarif_file"] = str(sarif_file)

    if truthy(env("INPUT_COMMENT", "true")):
        if not pull.get("number"):
            print("Not a pull request event: no comment to post.")
        else:
            comment = post_comment(int(pull["number"]), comment_body(markdown.stdout, directory, workspace))
            if comment:
                outputs["comment_id"] = str(comment["id"])
                outputs["comment_url"] = comment.get("html_url", "")

    set_outputs(**outputs)
    return markdown.returncode


def load_event() -> dict:
    path = os.environ.get("GITHUB_EVENT_PATH")
    if not path:
        return {}
    try:
        with open(path, encoding="utf-8") as event:
            return json.load(event)
    except (OSError, ValueError) as error:
        raise ActionError(f"cannot read the event payload {path}: {error}") from error


def git(directory: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=directory, capture_output=True, text=True, check=False)


def has_commit(directory: Path, rev: str) -> bool:
    return git(directory, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").returncode == 0


def resolve_base(directory: Path, pull: dict) -> str | None:
    """The `base` input, else the pull request's base branch as
    `origin/NAME`, fetched when the checkout lacks it. None: let
    alembic-doctor choose (origin/HEAD, main, master)."""
    base = env("INPUT_BASE", "")
    if not base:
        ref = (pull.get("base") or {}).get("ref")
        if not ref:
            return None
        base = f"origin/{ref}"
    if has_commit(directory, base):
        return base
    if git(directory, "rev-parse", "--is-shallow-repository").stdout.strip() == "true":
        # A shallow clone (actions/checkout's default) lacks the history
        # that tells the branch's revisions from the base's.
        print("The checkout is shallow: fetching the history (set `fetch-depth: 0` on actions/checkout to skip this)")
        git(directory, "fetch", "--quiet", "--no-tags", "--unshallow", "origin")
    if base.startswith("origin/") and not has_commit(directory, base):
        name = base.removeprefix("origin/")
        git(directory, "fetch", "--quiet", "--no-tags", "origin", f"+refs/heads/{name}:refs/remotes/origin/{name}")
    if not has_commit(directory, base):
        raise ActionError(
            f"the base branch `{base}` is not in the checkout and could not be fetched; "
            "check the `base` input, or give actions/checkout `fetch-depth: 0`"
        )
    return base


def resolve_heads(directory: Path, pull: dict) -> list[str]:
    """The pull request's branch as `origin/NAME` when the checkout has it
    at the pull request's commit, else that commit, else nothing (the
    working tree: actions/checkout's merge commit)."""
    head = pull.get("head") or {}
    sha, ref = head.get("sha"), head.get("ref")
    if ref and sha and has_commit(directory, f"origin/{ref}"):
        if git(directory, "rev-parse", f"origin/{ref}").stdout.strip() == sha:
            return [f"origin/{ref}"]
    if sha and has_commit(directory, sha):
        return [sha]
    return []


def report_options() -> list[str]:
    options = []
    config = env("INPUT_CONFIG", "")
    if config:
        options += ["-c", config]
    for versions in env("INPUT_VERSIONS", "").splitlines():
        if versions.strip():
            options += ["--versions", versions.strip()]
    fail_on = env("INPUT_FAIL_ON", "")
    if fail_on:
        if fail_on not in ("error", "warning", "never"):
            raise ActionError(f"the fail-on input is `{fail_on}`; use error, warning or never")
        options += ["--fail-on", fail_on]
    return options


def run_report(command: list[str], directory: Path, format: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            [*command, "--format", format], cwd=directory, capture_output=True, text=True, check=False
        )
    except FileNotFoundError as error:
        raise ActionError("alembic-doctor is not on PATH: the action's install step did not run") from error


def truthy(value: str) -> bool:
    if value.strip().lower() in ("true", "yes", "1", "on"):
        return True
    if value.strip().lower() in ("false", "no", "0", "off", ""):
        return False
    raise ActionError(f"`{value}` is not true or false")


# ---- the pull-request comment ------------------------------------------------


def marker(directory: Path, workspace: Path) -> str:
    """The hidden line that identifies this action's comment, one per
    project directory and configuration (a repository with two Alembic
    projects gets two comments)."""
    try:
        key = directory.resolve().relative_to(workspace.resolve()).as_posix()
    except ValueError:
        key = str(directory)
    config = env("INPUT_CONFIG", "")
    if config:
        key += f" -c {config}"
    return f"<!-- alembic-doctor-action: {key} -->"


def comment_body(markdown: str, directory: Path, workspace: Path) -> str:
    body = f"{marker(directory, workspace)}\n{markdown}"
    if len(body) > MAX_COMMENT:
        note = "\n\n…the report is longer than a comment can be; the whole report is in the job's summary.\n"
        body = body[: MAX_COMMENT - len(note)] + note
    return body


def post_comment(number: int, body: str) -> dict | None:
    """Update this action's comment on pull request `number`, or create it.
    Returns the comment, or None when GitHub refused (reported as a
    warning: the report's status still decides the step)."""
    api = env("GITHUB_API_URL", "https://api.github.com").rstrip("/")
    repo = env("GITHUB_REPOSITORY")
    first_line = body.split("\n", 1)[0]
    try:
        existing = find_comment(f"{api}/repos/{repo}/issues/{number}/comments?per_page={PER_PAGE}", first_line)
        if existing:
            comment = github("PATCH", f"{api}/repos/{repo}/issues/comments/{existing['id']}", {"body": body})[0]
            print(f"Updated the report comment: {comment.get('html_url', comment['id'])}")
        else:
            comment = github("POST", f"{api}/repos/{repo}/issues/{number}/comments", {"body": body})[0]
            print(f"Posted the report comment: {comment.get('html_url', comment['id'])}")
        return comment
    except urllib.error.HTTPError as error:
        detail = error.read().decode("utf-8", "replace")[:500]
        advice = (
            " The token cannot write comments: give the job `permissions: pull-requests: write` "
            "(pull requests from forks get a read-only token; the report is in the job summary)."
            if error.code in (401, 403, 404)
            else ""
        )
        warning(f"could not post the report comment: HTTP {error.code} from {error.url}: {detail}.{advice}")
    except urllib.error.URLError as error:
        warning(f"could not reach the GitHub API at {api}: {error.reason}")
    return None


def find_comment(url: str | None, first_line: str) -> dict | None:
    """The first comment whose first line is `first_line`, following the
    `Link: <...>; rel="next"` pages."""
    while url:
        comments, headers = github("GET", url)
        for comment in comments:
            if (comment.get("body") or "").split("\n", 1)[0] == first_line:
                return comment
        url = next_page(headers.get("Link", ""))
    return None


def next_page(link: str) -> str | None:
    for part in link.split(","):
        match = re.match(r'\s*<([^>]+)>\s*;\s*rel="next"', part)
        if match:
            return match.group(1)
    return None


def github(method: str, url: str, payload: dict | None = None):
    """One REST call; returns (decoded JSON, headers)."""
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Accept", "application/vnd.github+json")
    request.add_header("X-GitHub-Api-Version", "2022-11-28")
    request.add_header("User-Agent", "alembic-doctor-action")
    token = os.environ.get("GITHUB_TOKEN", "")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read().decode("utf-8") or "null"), response.headers


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
