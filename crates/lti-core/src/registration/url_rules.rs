//! The URL rules shared by both registrations (see the [module docs](super)).

use url::{Host, Url};

use super::{RegistrationError, RegistrationWarning, clip};

/// Whether `url` points at a loopback host: `localhost`, `127.0.0.0/8` or `::1`.
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Parses `value` as an absolute URL that is `https`, or `http` to a loopback host.
pub(crate) fn secure_url(field: &'static str, value: &str) -> Result<Url, RegistrationError> {
    let url = Url::parse(value).map_err(|e| RegistrationError::InvalidUrl {
        field,
        value: clip(value),
        reason: e.to_string(),
    })?;
    check_secure(field, &url)?;
    Ok(url)
}

/// Checks an already parsed URL against the scheme rule.
pub(crate) fn check_secure(field: &'static str, url: &Url) -> Result<(), RegistrationError> {
    if url.host().is_none() {
        return Err(RegistrationError::UnsupportedUrl {
            field,
            value: clip(url.as_str()),
        });
    }
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        "http" => Err(RegistrationError::InsecureUrl {
            field,
            value: clip(url.as_str()),
        }),
        _ => Err(RegistrationError::UnsupportedUrl {
            field,
            value: clip(url.as_str()),
        }),
    }
}

/// Checks an issuer: a secure URL without query or fragment [Sec §5.1.2].
pub(crate) fn check_issuer(value: &str) -> Result<Url, RegistrationError> {
    if value.is_empty() {
        return Err(RegistrationError::EmptyField { field: "issuer" });
    }
    let url = secure_url("issuer", value)?;
    // `Url` drops an empty `?` or `#`, so look at the text as well.
    if url.query().is_some() || url.fragment().is_some() || value.contains(['?', '#']) {
        return Err(RegistrationError::IssuerQueryOrFragment { value: clip(value) });
    }
    Ok(url)
}

/// Checks a redirect URI: a secure absolute URL without fragment.
pub(crate) fn check_redirect_uri(value: &str) -> Result<Url, RegistrationError> {
    let url = secure_url("redirect_uris", value)?;
    if url.fragment().is_some() || value.contains('#') {
        return Err(RegistrationError::RedirectUriFragment { value: clip(value) });
    }
    Ok(url)
}

/// The [`RegistrationWarning::JwksOutsideIssuerDomain`] check.
pub(crate) fn jwks_domain_warning(issuer: &Url, jwks: &Url) -> Option<RegistrationWarning> {
    let (issuer_host, jwks_host) = (issuer.host()?, jwks.host()?);
    let under = match (&issuer_host, &jwks_host) {
        (Host::Domain(issuer), Host::Domain(jwks)) => {
            let issuer = issuer.to_ascii_lowercase();
            let jwks = jwks.to_ascii_lowercase();
            let domain = match issuer.split_once('.') {
                Some((_, parent)) if parent.contains('.') => parent,
                _ => issuer.as_str(),
            };
            jwks == domain
                || jwks
                    .strip_suffix(domain)
                    .is_some_and(|head| head.ends_with('.'))
        }
        (a, b) => a == b,
    };
    (!under).then(|| RegistrationWarning::JwksOutsideIssuerDomain {
        issuer_host: clip(&issuer_host.to_string()),
        jwks_host: clip(&jwks_host.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn loopback_hosts() {
        for s in [
            "http://localhost:8080/",
            "http://LOCALHOST/",
            "http://127.0.0.1/",
            "http://127.9.9.9/",
            "http://[::1]/",
        ] {
            assert!(is_loopback(&url(s)), "{s}");
        }
        for s in [
            "http://localhost.evil.com/",
            "http://10.0.0.1/",
            "http://[::2]/",
            "http://example.com/",
        ] {
            assert!(!is_loopback(&url(s)), "{s}");
        }
    }

    #[test]
    fn jwks_domain_suffix_rule() {
        let ok = [
            (
                "https://canvas.instructure.com",
                "https://sso.instructure.com/jwks",
            ),
            ("https://lms.school.edu", "https://lms.school.edu/jwks"),
            ("https://lms.school.edu", "https://keys.school.edu/jwks"),
            ("https://school.edu", "https://keys.lms.school.edu/jwks"),
            ("http://127.0.0.1:8000", "http://127.0.0.1:9000/jwks"),
        ];
        for (iss, jwks) in ok {
            assert_eq!(
                jwks_domain_warning(&url(iss), &url(jwks)),
                None,
                "{iss} {jwks}"
            );
        }
        let warn = [
            (
                "https://canvas.instructure.com",
                "https://sso.canvaslms.com/jwks",
            ),
            ("https://school.edu", "https://evilschool.edu/jwks"),
            ("https://lms.school.edu", "https://school.edu.evil.com/jwks"),
            ("http://127.0.0.1", "http://localhost/jwks"),
        ];
        for (iss, jwks) in warn {
            assert!(
                jwks_domain_warning(&url(iss), &url(jwks)).is_some(),
                "{iss} {jwks}"
            );
        }
    }
}
