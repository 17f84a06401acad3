//! A service's comments explained ([`crate::analysis::comments`]): the words and phrases that set
//! its citizens' unhappy comments apart from their happy ones, each with example comments, so
//! that the town sees why the service sits where it does on the importance–performance chart.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use relais_server_database::Database;

use super::lang::Lang;
use super::layout::page;
use super::session::Staff;
use super::{forbidden, message};
use crate::analysis::comments::{Comment, Term, contrast};
use crate::router::AppState;

/// Terms shown per side.
const TOP: usize = 12;

/// What sets a public service's unhappy comments apart from its happy ones.
#[utoipa::path(
    get,
    path = "/ratings/{service}",
    operation_id = "backoffice_comments",
    tag = "back office",
    params(("service" = String, Path, description = "The public service's id in the town's directory")),
    responses(
        (status = 200, description = "The service's comments explained", body = String, content_type = "text/html; charset=utf-8"),
        crate::openapi::PageRefusals,
        (status = 404, description = "The town's directory has no such service", body = String, content_type = "text/html; charset=utf-8"),
    ),
    security(("session" = [])),
)]
pub async fn get<DB: Database>(
    State(state): State<AppState<DB>>,
    staff: Staff,
    Path(service): Path<String>,
) -> Response {
    let lang = staff.lang;
    let Some(tenant) = staff.member.tenant.clone() else {
        return forbidden(lang);
    };
    let failure = |e| crate::error::ApiFailure::from(e).into_response();
    let directory = match state.db.directory(&tenant).await {
        Ok(Some(directory)) => directory,
        Ok(None) => return forbidden(lang),
        Err(error) => return failure(error),
    };
    let Some(entry) = directory.services.iter().find(|s| s.id == service) else {
        return message(
            lang,
            StatusCode::NOT_FOUND,
            lang.choose("Service inconnu", "Unknown service"),
            lang.choose(
                "L'annuaire de la ville n'a pas ce service.",
                "The town's directory has no such service.",
            ),
        );
    };
    let ratings = match state.db.service_ratings(&tenant).await {
        Ok(ratings) => ratings,
        Err(error) => return failure(error),
    };
    let comments: Vec<Comment<'_>> = ratings
        .iter()
        .filter(|r| r.service_id == service)
        .filter_map(|r| {
            r.comment.as_deref().map(|text| Comment {
                satisfaction: r.satisfaction,
                text,
            })
        })
        .collect();
    let found = contrast(&comments, TOP);
    let name = lang.pick(&entry.name);
    let title = format!("{} — {name}", lang.choose("Avis", "Comments"));
    let content = html! {
        p { a href="/ratings" { (lang.choose("← Importance et satisfaction", "← Importance and performance")) } }
        h1 { (title) }
        div.panel {
            p.meta {
                (comments.len()) " " (lang.choose("commentaires", "comments")) " ; "
                (found.low_comments) " " (lang.choose("insatisfaits (1–2)", "unhappy (1–2)")) ", "
                (found.high_comments) " " (lang.choose("satisfaits (4–5)", "happy (4–5)")) ". "
                (lang.choose(
                    "Mots réduits à leur racine (Snowball), mots vides retirés (Stopwords ISO) ; classés par le z du rapport des chances (a priori de Jeffreys), |z| ≥ 1,96 et au moins 2 commentaires.",
                    "Words reduced to their stems (Snowball), stop words removed (Stopwords ISO); ranked by the log-odds ratio's z (Jeffreys prior), |z| ≥ 1.96 and at least 2 comments.",
                ))
            }
        }
        div.columns.even {
            section.panel aria-labelledby="low-title" {
                h2 #low-title { (lang.choose("Ce qui revient chez les insatisfaits", "What unhappy citizens mention")) }
                (terms(&found.low_terms, "low-terms", lang))
            }
            section.panel aria-labelledby="high-title" {
                h2 #high-title { (lang.choose("Ce qui revient chez les satisfaits", "What happy citizens mention")) }
                (terms(&found.high_terms, "high-terms", lang))
            }
        }
    };
    let here = format!("/ratings/{}", super::layout::encode(&service));
    page(lang, Some(&staff), &here, &title, content).into_response()
}

fn terms(terms: &[Term], id: &str, lang: Lang) -> Markup {
    html! {
        @if terms.is_empty() {
            p { (lang.choose("Aucun terme ne se distingue.", "No term stands out.")) }
        } @else {
            table id=(id) {
                thead { tr {
                    th scope="col" { (lang.choose("Terme", "Term")) }
                    th.num scope="col" { (lang.choose("Insatisfaits", "Unhappy")) }
                    th.num scope="col" { (lang.choose("Satisfaits", "Happy")) }
                    th.num scope="col" { "z" }
                    th scope="col" { (lang.choose("Exemples", "Examples")) }
                } }
                tbody {
                    @for term in terms {
                        tr data-stem=(term.stem) {
                            td { strong { (term.label) } }
                            td.num { (term.low) }
                            td.num { (term.high) }
                            td.num { (format!("{:+.1}", term.z)) }
                            td { @for example in &term.examples { q { (example) } br; } }
                        }
                    }
                }
            }
        }
    }
}
