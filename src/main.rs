//! The `scrutiny` binary: parse the command line and hand over to the library.

use clap::Parser;

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
