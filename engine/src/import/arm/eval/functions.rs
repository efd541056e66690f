//! The template functions, by name (compared without case, as ARM does).

use std::net::Ipv4Addr;

use serde_json::{Map, Value};

use super::{as_bool, as_int, as_str, cidr, invalid, kind, text, Failure, Scope, R};

/// Calls the function `lower` (written `name`) on evaluated arguments.
pub(super) fn call(scope: &mut Scope, lower: &str, name: &str, a: &[Value]) -> R {
    let t = scope.target.clone();
    Ok(match (lower, a) {
        ("parameters", [Value::String(p)]) => {
            return scope
                .parameters
                .get(&p.to_lowercase())
                .cloned()
                .ok_or_else(|| Failure::NoValue(p.clone()));
        }
        ("variables", [Value::String(v)]) => return scope.variable(v),
        ("copyindex", _) => return scope.copy_index(a),
        ("lambdavariables", [Value::String(v)]) => {
            let key = v.to_lowercase();
            return scope
                .lambdas
                .iter()
                .rev()
                .find(|(n, _)| *n == key)
                .map(|(_, v)| v.clone())
                .ok_or_else(|| {
                    Failure::Invalid(format!("the lambda variable `{v}` is not in scope"))
                });
        }
        // Values of the deployment's target.
        ("resourcegroup", []) => {
            scope.approximated.insert("resourceGroup");
            let t = &scope.target;
            serde_json::json!({
                "id": format!("/subscriptions/{}/resourceGroups/{}", t.subscription, t.resource_group),
                "name": t.resource_group,
                "type": "Microsoft.Resources/resourceGroups",
                "location": t.location,
                "tags": {},
                "properties": {"provisioningState": "Succeeded"},
            })
        }
        ("subscription", []) => {
            scope.approximated.insert("subscription");
            let t = &scope.target;
            serde_json::json!({
                "id": format!("/subscriptions/{}", t.subscription),
                "subscriptionId": t.subscription,
                "tenantId": t.tenant,
                "displayName": t.subscription,
            })
        }
        ("tenant", []) => {
            serde_json::json!({"tenantId": t.tenant, "id": format!("/tenants/{}", t.tenant)})
        }
        ("deployment", []) => serde_json::json!({
            "name": t.deployment,
            "location": t.location,
            "properties": {"templateLink": {"uri": "", "contentVersion": "1.0.0.0"}},
        }),
        ("environment", []) => environment(),
        ("resourceid", _) => Value::String(resource_id(scope, a, Scope::rg_scope)?),
        ("subscriptionresourceid", _) => Value::String(resource_id(scope, a, Scope::sub_scope)?),
        ("tenantresourceid", _) => Value::String(format!("/{}", providers(a)?)),
        ("extensionresourceid", [Value::String(base), rest @ ..]) => Value::String(format!(
            "{}/{}",
            base.trim_end_matches('/'),
            providers(rest)?
        )),
        ("managementgroupresourceid", _) => {
            let (mg, rest) = match a {
                [Value::String(mg), rest @ ..] if !mg.contains('/') && rest.len() > 1 => {
                    (mg.clone(), rest)
                }
                _ => (t.tenant.clone(), a),
            };
            Value::String(format!(
                "/providers/Microsoft.Management/managementGroups/{mg}/{}",
                providers(rest)?
            ))
        }
        ("uniquestring", _) if !a.is_empty() => {
            scope.approximated.insert("uniqueString");
            Value::String(unique_string(a))
        }
        ("guid", _) if !a.is_empty() => {
            scope.approximated.insert("guid");
            Value::String(guid(a))
        }
        _ if lower.starts_with("list")
            || matches!(
                lower,
                "reference"
                    | "resourceinfo"
                    | "utcnow"
                    | "newguid"
                    | "pickzones"
                    | "providers"
                    | "managementgroup"
                    | "deployer"
            ) =>
        {
            return Err(Failure::DeployTime(format!("{name}()")));
        }
        // Logic and comparison.
        ("true", []) => Value::Bool(true),
        ("false", []) => Value::Bool(false),
        ("null", []) => Value::Null,
        ("not", [v]) => Value::Bool(!as_bool(v)?),
        ("bool", [v]) => Value::Bool(as_bool(v)?),
        ("equals", [x, y]) => Value::Bool(equals(x, y)),
        ("less" | "lessorequals" | "greater" | "greaterorequals", [x, y]) => {
            let ord = match (x, y) {
                (Value::String(x), Value::String(y)) => x.cmp(y),
                _ => as_int(x, "a comparison")?.cmp(&as_int(y, "a comparison")?),
            };
            Value::Bool(match lower {
                "less" => ord.is_lt(),
                "lessorequals" => ord.is_le(),
                "greater" => ord.is_gt(),
                _ => ord.is_ge(),
            })
        }
        ("coalesce", _) => a
            .iter()
            .find(|v| !v.is_null())
            .cloned()
            .unwrap_or(Value::Null),
        // Numbers.
        ("int", [v]) => Value::from(as_int(v, "int()")?),
        ("add" | "sub" | "mul" | "div" | "mod", [x, y]) => {
            let (x, y) = (as_int(x, lower)?, as_int(y, lower)?);
            let r = match lower {
                "add" => x.checked_add(y),
                "sub" => x.checked_sub(y),
                "mul" => x.checked_mul(y),
                "div" => x.checked_div(y),
                _ => x.checked_rem(y),
            };
            Value::from(r.ok_or_else(|| {
                Failure::Invalid(format!("{name}({x}, {y}) overflows or divides by zero"))
            })?)
        }
        ("min" | "max", _) => {
            let mut all = Vec::new();
            for v in a {
                match v {
                    Value::Array(items) => {
                        for i in items {
                            all.push(as_int(i, lower)?)
                        }
                    }
                    other => all.push(as_int(other, lower)?),
                }
            }
            let r = if lower == "min" {
                all.iter().min()
            } else {
                all.iter().max()
            };
            Value::from(*r.ok_or_else(|| Failure::Invalid(format!("{name}() of nothing")))?)
        }
        ("range", [s, n]) => {
            let (s, n) = (as_int(s, "range")?, as_int(n, "range")?);
            Value::Array(
                (s..s.saturating_add(n.clamp(0, 10_000)))
                    .map(Value::from)
                    .collect(),
            )
        }
        // Strings.
        ("string", [v]) => Value::String(text(v)),
        ("concat", _) => {
            if a.iter().any(Value::is_array) {
                let mut out = Vec::new();
                for v in a {
                    match v {
                        Value::Array(items) => out.extend(items.iter().cloned()),
                        Value::Null => {}
                        other => out.push(other.clone()),
                    }
                }
                Value::Array(out)
            } else {
                Value::String(a.iter().map(text).collect())
            }
        }
        ("format", [Value::String(f), rest @ ..]) => Value::String(format(f, rest)?),
        ("tolower", [v]) => Value::String(as_str(v, "toLower")?.to_lowercase()),
        ("toupper", [v]) => Value::String(as_str(v, "toUpper")?.to_uppercase()),
        ("trim", [v]) => Value::String(as_str(v, "trim")?.trim().to_string()),
        ("replace", [s, o, n]) => Value::String(
            as_str(s, "replace")?.replace(as_str(o, "replace")?, as_str(n, "replace")?),
        ),
        ("split", [s, d]) => {
            let s = as_str(s, "split")?;
            let delims: Vec<String> = match d {
                Value::Array(ds) => ds.iter().map(text).collect(),
                other => vec![text(other)],
            };
            let mut parts = vec![s.to_string()];
            for d in delims.iter().filter(|d| !d.is_empty()) {
                parts = parts
                    .iter()
                    .flat_map(|p| p.split(d.as_str()).map(str::to_string).collect::<Vec<_>>())
                    .collect();
            }
            Value::Array(parts.into_iter().map(Value::String).collect())
        }
        ("join", [Value::Array(items), d]) => Value::String(
            items
                .iter()
                .map(text)
                .collect::<Vec<_>>()
                .join(as_str(d, "join")?),
        ),
        ("substring", [s, rest @ ..]) => {
            let chars: Vec<char> = as_str(s, "substring")?.chars().collect();
            let start = usize::try_from(match rest.first() {
                Some(v) => as_int(v, "substring")?,
                None => 0,
            })
            .unwrap_or(usize::MAX);
            let len = match rest.get(1) {
                Some(v) => usize::try_from(as_int(v, "substring")?).unwrap_or(usize::MAX),
                None => chars.len().saturating_sub(start),
            };
            match chars.get(start..start.saturating_add(len)) {
                Some(cut) => Value::String(cut.iter().collect()),
                None => {
                    return invalid(format!(
                        "substring({start}, {len}) is outside a string of {}",
                        chars.len()
                    ))
                }
            }
        }
        ("startswith", [s, p]) => Value::Bool(
            as_str(s, lower)?
                .to_lowercase()
                .starts_with(&as_str(p, lower)?.to_lowercase()),
        ),
        ("endswith", [s, p]) => Value::Bool(
            as_str(s, lower)?
                .to_lowercase()
                .ends_with(&as_str(p, lower)?.to_lowercase()),
        ),
        ("indexof" | "lastindexof", [Value::String(s), Value::String(p)]) => {
            let (s, p) = (s.to_lowercase(), p.to_lowercase());
            let at = if lower == "indexof" {
                s.find(&p)
            } else {
                s.rfind(&p)
            };
            Value::from(at.map_or(-1, |i| {
                i64::try_from(s.get(..i).map_or(0, |x| x.chars().count())).unwrap_or(-1)
            }))
        }
        ("indexof" | "lastindexof", [Value::Array(items), v]) => {
            let at = if lower == "indexof" {
                items.iter().position(|i| equals(i, v))
            } else {
                items.iter().rposition(|i| equals(i, v))
            };
            Value::from(at.map_or(-1, |i| i64::try_from(i).unwrap_or(-1)))
        }
        ("padleft", [v, n, rest @ ..]) => {
            let s = text(v);
            let n = usize::try_from(as_int(n, "padLeft")?)
                .unwrap_or(0)
                .min(1000);
            let pad = rest
                .first()
                .map(text)
                .and_then(|p| p.chars().next())
                .unwrap_or(' ');
            let missing = n.saturating_sub(s.chars().count());
            Value::String(std::iter::repeat_n(pad, missing).chain(s.chars()).collect())
        }
        ("base64", [v]) => Value::String(base64(as_str(v, "base64")?.as_bytes())),
        ("uri", [b, r]) => {
            let (b, r) = (as_str(b, "uri")?, as_str(r, "uri")?);
            Value::String(match b.rfind('/') {
                Some(i) => format!("{}{}", b.get(..=i).unwrap_or(b), r.trim_start_matches('/')),
                None => format!("{b}/{r}"),
            })
        }
        ("json", [v]) => {
            let s = as_str(v, "json")?;
            serde_json::from_str(s).map_err(|e| Failure::Invalid(format!("json('{s}'): {e}")))?
        }
        // Arrays and objects.
        ("createarray" | "array", _) if lower == "createarray" || a.len() != 1 => {
            Value::Array(a.to_vec())
        }
        ("array", [v]) => match v {
            Value::Array(_) => v.clone(),
            other => Value::Array(vec![other.clone()]),
        },
        ("createobject", _) => {
            let mut m = Map::new();
            for pair in a.chunks(2) {
                let [k, v] = pair else {
                    return invalid("createObject takes key/value pairs");
                };
                m.insert(text(k), v.clone());
            }
            Value::Object(m)
        }
        ("length", [v]) => Value::from(match v {
            Value::String(s) => s.chars().count(),
            Value::Array(x) => x.len(),
            Value::Object(m) => m.len(),
            Value::Null => 0,
            other => return invalid(format!("length of {}", kind(other))),
        }),
        ("empty", [v]) => Value::Bool(match v {
            Value::String(s) => s.is_empty(),
            Value::Array(x) => x.is_empty(),
            Value::Object(m) => m.is_empty(),
            Value::Null => true,
            _ => false,
        }),
        ("contains", [c, v]) => Value::Bool(match c {
            Value::String(s) => s.to_lowercase().contains(&text(v).to_lowercase()),
            Value::Array(x) => x.iter().any(|i| equals(i, v)),
            Value::Object(m) => m.keys().any(|k| k.eq_ignore_ascii_case(&text(v))),
            Value::Null => false,
            other => return invalid(format!("contains() in {}", kind(other))),
        }),
        ("first" | "last", [v]) => match v {
            Value::Array(x) => (if lower == "first" {
                x.first()
            } else {
                x.last()
            })
            .cloned()
            .unwrap_or(Value::Null),
            Value::String(s) => Value::String(
                (if lower == "first" {
                    s.chars().next()
                } else {
                    s.chars().last()
                })
                .map(String::from)
                .unwrap_or_default(),
            ),
            other => return invalid(format!("{name}() of {}", kind(other))),
        },
        ("skip" | "take", [v, n]) => {
            let n = usize::try_from(as_int(n, lower)?.max(0)).unwrap_or(0);
            match v {
                Value::Array(x) => Value::Array(if lower == "skip" {
                    x.iter().skip(n).cloned().collect()
                } else {
                    x.iter().take(n).cloned().collect()
                }),
                Value::String(s) => Value::String(if lower == "skip" {
                    s.chars().skip(n).collect()
                } else {
                    s.chars().take(n).collect()
                }),
                other => return invalid(format!("{name}() of {}", kind(other))),
            }
        }
        ("union", _) => union(a)?,
        ("intersection", [first, rest @ ..]) => match first {
            Value::Array(x) => Value::Array(
                x.iter()
                    .filter(|i| {
                        rest.iter()
                            .all(|r| r.as_array().is_some_and(|r| r.iter().any(|j| equals(i, j))))
                    })
                    .cloned()
                    .collect(),
            ),
            Value::Object(m) => Value::Object(
                m.iter()
                    .filter(|(k, v)| {
                        rest.iter()
                            .all(|r| r.get(k.as_str()).is_some_and(|w| equals(v, w)))
                    })
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            ),
            other => return invalid(format!("intersection() of {}", kind(other))),
        },
        ("items", [Value::Object(m)]) => Value::Array(
            m.iter()
                .map(|(k, v)| serde_json::json!({"key": k, "value": v}))
                .collect(),
        ),
        ("objectkeys", [Value::Object(m)]) => {
            Value::Array(m.keys().cloned().map(Value::String).collect())
        }
        ("flatten", [Value::Array(x)]) => Value::Array(
            x.iter()
                .flat_map(|i| match i {
                    Value::Array(y) => y.clone(),
                    other => vec![other.clone()],
                })
                .collect(),
        ),
        ("tryget", [base, keys @ ..]) => {
            let mut cur = base.clone();
            for k in keys {
                cur = match (&cur, k) {
                    (Value::Object(m), _) => m
                        .iter()
                        .find(|(n, _)| n.eq_ignore_ascii_case(&text(k)))
                        .map(|(_, v)| v.clone())
                        .unwrap_or(Value::Null),
                    (Value::Array(x), Value::Number(_)) => usize::try_from(as_int(k, "tryGet")?)
                        .ok()
                        .and_then(|i| x.get(i))
                        .cloned()
                        .unwrap_or(Value::Null),
                    _ => Value::Null,
                };
            }
            cur
        }
        ("shallowmerge", [Value::Array(objs)]) => union(objs)?,
        // CIDR (https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-cidr).
        ("parsecidr", [v]) => {
            let n = cidr(v)?;
            let (first, last) = usable(&n);
            serde_json::json!({
                "network": n.network().to_string(),
                "netmask": n.netmask().to_string(),
                "broadcast": n.broadcast().to_string(),
                "firstUsable": first.to_string(),
                "lastUsable": last.to_string(),
                "cidr": n.prefix_len(),
            })
        }
        ("cidrsubnet", [v, bits, index]) => {
            let n = cidr(v)?;
            let bits = u8::try_from(as_int(bits, "cidrSubnet's new CIDR")?)
                .map_err(|_| Failure::Invalid("cidrSubnet's new CIDR is out of range".into()))?;
            let index = usize::try_from(as_int(index, "cidrSubnet's index")?)
                .map_err(|_| Failure::Invalid("cidrSubnet's index is negative".into()))?;
            let sub = n
                .subnets(bits)
                .map_err(|_| Failure::Invalid(format!("cidrSubnet: /{bits} is not inside {n}")))?
                .nth(index);
            Value::String(
                sub.ok_or_else(|| {
                    Failure::Invalid(format!("cidrSubnet: {n} has no /{bits} number {index}"))
                })?
                .to_string(),
            )
        }
        ("cidrhost", [v, index]) => {
            let n = cidr(v)?;
            let (first, last) = usable(&n);
            let i = u32::try_from(as_int(index, "cidrHost's index")?)
                .map_err(|_| Failure::Invalid("cidrHost's index is negative".into()))?;
            let ip = u32::from(first)
                .checked_add(i)
                .filter(|ip| *ip <= u32::from(last));
            Value::String(
                ip.map(Ipv4Addr::from)
                    .ok_or_else(|| {
                        Failure::Invalid(format!("cidrHost: {n} has no host number {i}"))
                    })?
                    .to_string(),
            )
        }
        _ if scope_free_unknown(lower) => return Err(Failure::Unsupported(format!("{name}()"))),
        _ => {
            return invalid(format!(
                "{name}() with {} argument(s) of kind(s) {}",
                a.len(),
                a.iter().map(kind).collect::<Vec<_>>().join(", ")
            ))
        }
    })
}

