//! Reading the candidates' bytes, in parallel, keeping load order.

use rayon::prelude::*;

use crate::listing::SourceFile;
use crate::tree::Tree;
use crate::walk::Candidate;

/// Read every candidate. One unreadable file is recorded on that file and
/// does not stop the others.
pub(crate) fn read_all(tree: &impl Tree, candidates: Vec<Candidate>) -> Vec<SourceFile> {
    candidates
        .into_par_iter()
        .map(|candidate| {
            let bytes = tree.read(&candidate.path).map_err(Into::into);
            SourceFile {
                path: candidate.path,
                listed_path: candidate.listed_path,
                location: candidate.location,
                kind: candidate.kind,
                bytes,
            }
        })
        .collect()
}
