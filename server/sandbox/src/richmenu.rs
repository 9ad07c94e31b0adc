//! One channel's rich menus as LINE keeps them: menus with an immutable
//! image, aliases, the API default and per-user links.

use crate::ids;
use line::limits;
use line::limits::image_size;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};

pub struct RichMenu {
    pub id: String,
    /// The object as created (without `richMenuId`).
    pub body: Value,
    pub image: Option<(String, Vec<u8>)>,
}

impl RichMenu {
    /// LINE's `RichMenuResponse`.
    pub fn response(&self) -> Value {
        let mut v = self.body.clone();
        v["richMenuId"] = json!(self.id);
        v
    }

    fn size(&self) -> (u32, u32) {
        let dim = |k: &str| self.body.pointer(&format!("/size/{k}")).and_then(Value::as_u64).unwrap_or(0) as u32;
        (dim("width"), dim("height"))
    }
}

#[derive(Default)]
pub struct RichMenus {
    pub menus: Vec<RichMenu>,
    /// alias ID → rich menu ID.
    pub aliases: BTreeMap<String, String>,
    pub default: Option<String>,
    /// user ID → rich menu ID.
    pub links: HashMap<String, String>,
    /// What LINE counts for its rich menu statistics: each time a person
    /// saw a menu (opened the chat) and each tap on an area.
    pub seen: Vec<MenuSeen>,
}