/// Whether a name is not one of the functions above (a user-defined `ns.fn`, or one azpath
/// does not have) rather than a known function called wrongly.
fn scope_free_unknown(lower: &str) -> bool {
    const KNOWN: &[&str] = &[
        "parameters",
        "variables",
        "copyindex",
        "resourcegroup",
        "subscription",
        "tenant",
        "deployment",
        "environment",
        "resourceid",
        "subscriptionresourceid",
        "tenantresourceid",
        "extensionresourceid",
        "uniquestring",
        "guid",
        "true",
        "false",
        "null",
        "not",
        "bool",
        "equals",
        "less",
        "lessorequals",
        "greater",
        "greaterorequals",
        "coalesce",
        "int",
        "add",
        "sub",
        "mul",
        "div",
        "mod",
        "min",
        "max",
        "range",
        "string",
        "concat",
        "format",
        "tolower",
        "toupper",
        "trim",
        "replace",
        "split",
        "join",
        "substring",
        "startswith",
        "endswith",
        "indexof",
        "lastindexof",
        "padleft",
        "base64",
        "uri",
        "json",
        "createarray",
        "array",
        "createobject",
        "length",
        "empty",
        "contains",
        "first",
        "last",
        "skip",
        "take",
        "union",
        "intersection",
        "items",
        "objectkeys",
        "flatten",
        "tryget",
        "shallowmerge",
        "parsecidr",
        "cidrsubnet",
        "cidrhost",
        "lambdavariables",
        "managementgroupresourceid",
    ];
    !KNOWN.contains(&lower)
}

