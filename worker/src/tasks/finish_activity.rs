//! Attendance at an activity's end: those with a seat who did not check in are no-shows.

use entity::{activities, messaging::tasks::FinishActivity};
use sea_orm::DatabaseTransaction;

use super::Run;

impl Run for FinishActivity {
    async fn run(self, txn: &DatabaseTransaction) -> anyhow::Result<()> {
        let no_shows = activities::finish(txn, self.activity_id).await?;
        tracing::info!(activity_id = %self.activity_id, no_shows, "activity finished");
        Ok(())
    }
}
