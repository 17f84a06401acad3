//! Running a town: its definition (categories with their names, questions, response time and
//! duplicate radius; zones imported from GeoJSON; rejection reasons; reply templates), its
//! routing table and its staff accounts. Only the town's admins may. A change to the definition
//! is checked by the same rules as the town's files ([`crate::seed::parse`]) and stored through
//! [`Database::seed`], so a town edited in the back office and one loaded from files are the same
//! thing; the directory of public services is imported here too. Every change is recorded in
//! the audit log with who made it, and the town held in memory is read again at once.

use relais_protocol::{
    LocalizedText, PublicService, Question, RejectionReason, ReplyTemplate, StaffRole,
};
use relais_server_database::{
    Database, DbError, DirectoryImport, NewStaff, StaffChange, StaffMember, TownDefinition,
};
use uuid::Uuid;

use super::accounts::{self, AccountProblem};
use crate::clock::now_ms;
use crate::seed;
use crate::town::Towns;

/// Longest name or label, in characters.
const MAX_NAME_CHARS: usize = 120;
/// Longest reply template, in characters.
const MAX_TEMPLATE_CHARS: usize = 2_000;

/// Who changes the town: an admin of it (from the back office), or the server's command line.
#[derive(Debug, Clone)]
pub struct Admin {
    tenant: String,
    by: Option<Uuid>,
}

impl Admin {
    /// `member`, when they are an admin of a town.
    pub fn of(member: &StaffMember) -> Option<Self> {
        (member.profile.role == StaffRole::Admin)
            .then(|| member.tenant.clone())
            .flatten()
            .map(|tenant| Self {
                tenant,
                by: Some(member.id),
            })
    }

    pub fn tenant(&self) -> &str {
        &self.tenant
    }

    async fn record(
        &self,
        db: &impl Database,
        action: &str,
        detail: serde_json::Value,
    ) -> Result<(), DbError> {
        db.audit(
            Some(self.tenant.clone()),
            self.by,
            action.to_owned(),
            detail,
            now_ms(),
        )
        .await
    }
}

/// Why a change was refused; nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error("{0}")]
    Account(#[from] AccountProblem),
    #[error("{0:?}")]
    Change(StaffChange),
    /// The changed definition breaks a rule of the town's files.
    #[error("{0}")]
    Definition(String),
    #[error("an admin cannot disable their own account")]
    OwnAccount,
    #[error(transparent)]
    Db(#[from] DbError),
}

/// A change to the town's definition.
#[derive(Debug, Clone)]
pub enum TownEdit {
    /// A category's names, response time, duplicate radius and questions.
    Category {
        code: String,
        name: LocalizedText,
        response_days: Option<u32>,
        duplicate_radius_m: Option<u32>,
        questions: Vec<Question>,
    },
    /// Zones from a GeoJSON FeatureCollection (properties `code`, `name`, `kind`, `parent`):
    /// added, or replacing the zone of the same code.
    Zones(String),
    /// A rejection reason, added or replacing the one of the same code.
    RejectionReason(RejectionReason),
    /// A reply template, added or replacing the one of the same kind, group and category.
    ReplyTemplate(ReplyTemplate),
}

impl TownEdit {
    fn action(&self) -> &'static str {
        match self {
            Self::Category { .. } => "town.category",
            Self::Zones(_) => "town.zones",
            Self::RejectionReason(_) => "town.rejection_reason",
            Self::ReplyTemplate(_) => "town.reply_template",
        }
    }
}

/// A text staff or citizens will read: cleaned by the one text rule, not blank, not too long.
fn text(value: &str, max: usize, what: &str) -> Result<String, Refusal> {
    let cleaned = relais_domain::text::clean(value, max)
        .map_err(|problem| Refusal::Definition(format!("{what}: {problem:?}")))?;
    let trimmed = cleaned.trim();
    if trimmed.is_empty() {
        return Err(Refusal::Definition(format!("{what}: empty")));
    }
    Ok(trimmed.to_owned())
}

fn localized(value: &LocalizedText, max: usize, what: &str) -> Result<LocalizedText, Refusal> {
    Ok(LocalizedText::new(
        text(&value.fr, max, what)?,
        text(&value.en, max, what)?,
    ))
}

