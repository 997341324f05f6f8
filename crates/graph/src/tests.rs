//! Unit tests of the map against cases verified with Alembic 1.20.1
//! (`/work/shared/tools/exp/*.py` and the reference, section 5.1).

use crate::{ExceptionKind, GraphProblem, RevIdx, RevisionInput, RevisionMap};

/// `id:down1,down2[dep1,dep2]{label1,label2}`; `-` for a base.
pub(crate) fn rev(spec: &str) -> RevisionInput {
    let (head, labels) = match spec.split_once('{') {
        Some((h, l)) => (
            h,
            l.trim_end_matches('}')
                .split(',')
                .map(str::to_owned)
                .collect(),
        ),
        None => (spec, Vec::new()),
    };
    let (head, deps) = match head.split_once('[') {
        Some((h, d)) => (
            h,
            d.trim_end_matches(']')
                .split(',')
                .map(str::to_owned)
                .collect(),
        ),
        None => (head, Vec::new()),
    };
    let (id, down) = head.split_once(':').unwrap_or((head, "-"));
    let down_revisions = if down == "-" {
        Vec::new()
    } else {
        down.split(',').map(str::to_owned).collect()
    };
    RevisionInput {
        id: id.to_owned(),
        down_revisions,
        depends_on: deps,
        branch_labels: labels,
        hash_ordered: false,
    }
}

pub(crate) fn map(specs: &[&str]) -> RevisionMap {
    RevisionMap::build(specs.iter().map(|s| rev(s)).collect())
}

pub(crate) fn ids(map: &RevisionMap, revs: &[RevIdx]) -> Vec<String> {
    revs.iter()
        .map(|&r| map.revisions()[r].id.clone())
        .collect()
}

#[test]
fn heads_and_bases_with_dependencies() {
    let m = map(&["a1{A}", "a2:a1", "b1{B}", "b2:b1[a2]"]);
    assert_eq!(ids(&m, m.heads()), ["a2", "b2"]);
    assert_eq!(ids(&m, m.real_heads()), ["b2"]);
    assert_eq!(ids(&m, m.bases()), ["a1", "b1"]);
    assert_eq!(ids(&m, m.real_bases()), ["a1", "b1"]);
    assert!(m.alembic_would_fail().is_none());
    assert!(m.problems().is_empty());
    let depends_head = map(&["a1", "b1[a1]"]);
    assert_eq!(ids(&depends_head, depends_head.real_bases()), ["a1"]);
    assert_eq!(ids(&depends_head, depends_head.bases()), ["a1", "b1"]);
}

#[test]
fn duplicate_ids_count_every_copy() {
    let m = map(&["a", "b:a", "b:a"]);
    assert_eq!(ids(&m, m.heads()), ["b", "b"]);
    assert_eq!(m.lookup("b"), Some(2));
    let m = map(&["a", "x", "b:a", "b:x"]);
    assert_eq!(ids(&m, m.heads()), ["a", "b", "b"]);
    assert!(
        matches!(&m.problems()[0], GraphProblem::DuplicateRevision { revisions, .. } if revisions == &[2, 3])
    );
}

#[test]
fn label_propagation_follows_alembic() {
    let label_of = |m: &RevisionMap, id: &str| m.branch_labels(m.lookup(id).unwrap()).to_vec();
    // chain r→a→L→t: everything gets X.
    let m = map(&["r", "a:r", "L:a{X}", "t:L"]);
    for id in ["r", "a", "L", "t"] {
        assert_eq!(label_of(&m, id), ["X"], "{id}");
    }
    // plus r→o: r is a branch point, so r and o stay unlabelled.
    let m = map(&["r", "a:r", "L:a{X}", "t:L", "o:r"]);
    assert_eq!(label_of(&m, "a"), ["X"]);
    assert!(label_of(&m, "r").is_empty());
    assert!(label_of(&m, "o").is_empty());
    // a merge above L: only L and its descendants.
    let m = map(&["r", "L:r{X}", "x:L", "y:L", "m:x,y"]);
    assert!(label_of(&m, "r").is_empty());
    assert_eq!(label_of(&m, "m"), ["X"]);
    // a parent with a dependent child does not get the label.
    let m = map(&["r", "L:r{X}", "d[r]"]);
    assert!(label_of(&m, "r").is_empty());
    // base label A plus B higher up: {A, B} everywhere.
    let m = map(&["r{A}", "s:r", "t:s{B}", "u:t"]);
    assert_eq!(label_of(&m, "r"), ["A", "B"]);
    assert_eq!(label_of(&m, "u"), ["A", "B"]);
}

