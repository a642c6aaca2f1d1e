//! Credits a claim when its publicity window closes (充值), unless an objection is open (staff
//! decide it; a dismissal credits then).

use entity::{claims, messaging::tasks::CreditClaim};
use sea_orm::DatabaseTransaction;

use super::Run;

impl Run for CreditClaim {
    async fn run(self, txn: &DatabaseTransaction) -> anyhow::Result<()> {
        let credited = claims::credit_due(txn, self.claim_id).await?;
        tracing::info!(claim_id = %self.claim_id, credited, "claim credit due");
        Ok(())
    }
}
