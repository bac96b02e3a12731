//! Retry step: throttling (429), unavailability (503, 504) and connection failures.

use std::time::{Duration, SystemTime};

use http::{HeaderMap, StatusCode};

/// Header telling the service which retry this is (Graph SDK convention).
pub(crate) const RETRY_ATTEMPT: &str = "retry-attempt";

/// Retry settings in force for one call.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RetryPolicy {
    pub(crate) max_retries: u32,
    pub(crate) max_total_delay: Duration,
    pub(crate) backoff_base: Duration,
}

/// Statuses of every attempt, attached to the final response when the call was retried.
#[derive(Clone, Debug)]
pub(crate) struct RetryHistory(pub(crate) Vec<StatusCode>);

/// Methods that may be sent twice with the effect of sending once (RFC 9110 §9.2.2); the
/// others (POST, PATCH) are retried only when the service provably did not act.
pub(crate) fn is_idempotent(method: &http::Method) -> bool {
    matches!(
        *method,
        http::Method::GET | http::Method::HEAD | http::Method::PUT | http::Method::DELETE | http::Method::OPTIONS
    )
}

pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 503 | 504)
}

/// Parses `Retry-After` as delta-seconds or an HTTP-date. A date in the past means "now".
/// Returns `None` for anything else, in which case the caller falls back to backoff.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    if value.bytes().all(|b| b.is_ascii_digit()) {
        // Too many digits for u64 is still "a very long time": never retry within the cap.
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(http::header::RETRY_AFTER)?.to_str().ok()?;
    parse_retry_after(value, SystemTime::now())
}

/// Exponential backoff (`base · 2^(retry-1)`) with ±20 % jitter so that many clients
/// throttled at once do not come back in lockstep.
pub(crate) fn backoff(base: Duration, retry: u32) -> Duration {
    let exponential = base.saturating_mul(1u32 << retry.saturating_sub(1).min(16));
    let factor: f64 = rand::random_range(0.8..=1.2);
    Duration::try_from_secs_f64(exponential.as_secs_f64() * factor).unwrap_or(exponential)
}

impl RetryPolicy {
    /// The retry step's decision (the step itself runs in
    /// [`Builtins`](crate::pipeline::Builtins)): the delay before retry number `retry`, or
    /// `None` when the budget forbids it.
    pub(crate) fn delay(&self, retry: u32, waited: Duration, server_delay: Option<Duration>) -> Option<Duration> {
        if retry > self.max_retries {
            return None;
        }
        let delay = server_delay.unwrap_or_else(|| backoff(self.backoff_base, retry));
        // A delay that would overrun the total cap ends the retries now rather than sleeping
        // only to give up later.
        (waited.saturating_add(delay) <= self.max_total_delay).then_some(delay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_seconds() {
        let now = SystemTime::now();
        assert_eq!(parse_retry_after("0", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after("99999999999999999999999", now), Some(Duration::from_secs(u64::MAX)));
    }

    #[test]
    fn retry_after_http_date() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:39 GMT", now), Some(Duration::from_secs(2)));
        // Dates in the past mean "retry now".
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now), Some(Duration::ZERO));
        // Obsolete RFC 850 and asctime forms are accepted too.
        assert_eq!(parse_retry_after("Sunday, 06-Nov-94 08:49:40 GMT", now), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("Sun Nov  6 08:49:41 1994", now), Some(Duration::from_secs(4)));
    }

    #[test]
    fn retry_after_garbage_falls_back() {
        let now = SystemTime::now();
        for value in ["", "-1", "1.5", "soon", "Sun, 99 Nov 1994 08:49:37 GMT"] {
            assert_eq!(parse_retry_after(value, now), None, "{value}");
        }
    }

    #[test]
    fn backoff_grows_with_jitter_and_never_overflows() {
        let base = Duration::from_millis(100);
        for retry in 1..=5u32 {
            let nominal = base.as_secs_f64() * f64::from(1u32 << (retry - 1));
            let got = backoff(base, retry).as_secs_f64();
            assert!(got >= nominal * 0.79 && got <= nominal * 1.21, "{retry}: {got}");
        }
        let _ = backoff(Duration::MAX, 40);
    }

    #[test]
    fn delay_respects_retry_count_and_total_cap() {
        let retry = RetryPolicy {
            max_retries: 2,
            max_total_delay: Duration::from_secs(10),
            backoff_base: Duration::from_millis(1),
        };
        assert_eq!(retry.delay(1, Duration::ZERO, Some(Duration::from_secs(4))), Some(Duration::from_secs(4)));
        assert_eq!(retry.delay(2, Duration::from_secs(4), Some(Duration::from_secs(7))), None);
        assert_eq!(retry.delay(3, Duration::ZERO, Some(Duration::ZERO)), None);
    }
}
