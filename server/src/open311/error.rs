//! Open311's refusals: the specification's error document (`<errors><error>` with `code` and
//! `description`) with its HTTP statuses: 404 for what does not exist, 403 for a missing or
//! wrong api key, 400 for anything else the request gets wrong. Every description exists in
//! French and English; the rules' own refusals carry their localized message.

use axum::http::StatusCode;
use axum::response::Response;
use relais_protocol::{LocalizedText, Reason};

use super::documents::{Error, Errors};
use super::format::Format;

/// A refused Open311 call: nothing was changed.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub status: StatusCode,
    pub description: LocalizedText,
}

impl Failure {
    fn new(status: StatusCode, fr: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            status,
            description: LocalizedText::new(fr, en),
        }
    }

    /// A 400 with its description.
    pub fn bad_request(fr: impl Into<String>, en: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, fr, en)
    }

    pub fn missing_jurisdiction() -> Self {
        Self::bad_request(
            "jurisdiction_id manquant : le code de la ville sur ce serveur.",
            "jurisdiction_id was not provided: the town's code on this server.",
        )
    }

    pub fn unknown_jurisdiction(id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            format!("jurisdiction_id inconnu : {id}."),
            format!("jurisdiction_id not found: {id}."),
        )
    }

    pub fn unknown_resource() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "Ressource inconnue : les ressources Open311 finissent par .xml ou .json.",
            "Unknown resource: Open311 resources end in .xml or .json.",
        )
    }

    pub fn unknown_service(code: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            format!("service_code inconnu : {code}."),
            format!("service_code not found: {code}."),
        )
    }

    pub fn unknown_request(id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            format!("Demande inconnue : {id}."),
            format!("Service request not found: {id}."),
        )
    }

    pub fn invalid_api_key() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "api_key manquante ou invalide : demandez-en une à l'administrateur de la ville.",
            "Missing or invalid api_key: ask the town's administrator for one.",
        )
    }

    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "Méthode non prise en charge sur cette ressource.",
            "Method not supported on this resource.",
        )
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Erreur interne du serveur ; réessayez plus tard.",
            "Internal server error; try again later.",
        )
    }

    /// The rules refused the request (a point outside the town, a missing answer...).
    pub fn refused(reason: &Reason) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            description: reason.message.clone(),
        }
    }

    /// The error document in `format`, in `language`.
    pub fn answer(&self, format: Format, language: &str) -> Response {
        let errors = Errors {
            error: vec![Error {
                code: self.status.as_u16(),
                description: self.description.get(language).to_owned(),
            }],
        };
        format.answer(self.status, "errors", &errors)
    }
}

impl From<relais_server_database::DbError> for Failure {
    fn from(error: relais_server_database::DbError) -> Self {
        tracing::error!(%error, "Open311 call failed on storage");
        Self::internal()
    }
}
