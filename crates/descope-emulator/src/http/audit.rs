//! `POST /v1/mgmt/audit/search`: the audit trail, newest first, 30 days back at most.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State as AxState;
use axum::response::Response;
use axum::routing::post;
use serde::{Deserialize, Serialize};

use super::wire::{Int64, parse};
use super::{Shared, json};
use serde_json::Value;

use crate::activity_records::AuditRecord;
use crate::changes::AuditTotal;
use crate::error::ApiError;
use crate::state::now_millis;

type App = AxState<Arc<Shared>>;
type Reply = Result<Response, ApiError>;

/// How far back audit reaches (Descope keeps, and lets `from` reach, 30 days).
pub(crate) const RETENTION_MS: i64 = 30 * 24 * 3600 * 1000;
/// Slack for a `from` of exactly "30 days ago" computed on the client a moment earlier.
const FROM_GRACE_MS: i64 = 60 * 1000;
/// The default and largest page (`size`).
pub(crate) const MAX_PAGE: i64 = 1000;

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new().route("/v1/mgmt/audit/search", post(search))
}

/// The request: every field of Descope's docs and SDKs, plus three of the API spec's
/// (`actorIds`, `excludedExternalIds`, `oldestFirst`). `null` is unset everywhere.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(super) struct SearchAudit {
    pub(super) user_ids: Option<Vec<String>>,
    pub(super) actions: Option<Vec<String>>,
    pub(super) excluded_actions: Option<Vec<String>>,
    pub(super) devices: Option<Vec<String>>,
    pub(super) methods: Option<Vec<String>>,
    pub(super) geos: Option<Vec<String>>,
    pub(super) remote_addresses: Option<Vec<String>>,
    /// Login ids.
    pub(super) external_ids: Option<Vec<String>>,
    pub(super) tenants: Option<Vec<String>>,
    pub(super) no_tenants: Option<bool>,
    pub(super) text: Option<String>,
    pub(super) from: Option<Int64>,
    pub(super) to: Option<Int64>,
    pub(super) size: Option<Int64>,
    pub(super) page: Option<Int64>,
    pub(super) actor_ids: Option<Vec<String>>,
    pub(super) excluded_external_ids: Option<Vec<String>>,
    pub(super) oldest_first: Option<bool>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct View<'a> {
    project_id: &'a str,
    #[serde(flatten)]
    record: &'a AuditRecord,
}

#[derive(Serialize)]
struct Page<'a> {
    audits: Vec<View<'a>>,
    total: usize,
}

/// A compiled request: list filters are any-of and `None` when empty.
struct Filter {
    user_ids: Option<Vec<String>>,
    actions: Option<Vec<String>>,
    excluded_actions: Vec<String>,
    devices: Option<Vec<String>>,
    methods: Option<Vec<String>>,
    geos: Option<Vec<String>>,
    remote_addresses: Option<Vec<String>>,
    external_ids: Option<Vec<String>>,
    excluded_external_ids: Vec<String>,
    tenants: Option<Vec<String>>,
    no_tenants: bool,
    actor_ids: Option<Vec<String>>,
    text: String,
    from: i64,
    to: i64,
}

fn any(v: Option<Vec<String>>) -> Option<Vec<String>> {
    v.filter(|v| !v.is_empty())
}

fn one_of(filter: Option<&Vec<String>>, value: &str) -> bool {
    filter.is_none_or(|f| f.iter().any(|x| x == value))
}

fn overlaps(filter: &[String], values: &[String]) -> bool {
    values.iter().any(|v| filter.contains(v))
}

/// The window `from..=to` in epoch ms. `from` of 0 or less is unset (Go sends its zero time,
/// `-62135596800000`, when none is given) and means 30 days ago; a `from` older than that is a
/// 400, as Descope documents. `to` of 0 or less is unset.
fn window(from: Option<Int64>, to: Option<Int64>, now: i64) -> Result<(i64, i64), ApiError> {
    let oldest = now - RETENTION_MS;
    let from = match from.map(|f| f.0) {
        Some(f) if f > 0 => {
            if f < oldest - FROM_GRACE_MS {
                return Err(ApiError::invalid_argument(format!(
                    "from {f} is more than 30 days ago; audit search reaches back 30 days \
                     (from {oldest} or later)"
                )));
            }
            f.max(oldest)
        }
        _ => oldest,
    };
    let to = to.map(|t| t.0).filter(|t| *t > 0).unwrap_or(i64::MAX);
    Ok((from, to))
}

