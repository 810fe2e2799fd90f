//! Planted inconsistencies.