/// The first and last usable addresses as `parseCidr` gives them (network + 1, broadcast − 1;
/// the whole range for /31 and /32).
fn usable(n: &ipnet::Ipv4Net) -> (Ipv4Addr, Ipv4Addr) {
    if n.prefix_len() >= 31 {
        return (n.network(), n.broadcast());
    }
    (
        Ipv4Addr::from(u32::from(n.network()).saturating_add(1)),
        Ipv4Addr::from(u32::from(n.broadcast()).saturating_sub(1)),
    )
}

/// ARM compares strings without case in `equals`? No: `equals` is exact for strings
/// (<https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-comparison#equals>);
/// arrays and objects compare element by element.
fn equals(x: &Value, y: &Value) -> bool {
    x == y
}

fn union(a: &[Value]) -> R {
    match a.first() {
        Some(Value::Object(_)) => {
            let mut out = Map::new();
            for v in a {
                if let Value::Object(m) = v {
                    for (k, v) in m {
                        out.insert(k.clone(), v.clone());
                    }
                }
            }
            Ok(Value::Object(out))
        }
        Some(Value::Array(_)) => {
            let mut out: Vec<Value> = Vec::new();
            for v in a {
                for i in v.as_array().into_iter().flatten() {
                    if !out.contains(i) {
                        out.push(i.clone());
                    }
                }
            }
            Ok(Value::Array(out))
        }
        _ => invalid("union() takes arrays or objects"),
    }
}

