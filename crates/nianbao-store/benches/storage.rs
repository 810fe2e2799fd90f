//! Benchmark at national scale: bulk load and roll-up to every level, for the in-memory roll-up,
//! SQLite and PostgreSQL. Prints wall-clock times and peak memory (it is a one-shot measurement,
//! not a criterion loop: one run takes minutes).
//!
//! `cargo bench -p nianbao-store --bench storage` (full: 8,500 schools × 400 indicators × 5 years
//! ≈ 17 M values). `NIANBAO_BENCH_SCHOOLS=850` runs a tenth of it. `NIANBAO_BENCH_BACKENDS=memory,sqlite`
//! chooses backends; PostgreSQL comes from `NIANBAO_TEST_DATABASE_URL`.

#![allow(clippy::float_arithmetic)] // timings and rates for the printout, not values

use nianbao_core::aggregate::{AggregationPlan, roll_up_with};
use nianbao_core::synthetic::{TreeShape, fill_school_values, framework_text, org_tree};
use nianbao_core::{Dataset, Framework};
use nianbao_store::{LoadOptions, PostgresStore, Provenance, ReadLayer, SqliteStore, Store};
use std::time::Instant;

const YEARS: [i32; 5] = [2020, 2021, 2022, 2023, 2024];

fn peak_memory_mb() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_string())
        })
        .and_then(|kb| kb.parse::<u64>().ok())
        .map(|kb| format!("{} MB", kb / 1024))
        .unwrap_or_else(|| "?".into())
}

fn roll_up_all(plan: &AggregationPlan, dataset: &Dataset) -> usize {
    std::thread::scope(|scope| {
        let handles: Vec<_> =
            YEARS.iter().map(|&year| scope.spawn(move || roll_up_with(plan, dataset, year).values.len())).collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
    })
}

async fn store_round(name: &str, store: &dyn Store, framework: &Framework, dataset: &Dataset, plan: &AggregationPlan) {
    let options = LoadOptions { provenance: Provenance::Imported, actor: "bench".into(), reason: "benchmark".into() };
    let started = Instant::now();
    let report = store.load(framework, dataset, &options, &|_, _| {}).await.expect("load");
    let load = started.elapsed();
    let started = Instant::now();
    let stored = store.read_dataset(framework, ReadLayer::Reported).await.expect("read");
    let read = started.elapsed();
    let started = Instant::now();
    let mut written = 0;
    for &year in &YEARS {
        let rolled = roll_up_with(plan, &stored, year);
        written += store.replace_aggregates(framework, &stored, &rolled, "bench").await.expect("aggregates").written;
    }
    let aggregate = started.elapsed();
    println!(
        "{name}: bulk load {} values in {:.1} s ({:.0} values/s); read back {:.1} s; roll-up of {} years + writing {written} aggregates {:.1} s; peak memory so far {}",
        report.values_inserted,
        load.as_secs_f64(),
        report.values_inserted as f64 / load.as_secs_f64(),
        read.as_secs_f64(),
        YEARS.len(),
        aggregate.as_secs_f64(),
        peak_memory_mb()
    );
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let schools: usize = std::env::var("NIANBAO_BENCH_SCHOOLS").ok().and_then(|s| s.parse().ok()).unwrap_or(8500);
    let backends = std::env::var("NIANBAO_BENCH_BACKENDS").unwrap_or_else(|_| "memory,sqlite,postgres".into());
    let framework = Framework::from_toml("synthetic.toml", &framework_text(20)).expect("synthetic framework");
    let started = Instant::now();
    let mut dataset = Dataset::new(framework.indicators.len());
    let shape = TreeShape { schools, ..TreeShape::NATIONAL };
    let school_indices = org_tree(&mut dataset, shape, 1);
    fill_school_values(&framework, &mut dataset, &school_indices, &YEARS, 2);
    println!(
        "synthetic data: {} org units, {} schools, {} indicators, {} years, {} values, generated in {:.1} s; peak memory {}",
        dataset.orgs.len(),
        schools,
        framework.indicators.len(),
        YEARS.len(),
        dataset.value_count(),
        started.elapsed().as_secs_f64(),
        peak_memory_mb()
    );
    let plan = AggregationPlan::new(&framework);
    if backends.contains("memory") {
        let mut times = Vec::new();
        for _ in 0..5 {
            let started = Instant::now();
            let units = roll_up_all(&plan, &dataset);
            times.push(started.elapsed().as_secs_f64());
            assert!(units > 0);
        }
        times.sort_by(|a, b| a.total_cmp(b));
        println!(
            "in-memory roll-up of {} years to every level: median {:.3} s (min {:.3} s, 5 runs); peak memory {}",
            YEARS.len(),
            times[2],
            times[0],
            peak_memory_mb()
        );
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    if backends.contains("sqlite") {
        let dir = tempfile::tempdir().expect("temp dir");
        runtime.block_on(async {
            let store = SqliteStore::open(&dir.path().join("bench.sqlite")).await.expect("sqlite");
            store_round("SQLite", &store, &framework, &dataset, &plan).await;
        });
    }
    if backends.contains("postgres") {
        let url = std::env::var("NIANBAO_TEST_DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
        runtime.block_on(async {
            let schema = format!("nianbao_bench_{}", std::process::id());
            let store = PostgresStore::connect_in_schema(&url, &schema).await.expect("postgres");
            store_round("PostgreSQL", &store, &framework, &dataset, &plan).await;
            PostgresStore::drop_schema(&url, &schema).await.expect("drop bench schema");
        });
    }
}
