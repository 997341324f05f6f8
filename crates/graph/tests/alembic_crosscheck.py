#!/usr/bin/env python3
"""Answer graph questions with the real Alembic, for alembic-doctor's graph
crate (`cargo test -p alembic_doctor_graph crosscheck -- --ignored`).

Input (stdin): blocks of
    CASE
    R <id> TAB <down> TAB <deps> TAB <labels>     (lists as "N|a|b|...")
    Q <kind> TAB <text>                            (kind: range | resolve)
    END
Output (stdout), per case, lines the Rust side prints the same way:
    CASE <n>
    build ok | build <traceback line>
    heads/real_heads/bases/real_bases <ids>
    labels <load index>=<sorted labels>
    upgrade <ids> | upgrade !<how it fails>
    Q <kind> <text> => <ids> | !<how it fails>

Normalized dependencies are re-sorted into declaration order after the map
is built: that is the order alembic-doctor picks where Alembic uses a set,
so every other difference is a real one.
"""
import signal
import sys
import warnings

warnings.simplefilter("ignore")

from alembic.script.base import ScriptDirectory  # noqa: E402
from alembic.script.revision import Revision, RevisionMap  # noqa: E402
from alembic.util import CommandError  # noqa: E402


class Hang(Exception):
    pass


def on_alarm(signum, frame):
    raise Hang()


signal.signal(signal.SIGALRM, on_alarm)


def decode(field):
    count, _, rest = field.partition("|")
    count = int(count)
    return rest.split("|") if count else []


def exc_line(e):
    cls = type(e)
    name = cls.__name__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"
    text = str(e)
    return f"{name}: {text}" if text else name


def run(fn, **catch):
    """Call fn inside _catch_revision_errors like the CLI; describe failures."""
    # A repeating timer: if one Hang is delivered where it gets lost, the
    # next one still stops Alembic's endless loop.
    signal.setitimer(signal.ITIMER_REAL, 3, 0.5)
    try:
        with ScriptDirectory._catch_revision_errors(None, **catch):
            return fn()
    except Hang:
        return "!hang"
    except CommandError as e:
        return f"!FAILED: {e}"
    except Exception as e:  # noqa: BLE001
        return f"!TRACEBACK: {exc_line(e)}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def name(r):
    if r is None:
        return "<None>"
    if isinstance(r, str):
        return f"<{r}>"
    return r.revision


def history(m, rev_range):
    if rev_range is not None:
        if ":" not in rev_range:
            return "!FAILED: History range requires [start]:[end], [start]:, or :[end]"
        try:
            base, head = rev_range.strip().split(":")
        except ValueError as e:
            return f"!TRACEBACK: {exc_line(e)}"
    else:
        base = head = None
    if base == "current" or head == "current":
        return "!needs-db"
    base, head = base or "base", head or "heads"
    return run(
        lambda: [r.revision for r in m.iterate_revisions(head, base, inclusive=True, assert_relative_length=False)],
        start=base,
        end=head,
    )


def answer(case_no, specs, queries):
    out = [f"CASE {case_no}"]

    def gen():
        for rid, down, deps, labels in specs:
            down = None if not down else (down[0] if len(down) == 1 else tuple(down))
            yield Revision(rid, down, dependencies=tuple(deps), branch_labels=tuple(labels))

    objs = []

    def collecting():
        for r in gen():
            objs.append(r)
            yield r

    m = RevisionMap(collecting)
    try:
        m._revision_map
        built = True
    except Exception as e:  # noqa: BLE001
        out.append(f"build {exc_line(e)}")
        built = False
    if built:
        out.append("build ok")
        for r in objs:
            order = list(dict.fromkeys(r._resolved_dependencies))
            r._normalized_resolved_dependencies = tuple(
                sorted(r._normalized_resolved_dependencies, key=order.index)
            )
        out.append("heads " + " ".join(m.heads))
        out.append("real_heads " + " ".join(m._real_heads))
        out.append("bases " + " ".join(m.bases))
        out.append("real_bases " + " ".join(m._real_bases))
        for i, r in enumerate(objs):
            if r.branch_labels:
                out.append(f"labels {i}=" + ",".join(sorted(r.branch_labels)))
    up = run(
        lambda: [r.revision for r in reversed(list(m.iterate_revisions("heads", (), implicit_base=True)))],
        ancestor="Destination %(end)s is not a valid upgrade target from current head(s)",
        end="heads",
    )
    out.append("upgrade " + (up if isinstance(up, str) else " ".join(up)))
    for kind, text in queries:
        if kind == "range":
            res = history(m, None if text == "<none>" else text)
        else:
            res = run(lambda: [name(r) for r in m.get_revisions(text)])
        out.append(f"Q {kind} {text} => " + (res if isinstance(res, str) else " ".join(res)))
    return out


def main():
    specs, queries, n = [], [], 0
    for line in sys.stdin.read().split("\n"):
        if line == "CASE":
            specs, queries = [], []
        elif line.startswith("R "):
            rid, down, deps, labels = line[2:].split("\t")
            specs.append((rid, decode(down), decode(deps), decode(labels)))
        elif line.startswith("Q "):
            kind, text = line[2:].split("\t", 1)
            queries.append((kind, text))
        elif line == "END":
            print("\n".join(answer(n, specs, queries)))
            n += 1
    sys.stdout.flush()


if __name__ == "__main__":
    main()
