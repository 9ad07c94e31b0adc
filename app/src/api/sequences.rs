//! ステップ配信: the clinic's sequences with their steps on a time axis,
//! what each step did, pausing and resuming. Each server function checks
//! the session and role, calls one engine function and maps its error.

use crate::errors::AppError;
#[cfg(feature = "ssr")]
use crate::ssr::{actor_with, engine};
use leptos::prelude::*;
use model::sequence::{Anchor, Stop, Trigger};
#[cfg(feature = "ssr")]
use model::Permission;
use serde::{Deserialize, Serialize};

/// One step as the timeline draws it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepItem {
    pub id: String,
    /// 「−3日 18:00」
    pub label: String,
    pub anchor: Anchor,
    /// Minutes from the anchor, for placing it on the axis (a clock time
    /// counts from the anchor's midnight).
    pub offset_minutes: i64,
    pub operational: bool,
    /// The first words of its first message.
    pub preview: String,
    /// What it does when reached besides its message.
    pub actions: Vec<model::automation::Action>,
    pub sent: i64,
    pub skipped: i64,
    /// Sent it, then blocked the account within 7 days.
    pub blocked_after: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SequenceItem {
    pub id: String,
    pub name: String,
    pub trigger: Trigger,
    pub stops: Vec<Stop>,
    pub paused: bool,
    /// Friends in it now.
    pub enrolled: i64,
    pub steps: Vec<StepItem>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SequencesDto {
    pub items: Vec<SequenceItem>,
    /// (public ID, name) of the tags, segments and departments the
    /// triggers and stops name.
    pub names: Vec<(String, String)>,
    pub can_design: bool,
}

#[server(endpoint = "sequences_list")]
pub async fn list_sequences() -> Result<SequencesDto, AppError> {
    let actor = actor_with(Permission::ViewClinic).await?;
    let engine = engine()?;
    let mut items = Vec::new();
    for s in engine.list_sequences(&actor).await? {
        let counts = engine.sequence_step_counts(&actor, &s.row.public_id).await?;
        let enrolled = engine.sequence_enrolled(&actor, &s.row.public_id).await?;
        let steps = s
            .steps
            .iter()
            .map(|st| {
                let (sent, skipped, blocked_after) = counts
                    .iter()
                    .find(|c| c.step == st.id)
                    .map(|c| (c.sent, c.skipped, c.blocked_after))
                    .unwrap_or((0, 0, 0));
                let t = st.timing;
                let offset_minutes = i64::from(t.days) * 24 * 60 + t.clock.map_or(i64::from(t.minutes), i64::from);
                StepItem {
                    id: st.id.clone(),
                    label: t.label(),
                    anchor: t.anchor,
                    offset_minutes,
                    operational: st.purpose == model::broadcast::Purpose::Operational,
                    preview: st
                        .bundle
                        .readable_texts()
                        .first()
                        .map(|(_, text)| text.chars().take(60).collect())
                        .unwrap_or_default(),
                    actions: st.actions.clone(),
                    sent,
                    skipped,
                    blocked_after,
                }
            })
            .collect();
        items.push(SequenceItem {
            id: s.row.public_id,
            name: s.row.name,
            paused: s.row.status == "paused",
            trigger: s.trigger,
            stops: s.stops,
            enrolled,
            steps,
        });
    }
    let (mut names, segments) = tag_and_segment_names(&engine, &actor).await?;
    names.extend(segments);
    names.extend(engine.list_departments(&actor).await?.into_iter().map(|d| (d.public_id, d.name)));
    names.extend(items.iter().map(|s| (s.id.clone(), s.name.clone())));
    Ok(SequencesDto {
        items,
        names,
        can_design: actor.role.can(Permission::DesignMarketing),
    })
}

#[server(endpoint = "sequence_paused")]
pub async fn set_sequence_paused(id: String, paused: bool) -> Result<(), AppError> {
    let actor = actor_with(Permission::DesignMarketing).await?;
    engine()?.set_sequence_paused(&actor, &id, paused).await?;
    Ok(())
}

/// One message a friend will receive, as their page lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PreviewDto {
    pub sequence: String,
    pub step: String,
    /// 「12月17日(木) 18:00」
    pub when: String,
    pub text: String,
    pub conditional: bool,
}

