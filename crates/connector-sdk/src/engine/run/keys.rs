//! The set of every resource of a sync, kept compact: at a million users it is most of the
//! engine's memory.

use crate::compact::InternSet;
use crate::model::ResourceId;

/// Resource ids (type, id and the SDK's `baton_resource` flag) in an exact
/// [`InternSet`]: about 55 bytes a resource where a hash set of `ResourceId`s took about 200.
#[derive(Debug, Default)]
pub(super) struct ResourceKeys(InternSet);

/// Keys up to this length are built on the stack.
const STACK_KEY: usize = 192;

/// Calls `f` with the key of `id`: the type's length (a varint), the type, the id and the flag,
/// so no two ids share a key.
fn with_key<R>(id: &ResourceId, f: impl FnOnce(&[u8]) -> R) -> R {
    let (t, r) = (id.resource_type.as_bytes(), id.resource.as_bytes());
    let len = 10 + t.len() + r.len() + 1;
    let fill = |out: &mut dyn FnMut(&[u8])| {
        let mut n = t.len() as u64;
        let mut varint = [0u8; 10];
        let mut i = 0;
        loop {
            let byte = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                varint[i] = byte;
                i += 1;
                break;
            }
            varint[i] = byte | 0x80;
            i += 1;
        }
        out(&varint[..i]);
        out(t);
        out(r);
        out(&[u8::from(id.baton_resource)]);
    };
    if len <= STACK_KEY {
        let mut buf = [0u8; STACK_KEY];
        let mut at = 0;
        fill(&mut |part: &[u8]| {
            buf[at..at + part.len()].copy_from_slice(part);
            at += part.len();
        });
        f(&buf[..at])
    } else {
        let mut buf = Vec::with_capacity(len);
        fill(&mut |part: &[u8]| buf.extend_from_slice(part));
        f(&buf)
    }
}

impl ResourceKeys {
    /// Adds `id`; `false` if it was already there.
    pub(super) fn insert(&mut self, id: &ResourceId) -> bool {
        with_key(id, |k| self.0.insert(k).1)
    }

    /// Whether `id` was added.
    pub(super) fn contains(&self, id: &ResourceId) -> bool {
        with_key(id, |k| self.0.contains(k))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_exact() {
        let mut keys = ResourceKeys::default();
        let a = ResourceId::new("user", "ab");
        // Same bytes split differently between type and id.
        let b = ResourceId::new("usera", "b");
        let long = ResourceId::new("role", "x".repeat(500));
        assert!(keys.insert(&a));
        assert!(!keys.insert(&a));
        assert!(!keys.contains(&b));
        assert!(keys.insert(&b));
        let mut flagged = a.clone();
        flagged.baton_resource = true;
        assert!(!keys.contains(&flagged));
        assert!(keys.insert(&long));
        assert!(keys.contains(&long));
        assert!(keys.contains(&ResourceId::new("user", "ab")));
    }
}
