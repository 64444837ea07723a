//! Lists that arrive either as a bare JSON array or wrapped in an object.
//!
//! Several endpoints are declared with protobuf's `response_body`, so the server sends the inner
//! list flat (`[...]`) while the API spec documents a wrapper (`{"groups": [...]}`). Both shapes,
//! and `null`, are accepted; decoding goes element by element so a bad element is reported with
//! its JSON path (`[3].loginTime`, `usersAuthHistory[3].loginTime`).

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// Names the wrapper key of a [`ListOrEnvelope`].
pub(crate) trait ListKey {
    /// The key under which the list sits when it is wrapped.
    const KEY: &'static str;
}

/// A list from a bare array, `null`, or `{KEY: [...]}` (other keys ignored; a missing or `null`
/// `KEY` is an empty list).
pub(crate) struct ListOrEnvelope<T, K>(pub(crate) Vec<T>, PhantomData<K>);

impl<T, K> ListOrEnvelope<T, K> {
    pub(crate) fn into_vec(self) -> Vec<T> {
        self.0
    }
}

impl<'de, T: Deserialize<'de>, K: ListKey> Deserialize<'de> for ListOrEnvelope<T, K> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T, K>(PhantomData<(T, K)>);

        impl<'de, T: Deserialize<'de>, K: ListKey> Visitor<'de> for V<T, K> {
            type Value = Vec<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "an array, null, or an object with `{}`", K::KEY)
            }

            fn visit_unit<E: de::Error>(self) -> Result<Vec<T>, E> {
                Ok(Vec::new())
            }

            fn visit_none<E: de::Error>(self) -> Result<Vec<T>, E> {
                Ok(Vec::new())
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
                // The size hint comes from the server; cap it so it cannot reserve huge memory.
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
                while let Some(item) = seq.next_element()? {
                    out.push(item);
                }
                Ok(out)
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<T>, A::Error> {
                let mut found: Option<Vec<T>> = None;
                while let Some(key) = map.next_key::<String>()? {
                    if key == K::KEY {
                        if found.is_some() {
                            return Err(de::Error::duplicate_field(K::KEY));
                        }
                        found = Some(map.next_value::<Option<Vec<T>>>()?.unwrap_or_default());
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(found.unwrap_or_default())
            }
        }

        d.deserialize_any(V::<T, K>(PhantomData))
            .map(|v| ListOrEnvelope(v, PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Items;
    impl ListKey for Items {
        const KEY: &'static str = "items";
    }
    type L = ListOrEnvelope<u8, Items>;

    #[test]
    fn every_shape() {
        for (json, want) in [
            ("[1,2]", vec![1, 2]),
            ("null", vec![]),
            (r#"{"items":[3],"x":{}}"#, vec![3]),
            (r#"{"items":null}"#, vec![]),
            ("{}", vec![]),
        ] {
            assert_eq!(
                serde_json::from_str::<L>(json).unwrap().into_vec(),
                want,
                "{json}"
            );
        }
        for bad in [
            "5",
            r#""x""#,
            r#"{"items":[1],"items":[2]}"#,
            r#"{"items":{}}"#,
            "[300]",
        ] {
            assert!(serde_json::from_str::<L>(bad).is_err(), "{bad}");
        }
    }
}
