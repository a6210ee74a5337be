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

/// Runs `a` here and `b` on a second thread when `parallel` and there is a second core, else
/// both here; either way the results come back as `(a, b)`. A second thread the system refuses
/// is no failure (`b` runs here), and a panic in `b` surfaces here, as it would on one thread.
pub fn join_if<A, B: Send>(parallel: bool, a: impl FnOnce() -> A, b: impl FnOnce() -> B + Send) -> (A, B) {
    if !parallel || count() < 2 {
        return (a(), b());
    }
    // Whoever takes `b` first runs it: the second thread, or this one if that never started.
    let slot = std::sync::Mutex::new(Some(b));
    let take = || slot.lock().ok().and_then(|mut b| b.take());
    std::thread::scope(|scope| {
        let other = std::thread::Builder::new().spawn_scoped(scope, || take().map(|b| b()));
        let a = a();
        let done = match other {
            Ok(handle) => handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(_) => None,
        };
        match done.or_else(|| take().map(|b| b())) {
            Some(b) => (a, b),
            // Taken by a thread that then panicked, which resumed above: not reached.
            None => unreachable!("the second half ran nowhere"),
        }
    })
}
