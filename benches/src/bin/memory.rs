//! Heap held by each part of rbacc's loaded membership data, on one of the
//! workloads: `cargo run -p rbacc-bench --release --bin memory -- [small|large]`.
//!
//! Parts are measured by dropping them one after another and counting the
//! bytes freed (a counting global allocator), so the figures add up to the
//! whole.

use rbacc_bench::workload::{Params, Workload};
use rbacc_bench::{measure, rbacc_input};

#[global_allocator]
static ALLOC: measure::CountingAlloc = measure::CountingAlloc;

fn mib(bytes: isize) -> String {
    format!("{:.2} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn main() -> Result<(), String> {
    let size = std::env::args().nth(1).unwrap_or_else(|| "large".into());
    let params = Params::preset(&size).ok_or(format!("unknown size {size}"))?;
    measure::start_counting();
    let w = Workload::generate(&params);
    let yaml = rbacc_input::members_yaml(&w);
    let policy = rbacc::compile("bench.rbac", rbacc_input::POLICY).map_err(|e| format!("{e:?}"))?;
    let before = measure::live_heap();
    measure::reset_peak();
    let mut m =
        rbacc::Members::from_yaml(&policy, "members.yaml", &yaml).map_err(|e| format!("{e:?}"))?;
    let total = measure::live_heap() - before;
    let peak = measure::peak_heap() - before;
    println!(
        "workload {size}: {} bindings, YAML {}; {} entries sharing {} profiles, {} index slots",
        w.bindings(),
        mib(yaml.len() as isize),
        rbacc::internals::index::entries(&m),
        rbacc::internals::index::profiles(&m),
        rbacc::internals::index::slots(&m)
    );
    println!(
        "peak heap while loading (what the load builds and frees, and what it keeps): {}",
        mib(peak)
    );
    println!();
    println!("| part of `Members` | heap |");
    println!("|---|---:|");
    let mut part = |name: &str, drop_it: &mut dyn FnMut(&mut rbacc::Members)| {
        let a = measure::live_heap();
        drop_it(&mut m);
        println!("| {name} | {} |", mib(a - measure::live_heap()));
    };
    use rbacc::internals::index::{clear, Part};
    part("rows of the index (`index`)", &mut |m| {
        clear(m, Part::Index)
    });
    part("user names (`users`)", &mut |m| clear(m, Part::Users));
    part("resources and their members (`resources`)", &mut |m| {
        clear(m, Part::Resources)
    });
    part("settings", &mut |m| clear(m, Part::Settings));
    let rest = measure::live_heap() - before;
    drop(m);
    println!(
        "| roles-and-grants arena, permission sets, name maps | {} |",
        mib(rest)
    );
    println!("| **total** | **{}** |", mib(total));
    Ok(())
}
