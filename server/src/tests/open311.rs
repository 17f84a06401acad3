//! What the Open311 front door stores, on both backends: an application's api key and the
//! citizen device it files as, revoked together; a town's requests by filters.

use relais_protocol::ReportStatus;
use relais_server_database::{Database, NewApiKey, NewDevice, RequestQuery, TokenHash};
use uuid::Uuid;

use super::{CATEGORY, PARIS, create_at, mutation};

fn key(tenant: &str, byte: u8) -> NewApiKey {
    NewApiKey {
        id: Uuid::now_v7(),
        name: "FixMyStreet".into(),
        key: TokenHash([byte; 32]),
        device: NewDevice {
            id: Uuid::now_v7(),
            tenant: tenant.into(),
            token: TokenHash([byte.wrapping_add(1); 32]),
            platform: "open311".into(),
            app_version: "FixMyStreet".into(),
            language: None,
            created_at_ms: 1,
        },
    }
}

fn requests(categories: &[&str], statuses: Vec<ReportStatus>) -> RequestQuery {
    RequestQuery {
        tenant: "demo".into(),
        categories: categories.iter().map(|c| (*c).to_owned()).collect(),
        statuses,
        from_ms: 0,
        until_ms: i64::MAX,
        limit: 10,
    }
}

crate::tests::on_both_backends! {
#[tokio::test]
async fn an_api_key_files_as_its_device_lists_the_towns_requests_and_is_revoked_with_it() {
    let fx = Fixture::demo().await;
    assert!(!fx.db.add_api_key(key("nowhere", 3)).await.unwrap());
    let new = key("demo", 7);
    assert!(fx.db.add_api_key(new.clone()).await.unwrap());
    let device = fx.db.api_key("demo", new.key).await.unwrap().unwrap();
    assert_eq!(device.id, new.device.id);
    assert!(fx.db.api_key("other", new.key).await.unwrap().is_none());
    let listed = fx.db.api_keys("demo").await.unwrap();
    assert_eq!((listed.len(), listed[0].device, listed[0].revoked_at_ms), (1, new.device.id, None));

    let report = Uuid::now_v7();
    let pushed = fx.push(&device, vec![mutation(1, create_at(report, PARIS))]).await.unwrap();
    assert_eq!(pushed.last_seq, 1);
    let all = fx.db.request_ids(requests(&[], vec![])).await.unwrap();
    assert_eq!(all, [report]);
    let of_category = fx.db.request_ids(requests(&[CATEGORY], vec![ReportStatus::Received])).await.unwrap();
    assert_eq!(of_category, [report]);
    assert!(fx.db.request_ids(requests(&["autre"], vec![])).await.unwrap().is_empty());
    assert!(fx.db.request_ids(requests(&[], vec![ReportStatus::Resolved])).await.unwrap().is_empty());

    assert!(fx.db.revoke_api_key("demo", new.id, 5).await.unwrap());
    assert!(!fx.db.revoke_api_key("demo", new.id, 6).await.unwrap());
    assert!(fx.db.api_key("demo", new.key).await.unwrap().is_none());
    assert!(fx.db.device("demo", new.device.token).await.unwrap().is_none());
    assert_eq!(fx.db.api_keys("demo").await.unwrap()[0].revoked_at_ms, Some(5));
}
}
