//! The `scrutiny` binary: parse the command line and hand over to the library.

use clap::Parser;

/// mimalloc returns freed memory to the operating system, where glibc's allocator kept
/// the peaks of hashing bursts for ever (see Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let cli = scrutiny::cli::Cli::parse();
    match scrutiny::cli::run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("scrutiny: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
