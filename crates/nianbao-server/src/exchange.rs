//! From what an import read to the writes the store is asked for, and from the store's answer
//! back to what the person is told: one rule for the web upload, the CLI and the API. A cell the
//! clerk did not change is not written; a changed cell of a template is a compare-and-set on the
//! version the template was made with, so a value changed since is a conflict, never a revert.

use nianbao_core::{Framework, Value};
use nianbao_io::excel::Imported;
use nianbao_store::{CellOutcome, Provenance, StoredValue, ValueWrite};

/// A write with the place it came from (`sheet!D5`; empty for a form cell).
pub type PlacedWrite = (ValueWrite, String);

/// Whether a figure from a file without versions (a CSV, a hand-made workbook) may write over a
/// different stored figure. Without it, such a figure is a conflict naming the stored one: a file
/// that carries no versions cannot tell a new figure from an old copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unversioned {
    CreateOnly,
    Overwrite,
}

/// The writes for the changed cells of an import, in the order read, each with its place.
pub fn writes_for_import(
    framework: &Framework,
    org_id: &dyn Fn(usize) -> String,
    imported: &Imported,
    unversioned: Unversioned,
    actor: &str,
    source: &str,
) -> Vec<PlacedWrite> {
    imported
        .changes()
        .map(|cell| {
            let (expected_version, overwrite) = match &cell.base {
                Some(base) => ((base.version > 0).then_some(base.version), false),
                // Without versions: create only, unless overwriting was asked for.
                None => (None, unversioned == Unversioned::Overwrite),
            };
            let write = ValueWrite {
                org: org_id(cell.org),
                year: cell.year,
                indicator: framework.indicator(cell.indicator).id.clone(),
                value: cell.value.clone(),
                note: String::new(),
                expected_version,
                overwrite,
                provenance: Provenance::Imported,
                actor: actor.to_string(),
                reason: format!("{source} {}", cell.place),
            };
            (write, cell.place.to_string())
        })
        .collect()
}

/// A cell an import could not write because someone changed it since the template was made.
#[derive(Debug, Clone)]
pub struct ImportConflict {
    pub place: String,
    pub label: String,
    pub yours: Value,
    pub current: Option<StoredValue>,
}

/// What an import did.
#[derive(Debug, Clone, Default)]
pub struct ImportSummary {
    pub written: usize,
    pub cleared: usize,
    pub unchanged: usize,
    pub conflicts: Vec<ImportConflict>,
}

impl ImportSummary {
    /// Adds up the store's outcomes of `writes` (in the same order).
    pub fn of(framework: &Framework, writes: &[PlacedWrite], outcomes: &[CellOutcome]) -> ImportSummary {
        let mut summary = ImportSummary::default();
        for ((write, place), outcome) in writes.iter().zip(outcomes) {
            match outcome {
                CellOutcome::Written(_) if write.value.is_missing() => summary.cleared += 1,
                CellOutcome::Written(_) => summary.written += 1,
                CellOutcome::Unchanged => summary.unchanged += 1,
                CellOutcome::Conflict(current) => summary.conflicts.push(ImportConflict {
                    place: place.clone(),
                    label: framework
                        .lookup(&write.indicator)
                        .map(|i| framework.indicator(i).printed_label())
                        .unwrap_or_else(|| write.indicator.clone()),
                    yours: write.value.clone(),
                    current: current.clone(),
                }),
            }
        }
        summary
    }
}

fn shown(value: &Value) -> String {
    match value {
        Value::Missing => "（空）".into(),
        other => other.to_storage_string(),
    }
}

impl ImportConflict {
    /// `place ` or nothing (a form cell is shown at its row).
    fn place_prefix(&self) -> String {
        if self.place.is_empty() { String::new() } else { format!("{} ", self.place) }
    }

    pub fn line_zh(&self) -> String {
        match &self.current {
            Some(current) => format!(
                "{}「{}」：此数据在您打开（或下载模板）后已被 {} 于 {} 改为“{}”，您的“{}”未写入。请核对后重新填写。",
                self.place_prefix(),
                self.label,
                current.changed_by,
                current.changed_at,
                shown(&current.value),
                shown(&self.yours)
            ),
            None => format!(
                "{}「{}」：此数据已不存在，您的“{}”未写入。",
                self.place_prefix(),
                self.label,
                shown(&self.yours)
            ),
        }
    }
    pub fn line_en(&self) -> String {
        match &self.current {
            Some(current) => format!(
                "{}“{}”: since you opened it (or downloaded the template), {} changed it at {} to {:?}; your {:?} was not written",
                self.place_prefix(),
                self.label,
                current.changed_by,
                current.changed_at,
                shown(&current.value),
                shown(&self.yours)
            ),
            None => format!(
                "{} “{}”: the value no longer exists; your {:?} was not written",
                self.place,
                self.label,
                shown(&self.yours)
            ),
        }
    }
}
