//! Property tests of the model: encoding is deterministic and lossless, ids follow baton.

use c1_connector_sdk::ids;
use c1_connector_sdk::model::{
    Entitlement, Grant, GrantSource, GrantSources, Resource, ResourceId, UserTrait,
};
use proptest::prelude::*;
use prost::Message;

fn grant(ty: &str, id: &str, name: &str, slug: &str, email: &str, sources: &[String]) -> Grant {
    let r = Resource::new(ty, id, name)
        .with_description(name)
        .with_user_trait(UserTrait::new().with_email(email, true));
    let e = Entitlement::assignment(&r, slug);
    let mut g = Grant::new(&e, ResourceId::new("user", id));
    if !sources.is_empty() {
        g.sources = Some(GrantSources {
            sources: sources
                .iter()
                .map(|s| {
                    (
                        s.clone(),
                        GrantSource {
                            is_direct: s.len() % 2 == 0,
                        },
                    )
                })
                .collect(),
        });
    }
    g
}

proptest! {
    #[test]
    fn encoding_is_deterministic_and_lossless(
        ty in "[a-z-]{1,12}", id in "\\PC{0,24}", name in "\\PC{0,24}", slug in "[a-z]{1,10}",
        email in "[a-z]{1,8}@[a-z]{1,8}\\.com", sources in proptest::collection::vec("[a-z:]{1,20}", 0..5),
    ) {
        let g = grant(&ty, &id, &name, &slug, &email, &sources);
        let a = g.encode_to_vec();
        // Same value built again (maps in another insertion order) encodes to the same bytes.
        let mut rev = sources.clone();
        rev.reverse();
        let b = grant(&ty, &id, &name, &slug, &email, &rev).encode_to_vec();
        prop_assert_eq!(&a, &b);
        prop_assert_eq!(Grant::decode(a.as_slice()).unwrap(), g.clone());
        prop_assert_eq!(g.id, format!("{ty}:{id}:{slug}:user:{id}"));
    }

    #[test]
    fn resource_type_ids_are_lowercase_dashed(name in "[A-Za-z ]{1,30}") {
        let id = ids::resource_type_id(&name);
        prop_assert!(!id.contains(' '));
        prop_assert_eq!(id.len(), name.len());
        prop_assert_eq!(id.to_lowercase(), id);
    }
}
