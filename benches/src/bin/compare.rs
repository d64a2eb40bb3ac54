//! The side-by-side runner: cross-check, then per-check latency, set-up time
//! and memory of rbacc, the hand-written baseline, cedar-policy and casbin
//! on one generated workload, rbacc's compile/load scaling, and the CLI's
//! batch throughput. Every figure comes from this one run.
//!
//! `cargo run -p rbacc-bench --release --bin compare -- --size large`

use rbacc_bench::baseline::Baseline;
use rbacc_bench::measure::{self, CountingAlloc, Latency};
#[cfg(feature = "rbacc")]
use rbacc_bench::rbacc_input;
use rbacc_bench::workload::{Params, Query, Workload};
use rbacc_bench::{casbin_engine, cedar_engine};
use std::hint::black_box;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

const ENGINES: [&str; 4] = ["baseline", "rbacc", "cedar", "casbin"];

/// Set-up probes and the engine each belongs to: `rbacc+source` is rbacc's
/// set-up with the YAML text kept beside the data (as a service that
/// keeps its file in memory would).
const PROBES: [(&str, &str); 5] = [
    ("baseline", "baseline"),
    ("rbacc", "rbacc"),
    ("rbacc+source", "rbacc"),
    ("cedar", "cedar"),
    ("casbin", "casbin"),
];

#[derive(Clone, Debug)]
struct Args {
    size: String,
    time: f64,
    setup_runs: usize,
    cross: usize,
    block: usize,
    probe: Option<String>,
    skip_scaling: bool,
    skip_cli: bool,
    only: Vec<String>,
    dump: Option<String>,
    spin: Option<String>,
    checks: usize,
}

