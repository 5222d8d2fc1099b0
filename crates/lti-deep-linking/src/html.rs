//! The one HTML helper this crate offers: escaping. It is no sanitiser (checklist J96).

pub use lti_core::html::escape_html;

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
