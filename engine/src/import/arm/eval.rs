//! Evaluating ARM template expressions over JSON values, offline: the functions a network
//! template uses (<https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions>).
//! A value only Azure knows at deployment (`reference()`, `list*()`, `utcNow()`, `newGuid()`)
//! is a [`Failure::DeployTime`], never a text standing in for it.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::expr::{self, Expr, Template};

/// Why an expression has no value offline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Failure {
    /// Only Azure knows it, at deployment.
    DeployTime(String),
    /// A function or form azpath's evaluator does not have.
    Unsupported(String),
    /// A parameter without a value: neither given nor defaulted.
    NoValue(String),
    /// The template is wrong: a type mismatch, a syntax error.
    Invalid(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::DeployTime(s) => write!(f, "{s}: a value Azure knows only at deployment"),
            Failure::Unsupported(s) => write!(f, "{s}: not evaluated by azpath"),
            Failure::NoValue(p) => write!(f, "the parameter `{p}` has no value: give it with `-p {p}=VALUE` or `--parameters FILE`"),
            Failure::Invalid(s) => write!(f, "{s}"),
        }
    }
}

pub(crate) type R = Result<Value, Failure>;

/// The marker of a variable defined by a `variables.copy` loop (not a JSON key ARM allows).
pub(crate) const COPY_VARIABLE: &str = "$azpath-copy-variable";

fn invalid<T>(s: impl Into<String>) -> Result<T, Failure> {
    Err(Failure::Invalid(s.into()))
}

/// Where a deployment goes: the values `subscription()`, `resourceGroup()` and
/// `deployment()` return.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Target {
    pub subscription: String,
    pub tenant: String,
    pub resource_group: String,
    pub location: String,
    pub deployment: String,
}

/// Everything an expression can see.
#[derive(Clone, Debug)]
pub(crate) struct Scope {
    pub target: Target,
    /// Parameter values by lower-case name.
    pub parameters: BTreeMap<String, Value>,
    /// The template's variables as written, by lower-case name.
    pub variables: BTreeMap<String, Value>,
    /// Variables evaluated so far.
    evaluated: BTreeMap<String, Value>,
    /// Variables being evaluated (a cycle is refused).
    busy: BTreeSet<String>,
    /// Copy loops in force, innermost last: (lower-case loop name, index).
    pub copies: Vec<(String, i64)>,
    /// Lambda variables in force, innermost last.
    lambdas: Vec<(String, Value)>,
    /// Functions whose results differ from Azure's (named once each), for the assumptions.
    pub approximated: BTreeSet<&'static str>,
}

impl Scope {
    pub fn new(target: Target) -> Self {
        Self {
            target,
            parameters: BTreeMap::new(),
            variables: BTreeMap::new(),
            evaluated: BTreeMap::new(),
            busy: BTreeSet::new(),
            copies: Vec::new(),
            lambdas: Vec::new(),
            approximated: BTreeSet::new(),
        }
    }

    /// Evaluates every expression in a value tree, expanding property `copy` loops.
    pub fn value(&mut self, v: &Value) -> R {
        match v {
            Value::String(s) => self.string(s),
            Value::Array(items) => items
                .iter()
                .map(|i| self.value(i))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            Value::Object(map) => {
                let mut out = Map::new();
                for (k, v) in map {
                    if k == "copy" {
                        if let Some(loops) = v.as_array() {
                            for l in loops {
                                let (name, items) = self.property_copy(l)?;
                                out.insert(name, Value::Array(items));
                            }
                            continue;
                        }
                    }
                    out.insert(k.clone(), self.value(v)?);
                }
                Ok(Value::Object(out))
            }
            other => Ok(other.clone()),
        }
    }

    /// A property loop: `{"name": …, "count": …, "input": …}`.
    pub fn property_copy(&mut self, l: &Value) -> Result<(String, Vec<Value>), Failure> {
        let Some(name) = l.get("name").and_then(Value::as_str) else {
            return invalid("a property `copy` has no `name`");
        };
        let count = match l.get("count") {
            Some(c) => as_int(&self.value(c)?, "a copy `count`")?,
            None => return invalid(format!("the copy loop `{name}` has no `count`")),
        };
        let Some(input) = l.get("input") else {
            return invalid(format!("the copy loop `{name}` has no `input`"));
        };
        let mut items = Vec::new();
        for i in 0..count.clamp(0, 800) {
            self.copies.push((name.to_lowercase(), i));
            let item = self.value(input);
            self.copies.pop();
            items.push(item?);
        }
        Ok((name.to_string(), items))
    }

