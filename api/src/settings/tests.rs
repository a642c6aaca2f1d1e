//! The api's settings as operators give them: defaults, `anju.toml`, the environment.

#![expect(
    clippy::result_large_err,
    reason = "figment's Jail closures return figment::Error"
)]

use figment::Jail;

use super::*;

#[test]
fn defaults_need_no_configuration() {
    Jail::expect_with(|_| {
        let s = Settings::load().unwrap();
        assert_eq!(s.listen, "127.0.0.1:8080");
        assert_eq!(s.body_limit, 262_144);
        assert!(s.worker.amqp_url.is_none());
        Ok(())
    });
}

#[test]
fn file_then_environment_override_defaults() {
    Jail::expect_with(|jail| {
        jail.create_file(
            "anju.toml",
            "listen = \"0.0.0.0:9000\"\nbody_limit = 4096\n",
        )?;
        jail.set_env("ANJU_BODY_LIMIT", "8192");
        jail.set_env("DATABASE_URL", "postgres://anju:hunter2@db/anju");
        jail.set_env("ANJU_REQUIRE_SERVICES", "1");
        let s = Settings::load().unwrap();
        assert_eq!(s.listen, "0.0.0.0:9000");
        assert_eq!(s.body_limit, 8192);
        assert_eq!(
            s.worker.database_url().expose(),
            "postgres://anju:hunter2@db/anju"
        );
        assert!(
            !format!("{s:?}").contains("hunter2"),
            "secrets leak through Debug"
        );
        Ok(())
    });
}

#[test]
fn unknown_keys_are_named_and_the_workers_accepted() {
    for (file, named) in [
        ("lisen = \"0.0.0.0:9000\"\n", Some("lisen")),
        ("amqp_prefetch = 4\nbody_limit = 4096\n", None),
    ] {
        Jail::expect_with(|jail| {
            jail.create_file("anju.toml", file)?;
            match (Settings::load(), named) {
                (Err(err), Some(key)) => assert!(err.to_string().contains(key), "{err}"),
                (Ok(s), None) => assert_eq!(s.worker.amqp_prefetch, 4),
                (outcome, _) => panic!("{file}: {outcome:?}"),
            }
            Ok(())
        });
    }
}

#[test]
fn the_worker_accepts_exactly_the_api_keys() {
    assert_eq!(anju_config::keys::<Settings>(), worker::settings::API_KEYS);
}

#[test]
fn trusted_proxies_are_networks() {
    Jail::expect_with(|jail| {
        jail.set_env("ANJU_TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.7,fd00::/8");
        let s = Settings::load().unwrap();
        let ip = |t: &str| t.parse::<std::net::IpAddr>().unwrap();
        assert!(s.trusted_proxies.contains(ip("10.1.2.3")));
        assert!(s.trusted_proxies.contains(ip("::ffff:10.1.2.3")));
        assert!(s.trusted_proxies.contains(ip("192.168.1.7")));
        assert!(!s.trusted_proxies.contains(ip("192.168.1.8")));
        assert!(s.trusted_proxies.contains(ip("fd12::1")));
        assert!(!s.trusted_proxies.contains(ip("2001:db8::1")));
        Ok(())
    });
    Jail::expect_with(|jail| {
        jail.create_file("anju.toml", "trusted_proxies = [\"127.0.0.1\", \"::1\"]\n")?;
        let s = Settings::load().unwrap();
        assert!(s.trusted_proxies.contains("::1".parse().unwrap()));
        Ok(())
    });
    Jail::expect_with(|jail| {
        jail.set_env("ANJU_TRUSTED_PROXIES", "10.0.0.0/33");
        let err = Settings::load().unwrap_err().to_string();
        assert!(err.contains("10.0.0.0/33"), "{err}");
        Ok(())
    });
}

