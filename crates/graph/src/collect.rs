//! `_collect_upgrade_revisions`: which revisions an `upgrade` or `history`
//! covers (`needs`) and from which targets the sort starts, plus the
//! ancestor/descendant walks it uses, including the `check=True` overlap
//! test (`Requested revision X overlaps with other requested revisions Y`).
//!
//! Cost: O(n + e) per call.

use crate::RevIdx;
use crate::error::AlembicException;
use crate::map::Target;
use crate::relative::Lower;
use crate::resolve::{Query, Raised};

/// Which edges a walk follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    /// `_get_ancestor_nodes(include_dependencies=True)`: normalized down revisions.
    AncestorsWithDependencies,
    /// `_get_descendant_nodes(include_dependencies=False)`: `nextrev`.
    Descendants,
}

impl Query<'_> {
    fn next_of(&self, rev: RevIdx, direction: Direction) -> &[RevIdx] {
        match direction {
            Direction::AncestorsWithDependencies => &self.map.norm_down_objs[rev],
            Direction::Descendants => &self.map.nextrev[rev],
        }
    }

    /// `_iterate_related_revisions(fn, targets, check)`: every revision
    /// reached (targets included), in Python's order. With `check`, a target
    /// that reaches another target raises the overlap error, target by
    /// target in order, as Alembic does.
    pub(crate) fn related(
        &self,
        targets: &[Target],
        direction: Direction,
        check: bool,
    ) -> Result<Vec<RevIdx>, Raised> {
        let n = self.map.revisions.len();
        let mut seen = vec![false; n];
        let mut is_target = vec![false; n];
        for t in targets {
            if let Target::Revision(r) = t {
                is_target[*r] = true;
            }
        }
        let mut out = Vec::new();
        let mut stack = Vec::new();
        for target in targets {
            let Target::Revision(target) = *target else {
                return Err(AlembicException::assertion());
            };
            let mut overlaps: Vec<RevIdx> = Vec::new();
            stack.push(target);
            while let Some(rev) = stack.pop() {
                if check && is_target[rev] && rev != target && !overlaps.contains(&rev) {
                    overlaps.push(rev);
                }
                if std::mem::replace(&mut seen[rev], true) {
                    continue;
                }
                stack.extend(self.next_of(rev, direction).iter().copied());
                out.push(rev);
            }
            if !overlaps.is_empty() {
                // Alembic joins a set here; listed in target order instead.
                overlaps.sort_by_key(|o| {
                    targets
                        .iter()
                        .position(|t| *t == Target::Revision(*o))
                        .unwrap_or(usize::MAX)
                });
                return Err(AlembicException::revision_error(format!(
                    "Requested revision {} overlaps with other requested revisions {}",
                    self.map.id(target),
                    overlaps
                        .iter()
                        .map(|&o| self.map.id(o))
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        }
        Ok(out)
    }

    /// Ancestors (`dependencies`: through normalized dependencies too) of
    /// `starts`, starts included, without the overlap check.
    pub(crate) fn ancestors(&self, starts: &[RevIdx], dependencies: bool) -> Vec<RevIdx> {
        let map = self.map;
        if dependencies {
            self.reach(starts, |rev| map.norm_down_objs[rev].iter().copied())
        } else {
            self.reach(starts, |rev| map.down_objs[rev].iter().flatten().copied())
        }
    }

    /// Descendants through `nextrev` (`dependencies`: `_all_nextrev`).
    pub(crate) fn descendants(&self, starts: &[RevIdx], dependencies: bool) -> Vec<RevIdx> {
        let map = self.map;
        if dependencies {
            self.reach(starts, |rev| map.all_nextrev[rev].iter().copied())
        } else {
            self.reach(starts, |rev| map.nextrev[rev].iter().copied())
        }
    }

    /// Every revision reachable from `starts` (included) through `step`,
    /// each once, in depth-first visiting order.
    fn reach<I: Iterator<Item = RevIdx>>(
        &self,
        starts: &[RevIdx],
        step: impl Fn(RevIdx) -> I,
    ) -> Vec<RevIdx> {
        let mut seen = vec![false; self.map.revisions.len()];
        let mut stack: Vec<RevIdx> = starts.to_vec();
        let mut out = Vec::new();
        while let Some(rev) = stack.pop() {
            if std::mem::replace(&mut seen[rev], true) {
                continue;
            }
            out.push(rev);
            stack.extend(step(rev));
        }
        out
    }

    /// `_collect_upgrade_revisions(upper, lower, ...)`: the revisions to
    /// order (as a membership list over map entries) and the targets (map
    /// entries), ready for `_topological_sort`.
    pub(crate) fn collect_upgrade_revisions(
        &self,
        upper: &str,
        lower: Lower<'_>,
        inclusive: bool,
        implicit_base: bool,
        assert_relative_length: bool,
    ) -> Result<(Vec<bool>, Vec<usize>), Raised> {
        let map = self.map;
        let mut targets = self.parse_upgrade_target(lower, upper, assert_relative_length)?;
        if targets.iter().any(|t| !matches!(t, Target::Revision(_))) {
            return Err(AlembicException::assertion());
        }
        // Named lower bound (`branch@...`): keep the targets on that branch,
        // by propagated label.
        if let Some((branch, _)) = match lower {
            Lower::Str(text) => text.split_once('@'),
            _ => None,
        } {
            let mut branch = branch.to_owned();
            if let Some(rev) = self.get_revision(Some(&branch))?
                && map.id(rev) == branch
            {
                // A revision used as a label: its one propagated label.
                match map.labels[rev].as_slice() {
                    [only] => branch.clone_from(only),
                    _ => return Err(AlembicException::assertion()),
                }
            }
            targets.retain(|t| match t {
                Target::Revision(r) => map.labels[*r].contains(&branch),
                _ => false,
            });
            targets = crate::normalize::dedupe(&targets);
        }

        let n = map.revisions.len();
        let mut required = vec![false; n];
        for rev in self.related(&targets, Direction::AncestorsWithDependencies, true)? {
            required[rev] = true;
        }

        let mut current = self.get_revisions(&lower.ident())?;
        if !implicit_base
            && current.iter().any(|t| match t {
                Target::Revision(r) => !required[*r],
                Target::Base => true,
                Target::Nothing => false,
            })
        {
            let lower_text = match lower {
                Lower::Str(s) => Some(s),
                Lower::Empty | Lower::Many(_) => Some("()"),
                Lower::None => None,
            };
            return Err(AlembicException::range_not_ancestor(
                lower_text,
                Some(upper),
            ));
        }
        let mut lower = lower;
        let replaced;
        if current.first() == Some(&Target::Nothing) {
            let (_, rev) = self.parse_downgrade_target(
                Lower::Str(upper),
                match lower {
                    Lower::Str(s) => Some(s),
                    _ => None,
                },
                assert_relative_length,
            )?;
            match rev {
                Target::Nothing => return Err(AlembicException::assertion()),
                Target::Base => {
                    current = Vec::new();
                    lower = Lower::None;
                }
                Target::Revision(r) => {
                    current = vec![rev];
                    replaced = map.id(r).to_owned();
                    lower = Lower::Str(&replaced);
                }
            }
        }

        let mut needs = required;
        for rev in self.related(&current, Direction::AncestorsWithDependencies, true)? {
            needs[rev] = false;
        }
        if inclusive {
            for t in self.get_revisions(&lower.ident())? {
                match t {
                    Target::Revision(r) => needs[r] = true,
                    _ => return Err(AlembicException::assertion()),
                }
            }
        }
        if !current.is_empty() && !implicit_base {
            let mut below = vec![false; n];
            for rev in self.related(&current, Direction::Descendants, true)? {
                below[rev] = true;
            }
            for (need, keep) in needs.iter_mut().zip(below) {
                *need &= keep;
            }
        }
        // `_topological_sort` works on ids: map entries.
        let mut entry_needs = vec![false; map.entries.len()];
        for (rev, need) in needs.into_iter().enumerate() {
            if need {
                entry_needs[map.entry_of[rev]] = true;
            }
        }
        let target_entries = targets
            .iter()
            .filter_map(|t| match t {
                Target::Revision(r) => Some(map.entry_of[*r]),
                _ => None,
            })
            .collect();
        Ok((entry_needs, target_entries))
    }
}
