//! The command-level queries: what `alembic upgrade heads` (from an empty
//! database), `alembic history [-r A:B]` and `get_revisions(x)` compute, or
//! the error each prints, with the `_catch_revision_errors` context of the
//! command that makes the call.

use crate::RevIdx;
use crate::error::{AlembicException, Catch, ExceptionKind, GraphError};
use crate::lists::Lists;
use crate::map::{RevisionMap, Target};
use crate::order::{OrderGraph, SortError};
use crate::relative::Lower;
use crate::resolve::{Ident, Query};
use alembic_doctor_pystr as pystr;

impl RevisionMap {
    /// The order in which `alembic upgrade heads` applies the revisions to an
    /// empty database (bottom-up). Duplicated ids appear once, as their last
    /// file.
    pub fn upgrade_order(&self) -> Result<Vec<RevIdx>, GraphError> {
        self.upgrade_order
            .get_or_init(|| {
                let catch = Catch {
                    start: None,
                    end: Some("heads"),
                };
                let mut order = self.sorted("heads", Lower::Empty, false, true, true, &catch)?;
                order.reverse();
                Ok(order)
            })
            .clone()
    }

    /// The order in which `alembic upgrade <destination>` applies the
    /// revisions to a database stamped with `current` (the version table's
    /// rows, in its order): `_upgrade_revs(destination, current)`, which is
    /// the order of Alembic's `Running upgrade` lines. `destination` is
    /// `heads`, `head` or any other target Alembic accepts; its errors are
    /// Alembic's (an unknown stamped id: `Can't locate revision`; `head`
    /// with several heads: `Multiple head revisions`).
    pub fn upgrade_order_from(
        &self,
        current: &[String],
        destination: &str,
    ) -> Result<Vec<RevIdx>, GraphError> {
        let catch = Catch {
            start: None,
            end: Some(destination),
        };
        let lower = if current.is_empty() {
            Lower::Empty
        } else {
            Lower::Many(current)
        };
        let mut order = self.sorted(destination, lower, false, true, true, &catch)?;
        order.reverse();
        Ok(order)
    }

    /// What `alembic history` lists, top-down, for `-r range` (`None`: the
    /// whole history, the reverse of [`RevisionMap::upgrade_order`]).
    /// Accepts everything Alembic's `history -r` accepts: `[start]:[end]`
    /// with ids, partial ids, `base`, `head`, `heads`, `label@head`,
    /// `label@rev` and relative forms, with Alembic's errors (including its
    /// `AssertionError` when the range leaves a needed revision unreachable).
    /// A range naming `current` needs the database and is refused with
    /// [`ExceptionKind::RequiresDatabase`].
    ///
    /// Nondeterministic in Alembic: when `start` contains `@` and `end`
    /// names several revisions, Alembic keeps the targets in a set of
    /// revision objects and checks them for overlaps in address order, so
    /// which overlap error it reports (or whether it reports one) varies
    /// between runs; this crate checks them in resolution order.
    pub fn history(&self, range: Option<&str>) -> Result<Vec<RevIdx>, GraphError> {
        let (base, head) = match range {
            None => (String::new(), String::new()),
            Some(range) => {
                if !range.contains(':') {
                    return Err(AlembicException::new(
                        ExceptionKind::CommandError,
                        "History range requires [start]:[end], [start]:, or :[end]",
                    )
                    .shown(None));
                }
                let parts: Vec<&str> = pystr::strip(range).split(':').collect();
                match parts.as_slice() {
                    [base, head] => ((*base).to_owned(), (*head).to_owned()),
                    _ => {
                        return Err(AlembicException::new(
                            ExceptionKind::ValueError,
                            "too many values to unpack (expected 2)",
                        )
                        .shown(None));
                    }
                }
            }
        };
        if base == "current" || head == "current" {
            return Err(AlembicException::new(
                ExceptionKind::RequiresDatabase,
                "'current' names the database's revisions",
            )
            .shown(None));
        }
        let base = if base.is_empty() {
            "base"
        } else {
            base.as_str()
        };
        let head = if head.is_empty() {
            "heads"
        } else {
            head.as_str()
        };
        let catch = Catch {
            start: Some(base),
            end: Some(head),
        };
        self.sorted(head, Lower::Str(base), true, false, false, &catch)
    }

    /// `get_revisions(ident)` as `alembic show` and other commands resolve an
    /// argument: the revisions it names. `"base"` and `None` results (from
    /// relative walks past the bottom) are left out; see
    /// [`RevisionMap::resolve_targets`] for them.
    pub fn resolve(&self, ident: &str) -> Result<Vec<RevIdx>, GraphError> {
        Ok(self
            .resolve_targets(ident)?
            .into_iter()
            .filter_map(|t| match t {
                Target::Revision(r) => Some(r),
                _ => None,
            })
            .collect())
    }

    /// `get_revisions(ident)`, exactly: revisions, `"base"` and `None`.
    pub fn resolve_targets(&self, ident: &str) -> Result<Vec<Target>, GraphError> {
        let catch = Catch::default();
        Query { map: self }
            .get_revisions(&Ident::Str(ident))
            .map_err(|e| e.shown(Some(&catch)))
    }

    /// `iterate_revisions(upper, lower, ...)`: the top-down order.
    fn sorted(
        &self,
        upper: &str,
        lower: Lower<'_>,
        inclusive: bool,
        implicit_base: bool,
        assert_relative_length: bool,
        catch: &Catch<'_>,
    ) -> Result<Vec<RevIdx>, GraphError> {
        // No early return on a build failure: Alembic builds its map lazily
        // and `Query` raises the failure where Alembic first touches it.
        let query = Query { map: self };
        let (needs, targets) = query
            .collect_upgrade_revisions(
                upper,
                lower,
                inclusive,
                implicit_base,
                assert_relative_length,
            )
            .map_err(|e| e.shown(Some(catch)))?;
        let order = self.order_graph().sort(&needs, &targets).map_err(|e| {
            match e {
                SortError::Assertion => AlembicException::assertion(),
                SortError::NeverFinishes => AlembicException::new(
                    ExceptionKind::NeverFinishes,
                    "Alembic's _topological_sort loops forever on this cycle",
                ),
            }
            .shown(Some(catch))
        })?;
        Ok(order
            .into_iter()
            .map(|e| self.entries[e].canonical)
            .collect())
    }

    /// The graph `_topological_sort` walks, one node per map entry.
    pub(crate) fn order_graph(&self) -> OrderGraph {
        let mut parents = Lists::with_capacity(self.entries.len(), self.entries.len());
        for entry in &self.entries {
            parents.push_list(
                self.norm_down_objs[entry.canonical]
                    .iter()
                    .map(|&p| self.entry_of[p]),
            );
        }
        let single_step = self
            .entries
            .iter()
            .map(|entry| {
                self.normalized_deps[entry.canonical].is_empty()
                    && self.revisions[entry.canonical].down_revisions.len() == 1
            })
            .collect();
        OrderGraph::new(parents, single_step)
    }
}
