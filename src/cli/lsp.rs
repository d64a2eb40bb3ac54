//! `rbacc lsp`: the language server, over standard input and output.

use super::Exit;

/// Arguments of `rbacc lsp`.
#[derive(Debug, clap::Args)]
pub struct LspArgs {
    /// Accepted for editors that pass it; standard input and output are the
    /// only transport.
    #[arg(long)]
    pub stdio: bool,
}

/// Runs the server until the editor sends `exit` or closes the stream.
/// Standard output must not be locked by the caller: the server's writer
/// thread owns it.
pub fn run(_args: &LspArgs) -> Exit {
    match crate::lsp::serve_stdio() {
        Ok(()) => Exit::Ok,
        Err(e) => {
            eprintln!("error: rbacc lsp: {e}");
            Exit::Error
        }
    }
}