/// What the friend will receive from sequences over the next six months,
/// decided by the scheduler's own rule.
#[server(endpoint = "sequence_preview")]
pub async fn sequence_preview(friend: String) -> Result<Vec<PreviewDto>, AppError> {
    let actor = actor_with(Permission::ViewClinic).await?;
    Ok(engine()?
        .sequence_preview(&actor, &friend, 183)
        .await?
        .into_iter()
        .map(|p| PreviewDto {
            sequence: p.sequence,
            step: p.step,
            when: format!(
                "{} {}",
                model::appointment::jst_day_label(p.at),
                model::appointment::jst_time_label(p.at)
            ),
            text: p.text,
            conditional: p.conditional,
        })
        .collect())
}

/// One friend in a sequence, for its enrolment list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnrolmentItem {
    pub friend_id: String,
    pub friend_name: String,
    /// active, finished or stopped
    pub status: String,
    /// Why it stopped (blocked, tag_added, segment_left, manual), or the
    /// appointment's state when that ended it (cancelled, …).
    pub reason: String,
    /// 「12月17日(木) 18:00」: when its next step is due.
    pub next: Option<String>,
    pub steps_sent: i64,
}

#[server(endpoint = "sequence_enrolments")]
pub async fn sequence_enrolments(id: String) -> Result<Vec<EnrolmentItem>, AppError> {
    use model::appointment::{jst_day_label, jst_time_label};
    let actor = actor_with(Permission::ViewClinic).await?;
    Ok(engine()?
        .sequence_enrolments(&actor, &id)
        .await?
        .into_iter()
        .map(|e| {
            let appointment_ended = matches!(e.appointment_status.as_deref(), Some("cancelled" | "no_show" | "visited"));
            EnrolmentItem {
                friend_id: e.friend_public_id,
                friend_name: e.display_name,
                reason: if !e.stop_reason.is_empty() {
                    e.stop_reason
                } else if appointment_ended {
                    e.appointment_status.unwrap_or_default()
                } else {
                    String::new()
                },
                status: e.status,
                next: e.next_due_at.map(|at| format!("{} {}", jst_day_label(at), jst_time_label(at))),
                steps_sent: e.steps_sent,
            }
        })
        .collect())
}

/// Takes one friend out of a sequence by hand.
#[server(endpoint = "sequence_unenrol")]
pub async fn unenrol_friend(sequence: String, friend: String) -> Result<(), AppError> {
    let actor = actor_with(Permission::HandlePatients).await?;
    engine()?.unenrol_friend(&actor, &sequence, &friend).await?;
    Ok(())
}

/// One step as the timeline editor holds it. `id` empty: a new step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepForm {
    pub id: String,
    pub timing: model::sequence::StepTiming,
    pub purpose: model::broadcast::Purpose,
    pub condition: Option<model::sequence::StepCondition>,
    pub bundle: model::message::Bundle,
    /// What the step does when reached, besides its message (tags, fields,
    /// another sequence).
    #[serde(default)]
    pub actions: Vec<model::automation::Action>,
}

/// A sequence as the timeline editor holds it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SequenceForm {
    pub name: String,
    pub trigger: Trigger,
    pub stops: Vec<Stop>,
    pub steps: Vec<StepForm>,
}

impl Default for SequenceForm {
    fn default() -> Self {
        SequenceForm {
            name: String::new(),
            trigger: Trigger::AppointmentBooked { department: None },
            stops: vec![],
            steps: vec![],
        }
    }
}

/// What the editor can name: the clinic's tags, saved segments (for the
/// trigger) and sequences (for a step's actions), (public ID, name) each.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EditorChoices {
    pub tags: Vec<(String, String)>,
    pub segments: Vec<(String, String)>,
    pub sequences: Vec<(String, String)>,
}

