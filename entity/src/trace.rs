//! What a piece of work was caused by: the request id (and W3C trace context) of the HTTP request
//! that started it, and the account that made it. The api sets it for each request; the outbox
//! row records it; it travels in the message to the worker, which sets it again around the
//! handler, so the deliveries a handler writes carry it too. One search for a request id then
//! finds the api's log line, the outbox row, the worker's log lines and every delivery it caused.
//!
//! It is a task-local value: domain functions record it without knowing about HTTP or AMQP.

use std::{cell::RefCell, future::Future};

use uuid::Uuid;

use crate::crypto::hex;

/// The cause of the current work.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trace {
    /// The request id (`X-Request-Id`, the client's or ours).
    pub request_id: Option<String>,
    /// The W3C `traceparent` of the request (`00-<trace id>-<span id>-<flags>`), when the client
    /// sent a valid one; otherwise the trace id is derived from the request id.
    pub traceparent: Option<String>,
    /// The account acting, once the caller is known.
    pub actor: Option<Uuid>,
    /// Database statements run for this work so far (every connection of [`crate::Db`] counts
    /// them here), so a request's log line shows an N+1 query at once.
    pub statements: u32,
}

tokio::task_local! {
    static CURRENT: RefCell<Trace>;
}

/// Runs `work` with `trace` as its cause.
pub async fn scope<F: Future>(trace: Trace, work: F) -> F::Output {
    CURRENT.scope(RefCell::new(trace), work).await
}

/// Runs `work` with `trace` as its cause, and returns what the trace became (the acting account,
/// the statements counted).
pub async fn scope_reporting<F: Future>(trace: Trace, work: F) -> (F::Output, Trace) {
    CURRENT
        .scope(RefCell::new(trace), async {
            let output = work.await;
            let trace = CURRENT.with(|t| t.borrow().clone());
            (output, trace)
        })
        .await
}

/// Counts one database statement against the current work (outside any work: nothing).
pub fn count_statement() {
    let _ = CURRENT.try_with(|t| {
        if let Ok(mut t) = t.try_borrow_mut() {
            t.statements = t.statements.saturating_add(1);
        }
    });
}

/// The cause of the current work, if it has one.
pub fn current() -> Option<Trace> {
    CURRENT.try_with(|t| t.borrow().clone()).ok()
}

/// Records the acting account (the principal extractor calls it).
pub fn set_actor(account: Uuid) {
    let _ = CURRENT.try_with(|t| t.borrow_mut().actor = Some(account));
}

/// A valid W3C `traceparent` header value (version 00, non-zero ids), normalised to lower case.
pub fn parse_traceparent(value: &str) -> Option<String> {
    let value = value.trim().to_ascii_lowercase();
    let parts: Vec<&str> = value.split('-').collect();
    let hex = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_hexdigit());
    match parts.as_slice() {
        [version, trace, span, flags]
            if *version == "00"
                && hex(trace, 32)
                && hex(span, 16)
                && hex(flags, 2)
                && trace.bytes().any(|b| b != b'0')
                && span.bytes().any(|b| b != b'0') =>
        {
            Some(value)
        }
        _ => None,
    }
}

impl Trace {
    /// The `traceparent` for work this trace causes (an outbox row, a message): the request's
    /// trace id (the client's, else the request id when it is a UUID, else a fresh one) and a
    /// new span id.
    pub fn child_traceparent(&self) -> String {
        let (trace_id, flags) = match &self.traceparent {
            Some(parent) => (parent[3..35].to_owned(), parent[53..55].to_owned()),
            None => {
                let from_request = self
                    .request_id
                    .as_deref()
                    .and_then(|id| Uuid::parse_str(id).ok())
                    .filter(|u| !u.is_nil())
                    .map(|u| u.simple().to_string());
                (
                    from_request.unwrap_or_else(|| hex(&random::<16>())),
                    "01".to_owned(),
                )
            }
        };
        format!("00-{trace_id}-{}-{flags}", hex(&random::<8>()))
    }
}

fn random<const N: usize>() -> [u8; N] {
    // A span id need not be secret; if the OS has no randomness, a time-based one will do.
    crate::crypto::random_bytes::<N>().unwrap_or_else(|_| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos());
        let mut out = [1u8; N];
        for (i, b) in nanos.to_le_bytes().iter().take(N).enumerate() {
            out[i] = *b | 1;
        }
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traceparents_are_checked_and_continued() {
        let parent = "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01";
        let ok = parse_traceparent(parent).unwrap();
        assert_eq!(ok, parent.to_ascii_lowercase());
        for bad in [
            "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
            "garbage",
        ] {
            assert_eq!(parse_traceparent(bad), None, "{bad}");
        }
        let child = Trace {
            traceparent: Some(ok),
            ..Trace::default()
        }
        .child_traceparent();
        assert!(
            child.starts_with("00-4bf92f3577b34da6a3ce929d0e0e4736-"),
            "{child}"
        );
        assert!(parse_traceparent(&child).is_some());
        assert!(!child.contains("00f067aa0ba902b7"), "a new span");
        let from_request = Trace {
            request_id: Some("0193a3f0-7c1e-7d4a-9b2e-3f4a5b6c7d8e".into()),
            ..Trace::default()
        }
        .child_traceparent();
        assert!(
            from_request.starts_with("00-0193a3f07c1e7d4a9b2e3f4a5b6c7d8e-"),
            "{from_request}"
        );
    }

    #[tokio::test]
    async fn the_trace_is_there_inside_its_scope_only() {
        assert_eq!(current(), None);
        let trace = Trace {
            request_id: Some("r-1".into()),
            ..Trace::default()
        };
        scope(trace, async {
            set_actor(Uuid::nil());
            let now = current().unwrap();
            assert_eq!(now.request_id.as_deref(), Some("r-1"));
            assert_eq!(now.actor, Some(Uuid::nil()));
        })
        .await;
        assert_eq!(current(), None);
    }
}
