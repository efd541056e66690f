//! Reading Azure's JSON: the resources `az … list/show` prints, Resource Graph rows and ARM
//! template `resources`, all of which carry the same `properties`.

use serde_json::Value;

use super::field::{shown, Invalid, Node};

/// One Azure resource as read from a file: its id, type, name and the raw JSON.
#[derive(Clone, Debug)]
pub struct Resource {
    /// The resource id as written (for comments); built from the type and name when the input
    /// has none (ARM templates).
    pub id: String,
    /// The resource type, e.g. `Microsoft.Network/virtualNetworks`.
    pub kind: String,
    /// The resource name (for a child resource, its own last segment).
    pub name: String,
    /// The whole JSON object.
    pub json: Value,
    /// The file it came from.
    pub file: String,
    /// The JSON pointer of the object in its file (`/value/3`).
    pub pointer: String,
}

impl Resource {
    /// A property under `properties`, by JSON pointer below it (`/subnet/id`).
    pub fn prop(&self, pointer: &str) -> Option<&Value> {
        self.json.get("properties").and_then(|p| {
            if pointer.is_empty() {
                Some(p)
            } else {
                p.pointer(pointer)
            }
        })
    }

    /// A string property under `properties`.
    pub fn prop_str(&self, pointer: &str) -> Option<&str> {
        self.prop(pointer).and_then(Value::as_str)
    }

    /// The whole object, with its place in the file, for strict reading.
    pub(super) fn node(&self) -> Node<'_> {
        Node::new(&self.json, format!("{}#{}", self.file, self.pointer))
    }

    /// Its `properties`, for strict reading (missing: an empty object at that place).
    pub(super) fn props(&self) -> Node<'_> {
        static EMPTY: Value = Value::Null;
        let root = self.node();
        root.get("properties")
            .unwrap_or_else(|| Node::new(&EMPTY, format!("{}/properties", root.path)))
    }

    /// The region, lower case and without spaces (`East US` and `eastus` are one region).
    pub(super) fn location(&self) -> Result<String, Invalid> {
        let node = self.node();
        let location = node.get("location").ok_or_else(|| Invalid {
            path: format!("{}/location", node.path),
            problem: "is missing (the resource's region)".into(),
        })?;
        match location.value.as_str() {
            Some(l) if !l.trim().is_empty() => Ok(l.to_lowercase().replace(' ', "")),
            _ => Err(location.invalid("is not a region name")),
        }
    }

    /// Whether the resource is of `kind` (Azure compares types case-insensitively).
    pub fn is(&self, kind: &str) -> bool {
        self.kind.eq_ignore_ascii_case(kind)
    }
}

pub use super::jsonc::ReadError;

/// The resources of one file, and the JSON objects in it that are not resources.
#[derive(Clone, Debug, Default)]
pub(super) struct Scan {
    pub resources: Vec<Resource>,
    /// `(file#/pointer, why)` of each object left out.
    pub ignored: Vec<(String, String)>,
    /// Template values that were not evaluated, with where they are.
    pub left_out: Vec<super::arm::LeftOut>,
    /// Values azpath chose where Azure would know them.
    pub assumptions: Vec<String>,
    /// Template resources not deployed (a false `condition`), by `file#/pointer`.
    pub not_deployed: Vec<String>,
    /// `(file#/pointer, why)` of resources read but of a kind not converted.
    pub unread: Vec<(String, String)>,
}

/// Reads every resource in one file's text: a JSON array of resources, a single resource,
/// `{"value": […]}` (REST list), `{"data": […]}` (Resource Graph) or an ARM template with
/// `resources` (nested child resources included).
pub fn read(file: &str, text: &str) -> Result<Vec<Resource>, ReadError> {
    scan(file, text, &super::arm::ArmOptions::default()).map(|s| s.resources)
}

/// [`read`], with the objects that are not resources listed.
pub(super) fn scan(
    file: &str,
    text: &str,
    options: &super::arm::ArmOptions,
) -> Result<Scan, ReadError> {
    let json = super::jsonc::parse(file, text)?;
    let mut out = Scan::default();
    if super::arm::is_template(&json) {
        // A template is deployed offline first: its resources as Azure would create them.
        let expanded = super::arm::expand(file, &json, &options.for_file(file));
        for (pointer, r) in &expanded.resources {
            resource(file, r, pointer, None, &mut out);
        }
        out.left_out = expanded.left_out;
        out.assumptions = expanded.assumptions;
        for at in &expanded.not_deployed {
            out.not_deployed.push(at.clone());
        }
        if out.resources.is_empty() {
            out.ignored.push((
                format!("{file}#/resources"),
                format!(
                    "the template deploys no resource with these parameters ({} left out by a false `condition`; values that could not be evaluated are listed)",
                    expanded.not_deployed.len()
                ),
            ));
        }
    } else if super::terraform::is_terraform(&json) {
        // `terraform show -json`: the azurerm resources of one side, as Azure holds them.
        let tf = super::terraform::read(&json, options.terraform_side);
        for (pointer, r) in &tf.resources {
            resource(file, r, pointer, None, &mut out);
        }
        for (pointer, why) in tf.left_out {
            out.unread.push((format!("{file}#{pointer}"), why));
        }
        out.assumptions = tf.assumptions;
    } else if let Some(shape) = super::shape::not_resources(&json) {
        out.ignored.push((format!("{file}#"), shape));
        return Ok(out);
    } else if let Some((at, body)) = super::shape::rest_example_body(&json) {
        // A REST API example: the resource is the body of the response.
        collect(file, body, at, None, &mut out);
    } else {
        collect(file, &json, "", None, &mut out);
    }
    if out.resources.is_empty() && out.ignored.is_empty() {
        out.ignored.push((
            format!("{file}#"),
            "no resources: expected a resource, an array of them, or a `value`, `data` or `resources` list".into(),
        ));
    }
    Ok(out)
}

