//! The inbox's selection and the permission to act are one rule: for every role, every zone of
//! the demo town and every service, a report lies in [`work_scope`] exactly when
//! [`may_work_in`] lets the staff member work on it.

use relais_protocol::{StaffProfile, StaffRole};
use relais_server_database::StaffMember;
use uuid::Uuid;

use crate::staff::access::{may_work_in, work_scope};

fn member(tenant: Option<&str>, role: StaffRole, services: &[&str], zones: &[&str]) -> StaffMember {
    StaffMember {
        id: Uuid::now_v7(),
        tenant: tenant.map(str::to_owned),
        profile: StaffProfile {
            email: "someone@paris.example".into(),
            name: "Someone".into(),
            role,
            services: services.iter().map(|s| (*s).to_owned()).collect(),
            zones: zones.iter().map(|z| (*z).to_owned()).collect(),
        },
    }
}

crate::tests::on_both_backends! {
#[tokio::test]
async fn the_inbox_selects_exactly_the_reports_one_may_work_on() {
    let fixture = Fixture::demo().await;
    let town = fixture
        .towns
        .get(&fixture.db, "demo")
        .await
        .unwrap()
        .unwrap();
    let members = [
        member(Some("demo"), StaffRole::Admin, &[], &[]),
        member(
            Some("demo"),
            StaffRole::Supervisor,
            &["proprete", "voirie"],
            &[],
        ),
        member(Some("demo"), StaffRole::Agent, &["proprete"], &[]),
        // Limited to the 4th arrondissement: its quartiers too.
        member(Some("demo"), StaffRole::Agent, &["proprete"], &["75104"]),
        member(None, StaffRole::Operator, &[], &[]),
        member(Some("lyon"), StaffRole::Admin, &[], &[]),
    ];
    let services: Vec<String> = town.service_codes().map(str::to_owned).collect();
    let mut allowed = 0;
    for member in &members {
        let scope = work_scope(member, &town);
        for zone in &town.catalogue.zones {
            for service in &services {
                let selected = scope.as_ref().is_some_and(|scope| {
                    scope.services.as_ref().is_none_or(|s| s.contains(service))
                        && scope.zones.as_ref().is_none_or(|z| z.contains(&zone.code))
                });
                let may = may_work_in(member, &town, "demo", service, &zone.code);
                assert_eq!(selected, may, "{member:?} {service} {}", zone.code);
                allowed += usize::from(may);
            }
        }
    }
    // The test looked at both answers.
    assert!(allowed > 0);
    let limited = work_scope(&members[3], &town).unwrap();
    assert!(
        limited.zones.unwrap().len() > 1,
        "the arrondissement and its quartiers"
    );
}
}
