//! Webhook ingestion (verify, store durably, acknowledge) and processing
//! (turn stored events into changes of friends), kept apart so LINE gets
//! its answer well within 2 seconds and a crash in between loses nothing.

use crate::crypto::public_id;
use crate::{Engine, EngineError};
use line::webhook::{EventKind, MessageContent};
use line::Event;
use model::automation::Happening;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use store::{FriendChange, NewInboxEvent};

impl Engine {
    /// Checks the signature on the raw body with the clinic's secret, then
    /// stores every event of the POST durably (redeliveries are skipped).
    /// Nothing is stored unless the signature and the body are valid.
    /// Returns how many events were new.
    pub async fn ingest_webhook(&self, clinic_public_id: &str, body: &[u8], signature: Option<&str>) -> Result<u64, EngineError> {
        let signature = signature.unwrap_or("");
        let mut key = self.webhook_key(clinic_public_id, false).await?;
        if !line::verify_signature(&key.secret, body, signature) && key.cached {
            // The secret may have changed on another instance since it was
            // cached: the stored one decides.
            key = self.webhook_key(clinic_public_id, true).await?;
        }
        if !line::verify_signature(&key.secret, body, signature) {
            return Err(EngineError::BadSignature);
        }
        // Each event is stored exactly as LINE sent it, and parsed once to
        // check it is one.
        let callback: RawCallback<'_> = serde_json::from_slice(body).map_err(|e| EngineError::MalformedWebhook(e.to_string()))?;
        if callback.events.is_empty() {
            return Ok(0);
        }
        let mut events = Vec::with_capacity(callback.events.len());
        for raw in callback.events {
            let e: Event = serde_json::from_str(raw.get()).map_err(|e| EngineError::MalformedWebhook(e.to_string()))?;
            events.push(NewInboxEvent {
                event_type: e.type_name().to_string(),
                webhook_event_id: e.webhook_event_id,
                event_time: e.timestamp,
                body: raw.get().to_string(),
            });
        }
        let new = self.store_grouped(key.clinic_id, events).await?;
        if new > 0 {
            self.inbox_signal.notify_one();
        }
        Ok(new)
    }

    /// The clinic's ID and channel secret for checking a webhook, from
    /// memory when this instance read them less than [`SECRET_CACHE_TTL`]
    /// ago (or `fresh`: from the database).
    async fn webhook_key(&self, clinic_public_id: &str, fresh: bool) -> Result<WebhookKey, EngineError> {
        if !fresh {
            let cached = self.intake.secrets.lock().expect("secret cache").get(clinic_public_id).cloned();
            if let Some((key, read_at)) = cached {
                if read_at.elapsed() < SECRET_CACHE_TTL {
                    return Ok(key);
                }
            }
        }
        let clinic = self.db.clinic_by_public_id(clinic_public_id).await?.ok_or(EngineError::NotFound)?;
        let channel = self.db.channel(clinic.id).await?.ok_or(EngineError::NoChannel)?;
        let key = WebhookKey {
            clinic_id: clinic.id,
            secret: self.open_channel_secret(&channel)?,
            cached: false,
        };
        let mut cache = self.intake.secrets.lock().expect("secret cache");
        cache.insert(
            clinic_public_id.to_string(),
            (
                WebhookKey {
                    cached: true,
                    ..key.clone()
                },
                std::time::Instant::now(),
            ),
        );
        Ok(key)
    }

    /// Forgets the channel secrets this instance holds in memory (a channel
    /// was saved: the next webhook reads it again).
    pub(crate) fn forget_webhook_keys(&self) {
        self.intake.secrets.lock().expect("secret cache").clear();
    }

