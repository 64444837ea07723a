//! Turning untrusted response text into something safe to put in an error: short, on one line,
//! with anything that looks like a credential removed.
//!
//! Error messages end up in logs. A proxy's error page or a misbehaving server can send megabytes,
//! control characters, or even echo the request's `Authorization` header back, so nothing from a
//! body reaches an error without passing through here.

/// The longest body excerpt kept in an error, in bytes.
pub(crate) const EXCERPT_BYTES: usize = 300;
/// The longest decoded field (error description, message, decode detail) kept, in bytes.
pub(crate) const FIELD_BYTES: usize = 1024;
/// How much of a non-JSON body is looked at when building an excerpt (finding the `<title>` of a
/// large page does not need the whole page).
const SCAN_BYTES: usize = 64 * 1024;
/// What replaces a credential.
const REDACTED: &str = "[redacted]";

/// Cuts `s` to at most `max` bytes on a char boundary, marking a cut with `…`.
pub(crate) fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let ellipsis = '…';
    let budget = max.saturating_sub(ellipsis.len_utf8());
    let mut end = budget.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    let mut out = String::with_capacity(end + ellipsis.len_utf8());
    out.push_str(&s[..end]);
    out.push(ellipsis);
    out
}

/// Collapses every run of whitespace and control characters into one space, and trims.
pub(crate) fn one_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len().min(SCAN_BYTES));
    let mut pending_space = false;
    for c in s.chars() {
        if c.is_whitespace() || c.is_control() {
            pending_space = !out.is_empty();
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    }
    out
}

/// Removes every occurrence of the given secrets, and the token after any `Bearer ` (in any
/// case), so an echoed `Authorization` header never survives.
pub(crate) fn redact(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_owned();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        if out.contains(secret) {
            out = out.replace(secret, REDACTED);
        }
    }
    redact_bearer(&out)
}

fn redact_bearer(text: &str) -> String {
    // ASCII lowercasing keeps byte offsets identical, so indices found in `lower` apply to `text`.
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut from = 0;
    while let Some(found) = lower.get(from..).and_then(|rest| rest.find("bearer")) {
        let keyword_end = from + found + "bearer".len();
        let token_start = keyword_end
            + text
                .get(keyword_end..)
                .map_or(0, |rest| rest.len() - rest.trim_start().len());
        let token_len = text.get(token_start..).map_or(0, |rest| {
            rest.find(|c: char| c.is_whitespace() || matches!(c, '<' | '"' | '\'' | ',' | ';'))
                .unwrap_or(rest.len())
        });
        if token_start > keyword_end && token_len > 0 {
            out.push_str(text.get(copied..token_start).unwrap_or_default());
            out.push_str(REDACTED);
            copied = token_start + token_len;
        }
        from = keyword_end.max(copied);
    }
    out.push_str(text.get(copied..).unwrap_or_default());
    out
}

/// True when the body looks like an HTML document (a proxy's or gateway's error page).
pub(crate) fn looks_like_html(body: &[u8]) -> bool {
    let start = body.iter().position(|b| !b.is_ascii_whitespace());
    let Some(head) = start.and_then(|i| body.get(i..)) else {
        return false;
    };
    let head = head.get(..head.len().min(256)).unwrap_or(head);
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    head.starts_with("<!doctype html")
        || head.starts_with("<html")
        || head.starts_with("<head")
        || head.starts_with("<body")
        || head.starts_with("<title")
        || head.starts_with("<!--")
        || (head.starts_with('<') && head.contains("<html"))
}

/// A short, safe summary of a non-JSON body: the `<title>` of an HTML page when it has one,
/// otherwise the text with tags removed; on one line, redacted and at most [`EXCERPT_BYTES`].
pub(crate) fn body_excerpt(body: &[u8], secrets: &[&str]) -> String {
    let scanned = body.get(..body.len().min(SCAN_BYTES)).unwrap_or(body);
    let text = String::from_utf8_lossy(scanned);
    let html = looks_like_html(scanned);
    let summary = if html {
        html_title(&text).unwrap_or_else(|| strip_tags(&text))
    } else {
        text.into_owned()
    };
    // Redact before cutting, so a secret straddling the cut cannot leave a prefix behind.
    truncate(&one_line(&redact(&summary, secrets)), EXCERPT_BYTES)
}

