//! The frame of every back-office page: the document head (the vendored style sheet, no
//! script), a skip link, the header with the town, the navigation, the language switch and the
//! logout button, then the page's content.

use maud::{DOCTYPE, Markup, html};
use relais_protocol::StaffRole;

use super::lang::Lang;
use super::session::Staff;

/// The style sheet, compiled into the binary and served at [`STYLE_PATH`].
pub const STYLE: &str = include_str!("assets/backoffice.css");
pub const STYLE_PATH: &str = "/backoffice.css";

/// A whole page. `here` is the page's own path (with its query), where the language switch
/// comes back to.
pub fn page(lang: Lang, staff: Option<&Staff>, here: &str, title: &str, content: Markup) -> Markup {
    let other = lang.other();
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Relais" }
                link rel="stylesheet" href=(STYLE_PATH);
            }
            body {
                a.skip href="#content" { (lang.choose("Aller au contenu", "Skip to content")) }
                header.top {
                    span.town {
                        "Relais"
                        @if let Some(staff) = staff {
                            " · " (staff.member.tenant.as_deref().unwrap_or_default())
                        }
                    }
                    @if staff.is_some() {
                        nav aria-label=(lang.choose("Navigation principale", "Main navigation")) {
                            a href="/inbox" { (lang.choose("Demandes", "Requests")) }
                            " "
                            a href="/dashboard" { (lang.choose("Tableau de bord", "Dashboard")) }
                            " "
                            a href="/ratings" { (lang.choose("Satisfaction des services", "Service ratings")) }
                            @if staff.is_some_and(|s| s.member.profile.role == StaffRole::Admin) {
                                " "
                                a href="/admin" { (lang.choose("Administration", "Administration")) }
                            }
                            @if staff.is_some_and(|s| s.member.profile.role == StaffRole::Operator) {
                                " "
                                a href="/towns" { (lang.choose("Villes", "Towns")) }
                            }
                        }
                    }
                    a href={ "/lang/" (other.code()) "?back=" (encode(here)) }
                        lang=(other.code()) hreflang=(other.code()) {
                        (other.choose("Français", "English"))
                    }
                    @if let Some(staff) = staff {
                        span { (staff.member.profile.name) }
                        form method="post" action="/logout" {
                            input type="hidden" name="csrf" value=(staff.csrf);
                            button type="submit" { (lang.choose("Se déconnecter", "Log out")) }
                        }
                    }
                }
                main #content { (content) }
            }
        }
    }
}

/// A message above a page's content.
pub fn notice(text: &str, error: bool) -> Markup {
    html! {
        @if error {
            div.notice.error role="alert" { (text) }
        } @else {
            div.notice role="status" { (text) }
        }
    }
}

/// `s` for a URL's query.
pub fn encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// A date and time for people, in UTC (`2026-12-03 09:41 UTC`).
pub fn when(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

/// A date for people (`2026-12-03`).
pub fn day(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}
