//! The `rulesctl` binary.

/// mimalloc: rule files are parsed on every core, and the parser allocates a small node for
/// nearly every token; with the system allocator a quarter of `check`'s time went to malloc and
/// free (BENCHMARKS.md). Only the binary sets it: the library leaves the choice to its users.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Turns off mimalloc's eager commit of its arenas, which kept the peak RSS of `check` on 10,000
/// rule files at 87 MiB instead of 61 MiB, for no speed. It must run before the first
/// allocation (the first arena is reserved then), so it is an ELF constructor: on other systems
/// mimalloc keeps its default.
#[cfg(target_os = "linux")]
#[used]
#[link_section = ".init_array"]
static LAZY_COMMIT: extern "C" fn() = {
    /// `mi_option_arena_eager_commit`, by its place in mimalloc.h's `mi_option_e` (the same in
    /// mimalloc 2 and 3; libmimalloc-sys leaves options unnamed, so its version is pinned).
    const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
    extern "C" fn lazy_commit() {
        // SAFETY: sets an integer option before main and before any thread; a wrong index
        // would change another option, never memory safety.
        unsafe { libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 0) };
    }
    lazy_commit
};

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(rulesctl::run(std::env::args_os()))
}
