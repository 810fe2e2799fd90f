//! nianbao-store: persistence of org trees and values with versions and full history.
//!
//! One [`Store`] trait, two implementations: [`SqliteStore`] (a file, the embedded default) and
//! [`PostgresStore`] (shared deployments). Each backend has its own `migrations/` folder, applied
//! on open. Queries are built at run time (`query().bind()`), so builds need no database.

mod backend;
mod model;
mod platform;
mod platform_backend;
pub mod time;

pub use backend::{PostgresStore, SqliteStore};
pub use model::*;
pub use platform::*;

use async_trait::async_trait;
use nianbao_core::aggregate::RollUp;
use nianbao_core::{Dataset, Framework, OrgUnit};

/// Storage of one deployment's org tree and values.
#[async_trait]
pub trait Store: Platform + Send + Sync {
    /// "sqlite" or "postgres".
    fn backend(&self) -> &'static str;

    /// Records which framework the stored values follow; refuses a different framework or version.
    async fn bind_framework(&self, framework: &Framework) -> Result<(), StoreError>;

    /// The org tree in insertion order; `parent` indices refer to positions in the returned list.
    async fn org_units(&self) -> Result<Vec<OrgUnit>, StoreError>;

    /// Opens or closes a year; a closed year refuses every write.
    async fn set_year_closed(&self, year: i32, closed: bool) -> Result<(), StoreError>;
    async fn is_year_closed(&self, year: i32) -> Result<bool, StoreError>;

    /// Writes one reported value. `expected_version` must be the version the writer read (None:
    /// the value must not exist yet); a stale version is refused with [`StoreError::Conflict`].
    /// Returns the new version. Every change lands in the history.
    async fn write_value(&self, write: &ValueWrite) -> Result<i64, StoreError>;

    /// Writes several values in one transaction: all of them, or none (the first refusal wins).
    async fn write_values(&self, writes: &[ValueWrite]) -> Result<Vec<i64>, StoreError>;

    /// Writes several values in one transaction, each as a compare-and-set of its own: a value
    /// changed since the writer read it is reported as [`CellOutcome::Conflict`] and left as it
    /// is, without blocking or reverting the others. Locks, closed years and unknown org units
    /// still refuse the whole batch.
    async fn write_cells(&self, writes: &[ValueWrite]) -> Result<Vec<CellOutcome>, StoreError>;

    /// One stored value with its version and provenance.
    async fn value(
        &self,
        org: &str,
        year: i32,
        indicator: &str,
        layer: Layer,
    ) -> Result<Option<StoredValue>, StoreError>;

    /// Every change of one value, oldest first.
    async fn history(
        &self,
        org: &str,
        year: i32,
        indicator: &str,
        layer: Layer,
    ) -> Result<Vec<HistoryEntry>, StoreError>;

    /// Every change of an org unit's values of one year made after `since` (an RFC 3339 stamp as
    /// the store writes them), oldest first, with the indicator changed.
    async fn changes_since(
        &self,
        org: &str,
        year: i32,
        layer: Layer,
        since: &str,
    ) -> Result<Vec<(String, HistoryEntry)>, StoreError>;

    /// Loads a dataset's org tree and reported values in one transaction: all or nothing.
    /// Loading the same data twice changes nothing. `progress` is called with (done, total).
    async fn load(
        &self,
        framework: &Framework,
        dataset: &Dataset,
        options: &LoadOptions,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<LoadReport, StoreError>;

    /// Reads the org tree and one layer of values into a dataset (`Combined`: reported values,
    /// and aggregated ones where nothing was reported).
    async fn read_dataset(&self, framework: &Framework, layer: ReadLayer) -> Result<Dataset, StoreError> {
        self.read_scoped(framework, layer, &ReadScope::everything()).await
    }

    /// Reads the whole org tree and one layer of the values within `scope` (a subtree's units,
    /// some years): what a school's page or report, a county's roll-up or a city's report needs,
    /// without reading the rest of the nation. An unknown root reads no values.
    async fn read_scoped(
        &self,
        framework: &Framework,
        layer: ReadLayer,
        scope: &ReadScope,
    ) -> Result<Dataset, StoreError>;

    /// As [`Store::read_scoped`], into a dataset that already holds the stored org tree (same
    /// ids; e.g. the server's, read once at start): only the values are read. A value of a unit
    /// the dataset lacks is refused as invalid stored data.
    async fn read_values_into(
        &self,
        framework: &Framework,
        layer: ReadLayer,
        scope: &ReadScope,
        dataset: &mut Dataset,
    ) -> Result<(), StoreError>;

    /// Replaces, in one transaction, the aggregated values of `roll_up.year` (with coverage) of
    /// the units the roll-up holds — every unit above the schools, or one unit's subtree
    /// ([`nianbao_core::aggregate::roll_up_within`]) — and clears their stale marks. Units
    /// outside the roll-up keep their aggregates. Where the subtree's top unit now has figures
    /// other than those stored, every unit above it is marked stale
    /// ([`StaleCause::BelowAggregated`]) rather than recomputed.
    async fn replace_aggregates(
        &self,
        framework: &Framework,
        dataset: &Dataset,
        roll_up: &RollUp,
        actor: &str,
    ) -> Result<AggregatesWritten, StoreError>;

    /// The units whose stored aggregates of `year` are marked stale, by org id.
    async fn stale_aggregates(&self, year: i32) -> Result<Vec<StaleAggregate>, StoreError>;

    /// Number of stored values per layer (reported, aggregated) and history rows.
    async fn counts(&self) -> Result<(i64, i64, i64), StoreError>;
}

/// Opens a store from a location: a PostgreSQL URL (`postgres://…`) or a SQLite file path.
pub async fn open(location: &str) -> Result<Box<dyn Store>, StoreError> {
    if location.starts_with("postgres://") || location.starts_with("postgresql://") {
        Ok(Box::new(PostgresStore::connect(location).await?))
    } else {
        Ok(Box::new(SqliteStore::open(std::path::Path::new(location)).await?))
    }
}