fn usage() -> &'static str {
    "usage: compare [--size small|large|1x50x1k|10x50x10k|100x50x100k] [--time SECS]\n\
     \x20              [--setup-runs N] [--cross N] [--block N] [--only ENGINE,...]\n\
     \x20              [--skip-scaling] [--skip-cli] [--dump-inputs DIR]\n\
     \x20              [--spin ENGINE [--checks N]]   (N checks in `spin_checks`, for callgrind)\n\
     engines: baseline, rbacc, cedar, casbin"
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        size: "large".into(),
        time: 2.0,
        setup_runs: 3,
        cross: 20_000,
        block: 16,
        probe: None,
        skip_scaling: false,
        skip_cli: false,
        only: ENGINES.iter().map(|s| s.to_string()).collect(),
        dump: None,
        spin: None,
        checks: 1_000_000,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut val = || it.next().ok_or(format!("{arg} needs a value\n{}", usage()));
        match arg.as_str() {
            "--size" => a.size = val()?,
            "--time" => a.time = val()?.parse().map_err(|e| format!("--time: {e}"))?,
            "--setup-runs" => {
                a.setup_runs = val()?.parse().map_err(|e| format!("--setup-runs: {e}"))?
            }
            "--cross" => a.cross = val()?.parse().map_err(|e| format!("--cross: {e}"))?,
            "--block" => a.block = val()?.parse().map_err(|e| format!("--block: {e}"))?,
            "--probe" => a.probe = Some(val()?),
            "--only" => a.only = val()?.split(',').map(str::to_string).collect(),
            "--dump-inputs" => a.dump = Some(val()?),
            "--spin" => a.spin = Some(val()?),
            "--checks" => a.checks = val()?.parse().map_err(|e| format!("--checks: {e}"))?,
            "--skip-scaling" => a.skip_scaling = true,
            "--skip-cli" => a.skip_cli = true,
            "--bench" => {} // passed by `cargo bench`
            "-h" | "--help" => return Err(usage().into()),
            _ => return Err(format!("unknown argument {arg}\n{}", usage())),
        }
    }
    if a.block == 0 || a.setup_runs == 0 {
        return Err("--block and --setup-runs must be positive".into());
    }
    Ok(a)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let result = match (&args.probe, &args.dump, &args.spin) {
        (Some(engine), _, _) => probe(engine, &args),
        (None, Some(dir), _) => dump(dir, &args),
        (None, None, Some(engine)) => spin(engine, &args),
        (None, None, None) => run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs `n` checks of the cycled `queries`; a named, non-inlined function so
/// that a profiler can count one engine's checks alone:
/// `valgrind --tool=callgrind --toggle-collect='*spin_checks*' \
///   target/release/compare --spin rbacc --size large`
#[inline(never)]
fn spin_checks<Q>(queries: &[Q], n: usize, check: impl Fn(&Q) -> bool) -> usize {
    let mut allowed = 0;
    for i in 0..n {
        if let Some(q) = queries.get(i % queries.len().max(1)) {
            allowed += usize::from(check(black_box(q)));
        }
    }
    allowed
}

/// Sets up one engine and runs `--checks` checks in [`spin_checks`].
fn spin(engine: &str, args: &Args) -> Result<(), String> {
    let params = params(args)?;
    let w = Workload::generate(&params);
    let stream = w.queries(1 << 16, params.seed ^ 0x5eed);
    let n = args.checks;
    let allowed = match engine {
        "baseline" => {
            let b = Baseline::new(&w);
            let qs: Vec<_> = stream.iter().map(|q| b.prepare(q)).collect();
            spin_checks(&qs, n, |q| b.check(q))
        }
        "cedar" => {
            let c = cedar_engine::setup(cedar_engine::input(&w)?, &w)?;
            let qs = stream
                .iter()
                .map(|q| c.prepare(q))
                .collect::<Result<Vec<_>, _>>()?;
            spin_checks(&qs, n, |q| c.check(q))
        }
        "casbin" => {
            let c = casbin_engine::setup(casbin_engine::input(&w), &w)?;
            let qs: Vec<_> = stream.iter().map(|q| c.prepare(q)).collect();
            spin_checks(&qs, n, |q| c.check(q))
        }
        #[cfg(feature = "rbacc")]
        "rbacc" => {
            let r = rbacc_bench::rbacc_engine::setup_from_text(
                rbacc_input::POLICY,
                &rbacc_input::members_yaml(&w),
            )?;
            let qs = stream
                .iter()
                .map(|q| r.prepare(q, &w))
                .collect::<Result<Vec<_>, _>>()?;
            spin_checks(&qs, n, |q| r.check(q))
        }
        _ => return Err(format!("unknown engine {engine}")),
    };
    println!("{engine}: {n} checks, {allowed} allowed");
    Ok(())
}

/// Writes the rbacc inputs of the workload (and the scaled policies) to `dir`.
fn dump(dir: &str, args: &Args) -> Result<(), String> {
    let params = params(args)?;
    let w = Workload::generate(&params);
    let dir = std::path::Path::new(dir);
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let write = |name: &str, text: &str| {
        std::fs::write(dir.join(name), text).map_err(|e| format!("{name}: {e}"))
    };
    write("bench.rbac", rbacc_bench::rbacc_input::POLICY)?;
    write("members.yaml", &rbacc_bench::rbacc_input::members_yaml(&w))?;
    for m in [10, 100, 1000] {
        write(
            &format!("scaled-{m}.rbac"),
            &rbacc_bench::rbacc_input::scaled_policy(m),
        )?;
    }
    let queries: String = w
        .queries(1000, params.seed)
        .iter()
        .map(|q| {
            format!(
                "{} {} {} {}\n",
                rbacc_bench::workload::user_name(q.user),
                q.perm_name(),
                q.resource_id(&w),
                if w.reference(q) { "allow" } else { "deny" }
            )
        })
        .collect();
    write("queries.txt", &queries)?;
    println!("wrote the inputs of {} to {}", params.name, dir.display());
    Ok(())
}

fn params(args: &Args) -> Result<Params, String> {
    Params::preset(&args.size).ok_or_else(|| format!("unknown size {}\n{}", args.size, usage()))
}

fn rbacc_enabled() -> bool {
    cfg!(feature = "rbacc")
}

// ---------------------------------------------------------------------------
// Probe: set-up time and memory of one engine, in a fresh process.

#[derive(Clone, Debug, Default)]
struct Probe {
    wall: Duration,
    cpu: Duration,
    heap: i64,
    rss: i64,
}

fn probe(engine: &str, args: &Args) -> Result<(), String> {
    measure::start_counting();
    let params = params(args)?;
    let w = Workload::generate(&params);
    let queries = w.queries(64, 7);
    measure::trim_heap();
    let heap_a = measure::live_heap();
    let rss_a = measure::proc_status_bytes("VmRSS").unwrap_or(0);
    // Build the engine's input (not timed), then time the set-up; the input
    // is consumed or dropped before memory is read, so what is left is the
    // engine's own data.
    let out = match engine {
        "baseline" => {
            let (b, wall, cpu) = measure::timed(|| Baseline::new(&w));
            let allowed = queries.iter().filter(|q| b.check(&b.prepare(q))).count();
            let (heap, rss) = finish(heap_a, rss_a);
            black_box(&b);
            ProbeOut {
                wall,
                cpu,
                allowed,
                heap,
                rss,
            }
        }
        "cedar" => {
            let input = cedar_engine::input(&w)?;
            let (c, wall, cpu) = measure::timed(|| cedar_engine::setup(input, &w));
            let c = c?;
            let mut allowed = 0;
            for q in &queries {
                allowed += usize::from(c.check(&c.prepare(q)?));
            }
            let (heap, rss) = finish(heap_a, rss_a);
            black_box(&c);
            ProbeOut {
                wall,
                cpu,
                allowed,
                heap,
                rss,
            }
        }
        "casbin" => {
            let input = casbin_engine::input(&w);
            let (c, wall, cpu) = measure::timed(|| casbin_engine::setup(input, &w));
            let c = c?;
            let allowed = queries.iter().filter(|q| c.check(&c.prepare(q))).count();
            let (heap, rss) = finish(heap_a, rss_a);
            black_box(&c);
            ProbeOut {
                wall,
                cpu,
                allowed,
                heap,
                rss,
            }
        }
        "rbacc" => probe_rbacc(&w, &queries, heap_a, rss_a, false)?,
        "rbacc+source" => probe_rbacc(&w, &queries, heap_a, rss_a, true)?,
        _ => return Err(format!("unknown engine {engine}")),
    };
    let expected = queries.iter().filter(|q| w.reference(q)).count();
    if out.allowed != expected {
        return Err(format!(
            "{engine}: sanity check after set-up: {} allowed, expected {expected}",
            out.allowed
        ));
    }
    println!(
        "PROBE wall_ns={} cpu_ns={} heap={} rss={}",
        out.wall.as_nanos(),
        out.cpu.as_nanos(),
        out.heap,
        out.rss
    );
    Ok(())
}

/// What a probe measured.
struct ProbeOut {
    /// Set-up wall time.
    wall: Duration,
    /// Set-up CPU time.
    cpu: Duration,
    /// Allowed count of the sanity queries.
    allowed: usize,
    /// Heap held after set-up, input freed.
    heap: i64,
    /// RSS growth.
    rss: i64,
}

fn finish(heap_a: isize, rss_a: u64) -> (i64, i64) {
    measure::trim_heap();
    let heap = measure::live_heap() - heap_a;
    let rss = measure::proc_status_bytes("VmRSS").unwrap_or(0) as i64 - rss_a as i64;
    (heap as i64, rss)
}

#[cfg(feature = "rbacc")]
fn probe_rbacc(
    w: &Workload,
    queries: &[Query],
    heap_a: isize,
    rss_a: u64,
    keep_source: bool,
) -> Result<ProbeOut, String> {
    use rbacc_bench::rbacc_engine;
    let dir = temp_dir("probe")?;
    let policy = dir.join("bench.rbac");
    let yaml = dir.join("members.yaml");
    std::fs::write(&policy, rbacc_input::POLICY).map_err(|e| e.to_string())?;
    std::fs::write(&yaml, rbacc_input::members_yaml(w)).map_err(|e| e.to_string())?;
    measure::trim_heap();
    let heap_a = heap_a.max(measure::live_heap());
    let (r, wall, cpu) =
        measure::timed(|| rbacc_engine::setup_from_files(&policy, &yaml, keep_source));
    let r = r?;
    let mut allowed = 0;
    for q in queries {
        allowed += usize::from(r.check(&r.prepare(q, w)?));
    }
    let (heap, rss) = finish(heap_a, rss_a);
    black_box(&r);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(ProbeOut {
        wall,
        cpu,
        allowed,
        heap,
        rss,
    })
}

#[cfg(not(feature = "rbacc"))]
fn probe_rbacc(_: &Workload, _: &[Query], _: isize, _: u64, _: bool) -> Result<ProbeOut, String> {
    Err("rbacc-bench was built without the `rbacc` feature".into())
}

#[cfg_attr(not(feature = "rbacc"), allow(dead_code))]
fn temp_dir(tag: &str) -> Result<std::path::PathBuf, String> {
    let dir = std::env::temp_dir().join(format!("rbacc-bench-{}-{tag}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(dir)
}

/// Runs `--probe ENGINE` in fresh processes; median set-up times, last
/// memory figures.
fn run_probes(engine: &str, args: &Args) -> Result<Probe, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut walls = Vec::new();
    let mut cpus = Vec::new();
    let mut last = Probe::default();
    for _ in 0..args.setup_runs {
        let out = Command::new(&exe)
            .args(["--probe", engine, "--size", &args.size])
            .output()
            .map_err(|e| e.to_string())?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() {
            return Err(format!(
                "probe {engine} failed: {}{}",
                stdout,
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let line = stdout
            .lines()
            .find(|l| l.starts_with("PROBE "))
            .ok_or(format!("probe {engine}: no result"))?;
        let field = |k: &str| -> Result<i64, String> {
            line.split_whitespace()
                .find_map(|kv| kv.strip_prefix(k).and_then(|v| v.strip_prefix('=')))
                .ok_or(format!("probe {engine}: no {k}"))?
                .parse()
                .map_err(|e| format!("probe {engine}: {k}: {e}"))
        };
        let ns = |k: &str| field(k).map(|v| Duration::from_nanos(v.max(0) as u64));
        walls.push(ns("wall_ns")?);
        cpus.push(ns("cpu_ns")?);
        last.heap = field("heap")?;
        last.rss = field("rss")?;
    }
    last.wall = measure::median_duration(walls);
    last.cpu = measure::median_duration(cpus);
    Ok(last)
}

// ---------------------------------------------------------------------------
// The main run.

struct Row {
    name: String,
    lat: Latency,
}

fn run(args: &Args) -> Result<(), String> {
    let params = params(args)?;
    let budget = Duration::from_secs_f64(args.time);
    let want = |e: &str| args.only.iter().any(|o| o == e);
    println!("# rbacc-bench compare --size {}", params.name);
    println!();
    println!(
        "machine: {}; load average at start: {}",
        machine(),
        loadavg()
    );
    let t = Instant::now();
    let w = Workload::generate(&params);
    println!(
        "workload: {} organizations × {} workspaces × {} users; {} bindings ({} workspace, {} organization), seed {:#x}; generated in {:.0?}",
        params.orgs,
        params.ws_per_org,
        params.users,
        w.bindings(),
        w.ws_bindings.len(),
        w.user_org.len(),
        params.seed,
        t.elapsed()
    );
    if !rbacc_enabled() {
        println!(
            "rbacc: SKIPPED (built without the `rbacc` feature: the adapter waits for rbacc's API)"
        );
    }
    println!();

    // Engines, in process (for the cross-check and the latency runs).
    eprintln!("setting up engines in process...");
    let baseline = Baseline::new(&w);
    let cedar = if want("cedar") {
        Some(cedar_engine::setup(cedar_engine::input(&w)?, &w)?)
    } else {
        None
    };
    let casbin = if want("casbin") {
        Some(casbin_engine::setup(casbin_engine::input(&w), &w)?)
    } else {
        None
    };
    #[cfg(feature = "rbacc")]
    let rbacc = if want("rbacc") {
        Some(rbacc_bench::rbacc_engine::setup_from_text(
            rbacc_input::POLICY,
            &rbacc_input::members_yaml(&w),
        )?)
    } else {
        None
    };

    // 1. Cross-check.
    eprintln!("cross-checking {} queries...", args.cross);
    let cross = w.queries(args.cross, params.seed ^ 0xc0ffee);
    let mut disagreements = Vec::new();
    let mut allowed = 0usize;
    for q in &cross {
        let expected = w.reference(q);
        allowed += usize::from(expected);
        let mut got: Vec<(&str, Result<bool, String>)> = Vec::new();
        got.push(("baseline", Ok(baseline.check(&baseline.prepare(q)))));
        if let Some(c) = &cedar {
            got.push(("cedar", c.prepare(q).map(|r| c.check(&r))));
        }
        if let Some(c) = &casbin {
            got.push(("casbin", c.try_check(&c.prepare(q))));
        }
        #[cfg(feature = "rbacc")]
        if let Some(r) = &rbacc {
            got.push(("rbacc", r.prepare(q, &w).map(|p| r.check(&p))));
            got.push(("rbacc is_allowed", r.is_allowed(q, &w)));
        }
        for (name, g) in got {
            if g.as_ref().ok() != Some(&expected) {
                disagreements.push(format!(
                    "{name}: {:?} for `can {} do {} on {}` (expected {expected})",
                    g,
                    rbacc_bench::workload::user_name(q.user),
                    q.perm_name(),
                    q.resource_id(&w)
                ));
            }
        }
    }
    let mut engines_checked = vec!["reference", "baseline"];
    if cedar.is_some() {
        engines_checked.push("cedar");
    }
    if casbin.is_some() {
        engines_checked.push("casbin");
    }
    #[cfg(feature = "rbacc")]
    if rbacc.is_some() {
        engines_checked.push("rbacc (check and is_allowed)");
    }
    if !disagreements.is_empty() {
        for d in disagreements.iter().take(20) {
            eprintln!("DISAGREEMENT {d}");
        }
        return Err(format!(
            "cross-check failed: {} disagreements on {} queries",
            disagreements.len(),
            cross.len()
        ));
    }
    println!(
        "cross-check: {} queries, {:.1}% allowed; {} agree on every decision.",
        cross.len(),
        100.0 * allowed as f64 / cross.len().max(1) as f64,
        engines_checked.join(", ")
    );
    println!();

    // 2. Per-check latency: the same query stream for every engine, each
    //    prepared in the engine's own form before timing.
    let stream = w.queries(1 << 16, params.seed ^ 0x5eed);
    let overhead = measure::timer_overhead_ns();
    let mut rows: Vec<Row> = Vec::new();
    eprintln!("timing baseline...");
    {
        let prepared: Vec<_> = stream.iter().map(|q| baseline.prepare(q)).collect();
        let lat = measure::time_checks(
            &prepared,
            |q| baseline.check(q),
            args.block,
            budget,
            overhead,
        );
        rows.push(Row {
            name: "baseline".into(),
            lat,
        });
    }
    #[cfg(feature = "rbacc")]
    if let Some(r) = &rbacc {
        eprintln!("timing rbacc...");
        let prepared = stream
            .iter()
            .map(|q| r.prepare(q, &w))
            .collect::<Result<Vec<_>, _>>()?;
        let lat = measure::time_checks(&prepared, |q| r.check(q), args.block, budget, overhead);
        rows.push(Row {
            name: "rbacc".into(),
            lat,
        });
        eprintln!("timing rbacc check_batch...");
        let mut out = Vec::with_capacity(args.block);
        let lat = measure::time_blocks(
            &prepared,
            |chunk| r.check_batch(chunk, &mut out),
            args.block,
            budget,
            overhead,
        );
        rows.push(Row {
            name: format!("rbacc check_batch ({} per call)", args.block),
            lat,
        });
        eprintln!("timing rbacc is_allowed...");
        let named: Vec<Query> = stream.clone();
        let names: Vec<(String, &'static str, String)> = named
            .iter()
            .map(|q| {
                (
                    rbacc_bench::workload::user_name(q.user),
                    q.perm_name(),
                    q.resource_id(&w),
                )
            })
            .collect();
        let lat = measure::time_checks(
            &names,
            |(u, p, res)| r.is_allowed_names(u, p, res),
            args.block,
            budget,
            overhead,
        );
        rows.push(Row {
            name: "rbacc is_allowed (names)".into(),
            lat,
        });
    }
    if let Some(c) = &cedar {
        eprintln!("timing cedar...");
        let prepared = stream
            .iter()
            .map(|q| c.prepare(q))
            .collect::<Result<Vec<_>, _>>()?;
        let lat = measure::time_checks(&prepared, |q| c.check(q), args.block, budget, overhead);
        rows.push(Row {
            name: "cedar".into(),
            lat,
        });
    }
    if let Some(c) = &casbin {
        eprintln!("timing casbin...");
        let prepared: Vec<_> = stream.iter().map(|q| c.prepare(q)).collect();
        let lat = measure::time_checks(&prepared, |q| c.check(q), args.block, budget, overhead);
        rows.push(Row {
            name: "casbin".into(),
            lat,
        });
    }
    drop(cedar);
    drop(casbin);
    #[cfg(feature = "rbacc")]
    drop(rbacc);

    let base_median = rows.first().map(|r| r.lat.median_ns).unwrap_or(1.0);
    let rbacc_median = rows
        .iter()
        .find(|r| r.name == "rbacc")
        .map(|r| r.lat.median_ns);
    println!(
        "## Per-check latency ({} queries cycled, blocks of {}, {:.1}s per engine, timer overhead {:.0} ns subtracted)",
        stream.len(),
        args.block,
        args.time,
        overhead
    );
    println!();
    println!("| engine | median | p99 | checks/s | median ÷ baseline | median ÷ rbacc |");
    println!("|---|---:|---:|---:|---:|---:|");
    for r in &rows {
        println!(
            "| {} | {} | {} | {} | {:.1}× | {} |",
            r.name,
            fmt_ns(r.lat.median_ns),
            fmt_ns(r.lat.p99_ns),
            fmt_rate(r.lat.checks_per_s),
            r.lat.median_ns / base_median.max(1e-9),
            rbacc_median
                .map(|m| format!("{:.1}×", r.lat.median_ns / m.max(1e-9)))
                .unwrap_or("–".into())
        );
    }
    println!();

    // 3. Set-up and memory, each engine in fresh processes.
    let mut probes: Vec<(String, Probe)> = Vec::new();
    for (e, engine) in PROBES {
        if !want(engine) || (engine == "rbacc" && !rbacc_enabled()) {
            continue;
        }
        eprintln!(
            "probing set-up and memory of {e} ({} runs)...",
            args.setup_runs
        );
        probes.push((e.to_string(), run_probes(e, args)?));
    }
    let base_heap = probes
        .iter()
        .find(|(n, _)| n == "baseline")
        .map(|(_, p)| p.heap as f64)
        .unwrap_or(1.0);
    let rbacc_setup = probes
        .iter()
        .find(|(n, _)| n == "rbacc")
        .map(|(_, p)| p.cpu.as_secs_f64());
    println!(
        "## Set-up and memory (fresh process per run, medians of {} runs; ratios on CPU time)",
        args.setup_runs
    );
    println!();
    println!("| engine | set-up from | set-up CPU | set-up wall | CPU ÷ rbacc | heap held | RSS growth | heap ÷ baseline |");
    println!("|---|---|---:|---:|---:|---:|---:|---:|");
    for (name, p) in &probes {
        let from = match name.as_str() {
            "baseline" => "generator structs",
            "rbacc" => "policy + YAML files",
            "rbacc+source" => "the same, YAML text kept",
            "cedar" => "policy text + Vec<Entity>",
            "casbin" => "model text + rule vectors",
            _ => "",
        };
        println!(
            "| {name} | {from} | {} | {} | {} | {} | {} | {:.2}× |",
            fmt_dur(p.cpu),
            fmt_dur(p.wall),
            rbacc_setup
                .map(|r| format!("{:.2}×", p.cpu.as_secs_f64() / r.max(1e-12)))
                .unwrap_or("–".into()),
            fmt_bytes(p.heap),
            fmt_bytes(p.rss),
            p.heap as f64 / base_heap.max(1.0)
        );
    }
    println!();

    // 4. rbacc compile / load scaling.
    let growths = if args.skip_scaling {
        Vec::new()
    } else {
        scaling()?
    };

    // 5. CLI batch throughput.
    if !args.skip_cli {
        cli_batch(&w)?;
    }

    // 6. Targets.
    targets(&rows, &probes, &growths);
    println!("load average at end: {}", loadavg());
    Ok(())
}

fn targets(rows: &[Row], probes: &[(String, Probe)], growths: &Growths) {
    let med = |n: &str| rows.iter().find(|r| r.name == n).map(|r| r.lat.median_ns);
    let pr = |n: &str| probes.iter().find(|(x, _)| x == n).map(|(_, p)| p);
    println!("## Targets (issue 6)");
    println!();
    let Some(rb) = med("rbacc") else {
        println!("rbacc not measured: targets not evaluated.");
        return;
    };
    let verdict = |ok: bool| if ok { "PASS" } else { "MISS" };
    if let Some(b) = med("baseline") {
        println!(
            "- rbacc check ≤ 2× baseline: {:.2}× — {}",
            rb / b,
            verdict(rb <= 2.0 * b)
        );
    }
    for peer in ["cedar", "casbin"] {
        if let Some(p) = med(peer) {
            println!(
                "- rbacc ≥ 100× faster than {peer}: {:.0}× — {}",
                p / rb,
                verdict(p >= 100.0 * rb)
            );
        }
    }
    if let Some(r) = pr("rbacc") {
        for peer in ["cedar", "casbin"] {
            if let Some(p) = pr(peer) {
                println!(
                    "- rbacc set-up from YAML faster than {peer} from memory (CPU): {} vs {} — {}",
                    fmt_dur(r.cpu),
                    fmt_dur(p.cpu),
                    verdict(r.cpu < p.cpu)
                );
            }
        }
        if let Some(b) = pr("baseline") {
            println!(
                "- rbacc memory ≤ 3× baseline: {:.2}× — {}",
                r.heap as f64 / b.heap.max(1) as f64,
                verdict(r.heap <= 3 * b.heap)
            );
            if let Some(l) = pr("rbacc+source") {
                println!(
                    "- rbacc memory with the YAML text kept ≤ 3× baseline: {:.2}× — {}",
                    l.heap as f64 / b.heap.max(1) as f64,
                    verdict(l.heap <= 3 * b.heap)
                );
            }
        }
    }
    for (step, g) in growths {
        println!(
            "- {step}: 10× input costs {g:.1}× the time (≤ 12×) — {}",
            verdict(*g <= 12.0)
        );
    }
    println!();
}

// ---------------------------------------------------------------------------
// rbacc compile / load scaling.

#[cfg(feature = "rbacc")]
fn scaling() -> Result<Growths, String> {
    use rbacc_bench::rbacc_engine;
    let mut growths = Vec::new();
    println!(
        "## rbacc compile and load as the input grows (CPU time, median of {SCALING_ROUNDS} interleaved rounds after a warm-up round)"
    );
    println!();
    println!("| input | size | time | growth for 10× input |");
    println!("|---|---:|---:|---:|");
    let mut row = |label: String, size: usize, m: Duration, prev: Option<(String, Duration)>| {
        let growth = prev
            .as_ref()
            .map(|(_, p)| m.as_secs_f64() / p.as_secs_f64().max(1e-12));
        println!(
            "| {label} | {} | {} | {} |",
            fmt_bytes(size as i64),
            fmt_dur(m),
            growth.map_or("–".into(), |g| format!("{g:.1}×"))
        );
        if let (Some((name, _)), Some(g)) = (prev, growth) {
            growths.push((name, g));
        }
    };
    let modules = [10usize, 100, 1000];
    let texts: Vec<String> = modules
        .iter()
        .map(|&m| rbacc_input::scaled_policy(m))
        .collect();
    let times = interleaved(&texts, |text| {
        let t = measure::cpu_time(true);
        let p = rbacc_engine::compile(text)?;
        let d = measure::cpu_time(true).saturating_sub(t);
        black_box(&p);
        Ok(d)
    })?;
    let mut prev: Option<Duration> = None;
    for ((m, text), time) in modules.iter().zip(&texts).zip(times) {
        let step = prev.map(|p| (format!("compile, {} → {m} modules", m / 10), p));
        row(
            format!("compile: policy with {} roles", 5 + 4 * m),
            text.len(),
            time,
            step,
        );
        prev = Some(time);
    }
    let series = Params::series();
    let inputs: Vec<(String, usize, String)> = series
        .iter()
        .map(|p| {
            let w = Workload::generate(p);
            (p.name.clone(), w.bindings(), rbacc_input::members_yaml(&w))
        })
        .collect();
    let times = interleaved(&inputs, |(_, _, yaml)| {
        let policy = rbacc_engine::compile(rbacc_input::POLICY)?;
        let t = measure::cpu_time(true);
        let r = rbacc_engine::load(policy, yaml)?;
        let d = measure::cpu_time(true).saturating_sub(t);
        black_box(&r);
        Ok(d)
    })?;
    let mut prev: Option<(&str, Duration)> = None;
    for ((name, bindings, yaml), time) in inputs.iter().zip(times) {
        let step = prev.map(|(n, p)| (format!("load, {n} → {name}"), p));
        row(
            format!("load: {name} ({bindings} bindings)"),
            yaml.len(),
            time,
            step,
        );
        prev = Some((name, time));
    }
    println!();
    println!();
    Ok(growths)
}

/// Rounds of the scaling series, after one warm-up round.
#[cfg(feature = "rbacc")]
const SCALING_ROUNDS: usize = 7;

/// The median time of each input, measured in rounds that run every input
/// once (smallest first), so that a slow spell of the shared machine falls
/// on every size alike rather than on one; the first round warms the
/// allocator and the caches and is not counted.
#[cfg(feature = "rbacc")]
fn interleaved<T>(
    inputs: &[T],
    mut run: impl FnMut(&T) -> Result<Duration, String>,
) -> Result<Vec<Duration>, String> {
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); inputs.len()];
    for round in 0..=SCALING_ROUNDS {
        for (input, t) in inputs.iter().zip(times.iter_mut()) {
            let d = run(input)?;
            if round > 0 {
                t.push(d);
            }
        }
    }
    Ok(times.into_iter().map(measure::median_duration).collect())
}

#[cfg(not(feature = "rbacc"))]
fn scaling() -> Result<Growths, String> {
    println!("## rbacc compile and load scaling: SKIPPED (built without the `rbacc` feature)");
    println!();
    Ok(Vec::new())
}

/// Time growth factors for 10× input, by step.
type Growths = Vec<(String, f64)>;

// ---------------------------------------------------------------------------
// CLI batch throughput.

#[cfg(feature = "rbacc")]
/// Finds the rbacc binary: built fresh through cargo when run by cargo
/// (`cargo run` sets `CARGO`), else the one beside this executable.
fn rbacc_binary() -> Result<Option<std::path::PathBuf>, String> {
    if let Ok(cargo) = std::env::var("CARGO") {
        let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join("Cargo.toml");
        eprintln!("building the rbacc CLI (cargo build --release -p rbacc --bin rbacc)...");
        let st = Command::new(cargo)
            .args([
                "build",
                "--release",
                "-p",
                "rbacc",
                "--bin",
                "rbacc",
                "--manifest-path",
            ])
            .arg(&manifest)
            .status()
            .map_err(|e| e.to_string())?;
        if !st.success() {
            return Ok(None);
        }
    }
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    Ok(exe.parent().map(|d| d.join("rbacc")).filter(|p| p.exists()))
}

#[cfg(feature = "rbacc")]
/// Runs `rbacc eval --batch -` once; returns the wall time, the child's CPU
/// time and its stdout.
fn run_cli(
    bin: &std::path::Path,
    dir: &std::path::Path,
    input: &str,
) -> Result<(Duration, Duration, String), String> {
    use std::io::Write as _;
    use std::process::Stdio;
    let cpu0 = measure::children_cpu_time();
    let t = Instant::now();
    let mut child = Command::new(bin)
        .args(["eval", "--color", "never", "--policy"])
        .arg(dir.join("bench.rbac"))
        .arg("--members")
        .arg(dir.join("members.yaml"))
        .args(["--batch", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{}: {e}", bin.display()))?;
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    let input = input.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    let dt = t.elapsed();
    let cpu = measure::children_cpu_time().saturating_sub(cpu0);
    writer
        .join()
        .map_err(|_| "writer panicked".to_string())?
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "rbacc eval --batch failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok((dt, cpu, String::from_utf8_lossy(&out.stdout).into_owned()))
}

#[cfg(feature = "rbacc")]
fn cli_batch(w: &Workload) -> Result<(), String> {
    const N: usize = 500_000;
    let Some(bin) = rbacc_binary()? else {
        println!("## CLI batch: SKIPPED (no rbacc binary)");
        println!();
        return Ok(());
    };
    let help = Command::new(&bin)
        .args(["eval", "--help"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    if !help.contains("--batch") {
        println!("## CLI batch: SKIPPED (`rbacc eval --batch` not available)");
        println!();
        return Ok(());
    }
    eprintln!("timing rbacc eval --batch...");
    let dir = temp_dir("cli")?;
    std::fs::write(dir.join("bench.rbac"), rbacc_input::POLICY).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("members.yaml"), rbacc_input::members_yaml(w))
        .map_err(|e| e.to_string())?;
    let queries = w.queries(N, w.params.seed ^ 0xc11);
    let line = |q: &Query| {
        format!(
            "{} {} {}\n",
            rbacc_bench::workload::user_name(q.user),
            q.perm_name(),
            q.resource_id(w)
        )
    };
    let input: String = queries.iter().map(line).collect();
    let one: String = queries.iter().take(1).map(line).collect();
    let (mut full, mut full_cpu, mut single, mut single_cpu) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut output = String::new();
    for _ in 0..3 {
        let (t, c, out) = run_cli(&bin, &dir, &one)?;
        single.push(t);
        single_cpu.push(c);
        black_box(out);
        let (t, c, out) = run_cli(&bin, &dir, &input)?;
        full.push(t);
        full_cpu.push(c);
        output = out;
    }
    let _ = std::fs::remove_dir_all(&dir);
    // Every answer must match the reference.
    let answers: Vec<&str> = output.lines().collect();
    if answers.len() != queries.len() {
        return Err(format!(
            "rbacc eval --batch: {} answers for {} queries",
            answers.len(),
            queries.len()
        ));
    }
    for (q, a) in queries.iter().zip(&answers) {
        let expected = if w.reference(q) { "allow" } else { "deny" };
        if *a != expected {
            return Err(format!(
                "rbacc eval --batch: `{a}` for `{}`, expected {expected}",
                line(q).trim_end()
            ));
        }
    }
    let med = measure::median_duration;
    let (full, full_cpu, single, single_cpu) =
        (med(full), med(full_cpu), med(single), med(single_cpu));
    let rate = |d: Duration| fmt_rate(N as f64 / d.as_secs_f64().max(1e-12));
    println!("## CLI batch: `rbacc eval --batch -` (median of 3 runs; answers checked against the reference)");
    println!();
    println!("| run | wall | CPU | queries/s (CPU) |");
    println!("|---|---:|---:|---:|");
    println!(
        "| 1 query (start-up, compile, load) | {} | {} | – |",
        fmt_dur(single),
        fmt_dur(single_cpu)
    );
    println!(
        "| {N} queries from stdin | {} | {} | {} overall |",
        fmt_dur(full),
        fmt_dur(full_cpu),
        rate(full_cpu)
    );
    let batch = full_cpu.saturating_sub(single_cpu);
    println!(
        "| difference: the batch alone | {} | {} | {} |",
        fmt_dur(full.saturating_sub(single)),
        fmt_dur(batch),
        rate(batch)
    );
    println!();
    Ok(())
}

#[cfg(not(feature = "rbacc"))]
fn cli_batch(_: &Workload) -> Result<(), String> {
    println!("## CLI batch: SKIPPED (built without the `rbacc` feature)");
    println!();
    Ok(())
}

// ---------------------------------------------------------------------------
// Formatting.

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    format!("{cpu}, {cores} cores")
}

/// The 1-minute load average (other work on this shared machine skews the
/// latency tails).
fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

fn fmt_ns(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.1} ns")
    }
}

fn fmt_rate(r: f64) -> String {
    if r >= 1e6 {
        format!("{:.1} M", r / 1e6)
    } else if r >= 1e3 {
        format!("{:.1} k", r / 1e3)
    } else {
        format!("{r:.0}")
    }
}

fn fmt_dur(d: Duration) -> String {
    fmt_ns(d.as_nanos() as f64)
}

fn fmt_bytes(b: i64) -> String {
    let f = b as f64;
    if f.abs() >= 1024.0 * 1024.0 {
        format!("{:.1} MiB", f / (1024.0 * 1024.0))
    } else if f.abs() >= 1024.0 {
        format!("{:.1} KiB", f / 1024.0)
    } else {
        format!("{b} B")
    }
}