    /// Stores one POST's events with whatever other POSTs are waiting, in
    /// one transaction (group commit): the first POST to find no commit in
    /// flight writes everyone's, and each is answered after the commit, so
    /// a 200 still means stored.
    async fn store_grouped(&self, clinic_id: i64, events: Vec<NewInboxEvent>) -> Result<u64, EngineError> {
        let events = Arc::new(events);
        let (answer, mut answered) = tokio::sync::oneshot::channel();
        self.intake.waiting.lock().expect("intake queue").push(WaitingPost {
            clinic_id,
            events: events.clone(),
            answer,
        });
        let writing = self.intake.writer.lock().await;
        if let Ok(stored) = answered.try_recv() {
            drop(writing);
            return self.stored_or_alone(stored, clinic_id, &events).await;
        }
        let group = std::mem::take(&mut *self.intake.waiting.lock().expect("intake queue"));
        let posts: Vec<(i64, &[NewInboxEvent])> = group.iter().map(|p| (p.clinic_id, p.events.as_slice())).collect();
        match self.db.insert_inbox_posts(&posts, self.now_ms()).await {
            Ok(counts) => {
                for (post, new) in group.into_iter().zip(counts) {
                    let _ = post.answer.send(Some(new));
                }
            }
            // One POST's trouble must not fail the others: each stores its
            // own, and gets its own answer.
            Err(_) => {
                for post in group {
                    let _ = post.answer.send(None);
                }
            }
        }
        drop(writing);
        let stored = answered.await.ok().flatten();
        self.stored_or_alone(stored, clinic_id, &events).await
    }

    /// The group's answer for one POST, or, when the group could not store
    /// it (or the POST writing for it was cancelled mid-commit), the POST
    /// stored alone: a redelivery of what did commit is skipped.
    async fn stored_or_alone(&self, stored: Option<u64>, clinic_id: i64, events: &[NewInboxEvent]) -> Result<u64, EngineError> {
        match stored {
            Some(new) => Ok(new),
            None => Ok(self.db.insert_inbox(clinic_id, events, self.now_ms()).await?),
        }
    }

