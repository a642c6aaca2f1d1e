//! How texts sent to residents read on each channel: short and plain. Every notice has a title
//! and a text written by its producer; each channel carries them within its own limit, cut with
//! "…" rather than refused, and a voice call reads a spoken form without symbols a speech engine
//! would read out or stumble on.

/// Longest title of a push notification or an inbox row, in characters (a phone's lock screen
/// shows about this much in one line).
pub const TITLE_MAX: usize = 20;
/// Longest text of a push notification (what a phone's notification shade shows expanded).
pub const PUSH_BODY_MAX: usize = 100;
/// Longest value of an SMS template variable (Aliyun's limit for a variable).
pub const SMS_VARIABLE_MAX: usize = 35;
/// Longest text read in one voice call (about 40 seconds, read twice).
pub const VOICE_MAX: usize = 150;

/// The channels a notice reaches residents by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// A push notification: title and text.
    Push,
    /// An SMS: the title in the approved template.
    Sms,
    /// A voice call: the spoken text.
    Voice,
}

impl Channel {
    /// The longest text this channel carries.
    pub fn limit(self) -> usize {
        match self {
            Self::Push => PUSH_BODY_MAX,
            Self::Sms => SMS_VARIABLE_MAX,
            Self::Voice => VOICE_MAX,
        }
    }
}

/// `text` cut to `max` characters, the last being "…" when anything was cut.
pub fn fit(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut short: String = text.chars().take(max.saturating_sub(1)).collect();
    short.push('…');
    short
}

/// What a voice call reads: a greeting, the title and the text, without quotation marks and
/// brackets, a colon read as a pause, within [`VOICE_MAX`].
pub fn spoken(title: &str, body: &str) -> String {
    let plain = |text: &str| -> String {
        text.chars()
            .filter(|c| {
                !matches!(
                    c,
                    '“' | '”' | '"' | '「' | '」' | '《' | '》' | '（' | '）' | '(' | ')'
                )
            })
            .map(|c| if matches!(c, ':' | '：') { '，' } else { c })
            .collect()
    };
    fit(
        &format!(
            "您好，这里是社区服务中心。{}。{}",
            plain(title),
            plain(body)
        ),
        VOICE_MAX,
    )
}

/// Why a text breaks the style rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StyleError {
    /// Longer than the channel carries.
    TooLong {
        /// The limit.
        max: usize,
        /// The text's length.
        len: usize,
    },
    /// Carries a web address or markup residents cannot use.
    NotPlain,
    /// No Chinese at all: residents read Simplified Chinese.
    NotChinese,
}

/// Checks that `text` is fit for `channel` as written: within its limit, plain (no links, no
/// markup), in Chinese. Producers' texts are tested against it; delivery still cuts to fit.
pub fn check(channel: Channel, text: &str) -> Result<(), StyleError> {
    let len = text.chars().count();
    if len > channel.limit() {
        return Err(StyleError::TooLong {
            max: channel.limit(),
            len,
        });
    }
    if text.contains("http") || text.contains('<') || text.contains('>') {
        return Err(StyleError::NotPlain);
    }
    if !text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) {
        return Err(StyleError::NotChinese);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_texts_are_cut_with_an_ellipsis() {
        assert_eq!(fit("候补成功", 20), "候补成功");
        let cut = fit(&"长".repeat(50), 20);
        assert_eq!(cut.chars().count(), 20);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn the_spoken_form_drops_symbols_and_fits_a_call() {
        let text = spoken(
            "候补成功",
            "您已从候补名单转为正式报名：“缝纫技能培训”，12月5日 09:00，地点：社区活动室。请准时参加。",
        );
        assert!(!text.contains('“') && !text.contains('：'), "{text}");
        assert!(text.starts_with("您好，这里是社区服务中心。候补成功。"));
        assert!(check(Channel::Voice, &text).is_ok());
        assert_eq!(
            spoken("通知", &"很长".repeat(200)).chars().count(),
            VOICE_MAX
        );
    }

    #[test]
    fn the_rule_refuses_long_linked_or_foreign_texts() {
        assert_eq!(
            check(Channel::Sms, &"字".repeat(36)),
            Err(StyleError::TooLong { max: 35, len: 36 })
        );
        assert_eq!(
            check(Channel::Push, "详情见 https://example.cn"),
            Err(StyleError::NotPlain)
        );
        assert_eq!(
            check(Channel::Push, "Seat offered"),
            Err(StyleError::NotChinese)
        );
        assert!(check(Channel::Sms, "候补成功").is_ok());
    }
}