/// The clinic's tags and saved segments, (public ID, name) each: what a
/// trigger, a stop or a step's action may name.
#[cfg(feature = "ssr")]
async fn tag_and_segment_names(
    engine: &engine::Engine,
    actor: &engine::Actor,
) -> Result<(Vec<(String, String)>, Vec<(String, String)>), AppError> {
    let tags = engine
        .tag_choices(actor)
        .await?
        .into_iter()
        .map(|t| (t.public_id, t.name))
        .collect();
    let segments = engine
        .list_segments(actor)
        .await?
        .into_iter()
        .map(|s| (s.public_id, s.name))
        .collect();
    Ok((tags, segments))
}

#[server(endpoint = "sequence_editor_choices")]
pub async fn load_editor_choices() -> Result<EditorChoices, AppError> {
    let actor = actor_with(Permission::DesignMarketing).await?;
    let engine = engine()?;
    let (tags, segments) = tag_and_segment_names(&engine, &actor).await?;
    Ok(EditorChoices {
        tags,
        segments,
        sequences: engine
            .list_sequences(&actor)
            .await?
            .into_iter()
            .map(|s| (s.row.public_id, s.row.name))
            .collect(),
    })
}

/// The sequence to edit (`id` empty: a new one); `copy`: a duplicate to
/// save as new (its steps get new identities, its name says it is a copy).
#[server(endpoint = "sequence_form")]
pub async fn load_sequence_form(id: String, copy: bool) -> Result<SequenceForm, AppError> {
    let actor = actor_with(Permission::DesignMarketing).await?;
    if id.is_empty() {
        return Ok(SequenceForm::default());
    }
    let v = engine()?.sequence_view(&actor, &id).await?;
    Ok(SequenceForm {
        name: if copy {
            format!("{}（コピー）", v.row.name)
        } else {
            v.row.name
        },
        trigger: v.trigger,
        stops: v.stops,
        steps: v
            .steps
            .into_iter()
            .map(|s| StepForm {
                id: if copy { String::new() } else { s.id },
                timing: s.timing,
                purpose: s.purpose,
                condition: s.condition,
                bundle: s.bundle,
                actions: s.actions,
            })
            .collect(),
    })
}

/// Saves the editor's sequence (`id` empty: a new one); returns its ID.
#[server(endpoint = "sequence_save", input = leptos::server_fn::codec::Json)]
pub async fn save_sequence(id: String, form: SequenceForm) -> Result<String, AppError> {
    let actor = actor_with(Permission::DesignMarketing).await?;
    let draft = engine::sequences::SequenceDraft {
        name: form.name,
        trigger: form.trigger,
        stops: form.stops,
        steps: form
            .steps
            .into_iter()
            .map(|s| engine::sequences::StepDraft {
                id: s.id,
                timing: s.timing,
                purpose: s.purpose,
                condition: s.condition,
                // A step that acts and whose box was left empty has no
                // message: an empty text is not one.
                bundle: if !s.actions.is_empty()
                    && s.bundle
                        .bubbles
                        .iter()
                        .all(|b| matches!(b, model::message::Bubble::Text { text } if text.trim().is_empty()))
                {
                    model::message::Bundle::texts(&[])
                } else {
                    s.bundle
                },
                actions: s.actions,
            })
            .collect(),
    };
    let existing = (!id.is_empty()).then_some(id.as_str());
    Ok(engine()?.save_sequence(&actor, existing, &draft).await?)
}

/// Enrols every friend of a saved segment; returns how many joined.
#[server(endpoint = "sequence_enrol_segment")]
pub async fn enrol_segment(sequence: String, segment: String) -> Result<usize, AppError> {
    let actor = actor_with(Permission::DesignMarketing).await?;
    Ok(engine()?.enrol_segment(&actor, &sequence, &segment).await?)
}
