//! Reading the `.c1z` written by baton-sdk (tests/fixtures/baton-sample.c1z).

use std::path::PathBuf;

use c1_connector_sdk::model::{Purpose, Trait};
use c1_connector_sdk::store::C1zReader;
use prost::Message;

pub(crate) fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

#[test]
fn reads_baton_sample() {
    let r = C1zReader::open(fixture("baton-sample.c1z")).unwrap();

    let syncs = r.syncs().unwrap();
    assert_eq!(syncs.len(), 1);
    let s = &syncs[0];
    assert_eq!(s.id, "3MYPTyURu9AcZ3QrPwn691uAazk");
    assert_eq!(s.sync_type, "full");
    assert_eq!(s.started_at, "2026-11-24 12:48:59.052553424");
    assert_eq!(s.ended_at.as_deref(), Some("2026-11-24 12:48:59.056915622"));
    assert_eq!(
        r.selected_sync().map(|s| s.id.as_str()),
        Some(s.id.as_str())
    );

    let rts = r.resource_types().unwrap();
    assert_eq!(rts.len(), 1);
    assert_eq!(rts[0].id, "user");
    assert_eq!(rts[0].display_name, "User");
    assert_eq!(rts[0].traits, vec![Trait::User as i32]);

    let rs = r.resources().unwrap();
    let names: Vec<(String, String)> = rs
        .iter()
        .map(|r| (r.resource_id().resource, r.display_name.clone()))
        .collect();
    assert_eq!(
        names,
        vec![
            ("alice".to_owned(), "Alice".to_owned()),
            ("bob".to_owned(), "Bob".to_owned())
        ]
    );
    assert!(rs.iter().all(|r| r.resource_id().resource_type == "user"));

    let es = r.entitlements().unwrap();
    assert_eq!(es.len(), 1);
    let e = &es[0];
    assert_eq!(e.id, "user:alice:manager");
    assert_eq!(e.display_name, "Alice's manager");
    assert_eq!(e.purpose, Purpose::Assignment as i32);
    assert_eq!(e.slug, "manager");
    assert_eq!(e.grantable_to.len(), 1);
    assert_eq!(e.grantable_to[0].id, "user");
    assert_eq!(e.resource_id().resource, "alice");

    let gs = r.grants().unwrap();
    assert_eq!(gs.len(), 1);
    assert_eq!(gs[0].id, "user:alice:manager:user:bob");
    assert_eq!(gs[0].entitlement_id(), "user:alice:manager");
    assert_eq!(gs[0].principal_id().resource, "bob");

    assert!(r.get_entitlement("user:alice:manager").unwrap().is_some());
    assert!(r.get_resource("user", "bob").unwrap().is_some());
    assert!(
        r.get_grant("user:alice:manager:user:bob")
            .unwrap()
            .is_some()
    );
    assert!(r.get_grant("nope").unwrap().is_none());
}

/// Our encoding of what we decoded is byte-for-byte what baton wrote: the field numbers match.
#[test]
fn reencoding_is_byte_identical() {
    let r = C1zReader::open(fixture("baton-sample.c1z")).unwrap();
    let conn = r.connection();
    for (table, decode) in [
        (
            "v1_resource_types",
            reencode::<c1_connector_sdk::model::ResourceType> as fn(&[u8]) -> Vec<u8>,
        ),
        (
            "v1_resources",
            reencode::<c1_connector_sdk::model::Resource>,
        ),
        (
            "v1_entitlements",
            reencode::<c1_connector_sdk::model::Entitlement>,
        ),
        ("v1_grants", reencode::<c1_connector_sdk::model::Grant>),
    ] {
        let mut st = conn.prepare(&format!("SELECT data FROM {table}")).unwrap();
        let blobs: Vec<Vec<u8>> = st
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(!blobs.is_empty());
        for b in blobs {
            assert_eq!(decode(&b), b, "{table}");
        }
    }
}

fn reencode<M: Message + Default>(b: &[u8]) -> Vec<u8> {
    M::decode(b).unwrap().encode_to_vec()
}

#[test]
fn rejects_non_c1z() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.c1z");
    std::fs::write(&p, b"hello world").unwrap();
    assert_eq!(
        C1zReader::open(&p).unwrap_err().code(),
        c1_connector_sdk::error::Code::InvalidArgument
    );
    std::fs::write(&p, b"C1Z3\0rest").unwrap();
    assert_eq!(
        C1zReader::open(&p).unwrap_err().code(),
        c1_connector_sdk::error::Code::Unimplemented
    );
    assert_eq!(
        C1zReader::open(dir.path().join("missing.c1z"))
            .unwrap_err()
            .code(),
        c1_connector_sdk::error::Code::NotFound
    );
}
