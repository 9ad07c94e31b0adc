//! A sandbox with one channel whose webhooks go to a recording "product".

#![allow(dead_code)]

use axum::routing::post;
use line::Client;
use sandbox::{ChannelConfig, PersonKind, Plan, Sandbox};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

pub const CHANNEL: &str = "1650000000";

pub const SECRET: &str = "sandbox-test-secret";
pub const TOKEN: &str = "sandbox-test-token";

pub struct Rig {
    pub sb: Sandbox,
    pub base: String,
    pub client: Client,
    /// Webhook POSTs the "product" received: (signature, body).
    pub received: Arc<Mutex<Vec<(String, String)>>>,
}

pub async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

pub async fn rig(plan: Plan) -> Rig {
    let received = Arc::new(Mutex::new(Vec::new()));
    let sink = received.clone();
    let product = axum::Router::new().route(
        "/line/webhook/c1",
        post(move |headers: axum::http::HeaderMap, body: String| {
            let sink = sink.clone();
            async move {
                let sig = headers
                    .get("x-line-signature")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string();
                sink.lock().unwrap().push((sig, body));
                "ok"
            }
        }),
    );
    let product_url = serve(product).await;
    let sb = Sandbox::new();
    sb.add_channel(ChannelConfig {
        channel_id: "1650000000".into(),
        channel_secret: SECRET.into(),
        access_token: TOKEN.into(),
        webhook_url: format!("{product_url}/line/webhook/c1"),
        bot_name: "さくらファミリークリニック".into(),
        plan,
    });
    let base = serve(sb.router()).await;
    Rig {
        client: Client::new(&base, &base, TOKEN),
        sb,
        base,
        received,
    }
}

impl Rig {
    pub async fn friend(&self, name: &str) -> String {
        let p = self.sb.add_person(name, PersonKind::Patient);
        assert_eq!(self.sb.follow("1650000000", &p.user_id).await.unwrap(), 200);
        p.user_id
    }

    pub fn last_event(&self) -> (String, String) {
        self.received.lock().unwrap().last().cloned().expect("a webhook arrived")
    }
}

pub fn text(t: &str) -> Value {
    json!({"type": "text", "text": t})
}

/// The header of a PNG of that size (all LINE reads of it).
pub fn png(w: u32, h: u32) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    b.extend(w.to_be_bytes());
    b.extend(h.to_be_bytes());
    b.extend([8, 6, 0, 0, 0]);
    b
}

/// A tap area of half a 2500×843 menu, starting at `x`.
pub fn area(x: u32, action: line::Action) -> line::client::Area {
    line::client::Area {
        bounds: line::client::Bounds {
            x,
            y: 0,
            width: 1250,
            height: 843,
        },
        action,
    }
}
