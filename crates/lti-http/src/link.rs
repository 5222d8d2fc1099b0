//! Web Linking: the HTTP `Link` header [RFC 8288], parsed and written.
//!
//! LTI services page their answers with `Link: <url>; rel="next"` (AGS §3.2.4, NRPS §2.4.2), and real platforms
//! send several links in one header (Canvas: `current`, `next`, `first`, `last`), several `Link` headers, `rel`
//! values in either case and with several space-separated relation types, and parameters the client does not
//! know. [`parse_link_header`] and [`parse_link_headers`] read all of that with the grammar of RFC 8288 §3
//! (quoted strings with escapes, empty list elements, `token` or `quoted-string` values); [`Link`]'s `Display`
//! writes a header value back.
//!
//! The header is hostile input: its length, the number of links and the number of parameters per link are
//! capped ([`MAX_LINK_HEADER_BYTES`], [`MAX_LINKS`], [`MAX_LINK_PARAMS`]), the parser never panics and never
//! indexes, and every error says where parsing stopped and what was expected.

use std::fmt;

/// The longest `Link` header value (all `Link` headers together) accepted, in bytes.
pub const MAX_LINK_HEADER_BYTES: usize = 16 * 1024;

/// The most links accepted in one response.
pub const MAX_LINKS: usize = 64;

/// The most parameters accepted on one link.
pub const MAX_LINK_PARAMS: usize = 16;

/// One link of a `Link` header: a target URI reference and its parameters [RFC 8288 §3].
///
/// Parameter names are kept lower-cased (they are case-insensitive); values as sent, unquoted and unescaped. The
/// target is kept as written (it may be relative: resolve it against the request URL).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Link {
    /// The target URI reference, between `<` and `>`.
    pub target: String,
    /// The parameters in order: name (lower-case) and value (`None` for a bare name).
    pub params: Vec<(String, Option<String>)>,
}

impl Link {
    /// A link to `target` with no parameters.
    pub fn new(target: impl Into<String>) -> Self {
        Self {
            target: target.into(),
            params: Vec::new(),
        }
    }

    /// Adds the relation type `rel` (to the existing `rel` parameter, space separated, or as a new one).
    #[must_use]
    pub fn with_rel(mut self, rel: &str) -> Self {
        let existing = self
            .params
            .iter_mut()
            .find(|(name, _)| name == "rel")
            .and_then(|(_, value)| value.as_mut());
        match existing {
            Some(value) => {
                value.push(' ');
                value.push_str(rel);
            }
            None => self.params.push(("rel".to_owned(), Some(rel.to_owned()))),
        }
        self
    }

    /// Adds the parameter `name="value"` (the name is lower-cased).
    #[must_use]
    pub fn with_param(mut self, name: &str, value: impl Into<String>) -> Self {
        self.params
            .push((name.to_ascii_lowercase(), Some(value.into())));
        self
    }

    /// The first value of the parameter `name` (case-insensitive); later occurrences are ignored, as RFC 8288
    /// §3.3 requires for `rel`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .and_then(|(_, value)| value.as_deref())
    }

    /// The relation types of the link: the space-separated values of its (first) `rel` parameter.
    pub fn rels(&self) -> impl Iterator<Item = &str> {
        self.param("rel")
            .unwrap_or_default()
            .split([' ', '\t'])
            .filter(|rel| !rel.is_empty())
    }

    /// Whether the link has the relation type `rel`, compared case-insensitively [RFC 8288 §2.1.1].
    pub fn has_rel(&self, rel: &str) -> bool {
        self.rels().any(|r| r.eq_ignore_ascii_case(rel))
    }
}

impl fmt::Display for Link {
    /// The link as a `Link` header element: `<target>; name="value"`. Characters that cannot appear between `<`
    /// and `>` (`<`, `>`, `"`, spaces and controls) are percent-encoded; values are quoted with `"` and `\`
    /// escaped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<")?;
        for c in self.target.chars() {
            if c == '<' || c == '>' || c == '"' || c == ' ' || c.is_control() {
                let mut buf = [0u8; 4];
                for byte in c.encode_utf8(&mut buf).bytes() {
                    write!(f, "%{byte:02X}")?;
                }
            } else {
                write!(f, "{c}")?;
            }
        }
        f.write_str(">")?;
        for (name, value) in &self.params {
            write!(f, "; {name}")?;
            if let Some(value) = value {
                f.write_str("=\"")?;
                for c in value.chars() {
                    match c {
                        '"' | '\\' => write!(f, "\\{c}")?,
                        c if c.is_control() => {}
                        c => write!(f, "{c}")?,
                    }
                }
                f.write_str("\"")?;
            }
        }
        Ok(())
    }
}

