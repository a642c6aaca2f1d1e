//! Where Anju's settings come from, for every binary alike (`api`, `worker`, `migration`):
//! an optional `anju.toml` in the working directory (or the file named by `ANJU_CONFIG`), then
//! the environment: `ANJU_<KEY>` for every key, and `DATABASE_URL` and `AMQP_URL` as the
//! conventional names of those two.
//!
//! Environment values are taken **as written**, as strings: an all-digit phone number, a
//! numeric-looking password or a key stays the text it is (figment's own environment provider
//! guesses types, so `ANJU_BOOTSTRAP_ADMIN_PHONE=13800000000` became a number and stopped the
//! api). Settings that are numbers or booleans are read from those strings when extracted
//! (`Figment::extract_lossy`). The one map-valued key, `object_store_options`, is read in
//! figment's dictionary syntax (`{endpoint="…", allow_http="true"}`).

use figment::{
    Error, Figment, Metadata, Profile, Provider,
    providers::{Format, Toml},
    value::{Dict, Map, Value},
};

/// Secrets that were published with Anju (in `docker-compose.yml`, `.env.example` and the
/// README): anyone can read them, so a deployment must not run with them.
const PUBLISHED_SECRETS: &[&str] = &[
    "q0+7wO1b9XCXqXo1O2s0b8m0mRkLr9Qm0E3I1Z5y4xg=",
    "Hk1I6mC1l2J0k7mZ0x2r9pZ6cQ3a8b5d4e7f1g2h3i0=",
    "anju:secret@",
];

/// Whether `value` is, or contains, a secret published with Anju (the examples say `change-me`).
pub fn is_published_example(value: &str) -> bool {
    value.to_ascii_lowercase().contains("change-me")
        || PUBLISHED_SECRETS.iter().any(|p| value.contains(p))
}

/// `ANJU_` variables that are not settings (read elsewhere).
pub const NOT_SETTINGS: &[&str] = &["config", "require_services"];

/// Keys whose environment value is a dictionary in figment's syntax.
const DICTIONARIES: &[&str] = &["object_store_options"];

/// The configuration file in force: `ANJU_CONFIG`, or `anju.toml` in the working directory.
pub fn config_file() -> String {
    std::env::var("ANJU_CONFIG").unwrap_or_else(|_| "anju.toml".to_owned())
}

/// The file, then the environment: merge built-in defaults under this, then extract with
/// `extract_lossy`.
pub fn sources() -> Figment {
    Figment::new()
        .merge(Toml::file(config_file()))
        .merge(Environment)
}

/// The keys a settings struct reads: the field names serde's derive hands to the deserializer
/// (fields marked `#[serde(skip)]` are not among them).
pub fn keys<'de, T: serde::Deserialize<'de>>() -> &'static [&'static str] {
    /// A deserializer that only notes the field list of the struct asked of it.
    struct Fields<'a>(&'a mut &'static [&'static str]);

    impl<'de> serde::Deserializer<'de> for Fields<'_> {
        type Error = serde::de::value::Error;

        fn deserialize_any<V: serde::de::Visitor<'de>>(
            self,
            _: V,
        ) -> Result<V::Value, Self::Error> {
            Err(serde::de::Error::custom("not a struct"))
        }

        fn deserialize_struct<V: serde::de::Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            *self.0 = fields;
            Err(serde::de::Error::custom("fields noted"))
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
            ignored_any
        }
    }

    let mut fields: &'static [&'static str] = &[];
    // The error is the point: deserialization stops once the field list is noted.
    let _ = T::deserialize(Fields(&mut fields));
    fields
}

/// Refuses a key given in `sources` (the file or the environment) that no process reads:
/// `known` holds the keys of every process that reads the same file and environment, so one
/// `anju.toml` and one environment serve them all while a misspelt key is still named.
pub fn refuse_unknown(sources: &Figment, known: &[&[&str]]) -> Result<(), String> {
    let data = sources.data().map_err(|e| e.to_string())?;
    let mut unknown: Vec<&str> = data
        .values()
        .flat_map(|dict| dict.keys())
        .map(String::as_str)
        .filter(|key| !known.iter().any(|keys| keys.contains(key)))
        .collect();
    unknown.sort_unstable();
    unknown.dedup();
    match unknown.as_slice() {
        [] => Ok(()),
        keys => Err(format!(
            "unknown setting(s) `{}` (see the README's configuration table)",
            keys.join("`, `")
        )),
    }
}