/// `{0}`, `{1:D2}`… as .NET's composite format does.
fn format(f: &str, args: &[Value]) -> Result<String, Failure> {
    let mut out = String::new();
    let mut chars = f.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let spec: String = chars.by_ref().take_while(|c| *c != '}').collect();
                let (index, fmt) = spec.split_once(':').unwrap_or((spec.as_str(), ""));
                let i: usize = index.trim().parse().map_err(|_| {
                    Failure::Invalid(format!("format: `{{{spec}}}` is not an argument number"))
                })?;
                let v = args
                    .get(i)
                    .ok_or_else(|| Failure::Invalid(format!("format: no argument {i}")))?;
                let upper = fmt.to_ascii_uppercase();
                if let Some(width) = upper.strip_prefix('D') {
                    let width: usize = if width.is_empty() {
                        0
                    } else {
                        width
                            .parse()
                            .map_err(|_| Failure::Unsupported(format!("format `{fmt}`")))?
                    };
                    let n = as_int(v, "a number to format")?;
                    out.push_str(&format!("{n:0width$}"));
                } else if fmt.is_empty() {
                    out.push_str(&text(v));
                } else {
                    return Err(Failure::Unsupported(format!("the format `{fmt}`")));
                }
            }
            other => out.push(other),
        }
    }
    Ok(out)
}

