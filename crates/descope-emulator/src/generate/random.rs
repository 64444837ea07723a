//! What every generator draws with: Descope-looking ids, picks from word lists, and the clock
//! base of generated times.

use rand::Rng;

const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Epoch seconds of 2023-11-14: generated creation times count up from here.
pub(crate) const BASE_TIME: i64 = 1_700_000_000;

/// A Descope-looking id: `prefix` followed by random alphanumerics up to `len` characters.
pub(crate) fn random_id(rng: &mut impl Rng, prefix: &str, len: usize) -> String {
    let mut s = String::with_capacity(len);
    s.push_str(prefix);
    while s.len() < len {
        s.push(char::from(ALNUM[rng.random_range(0..ALNUM.len())]));
    }
    s
}

pub(crate) fn pick<'a>(rng: &mut impl Rng, items: &'a [&'a str]) -> &'a str {
    items[rng.random_range(0..items.len())]
}
