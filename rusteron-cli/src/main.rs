//! `rusteron`: look at a running Aeron media driver and archive from the command line.
//!
//! ```text
//! rusteron stat        counters, like AeronStat (--watch, --json, --serve ADDR for Prometheus)
//! rusteron backlog     per stream: positions, limits and the backlogs between them (BacklogStat)
//! rusteron streams     the per-stream counters grouped by channel, stream and session (StreamStat)
//! rusteron errors      the driver's distinct error log (ErrorStat)
//! rusteron loss        the driver's loss report (LossStat)
//! rusteron recordings  an archive's catalog
//! rusteron replay      one recording's messages to stdout (progress bar on a terminal)
//! rusteron embedded-archive   a Java archive with two sample recordings, to try the others on
//! ```
//!
//! Every subcommand takes `--dir` (default: `AERON_DIR`, else Aeron's default directory,
//! `/dev/shm/aeron-$USER` on Linux, as the C client decides it). A missing, stale or non-Aeron
//! directory, or a recording that does not exist, is one line on stderr and exit status 2 with
//! nothing written to stdout.

mod archive;
mod driver;
mod serve;

use clap::{Args, Parser, Subcommand};
use std::fmt;
use std::process::ExitCode;

/// Why a command failed: bad input (exit status 2, like a usage error) or a failure while
/// doing the work (exit status 1).
#[derive(Debug)]
pub enum CliError {
    /// Bad input: a missing, stale or non-Aeron directory, an unknown recording, ...
    Input(String),
    /// Anything else.
    Failed(String),
    /// Whoever read our output went away (`rusteron stat | head`): stop quietly.
    BrokenPipe,
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Input(m) | CliError::Failed(m) => f.write_str(m),
            CliError::BrokenPipe => f.write_str("broken pipe"),
        }
    }
}

impl<E: std::error::Error + 'static> From<E> for CliError {
    fn from(e: E) -> Self {
        let io = (&e as &dyn std::error::Error).downcast_ref::<std::io::Error>();
        if io.is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe) {
            CliError::BrokenPipe
        } else {
            CliError::Failed(e.to_string())
        }
    }
}

/// The result of a subcommand.
pub type Result<T> = std::result::Result<T, CliError>;

#[derive(Parser)]
#[command(
    name = "rusteron",
    version,
    about = "Look at a running Aeron media driver and archive: counters, backlogs, streams, errors, losses, \
             recordings and replays",
    after_help = "The Aeron directory is --dir, else AERON_DIR, else Aeron's default (/dev/shm/aeron-$USER on \
                  Linux). Exit status: 0 done, 1 failed, 2 bad input (a missing, stale or non-Aeron directory, an \
                  unknown recording, a bad option). RUST_LOG=rusteron_client=debug,rusteron_archive=debug shows the libraries' logs."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the driver is and how old its heartbeat may be.
#[derive(Args, Clone, Debug)]
pub struct DirArgs {
    /// The media driver's Aeron directory [default: AERON_DIR, else Aeron's default directory]
    #[arg(long, value_name = "AERON_DIR")]
    pub dir: Option<String>,
    /// A driver whose heartbeat is older than this is not running (the directory is stale)
    /// [default: AERON_DRIVER_TIMEOUT, else 10000]
    #[arg(long, value_name = "MS")]
    pub driver_timeout_ms: Option<u64>,
    /// Read a stale directory anyway (what a driver that died left: its counters, errors, losses)
    #[arg(long)]
    pub allow_stale: bool,
}

#[derive(Subcommand)]
enum Command {
    /// The driver's counters, like AeronStat: system counters, per-stream positions, clients
    Stat(driver::StatArgs),
    /// Per stream: publisher position and limit, sender position, receiver HWM and position,
    /// subscriber positions, and the backlogs between them (like BacklogStat)
    Backlog(driver::BacklogArgs),
    /// The per-stream counters grouped by channel, stream and session (like StreamStat)
    Streams(driver::StreamsArgs),
    /// The driver's distinct error log (like ErrorStat)
    Errors(driver::ErrorsArgs),
    /// The driver's loss report (like LossStat)
    Loss(driver::LossArgs),
    /// An archive's catalog: one line per recording
    Recordings(archive::RecordingsArgs),
    /// One recording's messages, written to stdout as they were published (a progress bar on
    /// stderr when it is a terminal)
    Replay(archive::ReplayArgs),
    /// Start a Java archive (with its own media driver) holding two sample recordings, print
    /// its AERON_DIR and CONTROL channel, and keep it up, to try the other subcommands on
    EmbeddedArchive(archive::EmbeddedArchiveArgs),
}

fn main() -> ExitCode {
    // Errors are one line on stderr; the libraries' own logs only when asked for (RUST_LOG).
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("off")).init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Stat(a) => driver::stat(&a),
        Command::Backlog(a) => driver::backlog(&a),
        Command::Streams(a) => driver::streams(&a),
        Command::Errors(a) => driver::errors(&a),
        Command::Loss(a) => driver::loss(&a),
        Command::Recordings(a) => archive::recordings(&a),
        Command::Replay(a) => archive::replay(&a),
        Command::EmbeddedArchive(a) => archive::embedded_archive(&a),
    };
    match result {
        Ok(()) | Err(CliError::BrokenPipe) => ExitCode::SUCCESS,
        Err(e) => {
            // One line: Aeron's messages can hold newlines.
            let line = e.to_string().split_whitespace().collect::<Vec<_>>().join(" ");
            eprintln!("rusteron: {line}");
            ExitCode::from(match e {
                CliError::Input(_) => 2,
                CliError::Failed(_) | CliError::BrokenPipe => 1,
            })
        }
    }
}
