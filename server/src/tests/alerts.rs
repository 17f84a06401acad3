//! Ending a zone alert on a real database of each backend: the back office lists the town's
//! alerts with who published them, an admin ends one (moved end, audit entry), it is listed as
//! ended, cannot be ended twice, and an agent or another town's admin may not end one.

use relais_protocol::{LocalizedText, StaffProfile, StaffRole};
use relais_server_database::{Database, NewStaff, StaffMember};
use uuid::Uuid;

use crate::clock::now_ms;
use crate::staff::act::{AlertRequest, end_alert, publish_alert};

const DAY_MS: i64 = 86_400_000;

/// A staff member of `tenant` in `role`, stored (the listing names who published).
async fn member(db: &impl Database, tenant: &str, role: StaffRole) -> StaffMember {
    let id = Uuid::now_v7();
    let profile = StaffProfile {
        email: format!("{id}@paris.example"),
        name: "Ada Admin".into(),
        role,
        services: Vec::new(),
        zones: Vec::new(),
    };
    db.add_staff(NewStaff {
        id,
        tenant: Some(tenant.into()),
        email: profile.email.clone(),
        name: profile.name.clone(),
        role,
        services: Vec::new(),
        zones: Vec::new(),
        password_hash: None,
        created_at_ms: now_ms(),
    })
    .await
    .unwrap();
    StaffMember {
        id,
        tenant: Some(tenant.into()),
        profile,
    }
}

crate::tests::on_both_backends! {
#[tokio::test]
async fn an_alert_under_way_is_listed_then_ended_once_by_an_admin_of_its_town() {
    let fx = Fixture::demo().await;
    let ada = member(&fx.db, "demo", StaffRole::Admin).await;
    let now = now_ms();
    let request = AlertRequest {
        zones: vec!["75104".into()],
        title: LocalizedText::new("Travaux", "Roadworks"),
        text: LocalizedText::new("Rue fermée", "Street closed"),
        starts_at_ms: now - DAY_MS,
        ends_at_ms: now + DAY_MS,
    };
    let id = publish_alert(&fx.db, &fx.towns, Some(&ada), "demo", request)
        .await
        .unwrap()
        .unwrap();
    let listed = fx.db.published_alerts("demo", now, 10).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].alert.id, id);
    assert_eq!(listed[0].alert.zones, ["75104"]);
    assert_eq!(listed[0].alert.title.en, "Roadworks");
    assert_eq!(listed[0].published_by.as_deref(), Some("Ada Admin"));
    assert!(fx.db.published_alerts("other", now, 10).await.unwrap().is_empty());

    // An agent, or an admin of another town, may not end it.
    let agent = member(&fx.db, "demo", StaffRole::Agent).await;
    let refused = end_alert(&fx.db, &fx.towns, &agent, "demo", id).await.unwrap();
    assert_eq!(refused.unwrap_err().code, "not_permitted");
    let stranger = StaffMember {
        tenant: Some("lyon".into()),
        ..ada.clone()
    };
    assert!(end_alert(&fx.db, &fx.towns, &stranger, "demo", id).await.unwrap().is_err());

    end_alert(&fx.db, &fx.towns, &ada, "demo", id).await.unwrap().unwrap();
    let ended = fx.db.published_alerts("demo", now - DAY_MS, 10).await.unwrap();
    assert!(ended[0].alert.ends_at_ms <= now_ms() && ended[0].alert.ends_at_ms >= now);
    assert!(fx.db.published_alerts("demo", now_ms() + 1, 10).await.unwrap().is_empty());
    let again = end_alert(&fx.db, &fx.towns, &ada, "demo", id).await.unwrap();
    assert_eq!(again.unwrap_err().code, "no_current_alert");
    assert_eq!(
        fx.count("SELECT COUNT(*) FROM audit_log WHERE action = 'alert.end'"),
        1
    );
}
}