/// The text of the first `<title>` element, if any and not blank.
fn html_title(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let open = lower.find("<title")?;
    let content_start = open + lower.get(open..)?.find('>')? + 1;
    let content_len = lower.get(content_start..)?.find("</title")?;
    let title = text.get(content_start..content_start + content_len)?;
    let title = one_line(title);
    (!title.is_empty()).then_some(title)
}

/// Drops tags, and the content of `<script>` and `<style>` elements.
fn strip_tags(text: &str) -> String {
    // One lowercase copy with the same byte offsets (ASCII lowercasing), searched in linear time.
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len().min(SCAN_BYTES));
    let mut pos = 0;
    while let Some(lt) = lower.get(pos..).and_then(|rest| rest.find('<')) {
        let tag_start = pos + lt;
        out.push_str(text.get(pos..tag_start).unwrap_or_default());
        out.push(' ');
        let tag = lower.get(tag_start..).unwrap_or_default();
        let skip_to = if tag.starts_with("<script") {
            "</script>"
        } else if tag.starts_with("<style") {
            "</style>"
        } else {
            ">"
        };
        match tag.find(skip_to) {
            Some(end) => pos = tag_start + end + skip_to.len(),
            None => return out,
        }
    }
    out.push_str(text.get(pos..).unwrap_or_default());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncate_respects_char_boundaries() {
        assert_eq!(truncate("abc", 3), "abc");
        let t = truncate("ééééé", 6);
        assert!(t.len() <= 6, "{t}");
        assert!(t.ends_with('…'));
        assert_eq!(truncate("abcdef", 0), "…");
    }

    #[test]
    fn one_line_collapses_whitespace_and_controls() {
        assert_eq!(one_line("  a\r\n\t b\u{0}\u{1b}c  "), "a b c");
    }

    #[test]
    fn redacts_secrets_and_bearer_tokens() {
        let page = "Authorization: Bearer P2x:K2secret\nX: K2secret, bearer\tabc; BEARER <b>";
        let r = redact(page, &["K2secret"]);
        assert!(!r.contains("K2secret"), "{r}");
        assert!(!r.contains("abc"), "{r}");
        assert!(!r.contains("P2x"), "{r}");
        assert!(r.contains("BEARER <b>"), "{r}");
        assert_eq!(redact("bearer", &[]), "bearer");
        assert_eq!(redact("", &[""]), "");
    }

    #[test]
    fn html_excerpt_is_the_title() {
        let page = b"<!DOCTYPE html>\n<html><head><title>502 Bad\n Gateway</title></head><body>x</body></html>";
        assert!(looks_like_html(page));
        assert_eq!(body_excerpt(page, &[]), "502 Bad Gateway");
        let untitled =
            b"<html><script>var k=1;</script><body><h1>Forbidden</h1> go away</body></html>";
        assert_eq!(body_excerpt(untitled, &[]), "Forbidden go away");
    }

    #[test]
    fn excerpt_is_bounded() {
        let big = "<html><body>".to_owned() + &"é".repeat(100_000);
        assert!(body_excerpt(big.as_bytes(), &[]).len() <= EXCERPT_BYTES);
        assert!(body_excerpt(&[0xff; 10_000], &[]).len() <= EXCERPT_BYTES);
    }

    proptest::proptest! {
        #[test]
        fn helpers_never_panic(s in "\\PC{0,200}", raw in proptest::collection::vec(proptest::num::u8::ANY, 0..400), max in 0usize..64) {
            let _ = truncate(&s, max);
            proptest::prop_assert!(truncate(&s, max).len() <= max.max('…'.len_utf8()));
            let _ = one_line(&s);
            let _ = redact(&s, &["K2", ""]);
            let _ = body_excerpt(&raw, &["K2"]);
            let _ = body_excerpt(s.as_bytes(), &[]);
            let _ = looks_like_html(&raw);
            proptest::prop_assert!(body_excerpt(&raw, &[]).len() <= EXCERPT_BYTES);
        }

        #[test]
        fn redacted_secret_never_survives(prefix in "\\PC{0,50}", suffix in "\\PC{0,50}") {
            let secret = "K2supersecretvalue";
            let text = format!("{prefix}{secret}{suffix}");
            proptest::prop_assert!(!redact(&text, &[secret]).contains(secret));
            let html = format!("<html><body>{prefix} Bearer P:{secret} {suffix}</body></html>");
            proptest::prop_assert!(!body_excerpt(html.as_bytes(), &[]).contains(secret));
        }
    }
}
