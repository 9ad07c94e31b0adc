//! Just enough of OpenAPI 3.0 to check LINE's shapes: operations by method
//! and path template, and JSON values against schemas ($ref, allOf,
//! oneOf/anyOf, discriminator, nullable, required, enum, lengths, sizes,
//! patterns, bounds).

use serde_json::Value;
use std::path::{Path, PathBuf};

/// LINE's OpenAPI files, read from `../shared/line-openapi` beside the
/// project (never copied into it). `LINE_OPENAPI_DIR` overrides.
pub fn spec_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("LINE_OPENAPI_DIR") {
        return PathBuf::from(dir);
    }
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    workspace
        .ancestors()
        .map(|a| a.join("shared/line-openapi"))
        .chain(std::iter::once(PathBuf::from("/work/shared/line-openapi")))
        .find(|p| p.join("messaging-api.yml").is_file())
        .expect("LINE's OpenAPI files are expected in ../shared/line-openapi beside the project (or set LINE_OPENAPI_DIR)")
}

pub struct Spec {
    docs: Vec<Value>,
}

pub struct Operation<'a> {
    pub doc: &'a Value,
    pub op: &'a Value,
    pub template: String,
}

impl Spec {
    pub fn load(files: &[&str]) -> Spec {
        let dir = spec_dir();
        let docs = files
            .iter()
            .map(|f| {
                let text = std::fs::read_to_string(dir.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
                serde_yaml::from_str::<Value>(&text).unwrap_or_else(|e| panic!("{f}: {e}"))
            })
            .collect();
        Spec { docs }
    }

    /// The operation for a request; static segments win over parameters.
    pub fn operation(&self, method: &str, path: &str) -> Option<Operation<'_>> {
        let segments: Vec<&str> = path.split('/').collect();
        let mut best: Option<(usize, Operation)> = None;
        for doc in &self.docs {
            let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
                continue;
            };
            for (template, item) in paths {
                let t: Vec<&str> = template.split('/').collect();
                if t.len() != segments.len() {
                    continue;
                }
                let mut statics = 0;
                let fits = t.iter().zip(&segments).all(|(a, b)| {
                    if a.starts_with('{') {
                        !b.is_empty()
                    } else {
                        statics += 1;
                        a == b
                    }
                });
                let Some(op) = item.get(method.to_ascii_lowercase()) else {
                    continue;
                };
                if fits && best.as_ref().is_none_or(|(s, _)| statics > *s) {
                    best = Some((
                        statics,
                        Operation {
                            doc,
                            op,
                            template: template.clone(),
                        },
                    ));
                }
            }
        }
        best.map(|(_, o)| o)
    }
}

impl Operation<'_> {
    pub fn json_request_schema(&self) -> Option<&Value> {
        self.op.pointer("/requestBody/content/application~1json/schema")
    }

    pub fn has_request_body(&self) -> bool {
        self.op.get("requestBody").is_some()
    }

    /// Parameters of the operation (`in`: query, header, path).
    pub fn parameters(&self) -> Vec<&Value> {
        self.op
            .get("parameters")
            .and_then(Value::as_array)
            .map(|a| a.iter().collect())
            .unwrap_or_default()
    }

    /// The documented answer for a status: `Some(None)` when documented
    /// without a JSON body, `None` when not documented.
    pub fn response_schema(&self, status: u16) -> Option<Option<&Value>> {
        let r = self.op.get("responses")?.get(status.to_string())?;
        Some(r.pointer("/content/application~1json/schema"))
    }

    pub fn error_schema(&self) -> &Value {
        self.doc
            .pointer("/components/schemas/ErrorResponse")
            .expect("the Messaging API defines ErrorResponse")
    }
}

/// Checks `value` against `schema` of `doc`; the problems, with paths.
pub fn check(doc: &Value, schema: &Value, value: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    Checker { doc }.check(schema, value, "$", true, &mut problems);
    problems
}

struct Checker<'a> {
    doc: &'a Value,
}

