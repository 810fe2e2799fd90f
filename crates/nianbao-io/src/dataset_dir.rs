//! Loads a dataset folder: `dataset.toml`, `orgs.csv` and `values.csv` (the long format).

use crate::csv_text::{self, Record};
use nianbao_core::value::{NOT_APPLICABLE, parse_plain_decimal};
use nianbao_core::{
    Dataset, Diagnostic, Diagnostics, Framework, Kind, OrgLevel, OrgUnit, Ownership, Severity, SourcePosition, Value,
};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Header of `orgs.csv`.
pub const ORGS_HEADER: [&str; 9] =
    ["id", "name", "name_en", "level", "parent", "ownership", "designations", "provincial_grade", "school_type"];
/// Longest note accepted (the store refuses longer ones too).
pub const MAX_NOTE_CHARS: usize = 2000;
/// Header of `values.csv`.
pub const VALUES_HEADER: [&str; 5] = ["org", "year", "indicator", "value", "note"];

/// A framework and a dataset loaded together.
#[derive(Debug, Clone)]
pub struct LoadedDataset {
    pub framework: Framework,
    pub framework_path: PathBuf,
    pub dataset: Dataset,
    pub directory: PathBuf,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DatasetFile {
    dataset: DatasetMeta,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DatasetMeta {
    name: String,
    framework: String,
    #[serde(default)]
    sample: bool,
    #[serde(default)]
    source: String,
}

fn file_error(file: &Path, message: impl Into<String>) -> Diagnostics {
    Diagnostics(vec![Diagnostic {
        severity: Severity::Error,
        position: None,
        message: format!("{}: {}", file.display(), message.into()),
    }])
}

fn read_text(path: &Path) -> Result<String, Diagnostics> {
    std::fs::read_to_string(path).map_err(|error| file_error(path, format!("cannot read: {error}")))
}

/// Reads and checks a framework file.
pub fn load_framework_file(path: &Path) -> Result<Framework, Diagnostics> {
    let text = read_text(path)?;
    Framework::from_toml(&path.display().to_string(), &text)
}

/// Loads a dataset folder and the framework it names. Every problem in the folder is reported,
/// each with file, line and column.
pub fn load_dataset_dir(directory: &Path) -> Result<LoadedDataset, Diagnostics> {
    let meta_path = directory.join("dataset.toml");
    let meta_text = read_text(&meta_path)?;
    let meta: DatasetFile = toml::from_str(&meta_text).map_err(|error| {
        let index = nianbao_core::diagnostic::LineIndex::new("", &meta_text);
        let position = index.position(error.span().map(|s| s.start).unwrap_or(0));
        Diagnostics(vec![Diagnostic {
            severity: Severity::Error,
            position: Some(SourcePosition {
                file: meta_path.display().to_string(),
                line: position.line,
                column: position.column,
            }),
            message: error.message().trim().to_string(),
        }])
    })?;
    let framework_path = directory.join(&meta.dataset.framework);
    let framework = load_framework_file(&framework_path)?;
    let mut dataset = Dataset::new(framework.indicators.len());
    dataset.name = meta.dataset.name;
    dataset.sample = meta.dataset.sample;
    dataset.source = meta.dataset.source;

    let mut problems = Diagnostics::default();
    let orgs_path = directory.join("orgs.csv");
    read_orgs(&orgs_path, &read_text(&orgs_path)?, &mut dataset, &mut problems);
    let values_path = directory.join("values.csv");
    read_values(&values_path, &read_text(&values_path)?, &framework, &mut dataset, &mut problems);
    if problems.has_errors() {
        return Err(problems);
    }
    Ok(LoadedDataset { framework, framework_path, dataset, directory: directory.to_path_buf() })
}

struct Reporter<'a> {
    file: String,
    problems: &'a mut Diagnostics,
}

impl Reporter<'_> {
    fn error(&mut self, line: usize, column: usize, message: impl Into<String>) {
        self.problems.push(Diagnostic {
            severity: Severity::Error,
            position: Some(SourcePosition { file: self.file.clone(), line, column }),
            message: message.into(),
        });
    }
}

