//! `rbacc lsp`: a Language Server Protocol server over standard input and
//! output, built on the compiler's own stages.
//!
//! Every change re-checks the whole file exactly as `rbacc check` does
//! ([`Document::check`]) and publishes its diagnostics; the name index
//! ([`index`]) answers go to definition, find references, rename and
//! completion; hovers read the compiled policy (a role's column of `rbacc
//! matrix` with the chain behind each cell).

pub mod complete;
pub mod document;
pub mod hover;
pub mod index;
pub mod navigate;
pub mod server;
pub mod text;

pub use document::Document;
pub use server::{serve, Server};
pub use text::Encoding;

/// Serves one editor over standard input and output.
pub fn serve_stdio() -> Result<(), String> {
    let (conn, io_threads) = lsp_server::Connection::stdio();
    serve(&conn)?;
    drop(conn);
    io_threads.join().map_err(|e| e.to_string())
}