fn environment() -> Value {
    serde_json::json!({
        "name": "AzureCloud",
        "gallery": "https://gallery.azure.com/",
        "graph": "https://graph.windows.net/",
        "portal": "https://portal.azure.com",
        "resourceManager": "https://management.azure.com/",
        "authentication": {"loginEndpoint": "https://login.microsoftonline.com/", "audiences": ["https://management.core.windows.net/", "https://management.azure.com/"], "tenant": "common"},
        "suffixes": {
            "acrLoginServer": ".azurecr.io",
            "azureDatalakeAnalyticsCatalogAndJob": "azuredatalakeanalytics.net",
            "azureDatalakeStoreFileSystem": "azuredatalakestore.net",
            "azureFrontDoorEndpointSuffix": "azurefd.net",
            "keyvaultDns": ".vault.azure.net",
            "sqlServerHostname": ".database.windows.net",
            "storage": "core.windows.net"
        }
    })
}

/// `providers/<ns>/<type>/<name>/…` from `type, name, name…` arguments.
fn providers(a: &[Value]) -> Result<String, Failure> {
    let Some((kind, names)) = a.split_first() else {
        return invalid("a resource type is missing");
    };
    let kind = as_str(kind, "a resource type")?;
    // `resourceId('Microsoft.Network/publicIPAddresses/', name)`, common in quickstart
    // templates, deploys: a slash closing the type names no further type.
    let kind = kind.trim_end_matches('/');
    let mut types = kind.split('/');
    let ns = types.next().unwrap_or_default();
    let names: Vec<String> = names
        .iter()
        .map(text)
        .flat_map(|n| n.split('/').map(str::to_string).collect::<Vec<_>>())
        .collect();
    let types: Vec<&str> = types.collect();
    if types.len() != names.len() {
        return invalid(format!(
            "the resource type `{kind}` needs {} name(s), not {}",
            types.len(),
            names.len()
        ));
    }
    let mut out = format!("providers/{ns}");
    for (t, n) in types.iter().zip(&names) {
        out.push_str(&format!("/{t}/{n}"));
    }
    Ok(out)
}

