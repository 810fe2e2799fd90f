//! `nianbao template`, `nianbao import` and `nianbao export`: Excel and CSV exchange.

use anyhow::{Context, Result, anyhow, bail};
use nianbao_core::validation::{RuleSet, Summary};
use nianbao_core::{Dataset, IndicatorIndex, OrgLevel};
use nianbao_io::LoadedDataset;
use nianbao_io::excel::{self, Limits};
use nianbao_report::validation_output::{self, Language};
use nianbao_store::{CellOutcome, Layer, Provenance, ReadLayer, StoreError, ValueWrite};
use std::collections::HashMap;
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

pub fn template(
    location: &crate::database::Location,
    org: &str,
    year: i32,
    out: &Path,
    multi: bool,
) -> Result<ExitCode> {
    let loaded = crate::database::read(location, ReadLayer::Reported)?;
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
        // The versions of the stored values travel with the template.
        let stored = crate::database::runtime()?.block_on(async {
            let store = crate::database::open(location).await?;
            Ok::<_, anyhow::Error>(store.org_values(org, year, year).await?)
        })?;
        let versions: HashMap<String, i64> = stored
            .into_iter()
            .filter(|v| v.layer == Layer::Reported && v.year == year)
            .map(|v| (v.indicator_id, v.stored.version))
            .collect();
        let version = |indicator: IndicatorIndex| versions.get(&loaded.framework.indicator(indicator).id).copied();
        excel::write_template(&loaded.framework, &loaded.dataset, index, year, &version)?
    };
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
    location: &crate::database::Location,
    lang: &str,
) -> Result<ExitCode> {
    let language = Language::from_name(lang).ok_or_else(|| anyhow!("unknown language {lang:?}; expected zh or en"))?;
    let english = language == Language::English;
    let mut stored = crate::database::read(location, ReadLayer::Reported)?;
    let framework = stored.framework.clone();
    let school_index = match school {
        Some(id) => Some(stored.dataset.org_index(id).with_context(|| format!("unknown org unit {id:?}"))?),
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
    let (kind, writes, orgs): (&str, Vec<ValueWrite>, Vec<usize>) =
        if file.extension().and_then(|e| e.to_str()) == Some("csv") {
            let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
            let mut dataset = Dataset::new(framework.indicators.len());
            for unit in &stored.dataset.orgs {
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
                    writes.push(ValueWrite {
                        org: dataset.orgs[org].id.clone(),
                        year,
                        indicator: framework.indicators[index].id.clone(),
                        value: value.clone(),
                        note: String::new(),
                        expected_version: None,
                        overwrite: true,
                        provenance: Provenance::Imported,
                        actor: user.clone(),
                        reason: format!("import {}", file.display()),
                    });
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
            let imported = excel::import(&bytes, &framework, &stored.dataset, &expected, &Limits::default());
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
            let dataset = &stored.dataset;
            let org_id = |org: usize| dataset.orgs[org].id.clone();
            let pairs = nianbao_server::exchange::writes_for_import(&framework, &org_id, &imported, &user, "Excel");
            let mut orgs: Vec<usize> = imported.cells.iter().map(|c| c.org).collect();
            orgs.sort_unstable();
            orgs.dedup();
            (imported.kind.name(), pairs.into_iter().map(|(w, _)| w).collect(), orgs)
        };
    let outcomes = crate::database::runtime()?.block_on(async {
        let store = crate::database::open(location).await?;
        Ok::<_, anyhow::Error>(store.write_cells(&writes).await?)
    });
    let outcomes = match outcomes {
        Ok(outcomes) => outcomes,
        Err(error) => {
            let line = match error.downcast_ref::<StoreError>() {
                Some(StoreError::Locked { org, year }) if !english => {
                    format!("{org} {year} 年度的数据已审核通过并锁定，需上级解锁后才能导入")
                }
                Some(StoreError::YearClosed(year)) if !english => format!("{year} 年度已关闭，数据不能再修改"),
                _ => format!("{error:#}"),
            };
            return refuse(vec![line], 1);
        }
    };
    let mut written = 0;
    let mut conflicts = 0;
    for (write, outcome) in writes.iter().zip(&outcomes) {
        match outcome {
            CellOutcome::Written(_) => written += 1,
            CellOutcome::Unchanged => {}
            CellOutcome::Conflict(current) => {
                conflicts += 1;
                let now =
                    current.as_ref().map(|c| (c.value.to_storage_string(), c.changed_by.clone(), c.changed_at.clone()));
                let (value, by, at) = now.unwrap_or_default();
                if english {
                    eprintln!(
                        "{}: {} {}: changed since the template was made by {by} at {at} to {value:?}; yours ({:?}) was not written",
                        write.reason,
                        write.org,
                        write.indicator,
                        write.value.to_storage_string()
                    );
                } else {
                    eprintln!(
                        "{}：{} {}：模板制作后已被 {by} 于 {at} 改为“{value}”，您的“{}”未写入",
                        write.reason,
                        write.org,
                        write.indicator,
                        write.value.to_storage_string()
                    );
                }
            }
        }
    }
    if english {
        println!(
            "imported {} ({kind}): {written} value(s) written, {} unchanged, {conflicts} conflict(s)",
            file.display(),
            writes.len() - written - conflicts
        );
    } else {
        println!(
            "已导入 {}（{kind}）：写入 {written} 项，未变 {} 项，冲突 {conflicts} 项",
            file.display(),
            writes.len() - written - conflicts
        );
    }
    // Findings of the validation engine on what is stored now, for the units imported.
    for (write, outcome) in writes.iter().zip(&outcomes) {
        if let (CellOutcome::Written(_), Some(org), Some(indicator)) =
            (outcome, stored.dataset.org_index(&write.org), framework.lookup(&write.indicator))
        {
            stored.dataset.set(org, year, indicator, write.value.clone());
        }
    }
    let rules = RuleSet::for_framework(&framework);
    let mut summary = Summary::default();
    let findings: Vec<_> =
        orgs.iter().flat_map(|&org| rules.evaluate(&framework, &stored.dataset, org, year, &mut summary)).collect();
    let title =
        if english { format!("Validation after import ({year})") } else { format!("导入后校验（{year} 年）") };
    print!("{}", validation_output::text(&framework, &title, &findings, &summary, rules.rules.len(), language));
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
