//! Logging for every command: set up once, before the command runs.
//!
//! `RUST_LOG` chooses what is logged, as usual; `SCRUTINY_LOG_FORMAT` chooses between
//! readable lines and one JSON object per line for log shippers. It lives apart from
//! the commands because all of them, not only `serve`, log through it.

use crate::config::LogFormat;

/// `RUST_LOG` filtering as usual; with `SCRUTINY_LOG_FORMAT=json`, one JSON object per
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
    builder.init();
}