    /// A string value: a literal, or an expression's value.
    pub fn string(&mut self, s: &str) -> R {
        match expr::classify(s) {
            Template::Literal(l) => Ok(Value::String(l.into_owned())),
            Template::Expression(text) => {
                let e = expr::parse(text).map_err(|e| {
                    Failure::Invalid(format!("the expression `[{text}]` does not parse: {e}"))
                })?;
                self.eval(&e)
            }
        }
    }

    fn eval(&mut self, e: &Expr) -> R {
        match e {
            Expr::Str(s) => Ok(Value::String(s.clone())),
            Expr::Int(i) => Ok(Value::from(*i)),
            Expr::Member(base, name) => {
                let base = self.eval(base)?;
                member(&base, name)
            }
            Expr::Index(base, index) => {
                let base = self.eval(base)?;
                let index = self.eval(index)?;
                match (&base, &index) {
                    (Value::Array(a), Value::Number(_)) => {
                        let i = as_int(&index, "an array index")?;
                        usize::try_from(i)
                            .ok()
                            .and_then(|i| a.get(i))
                            .cloned()
                            .ok_or_else(|| {
                                Failure::Invalid(format!(
                                    "index {i} is outside an array of {}",
                                    a.len()
                                ))
                            })
                    }
                    (Value::Object(_), Value::String(k)) => member(&base, k),
                    _ => invalid(format!(
                        "cannot index {} with {}",
                        kind(&base),
                        kind(&index)
                    )),
                }
            }
            Expr::Call(name, args) => self.call(name, args),
        }
    }

    fn args(&mut self, args: &[Expr]) -> Result<Vec<Value>, Failure> {
        args.iter().map(|a| self.eval(a)).collect()
    }

    fn variable(&mut self, name: &str) -> R {
        let key = name.to_lowercase();
        if let Some(v) = self.evaluated.get(&key) {
            return Ok(v.clone());
        }
        let Some(raw) = self.variables.get(&key).cloned() else {
            return invalid(format!("the variable `{name}` is not declared"));
        };
        if !self.busy.insert(key.clone()) {
            return invalid(format!("the variable `{name}` refers to itself"));
        }
        // Copy loops and lambdas of the caller do not reach into a variable.
        let copies = std::mem::take(&mut self.copies);
        let lambdas = std::mem::take(&mut self.lambdas);
        // A variable made by the template's `variables.copy` loops.
        let v = match raw.get(COPY_VARIABLE) {
            Some(l) => self.property_copy(l).map(|(_, items)| Value::Array(items)),
            None => self.value(&raw),
        };
        self.copies = copies;
        self.lambdas = lambdas;
        self.busy.remove(&key);
        let v = v?;
        self.evaluated.insert(key, v.clone());
        Ok(v)
    }

    fn copy_index(&self, args: &[Value]) -> R {
        let (name, offset) = match args {
            [] => (None, 0),
            [Value::String(n)] => (Some(n.to_lowercase()), 0),
            [o] => (None, as_int(o, "the offset of copyIndex")?),
            [Value::String(n), o] | [o, Value::String(n)] => (
                Some(n.to_lowercase()),
                as_int(o, "the offset of copyIndex")?,
            ),
            _ => return invalid("copyIndex takes a loop name and an offset"),
        };
        let found = match &name {
            Some(n) => self.copies.iter().rev().find(|(l, _)| l == n),
            None => self.copies.last(),
        };
        match found {
            Some((_, i)) => Ok(Value::from(i + offset)),
            None => invalid(format!(
                "copyIndex({}) is used outside its copy loop",
                name.unwrap_or_default()
            )),
        }
    }

    fn lambda(&mut self, f: &Expr, values: &[Value]) -> R {
        let Expr::Call(name, parts) = f else {
            return invalid("a lambda was expected");
        };
        if !name.eq_ignore_ascii_case("lambda") {
            return invalid("a lambda was expected");
        }
        let Some((body, params)) = parts.split_last() else {
            return invalid("a lambda has a body");
        };
        let mut pushed = 0;
        for (p, v) in params.iter().zip(values) {
            let Expr::Str(p) = p else {
                return invalid("a lambda's parameters are names");
            };
            self.lambdas.push((p.to_lowercase(), v.clone()));
            pushed += 1;
        }
        let out = self.eval(body);
        for _ in 0..pushed {
            self.lambdas.pop();
        }
        out
    }