    /// Processes up to `limit` stored events, oldest first, applied in
    /// batches of one transaction each; returns how many this call applied.
    /// Safe to run from several workers at once: each event is applied
    /// exactly once.
    pub async fn process_webhooks(&self, limit: i64) -> Result<usize, EngineError> {
        let rows = self.db.pending_inbox(limit).await?;
        let parsed: Vec<(store::InboxRow, Result<Event, serde_json::Error>)> = rows
            .into_iter()
            .map(|row| {
                let event = serde_json::from_str::<Event>(&row.body);
                (row, event)
            })
            .collect();
        let staff = self.staff_writers(&parsed).await?;
        let today = model::segment::Date::jst_of_ms(self.now_ms());
        let today = format!("{:04}-{:02}-{:02}", today.y, today.m, today.d);
        let mut listened: HashMap<(i64, &'static str), bool> = HashMap::new();
        let mut batch = Vec::with_capacity(parsed.len());
        let mut codes = HashMap::new();
        let mut follow_ups: HashMap<i64, StaffFollowUp> = HashMap::new();
        for (row, event) in parsed {
            let (change, happening, voice) = match event {
                Ok(event) => {
                    let staff_user = event.user_id().and_then(|u| staff.get(&(row.clinic_id, u.to_string()))).copied();
                    let follow_up = staff_user.and_then(|user| staff_follow_up(&event, user));
                    if let Some(StaffFollowUp::Voice { text, reply_token }) = follow_up {
                        // Anonymous: no change to the friend, no happening,
                        // and only the words and the day are kept.
                        follow_ups.insert(row.id, StaffFollowUp::VoiceThanks { reply_token });
                        let voice = store::StaffVoice {
                            text,
                            received_on: today.clone(),
                        };
                        (FriendChange::Nothing, None, Some(voice))
                    } else {
                        let acknowledgement = matches!(follow_up, Some(StaffFollowUp::Ack { .. }));
                        if let Some(f) = follow_up {
                            follow_ups.insert(row.id, f);
                        }
                        let mut change = change_for(&event);
                        let mut happening = happening_of(&event);
                        if let (
                            Some(Happening::Followed),
                            FriendChange::Followed {
                                line_user_id, via_arrival, ..
                            },
                        ) = (&happening, &mut change)
                        {
                            if let Some((arrival, h)) = self.follow_through_route(row.clinic_id, line_user_id, event.timestamp).await? {
                                *via_arrival = Some(arrival);
                                happening = Some(h);
                            }
                        }
                        let happening = match happening.filter(|_| !acknowledgement) {
                            Some(h) => {
                                let key = (row.clinic_id, h.kind());
                                let listens = match listened.get(&key) {
                                    Some(listens) => *listens,
                                    None => {
                                        let listens = self.db.listens_for(row.clinic_id, h.kind()).await?;
                                        listened.insert(key, listens);
                                        listens
                                    }
                                };
                                if listens {
                                    Some(self.happening_record(&h, event.reply_token.clone(), event.timestamp, 0)?)
                                } else {
                                    None
                                }
                            }
                            None => None,
                        };
                        if let Some(code) = staff_code_candidate(&event) {
                            codes.insert(row.id, code);
                        }
                        (change, happening, None)
                    }
                }
                Err(e) => {
                    // Stored events were parsed before storing; this only
                    // happens if the parser changed. Keep the row, skip it.
                    tracing::warn!(inbox_id = row.id, error = %e, "stored webhook event no longer parses; skipped");
                    (FriendChange::Nothing, None, None)
                }
            };
            batch.push(store::InboxApplication {
                inbox_id: row.id,
                clinic_id: row.clinic_id,
                change,
                happening,
                voice,
            });
        }
        let mut applied = 0;
        for chunk in batch.chunks(APPLY_BATCH) {
            let done: HashSet<i64> = self.db.apply_inbox_events(chunk, self.now_ms()).await?.into_iter().collect();
            applied += done.len();
            let mut followed: HashMap<i64, Vec<String>> = HashMap::new();
            let mut linking = Vec::new();
            let mut staff_steps = Vec::new();
            let mut queued = false;
            for e in chunk.iter().filter(|e| done.contains(&e.inbox_id)) {
                queued |= e.happening.is_some();
                if let FriendChange::Followed { line_user_id, .. } = &e.change {
                    followed.entry(e.clinic_id).or_default().push(line_user_id.clone());
                }
                if let Some(code) = codes.remove(&e.inbox_id) {
                    linking.push((e.clinic_id, code));
                }
                if let Some(f) = follow_ups.remove(&e.inbox_id) {
                    staff_steps.push((e.clinic_id, f));
                }
            }
            if queued {
                self.automation_signal.notify_one();
            }
            for (clinic_id, users) in followed {
                self.refresh_profiles(clinic_id, &users).await;
            }
            for (clinic_id, (user, text)) in linking {
                self.link_staff_if_code(clinic_id, &user, &text).await?;
            }
            for (clinic_id, step) in staff_steps {
                self.staff_follow_up(clinic_id, step).await?;
            }
        }
        Ok(applied)
    }

    /// The staff members among the writers of texts and postbacks in a
    /// batch: (clinic, LINE user) → user. One read per clinic.
    async fn staff_writers(
        &self,
        parsed: &[(store::InboxRow, Result<Event, serde_json::Error>)],
    ) -> Result<HashMap<(i64, String), i64>, EngineError> {
        let mut asked: HashMap<i64, Vec<&str>> = HashMap::new();
        for (row, event) in parsed {
            if let Ok(e) = event {
                if matches!(e.kind, EventKind::Message(MessageContent::Text { .. }) | EventKind::Postback { .. }) {
                    if let Some(u) = e.user_id() {
                        let users = asked.entry(row.clinic_id).or_default();
                        if !users.contains(&u) {
                            users.push(u);
                        }
                    }
                }
            }
        }
        let mut out = HashMap::new();
        for (clinic_id, users) in asked {
            for chunk in users.chunks(500) {
                for (line_user, user) in self.db.staff_friends_among(clinic_id, chunk).await? {
                    out.insert((clinic_id, line_user), user);
                }
            }
        }
        Ok(out)
    }

    /// What a staff member's text or tap does once it is stored.
    async fn staff_follow_up(&self, clinic_id: i64, step: StaffFollowUp) -> Result<(), EngineError> {
        let answer = match step {
            StaffFollowUp::Voice { .. } => None,
            StaffFollowUp::VoiceThanks { reply_token } => {
                reply_token.map(|t| (t, "職員の声を受け付けました。お名前は記録していません。ありがとうございました。"))
            }
            StaffFollowUp::VoiceHowTo { reply_token } => reply_token.map(|t| {
                (
                    t,
                    "職員の声（匿名の意見箱）です。「職員の声」に続けてご意見を書いて送ってください。お名前は記録されません。\n例：職員の声 休憩室の換気をもっとしてほしいです",
                )
            }),
            StaffFollowUp::Reply { user, text } => {
                self.staff_reply_from_line(clinic_id, user, &text).await?;
                None
            }
            StaffFollowUp::Ack { user, data, reply_token } => {
                let recorded = self.acknowledge_from_line(clinic_id, user, &data).await?;
                reply_token.filter(|_| recorded).map(|t| (t, "確認を記録しました。"))
            }
        };
        if let Some((token, text)) = answer {
            // A reply is free and needs no user ID. Not answered is not
            // worth retrying: the record above is what matters.
            if let Ok(client) = self.line_client(clinic_id).await {
                if let Err(e) = client.reply(&token, &[line::message::Message::text(text)]).await {
                    tracing::warn!(clinic_id, error = %e, "staff reply not delivered");
                }
            }
        }
        Ok(())
    }
}

/// Events applied per transaction by the webhook worker.
const APPLY_BATCH: usize = 250;

/// How long a channel secret read for checking webhooks is trusted in
/// memory: a secret changed on another instance is seen within this time
/// (and at once by a POST signed with the new secret).
const SECRET_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(10);

/// A webhook body with its events left as LINE wrote them.
#[derive(Deserialize)]
struct RawCallback<'a> {
    #[serde(borrow)]
    events: Vec<&'a serde_json::value::RawValue>,
}

