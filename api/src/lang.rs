//! The language of messages people read: `Accept-Language` picks Simplified Chinese (the default:
//! residents and staff read Chinese) or English. API `detail` texts stay English; the per-field
//! and per-row `message`s follow the request's language.

use std::collections::BTreeMap;

tokio::task_local! {
    static LANG: Lang;
}

/// A language messages are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// 简体中文 (`zh-CN`, the default).
    #[default]
    Zh,
    /// English (`en`).
    En,
}

impl Lang {
    /// The first language of an `Accept-Language` value that we write, by quality; Chinese when
    /// none is (or the header is absent or malformed).
    pub fn negotiate(header: Option<&str>) -> Self {
        let Some(header) = header else {
            return Self::Zh;
        };
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let quality = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let lang = if tag == "en" || tag.starts_with("en-") {
                Lang::En
            } else if tag == "zh" || tag.starts_with("zh-") || tag == "*" {
                Lang::Zh
            } else {
                continue;
            };
            if quality > 0.0 && best.is_none_or(|(q, _)| quality > q) {
                best = Some((quality, lang));
            }
        }
        best.map_or(Self::Zh, |(_, lang)| lang)
    }

    /// The language of the request being served (Chinese outside a request).
    pub fn current() -> Self {
        LANG.try_with(|lang| *lang).unwrap_or_default()
    }

    /// Runs `future` with `self` as the request's language.
    pub async fn scope<F: Future>(self, future: F) -> F::Output {
        LANG.scope(self, future).await
    }

    /// `zh` or `en` by this language.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

/// A field error's stable code and its message in the request's language.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct FieldProblem {
    /// Stable snake_case code: `required`, `too_long`, `too_many`, `out_of_range`, `format`,
    /// `not_found`, `not_allowed`, `conflicting`, `unknown_field`, `invalid`.
    #[schema(example = "required")]
    pub code: String,
    /// What is wrong, in the language `Accept-Language` asked for (Chinese by default).
    #[schema(example = "必须填写")]
    pub message: String,
}

/// The code of an English field message, by the wording our validators use.
pub fn field_code(message: &str) -> &'static str {
    let m = message.to_ascii_lowercase();
    if m.contains("required") || m.contains("must not be empty") || m.starts_with("missing field") {
        "required"
    } else if m.contains("at most") && (m.contains("character") || m.contains("byte")) {
        "too_long"
    } else if m.contains("too many") || m.starts_with("at most") {
        "too_many"
    } else if m.starts_with("no such") || m.contains("not found") {
        "not_found"
    } else if m.starts_with("unknown field") || m.starts_with("unknown part") {
        "unknown_field"
    } else if m.starts_with("only") || m.contains("not allowed") || m.contains("have no") {
        "not_allowed"
    } else if m.contains("more than once") || m.contains("either") || m.contains("share") {
        "conflicting"
    } else if m.contains("between")
        || m.contains("before")
        || m.contains("later than")
        || m.contains("after")
        || m.contains("at least")
        || m.contains('–')
        || m.contains("in the past")
        || m.contains("in the future")
    {
        "out_of_range"
    } else if m.starts_with("must be") || m.contains("not a valid") || m.contains("invalid") {
        "format"
    } else {
        "invalid"
    }
}

/// The number in a message such as "at most 200 characters".
fn number_after(message: &str, word: &str) -> Option<String> {
    let rest = message.split_once(word)?.1.trim_start();
    let digits: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ',')
        .collect();
    (!digits.is_empty()).then_some(digits)
}

/// The message of `code` in Chinese; `en` is the validator's English message.
fn chinese(code: &str, en: &str) -> String {
    match code {
        "required" => "必须填写".to_owned(),
        "too_long" => number_after(en, "at most")
            .map_or_else(|| "内容太长".to_owned(), |n| format!("最多 {n} 个字")),
        "too_many" => number_after(en, "at most")
            .map_or_else(|| "数量超过上限".to_owned(), |n| format!("最多 {n} 个")),
        "not_found" => "找不到对应的记录，或不在您的管理范围内".to_owned(),
        "unknown_field" => "不认识的字段".to_owned(),
        "not_allowed" => "这里不能这样填写".to_owned(),
        "conflicting" => "与其他填写的内容冲突".to_owned(),
        "out_of_range" => "超出允许的范围".to_owned(),
        "format" => "格式不对".to_owned(),
        _ => "填写的内容不符合要求".to_owned(),
    }
}

/// Codes and messages in `lang` for English field errors.
pub fn field_problems(
    errors: &BTreeMap<String, String>,
    lang: Lang,
) -> BTreeMap<String, FieldProblem> {
    errors
        .iter()
        .map(|(field, en)| {
            let code = field_code(en);
            let message = match lang {
                Lang::Zh => chinese(code, en),
                Lang::En => en.clone(),
            };
            (
                field.clone(),
                FieldProblem {
                    code: code.to_owned(),
                    message,
                },
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiates_by_quality_and_defaults_to_chinese() {
        assert_eq!(Lang::negotiate(None), Lang::Zh);
        assert_eq!(Lang::negotiate(Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(Lang::negotiate(Some("zh-CN,zh;q=0.9,en;q=0.8")), Lang::Zh);
        assert_eq!(Lang::negotiate(Some("fr, en;q=0.5")), Lang::En);
        assert_eq!(Lang::negotiate(Some("fr")), Lang::Zh);
        assert_eq!(Lang::negotiate(Some("zh;q=0.2, en;q=0.7")), Lang::En);
        assert_eq!(Lang::negotiate(Some(";;;,q=x")), Lang::Zh);
    }

    #[test]
    fn codes_follow_the_wording_of_the_validators() {
        assert_eq!(field_code("is required"), "required");
        assert_eq!(field_code("a reason is required"), "required");
        assert_eq!(field_code("must be at most 200 characters"), "too_long");
        assert_eq!(field_code("at most 3 photos"), "too_many");
        assert_eq!(field_code("no such group"), "not_found");
        assert_eq!(field_code("must be 1–10,000"), "out_of_range");
        assert_eq!(field_code("must be HH:MM"), "format");
        assert_eq!(
            chinese("too_long", "must be at most 200 characters"),
            "最多 200 个字"
        );
    }
}
