//! nianbao-report: presenting indicator tables (and, later, whole reports) in each output format.

pub mod table_output;
pub mod text_width;
pub mod validation_output;