/// The parent of a nested ARM template resource: its type and name.
struct Parent<'a> {
    kind: &'a str,
    name: &'a str,
}

fn collect(file: &str, json: &Value, at: &str, parent: Option<&Parent<'_>>, out: &mut Scan) {
    match json {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                collect(file, item, &format!("{at}/{i}"), parent, out);
            }
        }
        Value::Object(map) => {
            if map.contains_key("type") {
                resource(file, json, at, parent, out);
            } else {
                // A list wrapper: REST `value`, Resource Graph `data`, ARM template `resources`.
                let mut found = false;
                for key in ["value", "data", "resources"] {
                    if let Some(inner) = map.get(key) {
                        found = true;
                        collect(file, inner, &format!("{at}/{key}"), parent, out);
                    }
                }
                if !found {
                    out.ignored.push((
                        format!("{file}#{at}"),
                        "an object that is neither a resource (no `type`) nor a `value`, `data` or `resources` list".into(),
                    ));
                }
            }
        }
        other => out.ignored.push((
            format!("{file}#{at}"),
            format!(
                "{} where a resource or a list of them was expected",
                super::field::kind_of(other)
            ),
        )),
    }
}

fn resource(file: &str, json: &Value, at: &str, parent: Option<&Parent<'_>>, out: &mut Scan) {
    let here = format!("{file}#{at}");
    let Some(kind) = json.get("type").and_then(Value::as_str) else {
        out.ignored.push((
            format!("{here}/type"),
            "the resource type is not a string".into(),
        ));
        return;
    };
    let Some(own_name) = json
        .get("name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
    else {
        out.ignored.push((
            format!("{here}/name"),
            format!("the `{}` resource has no name", shown(kind)),
        ));
        return;
    };
    let (kind, full_name) = match parent {
        // A nested template resource names its type and name relative to the parent.
        Some(p) if !kind.contains('/') => (
            format!("{}/{kind}", p.kind),
            format!("{}/{own_name}", p.name),
        ),
        _ => (kind.to_string(), own_name.to_string()),
    };
    let id = match json.get("id").and_then(Value::as_str) {
        Some(id) => id.to_string(),
        None => template_id(&kind, &full_name),
    };
    let name = full_name.rsplit('/').next().unwrap_or_default().to_string();
    out.resources.push(Resource {
        id,
        kind: kind.clone(),
        name,
        json: json.clone(),
        file: file.to_string(),
        pointer: at.to_string(),
    });
    if let Some(children) = json.get("resources") {
        let p = Parent {
            kind: &kind,
            name: &full_name,
        };
        collect(file, children, &format!("{at}/resources"), Some(&p), out);
    }
}

/// The id of a template resource that has none: `/providers/<namespace>/<type>/<name>/…`, the
/// tail every real id of that resource ends with.
pub fn template_id(kind: &str, full_name: &str) -> String {
    let mut types = kind.split('/');
    let namespace = types.next().unwrap_or_default();
    let mut id = format!("/providers/{namespace}");
    for (t, n) in types.zip(full_name.split('/')) {
        id.push('/');
        id.push_str(t);
        id.push('/');
        id.push_str(n);
    }
    id
}

/// The part of an id from `/providers/` on, lower case: what a template reference and a real
/// id have in common.
pub fn id_tail(id: &str) -> String {
    let lower = id.to_lowercase();
    match lower.rfind("/providers/") {
        Some(at) => lower.get(at..).unwrap_or_default().to_string(),
        None => lower,
    }
}

/// The value after `segment` in an id: `segment_after(id, "virtualNetworks")` is the VNet name.
pub fn segment_after<'a>(id: &'a str, segment: &str) -> Option<&'a str> {
    let mut parts = id.split('/');
    while let Some(p) = parts.next() {
        if p.eq_ignore_ascii_case(segment) {
            return parts.next();
        }
    }
    None
}

/// The last segment of an id: the resource's own name.
pub fn last_segment(id: &str) -> &str {
    id.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_with_nested_children_yields_children_with_full_types() {
        let text = r#"{"resources": [{"type": "Microsoft.Network/virtualNetworks", "name": "hub",
            "resources": [{"type": "subnets", "name": "app", "properties": {}}]}]}"#;
        let found = read("t.json", text).unwrap();
        assert_eq!(found.len(), 2);
        assert_eq!(found[1].kind, "Microsoft.Network/virtualNetworks/subnets");
        assert_eq!(
            found[1].id,
            "/providers/Microsoft.Network/virtualNetworks/hub/subnets/app"
        );
        assert_eq!(found[1].name, "app");
    }

    #[test]
    fn ids_of_template_and_real_resources_share_their_tail() {
        let real =
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/Hub";
        assert_eq!(
            id_tail(real),
            id_tail(&template_id("Microsoft.Network/virtualNetworks", "hub"))
        );
        assert_eq!(segment_after(real, "virtualnetworks"), Some("Hub"));
    }
}
