#!/usr/bin/env python3
"""alembic_server.py -- the real ``alembic`` command line, one process for many runs.

The advice test (``crates/cli/tests/advice.rs``) follows the report's plan
literally, then asks Alembic whether the result works.  Starting Python and
importing Alembic costs about half a second, so this driver stays up: it
reads one JSON request per line on stdin and answers one JSON line on stdout.

Request::

    {"dir": "/abs/project", "argv": ["upgrade", "heads", "--sql"]}

Answer::

    {"status": "ok" | "error", "stdout": "...", "error": "...",
     "warnings": ["...", ...]}

Each request runs ``alembic.config.main(argv)`` in ``dir`` exactly as the
``alembic`` console script would (it imports the project's ``env.py`` and
migration files: only for projects the test itself wrote).
"""

import contextlib
import io
import json
import os
import sys
import traceback
import warnings

import alembic.config


def run(request):
    out = io.StringIO()
    err = io.StringIO()
    status, error = "ok", None
    os.chdir(request["dir"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                alembic.config.main(argv=request["argv"], prog="alembic")
        except SystemExit as exit:
            if exit.code not in (None, 0):
                status, error = "error", err.getvalue() or f"exit {exit.code}"
        except Exception as exception:  # noqa: BLE001 - reported, not hidden
            status = "error"
            error = "".join(traceback.format_exception_only(type(exception), exception))
    return {
        "status": status,
        "stdout": out.getvalue(),
        "error": error,
        "warnings": [
            str(w.message) for w in caught if issubclass(w.category, UserWarning)
        ],
    }


def main():
    real_stdout = sys.stdout
    for line in sys.stdin:
        if not line.strip():
            continue
        answer = run(json.loads(line))
        real_stdout.write(json.dumps(answer) + "\n")
        real_stdout.flush()


if __name__ == "__main__":
    main()
