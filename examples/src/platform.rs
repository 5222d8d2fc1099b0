//! The reference platform (`reference-platform`): an LMS-shaped axum server built only from the lti-rs crates.
//!
//! One course (`demo-course`) with an instructor, learners and enough members that rosters page; tools register
//! with the Dynamic Registration client-registration JSON (`POST /api/tools`, or `reference-platform tools add`
//! while the server is stopped); a development login (`/launch-as`) signs a person in without a password and
//! starts a launch. The protocol endpoints (authorization, token, JWKS, deep linking return) are the
//! `lti-platform` facade's; this module only holds the LMS around them: the course, its links and grades,
//! sessions, pages and the JSON API.
//!
//! | module | job |
//! |---|---|
//! | [`state`] | opens the data directory: key file, sled store, key ring, facades |
//! | [`registry`] | tool registrations in the store, registration from the DR JSON |
//! | [`course`] | the course, its members, links and line items |
//! | [`seed`] | the demo course on first start |
//! | [`session`] | development sign-in sessions |
//! | [`error`] | the one mapping of failures to pages and JSON |
//! | [`launch`] | `/launch-as`: sign in and start a launch |
//! | [`routes`] | `app(state) -> Router` and the protocol endpoints |
//! | [`pages`] | the HTML pages |
//! | [`api`] | the JSON API |
//! | [`cli`] | the command line |

pub mod api;
pub mod cli;
pub mod course;
pub mod error;
pub mod launch;
pub mod pages;
pub mod registry;
pub mod routes;
pub mod seed;
pub mod session;
pub mod state;

pub use error::AppError;
pub use routes::app;
pub use state::{Endpoints, PlatformState};
