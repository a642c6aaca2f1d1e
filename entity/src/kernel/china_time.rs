//! China time (Asia/Shanghai): UTC+8 all year (no daylight saving since 1991). Stored times are
//! UTC; days, quiet hours and what residents read are China time. Every conversion goes
//! through here.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};

/// The offset of China time from UTC.
pub const OFFSET: Duration = Duration::hours(8);

/// `at` as China wall-clock time.
pub fn local(at: DateTime<Utc>) -> NaiveDateTime {
    (at + OFFSET).naive_utc()
}

/// The China date of `at`.
pub fn date_of(at: DateTime<Utc>) -> NaiveDate {
    local(at).date()
}

/// Today in China.
pub fn today() -> NaiveDate {
    date_of(Utc::now())
}

/// A China wall-clock time, in UTC.
pub fn to_utc(local: NaiveDateTime) -> DateTime<Utc> {
    DateTime::<Utc>::from_naive_utc_and_offset(local - OFFSET, Utc)
}

/// Midnight China time at the start of the China day of `at`, in UTC.
pub fn start_of_day(at: DateTime<Utc>) -> DateTime<Utc> {
    to_utc(date_of(at).and_time(chrono::NaiveTime::MIN))
}

/// `M月D日 HH:MM`, for notices.
pub fn notice(at: DateTime<Utc>) -> String {
    local(at).format("%-m月%-d日 %H:%M").to_string()
}

/// `2026年12月3日 15:00`: the date and time a WeChat subscription message's `time` field takes.
pub fn full(at: DateTime<Utc>) -> String {
    local(at).format("%Y年%-m月%-d日 %H:%M").to_string()
}

/// `YYYY-MM-DD HH:MM`, for printed sheets.
pub fn minutes(at: DateTime<Utc>) -> String {
    local(at).format("%Y-%m-%d %H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_show_china_time() {
        let at: DateTime<Utc> = "2026-12-01T01:30:00Z".parse().unwrap();
        assert_eq!(notice(at), "12月1日 09:30");
    }

    #[test]
    fn a_china_day_starts_at_16_utc_the_day_before() {
        let at: DateTime<Utc> = "2026-12-01T16:30:00Z".parse().unwrap();
        assert_eq!(date_of(at), NaiveDate::from_ymd_opt(2026, 12, 2).unwrap());
        assert_eq!(start_of_day(at).to_rfc3339(), "2026-12-01T16:00:00+00:00");
        let before: DateTime<Utc> = "2026-12-01T15:59:59Z".parse().unwrap();
        assert_eq!(
            date_of(before),
            NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
        );
        assert_eq!(notice(at), "12月2日 00:30");
        assert_eq!(minutes(at), "2026-12-02 00:30");
    }
}
