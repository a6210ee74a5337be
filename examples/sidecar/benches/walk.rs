//! Where a typed lookup's time goes in wasmtime (issue 25 part 6): each step of
//! `Ruleset::get` alone (the query write, each call, the fuel refill), with fuel metering on and
//! off, and the fuel one `lookup` burns (wasmtime charges one unit per Wasm operator, so it is
//! the module's instruction count, the same on every machine). CPU time per call, so the load of
//! a shared machine counts less.
//!
//! `RULESET_WASM=dist/ruleset-v2.4.1.wasm cargo bench --manifest-path examples/sidecar/Cargo.toml
//! --bench walk --features wasmtime` (`POINTERS=/a/b,/c` for other pointers). Without
//! `--features wasmtime` it says so and stops.

#[cfg(feature = "wasmtime")]
mod parts {
    use std::hint::black_box;
    use std::time::Duration;

    use wasmtime::{Config, Engine, Instance, Memory, Module, Store, TypedFunc};

    /// User + system CPU time of this thread, from `/proc/thread-self/stat` (10 ms ticks).
    fn thread_cpu() -> Option<Duration> {
        let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
        let rest = stat.rsplit_once(')')?.1;
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
        Some(Duration::from_millis(ticks * 10))
    }

    /// CPU time per call of `f`, over calls adding up to at least a second of CPU.
    fn cpu_per_call(mut f: impl FnMut()) -> Duration {
        let mut calls = 0u64;
        let Some(start) = thread_cpu() else { return Duration::ZERO };
        loop {
            for _ in 0..100_000 {
                f();
            }
            calls += 100_000;
            let spent = thread_cpu().unwrap_or(start).saturating_sub(start);
            if spent >= Duration::from_secs(1) {
                return spent / u32::try_from(calls).unwrap_or(u32::MAX);
            }
        }
    }

    struct Live {
        store: Store<()>,
        memory: Memory,
        query: usize,
        abi: TypedFunc<(), i32>,
        lookup: TypedFunc<i32, i32>,
        kind: TypedFunc<i32, i32>,
        as_i64: TypedFunc<i32, i64>,
    }

    fn live(wasm: &[u8], fuel: bool) -> Result<Live, String> {
        let mut config = Config::new();
        config.consume_fuel(fuel);
        config.wasm_backtrace(false);
        let engine = Engine::new(&config).map_err(|e| e.to_string())?;
        let module = Module::new(&engine, wasm).map_err(|e| e.to_string())?;
        let mut store = Store::new(&engine, ());
        if fuel {
            store.set_fuel(u64::MAX / 2).map_err(|e| e.to_string())?;
        }
        let instance = Instance::new(&mut store, &module, &[]).map_err(|e| e.to_string())?;
        let memory = instance.get_memory(&mut store, "memory").ok_or("no memory")?;
        let query: TypedFunc<(), i64> = instance.get_typed_func(&mut store, "query").map_err(|e| e.to_string())?;
        let query = (query.call(&mut store, ()).map_err(|e| e.to_string())? as u64 >> 32) as usize;
        Ok(Live {
            memory,
            query,
            abi: instance.get_typed_func(&mut store, "rulesctl_abi").map_err(|e| e.to_string())?,
            lookup: instance.get_typed_func(&mut store, "lookup").map_err(|e| e.to_string())?,
            kind: instance.get_typed_func(&mut store, "kind").map_err(|e| e.to_string())?,
            as_i64: instance.get_typed_func(&mut store, "as_i64").map_err(|e| e.to_string())?,
            store,
        })
    }

    pub fn main() {
        let Ok(path) = std::env::var("RULESET_WASM") else {
            println!("set RULESET_WASM to a --emit wasm module");
            return;
        };
        let Ok(wasm) = std::fs::read(&path) else {
            println!("cannot read {path}");
            return;
        };
        let pointers = std::env::var("POINTERS").unwrap_or_else(|_| "/spawn_configs/frost_peaks/base_rate".into());
        println!("module {path} ({} bytes)", wasm.len());
        for pointer in pointers.split(',') {
            for fuel in [true, false] {
                let mut m = match live(&wasm, fuel) {
                    Ok(m) => m,
                    Err(e) => {
                        println!("cannot load: {e}");
                        return;
                    }
                };
                let bytes = pointer.as_bytes();
                let len = i32::try_from(bytes.len()).unwrap_or(i32::MAX);
                let _ = m.memory.write(&mut m.store, m.query, bytes);
                let handle = m.lookup.call(&mut m.store, len).unwrap_or(-1);
                let tag = if fuel { "fuel on " } else { "fuel off" };
                if fuel {
                    let mut burnt = Vec::new();
                    for step in 0..3 {
                        let before = m.store.get_fuel().unwrap_or(0);
                        let _ = match step {
                            0 => m.lookup.call(&mut m.store, len),
                            1 => m.kind.call(&mut m.store, handle),
                            _ => m.as_i64.call(&mut m.store, handle).map(|v| v as i32),
                        };
                        burnt.push(before - m.store.get_fuel().unwrap_or(0));
                    }
                    println!(
                        "{pointer}: handle {handle}; fuel (Wasm operators): lookup {}, kind {}, as_i64 {}",
                        burnt[0], burnt[1], burnt[2]
                    );
                }
                let Live { store, memory, query, abi, lookup, kind, as_i64 } = &mut m;
                let write = cpu_per_call(|| {
                    let _ = black_box(memory.write(&mut *store, *query, black_box(bytes)));
                });
                let refill = if fuel {
                    cpu_per_call(|| {
                        let _ = black_box(store.set_fuel(black_box(10_000_000)));
                    })
                } else {
                    Duration::ZERO
                };
                // Each call with its refill, as the sidecar makes them (a refill is a store write).
                let mut refilled = |f: &mut dyn FnMut(&mut Store<()>)| {
                    cpu_per_call(|| {
                        if fuel {
                            let _ = store.set_fuel(10_000_000);
                        }
                        f(&mut *store);
                    })
                };
                let empty = refilled(&mut |store| {
                    let _ = black_box(abi.call(store, ()));
                });
                let walk = refilled(&mut |store| {
                    let _ = black_box(lookup.call(store, black_box(len)));
                });
                // An absent pointer has no node to read (`as_i64(-1)` traps, microseconds a call).
                let (kind_call, value) = if handle < 0 {
                    (Duration::ZERO, Duration::ZERO)
                } else {
                    let kind_call = refilled(&mut |store| {
                        let _ = black_box(kind.call(store, black_box(handle)));
                    });
                    let value = refilled(&mut |store| {
                        let _ = black_box(as_i64.call(store, black_box(handle)));
                    });
                    (kind_call, value)
                };
                println!(
                    "  {tag}: CPU per call: write query {write:?}, set_fuel {refill:?}, empty call (rulesctl_abi) \
                     {empty:?}, lookup {walk:?}, kind {kind_call:?}, as_i64 {value:?} (each call with its refill)"
                );
            }
        }
    }
}

fn main() {
    #[cfg(feature = "wasmtime")]
    parts::main();
    #[cfg(not(feature = "wasmtime"))]
    println!("walk: build with --features wasmtime");
}
