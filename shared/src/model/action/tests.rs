//! Actions from intent to outbox: validation offline, in the user's language, and what each
//! action saves.

use relais_protocol::ReportStatus;

use crate::model::testing::{CATEGORY, Filing, Harness, ServerOracle};
use crate::{
    model::Intent,
    model::nearby::NearbySource,
    view::{ActionView, SyncView, TimelineKind},
};

fn file(h: &mut Harness, category: &str, lat: f64, text: &str) -> ActionView {
    h.send_report(Filing {
        category: category.into(),
        lat,
        lon: 2.35,
        text: text.into(),
        ..Filing::default()
    })
}

fn failure(view: ActionView) -> String {
    match view {
        ActionView::Failed { message } => message,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn sync(h: &mut Harness, server: &mut ServerOracle) {
    h.send(Intent::Sync);
    h.serve_all(server);
    assert!(
        matches!(h.view().sync, SyncView::Finished { .. }),
        "{:?}",
        h.view().sync
    );
}

#[test]
fn an_unregistered_device_cannot_file() {
    let mut h = Harness::new();
    let message = failure(file(&mut h, CATEGORY, 48.85, "pothole"));
    assert!(message.contains("not registered"), "{message}");
}

#[test]
fn bad_input_is_refused_with_a_readable_message_and_nothing_is_saved() {
    let mut server = ServerOracle::default();
    let mut h = Harness::registered(&mut server);
    assert!(failure(file(&mut h, "no-such-category", 48.85, "x")).contains("no-such-category"));
    assert!(failure(file(&mut h, CATEGORY, 91.0, "x")).contains("not valid"));
    assert!(failure(file(&mut h, CATEGORY, f64::NAN, "x")).contains("not valid"));
    assert!(failure(file(&mut h, CATEGORY, 48.85, "   ")).contains("Describe"));
    assert!(failure(file(&mut h, CATEGORY, 48.85, &"x".repeat(4001))).contains("4000"));
    let h = h.restart();
    assert!(h.view().reports.is_empty());
    assert!(h.view().outbox.is_empty());
}

#[test]
fn a_point_outside_every_zone_and_missing_answers_are_refused_offline() {
    let mut server = ServerOracle::default();
    server.with_zone_and_question = true;
    let mut h = Harness::registered(&mut server);
    let outside = failure(file(&mut h, CATEGORY, 45.75, "Lyon"));
    assert!(outside.contains("outside Demo"), "{outside}");
    let missing = failure(file(&mut h, CATEGORY, 48.85, "Matelas"));
    assert!(missing.contains("What kind of item"), "{missing}");
    let mut file_answering = |choice: &str| {
        h.send_report(Filing {
            answers: vec![crate::model::AnswerInput {
                question: "item".into(),
                value: crate::model::AnswerValue::Choice {
                    code: choice.into(),
                },
            }],
            ..Filing::default()
        })
    };
    assert!(failure(file_answering("sofa")).contains("not valid"));
    assert!(matches!(
        file_answering("mattress"),
        ActionView::Saved { .. }
    ));
}

#[test]
fn messages_follow_the_language() {
    let mut h = Harness::new();
    h.send(Intent::SetLanguage {
        language: "fr-FR".into(),
    });
    let message = failure(file(&mut h, CATEGORY, 48.85, "nid de poule"));
    assert!(message.contains("pas encore inscrit"), "{message}");
    assert_eq!(h.restart().view().language, "fr");
}

/// The device applies the server's text rule (`relais_domain::text`) before anything is queued:
/// escapes, controls and direction overrides are refused, invisible-only text is empty, and a
/// text is kept and sent in NFC, as the server stores it.
#[test]
fn hostile_texts_are_refused_and_texts_are_kept_in_nfc() {
    let mut server = ServerOracle::default();
    let mut h = Harness::registered(&mut server);
    for hostile in ["\u{1b}[2J effacé", "Matelas\u{7}", "gnp\u{202E}.exe"] {
        let message = failure(file(&mut h, CATEGORY, 48.85, hostile));
        assert!(message.contains("control"), "{hostile:?}: {message}");
    }
    let message = failure(file(&mut h, CATEGORY, 48.85, "\u{200B}\u{2060}"));
    assert!(message.contains("Describe"), "{message}");
    assert!(h.view().outbox.is_empty(), "nothing refused is queued");

    let id = h.file("  Cafe\u{301} fermé\r\nencore  ");
    let h = h.restart();
    assert_eq!(h.report(id).text, "Caf\u{e9} fermé\nencore");
}

/// The server's ranges (`relais_domain::ranges`), applied offline: an accuracy of 1e308 m and a
/// clock set decades back are refused before anything is queued.
#[test]
fn out_of_range_accuracies_and_clocks_are_refused_offline() {
    let mut server = ServerOracle::default();
    let mut h = Harness::registered(&mut server);
    h.send(Intent::FileReport {
        category: CATEGORY.into(),
        lat: 48.8566,
        lon: 2.3522,
        accuracy_m: Some(1e308),
        text: "Matelas".into(),
        answers: Vec::new(),
        photos: Vec::new(),
    });
    assert!(failure(h.view().action).contains("not valid"));
    h.clock_skew_ms = -40 * 365 * 86_400_000;
    let message = failure(file(&mut h, CATEGORY, 48.85, "Matelas"));
    assert!(message.contains("not plausible"), "{message}");
    assert!(h.view().outbox.is_empty(), "nothing refused is queued");
}

#[test]
fn a_filed_report_gets_a_time_ordered_id_and_a_trimmed_text() {
    let mut server = ServerOracle::default();
    let mut h = Harness::registered(&mut server);
    let first = h.file("  matelas  ");
    let second = h.file("frigo");
    assert_eq!(first.get_version_num(), 7);
    let millis = |id: uuid::Uuid| id.get_timestamp().unwrap().to_unix();
    assert!(millis(first) <= millis(second), "ids sort by filing time");
    let report = h.report(first);
    assert_eq!(report.text, "matelas");
}

#[test]
fn me_too_is_offered_nearby_counted_once_and_not_on_my_own_reports() {
    let mut server = ServerOracle::default();
    let mut neighbour = Harness::registered(&mut server);
    let theirs = neighbour.file("Matelas");
    sync(&mut neighbour, &mut server);
    let mut h = Harness::registered(&mut server);
    let mine = h.file("Frigo");
    h.send(Intent::FindNearby {
        category: CATEGORY.into(),
        lat: 48.8570,
        lon: 2.3525,
    });
    h.serve_all(&mut server);
    let nearby = h.view().nearby.unwrap();
    assert_eq!(nearby.source, Some(NearbySource::Server));
    let ids: Vec<&str> = nearby
        .reports
        .iter()
        .map(|n| n.report.id.as_str())
        .collect();
    assert!(ids.contains(&theirs.to_string().as_str()), "{ids:?}");
    assert!(
        nearby
            .reports
            .iter()
            .all(|n| n.distance_m <= nearby.radius_m)
    );
    // "Me too" from the answer: it shows at once, without asking again.
    h.send(Intent::Support {
        report_id: theirs.to_string(),
    });
    h.saved_id();
    let shown = h.view().nearby.unwrap();
    let supported = shown
        .reports
        .iter()
        .find(|n| n.report.id == theirs.to_string())
        .unwrap();
    assert!(supported.report.supported, "{supported:?}");
    // Still so once sent (the device may then forget its copy of someone else's report).
    sync(&mut h, &mut server);
    let shown = h.view().nearby.unwrap();
    assert!(
        shown
            .reports
            .iter()
            .any(|n| n.report.id == theirs.to_string() && n.report.supported),
        "{shown:?}"
    );
    h.send(Intent::FindNearby {
        category: CATEGORY.into(),
        lat: 48.87,
        lon: 2.3525,
    });
    h.serve_all(&mut server);
    assert!(
        h.view().nearby.unwrap().reports.is_empty(),
        "1.5 km away is not nearby"
    );

    h.send(Intent::Support {
        report_id: theirs.to_string(),
    });
    assert!(failure(h.view().action).contains("already"));
    h.send(Intent::Support {
        report_id: mine.to_string(),
    });
    assert!(failure(h.view().action).contains("your own"));
    sync(&mut h, &mut server);
    let report = h.report(theirs);
    assert_eq!((report.supporters, report.supported), (1, true));
}

#[test]
fn the_timeline_shows_statuses_city_messages_and_queued_replies_and_notifies() {
    let mut server = ServerOracle::default();
    let mut h = Harness::registered(&mut server);
    let id = h.file("Lampadaire éteint");
    sync(&mut h, &mut server);
    assert!(
        h.notifications.is_empty(),
        "no notification for one's own sending"
    );
    server.city_sets(id, ReportStatus::Scheduled, "Intervention jeudi");
    sync(&mut h, &mut server);
    assert_eq!(h.notifications.len(), 1);
    assert!(
        h.notifications[0].title.contains("scheduled"),
        "{:?}",
        h.notifications
    );
    assert!(h.notifications[0].body.contains("Intervention jeudi"));
    h.send(Intent::Reply {
        report_id: id.to_string(),
        text: "Merci !".into(),
    });
    h.saved_id();
    h.send(Intent::OpenReport {
        report_id: id.to_string(),
    });
    let detail = h.view().opened.unwrap();
    let kinds: Vec<(TimelineKind, bool)> =
        detail.timeline.iter().map(|e| (e.kind, e.queued)).collect();
    assert_eq!(
        kinds,
        vec![
            (TimelineKind::Status, false),
            (TimelineKind::Status, false),
            (TimelineKind::Message, false),
            (TimelineKind::Reply, true)
        ]
    );
    assert_eq!(detail.response_days, Some(7));
    assert!(!detail.can_confirm);
    sync(&mut h, &mut server);
    let detail = h.view().opened.unwrap();
    assert!(
        detail
            .timeline
            .iter()
            .any(|e| e.kind == TimelineKind::Reply && !e.queued)
    );
}

#[test]
fn a_resolution_can_be_reopened_by_its_reporter_only() {
    let mut server = ServerOracle::default();
    let mut h = Harness::registered(&mut server);
    let id = h.file("Nid de poule");
    sync(&mut h, &mut server);
    h.send(Intent::ConfirmResolution {
        report_id: id.to_string(),
        fixed: false,
        satisfaction: None,
    });
    assert!(failure(h.view().action).contains("not marked as resolved"));
    server.city_sets(id, ReportStatus::Resolved, "Rebouché");
    sync(&mut h, &mut server);
    h.send(Intent::OpenReport {
        report_id: id.to_string(),
    });
    assert!(h.view().opened.unwrap().can_confirm);
    h.send(Intent::ConfirmResolution {
        report_id: id.to_string(),
        fixed: false,
        satisfaction: Some(9),
    });
    assert!(failure(h.view().action).contains("1 to 5"));
    h.send(Intent::ConfirmResolution {
        report_id: id.to_string(),
        fixed: false,
        satisfaction: Some(2),
    });
    h.saved_id();
    sync(&mut h, &mut server);
    let report = h.report(id);
    assert_eq!(report.status, ReportStatus::Reopened);
    assert!(server.kinds.contains(&"confirm_resolution"));
}

#[test]
fn a_service_rating_is_kept_offline_and_replaced_by_a_new_one() {
    let mut server = ServerOracle::default();
    let mut h = Harness::registered(&mut server);
    let rate = |h: &mut Harness, satisfaction: u8| {
        h.send(Intent::RateService {
            service_id: "mairie-75104".into(),
            satisfaction,
            importance: 5,
            comment: Some("Accueil".into()),
        });
    };
    rate(&mut h, 0);
    assert!(failure(h.view().action).contains("1 to 5"));
    h.send(Intent::RateService {
        service_id: "nowhere".into(),
        satisfaction: 3,
        importance: 3,
        comment: None,
    });
    assert!(failure(h.view().action).contains("nowhere"));
    rate(&mut h, 2);
    rate(&mut h, 4);
    let h2 = h.restart();
    let service = h2
        .view()
        .services
        .into_iter()
        .find(|s| s.id == "mairie-75104")
        .unwrap();
    let mine = service.my_rating.unwrap();
    assert_eq!((mine.satisfaction, mine.state.as_str()), (4, "queued"));
    let mut h = h2;
    sync(&mut h, &mut server);
    let service = h
        .view()
        .services
        .into_iter()
        .find(|s| s.id == "mairie-75104")
        .unwrap();
    assert_eq!(service.my_rating.unwrap().state, "sent");
    assert_eq!(
        server
            .kinds
            .iter()
            .filter(|k| **k == "rate_service")
            .count(),
        2
    );
}

#[test]
fn nearby_falls_back_on_the_devices_own_copy_when_the_server_is_not_reached() {
    let mut server = ServerOracle::default();
    let mut neighbour = Harness::registered(&mut server);
    let theirs = neighbour.file("Matelas");
    sync(&mut neighbour, &mut server);
    let mut h = Harness::registered(&mut server);
    h.file("Frigo");
    sync(&mut h, &mut server);
    h.send(Intent::FindNearby {
        category: CATEGORY.into(),
        lat: 48.8567,
        lon: 2.3523,
    });
    let ask = h.take_http();
    assert!(ask.operation.url.contains("/reports/nearby"));
    h.respond(ask, crate::model::testing::connection_refused());
    let nearby = h.view().nearby.unwrap();
    assert_eq!(nearby.source, Some(NearbySource::Device));
    assert!(
        nearby
            .reports
            .iter()
            .any(|n| n.report.id == theirs.to_string()),
        "{nearby:?}"
    );
}