fn resource_id(
    scope: &Scope,
    a: &[Value],
    with: fn(&Scope, &[Value]) -> Result<String, Failure>,
) -> Result<String, Failure> {
    // The first argument with a `/` is the type; what precedes it is the scope.
    let at = a
        .iter()
        .position(|v| v.as_str().is_some_and(|s| s.contains('/')))
        .ok_or_else(|| Failure::Invalid("resourceId() names no resource type".into()))?;
    let (before, rest) = a.split_at(at);
    Ok(format!("{}/{}", with(scope, before)?, providers(rest)?))
}

impl Scope {
    fn rg_scope(&self, before: &[Value]) -> Result<String, Failure> {
        let t = &self.target;
        Ok(match before {
            [] => format!(
                "/subscriptions/{}/resourceGroups/{}",
                t.subscription, t.resource_group
            ),
            [rg] => format!(
                "/subscriptions/{}/resourceGroups/{}",
                t.subscription,
                text(rg)
            ),
            [sub, rg] => format!("/subscriptions/{}/resourceGroups/{}", text(sub), text(rg)),
            _ => {
                return invalid(
                    "resourceId() takes a subscription and a resource group before the type",
                )
            }
        })
    }

    fn sub_scope(&self, before: &[Value]) -> Result<String, Failure> {
        Ok(match before {
            [] => format!("/subscriptions/{}", self.target.subscription),
            [sub] => format!("/subscriptions/{}", text(sub)),
            _ => return invalid("subscriptionResourceId() takes a subscription before the type"),
        })
    }
}