fn non_negative(name: &str, v: Option<Int64>) -> Result<i64, ApiError> {
    match v.map(|v| v.0) {
        Some(n) if n < 0 => Err(ApiError::invalid_argument(format!(
            "{name} must not be negative, got {n}"
        ))),
        n => Ok(n.unwrap_or(0)),
    }
}

impl Filter {
    fn compile(req: SearchAudit, now: i64) -> Result<Self, ApiError> {
        let (from, to) = window(req.from, req.to, now)?;
        Ok(Self {
            user_ids: any(req.user_ids),
            actions: any(req.actions),
            excluded_actions: req.excluded_actions.unwrap_or_default(),
            devices: any(req.devices),
            methods: any(req.methods),
            geos: any(req.geos),
            remote_addresses: any(req.remote_addresses),
            external_ids: any(req.external_ids),
            excluded_external_ids: req.excluded_external_ids.unwrap_or_default(),
            tenants: any(req.tenants),
            no_tenants: req.no_tenants.unwrap_or(false),
            actor_ids: any(req.actor_ids),
            text: req.text.unwrap_or_default().to_lowercase(),
            from,
            to,
        })
    }

    fn matches(&self, a: &AuditRecord) -> bool {
        (self.from..=self.to).contains(&a.occurred)
            && one_of(self.user_ids.as_ref(), &a.user_id)
            && one_of(self.actions.as_ref(), &a.action)
            && !self.excluded_actions.contains(&a.action)
            && one_of(self.devices.as_ref(), &a.device)
            && one_of(self.methods.as_ref(), &a.method)
            && one_of(self.geos.as_ref(), &a.geo)
            && one_of(self.remote_addresses.as_ref(), &a.remote_address)
            && one_of(self.actor_ids.as_ref(), &a.actor_id)
            && self
                .external_ids
                .as_ref()
                .is_none_or(|f| overlaps(f, &a.external_ids))
            && !overlaps(&self.excluded_external_ids, &a.external_ids)
            && self.tenants.as_ref().is_none_or(|f| {
                overlaps(f, &a.tenants) || (self.no_tenants && a.tenants.is_empty())
            })
            && (self.text.is_empty() || text_matches(a, &self.text))
    }
}

/// `needle` (lower-case) in any field of the record, `data` included.
fn text_matches(a: &AuditRecord, needle: &str) -> bool {
    let has = |s: &str| s.to_lowercase().contains(needle);
    [
        &a.id,
        &a.user_id,
        &a.action,
        &a.kind,
        &a.actor_id,
        &a.device,
        &a.method,
        &a.geo,
        &a.remote_address,
    ]
    .iter()
    .any(|s| has(s))
        || a.external_ids.iter().chain(&a.tenants).any(|s| has(s))
        || serde_json::to_string(&a.data).is_ok_and(|d| has(&d))
}