#[derive(Clone)]
struct WebhookKey {
    clinic_id: i64,
    secret: String,
    /// Read from memory rather than the database just now.
    cached: bool,
}

struct WaitingPost {
    clinic_id: i64,
    events: Arc<Vec<NewInboxEvent>>,
    /// The number of new events, or `None`: store them alone.
    answer: tokio::sync::oneshot::Sender<Option<u64>>,
}

/// The webhook front door's state on this instance: channel secrets in
/// memory, and the POSTs waiting for the next group commit.
#[derive(Default)]
pub(crate) struct Intake {
    secrets: std::sync::Mutex<HashMap<String, (WebhookKey, std::time::Instant)>>,
    waiting: std::sync::Mutex<Vec<WaitingPost>>,
    /// Held by the POST writing a group.
    writer: tokio::sync::Mutex<()>,
}

/// What a staff member's own LINE event means besides its record.
enum StaffFollowUp {
    /// 職員の声: stored without who sent it (its event is not recorded).
    Voice {
        text: String,
        reply_token: Option<String>,
    },
    VoiceThanks {
        reply_token: Option<String>,
    },
    /// The keyword alone (a menu button): how to write one.
    VoiceHowTo {
        reply_token: Option<String>,
    },
    /// Any other text: a reply in the thread of the post they were last sent.
    Reply {
        user: i64,
        text: String,
    },
    /// 確認しました tapped under a post.
    Ack {
        user: i64,
        data: String,
        reply_token: Option<String>,
    },
}

fn staff_follow_up(event: &Event, user: i64) -> Option<StaffFollowUp> {
    let reply_token = event.reply_token.clone();
    match &event.kind {
        EventKind::Message(MessageContent::Text { text, .. }) => match model::staff_channel::voice_text(text) {
            Some("") => Some(StaffFollowUp::VoiceHowTo { reply_token }),
            Some(words) => Some(StaffFollowUp::Voice {
                text: words.to_string(),
                reply_token,
            }),
            // A link code is the link's business, not a reply.
            None if staff_code_candidate(event).is_some() => None,
            None => Some(StaffFollowUp::Reply { user, text: text.clone() }),
        },
        EventKind::Postback { data, .. } if data.starts_with(model::staff_channel::ACK_DATA_PREFIX) => Some(StaffFollowUp::Ack {
            user,
            data: data.clone(),
            reply_token,
        }),
        _ => None,
    }
}

