//! OIDC login (being written)
