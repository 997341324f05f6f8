//! `hash-dependent-order`: a spot where Alembic's own answer changes from run to run.

pub(crate) const EXPLANATION: &str = r"# hash-dependent-order

## What it does
Reports places where Alembic takes an order from Python's string hashing,
which changes with every process (`PYTHONHASHSEED`): a `down_revision` or
`depends_on` written as a set, and a revision with two or more dependencies
that remain after normalisation, whose relative upgrade order is then random.

## Why is this bad?
Two deploys of the same code can apply migrations in different orders.
alembic-doctor uses declaration order there and flags the spot.

## How to fix
Write the value as a tuple or list, and make the dependencies depend on each
other (or on one merge revision) so that only one order is valid.
";
