//! Citizens' optional accounts in the storage, on both backends: created with a device, updated,
//! linked from another device by its one-time code (used up and replaced), a device of another
//! account refused; the export of what is stored, and the deletion of the identity (its report
//! stays, anonymous).

use relais_protocol::account::{AccountDetails, ContactChannel};
use relais_server_database::{Database, LinkOutcome, TokenHash};
use uuid::Uuid;

use super::{PARIS, create_at, mutation};

fn details(email: &str) -> AccountDetails {
    AccountDetails {
        email: email.into(),
        phone: None,
        contact: ContactChannel::Email,
        language: "fr".into(),
    }
}

crate::tests::on_both_backends! {
#[tokio::test]
async fn an_account_is_saved_then_linked_by_its_code_once() {
    let fx = Fixture::demo().await;
    let (phone, phone_token) = fx.device("demo").await;
    let (tablet, tablet_token) = fx.device("demo").await;
    let (stranger, _) = fx.device("demo").await;
    assert_eq!(fx.db.account(&phone).await.unwrap(), None);
    let saved = fx
        .db
        .save_account(&phone, details("a@example.org"), TokenHash([1; 32]), 10)
        .await
        .unwrap();
    assert_eq!((saved.details.email.as_str(), saved.devices), ("a@example.org", 1));
    let updated = fx
        .db
        .save_account(&phone, details("b@example.org"), TokenHash([2; 32]), 11)
        .await
        .unwrap();
    assert_eq!((updated.id, updated.details.email.as_str()), (saved.id, "b@example.org"));

    // The first code was replaced: only the second links.
    let stale = fx.db.link_account(&tablet, TokenHash([1; 32]), TokenHash([3; 32])).await;
    assert_eq!(stale.unwrap(), LinkOutcome::UnknownCode);
    let LinkOutcome::Linked(linked) = fx
        .db
        .link_account(&tablet, TokenHash([2; 32]), TokenHash([3; 32]))
        .await
        .unwrap()
    else {
        panic!("the current code links");
    };
    assert_eq!((linked.id, linked.devices), (saved.id, 2));
    assert_eq!(fx.db.account(&tablet).await.unwrap().unwrap().id, saved.id);
    // The tablet now acts as the account.
    let tablet = fx.db.device("demo", tablet_token.hash()).await.unwrap().unwrap();
    assert_eq!(tablet.citizen, saved.id.to_string());

    // A device of another account cannot take this one's code.
    fx.db
        .save_account(&stranger, details("c@example.org"), TokenHash([4; 32]), 12)
        .await
        .unwrap();
    let refused = fx.db.link_account(&stranger, TokenHash([3; 32]), TokenHash([5; 32])).await;
    assert_eq!(refused.unwrap(), LinkOutcome::OtherAccount);

    // What is stored about the account, then its deletion.
    let report = Uuid::now_v7();
    let pushed = fx.push(&phone, vec![mutation(1, create_at(report, PARIS))]).await.unwrap();
    assert_eq!(pushed.last_seq, 1);
    let phone = fx.db.device("demo", phone_token.hash()).await.unwrap().unwrap();
    let export = fx.db.export(&phone, 99).await.unwrap();
    assert_eq!(export.account.unwrap().id, saved.id);
    assert_eq!(export.devices.len(), 2);
    assert_eq!(export.reports.len(), 1);
    assert_eq!(export.reports[0].report.id, report);
    fx.db.delete_identity(&phone, 100).await.unwrap();
    assert!(fx.db.device("demo", phone_token.hash()).await.unwrap().is_none());
    assert!(fx.db.device("demo", tablet_token.hash()).await.unwrap().is_none());
    assert_eq!(fx.count("SELECT COUNT(*) FROM accounts WHERE email = 'b@example.org'"), 0);
    assert_eq!(fx.count("SELECT COUNT(*) FROM reports"), 1);
    assert_eq!(
        fx.count(&format!("SELECT COUNT(*) FROM reports WHERE device_id = '{}'",
            relais_server_database::anonymous_device("demo"))),
        1
    );
}
}
