//! Single-object answers: a 2xx that promises one user, access key, tenant or application must
//! hold it.
//!
//! Descope answers a load, and every change to one user or key, with the object as it stands
//! afterwards. A 2xx without it (`{}`, `{"user":null}`), with an empty one (`{"user":{}}`, no
//! id), or with another object than the one asked for is not that answer: a proxy, a mock or a
//! misrouted base URL answered instead. Decoding it as an object would let a caller read "the
//! user holds nothing" or "the change is there" from a body that says neither, so every such
//! answer is an error ([`Error::Decode`], [`DecodeIssue::Shape`]) naming the base URL.

use crate::client::Client;
use crate::error::{DecodeIssue, Error};
use crate::models::{AccessKey, OutboundApp, Tenant, ThirdPartyApp, User};

/// An object a single-object answer holds: what it is called and how it is identified.
pub(crate) trait Identified {
    /// What the object is called in messages ("user").
    const KIND: &'static str;
    /// The JSON field the object sits in (`user`), or `.` when it is the whole body.
    const FIELD: &'static str;
    /// Its id (empty when the answer had none).
    fn id(&self) -> &str;
    /// Whether it is the object asked for as `asked`.
    fn is(&self, asked: &str) -> bool {
        self.id() == asked
    }
}

impl Identified for User {
    const KIND: &'static str = "user";
    const FIELD: &'static str = "user";
    fn id(&self) -> &str {
        &self.user_id
    }
    /// The user endpoints take a login id or a user id; Descope compares login ids without
    /// regard to ASCII case (an email's case does not make another user).
    fn is(&self, asked: &str) -> bool {
        self.user_id == asked || self.login_ids.iter().any(|l| l.eq_ignore_ascii_case(asked))
    }
}

impl Identified for AccessKey {
    const KIND: &'static str = "access key";
    const FIELD: &'static str = "key";
    fn id(&self) -> &str {
        &self.id
    }
}

impl Identified for ThirdPartyApp {
    const KIND: &'static str = "third-party application";
    const FIELD: &'static str = ".";
    fn id(&self) -> &str {
        &self.id
    }
}

impl Identified for OutboundApp {
    const KIND: &'static str = "outbound application";
    const FIELD: &'static str = "app";
    fn id(&self) -> &str {
        &self.id
    }
}

impl Identified for Tenant {
    const KIND: &'static str = "tenant";
    const FIELD: &'static str = ".";
    fn id(&self) -> &str {
        &self.id
    }
}

impl Client {
    /// The object of a single-object answer to `endpoint`: present, with an id, and (when
    /// `asked` is given) the one asked for; anything else is an error naming the base URL.
    pub(crate) fn expect_one<T: Identified>(
        &self,
        found: Option<T>,
        endpoint: &str,
        asked: Option<&str>,
    ) -> Result<T, Error> {
        let problem = match found {
            None => format!("holds no {}", T::KIND),
            Some(object) if object.id().is_empty() => format!("holds a {} without an id", T::KIND),
            Some(object) => match asked {
                Some(asked) if !object.is(asked) => format!(
                    "holds {} '{}', not '{asked}' that was asked for",
                    T::KIND,
                    crate::excerpt::truncate(object.id(), crate::excerpt::EXCERPT_BYTES)
                ),
                _ => return Ok(object),
            },
        };
        Err(Error::Decode {
            path: T::FIELD.into(),
            message: format!(
                "the answer to {endpoint} (HTTP 2xx from base URL {}) {problem}: it is not Descope's \
                 answer (check that the base URL points at the Descope API, not a proxy or another \
                 service), and nothing can be concluded from it; load the {} to see its current state",
                self.base_url(),
                T::KIND
            ),
            issue: DecodeIssue::Shape,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::SecretString;

    fn client() -> Client {
        Client::builder()
            .project_id("P2test")
            .management_key(SecretString::from("K2test"))
            .base_url("http://127.0.0.1:9")
            .build()
            .unwrap()
    }

    fn user(id: &str, login: &str) -> User {
        User {
            user_id: id.into(),
            login_ids: vec![login.into()],
            ..User::default()
        }
    }

    #[test]
    fn a_user_answer_must_hold_the_user_asked_for() {
        let c = client();
        let ok = c.expect_one(Some(user("U1", "Ann@Acme.io")), "/v1/mgmt/user", Some("U1"));
        assert_eq!(ok.unwrap().user_id, "U1");
        let by_login = c.expect_one(Some(user("U1", "Ann@Acme.io")), "x", Some("ann@acme.io"));
        assert!(by_login.is_ok());
        for (found, asked, says) in [
            (None, Some("U1"), "holds no user"),
            (Some(User::default()), Some("U1"), "without an id"),
            (
                Some(user("U2", "bob")),
                Some("U1"),
                "holds user 'U2', not 'U1'",
            ),
            (Some(User::default()), None, "without an id"),
        ] {
            let err = c.expect_one(found, "/v1/mgmt/user", asked).unwrap_err();
            let text = err.to_string();
            assert!(text.contains(says), "{text}");
            assert!(
                text.contains("http://127.0.0.1:9"),
                "names the base URL: {text}"
            );
            assert!(!err.is_retryable() && !err.is_not_found());
        }
        assert!(c.expect_one(Some(user("U9", "x")), "create", None).is_ok());
    }

    #[test]
    fn keys_and_tenants_are_compared_by_id_only() {
        let c = client();
        let key = AccessKey {
            id: "K1".into(),
            ..AccessKey::default()
        };
        assert!(c.expect_one(Some(key.clone()), "load", Some("K1")).is_ok());
        assert!(c.expect_one(Some(key), "load", Some("k1")).is_err());
        let tenant = Tenant {
            id: "T1".into(),
            ..Tenant::default()
        };
        assert!(c.expect_one(Some(tenant), "load", Some("T2")).is_err());
    }
}
