//! nianbao-io: reading and writing files — dataset folders (long-format CSV), framework files.

pub mod corpus;
pub mod csv_text;
pub mod dataset_dir;
pub mod excel;
pub mod import_problem;
pub mod lenient;
pub mod printed;
pub mod workbook;

pub use dataset_dir::{LoadedDataset, load_dataset_dir, load_framework_file, orgs_csv, read_values_csv, values_csv};
