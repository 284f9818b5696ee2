//! Logging for every command: set up once, before the command runs.
//!
//! `RUST_LOG` chooses what is logged, as usual; `SCRUTINY_LOG_FORMAT` chooses between
//! readable lines and one JSON object per line for log shippers. It lives apart from
//! the commands because all of them, not only `serve`, log through it.

use crate::config::LogFormat;

/// `RUST_LOG` filtering as usual (but see [`HELD_TO_INFO`]); with `SCRUTINY_LOG_FORMAT=json`, one JSON object per
/// line (time, level, target, message and the record's fields: request id, route,
/// status, latency), for log shippers.
pub(super) fn init(format: LogFormat) {
    let mut builder =
        env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info,actix_server=warn"));
    if format == LogFormat::Json {
        builder.format(|out, record| {
            use std::io::Write;
            struct Fields(serde_json::Map<String, serde_json::Value>);
            impl<'kvs> log::kv::VisitSource<'kvs> for Fields {
                fn visit_pair(
                    &mut self,
                    key: log::kv::Key<'kvs>,
                    value: log::kv::Value<'kvs>,
                ) -> Result<(), log::kv::Error> {
                    let value = if let Some(n) = value.to_u64() {
                        serde_json::json!(n)
                    } else if let Some(n) = value.to_f64() {
                        serde_json::json!(n)
                    } else {
                        serde_json::json!(value.to_string())
                    };
                    self.0.insert(key.to_string(), value);
                    Ok(())
                }
            }
            let mut fields = Fields(serde_json::Map::new());
            fields.0.insert("time".into(), chrono::Utc::now().to_rfc3339().into());
            fields.0.insert("level".into(), record.level().as_str().into());
            fields.0.insert("target".into(), record.target().into());
            fields.0.insert("message".into(), record.args().to_string().into());
            let _ = record.key_values().visit(&mut fields);
            writeln!(out, "{}", serde_json::Value::Object(fields.0))
        });
    }
    let logger = builder.build();
    let max_level = logger.filter();
    if log::set_boxed_logger(Box::new(HoldingBack(logger))).is_ok() {
        log::set_max_level(max_level);
    }
}

/// Libraries whose records below `info` carry what this service must never log, held to
/// `info` whatever `RUST_LOG` says: tokio-postgres logs each query's parameters at
/// `debug` (e-mail addresses, contact details, token hashes), byte by byte.
const HELD_TO_INFO: &[&str] = &["tokio_postgres"];

/// The logger, without the records of [`HELD_TO_INFO`] below `info`.
struct HoldingBack(env_logger::Logger);

impl HoldingBack {
    fn held_back(metadata: &log::Metadata<'_>) -> bool {
        metadata.level() > log::Level::Info
            && HELD_TO_INFO.iter().any(|name| {
                metadata
                    .target()
                    .strip_prefix(name)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with("::"))
            })
    }
}

impl log::Log for HoldingBack {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        !Self::held_back(metadata) && self.0.enabled(metadata)
    }

    fn log(&self, record: &log::Record<'_>) {
        if !Self::held_back(record.metadata()) {
            self.0.log(record);
        }
    }

    fn flush(&self) {
        self.0.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_parameters_are_held_back_below_info_whatever_rust_log_says() {
        let at = |level, target| log::Metadata::builder().level(level).target(target).build();
        assert!(HoldingBack::held_back(&at(log::Level::Debug, "tokio_postgres::query")));
        assert!(HoldingBack::held_back(&at(log::Level::Trace, "tokio_postgres")));
        assert!(!HoldingBack::held_back(&at(
            log::Level::Info,
            "tokio_postgres::connection"
        )));
        assert!(!HoldingBack::held_back(&at(log::Level::Debug, "tokio_postgresql")));
        assert!(!HoldingBack::held_back(&at(log::Level::Debug, "scrutiny::mail")));
    }
}
