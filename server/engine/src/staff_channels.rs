//! Staff-only channels (職員連絡, SPEC §9): channels and who belongs, posts
//! pushed to members' own LINE and shown in a web feed, acknowledgement by a
//! button (in LINE or on the page) per version, the one reminder, replies
//! from LINE into the thread, and the anonymous 職員の声.
//!
//! Staff-only by construction: a post's recipients are worked out here,
//! from the clinic's memberships and confirmed staff links
//! (`Db::staff_members`), never taken from a request; every push is checked
//! again against them just before it goes, so someone disabled or unlinked
//! after a post was made is not reached by it.

use crate::crypto::{public_id, uuid_v4};
use crate::quota::OnFailure;
use crate::{Actor, Engine, EngineError};
use model::message::{Bubble, Bundle};
use model::staff_channel::{ack_data, parse_ack_data, patient_data_hints, PatientDataHint, PostContent, PostRequest, StaffChannelSettings};
use model::{Permission, Role};
use store::{StaffMemberRow, StaffPostRow, StaffPostWrite};

/// How long a push is held by the worker that took it.
const DELIVERY_LEASE_MS: i64 = 60_000;
/// Posts shown in a channel's feed.
const FEED_POSTS: i64 = 50;

/// A member as a channel's page lists them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffMember {
    pub public_id: String,
    pub name: String,
    pub role: Role,
    /// Their LINE is linked, so posts reach it.
    pub linked: bool,
}

#[derive(Clone, Debug)]
pub struct StaffChannelView {
    pub public_id: String,
    pub settings: StaffChannelSettings,
    pub archived: bool,
    /// The signed-in person may post here.
    pub can_post: bool,
    /// The signed-in person belongs (and so confirms its posts).
    pub member: bool,
    /// The signed-in person may change or archive it.
    pub can_manage: bool,
    pub members: Vec<StaffMember>,
}

/// What a post would do, shown before it is sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffPostPreview {
    /// Members whose LINE it reaches (each costs one message of the quota).
    pub recipients: usize,
    /// Members who see it only on the web (their LINE is not linked).
    pub unlinked: Vec<String>,
    /// What the month's quota still allows, when it has a ceiling.
    pub quota_left: Option<i64>,
    pub hints: Vec<PatientDataHint>,
}

/// A post waiting for the signed-in member's confirmation (the dashboard).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingConfirmation {
    pub channel: String,
    pub channel_name: String,
    /// The post's first words.
    pub excerpt: String,
    pub at: i64,
}

/// How far back the dashboard looks for posts to confirm.
const PENDING_DAYS_MS: i64 = 30 * 86_400_000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffReply {
    pub author: String,
    pub text: String,
    pub at: i64,
}

#[derive(Clone, Debug)]
pub struct StaffPostView {
    pub public_id: String,
    pub author: String,
    pub version: i64,
    pub content: PostContent,
    pub ack_required: bool,
    pub created_at: i64,
    /// When the version shown was made (later than `created_at` if edited).
    pub version_at: i64,
    /// The reminder is still to go at this time.
    pub remind_at: Option<i64>,
    pub remind_after_hours: Option<u32>,
    /// Who confirmed this version, and when, in order.
    pub confirmed: Vec<(String, i64)>,
    /// Members this version reached who have not confirmed it.
    pub waiting: Vec<String>,
    /// Pushes of this version: made, still to make, refused by LINE.
    pub sent: usize,
    pub pending: usize,
    pub failed: usize,
    pub reminders_sent: usize,
    pub replies: Vec<StaffReply>,
    /// The signed-in person confirmed this version.
    pub confirmed_by_me: bool,
    /// The signed-in person may edit it (its author, or an admin).
    pub can_edit: bool,
}

fn roles_json(roles: &[Role]) -> String {
    serde_json::to_string(roles).unwrap_or_else(|_| "[]".into())
}

fn parse_roles(json: &str) -> Result<Vec<Role>, EngineError> {
    serde_json::from_str(json).map_err(|_| EngineError::Corrupt)
}

/// Whether a member belongs to a channel, by role or by person.
fn belongs(settings: &StaffChannelSettings, m: &StaffMemberRow) -> bool {
    Role::parse(&m.role).is_some_and(|r| settings.member_roles.contains(&r)) || settings.members.contains(&m.public_id)
}

