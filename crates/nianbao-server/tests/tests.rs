//! Integration tests of nianbao-server: one binary. The demo deployment (sample data, demo
//! accounts) is seeded into a fresh SQLite file per test; `support` signs callers in.

mod accounts;
mod api_contract;
mod audit;
mod authorisation;
mod browser;
mod cases;
mod data_path;
mod deadlines;
mod review_list;
mod security;
mod submission;
mod support;
mod workflow_api;