/// The definition `edit` makes of `current`, checked as the town's files are.
pub fn apply(current: TownDefinition, edit: &TownEdit) -> Result<TownDefinition, Refusal> {
    let mut file = current.tenant;
    let mut zones_geojson = r#"{"type":"FeatureCollection","features":[]}"#.to_owned();
    match edit {
        TownEdit::Category {
            code,
            name,
            response_days,
            duplicate_radius_m,
            questions,
        } => {
            let category = file
                .categories
                .iter_mut()
                .find(|c| &c.code == code)
                .ok_or_else(|| Refusal::Definition(format!("no category {code}")))?;
            category.name = localized(name, MAX_NAME_CHARS, "name")?;
            category.response_days = *response_days;
            category.duplicate_radius_m = *duplicate_radius_m;
            category.questions = questions
                .iter()
                .map(|q| {
                    Ok(Question {
                        label: localized(&q.label, MAX_NAME_CHARS, "question")?,
                        ..q.clone()
                    })
                })
                .collect::<Result<_, Refusal>>()?;
        }
        TownEdit::Zones(geojson) => zones_geojson.clone_from(geojson),
        TownEdit::RejectionReason(reason) => {
            let reason = RejectionReason {
                code: text(&reason.code, 40, "code")?,
                label: localized(&reason.label, MAX_NAME_CHARS, "label")?,
            };
            match file
                .rejection_reasons
                .iter_mut()
                .find(|r| r.code == reason.code)
            {
                Some(stored) => *stored = reason,
                None => file.rejection_reasons.push(reason),
            }
        }
        TownEdit::ReplyTemplate(template) => {
            let template = ReplyTemplate {
                text: localized(&template.text, MAX_TEMPLATE_CHARS, "text")?,
                ..template.clone()
            };
            if let Some(category) = &template.category
                && !file.categories.iter().any(|c| &c.code == category)
            {
                return Err(Refusal::Definition(format!("no category {category}")));
            }
            match file.reply_templates.iter_mut().find(|t| {
                t.kind == template.kind
                    && t.group == template.group
                    && t.category == template.category
            }) {
                Some(stored) => *stored = template,
                None => file.reply_templates.push(template),
            }
        }
    }
    let tenant_json =
        serde_json::to_string(&file).map_err(|e| Refusal::Definition(e.to_string()))?;
    let changed = seed::parse(&tenant_json, &zones_geojson)
        .map_err(|e| Refusal::Definition(e.to_string()))?;
    for zone in &changed.zones {
        let known = |code: &str| {
            changed.zones.iter().any(|z| z.code == code)
                || current.zones.iter().any(|z| z.code == code)
        };
        if zone.code.trim().is_empty() || zone.name.trim().is_empty() {
            return Err(Refusal::Definition("a zone needs a code and a name".into()));
        }
        if let Some(parent) = zone.parent.as_deref().filter(|p| !known(p)) {
            return Err(Refusal::Definition(format!(
                "zone {} lies in unknown zone {parent}",
                zone.code
            )));
        }
    }
    Ok(changed)
}

/// Changes the town's definition, records who did, and reloads the town held in memory.
pub async fn edit_town<DB: Database>(
    db: &DB,
    towns: &Towns,
    admin: &Admin,
    edit: TownEdit,
) -> Result<(), Refusal> {
    let current = db
        .town_definition(&admin.tenant)
        .await?
        .ok_or(Refusal::Change(StaffChange::UnknownTenant))?;
    let changed = apply(current, &edit)?;
    let zones = changed.zones.len();
    db.seed(changed).await?;
    let detail = match &edit {
        TownEdit::Category { code, .. } => serde_json::json!({ "category": code }),
        TownEdit::Zones(_) => serde_json::json!({ "zones": zones }),
        TownEdit::RejectionReason(reason) => serde_json::json!({ "reason": reason.code }),
        TownEdit::ReplyTemplate(t) => serde_json::json!({
            "kind": <&str>::from(t.kind), "group": t.group, "category": t.category,
        }),
    };
    admin.record(db, edit.action(), detail).await?;
    towns.reload(db, &admin.tenant).await?;
    Ok(())
}

