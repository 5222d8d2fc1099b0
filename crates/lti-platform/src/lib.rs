//! LTI 1.3 platform facade (being written).
#![forbid(unsafe_code)]
