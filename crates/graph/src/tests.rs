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

/// A long history's failure and problems are worked out side by side (see
/// `build`): the same answers as on a short one, at the same revisions.
#[test]
fn long_history_reports_what_a_short_one_does() {
    let long = |tail: &[&str]| {
        let mut specs: Vec<String> = vec!["r0".to_owned()];
        specs.extend((1..12_000).map(|i| format!("r{i}:r{}", i - 1)));
        specs.extend(tail.iter().map(|&spec| spec.to_owned()));
        let specs: Vec<&str> = specs.iter().map(String::as_str).collect();
        map(&specs)
    };
    let healthy = long(&[]);
    assert!(healthy.alembic_would_fail().is_none());
    assert!(healthy.problems().is_empty());

    let broken = long(&["r5:r4", "x:zzz"]);
    let failure = broken.alembic_would_fail().expect("a missing parent");
    assert_eq!(
        (failure.exception.kind, failure.exception.message.as_str()),
        (ExceptionKind::KeyError, "'zzz'")
    );
    assert!(broken.problems().iter().any(|problem| matches!(
        problem,
        GraphProblem::DuplicateRevision { revisions, .. } if revisions == &[5, 12_000]
    )));
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

fn upgrade(specs: &[&str]) -> Vec<String> {
    let m = map(specs);
    ids(&m, &m.upgrade_order().expect("upgrade order"))
}

#[test]
fn upgrade_orders_from_the_reference() {
    assert_eq!(upgrade(&["r", "a:r", "b:r"]), ["r", "b", "a"]);
    assert_eq!(upgrade(&["r", "b:r", "a:r"]), ["r", "a", "b"]);
    assert_eq!(upgrade(&["r", "a:r", "b:r", "m:a,b"]), ["r", "b", "a", "m"]);
    assert_eq!(upgrade(&["r", "a:r", "b:r", "m:b,a"]), ["r", "a", "b", "m"]);
    assert_eq!(upgrade(&["m:a,b", "b:r", "a:r", "r"]), ["r", "b", "a", "m"]);
    assert_eq!(
        upgrade(&["x1", "y1", "x2:x1", "y2:y1"]),
        ["y1", "y2", "x1", "x2"]
    );
    assert_eq!(
        upgrade(&["x1", "y1", "x2:x1", "y2:y1", "m:y2,x2"]),
        ["x1", "x2", "y1", "y2", "m"]
    );
    assert_eq!(
        upgrade(&["a1{A}", "a2:a1", "b1{B}", "b2:b1[a2]"]),
        ["a1", "a2", "b1", "b2"]
    );
    assert_eq!(upgrade(&["a1", "b1[a1]"]), ["a1", "b1"]);
    assert_eq!(
        upgrade(&["a1{alpha}", "a2:a1", "b1[alpha]"]),
        ["a1", "b1", "a2"]
    );
    assert_eq!(upgrade(&["a", "b:a", "b:a"]), ["a", "b"]);
    assert_eq!(upgrade(&["a", "b"]), ["b", "a"]);
    assert_eq!(
        upgrade(&["r", "a1:r", "a2:a1", "b1:r", "b2:b1"]),
        ["r", "b1", "b2", "a1", "a2"]
    );
    assert_eq!(
        upgrade(&["r", "a:r", "b:r", "c:a", "m1:c,b", "d:r", "m2:m1,d", "e:m2"]),
        ["r", "b", "d", "a", "c", "m1", "m2", "e"]
    );
}

/// `/work/shared/tools/exp/ident.py`, answered by Alembic 1.20.1.
#[test]
fn identifiers_resolve_like_alembic() {
    let m = map(&[
        "1a2b3c4d{main}",
        "1a2b9999:1a2b3c4d",
        "20000000:1a2b9999",
        "30000000:1a2b3c4d{feature}",
        "31000000:30000000",
    ]);
    let ok = |ident: &str| ids(&m, &m.resolve(ident).expect(ident));
    let err = |ident: &str| {
        let e = m.resolve(ident).expect_err(ident);
        (e.exception().message.clone(), e.message().to_owned())
    };
    assert_eq!(
        err("1a2b").0,
        "Multiple revisions start with '1a2b': '1a2b3c4d', '1a2b9999'..."
    );
    assert_eq!(err("1a2b").1, "Can't locate revision identified by '1a2b'");
    assert_eq!(ok("1a2b3"), ["1a2b3c4d"]);
    assert_eq!(ok("2000"), ["20000000"]);
    assert_eq!(err("zzzz").0, "No such revision or branch 'zzzz'");
    assert_eq!(
        err("zz").0,
        "No such revision or branch 'zz'; please ensure at least four characters are \
         present for partial revision identifier matches"
    );
    assert_eq!(
        err("head").0,
        "Multiple heads are present for given argument 'head'; 20000000, 31000000"
    );
    assert_eq!(
        err("head").1,
        "Multiple head revisions are present for given argument 'head'; please specify a \
         specific target revision, '<branchname>@head' to narrow to a specific head, or \
         'heads' for all heads"
    );
    assert_eq!(ok("heads"), ["20000000", "31000000"]);
    assert!(ok("base").is_empty());
    assert_eq!(
        err("main@head").0,
        "Multiple heads are present for given argument 'main@head'; 20000000, 31000000"
    );
    assert_eq!(ok("feature@head"), ["31000000"]);
    assert_eq!(ok("main@heads"), ["20000000", "31000000"]);
    assert!(ok("feature@base").is_empty());
    assert_eq!(ok("main@1a2b3"), ["1a2b3c4d"]);
    assert_eq!(err("feature@2000").0, "No such revision or branch '2000'");
    assert_eq!(ok("feature"), ["30000000"]);
    assert_eq!(ok("main"), ["1a2b3c4d"]);
    assert_eq!(ok("main@-1"), ["1a2b9999", "30000000"]);
    assert_eq!(ok("-1"), ["1a2b9999", "30000000"]);
    assert!(ok("heads@-1").is_empty());
    assert_eq!(ok("feature@-1"), ["30000000"]);
    assert_eq!(err("nosuch@head").0, "No such revision or branch 'nosuch'");
    assert_eq!(
        err("20000000+1").0,
        "No such revision or branch '20000000+1'"
    );
    // Partial matching also sees labels: 'feat' is the label, not an id.
    assert_eq!(ok("feat"), ["30000000"]);
}

#[test]
fn history_ranges() {
    let m = map(&["a1", "a2:a1", "a3:a2", "b1:a1", "b2:b1"]);
    let range = |r: &str| m.history(Some(r)).map(|revs| ids(&m, &revs));
    assert_eq!(range("a2:").unwrap(), ["a3", "a2"]);
    assert_eq!(range(":a2").unwrap(), ["a2", "a1"]);
    assert_eq!(range("a1:a3").unwrap(), ["a3", "a2", "a1"]);
    assert_eq!(range("base:b2").unwrap(), ["b2", "b1", "a1"]);
    assert_eq!(
        range("a1").unwrap_err().to_string(),
        "FAILED: History range requires [start]:[end], [start]:, or :[end]"
    );
    assert_eq!(
        range("a:b:c").unwrap_err().to_string(),
        "ValueError: too many values to unpack (expected 2)"
    );
    assert_eq!(
        range("b1:a3").unwrap_err().message(),
        "Requested range b1:a3 does not refer to ancestor/descendant revisions along the \
         same branch"
    );
    assert_eq!(
        range(":-1").unwrap_err().message(),
        "Relative revision -1 didn't produce 1 migrations"
    );
    assert_eq!(
        range("nope:").unwrap_err().message(),
        "Can't locate revision identified by 'nope'"
    );
    assert_eq!(
        range(":head").unwrap_err().message(),
        "Multiple head revisions are present for given argument 'head'; please specify a \
         specific target revision, '<branchname>@head' to narrow to a specific head, or \
         'heads' for all heads"
    );
    assert_eq!(m.history(None).unwrap(), m.history(Some(":")).unwrap());
}

#[test]
fn history_range_whose_needs_are_not_closed_crashes_like_alembic() {
    // Alembic's `assert not todo` at the end of `_topological_sort`.
    let m = map(&["X", "x2:X", "h1:X", "h2[x2]"]);
    let e = m.history(Some("X:")).unwrap_err();
    assert_eq!(e.to_string(), "AssertionError");
}

#[test]
fn cycle_missed_by_alembic_is_ordered_or_never_finishes() {
    let m = map(&["a", "b:a,c", "c:b", "d:c"]);
    assert_eq!(ids(&m, &m.history(None).unwrap()), ["d", "c", "b", "a"]);
    let m = map(&["a", "b:a,c", "c:b", "d:c", "e:b"]);
    assert_eq!(
        m.upgrade_order().unwrap_err().exception().kind,
        ExceptionKind::NeverFinishes
    );
    assert!(
        m.problems()
            .iter()
            .any(|p| matches!(p, GraphProblem::Cycle { .. }))
    );
}

#[test]
fn duplicate_below_a_head_makes_alembic_report_an_overlap() {
    let m = map(&["a", "b:a", "a"]);
    assert_eq!(
        m.upgrade_order().unwrap_err().to_string(),
        "FAILED: Requested revision b overlaps with other requested revisions a"
    );
}
