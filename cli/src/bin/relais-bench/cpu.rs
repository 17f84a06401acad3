//! CPU time of a process, from `/proc/PID/stat`: the load generator shares the machine's cores
//! with the server, so it prints how much CPU each side used in each phase. A client that burns
//! as much CPU as the server is a suspect bottleneck.

use std::time::Duration;

use anyhow::Context;

/// Clock ticks per second of `/proc` times (`getconf CLK_TCK`): 100 on every Linux platform
/// Rust supports.
const TICKS_PER_SECOND: u64 = 100;

/// User + system CPU time used so far by process `pid` (all its threads).
pub fn process_time(pid: u32) -> anyhow::Result<Duration> {
    let path = format!("/proc/{pid}/stat");
    let stat = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    // The command name (field 2) is in parentheses and may hold spaces: count from after it.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .context("unexpected /proc stat format")?
        .1
        .split_whitespace()
        .collect();
    // Fields 14 (utime) and 15 (stime) of the whole line, 12 and 13 after the name.
    let ticks = |i: usize| -> anyhow::Result<u64> {
        fields
            .get(i)
            .context("short /proc stat line")?
            .parse()
            .context("unreadable /proc stat time")
    };
    let total = ticks(11)? + ticks(12)?;
    Ok(Duration::from_millis(total * 1000 / TICKS_PER_SECOND))
}

/// CPU time used so far by this process.
pub fn own_time() -> anyhow::Result<Duration> {
    process_time(std::process::id())
}
