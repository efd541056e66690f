//! ARM templates as deployed: parameters (with their defaults, a parameter file and `-p`
//! values), variables, expressions, `copy` loops, `condition`, `languageVersion 2.0` symbolic
//! resources and nested deployments are evaluated offline into the resources the deployment
//! would create, each with its full id, type and name
//! (<https://learn.microsoft.com/azure/azure-resource-manager/templates/syntax>).
//!
//! What only Azure knows at deployment (`reference()`, `list*()`) is never written as text:
//! the property is left unset and listed with its JSON pointer.

mod eval;
mod expr;

use std::collections::BTreeMap;

use serde_json::{Map, Value};

pub(crate) use eval::Failure;
use eval::{Scope, Target, COPY_VARIABLE};

/// How to deploy a template offline: the values the deployment command would give.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ArmOptions {
    /// Parameter values by name, from `--parameters FILE` and `-p name=value` (later wins).
    pub parameters: BTreeMap<String, Value>,
    /// `--subscription`.
    pub subscription: Option<String>,
    /// `--resource-group`.
    pub resource_group: Option<String>,
    /// `--location`: the resource group's region.
    pub location: Option<String>,
    /// Which side of a Terraform plan to read (the planned values unless told).
    pub terraform_side: super::terraform::Side,
    /// `--scope FILE=/subscriptions/S/resourceGroups/RG`: the subscription and resource group
    /// one template deploys to, over `subscription` and `resource_group`. A portal export
    /// names its own resource group's resources through `resourceId()` and the other groups'
    /// by id: exports of several groups meet when each is deployed to its own.
    pub scopes: BTreeMap<String, DeployScope>,
}

/// Where one template deploys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeployScope {
    /// The subscription id.
    pub subscription: String,
    /// The resource group name.
    pub resource_group: String,
}

impl DeployScope {
    /// `/subscriptions/S/resourceGroups/RG`, or `None` for another shape.
    pub fn parse(id: &str) -> Option<DeployScope> {
        let parts: Vec<&str> = id.trim_matches('/').split('/').collect();
        match parts.as_slice() {
            [s, sub, r, rg]
                if s.eq_ignore_ascii_case("subscriptions")
                    && r.eq_ignore_ascii_case("resourceGroups")
                    && !sub.is_empty()
                    && !rg.is_empty() =>
            {
                Some(DeployScope {
                    subscription: (*sub).to_string(),
                    resource_group: (*rg).to_string(),
                })
            }
            _ => None,
        }
    }
}

impl ArmOptions {
    /// The options for one file: its own scope when `scopes` names it.
    pub(crate) fn for_file(&self, file: &str) -> std::borrow::Cow<'_, ArmOptions> {
        let own = self.scopes.iter().find(|(f, _)| {
            f.as_str() == file || std::path::Path::new(f) == std::path::Path::new(file)
        });
        match own {
            Some((_, scope)) => {
                let mut o = self.clone();
                o.subscription = Some(scope.subscription.clone());
                o.resource_group = Some(scope.resource_group.clone());
                std::borrow::Cow::Owned(o)
            }
            None => std::borrow::Cow::Borrowed(self),
        }
    }
}

/// The placeholders used when the command line does not say.
const SUBSCRIPTION: &str = "00000000-0000-0000-0000-000000000000";
const RESOURCE_GROUP: &str = "rg-imported";
const LOCATION: &str = "westeurope";

/// Something of a template that is not deployed as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LeftOut {
    /// `file#/json/pointer`.
    pub at: String,
    /// Why.
    pub failure: Failure,
}

/// The resources a template deploys, and what could not be evaluated.
#[derive(Clone, Debug, Default)]
pub(crate) struct Expanded {
    /// `(JSON pointer of the resource in the file, the resource as deployed)`, in order.
    pub resources: Vec<(String, Value)>,
    /// Properties and resources left out, with where and why.
    pub left_out: Vec<LeftOut>,
    /// Values azpath chose where Azure would know them (stated in the output).
    pub assumptions: Vec<String>,
    /// `file#/json/pointer` of each resource whose `condition` is false: not deployed.
    pub not_deployed: Vec<String>,
}

