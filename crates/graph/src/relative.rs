//! Relative targets: Alembic's `_relative_destination` regex and its
//! `_parse_upgrade_target` / `_parse_downgrade_target`, ported line by line.
//!
//! The regex is `(?:(.+?)@)?(\w+)?((?:\+|-)\d+)`, applied with `re.match`:
//! anchored at the start, not at the end, so `ab+1xyz` means `ab+1`.

use crate::error::AlembicException;
use crate::map::Target;
use crate::resolve::{Ident, Lineage, Query, Raised, WalkStart};
use alembic_doctor_pystr as pystr;

/// The groups of a `_relative_destination` match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Relative<'a> {
    pub(crate) branch: Option<&'a str>,
    pub(crate) symbol: Option<&'a str>,
    /// The signed number as written (`+2`, `-1`).
    pub(crate) steps: &'a str,
}

/// `_relative_destination.match(text)`, with Python's backtracking order:
/// the optional `label@` group is tried first, at each `@` from the left
/// (`.` does not match a newline), then without it.
pub(crate) fn match_relative(text: &str) -> Option<Relative<'_>> {
    for (at, _) in text.match_indices('@') {
        if at == 0 || text[..at].contains('\n') {
            continue;
        }
        if let Some((symbol, relative)) = match_tail(&text[at + 1..]) {
            return Some(Relative {
                branch: Some(&text[..at]),
                symbol,
                steps: relative,
            });
        }
    }
    match_tail(text).map(|(symbol, steps)| Relative {
        branch: None,
        symbol,
        steps,
    })
}

/// `(\w+)?((?:\+|-)\d+)` at the start of `text`. Backtracking into `\w+`
/// cannot help: a shorter word is followed by a word character, not a sign.
fn match_tail(text: &str) -> Option<(Option<&str>, &str)> {
    let word_end = text
        .char_indices()
        .find(|&(_, c)| !pystr::is_word_char(c))
        .map_or(text.len(), |(i, _)| i);
    let rest = &text[word_end..];
    if !(rest.starts_with('+') || rest.starts_with('-')) {
        return None;
    }
    let digits_end = rest[1..]
        .char_indices()
        .find(|&(_, c)| !pystr::is_digit(c))
        .map_or(rest.len() - 1, |(i, _)| i);
    if digits_end == 0 {
        return None;
    }
    let symbol = (word_end > 0).then(|| &text[..word_end]);
    Some((symbol, &rest[..=digits_end]))
}

/// `int(relative)` of a matched group (sign and ASCII digits).
fn relative_int(relative: &str) -> i64 {
    pystr::parse_int(relative).unwrap_or(0)
}

/// `current_revisions` / `lower` of Alembic's collectors: a string, an empty
/// tuple, a tuple of ids (a database's stamped revisions), or `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lower<'a> {
    Str(&'a str),
    Empty,
    Many(&'a [String]),
    None,
}

impl<'a> Lower<'a> {
    /// `util.to_tuple(x)`, where `None` stays `None` (`default=None`).
    fn to_tuple(self) -> Option<Vec<Option<&'a str>>> {
        match self {
            Lower::Str(s) => Some(vec![Some(s)]),
            Lower::Empty => Some(Vec::new()),
            Lower::Many(ids) => Some(ids.iter().map(|id| Some(id.as_str())).collect()),
            Lower::None => None,
        }
    }

    pub(crate) fn ident(self) -> Ident<'a> {
        match self {
            Lower::Str(s) => Ident::Str(s),
            Lower::Empty => Ident::Many(Vec::new()),
            Lower::Many(ids) => Ident::Many(ids.to_vec()),
            Lower::None => Ident::None,
        }
    }
}

fn ident_of(items: &[Option<&str>]) -> Vec<Ident<'static>> {
    items
        .iter()
        .map(|i| match i {
            Some(s) => Ident::Many(vec![(*s).to_owned()]),
            None => Ident::None,
        })
        .collect()
}

