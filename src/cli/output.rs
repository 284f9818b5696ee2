//! Standard output for every command, written so that a reader who stops reading
//! (`scrutiny openapi | head`) ends the command quietly instead of panicking, as
//! `print!` does on a closed pipe.

use std::io::Write;

/// Writes `text` to standard output as it is. A closed pipe is not an error: the reader
/// has what it wanted. Any other failure to write is.
pub(super) fn print(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(anyhow::Error::new(error).context("writing to standard output"))
        }
        _ => Ok(()),
    }
}

/// [`print`] of `text` and a line end.
pub(super) fn line(text: impl std::fmt::Display) -> anyhow::Result<()> {
    print(&format!("{text}\n"))
}

/// `println!` through [`line`], returning its error from the enclosing function.
macro_rules! outln {
    ($($arg:tt)*) => {
        super::output::line(format!($($arg)*))?
    };
}
pub(super) use outln;
