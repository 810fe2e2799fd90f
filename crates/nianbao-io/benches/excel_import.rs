//! Benchmark: importing a multi-school workbook of 8,500 rows × 400 indicator columns, against
//! calamine's raw read of the same file. One-shot wall-clock figures and peak memory.
//!
//! `cargo bench -p nianbao-io --bench excel_import` (`NIANBAO_BENCH_SCHOOLS` to scale down).

#![allow(clippy::float_arithmetic)] // timings for the printout, not values

use calamine::Reader;
use nianbao_core::synthetic::{TreeShape, fill_school_values, framework_text, org_tree};
use nianbao_core::{Dataset, Framework};
use nianbao_io::excel::{self, Limits};
use std::time::Instant;

fn peak_memory_mb() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map(|kb| format!("{} MB", kb / 1024))
        .unwrap_or_else(|| "?".into())
}

fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(|a, b| a.total_cmp(b));
    times[times.len() / 2]
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let schools: usize = std::env::var("NIANBAO_BENCH_SCHOOLS").ok().and_then(|s| s.parse().ok()).unwrap_or(8500);
    let framework = Framework::from_toml("synthetic.toml", &framework_text(20)).expect("framework");
    let mut dataset = Dataset::new(framework.indicators.len());
    let school_indices = org_tree(&mut dataset, TreeShape { schools, ..TreeShape::NATIONAL }, 1);
    fill_school_values(&framework, &mut dataset, &school_indices, &[2024], 2);
    let started = Instant::now();
    let bytes =
        excel::write_multi_school(&framework, &dataset, &school_indices, 2024, &|_, _| Some(1)).expect("workbook");
    println!(
        "workbook: {} rows × {} columns, {:.1} MB, written in {:.2} s",
        schools,
        framework.indicators.len() + 3,
        bytes.len() as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    let limits = Limits { max_cells: 8_000_000, ..Limits::default() };
    let mut raw = Vec::new();
    let mut ours = Vec::new();
    let mut raw_all = Vec::new();
    let mut reading = Vec::new();
    for _ in 0..3 {
        let started = Instant::now();
        let mut workbook = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(&bytes)).expect("open");
        let range = workbook.worksheet_range(excel::MULTI_SHEET).expect("sheet");
        assert!(range.get_size().0 >= schools);
        raw.push(started.elapsed().as_secs_f64());
        let started = Instant::now();
        let all = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(&bytes)).expect("open").worksheets();
        assert_eq!(all.len(), 2);
        raw_all.push(started.elapsed().as_secs_f64());
        let started = Instant::now();
        let read = nianbao_io::workbook::read_spreadsheet(&bytes, &limits).expect("read");
        assert_eq!(read.sheets.len(), 2);
        reading.push(started.elapsed().as_secs_f64());
        drop(read);
        let started = Instant::now();
        let expected = excel::Expected { org: None, year: Some(2024), within: None };
        let imported = excel::import(&bytes, &framework, &dataset, &expected, &limits);
        assert!(imported.problems.is_empty(), "{:?}", &imported.problems[..imported.problems.len().min(3)]);
        assert_eq!(imported.cells.len(), dataset.value_count());
        ours.push(started.elapsed().as_secs_f64());
    }
    let (raw, ours, raw_all, reading) = (median(raw), median(ours), median(raw_all), median(reading));
    println!(
        "calamine raw read of every sheet (the data and the hidden bases): median {raw_all:.2} s; nianbao's reader alone: median {reading:.2} s ({:.2}× calamine, every sheet)",
        reading / raw_all
    );
    println!(
        "calamine raw read of the data sheet: median {raw:.2} s; nianbao import (limits, read, per-cell checks, bases): median {ours:.2} s ({:.2}× calamine's data sheet, {:.2}× calamine's every sheet); peak memory {}",
        ours / raw,
        ours / raw_all,
        peak_memory_mb()
    );
}
