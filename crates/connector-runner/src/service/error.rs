//! [`ServiceError`]: why service mode could not start or had to stop.

use std::path::PathBuf;

/// Why service mode could not start or had to stop.
///
/// Messages say what failed and what to do next. None of them ever holds the client secret, its
/// key or an access token: token endpoint failures carry the HTTP status line only.
///
/// ```
/// use c1_connector_runner::service::ServiceConfig;
/// use secrecy::SecretString;
/// let err = ServiceConfig::new("", SecretString::from("x")).validate().unwrap_err();
/// assert!(err.is_credentials());
/// assert!(err.to_string().starts_with("client-id is required in service mode"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServiceError {
    /// No client id was given.
    #[error(
        "client-id is required in service mode: set --client-id or BATON_CLIENT_ID to the id ConductorOne showed when the connector was created"
    )]
    MissingClientId,

    /// No client secret was given.
    #[error(
        "client-secret is required in service mode: set --client-secret or BATON_CLIENT_SECRET to the secret ConductorOne showed when the connector was created"
    )]
    MissingClientSecret,

    /// The client id is not `<name>@<host>/<suffix>`.
    #[error(
        "invalid client id: expected <name>@<host>/<suffix>; copy the client id again from ConductorOne (connector settings)"
    )]
    InvalidClientId,

    /// The client secret is not `<a>:<b>:v1:<base64url JWK>` holding an Ed25519 private key.
    /// `reason` names the part that is wrong (never its value).
    #[error(
        "invalid client secret ({reason}); copy the client secret again from ConductorOne, or create new credentials"
    )]
    InvalidClientSecret {
        /// Which part of the secret is wrong.
        reason: &'static str,
    },

    /// A setting is out of range or inconsistent.
    #[error("invalid service configuration: {0}")]
    InvalidConfig(String),

    /// The extra CA certificates could not be read.
    #[error(
        "could not read CA certificates from {path}: {reason}; point SSL_CERT_FILE at a readable PEM file"
    )]
    CaFile {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },

    /// The HTTP or gRPC client could not be built.
    #[error("could not set up the connection to ConductorOne: {0}")]
    Client(String),

    /// The temporary directory for sync files is not usable.
    #[error(
        "the temporary directory {path} for sync files is not usable: {reason}; set --c1z-temp-dir to a writable directory"
    )]
    TempDir {
        /// The directory.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },

    /// `--state-dir` is not a directory the service can create and write.
    #[error(
        "the state directory {path} is not usable: {reason}; set --state-dir to a writable directory (or leave it out: every sync task is then a full sync)"
    )]
    StateDir {
        /// The directory.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },

    /// The health-check server could not listen.
    #[error(
        "failed to start the health check server on {address}: {reason}; choose another --health-check-port or --health-check-bind-address"
    )]
    HealthCheck {
        /// The address it tried.
        address: String,
        /// What went wrong.
        reason: String,
    },

    /// The startup Hello failed with an error that is not retried (baton's
    /// `runner: startup Hello failed`). `Unauthenticated` means the token endpoint refused the
    /// credentials (HTTP 400 or 401: wrong or revoked) or ConductorOne's certificate is not
    /// trusted; a token endpoint that fails otherwise is retried, never this error.
    #[error("runner: startup Hello failed: {code}: {message}{hint}")]
    StartupHello {
        /// The gRPC code's name.
        code: String,
        /// The server's (or the token client's) message.
        message: String,
        /// What to do next.
        hint: &'static str,
    },

    /// The connector's metadata could not be read for Hello.
    #[error("the connector could not describe itself for Hello: {0}")]
    Metadata(c1_connector_sdk::error::Error),
}

impl ServiceError {
    /// Whether the error is about the credentials (missing, malformed or refused), so a CLI
    /// can map it to its "bad credentials" exit code.
    pub fn is_credentials(&self) -> bool {
        match self {
            ServiceError::MissingClientId
            | ServiceError::MissingClientSecret
            | ServiceError::InvalidClientId
            | ServiceError::InvalidClientSecret { .. } => true,
            ServiceError::StartupHello { code, .. } => {
                code == "Unauthenticated" || code == "PermissionDenied"
            }
            _ => false,
        }
    }
}
