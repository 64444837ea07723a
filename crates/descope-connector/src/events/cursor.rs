//! The feed's cursor: a settled horizon, the keys of the records delivered after it, and a hint
//! of how long a time window fits one audit page. Always under baton's 4,096 bytes.

use std::collections::{BTreeSet, HashMap};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use c1_connector_sdk::error::Error;
use descope_mgmt::Audit;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The most record keys a cursor holds: 360 keys of 8 bytes are 3,840 base64 characters, and
/// the rest of the cursor stays under 60 bytes, so the cursor stays under baton's 4,096-byte
/// limit ([`c1_connector_sdk::connector::MAX_CURSOR_BYTES`]).
pub(crate) const MAX_KEYS: usize = 360;

/// A record's key: 8 bytes of the SHA-256 of its id (or of its content, for a record without
/// one). Two records share a key with a probability of about 1 in 2^64 per pair; among the few
/// hundred records a cursor remembers at once, that never happens in practice.
pub(crate) type Key = [u8; 8];

/// Where a listing resumes (see the module documentation of [`super`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Cursor {
    /// Epoch milliseconds: every record that occurred before this was delivered.
    pub(crate) horizon: i64,
    /// Keys of the records delivered that occurred at or after `horizon`.
    pub(crate) keys: BTreeSet<Key>,
    /// How long a time window last fitted one audit page, in milliseconds (0: unknown).
    pub(crate) span: i64,
}

/// The cursor as written: `{"v":2,"h":<ms>,"k":"<keys, base64url>","s":<ms>}`.
#[derive(Serialize, Deserialize)]
struct Wire {
    v: u32,
    h: i64,
    #[serde(default)]
    k: String,
    #[serde(default)]
    s: i64,
}

/// The cursor of the first version: `{"t": <ms>, "ids": [...]}` (every record before `t`
/// delivered, and those at `t` listed by id).
#[derive(Deserialize)]
struct WireV1 {
    t: i64,
    ids: BTreeSet<String>,
}

impl Cursor {
    /// A cursor at `horizon` with nothing delivered after it.
    pub(crate) fn at(horizon: i64) -> Self {
        Cursor {
            horizon,
            ..Cursor::default()
        }
    }

    pub(crate) fn parse(s: &str) -> Result<Cursor, Error> {
        let bad = || {
            Error::invalid_argument(format!(
                "'{s}' is not a Descope event feed cursor; start again without one (or with a start time)"
            ))
        };
        if let Ok(w) = serde_json::from_str::<Wire>(s) {
            if w.v != 2 {
                return Err(bad());
            }
            let bytes = URL_SAFE_NO_PAD.decode(&w.k).map_err(|_| bad())?;
            if bytes.len() % 8 != 0 {
                return Err(bad());
            }
            let keys = bytes
                .chunks_exact(8)
                .map(|c| {
                    let mut k = [0u8; 8];
                    k.copy_from_slice(c);
                    k
                })
                .collect();
            return Ok(Cursor {
                horizon: w.h,
                keys,
                span: w.s.max(0),
            });
        }
        // A cursor of the first version resumes exactly: its records at `t` are keyed by id.
        let v1: WireV1 = serde_json::from_str(s).map_err(|_| bad())?;
        Ok(Cursor {
            horizon: v1.t,
            keys: v1.ids.iter().map(|id| id_key(id)).collect(),
            span: 0,
        })
    }

    pub(crate) fn encode(&self) -> String {
        let mut bytes = Vec::with_capacity(self.keys.len() * 8);
        for k in &self.keys {
            bytes.extend_from_slice(k);
        }
        let wire = Wire {
            v: 2,
            h: self.horizon,
            k: URL_SAFE_NO_PAD.encode(bytes),
            s: self.span,
        };
        serde_json::to_string(&wire).unwrap_or_default()
    }
}

fn sha8(parts: &[&[u8]]) -> Key {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    let d = h.finalize();
    let mut k = [0u8; 8];
    k.copy_from_slice(&d[..8]);
    k
}

