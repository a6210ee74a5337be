//! How many threads rulesctl uses, for every part that splits its work.

/// The most threads `RULESCTL_THREADS` may ask for: far more than any machine has cores.
const MAX_THREADS: usize = 256;

/// How many threads the work that splits (parsing, the checks) runs on: `RULESCTL_THREADS`
/// when set to a positive number (tests pin it to prove the output is the same on one thread
/// and many; at most [`MAX_THREADS`]), else one per core. Asked once per process: finding the
/// cores reads the cgroup files, and both the parse and the checks ask.
pub fn count() -> usize {
    static COUNT: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *COUNT.get_or_init(|| {
        std::env::var("RULESCTL_THREADS")
            .ok()
            .and_then(|v| v.parse::<usize>().ok())
            .filter(|n| *n > 0)
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
            .min(MAX_THREADS)
    })
}
