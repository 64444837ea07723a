//! Account lifecycle: invitations, auth history, and the bodies of the smaller lifecycle
//! endpoints (delete by user id, batch delete, logout, SSO app assignment, test users).

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::list::{ListKey, ListOrEnvelope};
use super::{CreateUserRequest, de, setters};

/// How an invitation is delivered, for [`crate::Users::invite`]. Unset fields follow the
/// project's settings.
///
/// ```
/// let opts = descope_mgmt::InviteOptions::new()
///     .invite_url("https://app.acme.io/accept")
///     .send_mail(true)
///     .locale("en");
/// assert_eq!(opts.send_mail, Some(true));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct InviteOptions {
    /// The page the invitation links to (otherwise the one configured in the console).
    pub invite_url: Option<String>,
    /// Send the invitation by email (unset: per project settings).
    pub send_mail: Option<bool>,
    /// Send the invitation by SMS (unset: per project settings).
    pub send_sms: Option<bool>,
    /// Message template id.
    pub template_id: Option<String>,
    /// Values for the message template.
    pub template_options: BTreeMap<String, String>,
    /// Locale of the message.
    pub locale: Option<String>,
}

impl InviteOptions {
    /// Project defaults for everything.
    pub fn new() -> Self {
        Self::default()
    }

    /// `req` with `invite: true` and these options laid over its own invitation fields (an
    /// option set here wins; one unset here keeps the request's).
    pub(crate) fn apply(&self, req: &CreateUserRequest) -> CreateUserRequest {
        let mut out = req.clone();
        out.invite = Some(true);
        if let Some(v) = &self.invite_url {
            out.invite_url = Some(v.clone());
        }
        if let Some(v) = self.send_mail {
            out.send_mail = Some(v);
        }
        if let Some(v) = self.send_sms {
            out.send_sms = Some(v);
        }
        if let Some(v) = &self.template_id {
            out.template_id = Some(v.clone());
        }
        if !self.template_options.is_empty() {
            out.template_options = self.template_options.clone();
        }
        if let Some(v) = &self.locale {
            out.locale = Some(v.clone());
        }
        out
    }
}

setters!(InviteOptions {
    opt_str invite_url: String,
    opt send_mail: bool,
    opt send_sms: bool,
    opt_str template_id: String,
    val template_options: BTreeMap<String, String>,
    opt_str locale: String,
});

/// One sign-in of a user, from `POST /v1/mgmt/user/history`.
///
/// How many records come back per user, in what order and how far back, is undocumented.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct UserAuthHistory {
    /// User id.
    #[serde(deserialize_with = "de::null_default")]
    pub user_id: String,
    /// Sign-in time, epoch seconds (inferred from the SDKs' 32-bit type; a number or a numeric
    /// string is accepted).
    #[serde(deserialize_with = "de::int64")]
    pub login_time: i64,
    /// City.
    #[serde(deserialize_with = "de::null_default")]
    pub city: String,
    /// Country.
    #[serde(deserialize_with = "de::null_default")]
    pub country: String,
    /// IP address.
    #[serde(deserialize_with = "de::null_default")]
    pub ip: String,
    /// The tenant selected at sign-in.
    #[serde(deserialize_with = "de::null_default")]
    pub selected_tenant: String,
}

impl UserAuthHistory {
    /// The sign-in time; `None` when the record has none (`loginTime` 0 or absent).
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// let h: descope_mgmt::UserAuthHistory =
    ///     serde_json::from_str(r#"{"userId":"U1","loginTime":"1700000000"}"#).unwrap();
    /// assert_eq!(h.login_at(), Some(UNIX_EPOCH + Duration::from_secs(1_700_000_000)));
    /// ```
    pub fn login_at(&self) -> Option<SystemTime> {
        let d = Duration::from_secs(self.login_time.unsigned_abs());
        match self.login_time {
            0 => None,
            s if s > 0 => UNIX_EPOCH.checked_add(d),
            _ => UNIX_EPOCH.checked_sub(d),
        }
    }
}

pub(crate) struct UsersAuthHistoryKey;
impl ListKey for UsersAuthHistoryKey {
    const KEY: &'static str = "usersAuthHistory";
}

/// History answers with a bare array (what the SDKs see) or `{"usersAuthHistory": [...]}`
/// (what the API spec says).
pub(crate) type AuthHistoryList = ListOrEnvelope<UserAuthHistory, UsersAuthHistoryKey>;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UserIdBody<'a> {
    pub(crate) user_id: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SsoAppsBody<'a> {
    /// A login id or a user id: Descope accepts either here.
    pub(crate) login_id: &'a str,
    /// Spelled `ssoAppIds` on these endpoints (create and update spell it `ssoAppIDs`).
    pub(crate) sso_app_ids: &'a [String],
}

/// The create body plus `"test": true`, as the official SDKs send to `/user/create/test`.
#[derive(Serialize)]
pub(crate) struct TestUserBody<'a> {
    #[serde(flatten)]
    pub(crate) user: &'a CreateUserRequest,
    pub(crate) test: bool,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn invite_options_override_only_what_they_set() {
        let req = CreateUserRequest::new("a@b.c")
            .email("a@b.c")
            .invite_url("https://old")
            .locale("fr");
        let out = InviteOptions::new()
            .send_sms(false)
            .locale("en")
            .apply(&req);
        assert_eq!(
            serde_json::to_value(out).unwrap(),
            json!({"loginId":"a@b.c","email":"a@b.c","invite":true,"inviteUrl":"https://old",
                "sendSMS":false,"locale":"en"})
        );
    }

    #[test]
    fn history_accepts_both_shapes_and_string_times() {
        let bare: AuthHistoryList =
            serde_json::from_str(r#"[{"userId":"U1","loginTime":"1700000000","ip":null}]"#)
                .unwrap();
        let bare = bare.into_vec();
        assert_eq!(bare[0].login_time, 1_700_000_000);
        assert_eq!(
            bare[0].login_at(),
            Some(UNIX_EPOCH + Duration::from_secs(1_700_000_000))
        );
        let wrapped: AuthHistoryList =
            serde_json::from_str(r#"{"usersAuthHistory":[{"userId":"U2","loginTime":5}]}"#)
                .unwrap();
        assert_eq!(wrapped.into_vec()[0].user_id, "U2");
    }

    #[test]
    fn test_user_body_adds_the_flag() {
        let req = CreateUserRequest::new("t@b.c");
        let body = TestUserBody {
            user: &req,
            test: true,
        };
        assert_eq!(
            serde_json::to_value(body).unwrap(),
            json!({"loginId":"t@b.c","test":true})
        );
    }
}
