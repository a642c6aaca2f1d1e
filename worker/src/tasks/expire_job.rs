//! Expires a published posting at its `valid_through`.

use entity::{messaging::tasks::ExpireJob, recruitment::job};
use sea_orm::DatabaseTransaction;

use super::Run;

impl Run for ExpireJob {
    async fn run(self, txn: &DatabaseTransaction) -> anyhow::Result<()> {
        job::expire_if_due(txn, self.job_id).await?;
        Ok(())
    }
}
