//! `rulesctl` on the system allocator, for heap profilers that replace malloc (valgrind's
//! massif, heaptrack): the binary's mimalloc takes its memory straight from mmap, where they see
//! nothing. Same library, same commands; only the allocator differs, so its heap is the one to
//! break down, and the binary's peak RSS (bench/bigfile.sh) the one to quote.
//!
//! `CARGO_PROFILE_RELEASE_DEBUG=1 cargo build --release --example system-alloc`, then
//! `valgrind --tool=massif target/release/examples/system-alloc check --root DIR`.

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(rulesctl::run(std::env::args_os()))
}
