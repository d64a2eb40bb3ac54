//! The `rbacc` command: a thin layer over the library.

fn main() -> rbacc::cli::Exit {
    rbacc::cli::main()
}
