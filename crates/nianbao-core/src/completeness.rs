//! Completeness and copies: the figures an org unit must report, and rows that print another
//! row's quantity (`same_as`: one quantity, entered once).

use crate::dataset::{Dataset, OrgLevel};
use crate::framework::{Framework, IndicatorIndex};
use crate::value::Value;

/// How many of the figures an org unit must report it has reported.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Completeness {
    /// Figures the framework requires at the unit's level.
    pub required: usize,
    /// The required figures with no value, in framework order.
    pub missing: Vec<IndicatorIndex>,
}

impl Completeness {
    /// Required figures that hold a value (a number, a text, or “-” for not applicable).
    pub fn reported(&self) -> usize {
        self.required - self.missing.len()
    }

    pub fn is_complete(&self) -> bool {
        self.missing.is_empty()
    }
}

/// Whether a value answers a required figure: anything but missing or blank text. “-” (not
/// applicable) is an answer.
pub fn is_answered(value: &Value) -> bool {
    match value {
        Value::Missing => false,
        Value::Text(text) => !text.trim().is_empty(),
        Value::NotApplicable | Value::Number(_) => true,
    }
}

/// The completeness of one org unit's year: `slots` are its values by indicator (None when it
/// holds none).
pub fn completeness(framework: &Framework, level: OrgLevel, slots: Option<&[Value]>) -> Completeness {
    let mut result = Completeness::default();
    for index in framework.required_at(level) {
        result.required += 1;
        let answered = slots.and_then(|slots| slots.get(index.0)).is_some_and(is_answered);
        if !answered {
            result.missing.push(index);
        }
    }
    result
}

/// Gives every copy (`same_as`) that holds no value of its own its primary's value, in every org
/// unit and year of the dataset; returns how many were filled. A copy with its own value keeps it,
/// so that the cross-table rule can compare the two printed figures.
pub fn fill_copies(framework: &Framework, dataset: &mut Dataset) -> usize {
    let copies: Vec<(IndicatorIndex, IndicatorIndex)> = framework.copies().collect();
    if copies.is_empty() {
        return 0;
    }
    let mut filled = 0;
    for (_, slots) in dataset.iter_slots_mut() {
        for &(copy, primary) in &copies {
            let (Some(copy_value), Some(primary_value)) = (slots.get(copy.0), slots.get(primary.0)) else { continue };
            if copy_value.is_missing() && !primary_value.is_missing() {
                slots[copy.0] = slots[primary.0].clone();
                filled += 1;
            }
        }
    }
    filled
}