/// Writes `links` as one `Link` header value, comma separated.
pub fn format_links(links: &[Link]) -> String {
    links
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why a `Link` header could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LinkError {
    /// The header (all `Link` headers together) is longer than [`MAX_LINK_HEADER_BYTES`].
    #[error("`Link` header is {len} bytes long: expected at most {max}")]
    TooLong {
        /// The length found.
        len: usize,
        /// The cap.
        max: usize,
    },
    /// More than [`MAX_LINKS`] links.
    #[error("`Link` header has more than {max} links")]
    TooManyLinks {
        /// The cap.
        max: usize,
    },
    /// A link has more than [`MAX_LINK_PARAMS`] parameters.
    #[error("`Link` header: a link has more than {max} parameters")]
    TooManyParams {
        /// The cap.
        max: usize,
    },
    /// A `Link` header is not visible ASCII (it cannot be read as text).
    #[error("`Link` header is not visible ASCII text")]
    NotText,
    /// The header breaks the RFC 8288 §3 grammar.
    #[error("`Link` header: expected {expected} at byte {at} (found `{found}`)")]
    Malformed {
        /// The byte offset where parsing stopped.
        at: usize,
        /// What the grammar wants there.
        expected: &'static str,
        /// Up to 20 characters from that offset (`end of header` at the end).
        found: String,
    },
}

/// Parses one `Link` header value into its links [RFC 8288 §3].
///
/// Accepts several comma-separated links, empty list elements (`, ,`), optional whitespace around `;`, `,` and
/// `=`, `token` and `quoted-string` values (with `\` escapes), parameters without a value, and extended values
/// (`title*=UTF-8''...`, kept undecoded).
///
/// # Errors
/// [`LinkError::TooLong`], [`LinkError::TooManyLinks`], [`LinkError::TooManyParams`] past the caps;
/// [`LinkError::Malformed`] naming the offset and what was expected (a `<` starting a link, the closing `>`,
/// a parameter name, the closing `"`, a `;` or `,` between items).
pub fn parse_link_header(value: &str) -> Result<Vec<Link>, LinkError> {
    let mut links = Vec::new();
    parse_into(value, &mut links)?;
    Ok(links)
}

/// Parses every `Link` header of `headers` (several headers are one comma-separated list [RFC 9110 §5.3]).
///
/// # Errors
/// As [`parse_link_header`], counting the caps over all headers together; [`LinkError::NotText`] when a header
/// holds bytes that are not visible ASCII.
pub fn parse_link_headers(headers: &http::HeaderMap) -> Result<Vec<Link>, LinkError> {
    let mut links = Vec::new();
    let mut total = 0_usize;
    for value in headers.get_all(http::header::LINK) {
        total = total.saturating_add(value.len());
        if total > MAX_LINK_HEADER_BYTES {
            return Err(LinkError::TooLong {
                len: total,
                max: MAX_LINK_HEADER_BYTES,
            });
        }
        let text = value.to_str().map_err(|_| LinkError::NotText)?;
        parse_into(text, &mut links)?;
    }
    Ok(links)
}

/// The target of the first link in `headers` with relation type `rel` (case-insensitive), if any.
///
/// # Errors
/// As [`parse_link_headers`]: a broken `Link` header is an error, not "no link", so that a client never stops
/// paging silently.
pub fn find_link(headers: &http::HeaderMap, rel: &str) -> Result<Option<String>, LinkError> {
    Ok(parse_link_headers(headers)?
        .into_iter()
        .find(|link| link.has_rel(rel))
        .map(|link| link.target))
}

/// Parses `value` and appends its links to `links`, enforcing the caps over `links` as a whole.
fn parse_into(value: &str, links: &mut Vec<Link>) -> Result<(), LinkError> {
    if value.len() > MAX_LINK_HEADER_BYTES {
        return Err(LinkError::TooLong {
            len: value.len(),
            max: MAX_LINK_HEADER_BYTES,
        });
    }
    let mut cursor = Cursor { text: value, at: 0 };
    loop {
        cursor.skip_ows();
        match cursor.peek() {
            None => return Ok(()),
            Some(b',') => {
                cursor.bump();
                continue;
            }
            Some(_) => {}
        }
        if links.len() >= MAX_LINKS {
            return Err(LinkError::TooManyLinks { max: MAX_LINKS });
        }
        links.push(cursor.link()?);
        cursor.skip_ows();
        match cursor.peek() {
            None => return Ok(()),
            Some(b',') => cursor.bump(),
            Some(_) => return Err(cursor.malformed("`,` between links")),
        }
    }
}

/// A position in the header text. Moves only over ASCII delimiters and whole scanned runs, so every slice it
/// takes is on a character boundary; it reads with `get`, never by index.
struct Cursor<'a> {
    text: &'a str,
    at: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn bump(&mut self) {
        self.at = self.at.saturating_add(1);
    }

    fn skip_ows(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.bump();
        }
    }

    fn malformed(&self, expected: &'static str) -> LinkError {
        let rest = self.text.get(self.at..).unwrap_or_default();
        let found = if rest.is_empty() {
            "end of header".to_owned()
        } else {
            rest.chars().take(20).collect()
        };
        LinkError::Malformed {
            at: self.at,
            expected,
            found,
        }
    }

    /// `"<" URI-Reference ">" *( OWS ";" OWS link-param )`
    fn link(&mut self) -> Result<Link, LinkError> {
        if self.peek() != Some(b'<') {
            return Err(self.malformed("`<` starting a link"));
        }
        self.bump();
        let start = self.at;
        let rest = self.text.get(start..).unwrap_or_default();
        let Some(len) = rest.find('>') else {
            return Err(self.malformed("`>` closing the link target"));
        };
        let target = rest.get(..len).unwrap_or_default();
        if target.contains('<') {
            return Err(self.malformed("a URI reference without `<`"));
        }
        self.at = start.saturating_add(len).saturating_add(1);
        let mut link = Link::new(target.trim());
        loop {
            self.skip_ows();
            if self.peek() != Some(b';') {
                return Ok(link);
            }
            self.bump();
            self.skip_ows();
            // `<a>;` and `<a>; ;rel=x` carry empty parameters: tolerated
            if matches!(self.peek(), None | Some(b',' | b';')) {
                continue;
            }
            if link.params.len() >= MAX_LINK_PARAMS {
                return Err(LinkError::TooManyParams {
                    max: MAX_LINK_PARAMS,
                });
            }
            link.params.push(self.param()?);
        }
    }

    /// `token BWS [ "=" BWS ( token / quoted-string ) ]`
    fn param(&mut self) -> Result<(String, Option<String>), LinkError> {
        let name = self.token();
        if name.is_empty() {
            return Err(self.malformed("a parameter name"));
        }
        let name = name.to_ascii_lowercase();
        self.skip_ows();
        if self.peek() != Some(b'=') {
            return Ok((name, None));
        }
        self.bump();
        self.skip_ows();
        let value = if self.peek() == Some(b'"') {
            self.quoted()?
        } else {
            let value = self.token();
            if value.is_empty() {
                return Err(self.malformed("a parameter value (token or quoted string)"));
            }
            value.to_owned()
        };
        Ok((name, Some(value)))
    }

    /// A run of `tchar` [RFC 9110 §5.6.2] (plus `*`, `'` and `%` for extended values, which are tchars already).
    fn token(&mut self) -> &str {
        let start = self.at;
        while self.peek().is_some_and(is_tchar) {
            self.bump();
        }
        self.text.get(start..self.at).unwrap_or_default()
    }

    /// `DQUOTE *( qdtext / quoted-pair ) DQUOTE`, unescaped.
    fn quoted(&mut self) -> Result<String, LinkError> {
        let open = self.at;
        self.bump();
        let mut out = String::new();
        let rest = self.text.get(self.at..).unwrap_or_default();
        let mut chars = rest.char_indices();
        while let Some((offset, c)) = chars.next() {
            match c {
                '"' => {
                    self.at = self.at.saturating_add(offset).saturating_add(1);
                    return Ok(out);
                }
                '\\' => match chars.next() {
                    Some((_, escaped)) => out.push(escaped),
                    None => break,
                },
                c => out.push(c),
            }
        }
        self.at = open;
        Err(self.malformed("`\"` closing the quoted string"))
    }
}

