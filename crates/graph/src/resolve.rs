//! Alembic's identifier grammar: `get_revisions`, `get_revision`,
//! `_resolve_revision_number`, `_revision_for_ident`, `_resolve_branch`,
//! `get_current_head`, `filter_for_lineage`, `_shares_lineage` and `_walk`,
//! ported function by function so that every accepted form, every result
//! and every error text is Alembic's.
//!
//! Results are [`Target`]s because Alembic's answers may contain the string
//! `"base"` or `None` (relative walks past the bottom). Errors are the raw
//! [`AlembicException`]; the command layer decides how it is shown.
//!
//! Cost: every function here is O(n) per call except `filter_for_lineage`,
//! which walks up and down from each target (O(targets * n)); these run
//! once per command-line argument.

use std::collections::HashMap;

use crate::RevIdx;
use crate::error::AlembicException;
use crate::map::{RevisionMap, Target};
use alembic_doctor_pystr as pystr;

pub(crate) type Raised = AlembicException;

/// An argument of `get_revisions`: a string, `None`, or a tuple of strings.
#[derive(Debug, Clone)]
pub(crate) enum Ident<'a> {
    Str(&'a str),
    None,
    Many(Vec<String>),
}

/// A target of `filter_for_lineage`: a map key or a revision object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Lineage {
    Key(String),
    Obj(RevIdx),
    /// `None`, which `_shares_lineage` cannot resolve.
    Nothing,
}

/// Where `_walk` starts: a string it resolves, or an object (or marker).
#[derive(Debug, Clone)]
pub(crate) enum WalkStart {
    Str(String),
    At(Target),
}

/// Python truthiness of an optional string.
fn truthy(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.is_empty())
}

pub(crate) struct Query<'a> {
    pub(crate) map: &'a RevisionMap,
}