#[test]
fn fatal_errors_in_alembic_order() {
    let fail = |specs: &[&str]| {
        let m = map(specs);
        let f = m
            .alembic_would_fail()
            .cloned()
            .unwrap_or_else(|| panic!("{specs:?} does not fail"));
        (f.exception.kind, f.exception.message)
    };
    assert_eq!(
        fail(&["a:a"]),
        (
            ExceptionKind::LoopDetected,
            "Self-loop is detected in revisions (a)".into()
        )
    );
    assert_eq!(
        fail(&["abc[abc]"]),
        (
            ExceptionKind::DependencyLoopDetected,
            "Dependency self-loop is detected in revisions (abc)".into()
        )
    );
    let bad = RevisionMap::build(vec![RevisionInput {
        id: "a:b+c".into(),
        ..RevisionInput::default()
    }]);
    assert_eq!(
        bad.alembic_would_fail().unwrap().exception.message,
        "Character(s) '+, :' not allowed in revision identifier 'a:b+c'"
    );
    assert_eq!(
        fail(&["a", "b:zzz"]),
        (ExceptionKind::KeyError, "'zzz'".into())
    );
    assert_eq!(
        fail(&["a", "b:a[nope]"]),
        (ExceptionKind::KeyError, "'nope'".into())
    );
    assert_eq!(
        fail(&["a{L}", "b:L"]),
        (ExceptionKind::KeyError, "'L'".into())
    );
    assert_eq!(
        fail(&["a{L}", "b:L", "c:b[a]"]).1,
        "Dependency resolution failed; broken map"
    );
    assert_eq!(
        fail(&["a[L]{L}"]).1,
        "Dependency cycle is detected in revisions (a)"
    );
    assert_eq!(
        fail(&["a", "x:zz{L}", "x:a"]),
        (ExceptionKind::KeyError, "'zz'".into())
    );
    assert_eq!(
        fail(&["a", "b[]"]).1,
        "Dependency cycle is detected in revisions (b)"
    );
    // No head at all: every id, in map order.
    assert_eq!(
        fail(&["a", "b:a,c", "c:b"]).1,
        "Cycle is detected in revisions (a, b, c)"
    );
    // Alembic's check misses a cycle reachable from both heads and bases.
    assert!(
        map(&["a", "b:a,c", "c:b", "d:c"])
            .alembic_would_fail()
            .is_none()
    );
    assert_eq!(fail(&["a", "b:a,e", "c:b", "e:c", "d:x"]).1, "'x'");
    assert_eq!(
        fail(&["a", "b:a", "c:b,d", "d:c", "z"]).1,
        "Cycle is detected in revisions (a, b, c, d)"
    );
    assert_eq!(
        fail(&["a:b", "b:a"]).1,
        "Cycle is detected in revisions (a, b)"
    );
    assert_eq!(
        fail(&["a", "b:a[c]", "c:b"]).1,
        "Dependency cycle is detected in revisions (a, b, c)"
    );
    assert_eq!(
        fail(&["a{x}", "b:a{x}"]).1,
        "Branch name 'x' in revision b already used by revision a"
    );
    assert_eq!(
        fail(&["a", "b:a{a}"]).1,
        "Branch name 'a' in revision b already used by revision a"
    );
    assert!(map(&[]).alembic_would_fail().is_none());
}
