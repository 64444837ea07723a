//! Third-party consents, outbound tokens, logouts and second-factor removal.
//!
//! Every change is audited like the API's other changes (the action names are the emulator's:
//! Descope's are undocumented).

use std::collections::HashSet;

use super::{Event, State, now_millis, now_secs, obj};
use crate::error::ApiError;
use crate::grant_records::{ConsentRecord, LogoutRecord, OutboundTokenRecord};

/// What a consent search or delete filters on; unset (`None`, or empty) filters match all.
#[derive(Debug, Default)]
pub(crate) struct ConsentFilter {
    pub(crate) consent_ids: Vec<String>,
    pub(crate) app_id: String,
    pub(crate) user_ids: Vec<String>,
    pub(crate) tenant_id: String,
}

impl ConsentFilter {
    pub(crate) fn is_empty(&self) -> bool {
        self.consent_ids.is_empty()
            && self.app_id.is_empty()
            && self.user_ids.is_empty()
            && self.tenant_id.is_empty()
    }

    fn matches(&self, c: &ConsentRecord) -> bool {
        (self.consent_ids.is_empty() || self.consent_ids.contains(&c.id))
            && (self.app_id.is_empty() || self.app_id == c.app_id)
            && (self.user_ids.is_empty() || self.user_ids.contains(&c.user_id))
            && (self.tenant_id.is_empty() || self.tenant_id == c.tenant_id)
    }
}

/// 404 for a third-party application. The code is the emulator's invention.
pub(crate) fn third_party_app_not_found(id: &str) -> ApiError {
    ApiError::not_found(
        "E119202",
        "Third party application not found",
        &format!("third party application {id:?}"),
    )
}

/// 404 for an outbound application. The code is the emulator's invention.
pub(crate) fn outbound_app_not_found(id: &str) -> ApiError {
    ApiError::not_found(
        "E119302",
        "Outbound application not found",
        &format!("outbound application {id:?}"),
    )
}

impl State {
    /// The consents matching `f`, in dataset order.
    pub(crate) fn consents_matching(&self, f: &ConsentFilter) -> Vec<&ConsentRecord> {
        self.consents.iter().filter(|c| f.matches(c)).collect()
    }

    /// Deletes the consents matching `f` (every filter set must match; user consents only, or
    /// tenant-level ones only with `tenant_level`), audits them, and returns their ids.
    pub(crate) fn delete_consents(&mut self, f: &ConsentFilter, tenant_level: bool) -> Vec<String> {
        let mut gone = Vec::new();
        self.consents.retain(|c| {
            let hit = f.matches(c) && c.user_id.is_empty() == tenant_level;
            if hit {
                gone.push(c.clone());
            }
            !hit
        });
        let ids: Vec<String> = gone.iter().map(|c| c.id.clone()).collect();
        if !gone.is_empty() {
            let users: Vec<&str> = gone.iter().map(|c| c.user_id.as_str()).collect();
            let data = obj(serde_json::json!({
                "consentIds": ids,
                "appIds": gone.iter().map(|c| c.app_id.as_str()).collect::<Vec<_>>(),
                "userIds": users,
            }));
            let e = Event::new("ThirdPartyConsentsDeleted", data)
                .tenants(gone.iter().map(|c| c.tenant_id.as_str()));
            self.audit(e);
        }
        ids
    }

    /// The ids of the outbound applications `user_id` holds a valid token for (an unexpired or
    /// renewable one, or any with `expired_too`), in application order. With `tenant_id`, only
    /// tokens tied to it; without, every token of the user, or only those tied to no tenant
    /// with `untenanted_only`.
    pub(crate) fn apps_with_user_token(
        &self,
        user_id: &str,
        tenant_id: &str,
        expired_too: bool,
        untenanted_only: bool,
    ) -> Vec<String> {
        let now = now_secs();
        let held: HashSet<&str> = self
            .outbound_tokens
            .iter()
            .filter(|t| t.user_id == user_id)
            .filter(|t| {
                if tenant_id.is_empty() {
                    !untenanted_only || t.tenant_id.is_empty()
                } else {
                    t.tenant_id == tenant_id
                }
            })
            .filter(|t| expired_too || t.is_valid(now))
            .map(|t| t.app_id.as_str())
            .collect();
        self.outbound_apps
            .iter()
            .filter(|a| held.contains(a.id.as_str()))
            .map(|a| a.id.clone())
            .collect()
    }

    /// Deletes the user tokens matching `app_id` and `user_id` (either may be empty, not
    /// both: the handler checks), only those tied to no tenant with `untenanted_only`, audits
    /// them, and returns how many went.
    pub(crate) fn delete_user_tokens(
        &mut self,
        app_id: &str,
        user_id: &str,
        untenanted_only: bool,
    ) -> usize {
        let hit = |t: &OutboundTokenRecord| {
            !t.user_id.is_empty()
                && (app_id.is_empty() || t.app_id == app_id)
                && (user_id.is_empty() || t.user_id == user_id)
                && (!untenanted_only || t.tenant_id.is_empty())
        };
        self.delete_tokens(
            hit,
            obj(serde_json::json!({"appId": app_id, "userId": user_id})),
        )
    }

