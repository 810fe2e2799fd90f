//! Integration tests of nianbao-store.
