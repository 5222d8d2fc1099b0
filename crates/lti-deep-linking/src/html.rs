//! The one HTML helper this crate offers: escaping. It is no sanitiser (checklist J96).

/// `text` with `& < > " '` replaced by entities, safe in HTML element content and quoted attribute values.
///
/// Use it to show an untrusted `html` item or `embed.html` *as text*. To render the markup itself, run it
/// through a maintained allow-list HTML sanitiser first; this crate deliberately does not ship one.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c96_escape_neutralises_markup() {
        assert_eq!(
            escape_html("<img src=x onerror='a()'>&\""),
            "&lt;img src=x onerror=&#x27;a()&#x27;&gt;&amp;&quot;"
        );
    }
}
