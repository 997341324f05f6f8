#!/usr/bin/env python3
"""alembic_batch.py -- run the real ``alembic`` over many projects in ONE process.

This is the oracle of alembic-doctor's differential test
(``crates/cli/tests/differential.rs``).  Starting Python and importing Alembic
costs about half a second, so instead of spawning ``alembic`` once per command
the test writes a manifest and this driver runs every command of every
project in-process, exactly as the ``alembic`` console script would, and
writes one JSON document with the results.

Usage::

    alembic_batch.py MANIFEST.json RESULTS.json

Manifest (written by the Rust test)::

    {"cases": [{"name": "case-123",
                "dir": "/abs/project",          # cwd for every command
                "global_args": ["-n", "db"],    # options before the subcommand
                "commands": [["heads"], ["history", "-r", "base:abc"], ...]}]}

Results::

    {"alembic_version": "1.20.1",
     "cases": [{"name": ..., "results": [<outcome>, ...], "graph": <graph>}]}

    outcome = {"argv": [...], "status": "ok" | "command_error" | "exception"
                                        | "usage_error" | "timeout",
               "exit_code": 0 | 255 | 1 | 2 | null,
               "stdout": "...",        # what `alembic` writes to stdout
               "error": "...",          # CommandError text, or "Type: message"
               "warnings": ["...", ...]}  # UserWarning texts (not deprecations)

    graph = {"ok": true, "heads": [...], "real_heads": [...], "bases": [...],
             "real_bases": [...], "upgrade_order": [...],
             "hash_dependent": bool, "warnings": [...]}
          | {"ok": false, "error": "...", "warnings": [...]}

How each command is run -- the same steps as ``alembic.config.main``:

* ``CommandLine().parser.parse_args(global_args + command)`` (so the
  arguments are parsed by Alembic's own argparse definitions);
* ``Config(file_=ini, toml_file=toml, ini_section=..., cmd_opts=...,
  stdout=<buffer>)`` built fresh for every command, so Alembic's memoized
  ``ScriptDirectory`` / ``RevisionMap`` never leak between commands;
* ``CommandLine.run_cmd`` with ``raiseerr`` on, so the exception is caught
  here and classified the way the console script reports it:
  ``CommandError`` -> ``FAILED: <msg>`` on stdout, exit 255; any other
  exception -> traceback, exit 1.

``upgrade heads`` from an empty database is computed without a database:
``ScriptDirectory._upgrade_revs("heads", ())`` is the call
``command.upgrade`` makes once ``env.py`` has read the (empty)
``alembic_version`` table.

Alembic can loop forever (``RevisionMap._topological_sort`` on some cycles
its cycle detection misses): every command and the graph computation run
under a CPU-time timer (``ALEMBIC_BATCH_TIMEOUT`` seconds, default 1) and report
``"status": "timeout"`` when it fires.

Reproducibility: the driver re-executes itself with ``PYTHONHASHSEED=0``
(parts of Alembic's output follow set iteration order) and
``PYTHONDONTWRITEBYTECODE=1`` (loading a migration must not create
``__pycache__`` directories inside the generated projects, which alembic-doctor
then reads).
"""

from __future__ import annotations

import io
import json
import os
import signal
import sys
import warnings

# ---------------------------------------------------------------------------
# Pin the hash seed and forbid bytecode files before anything is imported.
# ---------------------------------------------------------------------------
if (
    os.environ.get("PYTHONHASHSEED") != "0"
    or os.environ.get("PYTHONDONTWRITEBYTECODE") != "1"
):
    os.environ["PYTHONHASHSEED"] = "0"
    os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
    os.execv(sys.executable, [sys.executable, *sys.argv])
sys.dont_write_bytecode = True

import alembic  # noqa: E402
from alembic import util  # noqa: E402
from alembic.config import CommandLine, Config  # noqa: E402
from alembic.script import ScriptDirectory  # noqa: E402
from alembic.util import pyfiles  # noqa: E402


class Utf8Buffer(io.StringIO):
    """Stands in for a UTF-8 terminal or pipe.

    ``alembic.util.messaging.write_outstream`` encodes every line with the
    stream's ``encoding`` (falling back to ASCII, which would turn every
    non-ASCII character into ``?``).  The real console script writes to
    ``sys.stdout``, which is UTF-8 in CI.
    """

    encoding = "utf-8"