/// A deterministic 13-character stand-in for `uniqueString` (lower case letters and digits,
/// as Azure's). Azure's own hash is not published, so the value differs from Azure's: names
/// built with it are placeholders, the same for the same arguments.
fn unique_string(a: &[Value]) -> String {
    let mut h = fnv(a);
    let alphabet = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut out = String::new();
    for _ in 0..13 {
        let i = usize::try_from(h % 32).unwrap_or(0);
        out.push(char::from(alphabet.get(i).copied().unwrap_or(b'a')));
        h /= 32;
        if h == 0 {
            h = fnv(&[Value::String(out.clone())]);
        }
    }
    out
}

/// A deterministic GUID-shaped stand-in for `guid` (not Azure's value).
fn guid(a: &[Value]) -> String {
    let x = fnv(a);
    let y = fnv(&[Value::from(x)]);
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        x >> 32,
        (x >> 16) & 0xffff,
        x & 0xffff,
        y >> 48,
        y & 0xffff_ffff_ffff
    )
}

/// FNV-1a over the arguments' texts.
fn fnv(a: &[Value]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for v in a {
        for b in text(v).bytes().chain(std::iter::once(0)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let byte = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let n = (byte(0) << 16) | (byte(1) << 8) | byte(2);
        for i in 0..4 {
            if i <= chunk.len() {
                let idx = usize::try_from((n >> (18 - 6 * i)) & 63).unwrap_or(0);
                out.push(char::from(T.get(idx).copied().unwrap_or(b'A')));
            } else {
                out.push('=');
            }
        }
    }
    out
}
