//! Who is calling: access tokens, the principal extractor, password work off the async threads,
//! and rate limits on login and activation.

pub mod jwt;
pub mod principal;
pub mod rate_limit;

use std::sync::Arc;

use entity::identity::password::{self, Password};
use tokio::sync::Semaphore;

use crate::error::ApiError;

pub use principal::Principal;

/// Runs argon2 on the blocking pool, at most one hash per core at a time, so that a burst of
/// logins queues here instead of starving every other request of CPU.
#[derive(Clone)]
pub struct PasswordWork {
    permits: Arc<Semaphore>,
}

impl Default for PasswordWork {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self {
            permits: Arc::new(Semaphore::new(cores)),
        }
    }
}

impl PasswordWork {
    /// Hashes a password that passed the policy.
    pub async fn hash(&self, password: Password) -> Result<String, ApiError> {
        let _permit = self.permit().await?;
        tokio::task::spawn_blocking(move || password::hash(&password))
            .await
            .map_err(|e| ApiError::Internal(e.into()))?
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("hashing failed: {e}")))
    }

    /// Checks a password against a stored hash (or the dummy hash when there is no account, so
    /// that the answer takes as long either way).
    pub async fn verify(&self, candidate: String, phc: Option<String>) -> Result<bool, ApiError> {
        let _permit = self.permit().await?;
        tokio::task::spawn_blocking(move || {
            let known = phc.is_some();
            let phc = phc.unwrap_or_else(|| password::dummy_hash().to_owned());
            password::verify(&candidate, &phc) && known
        })
        .await
        .map_err(|e| ApiError::Internal(e.into()))
    }

    async fn permit(&self) -> Result<tokio::sync::SemaphorePermit<'_>, ApiError> {
        self.permits
            .acquire()
            .await
            .map_err(|e| ApiError::Internal(e.into()))
    }
}
