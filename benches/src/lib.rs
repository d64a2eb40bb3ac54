//! rbacc-bench: rbacc side by side with cedar-policy, casbin and a
//! hand-written baseline on one generated RBAC workload.
//!
//! Run `cargo run -p rbacc-bench --release --bin compare -- --size large`.

pub mod baseline;
pub mod casbin_engine;
pub mod cedar_engine;
pub mod measure;
pub mod rbacc_input;
pub mod rng;
pub mod workload;

#[cfg(feature = "rbacc")]
pub mod rbacc_engine;