/// A channel's settings as stored, its people named by public ID.
fn stored_settings(
    row: &store::StaffChannelRow,
    people: &[(i64, i64)],
    members: &[StaffMemberRow],
) -> Result<StaffChannelSettings, EngineError> {
    Ok(StaffChannelSettings {
        name: row.name.clone(),
        description: row.description.clone(),
        member_roles: parse_roles(&row.member_roles)?,
        members: members
            .iter()
            .filter(|m| people.iter().any(|(c, u)| *c == row.id && *u == m.user_id))
            .map(|m| m.public_id.clone())
            .collect(),
        poster_roles: parse_roles(&row.poster_roles)?,
    })
}

impl Engine {
    /// The channel, its settings and the clinic's members, for someone who
    /// may see it: a member, or whoever manages staff.
    async fn visible_channel(
        &self,
        actor: &Actor,
        channel: &str,
    ) -> Result<(store::StaffChannelRow, StaffChannelSettings, Vec<StaffMemberRow>), EngineError> {
        actor.require(Permission::ViewClinic)?;
        let row = self
            .db
            .staff_channel(actor.clinic_id, channel)
            .await?
            .ok_or(EngineError::NotFound)?;
        let members = self.db.staff_members(actor.clinic_id).await?;
        let people = self.db.staff_channel_people(actor.clinic_id).await?;
        let settings = stored_settings(&row, &people, &members)?;
        let member = members.iter().any(|m| m.user_id == actor.user_id && belongs(&settings, m));
        if !member && !actor.role.can(Permission::ManageStaff) {
            return Err(EngineError::NotFound);
        }
        Ok((row, settings, members))
    }

    /// The channels the signed-in person belongs to (all of them, for
    /// whoever manages staff), with how many members each has.
    pub async fn list_staff_channels(&self, actor: &Actor) -> Result<Vec<(StaffChannelView, usize)>, EngineError> {
        actor.require(Permission::ViewClinic)?;
        let members = self.db.staff_members(actor.clinic_id).await?;
        let people = self.db.staff_channel_people(actor.clinic_id).await?;
        let mut out = Vec::new();
        for row in self.db.staff_channels(actor.clinic_id).await? {
            let settings = stored_settings(&row, &people, &members)?;
            let mine = members.iter().any(|m| m.user_id == actor.user_id && belongs(&settings, m));
            if !mine && !actor.role.can(Permission::ManageStaff) {
                continue;
            }
            let count = members.iter().filter(|m| belongs(&settings, m)).count();
            out.push((self.channel_view(actor, &row, settings, &members, mine), count));
        }
        Ok(out)
    }

    fn channel_view(
        &self,
        actor: &Actor,
        row: &store::StaffChannelRow,
        settings: StaffChannelSettings,
        members: &[StaffMemberRow],
        mine: bool,
    ) -> StaffChannelView {
        let can_post = row.archived_at.is_none() && settings.may_post(actor.role) && (mine || actor.role.can(Permission::ManageStaff));
        StaffChannelView {
            public_id: row.public_id.clone(),
            archived: row.archived_at.is_some(),
            can_post,
            member: mine,
            can_manage: actor.role.can(Permission::ManageStaff),
            members: members
                .iter()
                .filter(|m| belongs(&settings, m))
                .map(|m| StaffMember {
                    public_id: m.public_id.clone(),
                    name: m.display_name.clone(),
                    role: Role::parse(&m.role).unwrap_or(Role::Viewer),
                    linked: m.line_user_id.is_some(),
                })
                .collect(),
            settings,
        }
    }

    pub async fn staff_channel(&self, actor: &Actor, channel: &str) -> Result<StaffChannelView, EngineError> {
        let (row, settings, members) = self.visible_channel(actor, channel).await?;
        let mine = members.iter().any(|m| m.user_id == actor.user_id && belongs(&settings, m));
        Ok(self.channel_view(actor, &row, settings, &members, mine))
    }

    /// Everyone in the clinic a channel could name (for its settings page).
    pub async fn staff_directory(&self, actor: &Actor) -> Result<Vec<StaffMember>, EngineError> {
        actor.require(Permission::ManageStaff)?;
        Ok(self
            .db
            .staff_members(actor.clinic_id)
            .await?
            .into_iter()
            .map(|m| StaffMember {
                role: Role::parse(&m.role).unwrap_or(Role::Viewer),
                linked: m.line_user_id.is_some(),
                public_id: m.public_id,
                name: m.display_name,
            })
            .collect())
    }