impl Query<'_> {
    fn get_revisions_of(&self, items: &[Option<&str>]) -> Result<Vec<Target>, Raised> {
        let mut out = Vec::new();
        for ident in ident_of(items) {
            out.extend(self.get_revisions(&ident)?);
        }
        Ok(out)
    }

    /// `_parse_upgrade_target(current_revisions, target, assert_relative_length)`.
    pub(crate) fn parse_upgrade_target(
        &self,
        current: Lower<'_>,
        target: &str,
        assert_relative_length: bool,
    ) -> Result<Vec<Target>, Raised> {
        let Some(m) = match_relative(target) else {
            return self.get_revisions(&Ident::Str(target));
        };
        let relative = relative_int(m.steps);
        if relative <= 0 {
            let Some(symbol) = m.symbol else {
                return Err(AlembicException::revision_error(format!(
                    "Relative revision {relative} didn't produce {} migrations",
                    relative.unsigned_abs()
                )));
            };
            let start = match m.branch {
                None => self.get_revision(Some(symbol))?,
                Some(b) => self.get_revision(Some(&format!("{b}@{symbol}")))?,
            };
            return Ok(vec![self.walk(
                &WalkStart::At(start.map_or(Target::Nothing, Target::Revision)),
                relative,
                None,
                assert_relative_length,
            )?]);
        }
        if let Some(symbol) = m.symbol {
            let start = self.get_revision(Some(symbol))?;
            return Ok(vec![self.walk(
                &WalkStart::At(start.map_or(Target::Nothing, Target::Revision)),
                relative,
                m.branch,
                assert_relative_length,
            )?]);
        }
        let mut current_tuple = current.to_tuple().unwrap_or_default();
        if current_tuple.is_empty() {
            current_tuple = vec![None];
        }
        let mut start_revs: Vec<WalkStart> = current_tuple
            .iter()
            .map(|c| match c {
                Some(s) => WalkStart::Str((*s).to_owned()),
                None => WalkStart::At(Target::Nothing),
            })
            .collect();
        if let Some(branch) = m.branch {
            let revs = self.get_revisions_of(&current_tuple)?;
            let on_branch = self.filter_for_lineage(lineage_of(&revs), Some(branch))?;
            start_revs = on_branch.iter().map(walk_start_of).collect();
            if start_revs.is_empty() {
                // Backtrack to the tips of the branch's active revisions.
                let starts: Vec<_> = revs
                    .iter()
                    .filter_map(|t| match t {
                        Target::Revision(r) => Some(*r),
                        _ => None,
                    })
                    .collect();
                if revs.len() != starts.len() {
                    return Err(AlembicException::assertion());
                }
                let ancestors = self.ancestors(&starts, true);
                let active = self.filter_for_lineage(
                    ancestors.into_iter().map(Lineage::Obj).collect(),
                    Some(branch),
                )?;
                let active: Vec<usize> = active
                    .iter()
                    .filter_map(|t| match t {
                        Lineage::Obj(o) => Some(*o),
                        Lineage::Key(k) => self.map.map_lookup(k),
                        Lineage::Nothing => None,
                    })
                    .collect();
                let below: std::collections::HashSet<&str> = active
                    .iter()
                    .flat_map(|&r| self.map.norm_down_objs[r].iter().map(|&p| self.map.id(p)))
                    .collect();
                let mut tips: Vec<&str> = active
                    .iter()
                    .map(|&r| self.map.id(r))
                    .filter(|id| !below.contains(id))
                    .collect();
                tips.sort_unstable();
                tips.dedup();
                start_revs = tips
                    .into_iter()
                    .map(|id| WalkStart::Str(id.to_owned()))
                    .collect();
                if start_revs.is_empty() {
                    start_revs = vec![WalkStart::At(Target::Nothing)];
                }
            }
        }
        if start_revs.len() > 1 {
            return Err(AlembicException::revision_error(
                "Ambiguous upgrade from multiple current revisions",
            ));
        }
        let start = start_revs.swap_remove(0);
        match self.walk(&start, relative, m.branch, assert_relative_length)? {
            Target::Nothing => Err(AlembicException::revision_error(format!(
                "Relative revision {} didn't produce {} migrations",
                m.steps,
                relative.unsigned_abs()
            ))),
            rev => Ok(vec![rev]),
        }
    }

    /// `_parse_downgrade_target(current_revisions, target, ...)`: the branch
    /// label and the target.
    pub(crate) fn parse_downgrade_target(
        &self,
        current: Lower<'_>,
        target: Option<&str>,
        assert_relative_length: bool,
    ) -> Result<(Option<String>, Target), Raised> {
        let Some(target) = target else {
            return Ok((None, Target::Nothing));
        };
        if let Some(m) = match_relative(target) {
            let rel = relative_int(m.steps);
            if rel >= 0 {
                let Some(symbol) = m.symbol else {
                    return Err(AlembicException::revision_error(format!(
                        "Relative revision {} didn't produce {} migrations",
                        m.steps,
                        rel.unsigned_abs()
                    )));
                };
                let rev = self.walk(
                    &WalkStart::Str(symbol.to_owned()),
                    rel,
                    m.branch,
                    assert_relative_length,
                )?;
                if rev == Target::Nothing {
                    return Err(AlembicException::revision_error("Walked too far"));
                }
                return Ok((m.branch.map(str::to_owned), rev));
            }
            let relative_revision = m.symbol.is_none();
            let mut branch = m.branch.map(str::to_owned);
            let symbol: String = match m.symbol {
                Some(s) => s.to_owned(),
                None => {
                    if let Some(b) = m.branch.filter(|b| !b.is_empty()) {
                        let current_tuple = current.to_tuple().unwrap_or_default();
                        let keys = current_tuple
                            .iter()
                            .map(|c| {
                                c.map_or_else(
                                    || Err(AlembicException::assertion()),
                                    |s| Ok(Lineage::Key(s.to_owned())),
                                )
                            })
                            .collect::<Result<Vec<_>, _>>()?;
                        let mut symbols = self.filter_for_lineage(keys, Some(b))?;
                        if symbols.is_empty() {
                            let all = self.all_current(&current_tuple)?;
                            symbols = self.filter_for_lineage(lineage_of(&all), Some(b))?;
                        }
                        match symbols.as_slice() {
                            [only] if *only != Lineage::Nothing => self.lineage_key(only),
                            _ => return Err(AlembicException::assertion()),
                        }
                    } else {
                        let current_tuple = current.to_tuple().unwrap_or_default();
                        let Some(first) = current_tuple.first() else {
                            return Err(AlembicException::revision_error(format!(
                                "Relative revision {} didn't produce {} migrations",
                                m.steps,
                                rel.unsigned_abs()
                            )));
                        };
                        // (Alembic warns here when several differ.)
                        let first = first.ok_or_else(AlembicException::assertion)?.to_owned();
                        branch = Some(first.clone());
                        first
                    }
                }
            };
            let start = match &branch {
                None => self.get_revision(Some(&symbol))?,
                Some(b) => self.get_revision(Some(&format!("{b}@{symbol}")))?,
            };
            let rev = self.walk(
                &WalkStart::At(start.map_or(Target::Nothing, Target::Revision)),
                rel,
                None,
                assert_relative_length,
            )?;
            if rev == Target::Nothing {
                return Err(AlembicException::revision_error(if relative_revision {
                    format!(
                        "Relative revision {} didn't produce {} migrations",
                        m.steps,
                        rel.unsigned_abs()
                    )
                } else {
                    "Walked too far".to_owned()
                }));
            }
            return Ok((branch, rev));
        }
        let (branch, symbol) = match target.rfind('@') {
            Some(at) => (Some(&target[..at]), &target[at + 1..]),
            None => (None, target),
        };
        let branch = branch.filter(|b| !b.is_empty()).map(str::to_owned);
        let rev = self.get_revision(Some(symbol))?;
        Ok((branch, rev.map_or(Target::Nothing, Target::Revision)))
    }

    /// `_get_all_current`: the given revisions and their ancestors, reduced
    /// to those with no descendant among them.
    fn all_current(&self, ids: &[Option<&str>]) -> Result<Vec<Target>, Raised> {
        let tops = self.get_revisions_of(ids)?;
        let mut revs = Vec::new();
        for t in &tops {
            match t {
                Target::Revision(r) => revs.push(*r),
                _ => return Err(AlembicException::assertion()),
            }
        }
        let mut all = revs.clone();
        all.extend(self.ancestors(&revs, true));
        all.sort_unstable();
        all.dedup();
        let members: std::collections::HashSet<usize> = all.iter().copied().collect();
        let kept = all
            .iter()
            .copied()
            .filter(|&r| {
                !self
                    .descendants(&[r], false)
                    .into_iter()
                    .any(|d| d != r && members.contains(&d))
            })
            .map(Target::Revision)
            .collect();
        Ok(kept)
    }
}

