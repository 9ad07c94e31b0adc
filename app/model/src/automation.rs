//! Automations (if this, then that): a trigger, an optional segment
//! condition, and actions. Shared by the editor in the browser and the
//! engine, so both refuse the same automations for the same reasons —
//! including loops, where one automation's action would trigger itself
//! again through others.

use crate::segment::{Catalog, Refusal, Rule, Value};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// At most this many actions per automation.
pub const ACTIONS_MAX: usize = 10;
/// A keyword, postback data or message text longer than LINE allows is refused.
pub const KEYWORD_MAX: usize = 100;
pub const POSTBACK_DATA_MAX: usize = 300;
pub const MESSAGE_TEXT_MAX: usize = 5000;
/// How deep a chain (an automation's tag triggering another) may run when
/// executed; a second guard behind the loop check made when saving.
pub const CHAIN_DEPTH_MAX: i64 = 5;

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "on", rename_all = "snake_case")]
pub enum Trigger {
    /// Added as a friend for the first time (through a route of its own
    /// greeting, that route's automation answers instead).
    Followed,
    /// Added as a friend through this inflow route (流入経路, by public
    /// ID): the route's own greeting and actions.
    FollowedViaRoute {
        route: String,
    },
    /// Opened a tracked link to this address (any, when empty).
    LinkClicked {
        #[serde(default)]
        url: String,
    },
    /// Unblocked the account.
    Unblocked,
    /// A text message: equal to the keyword, or (not `exact`) containing it.
    Keyword {
        keyword: String,
        exact: bool,
    },
    /// A postback (a button or rich menu tap) with exactly this data.
    Postback {
        data: String,
    },
    TagAdded {
        tag: String,
    },
    TagRemoved {
        tag: String,
    },
    FieldChanged {
        field: String,
    },
}

/// What happened to a friend, that automations may answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "on", rename_all = "snake_case")]
pub enum Happening {
    Followed,
    /// A first follow through an inflow route; `own_greeting`: the route's
    /// automation is on, so it answers instead of the usual greeting.
    FollowedViaRoute {
        route: String,
        own_greeting: bool,
    },
    LinkClicked {
        url: String,
    },
    Unblocked,
    Message {
        text: String,
    },
    Postback {
        data: String,
    },
    TagAdded {
        tag: String,
    },
    TagRemoved {
        tag: String,
    },
    FieldChanged {
        field: String,
    },
}

impl Happening {
    /// The kind, shared with [`Trigger::kind`]: an event is queued only
    /// when an automation of its kind exists.
    pub fn kind(&self) -> &'static str {
        match self {
            // One kind for every follow: a route's follower may get the
            // usual greeting.
            Happening::Followed | Happening::FollowedViaRoute { .. } => "followed",
            Happening::LinkClicked { .. } => "link_clicked",
            Happening::Unblocked => "unblocked",
            Happening::Message { .. } => "message",
            Happening::Postback { .. } => "postback",
            Happening::TagAdded { .. } => "tag_added",
            Happening::TagRemoved { .. } => "tag_removed",
            Happening::FieldChanged { .. } => "field_changed",
        }
    }
}

impl Trigger {
    pub fn kind(&self) -> &'static str {
        match self {
            Trigger::Followed | Trigger::FollowedViaRoute { .. } => "followed",
            Trigger::LinkClicked { .. } => "link_clicked",
            Trigger::Unblocked => "unblocked",
            Trigger::Keyword { .. } => "message",
            Trigger::Postback { .. } => "postback",
            Trigger::TagAdded { .. } => "tag_added",
            Trigger::TagRemoved { .. } => "tag_removed",
            Trigger::FieldChanged { .. } => "field_changed",
        }
    }

    /// Whether this trigger fires on what happened. Keywords ignore
    /// surrounding spaces and the width of letters and digits (全角/半角).
    pub fn fires_on(&self, h: &Happening) -> bool {
        match (self, h) {
            (Trigger::Followed, Happening::Followed) | (Trigger::Unblocked, Happening::Unblocked) => true,
            (Trigger::Followed, Happening::FollowedViaRoute { own_greeting, .. }) => !own_greeting,
            (Trigger::FollowedViaRoute { route }, Happening::FollowedViaRoute { route: got, .. }) => route == got,
            (Trigger::LinkClicked { url }, Happening::LinkClicked { url: got }) => url.trim().is_empty() || url.trim() == got,
            (Trigger::Keyword { keyword, exact }, Happening::Message { text }) => {
                let (k, t) = (fold_width(keyword.trim()), fold_width(text.trim()));
                if *exact {
                    t == k
                } else {
                    t.contains(&k)
                }
            }
            (Trigger::Postback { data }, Happening::Postback { data: got }) => data == got,
            (Trigger::TagAdded { tag }, Happening::TagAdded { tag: got })
            | (Trigger::TagRemoved { tag }, Happening::TagRemoved { tag: got }) => tag == got,
            (Trigger::FieldChanged { field }, Happening::FieldChanged { field: got }) => field == got,
            _ => false,
        }
    }
}

