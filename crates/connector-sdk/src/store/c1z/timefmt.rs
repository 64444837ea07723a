//! baton's SQLite timestamp layout: local wall-clock time `YYYY-MM-DD HH:MM:SS.fffffffff`.

use time::OffsetDateTime;
use time::format_description::FormatItem;
use time::macros::format_description;

const LAYOUT: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day] [hour]:[minute]:[second].[subsecond digits:9]");

/// Now, in baton's layout. Falls back to UTC when the local offset cannot be determined
/// (the `time` crate refuses to read it in multi-threaded programs on some platforms).
pub(crate) fn now() -> String {
    format(OffsetDateTime::now_local().unwrap_or_else(|_| OffsetDateTime::now_utc()))
}

/// A time in baton's layout (its wall clock; the offset is not written, as in baton).
pub(crate) fn format(t: OffsetDateTime) -> String {
    t.format(LAYOUT).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn layout() {
        let s = super::now();
        assert_eq!(s.len(), 29, "{s}");
        assert_eq!(&s[10..11], " ");
        assert_eq!(&s[19..20], ".");
    }
}
