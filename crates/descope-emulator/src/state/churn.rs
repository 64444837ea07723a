//! [`UserChurn`](crate::UserChurn) changes applied to the state (see `changes.rs`).

use serde_json::json;

use super::audit::{obj, user_deleted};
use super::{State, now_secs};
use crate::changes::UserChurn;
use crate::records::UserRecord;

impl State {
    /// Applies one change; returns the ids of the users it deleted and created.
    pub(crate) fn apply_churn(&mut self, c: &UserChurn) -> (Vec<String>, Vec<String>) {
        let mut deleted = Vec::new();
        if let Some((at, count)) = c.delete {
            for _ in 0..count {
                if at >= self.users.len() {
                    break;
                }
                let gone = self.delete_user(at);
                self.audit(user_deleted(&gone, obj(json!({ "operation": "delete" }))));
                deleted.push(gone.user_id);
            }
        }
        let mut created = Vec::new();
        if let Some((at, count)) = c.create {
            for i in 0..count {
                let id = loop {
                    let id = self.new_id("U2", 28);
                    if self.find_user_by_id(&id).is_none() {
                        break id;
                    }
                };
                let login = format!("churn-{}@example.com", id.to_lowercase());
                let mut u = UserRecord::new(id.clone(), login.clone());
                u.name = format!("Churn {id}");
                u.email = login;
                u.created_time = now_secs();
                let pos = at.saturating_add(i).min(self.users.len());
                self.users.insert(pos, u);
                self.index_from(pos);
                let e = self.user_created(pos, obj(json!({ "operation": "create" })));
                self.audit(e);
                created.push(id);
            }
        }
        (deleted, created)
    }
}
