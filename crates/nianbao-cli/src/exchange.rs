//! `nianbao template`, `nianbao import` and `nianbao export`: Excel and CSV exchange.

use anyhow::{Context, Result, anyhow, bail};
use nianbao_core::validation::{RuleSet, Summary};
use nianbao_core::{Dataset, IndicatorIndex, OrgLevel};
use nianbao_io::LoadedDataset;
use nianbao_io::excel::{self, Limits};
use nianbao_report::validation_output::{self, Language};
use nianbao_server::exchange::{ImportSummary, PlacedWrite, Unversioned};
use nianbao_store::{CellOutcome, Layer, Provenance, ReadLayer, ValueWrite};
use std::collections::HashMap;
use std::path::Path;
use std::process::ExitCode;

fn schools_below(dataset: &Dataset, org: usize) -> Vec<usize> {
    (0..dataset.orgs.len())
        .filter(|&candidate| {
            dataset.orgs[candidate].level == OrgLevel::School
                && nianbao_core::dataset::is_within(&dataset.orgs, candidate, org)
        })
        .collect()
}

pub fn template(
    location: &crate::database::Location,
    org: &str,
    year: i32,
    out: &Path,
    multi: bool,
) -> Result<ExitCode> {
    let framework = crate::database::framework(location)?;
    let bytes = crate::database::runtime()?.block_on(async {
        let store = crate::database::open(location).await?;
        store.bind_framework(&framework).await?;
        let dataset = store.read_dataset(&framework, ReadLayer::Reported).await?;
        let index = dataset.org_index(org).with_context(|| format!("unknown org unit {org:?}"))?;
        let schools = if multi {
            schools_below(&dataset, index)
        } else if dataset.orgs[index].level == OrgLevel::School {
            vec![index]
        } else {
            bail!("{org} is not a school; use --multi for a workbook of every school below it");
        };
        if schools.is_empty() {
            bail!("{org} has no schools below it");
        }
        // The versions of the stored values travel with the workbook.
        let mut versions: HashMap<(usize, String), i64> = HashMap::new();
        for &school in &schools {
            for value in store.org_values(&dataset.orgs[school].id, year, year).await? {
                if value.layer == Layer::Reported && value.year == year {
                    versions.insert((school, value.indicator_id), value.stored.version);
                }
            }
        }
        let version = |school: usize, indicator: IndicatorIndex| {
            versions.get(&(school, framework.indicator(indicator).id.clone())).copied()
        };
        Ok(if multi {
            excel::write_multi_school(&framework, &dataset, &schools, year, &version)?
        } else {
            excel::write_template(&framework, &dataset, index, year, &|indicator| version(index, indicator))?
        })
    })?;
    std::fs::write(out, &bytes).with_context(|| format!("writing {}", out.display()))?;
    println!("wrote {} ({} bytes)", out.display(), bytes.len());
    Ok(ExitCode::SUCCESS)
}