    /// Creates a channel (`channel` None) or saves one; returns its ID.
    pub async fn save_staff_channel(
        &self,
        actor: &Actor,
        channel: Option<&str>,
        settings: &StaffChannelSettings,
    ) -> Result<String, EngineError> {
        actor.require(Permission::ManageStaff)?;
        let problems = settings.problems();
        if !problems.is_empty() {
            return Err(EngineError::InvalidStaffChannel(problems));
        }
        let members = self.db.staff_members(actor.clinic_id).await?;
        // People are named by public ID; only this clinic's members count.
        let mut people = Vec::new();
        for p in &settings.members {
            let m = members.iter().find(|m| &m.public_id == p).ok_or(EngineError::NotFound)?;
            if !people.contains(&m.user_id) {
                people.push(m.user_id);
            }
        }
        let existing = match channel {
            Some(c) => Some(self.db.staff_channel(actor.clinic_id, c).await?.ok_or(EngineError::NotFound)?),
            None => None,
        };
        let new_id = public_id();
        let public = existing.as_ref().map_or(new_id.clone(), |r| r.public_id.clone());
        let action = if existing.is_some() {
            "staff_channel.save"
        } else {
            "staff_channel.create"
        };
        let audit = self.audit(crate::audit::Event::by(
            actor,
            action,
            public.clone(),
            settings.name.trim().to_string(),
        ));
        let write = store::StaffChannelWrite {
            name: settings.name.trim(),
            description: settings.description.trim(),
            member_roles: &roles_json(&settings.member_roles),
            poster_roles: &roles_json(&settings.poster_roles),
            people: &people,
        };
        match self
            .db
            .save_staff_channel(
                actor.clinic_id,
                existing.as_ref().map(|r| r.id),
                &new_id,
                &write,
                self.now_ms(),
                &audit,
            )
            .await
        {
            Ok(_) => Ok(public),
            Err(store::StoreError::Conflict) => Err(EngineError::StaffChannelNameTaken),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn archive_staff_channel(&self, actor: &Actor, channel: &str) -> Result<(), EngineError> {
        actor.require(Permission::ManageStaff)?;
        let row = self
            .db
            .staff_channel(actor.clinic_id, channel)
            .await?
            .ok_or(EngineError::NotFound)?;
        let audit = self.audit(crate::audit::Event::by(
            actor,
            "staff_channel.archive",
            row.public_id.clone(),
            row.name.clone(),
        ));
        self.db.archive_staff_channel(row.id, self.now_ms(), &audit).await?;
        Ok(())
    }

    /// What in a post's text looks like a patient's data: the clinic's
    /// patient friends' stored names and numbers (never staff's own), a
    /// 診察券番号, a date of birth.
    pub(crate) async fn patient_data_in(&self, clinic_id: i64, text: &str) -> Result<Vec<PatientDataHint>, EngineError> {
        let patients = self.db.patient_identifiers(clinic_id).await?;
        let names = patients
            .iter()
            .flat_map(|(name, kana, _)| [name.as_str(), kana.as_str()])
            .filter(|n| !n.trim().is_empty());
        let numbers = patients.iter().map(|(_, _, n)| n.as_str()).filter(|n| !n.is_empty());
        Ok(patient_data_hints(text, names, numbers))
    }

    /// Who a post in this channel reaches, worked out from memberships and
    /// staff links only: (user, LINE user).
    fn recipients_of(settings: &StaffChannelSettings, members: &[StaffMemberRow]) -> Vec<(i64, String)> {
        members
            .iter()
            .filter(|m| belongs(settings, m))
            .filter_map(|m| m.line_user_id.clone().map(|l| (m.user_id, l)))
            .collect()
    }

    /// What sending this post would do: how many LINE pushes (the quota
    /// cost), who only sees it on the web, and patient-data warnings.
    pub async fn preview_staff_post(&self, actor: &Actor, channel: &str, content: &PostContent) -> Result<StaffPostPreview, EngineError> {
        let (_, settings, members) = self.visible_channel(actor, channel).await?;
        let recipients = Self::recipients_of(&settings, &members).len();
        let unlinked = members
            .iter()
            .filter(|m| belongs(&settings, m) && m.line_user_id.is_none())
            .map(|m| m.display_name.clone())
            .collect();
        let quota_left = self
            .quota_status(actor.clinic_id)
            .await?
            .left_for(model::broadcast::Purpose::Operational);
        Ok(StaffPostPreview {
            recipients,
            unlinked,
            quota_left,
            hints: self.patient_data_in(actor.clinic_id, &content.text).await?,
        })
    }

    /// The checks every post and every edit passes: LINE's limits, a
    /// picture LINE can fetch, patient-data warnings seen, the quota.
    async fn check_staff_post(&self, actor: &Actor, req: &PostRequest, pushes: usize) -> Result<(), EngineError> {
        let problems = req.problems();
        if !problems.is_empty() {
            return Err(EngineError::InvalidStaffPost(problems));
        }
        if let Some(url) = &req.content.image {
            let picture = picture(url);
            let problems = picture.problems();
            if !problems.is_empty() {
                return Err(EngineError::InvalidBundle(problems));
            }
            self.check_pictures_reachable(actor.clinic_id, &picture).await?;
        }
        if !req.despite_warnings {
            let hints = self.patient_data_in(actor.clinic_id, &req.content.text).await?;
            if !hints.is_empty() {
                return Err(EngineError::PatientDataWarning(hints));
            }
        }
        let left = self
            .quota_status(actor.clinic_id)
            .await?
            .left_for(model::broadcast::Purpose::Operational);
        if let Some(left) = left {
            if (pushes as i64) > left {
                return Err(EngineError::QuotaShortfall {
                    needed: pushes as i64,
                    left,
                });
            }
        }
        Ok(())
    }

    /// Sends a post to every member's LINE (and the feed). Returns its ID.
    pub async fn send_staff_post(&self, actor: &Actor, channel: &str, req: &PostRequest) -> Result<String, EngineError> {
        let (row, settings, members) = self.visible_channel(actor, channel).await?;
        let mine = members.iter().any(|m| m.user_id == actor.user_id && belongs(&settings, m));
        let view = self.channel_view(actor, &row, settings.clone(), &members, mine);
        if row.archived_at.is_some() {
            return Err(EngineError::StaffChannelArchived);
        }
        if !view.can_post {
            return Err(EngineError::Forbidden);
        }
        let recipients: Vec<(i64, String, String)> = Self::recipients_of(&settings, &members)
            .into_iter()
            .map(|(u, l)| (u, l, uuid_v4()))
            .collect();
        self.check_staff_post(actor, req, recipients.len()).await?;
        let content = serde_json::to_string(&req.content).map_err(|_| EngineError::Corrupt)?;
        let post = public_id();
        let audit = self.audit(crate::audit::Event::by(
            actor,
            "staff_post.send",
            post.clone(),
            format!("{} recipients", recipients.len()),
        ));
        let remind_after_ms = req
            .remind_after_hours
            .filter(|_| req.ack_required)
            .map(|h| i64::from(h) * 3_600_000);
        let write = StaffPostWrite {
            content: &content,
            author_user_id: actor.user_id,
            recipients: &recipients,
            now: self.now_ms(),
        };
        self.db
            .create_staff_post(actor.clinic_id, row.id, &post, req.ack_required, remind_after_ms, &write, &audit)
            .await?;
        self.staff_post_signal.notify_one();
        Ok(post)
    }

    /// A new version of a sent post: pushed again to the members, asking
    /// again for their confirmation (they confirm the version they read).
    pub async fn edit_staff_post(&self, actor: &Actor, post: &str, version: i64, req: &PostRequest) -> Result<(), EngineError> {
        actor.require(Permission::ViewClinic)?;
        let row = self.db.staff_post(actor.clinic_id, post).await?.ok_or(EngineError::NotFound)?;
        if row.author_user_id != actor.user_id && !actor.role.can(Permission::ManageStaff) {
            return Err(EngineError::Forbidden);
        }
        let channel = self.db.staff_channel_by_id(row.channel_id).await?.ok_or(EngineError::NotFound)?;
        if channel.archived_at.is_some() {
            return Err(EngineError::StaffChannelArchived);
        }
        let (_, settings, members) = self.visible_channel(actor, &channel.public_id).await?;
        let recipients: Vec<(i64, String, String)> = Self::recipients_of(&settings, &members)
            .into_iter()
            .map(|(u, l)| (u, l, uuid_v4()))
            .collect();
        // The acknowledgement setting stays the post's own.
        let req = PostRequest {
            ack_required: row.ack_required != 0,
            remind_after_hours: row.remind_after_ms.map(|ms| (ms / 3_600_000) as u32),
            ..req.clone()
        };
        self.check_staff_post(actor, &req, recipients.len()).await?;
        let content = serde_json::to_string(&req.content).map_err(|_| EngineError::Corrupt)?;
        let audit = self.audit(crate::audit::Event::by(
            actor,
            "staff_post.edit",
            row.public_id.clone(),
            format!("version {}", version + 1),
        ));
        let write = StaffPostWrite {
            content: &content,
            author_user_id: actor.user_id,
            recipients: &recipients,
            now: self.now_ms(),
        };
        if !self.db.revise_staff_post(actor.clinic_id, row.id, version, &write, &audit).await? {
            return Err(EngineError::StaffPostChangedMeanwhile);
        }
        self.staff_post_signal.notify_one();
        Ok(())
    }

    /// A channel's feed, newest first, with who confirmed each post.
    pub async fn staff_feed(&self, actor: &Actor, channel: &str) -> Result<Vec<StaffPostView>, EngineError> {
        let (row, _, members) = self.visible_channel(actor, channel).await?;
        let posts = self.db.staff_posts(row.id, FEED_POSTS).await?;
        self.post_views(actor, posts, &members).await
    }

    async fn post_views(
        &self,
        actor: &Actor,
        posts: Vec<StaffPostRow>,
        members: &[StaffMemberRow],
    ) -> Result<Vec<StaffPostView>, EngineError> {
        let ids: Vec<i64> = posts.iter().map(|p| p.id).collect();
        let deliveries = self.db.staff_delivery_states(&ids).await?;
        let acks = self.db.staff_acks(&ids).await?;
        let replies = self.db.staff_replies(&ids).await?;
        let name_of = |user: i64| {
            members
                .iter()
                .find(|m| m.user_id == user)
                .map_or_else(|| "—".to_string(), |m| m.display_name.clone())
        };
        let mut out = Vec::with_capacity(posts.len());
        for p in posts {
            let content: PostContent = serde_json::from_str(&p.content).map_err(|_| EngineError::Corrupt)?;
            let mine = deliveries.iter().filter(|d| d.post_id == p.id && d.version == p.version);
            let pushes = mine.clone().filter(|d| d.kind == "post");
            let count = |status: &str| pushes.clone().filter(|d| d.status == status).count();
            let confirmed_rows: Vec<_> = acks.iter().filter(|a| a.post_id == p.id && a.version == p.version).collect();
            let confirmed_users: Vec<i64> = confirmed_rows.iter().map(|a| a.user_id).collect();
            let mut reached: Vec<i64> = pushes.clone().filter(|d| d.status != "dropped").map(|d| d.user_id).collect();
            reached.dedup();
            out.push(StaffPostView {
                public_id: p.public_id.clone(),
                author: p.author_name.clone(),
                version: p.version,
                ack_required: p.ack_required != 0,
                created_at: p.created_at,
                version_at: p.version_at,
                remind_at: p.remind_at,
                remind_after_hours: p.remind_after_ms.map(|ms| (ms / 3_600_000) as u32),
                confirmed: confirmed_rows.iter().map(|a| (name_of(a.user_id), a.at)).collect(),
                waiting: reached
                    .iter()
                    .filter(|u| !confirmed_users.contains(u))
                    .map(|u| name_of(*u))
                    .collect(),
                sent: count("sent"),
                pending: count("pending"),
                failed: count("failed"),
                reminders_sent: mine.filter(|d| d.kind == "reminder" && d.status == "sent").count(),
                replies: replies
                    .iter()
                    .filter(|r| r.post_id == p.id)
                    .map(|r| StaffReply {
                        author: r.author_name.clone(),
                        text: r.text.clone(),
                        at: r.at,
                    })
                    .collect(),
                confirmed_by_me: confirmed_users.contains(&actor.user_id),
                can_edit: p.author_user_id == actor.user_id || actor.role.can(Permission::ManageStaff),
                content,
            });
        }
        Ok(out)
    }

    /// The signed-in member confirms the version they see, on the page.
    pub async fn acknowledge_staff_post(&self, actor: &Actor, post: &str, version: i64) -> Result<(), EngineError> {
        actor.require(Permission::ViewClinic)?;
        let row = self.db.staff_post(actor.clinic_id, post).await?.ok_or(EngineError::NotFound)?;
        let channel = self.db.staff_channel_by_id(row.channel_id).await?.ok_or(EngineError::NotFound)?;
        let (_, settings, members) = self.visible_channel(actor, &channel.public_id).await?;
        if !members.iter().any(|m| m.user_id == actor.user_id && belongs(&settings, m)) {
            return Err(EngineError::Forbidden);
        }
        if version != row.version {
            return Err(EngineError::StaffPostChangedMeanwhile);
        }
        self.db.record_staff_ack(row.id, version, actor.user_id, self.now_ms()).await?;
        Ok(())
    }

    /// Posts of the last 30 days in the signed-in member's channels that
    /// ask for a confirmation they have not given.
    pub async fn my_pending_confirmations(&self, actor: &Actor) -> Result<Vec<PendingConfirmation>, EngineError> {
        actor.require(Permission::ViewClinic)?;
        let since = self.now_ms() - PENDING_DAYS_MS;
        let posts = self.db.unconfirmed_staff_posts(actor.clinic_id, actor.user_id, since).await?;
        if posts.is_empty() {
            return Ok(Vec::new());
        }
        let members = self.db.staff_members(actor.clinic_id).await?;
        let Some(me) = members.iter().find(|m| m.user_id == actor.user_id) else {
            return Ok(Vec::new());
        };
        let people = self.db.staff_channel_people(actor.clinic_id).await?;
        let channels = self.db.staff_channels(actor.clinic_id).await?;
        let mut out = Vec::new();
        for p in posts {
            let Some(c) = channels.iter().find(|c| c.id == p.channel_id) else {
                continue;
            };
            if !belongs(&stored_settings(c, &people, &members)?, me) {
                continue;
            }
            let content: PostContent = serde_json::from_str(&p.content).map_err(|_| EngineError::Corrupt)?;
            out.push(PendingConfirmation {
                channel: c.public_id.clone(),
                channel_name: c.name.clone(),
                excerpt: content.text.chars().take(60).collect(),
                at: p.version_at,
            });
        }
        Ok(out)
    }

    /// The anonymous suggestions (職員の声), newest first: words and day only.
    pub async fn staff_voices(&self, actor: &Actor) -> Result<Vec<store::StaffVoiceRow>, EngineError> {
        actor.require(Permission::ManageStaff)?;
        Ok(self.db.staff_voices(actor.clinic_id).await?)
    }

    /// Ends the signed-in person's own LINE link in this clinic.
    pub async fn unlink_my_line(&self, actor: &Actor) -> Result<(), EngineError> {
        actor.require(Permission::ViewClinic)?;
        let audit = self.audit(crate::audit::Event::by(
            actor,
            "staff.line_unlinked",
            actor.email.clone(),
            String::new(),
        ));
        self.db.unlink_staff(actor.user_id, actor.clinic_id, self.now_ms(), &audit).await?;
        Ok(())
    }

    // ------------------------------------------------------------ from LINE

    /// A member tapped 確認しました in LINE: recorded for the version that
    /// push carried, if it was pushed to them. True when it was recorded.
    pub(crate) async fn acknowledge_from_line(&self, clinic_id: i64, user_id: i64, data: &str) -> Result<bool, EngineError> {
        let Some((post, version)) = parse_ack_data(data) else {
            return Ok(false);
        };
        let Some(row) = self.db.staff_post(clinic_id, post).await? else {
            return Ok(false);
        };
        let reached = self
            .db
            .staff_delivery_states(&[row.id])
            .await?
            .iter()
            .any(|d| d.version == version && d.user_id == user_id && d.status == "sent");
        if !reached {
            return Ok(false);
        }
        self.db.record_staff_ack(row.id, version, user_id, self.now_ms()).await?;
        Ok(true)
    }

    /// A member's LINE text lands under the post they were last sent.
    pub(crate) async fn staff_reply_from_line(&self, clinic_id: i64, user_id: i64, text: &str) -> Result<bool, EngineError> {
        let Some(post) = self.db.last_staff_post_to(clinic_id, user_id).await? else {
            return Ok(false);
        };
        self.db.add_staff_reply(post, user_id, text, self.now_ms()).await?;
        Ok(true)
    }

    // ------------------------------------------------------------ the worker

    /// Makes the reminders that are due, then pushes what waits; returns
    /// how many pushes were finished.
    pub async fn run_staff_posts_once(&self) -> Result<usize, EngineError> {
        let now = self.now_ms();
        for (post, version) in self.db.due_staff_reminders(now).await? {
            self.db.make_staff_reminder(post, version, &uuid_v4, now).await?;
        }
        if !self.db.any_staff_delivery_ready(now).await? {
            return Ok(0);
        }
        let claimed = self.db.claim_staff_deliveries(now, now + DELIVERY_LEASE_MS, 50).await?;
        let mut done = 0;
        for d in claimed {
            let status = self.push_staff_delivery(&d).await?;
            if let Some(status) = status {
                self.db.finish_staff_delivery(d.id, status, self.now_ms()).await?;
                done += 1;
            }
        }
        Ok(done)
    }

    /// One push. `None` leaves it waiting (LINE did not answer; the lease
    /// runs out and it is tried again under the same retry key).
    async fn push_staff_delivery(&self, d: &store::StaffDeliveryRow) -> Result<Option<&'static str>, EngineError> {
        // Checked again now: disabled or unlinked since the post was made,
        // or the LINE account changed, and it does not go.
        let still = self
            .db
            .staff_members(d.clinic_id)
            .await?
            .iter()
            .any(|m| m.user_id == d.user_id && m.line_user_id.as_deref() == Some(d.line_user_id.as_str()));
        if !still {
            return Ok(Some("dropped"));
        }
        let Some(post) = self.db.staff_post_by_id(d.post_id).await? else {
            return Ok(Some("dropped"));
        };
        let Some(content) = self.db.staff_post_version(d.post_id, d.version).await? else {
            return Ok(Some("dropped"));
        };
        let content: PostContent = serde_json::from_str(&content).map_err(|_| EngineError::Corrupt)?;
        let channel = self.db.staff_channel_by_id(post.channel_id).await?.ok_or(EngineError::NotFound)?;
        let messages = staff_messages(&channel.name, &post, d.version, &content, d.kind == "reminder", &self.public_url);
        let client = self.line_client(d.clinic_id).await?;
        match self
            .push_counted(
                d.clinic_id,
                &client,
                &d.line_user_id,
                &messages,
                &d.retry_key,
                OnFailure::KeepForRetry,
            )
            .await
        {
            Ok(()) => Ok(Some("sent")),
            Err(EngineError::LineSend(e)) if e.is_transient() => Ok(None),
            Err(EngineError::LineSend(_)) | Err(EngineError::QuotaShortfall { .. }) => Ok(Some("failed")),
            Err(e) => Err(e),
        }
    }
}

/// A post's picture as the composer's bundles carry one (the same checks
/// and the same uploads' addresses).
fn picture(url: &str) -> Bundle {
    Bundle {
        bubbles: vec![Bubble::Image {
            url: url.to_string(),
            preview_url: String::new(),
        }],
        quick_replies: Vec::new(),
    }
}

/// A post as LINE messages: the channel's name and the text (with its
/// links), the picture, and for a post to confirm, a button that says so.
fn staff_messages(
    channel: &str,
    post: &StaffPostRow,
    version: i64,
    content: &PostContent,
    reminder: bool,
    public_url: &str,
) -> Vec<line::message::Message> {
    use line::client::Action;
    use line::message::{Message, Template};
    let head = if reminder {
        format!("【{channel}・再通知】まだ確認されていないお知らせです。\n\n")
    } else if version > 1 {
        format!("【{channel}・内容変更】\n\n")
    } else {
        format!("【{channel}】\n\n")
    };
    let mut out = vec![Message::text(format!("{head}{}", content.line_text()))];
    if let Some(url) = &content.image {
        out.extend(crate::line_messages::to_line_messages(&picture(url), public_url));
    }
    if post.ack_required != 0 {
        out.push(Message::Template {
            alt_text: "確認をお願いします（確認しました）".into(),
            template: Template::Buttons {
                thumbnail_image_url: None,
                title: None,
                text: "読んだら「確認しました」を押してください。".into(),
                actions: vec![Action::Postback {
                    label: Some("確認しました".into()),
                    data: ack_data(&post.public_id, version),
                    display_text: Some("確認しました".into()),
                }],
            },
            quick_reply: None,
        });
    }
    out
}
