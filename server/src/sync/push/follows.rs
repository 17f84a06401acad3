//! `follow_zone` and `unfollow_zone`: the zones whose reports and alerts come to a citizen's
//! devices (besides the zones they reported in, which they follow from then on).

use relais_protocol::Reason;
use relais_server_database::writes::{Write, ZoneFollow};

use super::Judge;
use crate::reasons;

impl Judge<'_> {
    pub(super) fn follow(&self, zone: &str, follow: bool) -> Result<Write, Reason> {
        if !self.town.has_zone(zone) {
            return Err(reasons::unknown_zone(zone));
        }
        Ok(Write::Follow(ZoneFollow {
            citizen: self.citizen().to_owned(),
            zone: zone.to_owned(),
            origin: follow.then_some("explicit"),
        }))
    }
}
