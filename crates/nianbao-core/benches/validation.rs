//! Benchmark: every rule of the bundled framework over a synthetic national dataset
//! (8,500 schools, report year plus the previous year).

use criterion::{Criterion, criterion_group, criterion_main};
use nianbao_core::synthetic::{TreeShape, fill_school_values, org_tree};
use nianbao_core::validation::{RuleSet, Summary};
use nianbao_core::{Dataset, Framework};
use std::hint::black_box;

fn framework() -> Framework {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../frameworks/zhongzhi-2024.toml"))
        .expect("bundled framework");
    Framework::from_toml("zhongzhi-2024.toml", &text).expect("framework loads")
}

fn validation(c: &mut Criterion) {
    let framework = framework();
    let mut dataset = Dataset::new(framework.indicators.len());
    let schools = org_tree(&mut dataset, TreeShape::NATIONAL, 7);
    fill_school_values(&framework, &mut dataset, &schools, &[2023, 2024], 11);
    let rules = RuleSet::for_framework(&framework);
    let mut summary = Summary::default();
    let findings = rules.evaluate_year(&framework, &dataset, 2024, &mut summary);
    eprintln!(
        "synthetic national data: {} schools, {} values, {} rules; {} checks, {} findings ({} errors, {} warnings)",
        schools.len(),
        dataset.value_count(),
        rules.rules.len(),
        summary.evaluated,
        findings.len(),
        summary.errors,
        summary.warnings
    );

    let mut by_rule: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for finding in &findings {
        *by_rule.entry(finding.rule_id.as_str()).or_default() += 1;
    }
    let mut top: Vec<(&str, usize)> = by_rule.into_iter().collect();
    top.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    eprintln!("most frequent findings in the synthetic data: {:?}", &top[..top.len().min(8)]);

    let mut group = c.benchmark_group("validation");
    group.sample_size(10);
    group.bench_function("compile_rules", |b| b.iter(|| RuleSet::for_framework(black_box(&framework))));
    group.bench_function("all_rules_8500_schools", |b| {
        b.iter(|| {
            let mut summary = Summary::default();
            rules.evaluate_year(black_box(&framework), black_box(&dataset), 2024, &mut summary)
        })
    });
    group.finish();
}

criterion_group!(benches, validation);
criterion_main!(benches);
