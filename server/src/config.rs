//! Configuration from `YORISOI_*` environment variables (and `.env`).

use anyhow::{bail, Context};
use std::path::PathBuf;

#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: String,
    pub data_dir: PathBuf,
    pub secret_key: Option<String>,
    pub addr: String,
    pub public_url: String,
    /// Reverse proxies of the installation's own in front of the server.
    pub trusted_proxies: usize,
    pub seed_demo: bool,
    pub site_root: String,
    /// Where the in-process LINE sandbox listens; `None` when switched off.
    pub sandbox_addr: Option<String>,
    /// A sandbox run elsewhere (`yorisoi sandbox`), used instead of one in
    /// this process.
    pub sandbox_url: Option<String>,
    /// The token the sandbox's controls need (`YORISOI_SANDBOX_TOKEN`);
    /// `None` for a sandbox started without one.
    pub sandbox_token: Option<String>,
    pub delivery: engine::delivery::DeliveryConfig,
    /// Who may read `/metrics`.
    pub metrics: crate::metrics::MetricsAccess,
    pub line_api_base: String,
    pub line_data_base: String,
}

/// Where the demo's in-process sandbox listens unless told otherwise.
pub const DEMO_SANDBOX_ADDR: &str = "127.0.0.1:3010";

/// Where the in-process sandbox listens: for the demo, or when asked for
/// by address; a real installation has no simulated LINE unless asked.
fn sandbox_addr(setting: Option<&str>, seed_demo: bool) -> Option<String> {
    match setting {
        Some("off") => None,
        Some(addr) => Some(addr.to_string()),
        None if seed_demo => Some(DEMO_SANDBOX_ADDR.into()),
        None => None,
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn flag(name: &str) -> anyhow::Result<bool> {
    match var(name).as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("0") | Some("false") | Some("no") => Ok(false),
        Some("1") | Some("true") | Some("yes") => Ok(true),
        Some(other) => bail!("{name} must be true or false (got {other:?})"),
    }
}

fn number(name: &str, default: u64) -> anyhow::Result<u64> {
    match var(name) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse()
            .with_context(|| format!("{name} must be a whole number (got {v:?})")),
    }
}

fn delivery_config() -> anyhow::Result<engine::delivery::DeliveryConfig> {
    let d = engine::delivery::DeliveryConfig::default();
    Ok(engine::delivery::DeliveryConfig {
        workers: number("YORISOI_DELIVERY_WORKERS", d.workers as u64)? as usize,
        lease_ms: number("YORISOI_DELIVERY_LEASE_MS", d.lease_ms as u64)? as i64,
        line_timeout: std::time::Duration::from_millis(number("YORISOI_LINE_TIMEOUT_MS", d.line_timeout.as_millis() as u64)?),
        // Off only for measuring against a sandbox with its limits off.
        rate_limits: !matches!(var("YORISOI_LINE_RATE_LIMITS").as_deref(), Some("off")),
    })
}

impl Config {
    pub fn from_env() -> anyhow::Result<Config> {
        let data_dir = PathBuf::from(var("YORISOI_DATA_DIR").unwrap_or_else(|| "./data".into()));
        let database_url = var("YORISOI_DATABASE_URL").unwrap_or_else(|| format!("sqlite:{}", data_dir.join("yorisoi.db").display()));
        let addr = var("YORISOI_ADDR").unwrap_or_else(|| "127.0.0.1:3000".into());
        let public_url = var("YORISOI_PUBLIC_URL").unwrap_or_else(|| format!("http://{addr}"));
        let seed_demo = flag("YORISOI_SEED_DEMO")?;
        Ok(Config {
            database_url,
            secret_key: var("YORISOI_SECRET_KEY"),
            // `YORISOI_TRUST_FORWARDED_FOR=true` alone means one proxy.
            trusted_proxies: match flag("YORISOI_TRUST_FORWARDED_FOR")? {
                false => 0,
                true => number("YORISOI_TRUSTED_PROXIES", 1)?.max(1) as usize,
            },
            seed_demo,
            site_root: var("YORISOI_SITE_ROOT").unwrap_or_else(|| "target/site".into()),
            sandbox_addr: sandbox_addr(var("YORISOI_SANDBOX_ADDR").as_deref(), seed_demo),
            sandbox_token: var("YORISOI_SANDBOX_TOKEN"),
            sandbox_url: var("YORISOI_SANDBOX_URL").map(|u| u.trim_end_matches('/').to_string()),
            delivery: delivery_config()?,
            metrics: crate::metrics::MetricsAccess::from_env()?,
            line_api_base: var("YORISOI_LINE_API_BASE").unwrap_or_else(|| line::client::API_BASE.into()),
            line_data_base: var("YORISOI_LINE_DATA_BASE").unwrap_or_else(|| line::client::DATA_BASE.into()),
            data_dir,
            addr,
            public_url: public_url.trim_end_matches('/').to_string(),
        })
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// Says once, when the server starts, that the demo's key is in use.
    pub fn warn_about_generated_key(&self) {
        if self.secret_key.is_none() {
            tracing::warn!(
                path = %self.data_dir.join("secret.key").display(),
                "YORISOI_SECRET_KEY is not set: using a key stored next to the database. Fine for the demo; for real patient data set YORISOI_SECRET_KEY and keep it apart from backups."
            );
        }
    }

    /// The key that encrypts secrets at rest. Without `YORISOI_SECRET_KEY`
    /// one is generated once under the data directory, for the demo only.
    pub fn secret_box(&self) -> anyhow::Result<engine::SecretBox> {
        if let Some(k) = &self.secret_key {
            return Ok(engine::SecretBox::from_base64(k)?);
        }
        let path = self.data_dir.join("secret.key");
        let key = match std::fs::read_to_string(&path) {
            Ok(k) => k,
            Err(_) => {
                std::fs::create_dir_all(&self.data_dir).with_context(|| format!("creating {}", self.data_dir.display()))?;
                let k = engine::SecretBox::generate_key();
                write_private(&path, &k)?;
                k
            }
        };
        Ok(engine::SecretBox::from_base64(&key)?.generated_for_demo())
    }

    /// Makes sure the SQLite file's directory exists.
    pub fn prepare_data_dir(&self) -> anyhow::Result<()> {
        if self.database_url.starts_with("sqlite:") {
            let path = self.database_url.trim_start_matches("sqlite:").trim_start_matches("//");
            let path = path.split('?').next().unwrap_or("");
            if let Some(parent) = std::path::Path::new(path).parent() {
                if !parent.as_os_str().is_empty() {
                    std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
                }
            }
        }
        Ok(())
    }
}

fn write_private(path: &std::path::Path, contents: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(path).with_context(|| format!("writing {}", path.display()))?;
    f.write_all(contents.as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sandbox_runs_only_for_the_demo_or_when_asked() {
        assert_eq!(sandbox_addr(None, false), None, "a real installation");
        assert_eq!(sandbox_addr(None, true).as_deref(), Some(DEMO_SANDBOX_ADDR));
        assert_eq!(sandbox_addr(Some("127.0.0.1:3999"), false).as_deref(), Some("127.0.0.1:3999"));
        assert_eq!(sandbox_addr(Some("off"), true), None);
    }
}