/// Routes reports of `category` in `zone` to `service` (`None`: back to the category's default
/// service). Reports already received keep their service.
pub async fn set_route<DB: Database>(
    db: &DB,
    towns: &Towns,
    admin: &Admin,
    category: &str,
    zone: &str,
    service: Option<String>,
) -> Result<(), Refusal> {
    let change = db
        .set_routing(&admin.tenant, category, zone, service.clone())
        .await?;
    done(change)?;
    let action = if service.is_some() {
        "routing.set"
    } else {
        "routing.unset"
    };
    let detail = serde_json::json!({ "category": category, "zone": zone, "service": service });
    admin.record(db, action, detail).await?;
    towns.reload(db, &admin.tenant).await?;
    Ok(())
}

/// Imports entries into the town's directory of public services (checked by
/// [`crate::directory::check`]; an entry replaces the one of the same id, the others are kept),
/// and records who did.
pub async fn import_directory<DB: Database>(
    db: &DB,
    admin: &Admin,
    services: Vec<PublicService>,
) -> Result<DirectoryImport, Refusal> {
    let import = db
        .import_directory(&admin.tenant, services)
        .await?
        .ok_or(Refusal::Change(StaffChange::UnknownTenant))?;
    let detail = serde_json::json!({
        "added": import.added,
        "updated": import.updated,
        "unchanged": import.unchanged,
        "version": import.version,
    });
    admin.record(db, "directory.import", detail).await?;
    Ok(import)
}

/// The server's operator (an IT syndicate serving several towns), who creates and updates towns.
#[derive(Debug, Clone)]
pub struct Operator {
    by: Uuid,
}

impl Operator {
    /// `member`, when they are an operator of the server.
    pub fn of(member: &StaffMember) -> Option<Self> {
        (member.profile.role == StaffRole::Operator && member.tenant.is_none())
            .then_some(Self { by: member.id })
    }
}

/// Creates a town from its files (`tenant.json`, `zones.geojson`), or updates it, as
/// `relais-server tenant add` does. Returns the town's id.
pub async fn store_town<DB: Database>(
    db: &DB,
    towns: &Towns,
    operator: &Operator,
    tenant_json: &str,
    zones_geojson: &str,
) -> Result<String, Refusal> {
    let town =
        seed::parse(tenant_json, zones_geojson).map_err(|e| Refusal::Definition(e.to_string()))?;
    let id = town.tenant.id.clone();
    if !relais_domain::tenant::is_code(&id) {
        return Err(Refusal::Definition(format!(
            "the town's id {id:?} must be lowercase letters, digits and dashes"
        )));
    }
    let changed = db.seed(town).await?;
    db.audit(
        Some(id.clone()),
        Some(operator.by),
        "tenant.add".to_owned(),
        serde_json::json!({ "changed": changed }),
        now_ms(),
    )
    .await?;
    towns.reload(db, &id).await?;
    Ok(id)
}

/// A staff account to create in the admin's town.
#[derive(Debug, Clone)]
pub struct NewMember {
    pub email: String,
    pub name: String,
    pub role: StaffRole,
    pub services: Vec<String>,
    pub zones: Vec<String>,
    /// The first password for the back office (`None`: a device-only account).
    pub password: Option<String>,
}

/// Creates a staff account of the admin's town.
pub async fn add_member<DB: Database>(
    db: &DB,
    admin: &Admin,
    member: NewMember,
) -> Result<String, Refusal> {
    let email = accounts::normalize_email(&member.email)?;
    accounts::check_role(member.role, true, &member.services, &member.zones)?;
    let name = text(&member.name, MAX_NAME_CHARS, "name").map_err(|_| AccountProblem::Name)?;
    let password_hash = member
        .password
        .as_deref()
        .map(accounts::hash_password)
        .transpose()?;
    let change = db
        .add_staff(NewStaff {
            id: Uuid::now_v7(),
            tenant: Some(admin.tenant.clone()),
            email: email.clone(),
            name,
            role: member.role,
            services: member.services,
            zones: member.zones,
            password_hash,
            created_at_ms: now_ms(),
        })
        .await?;
    done(change)?;
    admin
        .record(db, "staff.add", serde_json::json!({ "email": email }))
        .await?;
    Ok(email)
}

