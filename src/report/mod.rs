//! Stage 6 (output): tables and other renderings of compiled policies.

pub mod graph;
pub mod matrix;
pub mod review;
