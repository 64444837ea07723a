//! Compact, exact sets of strings, for syncs of millions of objects.
//!
//! A `HashSet<String>` of a million 28-byte ids costs about 130 MB: each string is its own
//! allocation (a 24-byte header, the bytes rounded up by the allocator), and the table holds the
//! headers. [`InternSet`] keeps the bytes of every member in shared 1 MiB blocks, 12 bytes of
//! position per member and a table of 4-byte member numbers: about the members' own bytes plus
//! 20 bytes each (56 MB for the same million), and nothing is ever copied as it grows. Lookups
//! are exact (the bytes are compared), so a set never mistakes one member for another.
//!
//! ```
//! use c1_connector_sdk::compact::InternSet;
//!
//! let mut ids = InternSet::new();
//! let (alice, new) = ids.insert_str("U2alice");
//! assert!(new);
//! assert_eq!(ids.insert_str("U2alice"), (alice, false));
//! assert_eq!(ids.find_str("U2alice"), Some(alice));
//! assert_eq!(ids.find_str("U2bob"), None);
//! assert_eq!(ids.get_str(alice), "U2alice");
//! assert_eq!(ids.len(), 1);
//! ```

use std::hash::BuildHasher;

use hashbrown::HashTable;

/// Bytes per block of the arena (a larger member gets a block of its own).
const BLOCK: usize = 1 << 20;

/// Where a member's bytes are: block, offset in it, length.
#[derive(Debug, Clone, Copy)]
struct Span {
    block: u32,
    start: u32,
    len: u32,
}

/// Append-only storage of byte strings in large blocks.
#[derive(Debug, Default)]
struct Arena {
    blocks: Vec<Vec<u8>>,
}

impl Arena {
    fn push(&mut self, bytes: &[u8]) -> Span {
        let fits = self
            .blocks
            .last()
            .is_some_and(|b| b.capacity() - b.len() >= bytes.len());
        if !fits {
            self.blocks.push(Vec::with_capacity(BLOCK.max(bytes.len())));
        }
        let block = self.blocks.len() - 1;
        let b = &mut self.blocks[block];
        let start = b.len();
        b.extend_from_slice(bytes);
        Span {
            block: u32::try_from(block).unwrap_or(u32::MAX),
            start: u32::try_from(start).unwrap_or(u32::MAX),
            len: u32::try_from(bytes.len()).unwrap_or(u32::MAX),
        }
    }

    fn get(&self, s: Span) -> &[u8] {
        let start = s.start as usize;
        &self.blocks[s.block as usize][start..start + s.len as usize]
    }

    fn bytes(&self) -> usize {
        self.blocks.iter().map(Vec::capacity).sum()
    }
}

/// An exact set of byte strings, numbered `0, 1, 2...` in insertion order (see the module docs).
#[derive(Debug, Default)]
pub struct InternSet {
    arena: Arena,
    spans: Vec<Span>,
    table: HashTable<u32>,
    hasher: foldhash::fast::RandomState,
}