/// Matches newest first (`oldestFirst` reverses it); records of the same millisecond come in
/// the reverse of the order they were written, so the order is total and pages are stable.
/// `size` 0 or absent is 1000, more than 1000 a 400; `page` is 0-based.
async fn search(AxState(app): App, body: Bytes) -> Reply {
    let req: SearchAudit = parse(&body)?;
    let size = match non_negative("size", req.size)? {
        0 => MAX_PAGE,
        n if n > MAX_PAGE => {
            return Err(ApiError::invalid_argument(format!(
                "size must be at most {MAX_PAGE}, got {n}"
            )));
        }
        n => n,
    };
    let page = non_negative("page", req.page)?;
    let oldest_first = req.oldest_first.unwrap_or(false);
    let now = now_millis();
    let filter = Filter::compile(req, now)?;
    let state = app.read();
    // A record is searchable once its ingestion delay (a knob, zero by default) has passed.
    let mut hits: Vec<usize> = state
        .audit
        .iter()
        .enumerate()
        .filter(|(_, a)| filter.matches(a) && app.changes.searchable_at(&a.id, a.occurred) <= now)
        .map(|(i, _)| i)
        .collect();
    hits.sort_by_key(|&i| (state.audit[i].occurred, i));
    if !oldest_first {
        hits.reverse();
    }
    let total = hits.len();
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    let skip = usize::try_from(page)
        .unwrap_or(usize::MAX)
        .saturating_mul(size);
    let audits: Vec<View<'_>> = hits
        .iter()
        .skip(skip)
        .take(size)
        .map(|&i| View {
            project_id: &app.project_id,
            record: &state.audit[i],
        })
        .collect();
    let knobs = &app.changes;
    if knobs.audit_total == AuditTotal::Exact && !knobs.audit_without_ids {
        return json(&Page { audits, total });
    }
    // The answer as a search engine without exact counts, or without record ids, gives it.
    let mut audits: Vec<Value> = audits
        .iter()
        .map(|v| serde_json::to_value(v).unwrap_or_default())
        .collect();
    if knobs.audit_without_ids {
        for a in &mut audits {
            if let Value::Object(m) = a {
                m.remove("ID");
            }
        }
    }
    let mut out = serde_json::Map::new();
    out.insert("audits".into(), Value::Array(audits));
    match knobs.audit_total {
        AuditTotal::Absent => {}
        AuditTotal::Capped(cap) => {
            out.insert("total".into(), (total as u64).min(cap).into());
        }
        _ => {
            out.insert("total".into(), total.into());
        }
    }
    json(&Value::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000_000;

    #[test]
    fn window_rules() {
        let oldest = NOW - RETENTION_MS;
        assert_eq!(window(None, None, NOW).unwrap(), (oldest, i64::MAX));
        // Go's zero time and 0 are unset.
        let go_zero = Some(Int64(-62_135_596_800_000));
        assert_eq!(window(go_zero, go_zero, NOW).unwrap(), (oldest, i64::MAX));
        assert_eq!(
            window(Some(Int64(0)), Some(Int64(0)), NOW).unwrap().0,
            oldest
        );
        // Exactly 30 days back, computed a little earlier, is fine; a day more is not.
        assert_eq!(
            window(Some(Int64(oldest - 5)), None, NOW).unwrap().0,
            oldest
        );
        let e = window(Some(Int64(oldest - 86_400_000)), None, NOW).unwrap_err();
        assert_eq!(e.code, "E011004");
        assert_eq!(
            window(Some(Int64(NOW - 10)), Some(Int64(NOW)), NOW).unwrap(),
            (NOW - 10, NOW)
        );
    }

    #[test]
    fn every_field_accepts_null() {
        crate::http::wire::tests::each_field_accepts_null::<SearchAudit>();
    }

    #[test]
    fn filters_combine() {
        let req: SearchAudit = parse(
            br#"{"tenants":["T1"],"noTenants":true,"actions":["UserModified"],"text":"VIEWER",
                 "userIds":null,"from":null,"size":null,"page":null}"#,
        )
        .unwrap();
        let f = Filter::compile(req, NOW).unwrap();
        let mut a = AuditRecord::new("A1", "UserModified", NOW - 1);
        a.data = crate::state::obj(serde_json::json!({"roleNames": ["Viewer"]}));
        assert!(f.matches(&a), "no tenants, included by noTenants");
        a.tenants = vec!["T2".into()];
        assert!(!f.matches(&a));
        a.tenants.push("T1".into());
        assert!(f.matches(&a));
        a.data.clear();
        assert!(!f.matches(&a), "text searches data too");
        a.occurred = NOW - RETENTION_MS - 1;
        a.data = crate::state::obj(serde_json::json!({"x": "viewer"}));
        assert!(!f.matches(&a), "older than 30 days");
    }
}