/// `tchar` of RFC 9110 §5.6.2.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'!' | b'#'
                | b'$'
                | b'%'
                | b'&'
                | b'\''
                | b'*'
                | b'+'
                | b'-'
                | b'.'
                | b'^'
                | b'_'
                | b'`'
                | b'|'
                | b'~'
        )
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
mod tests {
    use super::*;

    fn rel_of(links: &[Link], rel: &str) -> Option<String> {
        links
            .iter()
            .find(|l| l.has_rel(rel))
            .map(|l| l.target.clone())
    }

    #[test]
    fn canvas_header_with_four_links() {
        let header = "<https://canvas.example/api/lti/courses/1/line_items?page=1&per_page=10>; rel=\"current\",\
            <https://canvas.example/api/lti/courses/1/line_items?page=2&per_page=10>; rel=\"next\",\
            <https://canvas.example/api/lti/courses/1/line_items?page=1&per_page=10>; rel=\"first\",\
            <https://canvas.example/api/lti/courses/1/line_items?page=3&per_page=10>; rel=\"last\"";
        let links = parse_link_header(header).unwrap();
        assert_eq!(links.len(), 4);
        assert_eq!(
            rel_of(&links, "next").unwrap(),
            "https://canvas.example/api/lti/courses/1/line_items?page=2&per_page=10"
        );
        assert_eq!(
            rel_of(&links, "last").unwrap(),
            "https://canvas.example/api/lti/courses/1/line_items?page=3&per_page=10"
        );
        assert!(rel_of(&links, "prev").is_none());
    }