impl Query<'_> {
    /// Alembic builds its map lazily, on the first access to
    /// `_revision_map`, so a build failure surfaces there and not before:
    /// errors raised earlier (a malformed relative target) win over it.
    pub(crate) fn loaded(&self) -> Result<(), Raised> {
        match &self.map.failure {
            Some(failure) => Err(failure.exception.clone()),
            None => Ok(()),
        }
    }

    /// The key Python would print for a `filter_for_lineage` result.
    pub(crate) fn lineage_key(&self, t: &Lineage) -> String {
        match t {
            Lineage::Key(k) => k.clone(),
            Lineage::Obj(o) => self.map.id(*o).to_owned(),
            Lineage::Nothing => "None".to_owned(),
        }
    }

    fn ids(&self, revs: &[RevIdx]) -> Vec<String> {
        revs.iter().map(|&r| self.map.id(r).to_owned()).collect()
    }

    /// `RevisionMap.get_revisions`.
    pub(crate) fn get_revisions(&self, ident: &Ident<'_>) -> Result<Vec<Target>, Raised> {
        let id = match ident {
            Ident::Many(items) => {
                let mut out = Vec::new();
                for item in items {
                    out.extend(self.get_revisions(&Ident::Str(item))?);
                }
                return Ok(out);
            }
            Ident::Str(s) => Some(*s),
            Ident::None => None,
        };
        let (resolved, branch) = self.resolve_revision_number(id)?;
        if let [only] = resolved.as_slice()
            && let Some(steps) = pystr::parse_int(only).filter(|&s| s < 0)
        {
            // `branch@-n`: walk down from each real head (on the branch, by
            // propagated label).
            let mut heads = self.get_revisions(&Ident::Str("heads"))?;
            if let Some(branch) = &branch {
                heads.retain(|h| match h {
                    Target::Revision(r) => self.map.labels[*r].contains(branch),
                    _ => false,
                });
            }
            return heads
                .into_iter()
                .map(|h| self.walk(&WalkStart::At(h), steps, None, true))
                .collect();
        }
        resolved
            .iter()
            .map(|r| {
                Ok(match self.revision_for_ident(Some(r), branch.as_deref())? {
                    Some(rev) => Target::Revision(rev),
                    None => Target::Nothing,
                })
            })
            .collect()
    }

    /// `RevisionMap.get_revision`.
    pub(crate) fn get_revision(&self, id: Option<&str>) -> Result<Option<RevIdx>, Raised> {
        let (resolved, branch) = self.resolve_revision_number(id)?;
        if resolved.len() > 1 {
            return Err(AlembicException::multiple_heads(
                &resolved,
                id.unwrap_or("None"),
            ));
        }
        self.revision_for_ident(resolved.first().map(String::as_str), branch.as_deref())
    }

    /// `_resolve_revision_number`: the ids a symbol stands for, and the
    /// branch label before `@`.
    pub(crate) fn resolve_revision_number(
        &self,
        id: Option<&str>,
    ) -> Result<(Vec<String>, Option<String>), Raised> {
        self.loaded()?;
        let (branch, id) = match id {
            Some(s) => match s.split_once('@') {
                Some((b, rest)) => (Some(b.to_owned()), Some(rest)),
                None => (None, Some(s)),
            },
            None => (None, None),
        };
        let resolved = match id {
            Some("heads") => match truthy(branch.as_deref()) {
                Some(b) => {
                    let heads = self
                        .ids(&self.map.heads)
                        .into_iter()
                        .map(Lineage::Key)
                        .collect();
                    self.filter_for_lineage(heads, Some(b))?
                        .iter()
                        .map(|t| self.lineage_key(t))
                        .collect()
                }
                None => self.ids(&self.map.real_heads),
            },
            Some("head") => self
                .get_current_head(branch.as_deref())?
                .into_iter()
                .collect(),
            Some("base") | None => Vec::new(),
            Some(other) => vec![other.to_owned()],
        };
        Ok((resolved, branch))
    }

    /// `get_current_head`.
    fn get_current_head(&self, branch: Option<&str>) -> Result<Option<String>, Raised> {
        let mut heads: Vec<String> = self.ids(&self.map.heads);
        if let Some(b) = truthy(branch) {
            heads = self
                .filter_for_lineage(heads.into_iter().map(Lineage::Key).collect(), Some(b))?
                .iter()
                .map(|t| self.lineage_key(t))
                .collect();
        }
        if heads.len() > 1 {
            let argument = match truthy(branch) {
                Some(b) => format!("{b}@head"),
                None => "head".to_owned(),
            };
            return Err(AlembicException::multiple_heads(&heads, &argument));
        }
        Ok(heads.into_iter().next())
    }

    /// `_revision_for_ident`. `resolved` `None` stands for `()`/`None`, which
    /// the map holds as `None`.
    pub(crate) fn revision_for_ident(
        &self,
        resolved: Option<&str>,
        check_branch: Option<&str>,
    ) -> Result<Option<RevIdx>, Raised> {
        self.loaded()?;
        let check_branch = truthy(check_branch);
        let branch_rev = match check_branch {
            Some(b) => self.resolve_branch(b)?,
            None => None,
        };
        let revision = match resolved {
            None => None,
            Some(key) => match self.map.map_lookup(key) {
                Some(rev) => Some(rev),
                None => Some(self.partial_match(key, check_branch, branch_rev)?),
            },
        };
        if let (Some(branch), Some(rev), Some(branch_rev)) = (check_branch, revision, branch_rev) {
            let target = Lineage::Key(self.map.id(rev).to_owned());
            if !self.shares_lineage(&target, &[self.map.id(branch_rev).to_owned()])? {
                return Err(AlembicException::resolution(
                    format!(
                        "Revision {} is not a member of branch '{branch}'",
                        self.map.id(rev)
                    ),
                    resolved.unwrap_or_default(),
                ));
            }
        }
        Ok(revision)
    }

    /// The partial-id branch of `_revision_for_ident`: every map key longer
    /// than three characters (ids in map order, then labels) that starts
    /// with `key`.
    fn partial_match(
        &self,
        key: &str,
        check_branch: Option<&str>,
        branch_rev: Option<RevIdx>,
    ) -> Result<RevIdx, Raised> {
        if key.is_empty() {
            return Err(AlembicException::assertion());
        }
        let keys = self
            .map
            .ids_in_map_order()
            .chain(self.map.label_keys.iter().map(String::as_str));
        let mut revs: Vec<Lineage> = keys
            .filter(|k| pystr::len(k) > 3 && k.starts_with(key))
            .map(|k| Lineage::Key(k.to_owned()))
            .collect();
        if branch_rev.is_some() {
            revs = self.filter_for_lineage(revs, check_branch)?;
        }
        let key_of = |t: &Lineage| self.lineage_key(t);
        match revs.as_slice() {
            [] => Err(AlembicException::resolution(
                format!(
                    "No such revision or branch '{key}'{}",
                    if pystr::len(key) < 4 {
                        "; please ensure at least four characters are present for partial \
                         revision identifier matches"
                    } else {
                        ""
                    }
                ),
                key,
            )),
            [only] => {
                let k = key_of(only);
                self.map
                    .map_lookup(&k)
                    .ok_or_else(|| AlembicException::key_error(&k))
            }
            many => Err(AlembicException::resolution(
                format!(
                    "Multiple revisions start with '{key}': {}...",
                    many.iter()
                        .take(3)
                        .map(|t| format!("'{}'", key_of(t)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                key,
            )),
        }
    }

    /// `_resolve_branch`.
    fn resolve_branch(&self, label: &str) -> Result<Option<RevIdx>, Raised> {
        if let Some(rev) = self.map.map_lookup(label) {
            return Ok(Some(rev));
        }
        match self.revision_for_ident(Some(label), None) {
            Err(e) if e.kind == crate::ExceptionKind::ResolutionError => Err(
                AlembicException::resolution(format!("No such branch: '{label}'"), label),
            ),
            other => other,
        }
    }

    /// `filter_for_lineage(targets, check_against)` (without dependencies).
    pub(crate) fn filter_for_lineage(
        &self,
        targets: Vec<Lineage>,
        check_against: Option<&str>,
    ) -> Result<Vec<Lineage>, Raised> {
        let (ids, branch) = self.resolve_revision_number(check_against)?;
        let mut shares = Vec::new();
        if let Some(b) = truthy(branch.as_deref()) {
            shares.push(b.to_owned());
        }
        shares.extend(ids);
        let mut out = Vec::new();
        for target in targets {
            if self.shares_lineage(&target, &shares)? {
                out.push(target);
            }
        }
        Ok(out)
    }

    /// `_shares_lineage` (without dependencies): is any of `against` an
    /// ancestor or descendant of `target` (or `target` itself)?
    fn shares_lineage(&self, target: &Lineage, against: &[String]) -> Result<bool, Raised> {
        if against.is_empty() {
            return Ok(true);
        }
        let target = match target {
            Lineage::Obj(o) => *o,
            Lineage::Key(k) => self
                .revision_for_ident(Some(k), None)?
                .ok_or_else(AlembicException::assertion)?,
            Lineage::Nothing => return Err(AlembicException::assertion()),
        };
        let mut wanted = Vec::with_capacity(against.len());
        for key in against {
            wanted.push(
                self.revision_for_ident(Some(key), None)?
                    .ok_or_else(AlembicException::assertion)?,
            );
        }
        let n = self.map.revisions.len();
        for down in [false, true] {
            let mut seen = vec![false; n];
            let mut stack = vec![target];
            while let Some(rev) = stack.pop() {
                if std::mem::replace(&mut seen[rev], true) {
                    continue;
                }
                if wanted.contains(&rev) {
                    return Ok(true);
                }
                if down {
                    stack.extend(self.map.down_objs[rev].iter().flatten().copied());
                } else {
                    stack.extend(self.map.nextrev[rev].iter().copied());
                }
            }
        }
        Ok(false)
    }

    /// `_walk`: `steps` up (positive) or down (negative) from `start`.
    ///
    /// Python runs `range(abs(steps))`; a walk ends within n + 2 steps on an
    /// acyclic graph, and on a cyclic one (which Alembic's check can miss)
    /// the position repeats, so a huge count is reduced modulo the period.
    pub(crate) fn walk(
        &self,
        start: &WalkStart,
        steps: i64,
        branch: Option<&str>,
        no_overwalk: bool,
    ) -> Result<Target, Raised> {
        let mut initial = match start {
            WalkStart::Str(s) => match self.get_revision(Some(s))? {
                Some(rev) => Target::Revision(rev),
                None => Target::Nothing,
            },
            WalkStart::At(t) => *t,
        };
        let total = steps.unsigned_abs();
        let mut seen_at: HashMap<Target, u64> = HashMap::new();
        let mut step = 0u64;
        while step < total {
            if let Some(&first) = seen_at.get(&initial) {
                let period = step - first;
                step += (total - step) / period * period;
                seen_at.clear();
                if step >= total {
                    break;
                }
            }
            seen_at.insert(initial, step);
            step += 1;
            let children = if steps > 0 {
                let ids = match initial {
                    Target::Base => return Err(AlembicException::assertion()),
                    Target::Nothing => {
                        self.loaded()?;
                        self.ids(&self.map.bases)
                    }
                    Target::Revision(r) => self.ids(&self.map.nextrev[r]),
                };
                let mut up = Vec::new();
                for t in self.get_revisions(&Ident::Many(ids))? {
                    match t {
                        Target::Revision(r) => up.push(Lineage::Obj(r)),
                        _ => return Err(AlembicException::assertion()),
                    }
                }
                if truthy(branch).is_some() {
                    up = self.filter_for_lineage(up, branch)?;
                }
                up.into_iter()
                    .map(|t| match t {
                        Lineage::Obj(o) => Target::Revision(o),
                        Lineage::Key(k) => self
                            .map
                            .map_lookup(&k)
                            .map_or(Target::Nothing, Target::Revision),
                        Lineage::Nothing => Target::Nothing,
                    })
                    .collect::<Vec<_>>()
            } else if initial == Target::Base {
                Vec::new()
            } else {
                let ident = if let Target::Revision(r) = initial {
                    match self.map.revisions[r].down_revisions.as_slice() {
                        [] => Ident::None,
                        [one] => Ident::Str(one),
                        many => Ident::Many(many.to_vec()),
                    }
                } else {
                    self.loaded()?;
                    Ident::Many(self.ids(&self.map.heads))
                };
                let found = self.get_revisions(&ident)?;
                if found.is_empty() {
                    vec![Target::Base]
                } else {
                    found
                }
            };
            match children.as_slice() {
                [] => {
                    return Ok(if no_overwalk {
                        Target::Nothing
                    } else {
                        initial
                    });
                }
                [only] => initial = *only,
                _ => return Err(AlembicException::revision_error("Ambiguous walk")),
            }
        }
        Ok(initial)
    }
}
