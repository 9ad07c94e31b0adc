//! Shared by the server's integration tests.

use app::ssr::ServerContext;
use engine::Engine;

/// The whole HTTP surface over `engine`, as served at `public_url`.
pub fn router_for(engine: Engine, public_url: &str) -> axum::Router {
    let ctx = ServerContext {
        engine,
        secure_cookies: false,
        trust_forwarded_for: false,
        public_url: public_url.into(),
    };
    server::router(ctx, server::leptos_options("target/site", "127.0.0.1:3000".parse().unwrap()))
}
