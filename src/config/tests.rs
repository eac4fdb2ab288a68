//! Settings layering and checks.

use super::*;
use figment::Jail;

fn load(config: Option<&Path>, flags: &FlagOverrides) -> anyhow::Result<Settings> {
    Settings::load_from(config, flags, Env::prefixed("EDGEBSS_"))
}

#[test]
fn layers_apply_in_order_defaults_file_env_flags() {
    Jail::expect_with(|jail| {
        jail.create_file(
            "e.toml",
            "bind = \"127.0.0.1:9000\"\ndemo = true\n[storage]\nmax_batch = 7\n",
        )?;
        jail.set_env("EDGEBSS_STORAGE__MAX_BATCH", "9");
        jail.set_env("EDGEBSS_BIND", "127.0.0.1:9001");
        let flags = FlagOverrides {
            bind: Some("127.0.0.1:9002".into()),
            ..Default::default()
        };
        let s = load(Some(Path::new("e.toml")), &flags).map_err(|e| e.to_string())?;
        assert_eq!(s.bind.port(), 9002);
        assert_eq!(s.storage.max_batch, 9);
        assert!(s.demo);
        assert_eq!(s.storage.read_connections, 8);
        Ok(())
    });
}

#[test]
fn an_unknown_key_is_refused_by_name() {
    Jail::expect_with(|jail| {
        jail.create_file("e.toml", "[storage]\nmax_bach = 7\n")?;
        let err = load(Some(Path::new("e.toml")), &FlagOverrides::default()).unwrap_err();
        assert!(err.to_string().contains("max_bach"), "{err}");
        Ok(())
    });
}

#[test]
fn bad_values_are_refused_with_what_to_fix() {
    Jail::expect_with(|jail| {
        jail.set_env("EDGEBSS_BILLING__TIMEZONE", "Mars/Olympus");
        let err = load(None, &FlagOverrides::default()).unwrap_err();
        assert!(err.to_string().contains("billing.timezone"), "{err}");
        jail.set_env("EDGEBSS_BILLING__TIMEZONE", "UTC");
        jail.set_env("EDGEBSS_BIND", "not-an-address");
        let err = load(None, &FlagOverrides::default()).unwrap_err();
        assert!(err.to_string().to_lowercase().contains("bind"), "{err}");
        Ok(())
    });
}

#[test]
fn billing_settings_are_read_and_checked() {
    Jail::expect_with(|jail| {
        jail.create_file(
            "e.toml",
            "[billing]\nbill_day = 5\ntax_rate_percent = 7.5\npayment_terms_days = 30\n",
        )?;
        let s = load(Some(Path::new("e.toml")), &FlagOverrides::default())
            .map_err(|e| e.to_string())?;
        assert_eq!(s.billing.bill_day, 5);
        assert_eq!(s.billing.tax_rate_percent.to_string(), "7.5");
        assert_eq!(s.billing.payment_terms_days, 30);
        jail.set_env("EDGEBSS_BILLING__TAX_RATE_PERCENT", "20");
        let s = load(None, &FlagOverrides::default()).map_err(|e| e.to_string())?;
        assert_eq!(s.billing.tax_rate_percent.to_string(), "20");
        jail.set_env("EDGEBSS_BILLING__BILL_DAY", "31");
        let err = load(None, &FlagOverrides::default()).unwrap_err();
        assert!(err.to_string().contains("billing.bill_day"), "{err}");
        jail.set_env("EDGEBSS_BILLING__BILL_DAY", "1");
        jail.set_env("EDGEBSS_BILLING__TAX_RATE_PERCENT", "-1");
        let err = load(None, &FlagOverrides::default()).unwrap_err();
        assert!(err.to_string().contains("tax_rate_percent"), "{err}");
        Ok(())
    });
}

#[test]
fn auth_settings_out_of_range_are_refused_by_name() {
    Jail::expect_with(|jail| {
        jail.set_env("EDGEBSS_AUTH__TOKEN_TTL_SECONDS", "5");
        let err = load(None, &FlagOverrides::default()).unwrap_err();
        assert!(err.to_string().contains("auth.token_ttl_seconds"), "{err}");
        jail.set_env("EDGEBSS_AUTH__TOKEN_TTL_SECONDS", "600");
        let s = load(None, &FlagOverrides::default()).map_err(|e| e.to_string())?;
        assert_eq!(s.auth.token_ttl_seconds, 600);
        Ok(())
    });
}

#[test]
fn a_missing_config_file_is_an_error() {
    let err = load(
        Some(Path::new("/nonexistent/edgebss.toml")),
        &FlagOverrides::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("does not exist"), "{err}");
}
