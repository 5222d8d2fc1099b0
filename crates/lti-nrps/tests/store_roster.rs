#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]
//! `StoreRoster` behaviour, the same cases on `MemoryStore` and `SledStore`: key-ordered pages with exact
//! `next` (checklist N127), role filters (N126), the change log (N128), context isolation, hostile cursors and
//! marks, and the records it refuses.

use std::sync::Arc;
use std::time::Duration;

use lti_core::role::ContextRole;
use lti_core::{ContextId, Role, UserId};
use lti_nrps::{
    ChangeMark, ContainerContext, Cursor, Error, MAX_SCAN_PER_PAGE, Member, MemberStatus,
    PageRequest, Roster, RosterPage, StoreRoster,
};
use lti_storage::{Clock, ManualClock, MemoryStore, SledStore, Store};

struct Fixture {
    clock: Arc<ManualClock>,
    roster: StoreRoster,
    _dir: Option<tempfile::TempDir>,
}

fn memory() -> Fixture {
    let clock = Arc::new(ManualClock::at_unix_seconds(1_800_000_000));
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    Fixture {
        roster: StoreRoster::new(store, clock.clone() as Arc<dyn Clock>),
        clock,
        _dir: None,
    }
}

fn sled() -> Fixture {
    let clock = Arc::new(ManualClock::at_unix_seconds(1_800_000_000));
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(SledStore::open(dir.path()).unwrap());
    Fixture {
        roster: StoreRoster::new(store, clock.clone() as Arc<dyn Clock>),
        clock,
        _dir: Some(dir),
    }
}

fn learner(id: &str) -> Member {
    Member::new(id, [Role::context(ContextRole::Learner)])
}

fn ids(page: &RosterPage) -> Vec<&str> {
    page.members.iter().map(|m| m.user_id.as_str()).collect()
}

async fn seed(f: &Fixture, context: &str, n: usize) {
    let ctx = ContextId::new(context);
    f.roster
        .put_context(&ContainerContext::new(context))
        .await
        .unwrap();
    for i in 0..n {
        let role = if i % 10 == 9 {
            ContextRole::Instructor
        } else {
            ContextRole::Learner
        };
        f.roster
            .put_member(
                &ctx,
                &Member::new(format!("u{i:04}"), [Role::context(role)]),
            )
            .await
            .unwrap();
    }
}

