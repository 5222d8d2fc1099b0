//! The demo course, seeded on first start: `demo-course` with `instructor-1`, `learner-1`, `learner-2` and
//! enough further learners (125 members in all) that rosters page.

use super::course::{Course, CourseRole, Courses, DEMO_COURSE, Member};

/// How many members the demo course has.
pub const DEMO_MEMBERS: usize = 125;

const GIVEN: [&str; 10] = [
    "Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Frances", "Niklaus", "Radia", "Ken",
];
const FAMILY: [&str; 10] = [
    "Lovelace", "Turing", "Hopper", "Dijkstra", "Liskov", "Knuth", "Allen", "Wirth", "Perlman",
    "Thompson",
];

/// The members of the demo course: the instructor, then learners `learner-1` to `learner-124`.
pub fn demo_members() -> Vec<Member> {
    let name = |i: usize| {
        (
            GIVEN.get(i % GIVEN.len()).copied().unwrap_or("Sam"),
            FAMILY
                .get((i / GIVEN.len()) % FAMILY.len())
                .copied()
                .unwrap_or("Smith"),
        )
    };
    let mut members = vec![Member::new(
        "instructor-1",
        "Ivy",
        "Instructor",
        CourseRole::Instructor,
    )];
    for i in 1..DEMO_MEMBERS {
        let (given, family) = name(i);
        members.push(Member::new(
            format!("learner-{i}"),
            given,
            family,
            CourseRole::Learner,
        ));
    }
    members
}

/// Seeds the demo course unless it exists already (later starts keep what is there).
///
/// # Errors
/// A store failure.
pub async fn seed(courses: &Courses) -> Result<(), lti_storage::Error> {
    if courses.course(DEMO_COURSE).await?.is_some() {
        return Ok(());
    }
    for member in demo_members() {
        courses.put_member(DEMO_COURSE, &member).await?;
    }
    // the course record last: its presence says the seed is complete
    courses
        .put_course(&Course::new(DEMO_COURSE, "Demo Course", "DEMO-101"))
        .await?;
    tracing::info!(
        course = DEMO_COURSE,
        members = DEMO_MEMBERS,
        "seeded the demo course"
    );
    Ok(())
}
