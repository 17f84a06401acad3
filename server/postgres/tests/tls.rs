//! TLS to a real PostgreSQL: the cluster `scripts/postgres` starts speaks TLS with a certificate
//! for 127.0.0.1 from a throwaway CA (`RELAIS_TEST_POSTGRES_CA`). What the server's own view
//! (`pg_stat_ssl`) says of the backend's connections is checked, and a certificate that the
//! URL's `sslmode` must refuse is refused.

use relais_server_database::Database;
use relais_server_postgres::Postgres;
use relais_server_postgres::testing::{fresh_database, test_server};

/// A fresh database's URL and the CA file, or `None` when there is no TLS cluster here.
async fn database(test: &str) -> Option<(String, String)> {
    let server = test_server(test)?;
    let Ok(ca) = std::env::var("RELAIS_TEST_POSTGRES_CA") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "RELAIS_TEST_POSTGRES_CA must be set under CI (scripts/postgres sets it)"
        );
        eprintln!("skipped {test}: RELAIS_TEST_POSTGRES_CA is unset (scripts/postgres sets it)");
        return None;
    };
    Some((fresh_database(&server).await.unwrap(), ca))
}

/// `url` with the query `query` added.
fn with(url: &str, query: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}{query}")
}

/// How many connections named `application` the server holds, and how many of them use TLS.
async fn connections(url: &str, application: &str) -> (i64, i64) {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let row = client
        .query_one(
            "SELECT COUNT(*), COUNT(*) FILTER (WHERE ssl) FROM pg_stat_activity \
             JOIN pg_stat_ssl USING (pid) WHERE application_name = $1",
            &[&application],
        )
        .await
        .unwrap();
    (row.get(0), row.get(1))
}

#[tokio::test]
async fn verify_full_with_the_servers_ca_connects_over_tls() {
    let Some((url, ca)) = database("verify_full_with_the_servers_ca").await else {
        return;
    };
    let tls = with(
        &url,
        &format!("application_name=relais_full&sslmode=verify-full&sslrootcert={ca}"),
    );
    let db = Postgres::open(&tls).await.unwrap();
    assert!(db.tenants().await.unwrap().is_empty());
    let (open, encrypted) = connections(&url, "relais_full").await;
    assert!(open >= 1);
    assert_eq!(encrypted, open);

    // The same server without TLS: the check above can tell the difference.
    let plain = Postgres::open(&with(&url, "application_name=relais_plain&sslmode=disable"))
        .await
        .unwrap();
    plain.tenants().await.unwrap();
    let (open, encrypted) = connections(&url, "relais_plain").await;
    assert!(open >= 1);
    assert_eq!(encrypted, 0);
}

#[tokio::test]
async fn a_certificate_that_sslmode_must_refuse_is_refused() {
    let Some((url, ca)) = database("a_certificate_that_sslmode_must_refuse").await else {
        return;
    };
    // The certificate names 127.0.0.1, not localhost.
    let localhost = url.replace("@127.0.0.1:", "@localhost:");
    assert_ne!(localhost, url);
    let error = Postgres::open(&with(
        &localhost,
        &format!("sslmode=verify-full&sslrootcert={ca}"),
    ))
    .await
    .err()
    .expect("a certificate for another host is refused");
    assert!(
        format!("{error:?}").contains("NotValidForName"),
        "{error:?}"
    );
    // verify-ca does not look at the name.
    let db = Postgres::open(&with(
        &localhost,
        &format!("application_name=relais_ca&sslmode=verify-ca&sslrootcert={ca}"),
    ))
    .await
    .unwrap();
    db.tenants().await.unwrap();
    assert_eq!(connections(&url, "relais_ca").await.0, 1);

    // The system's roots do not know the throwaway CA.
    let error = Postgres::open(&with(&url, "sslmode=verify-full"))
        .await
        .err()
        .expect("an unknown issuer is refused");
    assert!(format!("{error:?}").contains("UnknownIssuer"), "{error:?}");

    // require encrypts without a root file (as libpq), but checks one when it is named.
    Postgres::open(&with(&url, "sslmode=require"))
        .await
        .unwrap();
    let other_roots = "/etc/ssl/certs/ca-certificates.crt";
    if std::path::Path::new(other_roots).is_file() {
        let error = Postgres::open(&with(
            &url,
            &format!("sslmode=require&sslrootcert={other_roots}"),
        ))
        .await
        .err()
        .expect("a root file the certificate does not chain to is refused");
        assert!(format!("{error:?}").contains("UnknownIssuer"), "{error:?}");
    }
}
