//! JOSE and service security for lti-rs.
#![forbid(unsafe_code)]
