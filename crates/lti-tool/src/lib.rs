//! LTI 1.3 tool facade (being written).
#![forbid(unsafe_code)]
