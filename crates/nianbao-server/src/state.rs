//! The application state shared by every request: framework, rules, org tree, the guarded store.

use crate::access::{Access, Guarded, PublicAccess};
use crate::auth::{Principal, Throttle};
use crate::tree::OrgTree;
use nianbao_core::Framework;
use nianbao_core::validation::RuleSet;
use nianbao_store::{Store, StoreError};
use std::sync::Arc;

/// Settings of a running server.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The year open for data entry.
    pub year: i32,
    /// Marks cookies `Secure` (behind HTTPS).
    pub secure_cookies: bool,
    /// How long a browser session lasts.
    pub session_seconds: i64,
    /// Largest photo accepted for a case study.
    pub max_photo_bytes: usize,
    /// Largest Excel upload.
    pub max_upload_bytes: usize,
    /// How long a connection may take to send a request's headers (also while idle between
    /// requests): half-open and slow connections are closed after it.
    pub header_timeout: std::time::Duration,
    /// Connections served at once; more are closed as they arrive until one ends.
    pub max_connections: usize,
    /// Reverse proxies whose `X-Forwarded-For` names the client (for sign-in back-off); the
    /// header is ignored from any other peer.
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl ServerConfig {
    pub fn for_year(year: i32) -> ServerConfig {
        ServerConfig {
            year,
            secure_cookies: false,
            session_seconds: 8 * 3600,
            max_photo_bytes: 5 << 20,
            max_upload_bytes: 20 << 20,
            header_timeout: std::time::Duration::from_secs(15),
            max_connections: 2048,
            trusted_proxies: Vec::new(),
        }
    }
}

/// Cheap to clone; one per server.
#[derive(Clone, Debug)]
pub struct AppState(Arc<Inner>);

#[derive(Debug)]
pub struct Inner {
    pub framework: Framework,
    pub rules: RuleSet,
    pub tree: OrgTree,
    pub config: ServerConfig,
    pub throttle: Throttle,
    pub(crate) guarded: Guarded,
    /// The review list's checks of returns, reused while a return's data is unchanged.
    pub(crate) review_cache: crate::access::ReviewCache,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// Binds the store to the framework and reads the org tree.
    pub async fn new(
        store: Arc<dyn Store>,
        framework: Framework,
        config: ServerConfig,
    ) -> Result<AppState, StoreError> {
        store.bind_framework(&framework).await?;
        let tree = OrgTree::new(store.org_units().await?);
        let rules = RuleSet::for_framework(&framework);
        Ok(AppState(Arc::new(Inner {
            framework,
            rules,
            tree,
            config,
            throttle: Throttle::default(),
            guarded: Guarded::new(store),
            review_cache: Default::default(),
        })))
    }

    /// Data access on behalf of a signed-in user (every call checks role and scope).
    pub fn access<'a>(&'a self, user: &'a Principal) -> Access<'a> {
        Access::new(self, user)
    }

    /// What anyone may see: published reports and the data behind them.
    pub fn public(&self) -> PublicAccess<'_> {
        PublicAccess::new(self)
    }
}
