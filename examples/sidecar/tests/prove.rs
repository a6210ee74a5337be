//! Loading proves a module or refuses it with one line that says why; every call is metered.
//! Each test runs in every runtime of the build (wasmi; wasmtime too with `--features wasmtime`).

mod support;

use ruleset_sidecar::module::{Engine, Limits, Ruleset, Runtime, Scalar};
use ruleset_sidecar::protocol::answer;
use support::fake;

/// Runs `test` with the engine of each runtime in this build, naming the runtime on failure.
fn each_runtime(test: impl Fn(&Engine)) {
    for runtime in Runtime::ALL {
        let engine = Engine::new(*runtime).unwrap_or_else(|e| panic!("{}: {e}", runtime.name()));
        eprintln!("runtime: {}", runtime.name());
        test(&engine);
    }
}

fn load(engine: &Engine, wasm: &[u8]) -> Result<Ruleset, String> {
    Ruleset::load(engine, wasm, Limits::default(), None)
}

fn refusal(engine: &Engine, wasm: &[u8]) -> String {
    match load(engine, wasm) {
        Ok(ruleset) => panic!("{} {} was accepted", ruleset.version(), ruleset.digest()),
        Err(reason) => {
            assert!(!reason.contains('\n'), "one line: {reason}");
            reason
        }
    }
}

#[test]
fn a_good_module_is_proven_and_answers() {
    each_runtime(|engine| {
        let good = fake("v2.4.1", 12);
        let ruleset = load(engine, &good.wasm()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ruleset.version(), "v2.4.1");
        assert_eq!(ruleset.digest(), good.digest());
        assert_eq!(ruleset.get("/spawn_configs/frost_peaks/base_rate"), Ok(Scalar::Integer(12)));
        assert_eq!(answer(&ruleset, "get /spawn_configs/frost_peaks/base_rate"), "ok v2.4.1 12");
        assert_eq!(answer(&ruleset, "pick tier_3_drops 12345"), "ok v2.4.1 gold_coin");
        assert_eq!(answer(&ruleset, "version"), format!("ok v2.4.1 {}", good.digest()));
        assert_eq!(answer(&ruleset, "pick tier_3_drops -1").split_once(" the roll").map(|p| p.0), Some("err v2.4.1"));
        assert!(answer(&ruleset, "frobnicate").starts_with("err v2.4.1 unknown request \"frobnicate\""));
        assert!(
            answer(&ruleset, &format!("get /{}", "x".repeat(5000))).starts_with("err v2.4.1 the query is 5001 bytes")
        );
    });
}

#[test]
fn a_prepared_pointer_reads_its_value_and_only_in_its_own_module() {
    each_runtime(|engine| {
        let good = fake("v2.4.1", 12);
        let ruleset = load(engine, &good.wasm()).unwrap_or_else(|e| panic!("{e}"));
        let prepared = ruleset.prepare("/spawn_configs/frost_peaks/base_rate").unwrap_or_else(|e| panic!("{e}"));
        for _ in 0..3 {
            assert_eq!(ruleset.read(&prepared), Ok(Scalar::Integer(12)));
        }
        // The same bytes loaded again are another module: its handles are its own.
        let again = load(engine, &good.wasm()).unwrap_or_else(|e| panic!("{e}"));
        let err = again.read(&prepared).err().unwrap_or_default();
        assert!(err.starts_with("prepared in another module than v2.4.1 sha256:"), "{err}");
        assert!(err.ends_with(": prepare again"), "{err}");
        let over = ruleset.prepare(&format!("/{}", "x".repeat(5000))).err().unwrap_or_default();
        assert!(over.starts_with("the query is 5001 bytes"), "{over}");
    });
}

#[test]
fn the_expected_digest_is_checked_when_given() {
    each_runtime(|engine| {
        let good = fake("v2.4.1", 12);
        assert!(Ruleset::load(engine, &good.wasm(), Limits::default(), Some(&good.digest())).is_ok());
        let err = Ruleset::load(engine, &good.wasm(), Limits::default(), Some("sha256:00")).err();
        assert_eq!(err, Some(format!("it holds v2.4.1 {}, but RULESET_DIGEST expects sha256:00", good.digest())));
    });
}

#[test]
fn truncated_corrupt_wrong_abi_and_wrong_digest_modules_are_refused() {
    each_runtime(|engine| {
        let good = fake("v2.4.1", 12).wasm();
        assert!(refusal(engine, &good[..good.len() / 2]).starts_with("not a valid Wasm module"));
        assert!(refusal(engine, &[]).starts_with("not a valid Wasm module"));
        let mut corrupt = good.clone();
        corrupt[0] = b'X';
        assert!(refusal(engine, &corrupt).starts_with("not a valid Wasm module"));
        let abi = Some(2).map(|abi| support::Fake { abi, ..fake("v2.4.1", 12) }).map(|f| f.wasm()).unwrap_or_default();
        assert_eq!(refusal(engine, &abi), "it speaks ABI 2; this sidecar speaks ABI 1");
        let liar = support::Fake { lies: true, ..fake("v2.4.1", 12) };
        let reason = refusal(engine, &liar.wasm());
        assert!(reason.starts_with("canonical() hashes to sha256:"), "{reason}");
        assert!(reason.ends_with(&format!("but digest() says {}", liar.digest())), "{reason}");
        let importer = support::Fake { imports: true, ..fake("v2.4.1", 12) };
        assert_eq!(refusal(engine, &importer.wasm()), "it imports env::clock (a ruleset module imports nothing)");
    });
}

#[test]
fn fuel_and_memory_are_limited_on_every_call() {
    each_runtime(|engine| {
        let limits = Limits { fuel: 200_000, ..Limits::default() };
        let spinner = support::Fake { spins: true, ..fake("v2.4.1", 12) }.wasm();
        let spinner = Ruleset::load(engine, &spinner, limits, None).unwrap_or_else(|e| panic!("{e}"));
        let err = spinner.get("/spawn_configs/frost_peaks/base_rate").err().unwrap_or_default();
        assert!(err.starts_with("the module trapped:"), "{err}");
        // The tank is full again for the next call, which also runs out rather than hanging.
        assert!(spinner.get("/x").is_err());
        assert_eq!(answer(&spinner, "pick tier_3_drops 1"), "ok v2.4.1 gold_coin");

        let huge = support::Fake { pages: 2048, ..fake("v2.4.1", 12) };
        assert!(refusal(engine, &huge.wasm()).starts_with("cannot instantiate it:"));
        // Growing past the limit fails (memory.grow returns -1); the lookup itself goes on.
        let grower =
            load(engine, &support::Fake { grows: 2048, ..fake("v2.4.1", 12) }.wasm()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(grower.get("/a"), Ok(Scalar::Integer(12)));
    });
}