/// Parses the CSV text and checks its header; returns the data records.
fn records_with_header(text: &str, expected: &[&str], reporter: &mut Reporter<'_>) -> Vec<Record> {
    let records = match csv_text::parse(text) {
        Ok(records) => records,
        Err(error) => {
            reporter.error(error.line, error.column, error.message);
            return Vec::new();
        }
    };
    let Some((header, data)) = records.split_first() else {
        reporter.error(1, 1, format!("the file is empty; expected the header {}", expected.join(",")));
        return Vec::new();
    };
    let names: Vec<&str> = header.fields.iter().map(|f| f.text.trim()).collect();
    if names != expected {
        reporter.error(
            header.line,
            1,
            format!("expected the header {}, found {}", expected.join(","), names.join(",")),
        );
        return Vec::new();
    }
    let mut good = Vec::new();
    for record in data {
        if record.fields.len() != expected.len() {
            let last = record.fields.last().map(|f| (f.line, f.column)).unwrap_or((record.line, 1));
            reporter.error(
                last.0,
                last.1,
                format!("expected {} fields, found {}", expected.len(), record.fields.len()),
            );
        } else {
            good.push(record.clone());
        }
    }
    good
}

fn read_orgs(path: &Path, text: &str, dataset: &mut Dataset, problems: &mut Diagnostics) {
    let mut reporter = Reporter { file: path.display().to_string(), problems };
    let records = records_with_header(text, &ORGS_HEADER, &mut reporter);
    for record in records {
        let f = &record.fields;
        let field = |i: usize| f[i].text.trim();
        let id = field(0).to_string();
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
            reporter.error(f[0].line, f[0].column, format!("org id {id:?} must be ASCII letters, digits, '_' or '-'"));
            continue;
        }
        let Some(level) = OrgLevel::from_name(field(3)) else {
            reporter.error(
                f[3].line,
                f[3].column,
                format!("unknown level {:?}; expected one of {}", field(3), OrgLevel::NAMES.join(", ")),
            );
            continue;
        };
        let parent = if field(4).is_empty() {
            None
        } else {
            match dataset.org_index(field(4)) {
                Some(parent) if dataset.orgs[parent].level < level => Some(parent),
                Some(_) => {
                    reporter.error(
                        f[4].line,
                        f[4].column,
                        format!(
                            "parent {:?} is not above {:?} in the tree province › city › county › school",
                            field(4),
                            id
                        ),
                    );
                    continue;
                }
                None => {
                    reporter.error(
                        f[4].line,
                        f[4].column,
                        format!("unknown parent {:?} (parents must be listed before their children)", field(4)),
                    );
                    continue;
                }
            }
        };
        let ownership = match field(5) {
            "" => None,
            name => match Ownership::from_name(name) {
                Some(ownership) => Some(ownership),
                None => {
                    reporter.error(
                        f[5].line,
                        f[5].column,
                        format!("unknown ownership {name:?}; expected public or private"),
                    );
                    continue;
                }
            },
        };
        let designations: Vec<String> =
            field(6).split(';').map(str::trim).filter(|d| !d.is_empty()).map(String::from).collect();
        let unit = OrgUnit {
            id,
            name: field(1).to_string(),
            name_en: field(2).to_string(),
            level,
            parent,
            ownership,
            designations,
            provincial_grade: Some(field(7).to_string()).filter(|g| !g.is_empty()),
            school_type: Some(field(8).to_string()).filter(|t| !t.is_empty()),
        };
        if unit.name.is_empty() {
            reporter.error(f[1].line, f[1].column, "an org unit needs a name");
            continue;
        }
        if let Err(message) = dataset.add_org(unit) {
            reporter.error(f[0].line, f[0].column, message);
        }
    }
}

/// Reads one value cell as written in a dataset file for an indicator of `kind`.
pub fn parse_value_cell(text: &str, kind: Kind) -> Result<Value, String> {
    let trimmed = text.trim();
    if kind == Kind::Text {
        return Ok(if trimmed.is_empty() {
            Value::Missing
        } else if trimmed == NOT_APPLICABLE {
            Value::NotApplicable
        } else {
            Value::Text(trimmed.to_string())
        });
    }
    match trimmed {
        "" => Ok(Value::Missing),
        NOT_APPLICABLE => Ok(Value::NotApplicable),
        number => parse_plain_decimal(number).map(Value::Number).ok_or_else(|| {
            format!("{number:?} is not a number: write digits with an optional '.' fraction (no separators, units or %), or '-' for not applicable")
        }),
    }
}

/// Reads a long-format values CSV (`org,year,indicator,value,note`) into `dataset`, whose org tree
/// must already hold the units named. Every problem is returned with file, line and column.
pub fn read_values_csv(path: &Path, text: &str, framework: &Framework, dataset: &mut Dataset) -> Diagnostics {
    let mut problems = Diagnostics::default();
    read_values(path, text, framework, dataset, &mut problems);
    problems
}