/// The keys of the README's configuration table.
fn documented_keys() -> Vec<String> {
    let readme = include_str!("../../../README.md");
    let section = readme
        .split("## Configuration")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .unwrap();
    section
        .lines()
        .filter(|l| l.starts_with("| `"))
        .flat_map(|l| {
            l.split('|')
                .nth(1)
                .unwrap()
                .split(',')
                .map(|k| k.trim().trim_matches('`').to_owned())
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn every_documented_setting_can_be_given_by_environment() {
    // A value for each key (all digits wherever the setting is text), and how to see it took.
    type Check = fn(&Settings) -> bool;
    let samples: Vec<(&str, &str, Check)> = vec![
        ("listen", "127.0.0.1:18080", |s| {
            s.listen == "127.0.0.1:18080"
        }),
        ("worker_listen", "127.0.0.1:18090", |s| {
            s.worker.worker_listen == "127.0.0.1:18090"
        }),
        ("data_dir", "20261202", |s| {
            s.worker.data_dir == std::path::Path::new("20261202")
        }),
        ("database_url", "postgres://anju:12345678@db/anju", |s| {
            s.worker.database_url().expose() == "postgres://anju:12345678@db/anju"
        }),
        ("amqp_url", "amqp://anju:12345678@mq:5672/%2f", |s| {
            s.worker
                .amqp_url
                .as_ref()
                .is_some_and(|u| u.expose() == "amqp://anju:12345678@mq:5672/%2f")
        }),
        ("migrate_on_start", "false", |s| !s.migrate_on_start),
        ("db_max_connections", "7", |s| {
            s.worker.db_max_connections == 7
        }),
        ("body_limit", "65536", |s| s.body_limit == 65536),
        ("http_workers", "3", |s| s.http_workers == Some(3)),
        ("shutdown_timeout_secs", "9", |s| {
            s.shutdown_timeout_secs == 9
        }),
        ("log_level", "debug", |s| s.worker.log_level == "debug"),
        ("log_format", "json", |s| {
            s.worker.log_format == worker::settings::LogFormat::Json
        }),
        (
            "jwt_keys",
            "2026:MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI=",
            |s| {
                s.jwt_keys.as_ref().is_some_and(|k| {
                    k.expose() == "2026:MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI="
                })
            },
        ),
        (
            "pii_key",
            "MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI=",
            |s| {
                s.worker
                    .pii_key
                    .as_ref()
                    .is_some_and(|k| k.expose() == "MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI=")
            },
        ),
        ("bootstrap_admin_phone", "13800000000", |s| {
            s.bootstrap_admin_phone.as_deref() == Some("13800000000")
        }),
        ("bootstrap_admin_password", "0012345678", |s| {
            s.bootstrap_admin_password
                .as_ref()
                .is_some_and(|p| p.expose() == "0012345678")
        }),
        ("trusted_proxies", "10.0.0.1", |s| {
            s.trusted_proxies.contains("10.0.0.1".parse().unwrap())
        }),
        ("attempts_per_phone_per_minute", "6", |s| {
            s.attempts_per_phone_per_minute == 6
        }),
        ("attempts_per_address_per_minute", "31", |s| {
            s.attempts_per_address_per_minute == 31
        }),
        ("sheet_link_seconds", "120", |s| s.sheet_link_seconds == 120),
        ("image_link_seconds", "90", |s| s.image_link_seconds == 90),
        ("cors_origins", "https://h5.example.cn", |s| {
            !s.cors_origins.is_empty()
        }),
        ("sms_codes_per_phone_per_day", "11", |s| {
            s.sms_codes_per_phone_per_day == 11
        }),
        ("sms_codes_per_address_per_hour", "21", |s| {
            s.sms_codes_per_address_per_hour == 21
        }),
        ("metrics_listen", "127.0.0.1:19464", |s| {
            s.metrics_listen.as_deref() == Some("127.0.0.1:19464")
        }),
        ("metrics_token", "1234567890123456", |s| {
            s.metrics_token
                .as_ref()
                .is_some_and(|t| t.expose() == "1234567890123456")
        }),
        ("amqp_namespace", "2026", |s| {
            s.worker.amqp_namespace == "2026"
        }),
        ("amqp_prefetch", "8", |s| s.worker.amqp_prefetch == 8),
        ("amqp_delivery_limit", "4", |s| {
            s.worker.amqp_delivery_limit == 4
        }),
        ("push_provider", "log", |s| s.worker.push_provider == "log"),
        ("jpush_app_key", "123456789012", |s| {
            s.worker.jpush_app_key.as_deref() == Some("123456789012")
        }),
        ("jpush_master_secret", "123456789012", |s| {
            s.worker
                .jpush_master_secret
                .as_ref()
                .is_some_and(|k| k.expose() == "123456789012")
        }),
        ("jpush_base_url", "http://127.0.0.1:1", |s| {
            s.worker.jpush_base_url.as_deref() == Some("http://127.0.0.1:1")
        }),
        ("jpush_apns_production", "false", |s| {
            !s.worker.jpush_apns_production
        }),
        ("getui_app_id", "20261202", |s| {
            s.worker.getui_app_id.as_deref() == Some("20261202")
        }),
        ("getui_app_key", "123456", |s| {
            s.worker.getui_app_key.as_deref() == Some("123456")
        }),
        ("getui_master_secret", "123456789012", |s| {
            s.worker
                .getui_master_secret
                .as_ref()
                .is_some_and(|k| k.expose() == "123456789012")
        }),
        ("getui_base_url", "http://127.0.0.1:3", |s| {
            s.worker.getui_base_url.as_deref() == Some("http://127.0.0.1:3")
        }),
        ("push_huawei_category", "2026", |s| {
            s.worker.push_huawei_category.as_deref() == Some("2026")
        }),
        ("push_xiaomi_channel_id", "131313", |s| {
            s.worker.push_xiaomi_channel_id.as_deref() == Some("131313")
        }),
        ("push_oppo_channel_id", "2027", |s| {
            s.worker.push_oppo_channel_id.as_deref() == Some("2027")
        }),
        ("push_oppo_category", "2028", |s| {
            s.worker.push_oppo_category.as_deref() == Some("2028")
        }),
        ("push_vivo_category", "2029", |s| {
            s.worker.push_vivo_category.as_deref() == Some("2029")
        }),
        ("sms_provider", "log", |s| s.worker.sms_provider == "log"),
        ("aliyun_access_key_id", "123456", |s| {
            s.worker.aliyun_access_key_id.as_deref() == Some("123456")
        }),
        ("aliyun_access_key_secret", "123456", |s| {
            s.worker
                .aliyun_access_key_secret
                .as_ref()
                .is_some_and(|k| k.expose() == "123456")
        }),
        ("aliyun_sms_sign_name", "2026", |s| {
            s.worker.aliyun_sms_sign_name.as_deref() == Some("2026")
        }),
        ("aliyun_sms_template", "480000002", |s| {
            s.worker.aliyun_sms_template.as_deref() == Some("480000002")
        }),
        ("aliyun_sms_code_template", "480000001", |s| {
            s.worker.aliyun_sms_code_template.as_deref() == Some("480000001")
        }),
        ("aliyun_base_url", "http://127.0.0.1:2", |s| {
            s.worker.aliyun_base_url.as_deref() == Some("http://127.0.0.1:2")
        }),
        ("aliyun_voice_tts_code", "480000003", |s| {
            s.worker.aliyun_voice_tts_code.as_deref() == Some("480000003")
        }),
        ("aliyun_voice_show_number", "03987000000", |s| {
            s.worker.aliyun_voice_show_number.as_deref() == Some("03987000000")
        }),
        ("aliyun_voice_base_url", "http://127.0.0.1:3", |s| {
            s.worker.aliyun_voice_base_url.as_deref() == Some("http://127.0.0.1:3")
        }),
        ("wechat_app_id", "20261203", |s| {
            s.worker.wechat_app_id.as_deref() == Some("20261203")
        }),
        ("wechat_app_secret", "0123456789abcdef", |s| {
            s.worker
                .wechat_app_secret
                .as_ref()
                .is_some_and(|k| k.expose() == "0123456789abcdef")
        }),
        ("wechat_base_url", "http://127.0.0.1:4", |s| {
            s.worker.wechat_base_url.as_deref() == Some("http://127.0.0.1:4")
        }),
        ("object_store_url", "file:///20261202", |s| {
            s.object_store_url.as_deref() == Some("file:///20261202")
        }),
        (
            "object_store_options",
            "{endpoint=\"http://minio:9000\", allow_http=\"true\"}",
            |s| s.object_store_options.get("allow_http").map(String::as_str) == Some("true"),
        ),
        ("webhook_timeout_secs", "3", |s| {
            s.worker.webhook_timeout_secs == 3
        }),
        ("webhook_retry_base_ms", "250", |s| {
            s.worker.webhook_retry_base_ms == 250
        }),
        ("webhook_allow_http", "true", |s| {
            s.worker.webhook_allow_http
        }),
        ("webhook_allow_private_networks", "true", |s| {
            s.worker.webhook_allow_private_networks
        }),
        ("retention_notifications_days", "200", |s| {
            s.worker.retention_notifications_days == 200
        }),
        ("retention_deliveries_days", "20", |s| {
            s.worker.retention_deliveries_days == 20
        }),
        ("retention_webhooks_days", "21", |s| {
            s.worker.retention_webhooks_days == 21
        }),
        ("retention_outbox_days", "2", |s| {
            s.worker.retention_outbox_days == 2
        }),
        ("retention_processed_messages_days", "3", |s| {
            s.worker.retention_processed_messages_days == 3
        }),
        ("retention_tasks_days", "4", |s| {
            s.worker.retention_tasks_days == 4
        }),
        ("retention_job_matches_days", "50", |s| {
            s.worker.retention_job_matches_days == 50
        }),
    ];
    let documented = documented_keys();
    let sampled: Vec<&str> = samples.iter().map(|(k, _, _)| *k).collect();
    for key in &documented {
        assert!(
            sampled.contains(&key.as_str()),
            "README documents `{key}`: give it a sample here"
        );
    }
    for key in &sampled {
        assert!(
            documented.iter().any(|d| d == key),
            "`{key}` is not in the README's table"
        );
    }
    // And every key of either process is documented.
    let keys = anju_config::keys::<Settings>()
        .iter()
        .chain(anju_config::keys::<worker::settings::Settings>());
    for key in keys {
        assert!(
            documented.iter().any(|d| d == key),
            "setting `{key}` is not in the README's table"
        );
    }
    let variable = |key: &str| format!("ANJU_{}", key.to_ascii_uppercase());
    // Each key alone, then all of them at once, as an operator's environment gives them (an
    // all-digit phone or password beside numeric settings once stopped the api).
    let alone = samples.iter().map(std::slice::from_ref);
    for given in alone.chain([samples.as_slice()]) {
        Jail::expect_with(|jail| {
            for (key, value, _) in given {
                jail.set_env(variable(key), value);
            }
            let settings = Settings::load().unwrap_or_else(|e| panic!("{e}"));
            for (key, value, check) in given {
                assert!(check(&settings), "{}={value} did not take", variable(key));
            }
            Ok(())
        });
    }
}

#[test]
fn published_example_secrets_are_refused_by_name() {
    // One of the api's own secrets, and one it shares with the worker.
    for (variable, value, name) in [
        (
            "ANJU_BOOTSTRAP_ADMIN_PASSWORD",
            "change-me-admin",
            "bootstrap_admin_password",
        ),
        (
            "DATABASE_URL",
            "postgres://anju:change-me-db@postgres/anju",
            "database_url",
        ),
    ] {
        Jail::expect_with(|jail| {
            jail.set_env(variable, value);
            let settings = Settings::load().unwrap();
            let err = settings.refuse_published_examples().unwrap_err();
            assert!(err.to_string().contains(name), "{err}");
            Ok(())
        });
    }
}
