//! The `rbacc` command: a thin layer over the library.

fn main() -> rbacc::internals::cli::Exit {
    rbacc::internals::cli::main()
}
