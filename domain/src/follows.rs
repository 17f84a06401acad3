//! Which zones a citizen follows because it reported there.
//!
//! Filing a report follows its zone, so the citizen's devices see what happens around the places
//! it reports from: the reports there (to say "me too" rather than file again) and the town's
//! alerts. A citizen who reports all over town would otherwise end up following all of it, and
//! its phones would hold every report of the town: only the zones it reported in most recently
//! count. Zones followed explicitly are never dropped, whatever their number.

/// How many zones a citizen follows because it reported there: the ones it reported in most
/// recently (home, work, one more). Filing in another zone stops the follow of the one it
/// reported in least recently; filing again in a followed zone makes it the most recent.
pub const REPORTED_FOLLOWS: usize = 3;