# ---------------------------------------------------------------------------
# Load each migration file once per project.
#
# Every command builds a fresh ScriptDirectory, which executes every
# migration file again; with ~10 commands per project that dominates the
# run time.  The module objects are only *read* by Alembic (the graph state
# lives on the Script objects, which are still fresh per command), so caching
# the modules of the current project is invisible to the results.  Failures
# (syntax errors, ...) are not cached: they raise again every time, exactly
# as they would without the cache.
# ---------------------------------------------------------------------------
_module_cache: dict[str, object] = {}
_real_load_python_file = pyfiles.load_python_file


def _cached_load_python_file(dir_, filename):
    key = os.path.join(os.fspath(dir_), os.fspath(filename))
    module = _module_cache.get(key)
    if module is None:
        module = _real_load_python_file(dir_, filename)
        _module_cache[key] = module
    return module


# script/base.py calls ``util.load_python_file`` through the package
# attribute, so patching the package is enough.
util.load_python_file = _cached_load_python_file


class AlembicTimeout(BaseException):
    """Raised by the interval timer. A BaseException, so that Alembic's and
    our own ``except Exception`` clauses do not swallow it."""


def _on_alarm(signum, frame):
    raise AlembicTimeout()


# CPU time, not wall time: a loaded CI machine must not turn a slow answer
# into a "timeout".
signal.signal(signal.SIGVTALRM, _on_alarm)
TIMEOUT = float(os.environ.get("ALEMBIC_BATCH_TIMEOUT", "1"))
TIMEOUT_TEXT = f"Alembic did not finish within {TIMEOUT:g} s of CPU time (an endless loop)"


class deadline:
    """Context manager arming the interval timer for one unit of work."""

    def __enter__(self):
        signal.setitimer(signal.ITIMER_VIRTUAL, TIMEOUT)

    def __exit__(self, *exc):
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        return False


def user_warnings(caught) -> list[str]:
    """The texts of the UserWarnings Alembic emitted ("Revision X is present
    more than once", "Revision X referenced from ... is not present", "File
    ... loaded twice!").  DeprecationWarnings (legacy ``version_locations``
    splitting and the like) are configuration advice, not revision problems,
    and are left out."""
    return [
        str(w.message)
        for w in caught
        if issubclass(w.category, UserWarning)
    ]


def describe(exc: BaseException) -> str:
    """``Type: message`` as the last line of a traceback prints it."""
    text = str(exc)
    name = type(exc).__name__
    return f"{name}: {text}" if text else name


# Building the argparse tree costs ~6 ms (two thirds of the run time if done
# per command); the parser holds no state between parse_args calls.
_COMMAND_LINE = CommandLine(prog="alembic")


def make_config(argv: list[str], stdout: io.StringIO):
    """Parse ``argv`` with Alembic's own parser and build the Config the
    console script would build.  Raises SystemExit on usage errors."""
    cl = _COMMAND_LINE
    options = cl.parser.parse_args(argv)
    if not hasattr(options, "cmd"):
        raise SystemExit(2)
    options.raiseerr = True
    toml, ini = cl._inis_from_config(options)
    cfg = Config(
        file_=ini,
        toml_file=toml,
        ini_section=options.name,
        cmd_opts=options,
        stdout=stdout,
    )
    return cl, cfg, options


