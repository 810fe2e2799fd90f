//! Integration tests of nianbao-report (one test binary; modules per area).

mod table_output;
