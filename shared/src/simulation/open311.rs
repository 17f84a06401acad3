//! A third-party application in the simulated town, filing service requests through the
//! server's real Open311 front door (`POST /open311/v2/requests.json`, its api key issued as
//! `relais-server open311-keys add` does) while the phones sync. Its requests meet the same rules
//! as a phone's and must converge like any other report: in the workflow, on the phones of the
//! agents of their service, and read back through Open311 with the status the server holds.
//!
//! A known limit the simulation found: a server restored from an older backup loses the
//! requests it acknowledged to applications since, and unlike a phone the application cannot
//! notice and send them again; [`Application::restored`] counts them.
//!
//! What is modelled: the request lost before the server, the answer lost after the server
//! committed (the report exists though the application never learnt its id: it must converge
//! all the same), `503`, and the rules' refusals. What is not: retries (Open311 has no
//! idempotency key, so a retry is a new request, as the seed's next filing is), photos
//! (`media_url` is never fetched), and the application's polling schedule.

use crux_http::protocol::{HttpHeader, HttpRequest};
use rand::{Rng, rngs::StdRng};

use super::server::{SimServer, TENANT};
use crate::model::testing::SERVER;

/// The application: its api key and the requests the server acknowledged to it.
pub struct Application {
    key: String,
    /// `service_request_id`s the application received.
    pub acknowledged: Vec<String>,
    /// How many it had received when the server was last backed up.
    at_backup: usize,
}

/// What became of one request, for the trace.
pub enum Sent {
    Acknowledged(String),
    Refused(u16),
    Lost,
    AnswerLost,
    Unavailable,
}

impl Application {
    /// An application with a fresh key of the town.
    pub fn new(server: &SimServer) -> Self {
        Self {
            key: server.add_open311_key("Application tierce"),
            acknowledged: Vec::new(),
            at_backup: 0,
        }
    }

    /// The server was backed up.
    pub fn backed_up(&mut self) {
        self.at_backup = self.acknowledged.len();
    }

    /// The server was restored from its backup: the requests acknowledged since are gone, and
    /// Open311 has no way to tell the application (no epoch, no resend), so only those before
    /// the backup are still owed. Returns how many were lost.
    pub fn restored(&mut self) -> usize {
        self.acknowledged.drain(self.at_backup..).count()
    }

    /// Files a request of `category` at a point, through a network with faults chosen by `rng`.
    pub fn file(
        &mut self,
        server: &SimServer,
        rng: &mut StdRng,
        category: &str,
        (lat, lon): (f64, f64),
    ) -> Sent {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("jurisdiction_id", TENANT)
            .append_pair("api_key", &self.key)
            .append_pair("service_code", category)
            .append_pair("lat", &lat.to_string())
            .append_pair("long", &lon.to_string())
            .append_pair("description", "Signalé par une application tierce")
            .finish();
        let request = HttpRequest {
            method: "POST".into(),
            url: format!("{SERVER}/open311/v2/requests.json"),
            headers: vec![HttpHeader {
                name: "content-type".into(),
                value: "application/x-www-form-urlencoded".into(),
            }],
            body: body.into_bytes(),
        };
        match rng.random_range(0..10) {
            0 => Sent::Lost,
            1 => {
                let _ = server.handle(&request);
                Sent::AnswerLost
            }
            2 => Sent::Unavailable,
            _ => {
                let crux_http::protocol::HttpResult::Ok(answer) = server.handle(&request) else {
                    unreachable!("the router answers in process")
                };
                if answer.status != 200 {
                    return Sent::Refused(answer.status);
                }
                let created: serde_json::Value = serde_json::from_slice(&answer.body).unwrap();
                let id = created[0]["service_request_id"]
                    .as_str()
                    .expect("a created request has an id")
                    .to_owned();
                self.acknowledged.push(id.clone());
                Sent::Acknowledged(id)
            }
        }
    }
}

impl std::fmt::Display for Sent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Acknowledged(id) => write!(f, "acknowledged as {id}"),
            Self::Refused(status) => write!(f, "refused with {status}"),
            Self::Lost => f.write_str("lost"),
            Self::AnswerLost => f.write_str("committed, answer lost"),
            Self::Unavailable => f.write_str("503"),
        }
    }
}
