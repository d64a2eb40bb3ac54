//! Timing and memory helpers.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering};
use std::time::{Duration, Instant};

/// A global allocator that counts live heap bytes while enabled. Disabled,
/// it costs one relaxed load per call, so timed loops are unaffected.
pub struct CountingAlloc;

static COUNTING: AtomicBool = AtomicBool::new(false);
static LIVE: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

#[inline]
fn add(n: isize) {
    let now = LIVE.fetch_add(n, Ordering::Relaxed) + n;
    if n > 0 {
        PEAK.fetch_max(now, Ordering::Relaxed);
    }
}

// SAFETY: every call is forwarded unchanged to the system allocator; the
// counters are only bookkeeping.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            add(layout.size() as isize);
        }
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if COUNTING.load(Ordering::Relaxed) {
            add(-(layout.size() as isize));
        }
        // SAFETY: forwarded with the caller's pointer and layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            add(layout.size() as isize);
        }
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            add(new_size as isize - layout.size() as isize);
        }
        // SAFETY: forwarded with the caller's arguments.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Starts counting heap bytes (call before anything whose memory you want
/// to see freed is allocated: frees of uncounted blocks make the count drift
/// low).
pub fn start_counting() {
    COUNTING.store(true, Ordering::SeqCst);
}

/// Live heap bytes counted so far.
pub fn live_heap() -> isize {
    LIVE.load(Ordering::SeqCst)
}

/// Resets the peak to the current live count.
pub fn reset_peak() {
    PEAK.store(LIVE.load(Ordering::SeqCst), Ordering::SeqCst);
}

/// Peak live heap bytes since the last reset.
pub fn peak_heap() -> isize {
    PEAK.load(Ordering::SeqCst)
}

/// A field of /proc/self/status in bytes (e.g. `VmRSS`, `VmHWM`).
pub fn proc_status_bytes(field: &str) -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with(field))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Hands freed memory back to the OS so that RSS reflects live data.
pub fn trim_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn malloc_trim(pad: usize) -> i32;
        }
        // SAFETY: glibc's malloc_trim only releases free memory.
        unsafe {
            malloc_trim(0);
        }
    }
}

/// CPU time consumed so far by this process (all threads), or by the
/// calling thread. Unlike wall time, it does not grow when other work on a
/// shared machine takes the CPU away (cache pollution still shows).
pub fn cpu_time(thread_only: bool) -> Duration {
    #[cfg(all(target_os = "linux", target_pointer_width = "64"))]
    {
        #[repr(C)]
        struct Timespec {
            tv_sec: i64,
            tv_nsec: i64,
        }
        extern "C" {
            fn clock_gettime(clock: i32, ts: *mut Timespec) -> i32;
        }
        const CLOCK_PROCESS_CPUTIME_ID: i32 = 2;
        const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
        let clock = if thread_only {
            CLOCK_THREAD_CPUTIME_ID
        } else {
            CLOCK_PROCESS_CPUTIME_ID
        };
        let mut ts = Timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: clock_gettime writes one timespec through a valid pointer.
        let rc = unsafe { clock_gettime(clock, &mut ts) };
        if rc == 0 {
            return Duration::new(
                ts.tv_sec.max(0) as u64,
                ts.tv_nsec.clamp(0, 999_999_999) as u32,
            );
        }
    }
    let _ = thread_only;
    Duration::ZERO
}

/// CPU time (user + system) of all terminated, waited-for child processes.
pub fn children_cpu_time() -> Duration {
    #[cfg(all(target_os = "linux", target_pointer_width = "64"))]
    {
        extern "C" {
            fn getrusage(who: i32, usage: *mut [i64; 18]) -> i32;
        }
        const RUSAGE_CHILDREN: i32 = -1;
        // struct rusage on 64-bit Linux: two timevals, then 14 longs.
        let mut ru = [0i64; 18];
        // SAFETY: getrusage writes one struct rusage (144 bytes) through a
        // valid pointer to 144 bytes.
        let rc = unsafe { getrusage(RUSAGE_CHILDREN, &mut ru) };
        if rc == 0 {
            let micros = ru[0] * 1_000_000 + ru[1] + ru[2] * 1_000_000 + ru[3];
            return Duration::from_micros(micros.max(0) as u64);
        }
    }
    Duration::ZERO
}