/// Reads a workbook or long-format CSV and writes what it changes, each cell as a
/// compare-and-set; refuses the whole file on any problem, naming every place.
pub fn import(
    file: &Path,
    school: Option<&str>,
    year: i32,
    overwrite: bool,
    location: &crate::database::Location,
    lang: &str,
) -> Result<ExitCode> {
    let unversioned = if overwrite { Unversioned::Overwrite } else { Unversioned::CreateOnly };
    let language = Language::from_name(lang).ok_or_else(|| anyhow!("unknown language {lang:?}; expected zh or en"))?;
    let english = language == Language::English;
    let framework = crate::database::framework(location)?;
    let runtime = crate::database::runtime()?;
    let store = runtime.block_on(crate::database::open(location))?;
    let mut dataset_now = runtime.block_on(async {
        store.bind_framework(&framework).await?;
        store.read_dataset(&framework, ReadLayer::Reported).await
    })?;
    let school_index = match school {
        Some(id) => Some(dataset_now.org_index(id).with_context(|| format!("unknown org unit {id:?}"))?),
        None => None,
    };
    let user = std::env::var("USER").unwrap_or_else(|_| "nianbao".into());
    let refuse = |lines: Vec<String>, count: usize| {
        for line in lines {
            eprintln!("{}: {line}", file.display());
        }
        if english {
            eprintln!("{count} problem(s); nothing was imported");
        } else {
            eprintln!("{count} 处问题，未导入任何数据");
        }
        Ok(ExitCode::FAILURE)
    };
    let (kind, writes, orgs): (&str, Vec<PlacedWrite>, Vec<usize>) = if file.extension().and_then(|e| e.to_str())
        == Some("csv")
    {
        let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
        let mut dataset = Dataset::new(framework.indicators.len());
        for unit in &dataset_now.orgs {
            dataset.add_org(unit.clone()).map_err(|e| anyhow!(e))?;
        }
        let problems = nianbao_io::read_values_csv(file, &text, &framework, &mut dataset);
        if problems.has_errors() {
            eprint!("{problems}");
            return refuse(Vec::new(), problems.error_count());
        }
        let mut lines = Vec::new();
        let mut writes = Vec::new();
        let mut orgs = Vec::new();
        for ((org, value_year), slots) in dataset.iter_slots() {
            if value_year != year {
                lines.push(if english {
                    format!("values of {value_year} for {}; only {year} is being imported", dataset.orgs[org].id)
                } else {
                    format!("{} 有 {value_year} 年度的数据，本次只导入 {year} 年度", dataset.orgs[org].id)
                });
                continue;
            }
            if school_index.is_some_and(|s| s != org) {
                lines.push(format!(
                    "{}: {}",
                    dataset.orgs[org].id,
                    if english { "not the school given" } else { "不是指定的学校" }
                ));
                continue;
            }
            orgs.push(org);
            for (index, value) in slots.iter().enumerate().filter(|(_, v)| !v.is_missing()) {
                let place = format!("{} {year}", dataset.orgs[org].id);
                writes.push((
                    ValueWrite {
                        org: dataset.orgs[org].id.clone(),
                        year,
                        indicator: framework.indicators[index].id.clone(),
                        value: value.clone(),
                        note: String::new(),
                        expected_version: None,
                        overwrite,
                        provenance: Provenance::Imported,
                        actor: user.clone(),
                        reason: format!("import {}", file.display()),
                    },
                    place,
                ));
            }
        }
        if !lines.is_empty() {
            let count = lines.len();
            return refuse(lines, count);
        }
        ("long-format CSV", writes, orgs)
    } else {
        let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
        let expected = excel::Expected { org: school_index, year: Some(year), within: None };
        let imported = excel::import(&bytes, &framework, &dataset_now, &expected, &Limits::default());
        if imported.kind == excel::WorkbookKind::SchoolTemplate
            && school_index.is_none()
            && imported.problems.is_empty()
        {
            return refuse(
                vec![if english {
                    "a school template: name the school with --school".to_string()
                } else {
                    "这是学校填报模板：请用 --school 指明导入哪所学校".to_string()
                }],
                1,
            );
        }
        if !imported.problems.is_empty() {
            let lines = imported.problems.iter().map(|p| if english { p.line_en() } else { p.line_zh() }).collect();
            return refuse(lines, imported.problems.len());
        }
        for note in &imported.notes {
            eprintln!("{}: {}", file.display(), if english { note.line_en() } else { note.line_zh() });
        }
        let org_id = |org: usize| dataset_now.orgs[org].id.clone();
        let writes =
            nianbao_server::exchange::writes_for_import(&framework, &org_id, &imported, unversioned, &user, "Excel");
        let mut orgs: Vec<usize> = imported.cells.iter().map(|c| c.org).collect();
        orgs.sort_unstable();
        orgs.dedup();
        (imported.kind.name(), writes, orgs)
    };
    let plain: Vec<ValueWrite> = writes.iter().map(|(w, _)| w.clone()).collect();
    let outcomes = match runtime.block_on(store.write_cells(&plain)) {
        Ok(outcomes) => outcomes,
        Err(error) => {
            let error = nianbao_server::error::AppError::Store(error);
            return refuse(vec![if english { error.to_string() } else { error.message_zh() }], 1);
        }
    };
    let summary = ImportSummary::of(&framework, &writes, &outcomes);
    for conflict in &summary.conflicts {
        eprintln!("{}: {}", file.display(), if english { conflict.line_en() } else { conflict.line_zh() });
    }
    let (written, conflicts) = (summary.written + summary.cleared, summary.conflicts.len());
    if english {
        println!(
            "imported {} ({kind}): {written} value(s) written ({} cleared), {} unchanged, {conflicts} conflict(s)",
            file.display(),
            summary.cleared,
            summary.unchanged
        );
    } else {
        println!(
            "已导入 {}（{kind}）：写入 {written} 项（其中清空 {} 项），未变 {} 项，冲突 {conflicts} 项",
            file.display(),
            summary.cleared,
            summary.unchanged
        );
    }
    // Findings of the validation engine on what is stored now, for the units imported.
    for ((write, _), outcome) in writes.iter().zip(&outcomes) {
        if let (CellOutcome::Written(_), Some(org), Some(indicator)) =
            (outcome, dataset_now.org_index(&write.org), framework.lookup(&write.indicator))
        {
            dataset_now.set(org, year, indicator, write.value.clone());
        }
    }
    nianbao_core::completeness::fill_copies(&framework, &mut dataset_now);
    let rules = RuleSet::for_framework(&framework);
    let mut counts = Summary::default();
    let findings: Vec<_> =
        orgs.iter().flat_map(|&org| rules.evaluate(&framework, &dataset_now, org, year, &mut counts)).collect();
    let title =
        if english { format!("Validation after import ({year})") } else { format!("导入后校验（{year} 年）") };
    print!("{}", validation_output::text(&framework, &title, &findings, &counts, rules.rules.len(), language));
    Ok(if conflicts > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

pub fn export(loaded: &LoadedDataset, org: Option<&str>, year: i32, format: &str, out: &Path) -> Result<ExitCode> {
    let org = match org {
        Some(id) => loaded.dataset.org_index(id).with_context(|| format!("unknown org unit {id:?}"))?,
        None => {
            let unit = loaded.dataset.default_org().context("the dataset has no org units")?;
            loaded.dataset.org_index(&unit.id).context("default org")?
        }
    };
    // The long format carries the data as held; the tables and the open data carry what is
    // printed, copies (`same_as`) included.
    let printed = || {
        let mut dataset = loaded.dataset.clone();
        nianbao_core::completeness::fill_copies(&loaded.framework, &mut dataset);
        dataset
    };
    let bytes = match format {
        "xlsx" => excel::export_tables(&loaded.framework, &printed(), org, year)?,
        "csv" => nianbao_io::values_csv(&loaded.framework, &loaded.dataset).into_bytes(),
        "sdmx" => excel::sdmx_csv(&loaded.framework, &printed(), year).into_bytes(),
        other => bail!("unknown export format {other:?}; expected xlsx, csv or sdmx"),
    };
    std::fs::write(out, &bytes).with_context(|| format!("writing {}", out.display()))?;
    println!("wrote {} ({} bytes)", out.display(), bytes.len());
    Ok(ExitCode::SUCCESS)
}
