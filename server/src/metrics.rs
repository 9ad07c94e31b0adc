//! `/metrics` for an operator's Prometheus: served only to the addresses
//! configured (`YORISOI_METRICS_FROM`, loopback by default) or to a
//! scraper presenting `YORISOI_METRICS_TOKEN` as a bearer token. The peer
//! address is the socket's own: a forwarded header cannot open it.

use crate::AppState;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::net::{IpAddr, SocketAddr};

#[derive(Clone, Debug)]
pub struct MetricsAccess {
    pub from: Vec<IpAddr>,
    pub token: Option<String>,
}

impl Default for MetricsAccess {
    fn default() -> Self {
        MetricsAccess {
            from: vec![IpAddr::from([127, 0, 0, 1]), IpAddr::from([0u16, 0, 0, 0, 0, 0, 0, 1])],
            token: None,
        }
    }
}

impl MetricsAccess {
    /// From `YORISOI_METRICS_FROM` (addresses, comma-separated) and
    /// `YORISOI_METRICS_TOKEN`.
    pub fn from_env() -> anyhow::Result<MetricsAccess> {
        let mut access = MetricsAccess::default();
        if let Ok(list) = std::env::var("YORISOI_METRICS_FROM") {
            access.from = list
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.parse()
                        .map_err(|_| anyhow::anyhow!("YORISOI_METRICS_FROM: {s:?} is not an IP address"))
                })
                .collect::<anyhow::Result<_>>()?;
        }
        access.token = std::env::var("YORISOI_METRICS_TOKEN").ok().filter(|t| !t.trim().is_empty());
        Ok(access)
    }

    fn allows(&self, peer: IpAddr, headers: &HeaderMap) -> bool {
        if self.from.contains(&peer) {
            return true;
        }
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        match (&self.token, given) {
            (Some(want), Some(got)) => {
                use subtle::ConstantTimeEq;
                want.as_bytes().ct_eq(got.as_bytes()).into()
            }
            _ => false,
        }
    }
}

pub(crate) async fn metrics(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    access: Option<axum::Extension<MetricsAccess>>,
    headers: HeaderMap,
) -> Response {
    let access = access.map(|a| a.0).unwrap_or_default();
    if !access.allows(peer.ip(), &headers) {
        return StatusCode::NOT_FOUND.into_response();
    }
    match state.ctx.engine.metrics_text().await {
        Ok(text) => ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text).into_response(),
        Err(e) => {
            tracing::warn!(reason = e.code(), "metrics could not be read");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_listed_addresses_or_the_token_open_it() {
        let access = MetricsAccess {
            from: vec![IpAddr::from([10, 0, 0, 5])],
            token: Some("s3cret-token".into()),
        };
        let none = HeaderMap::new();
        assert!(access.allows(IpAddr::from([10, 0, 0, 5]), &none));
        assert!(!access.allows(IpAddr::from([10, 0, 0, 6]), &none));
        let mut with = HeaderMap::new();
        with.insert(header::AUTHORIZATION, "Bearer s3cret-token".parse().unwrap());
        assert!(access.allows(IpAddr::from([203, 0, 113, 9]), &with));
        let mut wrong = HeaderMap::new();
        wrong.insert(header::AUTHORIZATION, "Bearer s3cret-tokem".parse().unwrap());
        assert!(!access.allows(IpAddr::from([203, 0, 113, 9]), &wrong));
        // No token configured: a bearer opens nothing.
        let loopback = MetricsAccess::default();
        assert!(!loopback.allows(IpAddr::from([203, 0, 113, 9]), &with));
        assert!(loopback.allows(IpAddr::from([127, 0, 0, 1]), &none));
    }
}