    #[test]
    fn moodle_and_rfc_examples() {
        // RFC 8288 §3.5
        let links = parse_link_header(
            "<http://example.com/TheBook/chapter2>; rel=\"previous\"; title=\"previous chapter\"",
        )
        .unwrap();
        assert_eq!(links[0].param("title"), Some("previous chapter"));
        assert!(links[0].has_rel("previous"));
        let links = parse_link_header(
            "</TheBook/chapter2>; rel=\"previous\"; title*=UTF-8'de'letztes%20Kapitel, \
             </TheBook/chapter4>; rel=\"next\"; title*=UTF-8'de'n%c3%a4chstes%20Kapitel",
        )
        .unwrap();
        assert_eq!(links[1].target, "/TheBook/chapter4");
        assert_eq!(
            links[1].param("TITLE*"),
            Some("UTF-8'de'n%c3%a4chstes%20Kapitel")
        );
        // several relation types, any case, unquoted
        let links = parse_link_header(
            "<http://example.org/>; REL=\"start http://example.net/relation/other\"",
        )
        .unwrap();
        assert!(links[0].has_rel("START"));
        assert!(links[0].has_rel("http://example.net/relation/other"));
        let links = parse_link_header("<https://lms.example/x?p=2>;rel=next").unwrap();
        assert!(links[0].has_rel("next"));
    }

    #[test]
    fn several_headers_are_one_list() {
        let mut headers = http::HeaderMap::new();
        headers.append(
            http::header::LINK,
            http::HeaderValue::from_static("<https://a.example/1>; rel=\"first\""),
        );
        headers.append(
            http::header::LINK,
            http::HeaderValue::from_static("<https://a.example/2>; rel=\"next\""),
        );
        assert_eq!(
            find_link(&headers, "NEXT").unwrap().as_deref(),
            Some("https://a.example/2")
        );
        assert_eq!(parse_link_headers(&headers).unwrap().len(), 2);
        assert_eq!(find_link(&http::HeaderMap::new(), "next").unwrap(), None);
    }