fn read_values(path: &Path, text: &str, framework: &Framework, dataset: &mut Dataset, problems: &mut Diagnostics) {
    let mut reporter = Reporter { file: path.display().to_string(), problems };
    let records = records_with_header(text, &VALUES_HEADER, &mut reporter);
    let mut seen: HashMap<(usize, i32, usize), usize> = HashMap::new();
    for record in records {
        let f = &record.fields;
        let org = match dataset.org_index(f[0].text.trim()) {
            Some(org) => Some(org),
            None => {
                reporter.error(
                    f[0].line,
                    f[0].column,
                    format!("unknown org unit {:?} (not in orgs.csv)", f[0].text.trim()),
                );
                None
            }
        };
        let year = match f[1].text.trim().parse::<i32>() {
            Ok(year) if (1949..=2100).contains(&year) => Some(year),
            _ => {
                reporter.error(f[1].line, f[1].column, format!("{:?} is not a year", f[1].text.trim()));
                None
            }
        };
        let indicator = match framework.lookup(f[2].text.trim()) {
            Some(indicator) => Some(indicator),
            None => {
                reporter.error(
                    f[2].line,
                    f[2].column,
                    format!(
                        "unknown indicator {:?} (not in framework {} {})",
                        f[2].text.trim(),
                        framework.id,
                        framework.version
                    ),
                );
                None
            }
        };
        let (Some(org), Some(year), Some(indicator)) = (org, year, indicator) else {
            continue;
        };
        let definition = framework.indicator(indicator);
        let value = match parse_value_cell(&f[3].text, definition.kind).and_then(|value| {
            nianbao_core::bounds::check(definition, &value).map(|()| value).map_err(|b| b.message_en().to_string())
        }) {
            Ok(value) => value,
            Err(message) => {
                reporter.error(
                    f[3].line,
                    f[3].column,
                    format!(
                        "{} ({}): {message}",
                        framework.indicator(indicator).printed_label(),
                        framework.indicator(indicator).id
                    ),
                );
                continue;
            }
        };
        if let Some(first_line) = seen.insert((org, year, indicator.0), record.line) {
            reporter.error(
                f[0].line,
                f[0].column,
                format!(
                    "a second value for {} {} {} (first on line {first_line})",
                    f[0].text.trim(),
                    year,
                    f[2].text.trim()
                ),
            );
            continue;
        }
        dataset.set(org, year, indicator, value);
        let note = f[4].text.trim();
        if note.chars().count() > MAX_NOTE_CHARS {
            reporter.error(f[4].line, f[4].column, format!("the note is longer than {MAX_NOTE_CHARS} characters"));
            continue;
        }
        if !note.is_empty() {
            dataset.set_note(org, year, indicator, note.to_string());
        }
    }
}

/// Writes the values of a dataset in the long format of `values.csv`: org units in tree order,
/// then years, then indicators in framework order. Missing values are not written.
pub fn values_csv(framework: &Framework, dataset: &Dataset) -> String {
    use crate::csv_text::quote;
    let mut out = VALUES_HEADER.join(",");
    out.push('\n');
    let years = dataset.years();
    for (org, unit) in dataset.orgs.iter().enumerate() {
        for &year in &years {
            let Some(slots) = dataset.slots(org, year) else { continue };
            for (index, value) in slots.iter().enumerate() {
                if value.is_missing() {
                    continue;
                }
                let indicator = nianbao_core::IndicatorIndex(index);
                let note = dataset.note(org, year, indicator).unwrap_or("");
                out.push_str(&format!(
                    "{},{year},{},{},{}\n",
                    quote(&unit.id),
                    quote(&framework.indicator(indicator).id),
                    quote(&value.to_storage_string()),
                    quote(note)
                ));
            }
        }
    }
    out
}

/// Writes `orgs.csv` for a dataset's org tree.
pub fn orgs_csv(dataset: &Dataset) -> String {
    use crate::csv_text::quote;
    let mut out = ORGS_HEADER.join(",");
    out.push('\n');
    for unit in &dataset.orgs {
        let parent = unit.parent.map(|p| dataset.orgs[p].id.as_str()).unwrap_or("");
        let fields = [
            unit.id.as_str(),
            &unit.name,
            &unit.name_en,
            unit.level.name(),
            parent,
            unit.ownership.map(Ownership::name).unwrap_or(""),
            &unit.designations.join(";"),
            unit.provincial_grade.as_deref().unwrap_or(""),
            unit.school_type.as_deref().unwrap_or(""),
        ];
        out.push_str(&fields.iter().map(|f| quote(f)).collect::<Vec<_>>().join(","));
        out.push('\n');
    }
    out
}
