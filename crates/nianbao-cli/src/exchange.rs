//! `nianbao template`, `nianbao import` and `nianbao export`: Excel and CSV exchange.

use anyhow::{Context, Result, anyhow, bail};
use nianbao_core::validation::{RuleSet, Summary};
use nianbao_core::{Dataset, OrgLevel};
use nianbao_io::LoadedDataset;
use nianbao_io::excel::{self, Limits};
use nianbao_report::validation_output::{self, Language};
use nianbao_store::{LoadOptions, Provenance, ReadLayer};
use std::path::Path;
use std::process::ExitCode;

fn schools_below(dataset: &Dataset, org: usize) -> Vec<usize> {
    (0..dataset.orgs.len())
        .filter(|&candidate| {
            dataset.orgs[candidate].level == OrgLevel::School && {
                let mut current = Some(candidate);
                let mut found = false;
                while let Some(unit) = current {
                    if unit == org {
                        found = true;
                        break;
                    }
                    current = dataset.orgs[unit].parent;
                }
                found
            }
        })
        .collect()
}

pub fn template(loaded: &LoadedDataset, org: &str, year: i32, out: &Path, multi: bool) -> Result<ExitCode> {
    let index = loaded.dataset.org_index(org).with_context(|| format!("unknown org unit {org:?}"))?;
    let bytes = if multi {
        let schools = schools_below(&loaded.dataset, index);
        if schools.is_empty() {
            bail!("{org} has no schools below it");
        }
        excel::write_multi_school(&loaded.framework, &loaded.dataset, &schools, year)?
    } else {
        if loaded.dataset.orgs[index].level != OrgLevel::School {
            bail!("{org} is not a school; use --multi for a workbook of every school below it");
        }
        excel::write_template(&loaded.framework, &loaded.dataset, index, year)?
    };
    std::fs::write(out, &bytes).with_context(|| format!("writing {}", out.display()))?;
    println!("wrote {} ({} bytes)", out.display(), bytes.len());
    Ok(ExitCode::SUCCESS)
}

pub fn import(file: &Path, location: &crate::database::Location, lang: &str) -> Result<ExitCode> {
    let language = Language::from_name(lang).ok_or_else(|| anyhow!("unknown language {lang:?}; expected zh or en"))?;
    let mut stored = crate::database::read(location, ReadLayer::Reported)?;
    // The imported values, over the stored org tree, are loaded in one transaction.
    let mut dataset = Dataset::new(stored.framework.indicators.len());
    for unit in &stored.dataset.orgs {
        dataset.add_org(unit.clone()).map_err(|e| anyhow!(e))?;
    }
    let (kind, orgs, years) = if file.extension().and_then(|e| e.to_str()) == Some("csv") {
        let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
        let problems = nianbao_io::read_values_csv(file, &text, &stored.framework, &mut dataset);
        if problems.has_errors() {
            eprint!("{problems}");
            match language {
                Language::Chinese => eprintln!("{} 处有问题，未导入任何数据", problems.error_count()),
                Language::English => eprintln!("{} problem(s); nothing was imported", problems.error_count()),
            }
            return Ok(ExitCode::FAILURE);
        }
        let mut orgs: Vec<usize> = dataset.iter_slots().map(|((org, _), _)| org).collect();
        let mut years: Vec<i32> = dataset.iter_slots().map(|((_, year), _)| year).collect();
        orgs.sort_unstable();
        orgs.dedup();
        years.sort_unstable();
        years.dedup();
        ("long-format CSV", orgs, years)
    } else {
        let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
        eprintln!("reading {} ({} bytes)…", file.display(), bytes.len());
        let imported = excel::import(&bytes, &stored.framework, &stored.dataset, &Limits::default())
            .with_context(|| format!("{}", file.display()))?;
        if !imported.issues.is_empty() {
            for issue in &imported.issues {
                match language {
                    Language::Chinese => {
                        eprintln!("{}: {}「{}」：{}", file.display(), issue.cell, issue.label, issue.message_zh)
                    }
                    Language::English => {
                        eprintln!("{}: {} “{}”: {}", file.display(), issue.cell, issue.label, issue.message_en)
                    }
                }
            }
            match language {
                Language::Chinese => eprintln!("{} 个单元格有问题，未导入任何数据", imported.issues.len()),
                Language::English => eprintln!("{} cell(s) have problems; nothing was imported", imported.issues.len()),
            }
            return Ok(ExitCode::FAILURE);
        }
        let mut years = Vec::new();
        let mut orgs: Vec<usize> = Vec::new();
        for (org, year, indicator, value, _) in &imported.values {
            dataset.set(*org, *year, *indicator, value.clone());
            if !years.contains(year) {
                years.push(*year);
            }
            orgs.push(*org);
        }
        orgs.sort_unstable();
        orgs.dedup();
        (imported.kind, orgs, years)
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let report = runtime.block_on(async {
        let store = nianbao_store::open(&location.describe_for_open()).await?;
        let options = LoadOptions {
            provenance: Provenance::Imported,
            actor: std::env::var("USER").unwrap_or_else(|_| "nianbao".into()),
            reason: format!("import {}", file.display()),
        };
        Ok::<_, anyhow::Error>(store.load(&stored.framework, &dataset, &options, &|_, _| {}).await?)
    })?;
    println!(
        "imported {} ({}): {} values inserted, {} updated, {} unchanged",
        file.display(),
        kind,
        report.values_inserted,
        report.values_updated,
        report.values_unchanged
    );
    // Findings of the validation engine on what is stored now, for the units and years imported.
    // What is stored now is what was read plus what was loaded: no second read of the database.
    for ((org, year), slots) in dataset.iter_slots() {
        for (index, value) in slots.iter().enumerate().filter(|(_, v)| !v.is_missing()) {
            stored.dataset.set(org, year, nianbao_core::IndicatorIndex(index), value.clone());
        }
    }
    let after = &stored;
    let rules = RuleSet::for_framework(&after.framework);
    for year in years {
        let mut summary = Summary::default();
        let findings: Vec<_> = orgs
            .iter()
            .flat_map(|&org| rules.evaluate(&after.framework, &after.dataset, org, year, &mut summary))
            .collect();
        let title = match language {
            Language::Chinese => format!("导入后校验（{year} 年）"),
            Language::English => format!("Validation after import ({year})"),
        };
        print!(
            "{}",
            validation_output::text(&after.framework, &title, &findings, &summary, rules.rules.len(), language)
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn export(loaded: &LoadedDataset, org: Option<&str>, year: i32, format: &str, out: &Path) -> Result<ExitCode> {
    let org = match org {
        Some(id) => loaded.dataset.org_index(id).with_context(|| format!("unknown org unit {id:?}"))?,
        None => {
            let unit = loaded.dataset.default_org().context("the dataset has no org units")?;
            loaded.dataset.org_index(&unit.id).context("default org")?
        }
    };
    let bytes = match format {
        "xlsx" => excel::export_tables(&loaded.framework, &loaded.dataset, org, year)?,
        "csv" => nianbao_io::values_csv(&loaded.framework, &loaded.dataset).into_bytes(),
        "sdmx" => excel::sdmx_csv(&loaded.framework, &loaded.dataset, year).into_bytes(),
        other => bail!("unknown export format {other:?}; expected xlsx, csv or sdmx"),
    };
    std::fs::write(out, &bytes).with_context(|| format!("writing {}", out.display()))?;
    println!("wrote {} ({} bytes)", out.display(), bytes.len());
    Ok(ExitCode::SUCCESS)
}