    /// Deletes the token `id`; whether one went.
    pub(crate) fn delete_token(&mut self, id: &str) -> bool {
        self.delete_tokens(|t| t.id == id, obj(serde_json::json!({"id": id}))) > 0
    }

    fn delete_tokens(
        &mut self,
        hit: impl Fn(&OutboundTokenRecord) -> bool,
        mut data: serde_json::Map<String, serde_json::Value>,
    ) -> usize {
        let mut gone = Vec::new();
        self.outbound_tokens.retain(|t| {
            let h = hit(t);
            if h {
                gone.push(t.clone());
            }
            !h
        });
        if !gone.is_empty() {
            data.insert(
                "tokenIds".into(),
                gone.iter().map(|t| t.id.clone()).collect::<Vec<_>>().into(),
            );
            let e = Event::new("OutboundTokensDeleted", data)
                .tenants(gone.iter().map(|t| t.tenant_id.as_str()));
            self.audit(e);
        }
        gone.len()
    }

    /// Records a logout of the user at `idx` (`UserLoggedOut` in the audit trail).
    pub(crate) fn log_out(&mut self, idx: usize, session_types: Vec<String>) {
        let user = &self.users[idx];
        let data = obj(serde_json::json!({"sessionTypes": session_types}));
        let e = Event::new("UserLoggedOut", data).about(user);
        self.logouts.push(LogoutRecord {
            user_id: user.user_id.clone(),
            session_types,
            at_millis: now_millis(),
        });
        self.audit(e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::{Dataset, validate_grants};
    use crate::grant_records::{OutboundAppRecord, ThirdPartyAppRecord};
    use crate::knobs::DuplicateMode;
    use crate::records::UserRecord;

    fn state() -> State {
        let mut d = Dataset::new();
        d.users.push(UserRecord::new("U1", "a@x.io"));
        d.third_party_apps
            .push(ThirdPartyAppRecord::new("TP1", "Partner"));
        d.consents
            .push(ConsentRecord::new("C1", "TP1", "U1", ["read"]));
        let mut tenant_level = ConsentRecord::new("C2", "TP1", "", ["read"]);
        tenant_level.tenant_id = "T1".into();
        d.consents.push(tenant_level);
        d.outbound_apps
            .push(OutboundAppRecord::new("OA1", "Google"));
        d.outbound_apps.push(OutboundAppRecord::new("OA2", "Slack"));
        let mut expired = OutboundTokenRecord::new("OT1", "OA2", "U1");
        expired.has_refresh_token = false;
        expired.access_token_expiry = 1;
        d.outbound_tokens.push(expired);
        let mut tenant = OutboundTokenRecord::new("OT2", "OA1", "U1");
        tenant.tenant_id = "T1".into();
        d.outbound_tokens.push(tenant);
        validate_grants(&d).unwrap();
        State::new(d, 1, DuplicateMode::Silent)
    }

    #[test]
    fn consent_delete_leaves_tenant_level_consents_to_their_own_endpoint() {
        let mut s = state();
        let all = ConsentFilter {
            app_id: "TP1".into(),
            ..ConsentFilter::default()
        };
        assert_eq!(s.delete_consents(&all, false), ["C1"]);
        assert_eq!(s.consents.len(), 1);
        assert_eq!(s.delete_consents(&all, true), ["C2"]);
        assert!(s.consents.is_empty());
        assert_eq!(s.audit.len(), 2);
    }

    #[test]
    fn connections_follow_validity_and_tenants() {
        let mut s = state();
        assert_eq!(s.apps_with_user_token("U1", "", false, false), ["OA1"]);
        assert_eq!(
            s.apps_with_user_token("U1", "", true, false),
            ["OA1", "OA2"]
        );
        assert!(s.apps_with_user_token("U1", "", false, true).is_empty());
        assert_eq!(s.apps_with_user_token("U1", "T1", false, false), ["OA1"]);
        assert_eq!(s.delete_user_tokens("OA1", "U1", true), 0, "tied to T1");
        assert_eq!(s.delete_user_tokens("OA1", "U1", false), 1);
        assert!(s.apps_with_user_token("U1", "", false, false).is_empty());
        assert!(s.delete_token("OT1"));
        assert!(!s.delete_token("OT1"));
    }

    #[test]
    fn a_dangling_consent_is_refused() {
        let mut d = Dataset::new();
        d.consents
            .push(ConsentRecord::new("C1", "nope", "U1", ["x"]));
        assert!(
            validate_grants(&d)
                .unwrap_err()
                .contains("unknown third-party")
        );
    }
}
