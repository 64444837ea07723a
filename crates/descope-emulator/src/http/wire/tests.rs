//! Unit tests of the request decoding: strictness, aliases, and `null` as "unset" in every field.

use super::*;

#[test]
fn strict_and_aliases() {
    let r: UpdateRoles = parse(br#"{"identifier":"a","roleNames":["x"]}"#).unwrap();
    assert_eq!(r.login_id, "a");
    let e = parse::<UpdateRoles>(br#"{"loginId":"a","bogus":1}"#).unwrap_err();
    assert_eq!(e.code, "E011003");
    assert!(e.message.contains("bogus"));
    let s: SearchUsers =
        parse(br#"{"fromCreatedTime":"1700000000000","sort":null,"limit":5}"#).unwrap();
    assert_eq!(s.from_created_time, Some(Int64(1_700_000_000_000)));
    assert_eq!(s.limit, Some(5));
    let _: SearchUsers = parse(b"").unwrap();
}

/// The field names a derived `Deserialize` declares, captured from its `deserialize_struct`
/// call, so the test below covers every field, including ones added later.
fn field_names<T: DeserializeOwned>() -> &'static [&'static str] {
    struct Capture<'a>(&'a mut &'static [&'static str]);
    impl<'de> Deserializer<'de> for Capture<'_> {
        type Error = de::value::Error;
        fn deserialize_any<V: de::Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
            Err(de::Error::custom("not a struct"))
        }
        fn deserialize_struct<V: de::Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            *self.0 = fields;
            Err(de::Error::custom("captured"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
            byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map enum
            identifier ignored_any
        }
    }
    let mut fields: &'static [&'static str] = &[];
    let _ = T::deserialize(Capture(&mut fields));
    assert!(
        !fields.is_empty(),
        "{} has no fields",
        std::any::type_name::<T>()
    );
    fields
}

/// Every field of `T`, one at a time, accepts `null` (and each body is a valid request).
pub(crate) fn each_field_accepts_null<T: DeserializeOwned>() {
    for f in field_names::<T>() {
        let body = format!(r#"{{"{f}":null}}"#);
        if let Err(e) = parse::<T>(body.as_bytes()) {
            panic!(
                "{} rejects {body}: {}",
                std::any::type_name::<T>(),
                e.message
            );
        }
    }
}

#[test]
fn null_is_unset_in_every_field() {
    each_field_accepts_null::<SortField>();
    each_field_accepts_null::<RoleFilter>();
    each_field_accepts_null::<SearchUsers>();
    each_field_accepts_null::<LoadUsers>();
    each_field_accepts_null::<CreateUserTenant>();
    each_field_accepts_null::<FamilyAssociation>();
    each_field_accepts_null::<CreateUser>();
    each_field_accepts_null::<UpdateUser>();
    each_field_accepts_null::<PatchUser>();
    each_field_accepts_null::<DeleteUser>();
    each_field_accepts_null::<UpdateStatus>();
    each_field_accepts_null::<UpdateRoles>();
    each_field_accepts_null::<UpdateTenant>();
    each_field_accepts_null::<CreateTenant>();
    each_field_accepts_null::<SearchTenants>();
    each_field_accepts_null::<DeleteTenant>();
    each_field_accepts_null::<CreateRole>();
    each_field_accepts_null::<SearchRoles>();
    each_field_accepts_null::<UpdateRole>();
    each_field_accepts_null::<DeleteRole>();
    each_field_accepts_null::<CreatePermission>();
    each_field_accepts_null::<UpdatePermission>();
    each_field_accepts_null::<DeletePermission>();
    each_field_accepts_null::<GroupsAll>();
    each_field_accepts_null::<GroupsForMembers>();
    each_field_accepts_null::<GroupMembers>();

    // Null means the default, and unknown fields are still refused.
    let u: CreateUser = parse(br#"{"loginId":"a","phone":null,"roleNames":null}"#).unwrap();
    assert_eq!((u.phone.as_str(), u.role_names.len()), ("", 0));
    let e = parse::<CreateUser>(br#"{"loginId":"a","bogus":null}"#).unwrap_err();
    assert_eq!(e.code, "E011003");
    let s: SearchUsers = parse(br#"{"tenantRoleNames":{"T1":null}}"#).unwrap();
    assert!(s.tenant_role_names.unwrap()["T1"].is_none());
}
