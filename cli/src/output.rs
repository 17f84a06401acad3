//! What the CLI prints on stdout, through [`out!`]: an error (a closed pipe, as in
//! `relais categories | head`) comes back as a value instead of a panic, and `main` exits 0
//! quietly on a broken pipe, as command-line tools do.

use std::io::{self, Write};

/// `println!` that returns the write's error: `out!(...)?`.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::output::line(format_args!($($arg)*))
    };
}
pub(crate) use out;

pub fn line(args: std::fmt::Arguments<'_>) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    stdout.write_fmt(args)?;
    stdout.write_all(b"\n")
}

/// Prints `value` as pretty JSON on stdout.
pub fn json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    out!("{text}")?;
    Ok(())
}

/// Whether an error is stdout closed by its reader (`| head`).
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error
        .chain()
        .filter_map(|cause| cause.downcast_ref::<io::Error>())
        .any(|e| e.kind() == io::ErrorKind::BrokenPipe)
}