impl InternSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Adds `key` unless it is a member: its number, and whether it was added.
    ///
    /// # Panics
    ///
    /// Past `u32::MAX` members (4 billion).
    pub fn insert(&mut self, key: &[u8]) -> (u32, bool) {
        let hash = self.hasher.hash_one(key);
        let Self {
            arena,
            spans,
            table,
            hasher,
        } = self;
        if let Some(&n) = table.find(hash, |&n| arena.get(spans[n as usize]) == key) {
            return (n, false);
        }
        let n = u32::try_from(spans.len()).expect("fewer than 2^32 members");
        spans.push(arena.push(key));
        table.insert_unique(hash, n, |&m| hasher.hash_one(arena.get(spans[m as usize])));
        (n, true)
    }

    /// The number of `key`, if it is a member.
    pub fn find(&self, key: &[u8]) -> Option<u32> {
        let hash = self.hasher.hash_one(key);
        self.table
            .find(hash, |&n| self.arena.get(self.spans[n as usize]) == key)
            .copied()
    }

    /// Whether `key` is a member.
    pub fn contains(&self, key: &[u8]) -> bool {
        self.find(key).is_some()
    }

    /// The member numbered `n`.
    ///
    /// # Panics
    ///
    /// When `n` is not a member's number.
    pub fn get(&self, n: u32) -> &[u8] {
        self.arena.get(self.spans[n as usize])
    }

    /// [`InternSet::insert`] for a string.
    pub fn insert_str(&mut self, key: &str) -> (u32, bool) {
        self.insert(key.as_bytes())
    }

    /// [`InternSet::find`] for a string.
    pub fn find_str(&self, key: &str) -> Option<u32> {
        self.find(key.as_bytes())
    }

    /// The member numbered `n`, as a string (members added with [`InternSet::insert_str`]).
    ///
    /// # Panics
    ///
    /// When `n` is not a member's number, or the member is not UTF-8.
    pub fn get_str(&self, n: u32) -> &str {
        std::str::from_utf8(self.get(n)).expect("a member added as a string")
    }

    /// Bytes held (blocks, positions and table), for reports.
    pub fn heap_bytes(&self) -> usize {
        self.arena.bytes()
            + self.spans.capacity() * std::mem::size_of::<Span>()
            + self.table.capacity() * (std::mem::size_of::<u32>() + 1)
    }
}

/// Append-only strings numbered in insertion order, stored like [`InternSet`]'s members but
/// without the lookup table (display names, for example, which are never looked up).
///
/// ```
/// use c1_connector_sdk::compact::StrList;
///
/// let mut names = StrList::new();
/// let n = names.push("Ada Lovelace");
/// assert_eq!(names.get(n), "Ada Lovelace");
/// ```
#[derive(Debug, Default)]
pub struct StrList {
    arena: Arena,
    spans: Vec<Span>,
}

impl StrList {
    /// An empty list.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends `s`; its number.
    ///
    /// # Panics
    ///
    /// Past `u32::MAX` strings.
    pub fn push(&mut self, s: &str) -> u32 {
        let n = u32::try_from(self.spans.len()).expect("fewer than 2^32 strings");
        self.spans.push(self.arena.push(s.as_bytes()));
        n
    }

    /// The string numbered `n`.
    ///
    /// # Panics
    ///
    /// When `n` is not a string's number.
    pub fn get(&self, n: u32) -> &str {
        std::str::from_utf8(self.arena.get(self.spans[n as usize])).expect("pushed as a string")
    }

    /// Number of strings.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_members_across_blocks() {
        let mut set = InternSet::new();
        let keys: Vec<String> = (0..200_000).map(|i| format!("user:U2{i:026}")).collect();
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(set.insert_str(k), (i as u32, true));
        }
        assert!(set.arena.blocks.len() > 1, "several blocks");
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(set.insert_str(k), (i as u32, false));
            assert_eq!(set.find_str(k), Some(i as u32));
            assert_eq!(set.get_str(i as u32), k);
        }
        assert_eq!(set.find_str("user:U2"), None);
        assert_eq!(set.find_str(""), None);
        assert_eq!(set.len(), keys.len());
        // Members' bytes plus about 20 bytes each.
        let per_member = set.heap_bytes() / keys.len();
        assert!(
            per_member < keys[0].len() + 40,
            "{per_member} bytes a member"
        );
    }

    #[test]
    fn empty_and_large_members() {
        let mut set = InternSet::new();
        let big = "x".repeat(3 * BLOCK);
        assert_eq!(set.insert_str(""), (0, true));
        assert_eq!(set.insert_str(&big), (1, true));
        assert_eq!(set.insert_str("after"), (2, true));
        assert_eq!(set.get_str(1), big);
        assert_eq!(set.find_str(""), Some(0));
        assert_eq!(set.find_str("after"), Some(2));

        let mut list = StrList::new();
        assert_eq!(list.push(&big), 0);
        assert_eq!(list.push("b"), 1);
        assert_eq!((list.get(0).len(), list.get(1)), (big.len(), "b"));
    }
}
