//! nianbao-report: presenting indicator tables (and, later, whole reports) in each output format.

pub mod chart;
pub mod content;
pub mod document;
pub mod format_zh;
pub mod render;
pub mod table_output;
pub mod template;
pub mod template_problem;
pub mod text_width;
pub mod validation_output;