impl Checker<'_> {
    fn resolve<'s>(&'s self, schema: &'s Value) -> &'s Value {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let pointer = r.trim_start_matches('#');
                self.resolve(self.doc.pointer(pointer).unwrap_or_else(|| panic!("unresolved {r}")))
            }
            None => schema,
        }
    }

    fn check(&self, schema: &Value, v: &Value, at: &str, dispatch: bool, out: &mut Vec<String>) {
        let s = self.resolve(schema);
        if v.is_null() {
            if s.get("nullable") != Some(&Value::Bool(true)) && s.get("type").is_some() {
                out.push(format!("{at}: null where the schema does not allow it"));
            }
            return;
        }
        // A base type with a discriminator hands over to the named subtype.
        if dispatch {
            if let Some(d) = s.get("discriminator") {
                let prop = d.get("propertyName").and_then(Value::as_str).unwrap_or("type");
                let Some(tag) = v.get(prop).and_then(Value::as_str) else {
                    out.push(format!("{at}: missing discriminator {prop}"));
                    return;
                };
                match d.get("mapping").and_then(|m| m.get(tag)).and_then(Value::as_str) {
                    Some(target) => {
                        let sub = serde_json::json!({"$ref": target});
                        self.check(&sub, v, at, false, out);
                    }
                    None => out.push(format!("{at}: {prop} '{tag}' is not one LINE defines")),
                }
                return;
            }
        }
        if let Some(all) = s.get("allOf").and_then(Value::as_array) {
            for part in all {
                // The base of a subtype is checked as itself, not dispatched again.
                self.check(part, v, at, false, out);
            }
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(options) = s.get(key).and_then(Value::as_array) {
                let fits = options.iter().any(|o| {
                    let mut p = Vec::new();
                    self.check(o, v, at, true, &mut p);
                    p.is_empty()
                });
                if !fits {
                    out.push(format!("{at}: fits none of {key}"));
                }
            }
        }
        if let Some(allowed) = s.get("enum").and_then(Value::as_array) {
            if !allowed.contains(v) {
                out.push(format!("{at}: {v} is not one of {allowed:?}"));
            }
        }
        let ty = s.get("type").and_then(Value::as_str);
        let type_ok = match ty {
            Some("object") => v.is_object(),
            Some("array") => v.is_array(),
            Some("string") => v.is_string(),
            Some("integer") => v.is_i64() || v.is_u64(),
            Some("number") => v.is_number(),
            Some("boolean") => v.is_boolean(),
            _ => true,
        };
        if !type_ok {
            out.push(format!("{at}: expected {}, got {v}", ty.unwrap_or("?")));
            return;
        }
        let num = |k: &str| s.get(k).and_then(Value::as_f64);
        if let Some(obj) = v.as_object() {
            for r in s.get("required").and_then(Value::as_array).into_iter().flatten() {
                if let Some(name) = r.as_str() {
                    if !obj.contains_key(name) {
                        out.push(format!("{at}: missing required {name}"));
                    }
                }
            }
            if let Some(props) = s.get("properties").and_then(Value::as_object) {
                for (k, sub) in props {
                    if let Some(child) = obj.get(k) {
                        self.check(sub, child, &format!("{at}.{k}"), true, out);
                    }
                }
            }
        }
        if let Some(items) = v.as_array() {
            if num("minItems").is_some_and(|m| (items.len() as f64) < m) || num("maxItems").is_some_and(|m| (items.len() as f64) > m) {
                out.push(format!("{at}: {} items is outside the schema's bounds", items.len()));
            }
            if let Some(item) = s.get("items") {
                for (i, child) in items.iter().enumerate() {
                    self.check(item, child, &format!("{at}[{i}]"), true, out);
                }
            }
        }
        if let Some(text) = v.as_str() {
            let len = text.chars().count() as f64;
            if num("minLength").is_some_and(|m| len < m) || num("maxLength").is_some_and(|m| len > m) {
                out.push(format!("{at}: length {len} is outside the schema's bounds"));
            }
            if let Some(p) = s.get("pattern").and_then(Value::as_str) {
                if !regex::Regex::new(p).map(|r| r.is_match(text)).unwrap_or(true) {
                    out.push(format!("{at}: '{text}' does not match {p}"));
                }
            }
        }
        if let Some(n) = v.as_f64() {
            if num("minimum").is_some_and(|m| n < m) || num("maximum").is_some_and(|m| n > m) {
                out.push(format!("{at}: {n} is outside the schema's bounds"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The checker itself must be able to fail.
    #[test]
    fn the_checker_finds_what_is_wrong() {
        let spec = Spec::load(&["messaging-api.yml"]);
        let op = spec.operation("POST", "/v2/bot/message/push").unwrap();
        let schema = op.json_request_schema().unwrap();
        let good = json!({"to": "U1", "messages": [{"type": "text", "text": "a"}]});
        assert!(check(op.doc, schema, &good).is_empty(), "{:?}", check(op.doc, schema, &good));
        let no_to = json!({"messages": [{"type": "text", "text": "a"}]});
        assert!(!check(op.doc, schema, &no_to).is_empty());
        let bad_type = json!({"to": "U1", "messages": [{"type": "hologram"}]});
        assert!(!check(op.doc, schema, &bad_type).is_empty());
        let no_text = json!({"to": "U1", "messages": [{"type": "text"}]});
        assert!(!check(op.doc, schema, &no_text).is_empty());
        assert_eq!(
            spec.operation("GET", "/v2/bot/richmenu/list").unwrap().template,
            "/v2/bot/richmenu/list"
        );
        assert_eq!(
            spec.operation("GET", "/v2/bot/richmenu/richmenu-1").unwrap().template,
            "/v2/bot/richmenu/{richMenuId}"
        );
        assert!(spec.operation("POST", "/v2/bot/message/pushh").is_none());
    }
}