/// Whether a JSON document is a deployment template (rather than `az` output that happens
/// to have a `resources` list).
pub(crate) fn is_template(json: &Value) -> bool {
    let Some(map) = json.as_object() else {
        return false;
    };
    let schema = map
        .get("$schema")
        .and_then(Value::as_str)
        .is_some_and(|s| s.to_lowercase().contains("deploymenttemplate"));
    map.contains_key("resources")
        && (schema
            || map.contains_key("contentVersion")
            || map.contains_key("languageVersion")
            || map.contains_key("parameters")
            || map.contains_key("variables"))
}

/// The values of an ARM parameter file (`{"parameters": {"name": {"value": …}}}`); a Key Vault
/// `reference` is listed as a deploy-time value.
pub(crate) fn parameter_file(json: &Value) -> Result<BTreeMap<String, Value>, String> {
    let Some(params) = json.get("parameters").and_then(Value::as_object) else {
        return Err("no `parameters` object: not an ARM parameter file".into());
    };
    let mut out = BTreeMap::new();
    for (name, p) in params {
        match p.get("value") {
            Some(v) => {
                out.insert(name.clone(), v.clone());
            }
            None if p.get("reference").is_some() => {}
            None => return Err(format!("the parameter `{name}` has no `value`")),
        }
    }
    Ok(out)
}

/// Deploys a template offline.
pub(crate) fn expand(file: &str, json: &Value, options: &ArmOptions) -> Expanded {
    let target = Target {
        subscription: options
            .subscription
            .clone()
            .unwrap_or_else(|| SUBSCRIPTION.into()),
        tenant: SUBSCRIPTION.into(),
        resource_group: options
            .resource_group
            .clone()
            .unwrap_or_else(|| RESOURCE_GROUP.into()),
        location: options.location.clone().unwrap_or_else(|| LOCATION.into()),
        deployment: "azpath-import".into(),
    };
    let mut walk = Walk {
        file,
        out: Expanded::default(),
        approximated: Default::default(),
        depth: 0,
    };
    let given: BTreeMap<String, Value> = options
        .parameters
        .iter()
        .map(|(k, v)| (k.to_lowercase(), v.clone()))
        .collect();
    let scope = walk.scope(json, "", Scope::new(target), &given);
    walk.template(json, "", scope);
    let mut assumptions = Vec::new();
    for used in &walk.approximated {
        match *used {
            "uniqueString" | "guid" => assumptions.push(format!(
                "{used}() is computed by azpath, deterministically but not as Azure computes it: names built with it are placeholders"
            )),
            "resourceGroup" if options.resource_group.is_none() || options.location.is_none() => {
                assumptions.push(format!(
                    "resourceGroup() is `{}` in `{}` (give --resource-group and --location)",
                    options.resource_group.as_deref().unwrap_or(RESOURCE_GROUP),
                    options.location.as_deref().unwrap_or(LOCATION)
                ))
            }
            "subscription" if options.subscription.is_none() => assumptions.push(format!(
                "subscription() is `{SUBSCRIPTION}` (give --subscription)"
            )),
            _ => {}
        }
    }
    walk.out.assumptions = assumptions;
    walk.out
}

/// Escapes a key for a JSON pointer (RFC 6901).
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Nested deployments deeper than this are refused.
const MAX_DEPTH: usize = 16;

/// Copy loops larger than this are refused (Azure's own limit is 800).
const MAX_COPIES: i64 = 800;

struct Walk<'f> {
    file: &'f str,
    out: Expanded,
    approximated: std::collections::BTreeSet<&'static str>,
    depth: usize,
}

/// A parent resource of a nested template resource: its full type and name.
#[derive(Clone)]
struct Parent {
    kind: String,
    name: String,
}

