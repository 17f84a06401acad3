//! `rate_service`: a citizen's satisfaction with, and the importance they give to, a public
//! service of the town's directory, with an optional comment. Replaces their current rating.

use relais_protocol::Reason;
use relais_protocol::directory::{MAX_COMMENT_CHARS, RATING_RANGE};
use relais_server_database::writes::{NewRating, Write};

use super::Judge;
use crate::reasons;

impl Judge<'_> {
    pub(super) fn rate_service(
        &self,
        service_id: &str,
        satisfaction: u8,
        importance: u8,
        comment: Option<&str>,
    ) -> Result<Write, Reason> {
        if !self.facts.services.contains(service_id) {
            return Err(reasons::unknown_service(service_id));
        }
        if !RATING_RANGE.contains(&satisfaction) || !RATING_RANGE.contains(&importance) {
            return Err(reasons::invalid_rating());
        }
        // A blank comment is no comment; any other is a text as every text is.
        let comment = match comment.map(str::trim).filter(|c| !c.is_empty()) {
            Some(c) => Some(
                relais_domain::text::clean(c, MAX_COMMENT_CHARS)
                    .map_err(|_| reasons::invalid_text(MAX_COMMENT_CHARS))?
                    .into_owned(),
            ),
            None => None,
        };
        Ok(Write::Rating(NewRating {
            service_id: service_id.to_owned(),
            citizen: self.citizen().to_owned(),
            satisfaction,
            importance,
            comment,
        }))
    }
}
