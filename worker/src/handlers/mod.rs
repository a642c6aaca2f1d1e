//! The consumer groups: each handler is a plain async function over a transaction and an event,
//! registered once in [`ALL`]. RabbitMQ gives each group its own queue (bound to the routing keys
//! in `binds`); embedded mode calls the same functions in-process.

/// Declares a module's consumer group as `HANDLER`: bound to the routing key `$binds`, it runs
/// `$work(txn, message_id, &payload)` for each `Event::$variant`; `ordered` as [`Handler`] says.
macro_rules! consumer_group {
    (
        $(#[$doc:meta])*
        group: $group:literal, binds: $binds:literal, ordered: $ordered:literal,
        on: $variant:ident => $work:ident
    ) => {
        $(#[$doc])*
        pub const HANDLER: $crate::handlers::Handler = $crate::handlers::Handler {
            group: $group,
            binds: &[$binds],
            ordered: $ordered,
            run,
        };

        fn run<'a>(
            txn: &'a sea_orm::DatabaseTransaction,
            envelope: &'a entity::messaging::Envelope,
        ) -> $crate::handlers::HandlerFuture<'a> {
            Box::pin(async move {
                match &envelope.event {
                    entity::messaging::Event::$variant(payload) => {
                        $work(txn, envelope.id, payload).await
                    }
                    _ => Ok(()),
                }
            })
        }
    };
}

pub mod delivery;
pub mod employer_inbox;
pub mod inbox;
pub mod matching;
pub mod partner_sync;

use std::{future::Future, pin::Pin};

use entity::messaging::Envelope;
use sea_orm::DatabaseTransaction;

/// A handler's future.
pub type HandlerFuture<'a> = Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send + 'a>>;

/// One consumer group.
pub struct Handler {
    /// The group's name (its queue is `<namespace>.<group>`).
    pub group: &'static str,
    /// Routing keys (event names) it consumes.
    pub binds: &'static [&'static str],
    /// Messages are handled one at a time, in the order they were recorded: RabbitMQ gives the
    /// queue a single active consumer across all workers, and that consumer awaits each message
    /// before the next (embedded mode is in order anyway). For handlers whose effects must keep
    /// the events' order; the others run a prefetch's worth at once.
    pub ordered: bool,
    /// The work, inside the transaction that also records the message as processed.
    pub run: for<'a> fn(&'a DatabaseTransaction, &'a Envelope) -> HandlerFuture<'a>,
}

/// Every consumer group.
pub static ALL: &[Handler] = &[
    inbox::HANDLER,
    delivery::HANDLER,
    matching::HANDLER,
    employer_inbox::HANDLER,
    partner_sync::HANDLER,
];

/// The handlers bound to an event name.
pub fn for_event(name: &str) -> impl Iterator<Item = &'static Handler> + '_ {
    ALL.iter().filter(move |h| h.binds.contains(&name))
}
