//! Reading the candidates' bytes, in parallel, keeping load order.

use rayon::prelude::*;

use crate::listing::{ReadError, SourceFile};
use crate::tree::Tree;
use crate::walk::Candidate;

/// Read every candidate. One unreadable file is recorded on that file and
/// does not stop the others.
pub(crate) fn read_all(tree: &impl Tree, candidates: Vec<Candidate>) -> Vec<SourceFile> {
    candidates
        .into_par_iter()
        .map(|candidate| {
            let bytes = tree.read(&candidate.path).map_err(Into::into);
            candidate.with_bytes(bytes)
        })
        .collect()
}

impl Candidate {
    /// The source file: this candidate with its bytes (or why they could
    /// not be read).
    pub fn with_bytes(self, bytes: Result<Vec<u8>, ReadError>) -> SourceFile {
        SourceFile {
            path: self.path,
            listed_path: self.listed_path,
            location: self.location,
            kind: self.kind,
            bytes,
        }
    }
}
