//! The demo course, seeded on first start: `demo-course` with `instructor-1`, `learner-1`, `learner-2` and
//! enough further learners (125 members in all) that rosters page.

use lti_core::role::ContextRole;
use lti_core::{ContextId, Role, UserId};
use lti_nrps::{ContainerContext, Member, Roster as _};

use super::course::{CourseError, Courses, DEMO_COURSE};

/// How many members the demo course has.
pub const DEMO_MEMBERS: usize = 125;

const GIVEN: [&str; 10] = [
    "Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Frances", "Niklaus", "Radia", "Ken",
];
const FAMILY: [&str; 10] = [
    "Lovelace", "Turing", "Hopper", "Dijkstra", "Liskov", "Knuth", "Allen", "Wirth", "Perlman",
    "Thompson",
];

fn member(user: String, given: &str, family: &str, role: ContextRole) -> Member {
    let email = format!("{user}@reference-platform.invalid");
    Member::new(UserId::new(user), [Role::context(role)])
        .with_names(format!("{given} {family}"), given, family)
        .with_email(email)
}

/// The members of the demo course: `instructor-1`, then learners `learner-1` to `learner-124`.
pub fn demo_members() -> Vec<Member> {
    let mut members = vec![member(
        "instructor-1".to_owned(),
        "Ivy",
        "Instructor",
        ContextRole::Instructor,
    )];
    for i in 1..DEMO_MEMBERS {
        let given = GIVEN.get(i % GIVEN.len()).copied().unwrap_or("Sam");
        let family = FAMILY
            .get((i / GIVEN.len()) % FAMILY.len())
            .copied()
            .unwrap_or("Smith");
        members.push(member(
            format!("learner-{i}"),
            given,
            family,
            ContextRole::Learner,
        ));
    }
    members
}

/// Seeds the demo course unless it exists already (later starts keep what is there).
///
/// # Errors
/// A roster failure.
pub async fn seed(courses: &Courses) -> Result<(), CourseError> {
    let roster = courses.roster();
    let id = ContextId::new(DEMO_COURSE);
    if roster.context(&id).await?.is_some() {
        return Ok(());
    }
    for member in demo_members() {
        roster.put_member(&id, &member).await?;
    }
    // the context last: its presence says the seed is complete
    roster
        .put_context(
            &ContainerContext::new(id)
                .with_title("Demo Course")
                .with_label("DEMO-101"),
        )
        .await?;
    roster.flush().await?;
    tracing::info!(
        course = DEMO_COURSE,
        members = DEMO_MEMBERS,
        "seeded the demo course"
    );
    Ok(())
}
