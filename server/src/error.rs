//! Failed requests: [`ApiFailure`] turns every failure into a status and a
//! [`relais_protocol::ApiError`] JSON body with a stable code. Internal causes are logged here and
//! never sent to the client.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use relais_protocol::{ApiError, ErrorCode};

use crate::photos::UploadError;
use crate::sync::BatchRefusal;
use crate::sync::push::PushError;
use relais_server_database::DbError;

/// A non-2xx answer.
#[derive(Debug)]
pub struct ApiFailure {
    status: StatusCode,
    /// Boxed: failures travel in `Result`s everywhere, and the reason makes the body large.
    body: Box<ApiError>,
    /// Seconds for a `Retry-After` header.
    retry_after: Option<u64>,
}

impl ApiFailure {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            body: Box::new(ApiError::new(code, message)),
            retry_after: None,
        }
    }

    pub fn malformed(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::MalformedRequest,
            message,
        )
    }

    pub fn body_too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::BodyTooLarge,
            format!(
                "the request body exceeds {} bytes",
                relais_protocol::MAX_BODY_BYTES
            ),
        )
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthorized,
            "missing or unknown bearer token for this tenant",
        )
    }

    /// 401 with a message of its own (a failed login).
    pub fn unauthorized_because(message: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized, message)
    }

    pub fn unknown_tenant(tenant: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            ErrorCode::UnknownTenant,
            format!("no tenant {tenant:?} on this server"),
        )
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, message)
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "no such route")
    }

    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::NotFound,
            "this route does not answer this method",
        )
    }

    pub fn unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Unavailable,
            "storage unavailable",
        )
    }

    /// The rules refused a staff action: `403` when the person may not act on the report,
    /// `404` when it does not exist (in their town), `409` when it changed since their version,
    /// `422` otherwise; the reason travels in both languages.
    pub fn refused(reason: relais_protocol::Reason) -> Self {
        let (status, code) = match reason.code.as_str() {
            "not_permitted" => (StatusCode::FORBIDDEN, ErrorCode::Forbidden),
            "not_found" => (StatusCode::NOT_FOUND, ErrorCode::NotFound),
            "conflict" => (StatusCode::CONFLICT, ErrorCode::Conflict),
            _ => (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::Refused),
        };
        let mut failure = Self::new(status, code, reason.message.en.clone());
        failure.body.reason = Some(reason);
        failure
    }

    /// Too many attempts; the client may try again after `retry_after`.
    pub fn too_many(retry_after: std::time::Duration) -> Self {
        let mut failure = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::TooManyRequests,
            "too many attempts; try again later",
        );
        failure.retry_after = Some(retry_after.as_secs().max(1));
        failure
    }

    /// Logs the real cause and answers a generic 500.
    pub fn internal(cause: &dyn std::error::Error) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            "the server could not do its work; retry later",
        )
    }
}

impl IntoResponse for ApiFailure {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(*self.body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

impl From<DbError> for ApiFailure {
    fn from(error: DbError) -> Self {
        Self::internal(&error)
    }
}

impl From<UploadError> for ApiFailure {
    fn from(error: UploadError) -> Self {
        let status = match &error {
            UploadError::Malformed(message) => return Self::malformed(message.clone()),
            UploadError::OffsetMismatch { expected } => {
                return Self {
                    status: StatusCode::CONFLICT,
                    body: Box::new(ApiError {
                        error: ErrorCode::OffsetMismatch,
                        message: error.to_string(),
                        expected_seq: None,
                        expected_offset: Some(*expected),
                        reason: None,
                    }),
                    retry_after: None,
                };
            }
            UploadError::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::BodyTooLarge),
            UploadError::ChecksumMismatch => (StatusCode::BAD_REQUEST, ErrorCode::ChecksumMismatch),
            UploadError::DigestMismatch => {
                (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::DigestMismatch)
            }
            UploadError::Refused(refusal) => {
                return Self {
                    status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    body: Box::new(ApiError {
                        reason: Some(refusal.reason()),
                        ..ApiError::new(ErrorCode::UnsupportedMedia, error.to_string())
                    }),
                    retry_after: None,
                };
            }
            UploadError::Db(_) | UploadError::Io(_) | UploadError::Task(_) => {
                return Self::internal(&error);
            }
        };
        Self::new(status.0, status.1, error.to_string())
    }
}

impl From<PushError> for ApiFailure {
    fn from(error: PushError) -> Self {
        match error {
            PushError::Malformed(message) => Self::malformed(message),
            PushError::Refused(BatchRefusal::Gap { expected_seq }) => Self {
                status: StatusCode::CONFLICT,
                body: Box::new(ApiError {
                    error: ErrorCode::SequenceGap,
                    message: format!("the batch must start at seq {expected_seq}"),
                    expected_seq: Some(expected_seq),
                    expected_offset: None,
                    reason: None,
                }),
                retry_after: None,
            },
            PushError::Refused(BatchRefusal::Conflict { expected_seq }) => Self {
                status: StatusCode::CONFLICT,
                body: Box::new(ApiError {
                    error: ErrorCode::SequenceConflict,
                    message: "a sequence number of the batch is recorded with another mutation"
                        .into(),
                    expected_seq: Some(expected_seq),
                    expected_offset: None,
                    reason: None,
                }),
                retry_after: None,
            },
            PushError::UnknownTenant => Self::not_found(),
            PushError::Db(error) => error.into(),
        }
    }
}