/// Disables (or enables again) an account of the admin's town: a disabled member's devices and
/// sessions stop working at once. An admin cannot lock themselves out.
pub async fn set_member_disabled<DB: Database>(
    db: &DB,
    admin: &Admin,
    email: &str,
    disabled: bool,
) -> Result<(), Refusal> {
    let email = accounts::normalize_email(email)?;
    if disabled
        && let Some(by) = admin.by
        && db
            .staff_account(Some(admin.tenant.clone()), email.clone())
            .await?
            .is_some_and(|account| account.member.id == by)
    {
        return Err(Refusal::OwnAccount);
    }
    let at = disabled.then(now_ms);
    done(
        db.set_staff_disabled(Some(admin.tenant.clone()), email.clone(), at)
            .await?,
    )?;
    let action = if disabled {
        "staff.disable"
    } else {
        "staff.enable"
    };
    admin
        .record(db, action, serde_json::json!({ "email": email }))
        .await
        .map_err(Refusal::from)
}

fn done(change: StaffChange) -> Result<(), Refusal> {
    match change {
        StaffChange::Done => Ok(()),
        other => Err(Refusal::Change(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> TownDefinition {
        seed::demo().unwrap()
    }

    #[test]
    fn a_category_edit_keeps_the_rest_of_the_town() {
        let before = demo();
        let code = before.tenant.categories[0].code.clone();
        let edit = TownEdit::Category {
            code: code.clone(),
            name: LocalizedText::new("Nid de poule", "Pothole"),
            response_days: Some(3),
            duplicate_radius_m: Some(40),
            questions: Vec::new(),
        };
        let after = apply(before.clone(), &edit).unwrap();
        let category = &after.tenant.categories[0];
        assert_eq!(category.name.en, "Pothole");
        assert_eq!(
            (category.response_days, category.duplicate_radius_m),
            (Some(3), Some(40))
        );
        assert_eq!(
            after.tenant.categories.len(),
            before.tenant.categories.len()
        );
        assert_eq!(after.tenant.services.len(), before.tenant.services.len());
        assert!(after.zones.is_empty(), "zones are not touched");
        assert_ne!(after.digest, before.digest);
    }

    #[test]
    fn bad_edits_are_refused() {
        let code = demo().tenant.categories[0].code.clone();
        let blank = TownEdit::Category {
            code,
            name: LocalizedText::new(" ", "Pothole"),
            response_days: None,
            duplicate_radius_m: None,
            questions: Vec::new(),
        };
        assert!(matches!(apply(demo(), &blank), Err(Refusal::Definition(_))));
        let orphan = r#"{"type":"FeatureCollection","features":[{"type":"Feature",
            "properties":{"code":"q1","name":"Q","kind":"quartier","parent":"nowhere"},
            "geometry":{"type":"Polygon","coordinates":[[[2.3,48.8],[2.4,48.8],[2.4,48.9],[2.3,48.8]]]}}]}"#;
        assert!(matches!(
            apply(demo(), &TownEdit::Zones(orphan.into())),
            Err(Refusal::Definition(m)) if m.contains("nowhere")
        ));
        let not_geojson = TownEdit::Zones("{".into());
        assert!(apply(demo(), &not_geojson).is_err());
    }

    #[test]
    fn imported_zones_may_lie_in_stored_ones() {
        let before = demo();
        let parent = before
            .zones
            .iter()
            .find(|z| z.parent.is_none())
            .unwrap()
            .code
            .clone();
        let geojson = format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature",
            "properties":{{"code":"new-q","name":"Nouveau","kind":"quartier","parent":"{parent}"}},
            "geometry":{{"type":"Polygon","coordinates":[[[2.3,48.8],[2.4,48.8],[2.4,48.9],[2.3,48.8]]]}}}}]}}"#
        );
        let after = apply(before, &TownEdit::Zones(geojson)).unwrap();
        assert_eq!(after.zones.len(), 1);
        assert_eq!(after.zones[0].parent.as_deref(), Some(parent.as_str()));
    }
}
