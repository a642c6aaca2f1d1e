//! The delivery providers against local servers that speak each provider's protocol.

// Test helpers outside #[test] functions may panic too.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod aliyun_sms;
mod fake;
mod getui;
mod jpush;

use std::time::Duration;

use worker::delivery::RetryPolicy;

/// Retries without waiting long.
fn quick_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
    }
}
