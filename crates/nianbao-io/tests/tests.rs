//! Integration tests of nianbao-io (one test binary; modules per area).

mod dataset_dir;
mod excel;
mod sample_rollup;