    fn call(&mut self, name: &str, raw: &[Expr]) -> R {
        let lower = name.to_ascii_lowercase();
        // Functions that evaluate their arguments lazily.
        match lower.as_str() {
            "if" => {
                let [c, t, f] = raw else {
                    return invalid("if takes three arguments");
                };
                let c = self.eval(c)?;
                return if as_bool(&c)? {
                    self.eval(t)
                } else {
                    self.eval(f)
                };
            }
            "and" | "or" => {
                let want = lower == "or";
                for a in raw {
                    if as_bool(&self.eval(a)?)? == want {
                        return Ok(Value::Bool(want));
                    }
                }
                return Ok(Value::Bool(!want));
            }
            "map" | "filter" | "reduce" | "sort" | "groupby" | "toobject" | "mapvalues" => {
                return self.higher_order(&lower, raw);
            }
            _ => {}
        }
        let a = self.args(raw)?;
        functions::call(self, &lower, name, &a)
    }

    fn higher_order(&mut self, f: &str, raw: &[Expr]) -> R {
        let Some((first, rest)) = raw.split_first() else {
            return invalid(format!("{f} takes an array"));
        };
        let input = self.eval(first)?;
        let items: Vec<Value> = match (&input, f) {
            (Value::Object(m), "mapvalues") => m.values().cloned().collect(),
            (Value::Array(a), _) => a.clone(),
            _ => return invalid(format!("{f} takes an array, not {}", kind(&input))),
        };
        match (f, rest) {
            ("map", [l]) => items
                .iter()
                .enumerate()
                .map(|(i, v)| self.lambda(l, &[v.clone(), Value::from(i)]))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            ("filter", [l]) => {
                let mut out = Vec::new();
                for (i, v) in items.into_iter().enumerate() {
                    if as_bool(&self.lambda(l, &[v.clone(), Value::from(i)])?)? {
                        out.push(v);
                    }
                }
                Ok(Value::Array(out))
            }
            ("reduce", [init, l]) => {
                let mut acc = self.eval(init)?;
                for (i, v) in items.into_iter().enumerate() {
                    acc = self.lambda(l, &[acc, v, Value::from(i)])?;
                }
                Ok(acc)
            }
            ("toobject", [k, rest @ ..]) => {
                let mut out = Map::new();
                for v in items {
                    let key = self.lambda(k, std::slice::from_ref(&v))?;
                    let value = match rest {
                        [vl] => self.lambda(vl, &[v])?,
                        _ => v,
                    };
                    out.insert(as_str(&key, "a toObject key")?.to_string(), value);
                }
                Ok(Value::Object(out))
            }
            ("mapvalues", [l]) => {
                let Value::Object(m) = &input else {
                    return invalid("mapValues takes an object");
                };
                let mut out = Map::new();
                for (k, v) in m {
                    out.insert(k.clone(), self.lambda(l, std::slice::from_ref(v))?);
                }
                Ok(Value::Object(out))
            }
            _ => Err(Failure::Unsupported(format!("{f}()"))),
        }
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn member(base: &Value, name: &str) -> R {
    match base {
        Value::Object(m) => m
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
            .ok_or_else(|| Failure::Invalid(format!("the object has no property `{name}`"))),
        other => invalid(format!("`.{name}` of {}", kind(other))),
    }
}

fn as_int(v: &Value, what: &str) -> Result<i64, Failure> {
    match v {
        Value::Number(n) => n
            .as_i64()
            .ok_or_else(|| Failure::Invalid(format!("{what} is not a whole number"))),
        Value::String(s) => s
            .trim()
            .parse()
            .map_err(|_| Failure::Invalid(format!("{what} `{s}` is not a whole number"))),
        other => invalid(format!("{what} is {}, not a number", kind(other))),
    }
}

fn as_bool(v: &Value) -> Result<bool, Failure> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        other => invalid(format!("{} where a boolean was expected", kind(other))),
    }
}

fn as_str<'v>(v: &'v Value, what: &str) -> Result<&'v str, Failure> {
    v.as_str()
        .ok_or_else(|| Failure::Invalid(format!("{what} is {}, not a string", kind(v))))
}

/// A value as `string()` writes it.
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The IPv4 network of a CIDR string.
fn cidr(v: &Value) -> Result<ipnet::Ipv4Net, Failure> {
    let s = as_str(v, "a CIDR range")?;
    s.parse::<ipnet::Ipv4Net>()
        .map(|n| n.trunc())
        .map_err(|_| Failure::Unsupported(format!("the range `{s}` (IPv4 CIDR only)")))
}

mod functions;