/// Full-width ASCII (Ａ, １, ！) as half-width, and Latin letters in lower
/// case, so 「予約」 typed either way matches.
fn fold_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "snake_case")]
pub enum Action {
    AddTag {
        tag: String,
    },
    RemoveTag {
        tag: String,
    },
    /// An empty list clears the field.
    SetField {
        field: String,
        values: Vec<Value>,
    },
    /// Free reply while the event's reply token is fresh; otherwise a push.
    Reply {
        text: String,
    },
    /// A push message (counted against the month's quota).
    Push {
        text: String,
    },
    /// Enrols the friend in a step sequence (by public ID).
    StartSequence {
        sequence: String,
    },
    /// Takes the friend out of a step sequence.
    StopSequence {
        sequence: String,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Automation {
    pub trigger: Trigger,
    /// Only friends matching this rule are acted on.
    #[serde(default)]
    pub condition: Option<Rule>,
    pub actions: Vec<Action>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    NoActions,
    TooManyActions,
    UnknownTag,
    UnknownField,
    /// The step sequence an action names does not exist.
    UnknownSequence,
    EmptyText,
    TextTooLong,
    /// A link trigger's address is not a web address.
    BadUrl,
    /// The condition's own refusals.
    Condition(Vec<Refusal>),
    /// Saving it would make automations trigger each other in a circle; the
    /// names are the automations in the circle.
    Loop(Vec<String>),
}

/// Where a problem is: `trigger`, `condition` or `actions.N`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutomationProblem {
    pub at: String,
    pub problem: Problem,
}

fn text_problem(text: &str, max: usize) -> Option<Problem> {
    if text.trim().is_empty() {
        Some(Problem::EmptyText)
    } else if text.encode_utf16().count() > max {
        Some(Problem::TextTooLong)
    } else {
        None
    }
}

impl Trigger {
    /// The trigger fired by an action, if any (what makes chains and loops).
    fn fired_by(action: &Action) -> Option<Trigger> {
        match action {
            Action::AddTag { tag } => Some(Trigger::TagAdded { tag: tag.clone() }),
            Action::RemoveTag { tag } => Some(Trigger::TagRemoved { tag: tag.clone() }),
            Action::SetField { field, .. } => Some(Trigger::FieldChanged { field: field.clone() }),
            Action::Reply { .. } | Action::Push { .. } | Action::StartSequence { .. } | Action::StopSequence { .. } => None,
        }
    }
}

impl Automation {
    /// Every problem of the automation on its own (loops need the others:
    /// see [`find_loop`]).
    pub fn validate(&self, catalog: &Catalog) -> Vec<AutomationProblem> {
        let mut out = Vec::new();
        let mut push = |at: String, problem| out.push(AutomationProblem { at, problem });
        let trigger_problem = match &self.trigger {
            Trigger::Keyword { keyword, .. } => text_problem(keyword, KEYWORD_MAX),
            Trigger::Postback { data } => text_problem(data, POSTBACK_DATA_MAX),
            Trigger::TagAdded { tag } | Trigger::TagRemoved { tag } => (!catalog.tags.contains(tag)).then_some(Problem::UnknownTag),
            Trigger::FieldChanged { field } => (!catalog.fields.contains_key(field)).then_some(Problem::UnknownField),
            Trigger::Followed | Trigger::Unblocked | Trigger::FollowedViaRoute { .. } => None,
            Trigger::LinkClicked { url } => (!url.trim().is_empty() && !crate::link::is_web_link(url.trim())).then_some(Problem::BadUrl),
        };
        if let Some(p) = trigger_problem {
            push("trigger".into(), p);
        }
        if let Some(rule) = &self.condition {
            let refusals = rule.validate(catalog);
            if !refusals.is_empty() {
                push("condition".into(), Problem::Condition(refusals));
            }
        }
        if self.actions.is_empty() {
            push("actions".into(), Problem::NoActions);
        }
        if self.actions.len() > ACTIONS_MAX {
            push("actions".into(), Problem::TooManyActions);
        }
        for (i, a) in self.actions.iter().enumerate() {
            if let Some(p) = a.problem(catalog) {
                push(format!("actions.{i}"), p);
            }
        }
        out
    }
}

impl Action {
    /// What is wrong with the action itself, as far as the clinic's tags
    /// and fields tell (an automation's and a sequence step's alike).
    pub fn problem(&self, catalog: &Catalog) -> Option<Problem> {
        match self {
            Action::AddTag { tag } | Action::RemoveTag { tag } => (!catalog.tags.contains(tag)).then_some(Problem::UnknownTag),
            // Whether the values fit the field is checked where the
            // field's choices are known (the engine).
            Action::SetField { field, .. } => (!catalog.fields.contains_key(field)).then_some(Problem::UnknownField),
            Action::Reply { text } | Action::Push { text } => text_problem(text, MESSAGE_TEXT_MAX),
            // The clinic's sequences are known where they are stored
            // (the engine).
            Action::StartSequence { .. } | Action::StopSequence { .. } => None,
        }
    }