/// The writer and text of a text message (a staff link code, perhaps).
fn staff_code_candidate(event: &Event) -> Option<(String, String)> {
    match &event.kind {
        EventKind::Message(MessageContent::Text { text, .. }) if text.trim().len() == 8 => {
            Some((event.user_id()?.to_string(), text.clone()))
        }
        _ => None,
    }
}

/// What an event is to the automations. Standby events are never
/// answered, so they trigger nothing.
fn happening_of(event: &Event) -> Option<Happening> {
    if event.mode == line::webhook::Mode::Standby {
        return None;
    }
    event.user_id()?;
    Some(match &event.kind {
        EventKind::Follow { is_unblocked: false } => Happening::Followed,
        EventKind::Follow { is_unblocked: true } => Happening::Unblocked,
        EventKind::Message(MessageContent::Text { text, .. }) => Happening::Message { text: text.clone() },
        EventKind::Postback { data, .. } => Happening::Postback { data: data.clone() },
        _ => return None,
    })
}

/// What an event changes. Unknown types, and events without a user, change
/// nothing (they stay in the inbox for the record).
fn change_for(event: &Event) -> FriendChange {
    let Some(user) = event.user_id().map(str::to_string) else {
        return FriendChange::Nothing;
    };
    let at = event.timestamp;
    let recorded = |kind: &str, detail: Value, line_message_id: Option<String>| FriendChange::Recorded {
        line_user_id: user.clone(),
        new_public_id: public_id(),
        at,
        kind: kind.to_string(),
        detail: detail.to_string(),
        line_message_id,
    };
    // Standby events are recorded like the others; they are only never
    // answered (nothing here answers yet).
    match &event.kind {
        EventKind::Follow { is_unblocked } => FriendChange::Followed {
            line_user_id: user.clone(),
            new_public_id: public_id(),
            at,
            unblocked: *is_unblocked,
            via_arrival: None,
        },
        EventKind::Unfollow => FriendChange::Blocked {
            line_user_id: user.clone(),
            new_public_id: public_id(),
            at,
        },
        EventKind::Message(m) => {
            let (detail, id) = match m {
                MessageContent::Text { id, text, .. } => (json!({"type": "text", "text": text}), id),
                MessageContent::Image { id } => (json!({"type": "image"}), id),
                MessageContent::Video { id } => (json!({"type": "video"}), id),
                MessageContent::Audio { id, .. } => (json!({"type": "audio"}), id),
                MessageContent::File { id, file_name, .. } => (json!({"type": "file", "fileName": file_name}), id),
                MessageContent::Location {
                    id,
                    title,
                    address,
                    latitude,
                    longitude,
                } => (
                    json!({"type": "location", "title": title, "address": address, "latitude": latitude, "longitude": longitude}),
                    id,
                ),
                MessageContent::Sticker {
                    id,
                    package_id,
                    sticker_id,
                } => (json!({"type": "sticker", "packageId": package_id, "stickerId": sticker_id}), id),
                MessageContent::Unknown { id, message_type } => (json!({"type": message_type}), id),
            };
            recorded("message_in", detail, Some(id.clone()))
        }
        EventKind::Postback { data, params } => recorded("postback", json!({"data": data, "params": params}), None),
        EventKind::Unsend { message_id } => FriendChange::Unsent {
            line_user_id: user.clone(),
            line_message_id: message_id.clone(),
        },
        EventKind::AccountLink { ok, .. } => recorded("account_link", json!({"ok": ok}), None),
        EventKind::Unknown { .. } => FriendChange::Nothing,
    }
}
