//! What the CLI prints on stdout, through [`out!`], and on stderr, through [`err!`]: an error
//! (a closed pipe, as in `relais categories | head`) comes back as a value instead of a panic,
//! and `main` exits 0 quietly on a broken pipe, as command-line tools do.
//!
//! Both neutralise what they print with [`relais_domain::text::neutralise`]: texts come from
//! the network (reports, replies, a server's messages), and an escape sequence in one must never
//! reach the terminal, where it could clear the screen, retitle the window or hide what follows.

use std::io::{self, Write};

use relais_domain::text::neutralise;

/// `println!` that returns the write's error: `out!(...)?`.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::output::line(format_args!($($arg)*))
    };
}
pub(crate) use out;

/// `eprintln!`, neutralised like [`out!`]; a failed write to stderr is ignored, as
/// `eprintln!` would panic on it.
macro_rules! err {
    ($($arg:tt)*) => {
        $crate::output::error_line(format_args!($($arg)*))
    };
}
pub(crate) use err;

pub fn line(args: std::fmt::Arguments<'_>) -> io::Result<()> {
    let text = args.to_string();
    let mut stdout = io::stdout().lock();
    stdout.write_all(neutralise(&text).as_bytes())?;
    stdout.write_all(b"\n")
}

pub fn error_line(args: std::fmt::Arguments<'_>) {
    let text = args.to_string();
    let mut stderr = io::stderr().lock();
    let _ = stderr
        .write_all(neutralise(&text).as_bytes())
        .and_then(|()| stderr.write_all(b"\n"));
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
