//! Tolerant decoding helpers: Descope omits fields, sends `null` for empty lists and sometimes
//! encodes 64-bit integers as strings (protobuf JSON). None of that should fail a decode.

use serde::{Deserialize, Deserializer, de};

/// Decodes `null` (or a missing field, with `#[serde(default)]`) as `T::default()`.
pub(crate) fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Decodes an int64 sent as a JSON number, a numeric string, or `null` (as 0).
pub(crate) fn int64<'de, D>(d: D) -> Result<i64, D::Error>
where
    D: Deserializer<'de>,
{
    struct V;
    impl de::Visitor<'_> for V {
        type Value = i64;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an integer, a numeric string or null")
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
            Ok(v)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
            i64::try_from(v).map_err(|_| E::custom("integer out of range for i64"))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<i64, E> {
            // -2^63 is exactly representable and in range; 2^63 (what `i64::MAX as f64` rounds
            // to) is not, so the upper bound is strict.
            const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
            if v.fract() == 0.0 && (-TWO_POW_63..TWO_POW_63).contains(&v) {
                // Checked above: integral and in range, so the cast is exact.
                #[allow(clippy::cast_possible_truncation)]
                Ok(v as i64)
            } else {
                Err(E::custom("expected an integral number"))
            }
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<i64, E> {
            let t = v.trim();
            if t.is_empty() {
                return Ok(0);
            }
            t.parse()
                .map_err(|_| E::custom("expected a numeric string"))
        }
        fn visit_unit<E: de::Error>(self) -> Result<i64, E> {
            Ok(0)
        }
        fn visit_none<E: de::Error>(self) -> Result<i64, E> {
            Ok(0)
        }
    }
    d.deserialize_any(V)
}

/// Like [`int64`] but for unsigned counters (`total`, SCIM `totalResults`); negatives become 0.
pub(crate) fn uint64<'de, D>(d: D) -> Result<u64, D::Error>
where
    D: Deserializer<'de>,
{
    Ok(u64::try_from(int64(d)?).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct T {
        #[serde(deserialize_with = "super::int64")]
        n: i64,
        #[serde(deserialize_with = "super::null_default")]
        v: Vec<String>,
    }

    #[test]
    fn int64_accepts_number_string_and_null() {
        for (json, want) in [
            (r#"{"n":5}"#, 5),
            (r#"{"n":"17"}"#, 17),
            (r#"{"n":null}"#, 0),
            (r#"{"n":3.0}"#, 3),
            (r#"{}"#, 0),
        ] {
            let t: T = serde_json::from_str(json).unwrap();
            assert_eq!(t.n, want, "{json}");
        }
        assert!(serde_json::from_str::<T>(r#"{"n":"x"}"#).is_err());
        // Out of range for i64, as a number, a float or a string: an error, never a wrap.
        for json in [
            r#"{"n":9223372036854775808}"#,
            r#"{"n":9223372036854775808.0}"#,
            r#"{"n":1e300}"#,
            r#"{"n":"9223372036854775808"}"#,
            r#"{"n":"-9223372036854775809"}"#,
            r#"{"n":1.5}"#,
            r#"{"n":[]}"#,
        ] {
            assert!(serde_json::from_str::<T>(json).is_err(), "{json}");
        }
        let t: T = serde_json::from_str(r#"{"n":-9223372036854775808.0}"#).unwrap();
        assert_eq!(t.n, i64::MIN);
        let t: T = serde_json::from_str(r#"{"n":" -12 "}"#).unwrap();
        assert_eq!(t.n, -12);
        assert!(serde_json::from_str::<T>(r#"{"n":true}"#).is_err());
    }

    #[test]
    fn null_list_is_empty() {
        let t: T = serde_json::from_str(r#"{"v":null}"#).unwrap();
        assert!(t.v.is_empty());
    }
}
