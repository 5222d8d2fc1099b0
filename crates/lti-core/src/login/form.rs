//! The auto-submitting HTML form used to post a message through the browser [Sec §5.1.1.3, §5.2.1].

use std::fmt::Write as _;

use url::Url;

use crate::html::escape_html;

/// An HTML page that POSTs `fields` to `action` as soon as it loads (with a button for browsers without
/// JavaScript). The action and every field name and value are HTML-escaped (`&`, `<`, `>`, `"`, `'`).
///
/// Used for the authentication response (`id_token`, `state`) and tool-originating messages (`JWT`).
pub fn auto_submit_form(action: &Url, fields: &[(&str, &str)]) -> String {
    let mut html = String::with_capacity(
        512 + fields
            .iter()
            .map(|(n, v)| n.len() + v.len() + 48)
            .sum::<usize>(),
    );
    html.push_str("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Continue</title></head>\n<body>\n");
    let _ = writeln!(
        html,
        "<form method=\"post\" action=\"{}\">",
        escape_html(action.as_str())
    );
    for (name, value) in fields {
        let _ = writeln!(
            html,
            "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
            escape_html(name),
            escape_html(value)
        );
    }
    html.push_str("<noscript><button type=\"submit\">Continue</button></noscript>\n</form>\n");
    html.push_str("<script>document.forms[0].submit();</script>\n</body></html>\n");
    html
}
