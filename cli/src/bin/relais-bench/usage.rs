//! What a process has used so far, from `/proc`: its CPU time (`/proc/PID/stat`) and the bytes
//! it has written (`/proc/PID/io`). The load generator shares the machine's cores with the
//! server, so it prints how much CPU each side used in each phase (a client that burns as much
//! CPU as the server is a suspect bottleneck); the stored-reports curve prints what each probed
//! report cost the server in CPU and in bytes written, to tell why a push slows as history grows.
//! One thread's CPU time (`/proc/PID/task/TID/schedstat`) tells what the work that cannot be
//! spread over the cores costs: the server's single writer, the phone's store thread.

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

/// On-CPU time so far of the threads of process `pid` named `name` (in nanoseconds, from each
/// thread's `schedstat`); `None` when the process has no such thread. The kernel keeps the first
/// 15 bytes of a thread's name.
pub fn thread_time(pid: u32, name: &str) -> anyhow::Result<Option<Duration>> {
    let comm = name.get(..name.len().min(15)).unwrap_or(name);
    let tasks = format!("/proc/{pid}/task");
    let mut total = None;
    for task in std::fs::read_dir(&tasks).with_context(|| format!("listing {tasks}"))? {
        let dir = task?.path();
        // A thread that ended since the listing is skipped.
        let Ok(thread) = std::fs::read_to_string(dir.join("comm")) else {
            continue;
        };
        if thread.trim_end() != comm {
            continue;
        }
        let Ok(schedstat) = std::fs::read_to_string(dir.join("schedstat")) else {
            continue;
        };
        let nanos: u64 = schedstat
            .split_whitespace()
            .next()
            .context("empty schedstat")?
            .parse()
            .context("unreadable schedstat")?;
        *total.get_or_insert(Duration::ZERO) += Duration::from_nanos(nanos);
    }
    Ok(total)
}

/// Bytes process `pid` has passed to `write` and its kin so far (`wchar` in `/proc/PID/io`):
/// its database's WAL frames and its responses, whether or not they reached the disk yet.
pub fn process_written(pid: u32) -> anyhow::Result<u64> {
    let path = format!("/proc/{pid}/io");
    let io = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    io.lines()
        .find_map(|line| line.strip_prefix("wchar:"))
        .context("no wchar line in /proc io")?
        .trim()
        .parse()
        .context("unreadable /proc io wchar")
}
