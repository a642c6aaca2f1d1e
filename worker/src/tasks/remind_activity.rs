//! Reminders 24 h and 2 h before an activity starts, to everyone with a seat.

use entity::{activities, messaging::tasks::RemindActivity};
use sea_orm::DatabaseTransaction;

use super::Run;

impl Run for RemindActivity {
    async fn run(self, txn: &DatabaseTransaction) -> anyhow::Result<()> {
        let told = activities::remind(txn, self.activity_id, self.hours, self.starts_at).await?;
        tracing::info!(activity_id = %self.activity_id, hours = self.hours, told, "activity reminder");
        Ok(())
    }
}