/// Wall and CPU time of a closure.
pub fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration, Duration) {
    let c = cpu_time(false);
    let t = Instant::now();
    let v = f();
    let wall = t.elapsed();
    let cpu = cpu_time(false).saturating_sub(c);
    (v, wall, cpu)
}

/// Latency statistics of one engine.
#[derive(Clone, Debug, Default)]
pub struct Latency {
    /// Median per-check time (ns).
    pub median_ns: f64,
    /// 99th percentile per-check time (ns).
    pub p99_ns: f64,
    /// Checks per second over the whole measurement.
    pub checks_per_s: f64,
    /// Number of timed blocks.
    pub samples: usize,
    /// Fraction of allowed decisions in the timed stream.
    pub allowed: f64,
}

/// Cost of one `Instant::now()` pair, in ns (median of many).
pub fn timer_overhead_ns() -> f64 {
    let mut v: Vec<f64> = (0..10_001)
        .map(|_| {
            let t = Instant::now();
            black_box(());
            t.elapsed().as_nanos() as f64
        })
        .collect();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

/// Times `check` on `queries`, walked cyclically in blocks of `block`
/// consecutive queries; a sample is one block's time (minus the timer's
/// overhead) divided by `block`. Runs a warm-up pass first, then samples
/// until `budget` has elapsed (at least 200 blocks).
pub fn time_checks<Q>(
    queries: &[Q],
    check: impl Fn(&Q) -> bool,
    block: usize,
    budget: Duration,
    overhead_ns: f64,
) -> Latency {
    time_blocks(
        queries,
        |chunk| {
            let mut a = 0usize;
            for q in chunk {
                a += usize::from(check(black_box(q)));
            }
            a
        },
        block,
        budget,
        overhead_ns,
    )
}

/// Like [`time_checks`], but hands each block to `run_block` whole (for
/// batch APIs); `run_block` returns how many queries it allowed.
pub fn time_blocks<Q>(
    queries: &[Q],
    mut run_block: impl FnMut(&[Q]) -> usize,
    block: usize,
    budget: Duration,
    overhead_ns: f64,
) -> Latency {
    let n = queries.len();
    if n < block || block == 0 {
        return Latency::default();
    }
    // Warm-up: one pass over the stream or 10% of the budget.
    let warm = Instant::now();
    for chunk in queries.chunks_exact(block) {
        black_box(run_block(black_box(chunk)));
        if warm.elapsed() > budget / 10 {
            break;
        }
    }
    let min_samples = 200;
    let mut samples = Vec::with_capacity(1 << 16);
    let mut allowed = 0usize;
    let mut checks = 0usize;
    let mut pos = 0usize;
    let start = Instant::now();
    let mut timed = Duration::ZERO;
    while start.elapsed() < budget || samples.len() < min_samples {
        if pos + block > n {
            pos = 0;
        }
        let chunk = queries.get(pos..pos + block).unwrap_or(&[]);
        let t = Instant::now();
        let a = run_block(black_box(chunk));
        let e = t.elapsed();
        black_box(a);
        timed += e;
        allowed += a;
        checks += chunk.len();
        pos += block;
        samples.push(((e.as_nanos() as f64 - overhead_ns).max(0.0)) / block as f64);
    }
    samples.sort_by(f64::total_cmp);
    let at = |f: f64| {
        let i = ((samples.len() as f64 - 1.0) * f).round() as usize;
        samples.get(i).copied().unwrap_or(0.0)
    };
    Latency {
        median_ns: at(0.5),
        p99_ns: at(0.99),
        checks_per_s: checks as f64
            / ((timed.as_nanos() as f64 - overhead_ns * samples.len() as f64).max(1.0) * 1e-9),
        samples: samples.len(),
        allowed: allowed as f64 / checks.max(1) as f64,
    }
}

/// Median of a few timings.
pub fn median_duration(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}