impl Walk<'_> {
    fn left_out(&mut self, at: &str, failure: Failure) {
        self.out.left_out.push(LeftOut {
            at: format!("{}#{at}", self.file),
            failure,
        });
    }

    /// The scope of a template: its parameters (given values, else defaults, else null for a
    /// nullable one) and variables.
    fn scope(
        &mut self,
        tpl: &Value,
        at: &str,
        mut scope: Scope,
        given: &BTreeMap<String, Value>,
    ) -> Scope {
        scope.parameters.clear();
        scope.variables.clear();
        if let Some(vars) = tpl.get("variables").and_then(Value::as_object) {
            for (k, v) in vars {
                if k == "copy" {
                    for l in v.as_array().into_iter().flatten() {
                        if let Some(name) = l.get("name").and_then(Value::as_str) {
                            let mut raw = Map::new();
                            raw.insert(COPY_VARIABLE.into(), l.clone());
                            scope
                                .variables
                                .insert(name.to_lowercase(), Value::Object(raw));
                        }
                    }
                } else {
                    scope.variables.insert(k.to_lowercase(), v.clone());
                }
            }
        }
        let declared = tpl
            .get("parameters")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let mut pending: Vec<(String, Value)> = Vec::new();
        for (name, decl) in &declared {
            let key = name.to_lowercase();
            // A value of null is no value: the default applies.
            match given.get(&key).filter(|v| !v.is_null()) {
                Some(v) => {
                    let v = coerce(v, decl.get("type").and_then(Value::as_str));
                    scope.parameters.insert(key, v);
                }
                None => {
                    if let Some(d) = decl.get("defaultValue") {
                        pending.push((name.clone(), d.clone()));
                    } else if is_nullable(decl) {
                        scope.parameters.insert(key, Value::Null);
                    }
                }
            }
        }
        // Defaults may use other parameters: evaluate until nothing more resolves.
        let mut last_errors = Vec::new();
        while !pending.is_empty() {
            let before = pending.len();
            last_errors.clear();
            let mut still = Vec::new();
            for (name, d) in pending {
                match scope.value(&d) {
                    Ok(v) => {
                        scope.parameters.insert(name.to_lowercase(), v);
                    }
                    Err(e) => {
                        last_errors.push((name.clone(), e));
                        still.push((name, d));
                    }
                }
            }
            pending = still;
            if pending.len() == before {
                break;
            }
        }
        for (name, e) in last_errors {
            self.left_out(
                &format!("{at}/parameters/{}/defaultValue", escape(&name)),
                e,
            );
        }
        self.approximated.extend(scope.approximated.iter().copied());
        scope
    }

    fn template(&mut self, tpl: &Value, at: &str, mut scope: Scope) {
        match tpl.get("resources") {
            Some(Value::Array(items)) => {
                for (i, r) in items.iter().enumerate() {
                    self.resource(r, &format!("{at}/resources/{i}"), &mut scope, None);
                }
            }
            // languageVersion 2.0: resources by symbolic name.
            Some(Value::Object(items)) => {
                for (name, r) in items {
                    self.resource(
                        r,
                        &format!("{at}/resources/{}", escape(name)),
                        &mut scope,
                        None,
                    );
                }
            }
            _ => {}
        }
        self.approximated.extend(scope.approximated.iter().copied());
    }

    fn resource(&mut self, r: &Value, at: &str, scope: &mut Scope, parent: Option<&Parent>) {
        if r.get("existing").and_then(Value::as_bool) == Some(true) {
            // A reference to a resource deployed elsewhere: the template does not create it.
            return;
        }
        let Some(copy) = r.get("copy") else {
            self.instance(r, at, scope, parent);
            return;
        };
        let name = copy
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_lowercase();
        let count = match copy.get("count").map(|c| scope.value(c)) {
            Some(Ok(Value::Number(n))) => n.as_i64().unwrap_or(-1),
            Some(Ok(other)) => {
                self.left_out(
                    &format!("{at}/copy/count"),
                    Failure::Invalid(format!("the copy count is {other}, not a number")),
                );
                return;
            }
            Some(Err(e)) => {
                self.left_out(&format!("{at}/copy/count"), e);
                return;
            }
            None => {
                self.left_out(
                    &format!("{at}/copy"),
                    Failure::Invalid("the copy loop has no `count`".into()),
                );
                return;
            }
        };
        if !(0..=MAX_COPIES).contains(&count) {
            self.left_out(
                &format!("{at}/copy/count"),
                Failure::Invalid(format!("the copy count {count} is not from 0 to 800")),
            );
            return;
        }
        for i in 0..count {
            scope.copies.push((name.clone(), i));
            self.instance(r, at, scope, parent);
            scope.copies.pop();
        }
    }

    fn instance(&mut self, r: &Value, at: &str, scope: &mut Scope, parent: Option<&Parent>) {
        if let Some(c) = r.get("condition") {
            match scope.value(c) {
                Ok(Value::Bool(false)) => {
                    let at = format!("{}#{at}", self.file);
                    if !self.out.not_deployed.contains(&at) {
                        self.out.not_deployed.push(at);
                    }
                    return;
                }
                Ok(Value::Bool(true)) => {}
                Ok(other) => {
                    self.left_out(
                        &format!("{at}/condition"),
                        Failure::Invalid(format!("the condition is {other}, not a boolean")),
                    );
                    return;
                }
                Err(e) => {
                    self.left_out(&format!("{at}/condition"), e);
                    return;
                }
            }
        }
        let Some(obj) = r.as_object() else {
            self.left_out(at, Failure::Invalid("a resource is not an object".into()));
            return;
        };
        let strict = |scope: &mut Scope, key: &str| -> Result<String, Failure> {
            match obj.get(key) {
                Some(v) => match scope.value(v)? {
                    Value::String(s) => Ok(s),
                    other => Err(Failure::Invalid(format!(
                        "`{key}` is {other}, not a string"
                    ))),
                },
                None => Err(Failure::Invalid(format!("the resource has no `{key}`"))),
            }
        };
        let (kind, name) = match (strict(scope, "type"), strict(scope, "name")) {
            (Ok(k), Ok(n)) => (k, n),
            (Err(e), _) => return self.left_out(&format!("{at}/type"), e),
            (_, Err(e)) => return self.left_out(&format!("{at}/name"), e),
        };
        let (kind, name) = match parent {
            Some(p) if !kind.contains('/') => {
                (format!("{}/{kind}", p.kind), format!("{}/{name}", p.name))
            }
            _ => (kind, name),
        };
        if kind.eq_ignore_ascii_case("Microsoft.Resources/deployments") {
            self.deployment(obj, at, scope);
            return;
        }
        let mut out = Map::new();
        for (k, v) in obj {
            if matches!(
                k.as_str(),
                "copy"
                    | "condition"
                    | "dependsOn"
                    | "resources"
                    | "type"
                    | "name"
                    | "apiVersion"
                    | "comments"
                    | "metadata"
            ) {
                continue;
            }
            out.insert(
                k.clone(),
                self.lenient(scope, v, &format!("{at}/{}", escape(k))),
            );
        }
        let id = full_id(&scope.target, &kind, &name);
        out.insert("id".into(), Value::String(id));
        out.insert("type".into(), Value::String(kind.clone()));
        out.insert("name".into(), Value::String(name.clone()));
        self.out
            .resources
            .push((at.to_string(), Value::Object(out)));
        if let Some(children) = obj.get("resources").and_then(Value::as_array) {
            let p = Parent { kind, name };
            for (i, c) in children.iter().enumerate() {
                self.resource(c, &format!("{at}/resources/{i}"), scope, Some(&p));
            }
        }
    }

    /// A value with each expression evaluated; one that cannot be is listed and left unset.
    fn lenient(&mut self, scope: &mut Scope, v: &Value, at: &str) -> Value {
        match v {
            Value::String(_) => match scope.value(v) {
                Ok(x) => x,
                Err(e) => {
                    self.left_out(at, e);
                    Value::Null
                }
            },
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, x)| self.lenient(scope, x, &format!("{at}/{i}")))
                    .collect(),
            ),
            Value::Object(map) => {
                let mut out = Map::new();
                for (k, x) in map {
                    if k == "copy" {
                        if let Some(loops) = x.as_array() {
                            for (i, l) in loops.iter().enumerate() {
                                match scope.property_copy(l) {
                                    Ok((name, items)) => {
                                        out.insert(name, Value::Array(items));
                                    }
                                    Err(e) => self.left_out(&format!("{at}/copy/{i}"), e),
                                }
                            }
                            continue;
                        }
                    }
                    let value = self.lenient(scope, x, &format!("{at}/{}", escape(k)));
                    out.insert(k.clone(), value);
                }
                Value::Object(out)
            }
            other => other.clone(),
        }
    }

    /// A nested deployment: its template deployed at its own resource group and subscription,
    /// with its own parameters (inner scope) or the parent's (outer scope, the default)
    /// (<https://learn.microsoft.com/azure/azure-resource-manager/templates/linked-templates#expression-evaluation-scope-in-nested-templates>).
    fn deployment(&mut self, obj: &Map<String, Value>, at: &str, scope: &mut Scope) {
        if self.depth >= MAX_DEPTH {
            self.left_out(
                at,
                Failure::Unsupported("deployments nested this deeply".into()),
            );
            return;
        }
        let props = obj.get("properties");
        let Some(tpl) = props.and_then(|p| p.get("template")) else {
            let why = if props.and_then(|p| p.get("templateLink")).is_some() {
                "a linked template (`templateLink`), which is not fetched: import the linked template as a file of its own"
            } else {
                "a deployment with no inline `template`"
            };
            self.left_out(at, Failure::Unsupported(why.into()));
            return;
        };
        let mut target = scope.target.clone();
        for (key, field) in [("resourceGroup", 0), ("subscriptionId", 1)] {
            if let Some(v) = obj.get(key) {
                match scope.value(v) {
                    Ok(Value::String(s)) if field == 0 => target.resource_group = s,
                    Ok(Value::String(s)) => target.subscription = s,
                    Ok(_) => {}
                    Err(e) => self.left_out(&format!("{at}/{key}"), e),
                }
            }
        }
        if let Some(Ok(Value::String(n))) = obj.get("name").map(|n| scope.value(n)) {
            target.deployment = n;
        }
        let inner = props
            .and_then(|p| p.pointer("/expressionEvaluationOptions/scope"))
            .and_then(Value::as_str)
            .is_some_and(|s| s.eq_ignore_ascii_case("inner"))
            || tpl.get("languageVersion").is_some();
        let here = format!("{at}/properties/template");
        self.depth += 1;
        if inner {
            let mut given = BTreeMap::new();
            if let Some(params) = props
                .and_then(|p| p.get("parameters"))
                .and_then(Value::as_object)
            {
                for (name, p) in params {
                    let Some(v) = p.get("value") else {
                        if p.get("reference").is_some() {
                            self.left_out(
                                &format!("{at}/properties/parameters/{}", escape(name)),
                                Failure::DeployTime("a Key Vault reference".into()),
                            );
                        }
                        continue;
                    };
                    match scope.value(v) {
                        Ok(v) => {
                            given.insert(name.to_lowercase(), v);
                        }
                        Err(e) => self.left_out(
                            &format!("{at}/properties/parameters/{}/value", escape(name)),
                            e,
                        ),
                    }
                }
            }
            let child = self.scope(tpl, &here, Scope::new(target), &given);
            self.template(tpl, &here, child);
        } else {
            // The parent evaluates an outer-scope template first, which turns each `[[` into
            // `[`: what it escaped is evaluated when the nested deployment runs.
            let tpl = unescape(tpl);
            let mut child = scope.clone();
            child.target = target;
            self.template(&tpl, &here, child);
        }
        self.depth -= 1;
    }
}