def run_command(argv: list[str]) -> dict:
    """Run one ``alembic <argv>`` in the current directory."""
    out = Utf8Buffer()
    err = io.StringIO()
    result = {
        "argv": argv,
        "status": "ok",
        "exit_code": 0,
        "stdout": "",
        "error": None,
        "warnings": [],
    }
    with warnings.catch_warnings(record=True) as caught:
        # "always": a warning raised from the same line for an earlier
        # project must be recorded again for this one.
        warnings.simplefilter("always")
        real_stderr = sys.stderr
        sys.stderr = err  # argparse usage errors write here
        try:
            with deadline():
                cl, cfg, options = make_config(argv, out)
                cl.run_cmd(cfg, options)
        except AlembicTimeout:
            result.update(status="timeout", exit_code=None, error=TIMEOUT_TEXT)
        except util.CommandError as exc:
            # CommandLine.run_cmd -> util.err: "FAILED: msg" on stdout,
            # sys.exit(-1) i.e. status 255.
            out.write(f"FAILED: {exc}\n")
            result.update(status="command_error", exit_code=255, error=str(exc))
        except SystemExit as exc:
            result.update(
                status="usage_error",
                exit_code=exc.code if isinstance(exc.code, int) else 2,
                error=err.getvalue().strip(),
            )
        except Exception as exc:  # noqa: BLE001 - every failure is data here
            # Uncaught: Python prints a traceback on stderr, status 1.
            result.update(status="exception", exit_code=1, error=describe(exc))
        finally:
            sys.stderr = real_stderr
        result["warnings"] = user_warnings(caught)
    result["stdout"] = out.getvalue()
    return result


def graph_facts(global_args: list[str]) -> dict:
    """Heads, bases and the ``upgrade heads`` order, straight from Alembic's
    RevisionMap, for the configuration ``global_args`` selects."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with deadline():
                facts = _graph_facts(global_args)
        except AlembicTimeout:
            facts = {"ok": False, "error": TIMEOUT_TEXT, "timeout": True}
        except SystemExit as exc:
            facts = {"ok": False, "error": f"SystemExit: {exc.code}"}
        except Exception as exc:  # noqa: BLE001 - every failure is data here
            facts = {"ok": False, "error": describe(exc)}
        facts["warnings"] = user_warnings(caught)
    return facts


def _graph_facts(global_args: list[str]) -> dict:
    _cl, cfg, _options = make_config([*global_args, "heads"], Utf8Buffer())
    script = ScriptDirectory.from_config(cfg)
    rmap = script.revision_map
    # What command.upgrade runs from an empty database (current heads = ()):
    # ScriptDirectory._upgrade_revs("heads", ()) is
    # reversed(iterate_revisions("heads", (), implicit_base=True)) turned
    # into MigrationSteps; the steps need each module's upgrade() function,
    # the order does not.
    with script._catch_revision_errors(
        ancestor="Destination %(end)s is not a valid upgrade "
        "target from current head(s)",
        end="heads",
    ):
        order = [
            rev.revision
            for rev in script.iterate_revisions("heads", (), implicit_base=True)
        ]
    order.reverse()
    revisions = [r for r in rmap._revision_map.values() if r is not None]
    return {
        "ok": True,
        "heads": list(rmap.heads),
        "real_heads": list(rmap._real_heads),
        "bases": list(rmap.bases),
        "real_bases": list(rmap._real_bases),
        "upgrade_order": order,
        # Two or more normalized dependencies on one revision make the
        # upgrade/history order depend on set iteration order
        # (RevisionMap._normalize_depends_on stores tuple(set(...))).
        "hash_dependent": any(
            len(rev._normalized_resolved_dependencies) >= 2 for rev in revisions
        ),
    }


def run_case(case: dict) -> dict:
    saved_path = list(sys.path)  # prepend_sys_path edits sys.path
    saved_cwd = os.getcwd()
    _module_cache.clear()
    try:
        os.chdir(case["dir"])
        global_args = case.get("global_args", [])
        results = [run_command([*global_args, *cmd]) for cmd in case["commands"]]
        graph = graph_facts(global_args)
    finally:
        os.chdir(saved_cwd)
        sys.path[:] = saved_path
        _module_cache.clear()
    return {"name": case["name"], "results": results, "graph": graph}


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    manifest_path, results_path = sys.argv[1:]
    with open(manifest_path, encoding="utf-8") as f:
        manifest = json.load(f)
    # Callers own the environment: an inherited ALEMBIC_CONFIG would change
    # which ini every command reads.
    os.environ.pop("ALEMBIC_CONFIG", None)
    cases = [run_case(case) for case in manifest["cases"]]
    with open(results_path, "w", encoding="utf-8") as f:
        json.dump(
            {"alembic_version": alembic.__version__, "cases": cases},
            f,
            ensure_ascii=False,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
