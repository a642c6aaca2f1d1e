//! Providers that only log what they would send, for embedded mode and development: nothing
//! leaves the machine, and every send succeeds.

use futures_util::future::BoxFuture;

use super::{
    ProviderError, PushMessage, PushProvider, PushReport, Sms, SmsProvider, Voice, VoiceProvider,
    jpush, mask_phone,
};

/// Logs pushes instead of sending them.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogPush;

impl PushProvider for LogPush {
    fn name(&self) -> &'static str {
        "log"
    }

    /// The same as JPush, so that batching behaves as in production.
    fn max_batch(&self) -> usize {
        jpush::MAX_BATCH
    }

    fn send<'a>(
        &'a self,
        message: &'a PushMessage,
        tokens: &'a [String],
    ) -> BoxFuture<'a, Result<PushReport, ProviderError>> {
        Box::pin(async move {
            tracing::info!(
                dedupe_key = %message.dedupe_key,
                devices = tokens.len(),
                urgent = message.urgent,
                "push not sent (log provider)"
            );
            Ok(PushReport::default())
        })
    }
}

/// Logs text messages instead of sending them.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogSms;

impl SmsProvider for LogSms {
    fn name(&self) -> &'static str {
        "log"
    }

    fn send<'a>(&'a self, sms: &'a Sms) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(async move {
            tracing::info!(
                dedupe_key = %sms.dedupe_key,
                phone = %mask_phone(&sms.phone),
                template = %sms.template_code,
                "SMS not sent (log provider)"
            );
            Ok(())
        })
    }
}

/// Logs voice calls instead of placing them.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogVoice;

impl VoiceProvider for LogVoice {
    fn name(&self) -> &'static str {
        "log"
    }

    fn send<'a>(&'a self, voice: &'a Voice) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(async move {
            tracing::info!(
                dedupe_key = %voice.dedupe_key,
                phone = %mask_phone(&voice.phone),
                "voice call not placed (log provider)"
            );
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn log_providers_always_succeed_and_are_usable_as_trait_objects() {
        let push: Box<dyn PushProvider> = Box::new(LogPush);
        let sms: Box<dyn SmsProvider> = Box::new(LogSms);
        let message = PushMessage {
            dedupe_key: "k".into(),
            title: "t".into(),
            body: "b".into(),
            urgent: false,
            link: None,
        };
        let report = push.send(&message, &["a".into(), "b".into()]).await;
        assert_eq!(report, Ok(PushReport::default()));
        let text = Sms {
            dedupe_key: "k".into(),
            phone: "13812345678".into(),
            template_code: "SMS_1".into(),
            params: serde_json::json!({ "name": "张三" }),
        };
        assert_eq!(sms.send(&text).await, Ok(()));
        assert_eq!(
            (push.name(), push.max_batch(), sms.name()),
            ("log", 1000, "log")
        );
    }
}