/// Settings from the environment, every value a string (or, for [`DICTIONARIES`], a dictionary).
pub struct Environment;

impl Provider for Environment {
    fn metadata(&self) -> Metadata {
        Metadata::named("environment variable(s)")
    }

    fn data(&self) -> Result<Map<Profile, Dict>, Error> {
        let mut prefixed = Dict::new();
        let mut conventional = Dict::new();
        for (name, value) in std::env::vars_os() {
            let Some(name) = name.to_str() else {
                continue;
            };
            let (key, into) = if let Some(key) = name.strip_prefix("ANJU_") {
                (key.to_ascii_lowercase(), &mut prefixed)
            } else if matches!(name, "DATABASE_URL" | "AMQP_URL") {
                (name.to_ascii_lowercase(), &mut conventional)
            } else {
                continue;
            };
            if key.is_empty() || NOT_SETTINGS.contains(&key.as_str()) {
                continue;
            }
            let value = value.into_string().map_err(|_| {
                Error::from(format!("environment variable {name} is not valid UTF-8"))
            })?;
            let value = if DICTIONARIES.contains(&key.as_str()) {
                value
                    .parse::<Value>()
                    .unwrap_or_else(|never| match never {})
            } else {
                Value::from(value)
            };
            into.insert(key, value);
        }
        // `DATABASE_URL` and `AMQP_URL` win over their `ANJU_` forms, as they always did.
        prefixed.extend(conventional);
        Ok(Profile::Default.collect(prefixed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use figment::Jail;

    #[derive(Debug, serde::Deserialize)]
    struct Sample {
        phone: String,
        password: String,
        count: u32,
        flag: bool,
        #[serde(default)]
        object_store_options: std::collections::BTreeMap<String, String>,
        database_url: Option<String>,
    }

    #[test]
    fn keys_are_the_fields_serde_reads() {
        #[derive(serde::Deserialize)]
        #[expect(dead_code, reason = "only the field names are read")]
        struct Two {
            listen: String,
            #[serde(skip)]
            derived: u8,
            body_limit: usize,
        }
        assert_eq!(keys::<Two>(), ["listen", "body_limit"]);
        assert_eq!(keys::<Sample>().len(), 6);
    }

    #[test]
    #[expect(
        clippy::result_large_err,
        reason = "figment's Jail closures return figment::Error"
    )]
    fn keys_no_process_reads_are_named() {
        Jail::expect_with(|jail| {
            jail.create_file("anju.toml", "lisen = \"x\"\nphone = \"1\"\n")?;
            jail.set_env("ANJU_DATABSE_URL", "x");
            jail.set_env("ANJU_PASSWORD", "x");
            let err = refuse_unknown(&sources(), &[&["phone"], &["password"]]).unwrap_err();
            assert!(err.contains("`databse_url`, `lisen`"), "{err}");
            assert!(!err.contains("phone") && !err.contains("password"), "{err}");
            Ok(())
        });
        Jail::expect_with(|jail| {
            jail.set_env("ANJU_PHONE", "1");
            refuse_unknown(&sources(), &[&["phone"]]).unwrap();
            Ok(())
        });
    }

    #[test]
    #[expect(
        clippy::result_large_err,
        reason = "figment's Jail closures return figment::Error"
    )]
    fn environment_values_stay_as_written() {
        Jail::expect_with(|jail| {
            jail.set_env("ANJU_PHONE", "13800000000");
            jail.set_env("ANJU_PASSWORD", "00123456");
            jail.set_env("ANJU_COUNT", "42");
            jail.set_env("ANJU_FLAG", "true");
            jail.set_env(
                "ANJU_OBJECT_STORE_OPTIONS",
                "{endpoint=\"http://minio:9000\", allow_http=\"true\"}",
            );
            jail.set_env("ANJU_DATABASE_URL", "postgres://a");
            jail.set_env("DATABASE_URL", "postgres://b");
            jail.set_env("ANJU_REQUIRE_SERVICES", "1");
            let s: Sample = sources().extract_lossy().unwrap();
            assert_eq!(s.phone, "13800000000");
            assert_eq!(s.password, "00123456");
            assert_eq!((s.count, s.flag), (42, true));
            assert_eq!(s.object_store_options["endpoint"], "http://minio:9000");
            assert_eq!(s.database_url.as_deref(), Some("postgres://b"));
            Ok(())
        });
    }
}