    /// Whether a sequence step may carry it: a step's message is its own
    /// bubbles, so replies and pushes are not step actions.
    pub fn fits_a_step(&self) -> bool {
        !matches!(self, Action::Reply { .. } | Action::Push { .. })
    }
}

/// A circle of automations that would trigger each other forever, as the
/// keys of its members in order, or `None`. Keys are whatever identifies an
/// automation to the caller (an ID; a placeholder for one being edited).
pub fn find_loop<'a>(automations: &[(&'a str, &Automation)]) -> Option<Vec<&'a str>> {
    // An edge A → B when one of A's actions fires B's trigger.
    let edges: HashMap<&str, Vec<&str>> = automations
        .iter()
        .map(|(key, a)| {
            let fired: HashSet<Trigger> = a.actions.iter().filter_map(Trigger::fired_by).collect();
            let targets = automations
                .iter()
                .filter(|(_, b)| fired.contains(&b.trigger))
                .map(|(k, _)| *k)
                .collect();
            (*key, targets)
        })
        .collect();
    // Depth-first search with colours; the stack is the current path.
    #[derive(Clone, Copy, PartialEq)]
    enum Colour {
        White,
        Grey,
        Black,
    }
    let mut colour: HashMap<&str, Colour> = automations.iter().map(|(k, _)| (*k, Colour::White)).collect();
    fn visit<'a>(
        node: &'a str,
        edges: &HashMap<&'a str, Vec<&'a str>>,
        colour: &mut HashMap<&'a str, Colour>,
        path: &mut Vec<&'a str>,
    ) -> Option<Vec<&'a str>> {
        colour.insert(node, Colour::Grey);
        path.push(node);
        for next in edges.get(node).map(Vec::as_slice).unwrap_or_default() {
            match colour.get(next).copied().unwrap_or(Colour::White) {
                Colour::Grey => {
                    let start = path.iter().position(|p| p == next).unwrap_or(0);
                    return Some(path[start..].to_vec());
                }
                Colour::White => {
                    if let Some(found) = visit(next, edges, colour, path) {
                        return Some(found);
                    }
                }
                Colour::Black => {}
            }
        }
        path.pop();
        colour.insert(node, Colour::Black);
        None
    }
    for (key, _) in automations {
        if colour.get(key) == Some(&Colour::White) {
            let mut path = Vec::new();
            if let Some(found) = visit(key, &edges, &mut colour, &mut path) {
                return Some(found);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::{Condition, FieldType, Group, Join, Node, RULE_VERSION};

    fn catalog() -> Catalog {
        Catalog {
            tags: ["vaccine", "booked", "flu"].iter().map(|s| s.to_string()).collect(),
            fields: [("visits".to_string(), FieldType::Number)].into(),
        }
    }

    fn on_tag(tag: &str, adds: &[&str]) -> Automation {
        Automation {
            trigger: Trigger::TagAdded { tag: tag.into() },
            condition: None,
            actions: adds.iter().map(|t| Action::AddTag { tag: t.to_string() }).collect(),
        }
    }

    #[test]
    fn validation_names_every_problem_and_where() {
        let a = Automation {
            trigger: Trigger::Keyword {
                keyword: "  ".into(),
                exact: true,
            },
            condition: Some(Rule {
                version: RULE_VERSION,
                root: Group {
                    join: Join::All,
                    negate: false,
                    items: vec![Node::Condition(Condition::Tag {
                        tag: "nope".into(),
                        has: true,
                    })],
                },
            }),
            actions: vec![
                Action::AddTag { tag: "vaccine".into() },
                Action::RemoveTag { tag: "gone".into() },
                Action::SetField {
                    field: "age".into(),
                    values: vec![],
                },
                Action::Reply { text: "🍎".repeat(2501) },
                Action::Push { text: "".into() },
            ],
        };
        let found: Vec<(String, Problem)> = a.validate(&catalog()).into_iter().map(|p| (p.at, p.problem)).collect();
        assert_eq!(found[0], ("trigger".into(), Problem::EmptyText));
        assert!(matches!(&found[1], (at, Problem::Condition(r)) if at == "condition" && r.len() == 1));
        assert_eq!(
            found[2..].to_vec(),
            vec![
                ("actions.1".into(), Problem::UnknownTag),
                ("actions.2".into(), Problem::UnknownField),
                ("actions.3".into(), Problem::TextTooLong),
                ("actions.4".into(), Problem::EmptyText),
            ]
        );
        let none = Automation {
            trigger: Trigger::Followed,
            condition: None,
            actions: vec![],
        };
        assert_eq!(none.validate(&catalog())[0].problem, Problem::NoActions);
        assert!(on_tag("vaccine", &["booked"]).validate(&catalog()).is_empty());
    }

    #[test]
    fn a_circle_of_tags_is_a_loop_and_a_chain_is_not() {
        let a = on_tag("vaccine", &["booked"]);
        let b = on_tag("booked", &["flu"]);
        let c = on_tag("flu", &["vaccine"]);
        assert_eq!(find_loop(&[("a", &a), ("b", &b)]), None, "a chain ends");
        let found = find_loop(&[("a", &a), ("b", &b), ("c", &c)]).expect("a → b → c → a");
        assert_eq!(found.len(), 3);
        let me = on_tag("vaccine", &["vaccine"]);
        assert_eq!(find_loop(&[("me", &me)]), Some(vec!["me"]), "adding its own trigger tag");
        // Removing a tag fires "tag removed", not "tag added".
        let remove = Automation {
            trigger: Trigger::TagAdded { tag: "flu".into() },
            condition: None,
            actions: vec![Action::RemoveTag { tag: "flu".into() }],
        };
        assert_eq!(find_loop(&[("r", &remove)]), None);
        let field = Automation {
            trigger: Trigger::FieldChanged { field: "visits".into() },
            condition: None,
            actions: vec![Action::SetField {
                field: "visits".into(),
                values: vec![Value::Number(1.0)],
            }],
        };
        assert_eq!(find_loop(&[("f", &field)]), Some(vec!["f"]));
    }

    #[test]
    fn triggers_fire_on_what_they_name() {
        let exact = Trigger::Keyword {
            keyword: "予約".into(),
            exact: true,
        };
        let contains = Trigger::Keyword {
            keyword: "ＷＥＢ予約".into(),
            exact: false,
        };
        let said = |t: &str| Happening::Message { text: t.into() };
        assert!(exact.fires_on(&said(" 予約 ")));
        assert!(!exact.fires_on(&said("予約したい")));
        assert!(contains.fires_on(&said("web予約はできますか")));
        assert!(!contains.fires_on(&said("電話予約")));
        let pb = Trigger::Postback {
            data: "vaccine=flu".into(),
        };
        assert!(pb.fires_on(&Happening::Postback {
            data: "vaccine=flu".into()
        }));
        assert!(!pb.fires_on(&Happening::Postback {
            data: "vaccine=flu2".into()
        }));
        assert!(!pb.fires_on(&said("vaccine=flu")));
        let added = Trigger::TagAdded { tag: "t1".into() };
        assert!(added.fires_on(&Happening::TagAdded { tag: "t1".into() }));
        assert!(!added.fires_on(&Happening::TagRemoved { tag: "t1".into() }));
        assert!(Trigger::Followed.fires_on(&Happening::Followed));
        let via = |own_greeting| Happening::FollowedViaRoute {
            route: "poster".into(),
            own_greeting,
        };
        assert!(
            Trigger::Followed.fires_on(&via(false)),
            "a route without its own greeting: the usual one"
        );
        assert!(!Trigger::Followed.fires_on(&via(true)), "the route's greeting instead of the usual");
        let route = |r: &str| Trigger::FollowedViaRoute { route: r.into() };
        assert!(route("poster").fires_on(&via(true)));
        assert!(!route("leaflet").fires_on(&via(true)));
        assert!(!route("poster").fires_on(&Happening::Followed));
        assert!(!Trigger::Followed.fires_on(&Happening::Unblocked));
        for (t, h) in [
            (Trigger::Unblocked, Happening::Unblocked),
            (exact.clone(), said("x")),
            (pb, Happening::Postback { data: String::new() }),
            (
                Trigger::FieldChanged { field: "f".into() },
                Happening::FieldChanged { field: "f".into() },
            ),
        ] {
            assert_eq!(t.kind(), h.kind());
        }
    }

    #[test]
    fn round_trips_through_json() {
        let a = Automation {
            trigger: Trigger::Postback {
                data: "vaccine=flu".into(),
            },
            condition: None,
            actions: vec![
                Action::AddTag { tag: "vaccine".into() },
                Action::Reply {
                    text: "ご希望を承りました".into(),
                },
            ],
        };
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(serde_json::from_str::<Automation>(&json).unwrap(), a);
    }
}