/// One impression (`area: None`) or one tap on the area at that index.
pub struct MenuSeen {
    pub menu: String,
    pub at_ms: i64,
    pub user: String,
    pub area: Option<usize>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum MenuError {
    NotFound,
    /// 400 with LINE's message.
    Invalid(&'static str),
}

impl RichMenus {
    pub fn get(&self, id: &str) -> Option<&RichMenu> {
        self.menus.iter().find(|m| m.id == id)
    }

    /// Stores a validated rich menu object.
    pub fn create(&mut self, body: Value) -> Result<String, MenuError> {
        if self.menus.len() >= limits::RICH_MENUS_PER_CHANNEL {
            return Err(MenuError::Invalid("The maximum number of rich menus has been reached"));
        }
        let id = format!("richmenu-{}", ids::token());
        self.menus.push(RichMenu {
            id: id.clone(),
            body,
            image: None,
        });
        Ok(id)
    }

    /// Attaches the image: once, JPEG or PNG, exactly the menu's size, ≤ 1 MB.
    pub fn set_image(&mut self, id: &str, content_type: &str, bytes: Vec<u8>) -> Result<(), MenuError> {
        let menu = self.menus.iter_mut().find(|m| m.id == id).ok_or(MenuError::NotFound)?;
        if menu.image.is_some() {
            return Err(MenuError::Invalid("An image has already been uploaded to the richmenu"));
        }
        if !matches!(content_type, "image/jpeg" | "image/png") {
            return Err(MenuError::Invalid("Unsupported Content-Type"));
        }
        if bytes.len() > limits::RICH_MENU_IMAGE_MAX_BYTES {
            return Err(MenuError::Invalid("The image size must be 1 MB or less"));
        }
        match image_size(&bytes) {
            None => Err(MenuError::Invalid("The image could not be read as JPEG or PNG")),
            Some(size) if size != menu.size() => Err(MenuError::Invalid("The image size does not match the rich menu size")),
            Some(_) => {
                menu.image = Some((content_type.to_string(), bytes));
                Ok(())
            }
        }
    }

    pub fn delete(&mut self, id: &str) -> Result<(), MenuError> {
        let before = self.menus.len();
        self.menus.retain(|m| m.id != id);
        if self.menus.len() == before {
            return Err(MenuError::NotFound);
        }
        self.links.retain(|_, m| m != id);
        self.aliases.retain(|_, m| m != id);
        if self.default.as_deref() == Some(id) {
            self.default = None;
        }
        Ok(())
    }

    /// Menus shown to users must have their image.
    fn usable(&self, id: &str) -> Result<(), MenuError> {
        match self.get(id) {
            None => Err(MenuError::NotFound),
            Some(m) if m.image.is_none() => Err(MenuError::Invalid("must upload richmenu image before applying it to user")),
            Some(_) => Ok(()),
        }
    }

    pub fn set_default(&mut self, id: &str) -> Result<(), MenuError> {
        self.usable(id)?;
        self.default = Some(id.to_string());
        Ok(())
    }

    pub fn link(&mut self, user_id: &str, id: &str) -> Result<(), MenuError> {
        self.usable(id)?;
        self.links.insert(user_id.to_string(), id.to_string());
        Ok(())
    }

    /// Counts an impression of the menu `user_id` sees.
    pub fn record_impression(&mut self, user_id: &str, at_ms: i64) {
        if let Some(menu) = self.shown_to(user_id).map(|m| m.id.clone()) {
            self.seen.push(MenuSeen {
                menu,
                at_ms,
                user: user_id.to_string(),
                area: None,
            });
        }
    }

    /// Counts a tap when `action` is an area of the menu `user_id` sees.
    pub fn record_tap(&mut self, user_id: &str, action: &Value, at_ms: i64) {
        let Some(m) = self.shown_to(user_id) else { return };
        let areas = m.body["areas"].as_array().cloned().unwrap_or_default();
        if let Some(i) = areas.iter().position(|a| a["action"] == *action) {
            let menu = m.id.clone();
            self.seen.push(MenuSeen {
                menu,
                at_ms,
                user: user_id.to_string(),
                area: Some(i),
            });
        }
    }

    /// LINE's rich menu statistics for one menu over JST days `from..=to`
    /// (`yyyyMMdd`), summed (`daily` false) or by day. Below 20 people
    /// tapping in all, only the menu's ID, as LINE answers.
    pub fn statistics(&self, id: &str, from: &str, to: &str, daily: bool, day_of: impl Fn(i64) -> String) -> Option<Value> {
        let m = self.get(id)?;
        let seen: Vec<(&MenuSeen, String)> = self
            .seen
            .iter()
            .filter(|e| e.menu == id)
            .map(|e| (e, day_of(e.at_ms)))
            .filter(|(_, d)| (from..=to).contains(&d.as_str()))
            .collect();
        let tappers: std::collections::HashSet<&str> = seen
            .iter()
            .filter(|(e, _)| e.area.is_some())
            .map(|(e, _)| e.user.as_str())
            .collect();
        if (tappers.len() as i64) < limits::INSIGHT_MIN_USERS {
            return Some(json!({ "richMenuId": id }));
        }
        let days: std::collections::BTreeSet<&str> = seen.iter().map(|(_, d)| d.as_str()).collect();
        let metrics = |pick: &dyn Fn(&MenuSeen) -> bool| -> Value {
            let count = |on: Option<&str>| {
                let hits: Vec<&MenuSeen> = seen
                    .iter()
                    .filter(|(e, d)| pick(e) && on.is_none_or(|x| x == d))
                    .map(|(e, _)| *e)
                    .collect();
                let users: std::collections::HashSet<&str> = hits.iter().map(|e| e.user.as_str()).collect();
                (hits.len(), users.len())
            };
            if daily {
                Value::Array(
                    days.iter()
                        .map(|d| {
                            let (c, u) = count(Some(d));
                            json!({"date": d, "count": c, "uniqueUsers": u})
                        })
                        .collect(),
                )
            } else {
                let (c, u) = count(None);
                json!({"count": c, "uniqueUsers": u})
            }
        };
        let areas = m.body["areas"].as_array().cloned().unwrap_or_default();
        let clicks: Vec<Value> = areas
            .iter()
            .enumerate()
            .map(|(i, a)| json!({"bounds": a["bounds"], "metrics": metrics(&|e: &MenuSeen| e.area == Some(i))}))
            .collect();
        Some(json!({
            "richMenuId": id,
            "metricsFrom": days.first().copied().unwrap_or(from),
            "metricsTo": days.last().copied().unwrap_or(to),
            "impression": {"metrics": metrics(&|e: &MenuSeen| e.area.is_none())},
            "clicks": clicks,
        }))
    }

    /// What a user sees: their own link, else the API default.
    pub fn shown_to(&self, user_id: &str) -> Option<&RichMenu> {
        self.links.get(user_id).or(self.default.as_ref()).and_then(|id| self.get(id))
    }

    pub fn put_alias(&mut self, alias: &str, menu: &str, create: bool) -> Result<(), MenuError> {
        if !limits::is_rich_menu_alias_id(alias) {
            return Err(MenuError::Invalid("richMenuAliasId is invalid"));
        }
        match (create, self.aliases.contains_key(alias)) {
            (true, true) => return Err(MenuError::Invalid("conflict richmenu alias id")),
            (false, false) => return Err(MenuError::NotFound),
            (true, false) if self.aliases.len() >= limits::RICH_MENU_ALIASES_PER_CHANNEL => {
                return Err(MenuError::Invalid("The maximum number of rich menu aliases has been reached"))
            }
            _ => {}
        }
        self.usable(menu)?;
        self.aliases.insert(alias.to_string(), menu.to_string());
        Ok(())
    }

    /// A `richmenuswitch` tap: the user's menu becomes the alias's menu.
    /// Returns LINE's `params.status`.
    pub fn switch(&mut self, user_id: &str, alias: &str) -> &'static str {
        match self.aliases.get(alias).cloned() {
            None => "RICHMENU_ALIAS_ID_NOTFOUND",
            Some(menu) if self.get(&menu).is_none() => "RICHMENU_NOTFOUND",
            Some(menu) => {
                self.links.insert(user_id.to_string(), menu);
                "SUCCESS"
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        b.extend(w.to_be_bytes());
        b.extend(h.to_be_bytes());
        b
    }

    fn menu() -> Value {
        json!({"size": {"width": 2500, "height": 843}, "selected": false, "name": "n", "chatBarText": "c", "areas": []})
    }

    #[test]
    fn image_is_checked_and_immutable() {
        let mut r = RichMenus::default();
        let id = r.create(menu()).unwrap();
        assert_eq!(
            r.link("U1", &id),
            Err(MenuError::Invalid("must upload richmenu image before applying it to user"))
        );
        assert!(matches!(r.set_image(&id, "image/png", png(2500, 1686)), Err(MenuError::Invalid(_))));
        assert!(matches!(r.set_image(&id, "image/gif", png(2500, 843)), Err(MenuError::Invalid(_))));
        let mut big = png(2500, 843);
        big.resize(limits::RICH_MENU_IMAGE_MAX_BYTES + 1, 0);
        assert!(matches!(r.set_image(&id, "image/png", big), Err(MenuError::Invalid(_))));
        r.set_image(&id, "image/png", png(2500, 843)).unwrap();
        assert!(matches!(r.set_image(&id, "image/png", png(2500, 843)), Err(MenuError::Invalid(_))));
    }

    #[test]
    fn links_defaults_aliases_and_switches() {
        let mut r = RichMenus::default();
        let a = r.create(menu()).unwrap();
        let b = r.create(menu()).unwrap();
        for id in [&a, &b] {
            r.set_image(id, "image/png", png(2500, 843)).unwrap();
        }
        r.set_default(&a).unwrap();
        assert_eq!(r.shown_to("U1").unwrap().id, a);
        assert!(r.put_alias("Tab_B", &b, true).is_err(), "upper case is not allowed");
        r.put_alias("tab-b", &b, true).unwrap();
        assert_eq!(
            r.put_alias("tab-b", &a, true),
            Err(MenuError::Invalid("conflict richmenu alias id"))
        );
        assert_eq!(r.switch("U1", "tab-b"), "SUCCESS");
        assert_eq!(r.shown_to("U1").unwrap().id, b, "a per-user link beats the default");
        assert_eq!(r.shown_to("U2").unwrap().id, a);
        assert_eq!(r.switch("U1", "missing"), "RICHMENU_ALIAS_ID_NOTFOUND");
        r.delete(&b).unwrap();
        assert!(r.aliases.is_empty());
        assert_eq!(r.shown_to("U1").unwrap().id, a, "a deleted menu's links go with it");
    }
}