async fn c127_pages_follow_key_order_and_the_last_has_no_next(f: Fixture) {
    seed(&f, "c", 250).await;
    let ctx = ContextId::new("c");
    let mut sizes = Vec::new();
    let mut all = Vec::new();
    let mut after: Option<Cursor> = None;
    loop {
        let mut request = PageRequest::new(100);
        if let Some(cursor) = &after {
            request = request.after(cursor);
        }
        let page = f.roster.members(&ctx, request).await.unwrap();
        sizes.push(page.members.len());
        all.extend(ids(&page).into_iter().map(str::to_owned));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(sizes, [100, 100, 50]);
    let expected: Vec<String> = (0..250).map(|i| format!("u{i:04}")).collect();
    assert_eq!(all, expected);

    // an exact multiple: the second page knows it is the last
    seed(&f, "exact", 200).await;
    let ctx = ContextId::new("exact");
    let first = f.roster.members(&ctx, PageRequest::new(100)).await.unwrap();
    let second = f
        .roster
        .members(
            &ctx,
            PageRequest::new(100).after(first.next.as_ref().unwrap()),
        )
        .await
        .unwrap();
    assert_eq!(second.members.len(), 100);
    assert!(second.next.is_none());
    // a client that upper-cases the URL still gets the same page
    let upper = Cursor::new(first.next.as_ref().unwrap().as_str().to_uppercase()).unwrap();
    let again = f
        .roster
        .members(&ctx, PageRequest::new(100).after(&upper))
        .await
        .unwrap();
    assert_eq!(again, second);
}

async fn c126_role_filter_fills_pages_across_batches(f: Fixture) {
    seed(&f, "c", 1000).await;
    let ctx = ContextId::new("c");
    let instructor = Role::parse("Instructor");
    let mut got = 0;
    let mut pages = 0;
    let mut after: Option<Cursor> = None;
    loop {
        let mut request = PageRequest::new(30).with_role(&instructor);
        if let Some(cursor) = &after {
            request = request.after(cursor);
        }
        let page = f.roster.members(&ctx, request).await.unwrap();
        assert!(page.members.iter().all(|m| m.roles.is_instructor()));
        got += page.members.len();
        pages += 1;
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!((got, pages), (100, 4));
}

async fn contexts_never_see_each_other(f: Fixture) {
    // "a" + "b..." must not run into "ab": keys are length-prefixed
    seed(&f, "a", 3).await;
    f.roster
        .put_member(&ContextId::new("ab"), &learner("other"))
        .await
        .unwrap();
    let page = f
        .roster
        .members(&ContextId::new("a"), PageRequest::new(10))
        .await
        .unwrap();
    assert_eq!(ids(&page), ["u0000", "u0001", "u0002"]);
    let page = f
        .roster
        .members(&ContextId::new("ab"), PageRequest::new(10))
        .await
        .unwrap();
    assert_eq!(ids(&page), ["other"]);
    // a cursor from another context is only a position in this one: it never reads the other context
    let from_a = f
        .roster
        .members(&ContextId::new("a"), PageRequest::new(1))
        .await
        .unwrap();
    let page = f
        .roster
        .members(
            &ContextId::new("ab"),
            PageRequest::new(10).after(from_a.next.as_ref().unwrap()),
        )
        .await
        .unwrap();
    assert!(page.members.is_empty(), "{:?}", ids(&page)); // "other" sorts before "u0000"
    assert!(
        f.roster
            .context(&ContextId::new("nope"))
            .await
            .unwrap()
            .is_none()
    );
}

async fn c128_change_log_is_a_diff_with_deleted_members(f: Fixture) {
    seed(&f, "c", 20).await;
    let ctx = ContextId::new("c");
    f.clock.advance(Duration::from_secs(10));
    let mark = f.roster.change_mark(&ctx).await.unwrap().unwrap();
    f.clock.advance(Duration::from_secs(10));
    // changed twice: listed once, in its latest state
    f.roster
        .put_member(&ctx, &learner("u0001").with_status(MemberStatus::Inactive))
        .await
        .unwrap();
    f.clock.advance(Duration::from_secs(1));
    f.roster.put_member(&ctx, &learner("u0001")).await.unwrap();
    // left, came back, left again
    assert!(
        f.roster
            .remove_member(&ctx, &UserId::new("u0002"))
            .await
            .unwrap()
    );
    f.roster.put_member(&ctx, &learner("u0002")).await.unwrap();
    f.clock.advance(Duration::from_secs(1));
    assert!(
        f.roster
            .remove_member(&ctx, &UserId::new("u0002"))
            .await
            .unwrap()
    );
    assert!(
        !f.roster
            .remove_member(&ctx, &UserId::new("never"))
            .await
            .unwrap()
    );
    f.roster.put_member(&ctx, &learner("z-new")).await.unwrap();

    let changes = f
        .roster
        .changes(&ctx, &mark, PageRequest::new(100))
        .await
        .unwrap();
    let summary: Vec<(&str, &MemberStatus)> = changes
        .members
        .iter()
        .map(|m| (m.user_id.as_str(), &m.status))
        .collect();
    assert_eq!(
        summary,
        [
            ("u0001", &MemberStatus::Active),
            ("u0002", &MemberStatus::Deleted),
            ("z-new", &MemberStatus::Active),
        ]
    );
    assert!(changes.next.is_none());
    // the current roster has no Deleted member and lost u0002
    let now = f.roster.members(&ctx, PageRequest::new(100)).await.unwrap();
    assert_eq!(now.members.len(), 20);
    assert!(
        now.members
            .iter()
            .all(|m| !m.is_deleted() && m.user_id != "u0002")
    );
    // paging through changes
    let first = f
        .roster
        .changes(&ctx, &mark, PageRequest::new(2))
        .await
        .unwrap();
    assert_eq!(first.members.len(), 2);
    let rest = f
        .roster
        .changes(
            &ctx,
            &mark,
            PageRequest::new(2).after(first.next.as_ref().unwrap()),
        )
        .await
        .unwrap();
    assert_eq!(ids(&rest), ["z-new"]);
    assert!(rest.next.is_none());
}

async fn hostile_cursors_and_marks_are_refused(f: Fixture) {
    seed(&f, "c", 3).await;
    let ctx = ContextId::new("c");
    let long = Cursor::new("41".repeat(300)).unwrap(); // 300 bytes: longer than any user id
    for cursor in [Cursor::new("A").unwrap(), Cursor::new("zz").unwrap(), long] {
        let e = f
            .roster
            .members(&ctx, PageRequest::new(10).after(&cursor))
            .await
            .unwrap_err();
        assert!(
            matches!(e, Error::InvalidCursor { param: "after", .. }),
            "{e}"
        );
        assert_eq!(e.status(), 400);
    }
    for mark in ["abc", "99999999999999999999999", "1.5"] {
        let mark = ChangeMark::new(mark).unwrap();
        let e = f
            .roster
            .changes(&ctx, &mark, PageRequest::new(10))
            .await
            .unwrap_err();
        assert!(
            matches!(e, Error::InvalidCursor { param: "since", .. }),
            "{e}"
        );
    }
    // a short changes cursor is refused; one before the mark is clamped to the mark
    f.clock.advance(Duration::from_secs(1));
    let mark = f.roster.change_mark(&ctx).await.unwrap().unwrap();
    let short = Cursor::new("0000").unwrap();
    assert!(
        f.roster
            .changes(&ctx, &mark, PageRequest::new(10).after(&short))
            .await
            .is_err()
    );
    let early = Cursor::new("00000000000000000000").unwrap();
    f.clock.advance(Duration::from_secs(1));
    let page = f
        .roster
        .changes(&ctx, &mark, PageRequest::new(10).after(&early))
        .await
        .unwrap();
    assert!(page.members.is_empty(), "{:?}", ids(&page));
}

async fn records_breaking_a_rule_are_refused(f: Fixture) {
    let ctx = ContextId::new("c");
    for (member, field) in [
        (learner("u").with_status(MemberStatus::Deleted), "status"),
        (learner(""), "user_id"),
        (learner(&"x".repeat(256)), "user_id"),
    ] {
        let e = f.roster.put_member(&ctx, &member).await.unwrap_err();
        assert!(
            matches!(e, Error::InvalidRecord { field: f, .. } if f == field),
            "{e}"
        );
    }
    let e = f
        .roster
        .put_member(&ContextId::new(""), &learner("u"))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::InvalidRecord { .. }));
    // a stored member comes back as written, without a message section
    let mut m = learner("u").with_email("u@example.edu");
    m.message = Some(vec![serde_json::Map::new()]);
    f.roster.put_member(&ctx, &m).await.unwrap();
    let back = f
        .roster
        .member(&ctx, &UserId::new("u"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(back.email.as_deref(), Some("u@example.edu"));
    assert!(back.message.is_none());
    f.roster.flush().await.unwrap();
}

macro_rules! per_backend {
    ($($case:ident),* $(,)?) => {
        mod on_memory {
            use super::*;
            $(#[tokio::test] async fn $case() { super::$case(memory()).await; })*
        }
        mod on_sled {
            use super::*;
            $(#[tokio::test] async fn $case() { super::$case(sled()).await; })*
        }
    };
}

per_backend!(
    c127_pages_follow_key_order_and_the_last_has_no_next,
    c126_role_filter_fills_pages_across_batches,
    contexts_never_see_each_other,
    c128_change_log_is_a_diff_with_deleted_members,
    hostile_cursors_and_marks_are_refused,
    records_breaking_a_rule_are_refused,
);

/// A filter that matches nothing for more than [`MAX_SCAN_PER_PAGE`] entries answers a short page with a
/// `next` link instead of scanning the whole roster in one request.
#[tokio::test]
async fn c126_a_sparse_role_filter_scans_a_bounded_number_of_entries_per_page() {
    let f = memory();
    let ctx = ContextId::new("c");
    for i in 0..MAX_SCAN_PER_PAGE + 500 {
        f.roster
            .put_member(&ctx, &learner(&format!("l{i:06}")))
            .await
            .unwrap();
    }
    f.roster
        .put_member(
            &ctx,
            &Member::new("z-teacher", [Role::context(ContextRole::Instructor)]),
        )
        .await
        .unwrap();
    let instructor = Role::context(ContextRole::Instructor);
    let first = f
        .roster
        .members(&ctx, PageRequest::new(10).with_role(&instructor))
        .await
        .unwrap();
    assert!(first.members.is_empty());
    let next = first.next.expect("a short page still links to the rest");
    let second = f
        .roster
        .members(
            &ctx,
            PageRequest::new(10).with_role(&instructor).after(&next),
        )
        .await
        .unwrap();
    assert_eq!(ids(&second), ["z-teacher"]);
    assert!(second.next.is_none());
}