    #[test]
    fn quoted_strings_commas_semicolons_and_escapes() {
        let links = parse_link_header(
            r#"<https://a.example/?q=a,b;c>; title="one, two; \"three\" \\"; rel="next", , <b>"#,
        )
        .unwrap();
        assert_eq!(links.len(), 2);
        assert_eq!(links[0].target, "https://a.example/?q=a,b;c");
        assert_eq!(links[0].param("title"), Some(r#"one, two; "three" \"#));
        assert!(links[0].has_rel("next"));
        assert_eq!(links[1].target, "b");
    }

    #[test]
    fn only_the_first_rel_counts() {
        let links = parse_link_header("<a>; rel=prev; rel=next").unwrap();
        assert!(links[0].has_rel("prev"));
        assert!(!links[0].has_rel("next"));
    }

    #[test]
    fn bare_parameters_and_empty_parameters_are_tolerated() {
        let links = parse_link_header("<a>; crossorigin; ; rel = \"next\" ;").unwrap();
        assert_eq!(links[0].params[0], ("crossorigin".to_owned(), None));
        assert!(links[0].has_rel("next"));
    }

    #[test]
    fn malformed_headers_say_where_and_what() {
        for (bad, expected) in [
            ("https://a.example/; rel=next", "`<` starting a link"),
            (
                "<https://a.example/; rel=next",
                "`>` closing the link target",
            ),
            ("<a>; rel=\"next", "`\"` closing the quoted string"),
            ("<a> rel=next", "`,` between links"),
            ("<a>; =next", "a parameter name"),
            ("<a>; rel=", "a parameter value (token or quoted string)"),
            ("<a>; rel=\"x\\", "`\"` closing the quoted string"),
            ("<<a>", "a URI reference without `<`"),
        ] {
            match parse_link_header(bad) {
                Err(LinkError::Malformed { expected: e, .. }) => assert_eq!(e, expected, "{bad}"),
                other => panic!("{bad}: {other:?}"),
            }
        }
        let err = parse_link_header("<a>; rel=next x").unwrap_err();
        assert!(err.to_string().contains("found `x`"), "{err}");
    }

    #[test]
    fn hostile_input_is_bounded_and_never_panics() {
        let long = format!("<{}>", "a".repeat(MAX_LINK_HEADER_BYTES));
        assert!(matches!(
            parse_link_header(&long),
            Err(LinkError::TooLong { .. })
        ));
        let many = "<a>,".repeat(MAX_LINKS + 1);
        assert_eq!(
            parse_link_header(&many),
            Err(LinkError::TooManyLinks { max: MAX_LINKS })
        );
        let params = format!("<a>{}", "; x=1".repeat(MAX_LINK_PARAMS + 1));
        assert_eq!(
            parse_link_header(&params),
            Err(LinkError::TooManyParams {
                max: MAX_LINK_PARAMS
            })
        );
        // multi-byte characters everywhere: no slicing inside a character
        for weird in [
            "<é>; rel=\"é\"",
            "<a>; é=1",
            "<a>; rel=é",
            "é",
            "<a>; rel=\"\u{1F600}\\\u{1F600}\"",
            "<",
            ";",
            "\"",
            "<a>;\"",
            ",,,,",
            "",
        ] {
            let _ = parse_link_header(weird);
        }
        assert_eq!(parse_link_header(",,, ,").unwrap(), vec![]);
        // every prefix of a valid header
        let header = r#"<https://a.example/?x=1>; rel="next prev"; title="a \"b\"", <c>; rel=last"#;
        for end in 0..=header.len() {
            if let Some(prefix) = header.get(..end) {
                let _ = parse_link_header(prefix);
            }
        }
        let mut headers = http::HeaderMap::new();
        headers.append(
            http::header::LINK,
            http::HeaderValue::from_bytes(b"<a\xff>; rel=next").unwrap(),
        );
        assert_eq!(parse_link_headers(&headers), Err(LinkError::NotText));
    }

    #[test]
    fn formatted_links_parse_back() {
        let links = vec![
            Link::new("https://lms.example/lineitems?page=abc&limit=2").with_rel("next"),
            Link::new("https://lms.example/x>y z")
                .with_rel("first")
                .with_rel("prev")
                .with_param("Title", "a \"quoted\" \\ value"),
        ];
        let header = format_links(&links);
        assert_eq!(
            header,
            "<https://lms.example/lineitems?page=abc&limit=2>; rel=\"next\", \
             <https://lms.example/x%3Ey%20z>; rel=\"first prev\"; title=\"a \\\"quoted\\\" \\\\ value\""
        );
        let parsed = parse_link_header(&header).unwrap();
        assert_eq!(parsed[0], links[0]);
        assert_eq!(parsed[1].target, "https://lms.example/x%3Ey%20z");
        assert!(parsed[1].has_rel("prev"));
        assert_eq!(parsed[1].param("title"), Some("a \"quoted\" \\ value"));
    }
}
