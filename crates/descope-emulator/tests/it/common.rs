//! Helpers: start an emulator and talk to it with raw JSON.

use descope_emulator::{Emulator, EmulatorBuilder};
use serde_json::Value;

pub(crate) type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// An emulator plus a raw HTTP client with its credentials.
pub(crate) struct Api {
    pub(crate) emu: Emulator,
    pub(crate) http: reqwest::Client,
    pub(crate) auth: String,
}

impl Api {
    pub(crate) async fn start(b: EmulatorBuilder) -> Api {
        let emu = b.start().await.unwrap();
        let auth = format!("Bearer {}:{}", emu.project_id(), emu.management_key());
        Api {
            emu,
            http: reqwest::Client::new(),
            auth,
        }
    }

    pub(crate) async fn demo() -> Api {
        Self::start(Emulator::builder()).await
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.emu.base_url())
    }

    /// POSTs `body`; returns the status and the decoded JSON (Null when empty).
    pub(crate) async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let resp = self
            .http
            .post(self.url(path))
            .header("Authorization", &self.auth)
            .json(&body)
            .send()
            .await
            .unwrap();
        decode(resp).await
    }

    /// Sends `body` with `method` (`"POST"`, `"PATCH"`...); returns the status and the JSON.
    pub(crate) async fn send(&self, method: &str, path: &str, body: &Value) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let resp = self
            .http
            .request(method, self.url(path))
            .header("Authorization", &self.auth)
            .json(body)
            .send()
            .await
            .unwrap();
        decode(resp).await
    }

    pub(crate) async fn get(&self, path: &str) -> (u16, Value) {
        let resp = self
            .http
            .get(self.url(path))
            .header("Authorization", &self.auth)
            .send()
            .await
            .unwrap();
        decode(resp).await
    }

    /// A user search; panics unless it is a 200.
    pub(crate) async fn search(&self, body: Value) -> Value {
        let (status, v) = self.post("/v2/mgmt/user/search", body).await;
        assert_eq!(status, 200, "{v}");
        v
    }
}

pub(crate) async fn decode(resp: reqwest::Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    let bytes = resp.bytes().await.unwrap();
    let v = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap()
    };
    (status, v)
}

/// The `userId`s of a search response's `users`.
pub(crate) fn ids(v: &Value) -> Vec<String> {
    v["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["userId"].as_str().unwrap().to_owned())
        .collect()
}