/// The value with one level of `[[` escapes removed from its strings.
fn unescape(v: &Value) -> Value {
    match v {
        Value::String(s) => match s.strip_prefix("[[") {
            Some(rest) => Value::String(format!("[{rest}")),
            None => v.clone(),
        },
        Value::Array(items) => Value::Array(items.iter().map(unescape).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), unescape(v))).collect())
        }
        other => other.clone(),
    }
}

/// A parameter value given as text on the command line, read as its declared type.
fn coerce(v: &Value, declared: Option<&str>) -> Value {
    let (Value::String(s), Some(t)) = (v, declared) else {
        return v.clone();
    };
    match t.to_lowercase().as_str() {
        "int" => s
            .trim()
            .parse::<i64>()
            .map_or_else(|_| v.clone(), Value::from),
        "bool" => match s.trim().to_lowercase().as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => v.clone(),
        },
        "array" | "object" => serde_json::from_str(s).unwrap_or_else(|_| v.clone()),
        _ => v.clone(),
    }
}

/// The id Azure gives a resource of `kind` named `name` in the target resource group.
fn full_id(t: &Target, kind: &str, name: &str) -> String {
    let mut types = kind.split('/');
    let ns = types.next().unwrap_or_default();
    let mut id = format!(
        "/subscriptions/{}/resourceGroups/{}/providers/{ns}",
        t.subscription, t.resource_group
    );
    for (ty, n) in types.zip(name.split('/')) {
        id.push_str(&format!("/{ty}/{n}"));
    }
    id
}

#[cfg(test)]
mod tests;

/// A `languageVersion 2.0` parameter declared `"nullable": true` (Bicep's `type?`): given no
/// value and having no default, its value is null, and the template deploys without it.
/// <https://learn.microsoft.com/en-us/azure/azure-resource-manager/templates/syntax#parameters>
fn is_nullable(decl: &Value) -> bool {
    decl.get("nullable").and_then(Value::as_bool) == Some(true)
}