fn id_key(id: &str) -> Key {
    sha8(&[b"id", id.as_bytes()])
}

/// The content of a record without an id, canonically: everything Descope sends about it.
fn content(a: &Audit) -> Vec<u8> {
    let v = serde_json::json!([
        a.action,
        a.occurred,
        a.user_id,
        a.actor_id,
        a.project_id,
        a.kind,
        a.device,
        a.method,
        a.geo,
        a.remote_address,
        a.login_ids,
        a.tenants,
        a.data,
    ]);
    serde_json::to_vec(&v).unwrap_or_default()
}

/// The keys of `records` (one answer's, or several read together), in their order: by id, or,
/// for a record without one, by content and by how many records of the same content came before
/// it (identical records are interchangeable: the n-th of them keeps its key whenever read).
pub(crate) fn keys_of(records: &[Audit]) -> Vec<Key> {
    let mut seen: HashMap<Vec<u8>, u64> = HashMap::new();
    records
        .iter()
        .map(|a| {
            if a.id.is_empty() {
                let c = content(a);
                let n = seen.entry(c.clone()).or_insert(0);
                let k = sha8(&[b"content", &c, &n.to_le_bytes()]);
                *n += 1;
                k
            } else {
                id_key(&a.id)
            }
        })
        .collect()
}

/// The event id of a record: its id, or `k` and its key for a record without one.
pub(crate) fn event_id(a: &Audit, key: &Key) -> String {
    if a.id.is_empty() {
        format!("k{}", URL_SAFE_NO_PAD.encode(key))
    } else {
        a.id.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn audit(id: &str, occurred: i64, user: &str) -> Audit {
        let mut a = Audit::default();
        a.id = id.to_owned();
        a.occurred = occurred;
        a.user_id = user.to_owned();
        a.action = "UserModified".to_owned();
        a
    }

    #[test]
    fn a_full_cursor_stays_under_batons_limit_and_round_trips() {
        let mut c = Cursor::at(i64::MIN);
        c.span = i64::MAX;
        for i in 0..MAX_KEYS {
            c.keys.insert(id_key(&format!("A{i}")));
        }
        let s = c.encode();
        assert!(
            s.len() <= c1_connector_sdk::connector::MAX_CURSOR_BYTES,
            "{} bytes",
            s.len()
        );
        assert!(s.len() > 3_800, "near the limit: {} bytes", s.len());
        assert_eq!(Cursor::parse(&s).unwrap(), c);
    }

    #[test]
    fn first_version_cursors_still_resume() {
        let c = Cursor::parse(r#"{"t":1700000000000,"ids":["A1","A2"]}"#).unwrap();
        assert_eq!(c.horizon, 1_700_000_000_000);
        assert_eq!(c.keys, [id_key("A1"), id_key("A2")].into_iter().collect());
        for bad in [
            "",
            "{}",
            "nope",
            r#"{"v":3,"h":1}"#,
            r#"{"v":2,"h":1,"k":"!!"}"#,
        ] {
            assert!(Cursor::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn records_without_ids_get_stable_content_keys() {
        let a = audit("", 5, "U1");
        let b = audit("", 5, "U2");
        let k1 = keys_of(&[a.clone(), b.clone(), a.clone()]);
        // Identical records are told apart by their rank; the same records read again (or with
        // others around them) keep their keys.
        assert_eq!(k1.len(), 3);
        assert!(k1[0] != k1[1] && k1[0] != k1[2]);
        let k2 = keys_of(&[b.clone(), a.clone(), audit("X", 1, "U3"), a.clone()]);
        assert_eq!((k2[0], k2[1], k2[3]), (k1[1], k1[0], k1[2]));
        assert_eq!(keys_of(&[audit("A1", 5, "U1")])[0], id_key("A1"));
        assert!(event_id(&a, &k1[0]).starts_with('k'));
        assert_eq!(event_id(&audit("A1", 5, "U1"), &k1[0]), "A1");
    }
}
