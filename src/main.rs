//! The `rulesctl` binary.

/// mimalloc: rule files are parsed on every core, and the parser allocates a small node for
/// nearly every token; with the system allocator a quarter of `check`'s time went to malloc and
/// free (BENCHMARKS.md). Only the binary sets it: the library leaves the choice to its users.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Turns off mimalloc's eager commit of its arenas, which kept the peak RSS of `check` on 10,000
/// rule files at 87 MiB instead of 61 MiB, for no speed; and has it return freed pages to the
/// system after 10 ms (mimalloc 2's default and its header's) rather than mimalloc 3's 1 s, so
/// a large file's parse pieces, freed one after another, are not all still resident at the
/// peak: `check` on one 5 MB rule file 41-50 MiB -> 36-39 MiB, on 10,000 files 54-59 MiB -> 47
/// MiB (BENCHMARKS.md, the large file). 0 ms gave 31 MiB but tripled the system time of `fmt`
/// in madvise calls. It must run before the first allocation (the first arena is reserved
/// then), so it is an ELF constructor: on other systems mimalloc keeps its defaults.
#[cfg(target_os = "linux")]
#[used]
#[link_section = ".init_array"]
static LAZY_COMMIT: extern "C" fn() = {
    /// `mi_option_arena_eager_commit` and `mi_option_purge_delay`, by their places in
    /// mimalloc.h's `mi_option_e` (the same in mimalloc 2 and 3; libmimalloc-sys leaves options
    /// unnamed, so its version is pinned).
    const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    const PURGE_AFTER_MS: std::ffi::c_long = 10;
    extern "C" fn lazy_commit() {
        // SAFETY: sets integer options before main and before any thread; a wrong index
        // would change another option, never memory safety.
        unsafe {
            libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 0);
            libmimalloc_sys::mi_option_set(PURGE_DELAY, PURGE_AFTER_MS);
        }
    }
    lazy_commit
};

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(rulesctl::run(std::env::args_os()))
}
