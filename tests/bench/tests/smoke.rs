//! A seconds-long run of the benchmark program on both stores, so that it cannot rot.
//! PostgreSQL must answer (see scripts/test.sh): this test fails, never skips, without it.

use std::process::Command;

#[test]
fn the_benchmark_runs_and_writes_every_figure() {
    let postgres = test_support::postgres_server();
    let out = std::env::temp_dir().join(format!("permit-ledger-bench-{}.json", std::process::id()));
    let output = Command::new(env!("CARGO_BIN_EXE_permit-ledger-bench"))
        .args(["--quick", "--postgres", &postgres, "--out"])
        .arg(&out)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let rows: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    for (section, store) in [
        ("commands", "sqlite"),
        ("commands", "postgres"),
        ("rebuild", "sqlite"),
        ("rebuild", "postgres"),
        ("supervision", "sqlite"),
        ("supervision", "postgres"),
        ("inspections", "sqlite"),
        ("inspections", "postgres"),
        ("feeds", "sqlite"),
        ("feeds", "postgres"),
        ("render", "-"),
    ] {
        let found: Vec<&serde_json::Value> = rows
            .iter()
            .filter(|r| r["section"] == section && r["store"] == store)
            .collect();
        assert!(!found.is_empty(), "no {section} figures for {store}");
        for row in found {
            assert!(row["value"].as_f64().is_some_and(|v| v > 0.0), "{row}");
        }
    }
    assert!(stdout.contains("ledger/plain cqrs-es"), "{stdout}");
    assert!(stdout.contains("feed/static"), "{stdout}");
    // Every target is judged, on both stores (met or not: a quick run proves nothing).
    let (_, targets) = stdout
        .split_once("targets (docs/performance.md):")
        .unwrap_or_else(|| panic!("no targets judged:\n{stdout}"));
    for target in [
        "commands / plain cqrs-es",
        "commands / raw inserts",
        "p99 / p50, 8 clients",
        "rebuild / scan",
        "peak RSS",
        "feed / static",
        "304 / static",
    ] {
        assert_eq!(targets.matches(target).count(), 2, "{target}:\n{targets}");
    }
    let _ = std::fs::remove_file(out);
}
