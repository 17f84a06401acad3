//! `relais-server`: reads the settings (command line, environment, `--config` file), starts logging, then either runs an administration task
//! (`relais-server --data DIR enrol-agent ...`) or opens the storage, announces the address on
//! stdout (one line, which scripts and tests read) and serves until SIGINT or SIGTERM.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use relais_server::{Cli, Server, Settings, shutdown_signal, telemetry};
use tokio::net::TcpListener;

/// mimalloc rather than glibc's malloc: requests allocate many small, short-lived values on
/// every worker thread (see BENCHMARKS.md, "Many phones at once").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let Cli {
        settings, command, ..
    } = match Cli::load() {
        Ok(cli) => cli,
        Err(error) => {
            eprintln!("relais-server: {error:#}");
            return ExitCode::FAILURE;
        }
    };
    telemetry::init(settings.log_format);
    without_transparent_huge_pages();
    let result = match command {
        Some(command) => command.run(&settings).await,
        None => run(&settings).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // stdout closed by its reader (`| head`): what it wanted was printed.
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("relais-server: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(settings: &Settings) -> anyhow::Result<()> {
    settings.validate()?;
    let server = Server::open(settings).await?;
    let listener = TcpListener::bind(&settings.listen)
        .await
        .with_context(|| format!("could not listen on {}", settings.listen))?;
    let addr = listener.local_addr()?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "relais-server listening on http://{addr}")?;
    stdout.flush()?;
    drop(stdout);
    server.serve(listener, shutdown_signal()).await
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error
        .chain()
        .filter_map(|cause| cause.downcast_ref::<std::io::Error>())
        .any(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
}

/// Turns transparent huge pages off for this process (Linux). mimalloc hands memory back to the
/// system and takes it again as requests come and go; where THP is on for every mapping (the
/// `always` setting of many distributions), each range it takes back is faulted in as a zeroed
/// 2 MB page. That zeroing was 17% of the server's CPU in a sync of 10,000 reports (BENCHMARKS.md,
/// seventh session). Databases commonly ask the same of their hosts. A kernel that refuses
/// leaves THP as it was.
fn without_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    if let Err(error) = rustix::thread::disable_transparent_huge_pages(true) {
        tracing::debug!(%error, "transparent huge pages stay on");
    }
}
