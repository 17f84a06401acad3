//! Who may act on which report. An agent works the reports routed to their service (and, when
//! their account is limited to zones, lying in one of them); a supervisor the reports of their
//! services; an admin every report of their town; nobody across towns. The server's operator
//! runs the towns, not their requests.

use relais_protocol::StaffRole;
use relais_server_database::{ReportFacts, StaffMember};
use uuid::Uuid;

use crate::town::Town;

/// Through what a staff member acts: it goes into each history entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// A staff device's push.
    Device(Uuid),
    /// The back office.
    Web,
    /// The server's command line.
    Server,
}

impl Channel {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Device(_) => "device",
            Self::Web => "web",
            Self::Server => "server",
        }
    }

    pub const fn device(self) -> Option<Uuid> {
        match self {
            Self::Device(id) => Some(id),
            Self::Web | Self::Server => None,
        }
    }
}

/// A staff member acting, and through what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffActor {
    pub member: StaffMember,
    pub channel: Channel,
}

/// Whether `member` may work on `report` of `town`.
pub fn may_work_on(member: &StaffMember, town: &Town, report: &ReportFacts) -> bool {
    may_work_in(member, town, &report.tenant, &report.service, &report.zone)
}

/// Whether `member` may work on a report of `tenant` handled by `service` in `zone`.
pub fn may_work_in(
    member: &StaffMember,
    town: &Town,
    tenant: &str,
    service: &str,
    zone: &str,
) -> bool {
    if member.tenant.as_deref() != Some(tenant) || tenant != town.id() {
        return false;
    }
    let profile = &member.profile;
    let serves = || profile.services.iter().any(|s| s == service);
    match profile.role {
        StaffRole::Admin => true,
        StaffRole::Supervisor => serves(),
        StaffRole::Agent => {
            serves()
                && (profile.zones.is_empty()
                    || town
                        .chain(zone)
                        .iter()
                        .any(|zone| profile.zones.contains(zone)))
        }
        StaffRole::Operator => false,
    }
}

/// The part of `town` whose reports `member` may work on, as a selection: the services (`None`:
/// all) and the zones (`None`: all) — exactly the reports [`may_work_in`] allows. `None` when
/// they may work on none (an operator, another town's staff).
pub fn work_scope(member: &StaffMember, town: &Town) -> Option<WorkScope> {
    if member.tenant.as_deref() != Some(town.id()) {
        return None;
    }
    let profile = &member.profile;
    match profile.role {
        StaffRole::Admin => Some(WorkScope::default()),
        StaffRole::Supervisor => Some(WorkScope {
            services: Some(profile.services.clone()),
            zones: None,
        }),
        StaffRole::Agent => Some(WorkScope {
            services: Some(profile.services.clone()),
            zones: (!profile.zones.is_empty()).then(|| {
                let mut zones: Vec<String> =
                    profile.zones.iter().flat_map(|z| town.within(z)).collect();
                zones.sort();
                zones.dedup();
                zones
            }),
        }),
        StaffRole::Operator => None,
    }
}

/// The services and zones of a [`work_scope`] (`None`: all).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkScope {
    pub services: Option<Vec<String>>,
    pub zones: Option<Vec<String>>,
}

/// A filter naming what the town does not have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnknownFilter {
    Service,
    Zone,
}

impl WorkScope {
    /// This scope narrowed to one service and to one zone (with the zones inside it), either
    /// `None` for no narrowing: never wider than the scope.
    pub fn narrowed(
        mut self,
        town: &Town,
        service: Option<&str>,
        zone: Option<&str>,
    ) -> Result<Self, UnknownFilter> {
        if let Some(service) = service {
            if town.service_name(service).is_none() {
                return Err(UnknownFilter::Service);
            }
            self.services = Some(match self.services {
                Some(mine) => mine.into_iter().filter(|s| s == service).collect(),
                None => vec![service.to_owned()],
            });
        }
        if let Some(zone) = zone {
            if !town.has_zone(zone) {
                return Err(UnknownFilter::Zone);
            }
            let within = town.within(zone);
            self.zones = Some(match self.zones {
                Some(mine) => within.into_iter().filter(|z| mine.contains(z)).collect(),
                None => within,
            });
        }
        Ok(self)
    }
}

/// Whether `member` may give reports to other staff members (an agent may only take one, or
/// give it back).
pub const fn may_dispatch(member: &StaffMember) -> bool {
    matches!(
        member.profile.role,
        StaffRole::Admin | StaffRole::Supervisor
    )
}