/// `get_revisions` results as `filter_for_lineage` targets: `"base"` is the
/// string Python would try to resolve.
fn lineage_of(targets: &[Target]) -> Vec<Lineage> {
    targets
        .iter()
        .map(|t| match t {
            Target::Revision(r) => Lineage::Obj(*r),
            Target::Base => Lineage::Key("base".to_owned()),
            Target::Nothing => Lineage::Nothing,
        })
        .collect()
}

fn walk_start_of(t: &Lineage) -> WalkStart {
    match t {
        Lineage::Obj(o) => WalkStart::At(Target::Revision(*o)),
        Lineage::Key(k) => WalkStart::Str(k.clone()),
        Lineage::Nothing => WalkStart::At(Target::Nothing),
    }
}

#[cfg(test)]
mod tests {
    use super::{Relative, match_relative};

    #[test]
    fn regex_matches_like_python() {
        let m = |s| match_relative(s).map(|r: Relative<'_>| (r.branch, r.symbol, r.steps));
        assert_eq!(m("+2"), Some((None, None, "+2")));
        assert_eq!(m("-1"), Some((None, None, "-1")));
        assert_eq!(m("main@+2"), Some((Some("main"), None, "+2")));
        assert_eq!(m("abc-1"), Some((None, Some("abc"), "-1")));
        assert_eq!(m("l@abc+3x"), Some((Some("l"), Some("abc"), "+3")));
        assert_eq!(m("a@b@+1"), Some((Some("a@b"), None, "+1")));
        assert_eq!(m("@+1"), None);
        assert_eq!(m("heads"), None);
        assert_eq!(m("abc+"), None);
        assert_eq!(m("x y+1"), None);
    }
}
