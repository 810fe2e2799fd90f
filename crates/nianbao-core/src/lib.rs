//! nianbao-core: the indicator framework, values, org units and printed-table views. Pure: no IO.

pub mod aggregate;
pub mod bounds;
pub mod completeness;
pub mod dataset;
pub mod diagnostic;
pub mod disaggregate;
pub mod expr;
pub mod framework;
mod framework_parse;
pub mod synthetic;
pub mod table_view;
pub mod unit;
pub mod validation;
pub mod value;

pub use dataset::{Dataset, OrgLevel, OrgUnit, Ownership};
pub use diagnostic::{Diagnostic, Diagnostics, Severity, SourcePosition};
pub use framework::{Aggregation, Breakdown, Framework, Indicator, IndicatorIndex, Kind, Relation, Table, TableLayout};
pub use unit::Unit;
pub use value::Value;
