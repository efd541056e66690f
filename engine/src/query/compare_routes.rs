//! "Does Azure show the effective routes azpath computes?" Rows in the shape of
//! `az network nic show-effective-route-table` (Network Watcher's `effectiveRouteListResult`),
//! compared row by row.

use std::collections::{BTreeSet, HashMap, VecDeque};

use serde::{Deserialize, Serialize};

use crate::diag::{Located, Severity};
use crate::scenario::SourceFile;

/// One row of `az network nic show-effective-route-table`, with the REST API's field names.
/// Read strictly: a field of the wrong type, a prefix or an address that is not one is an
/// error at its position, never a difference.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AzEffectiveRoute {
    /// The prefixes (Azure prints one per row, as a list).
    #[serde(deserialize_with = "az::prefixes")]
    pub address_prefix: Vec<String>,
    /// Whether the subnet's route table stops gateway route propagation.
    #[serde(default, deserialize_with = "az::flag")]
    pub disable_bgp_route_propagation: bool,
    /// The UDR's name; none for other routes.
    #[serde(default, deserialize_with = "az::optional_text")]
    pub name: Option<String>,
    /// Next hop addresses (several for equal-cost gateway routes).
    #[serde(default, deserialize_with = "az::addresses")]
    pub next_hop_ip_address: Vec<String>,
    /// `VnetLocal`, `VirtualAppliance`, …
    #[serde(deserialize_with = "az::next_hop_type")]
    pub next_hop_type: String,
    /// `Default`, `User` or `VirtualNetworkGateway`.
    #[serde(deserialize_with = "az::source")]
    pub source: String,
    /// `Active` or `Invalid`.
    #[serde(deserialize_with = "az::state")]
    pub state: String,
}

/// The whole list, as `az` prints it (`{"value": [...]}`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AzEffectiveRouteList {
    /// The rows.
    #[serde(deserialize_with = "az::rows")]
    pub value: Vec<AzEffectiveRoute>,
}

/// Why `az`'s effective routes could not be read: the position (1-based line and column, in
/// characters) and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column}: {message} (hint: {hint})")]
pub struct AzRoutesError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong, naming the field.
    pub message: String,
    /// What to do about it.
    pub hint: String,
}

impl AzRoutesError {
    /// The error located in the file `name`.
    pub fn located(&self, name: &str) -> Located {
        Located {
            file: name.to_string(),
            line: self.line,
            column: self.column,
            severity: Severity::Error,
            message: self.message.clone(),
            hint: Some(self.hint.clone()),
        }
    }
}

/// Reads Azure's effective routes: the `az` output (`{"value": [...]}`) or a bare list. Every
/// prefix and next hop address must parse; a field of the wrong type is named with the type it
/// needs, at its position.
pub fn parse_az_routes(text: &str) -> Result<Vec<AzEffectiveRoute>, AzRoutesError> {
    let text = crate::input::strip_bom(text);
    az::forget_bad_item();
    let start = text.len() - text.trim_start().len();
    let parsed = match text.trim_start().chars().next() {
        Some('{') => serde_json::from_str::<AzEffectiveRouteList>(text).map(|l| l.value),
        Some('[') => {
            let mut de = serde_json::Deserializer::from_str(text);
            az::rows(&mut de).and_then(|rows| de.end().map(|()| rows))
        }
        _ => {
            let (line, column) = SourceFile::new("", text).line_col(start);
            return Err(AzRoutesError {
                line,
                column,
                message: "expected `{\"value\": [...]}` or a list of routes".into(),
                hint: az::HINT.into(),
            });
        }
    };
    parsed.map_err(|e| az::error(text, &e))
}

/// Strict readers of the fields of `az`'s effective routes, with messages that name the field.
mod az {
    use std::net::IpAddr;

    use ipnet::IpNet;
    use serde::de::{Error as _, SeqAccess, Visitor};
    use serde::{Deserialize, Deserializer};
    use serde_json::Value;

    use super::{AzEffectiveRoute, AzRoutesError};
    use crate::scenario::SourceFile;

    thread_local! {
        /// The item a [`List`] refused, so that the error can stand on it: `serde_json` places
        /// an error raised inside a list after the list's end.
        static BAD_ITEM: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
    }

    /// Forgets the item refused by an earlier parse on this thread.
    pub(super) fn forget_bad_item() {
        BAD_ITEM.with(|b| b.replace(None));
    }

    pub(super) const HINT: &str =
        "give the output of `az network nic show-effective-route-table -o json`, unchanged";

    /// The error of `serde_json`, placed in `text` and worded without its internals.
    pub(super) fn error(text: &str, e: &serde_json::Error) -> AzRoutesError {
        let mut offset = crate::input::json_error_offset(text, e);
        // An item a list refused: its string, the last one before where `serde_json` stopped.
        if let Some(item) = BAD_ITEM.with(|b| b.borrow_mut().take()) {
            let literal = serde_json::to_string(&item).unwrap_or_default();
            if let Some(at) = text.get(..offset).and_then(|before| before.rfind(&literal)) {
                offset = at;
            }
        }
        let (line, column) = SourceFile::new("", text).line_col(offset);
        let full = e.to_string();
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        let message = full.strip_suffix(&suffix).unwrap_or(&full);
        let message = reword(message);
        let hint = match e.classify() {
            serde_json::error::Category::Eof => "the JSON ends early: the file may be cut short",
            serde_json::error::Category::Syntax => {
                "the file is not valid JSON; save what `az … -o json` prints, unchanged"
            }
            _ => HINT,
        };
        AzRoutesError {
            line,
            column,
            message,
            hint: hint.into(),
        }
    }

    /// `invalid type: X, expected Y` as `expected Y, found X`, with the names of the types.
    fn reword(message: &str) -> String {
        let message = message
            .replace("struct AzEffectiveRouteList", "`{\"value\": [...]}`")
            .replace(
                "struct AzEffectiveRoute",
                "a route `{\"addressPrefix\": [...], ...}`",
            );
        match message
            .strip_prefix("invalid type: ")
            .and_then(|m| m.split_once(", expected "))
        {
            Some((found, expected)) => format!("expected {expected}, found {found}"),
            None => message,
        }
    }

    /// What a JSON value is, for messages.
    fn kind(v: &Value) -> String {
        match v {
            Value::Null => "null".into(),
            Value::Bool(b) => format!("`{b}`"),
            Value::Number(n) => format!("the number `{n}`"),
            Value::String(s) => format!("the string `{}`", s.escape_debug()),
            Value::Array(_) => "a list".into(),
            Value::Object(_) => "an object".into(),
        }
    }

    /// A list of strings in `field`, each checked by `check` as it is read, so that an error
    /// stands where the bad item is; `null` is an empty list when `nullable`.
    struct List {
        field: &'static str,
        what: &'static str,
        plural: &'static str,
        nullable: bool,
        check: fn(&str) -> bool,
        example: &'static str,
    }

    impl<'de> Visitor<'de> for List {
        type Value = Vec<String>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(
                f,
                "`{}` to be a list of {} such as [\"{}\"]",
                self.field, self.plural, self.example
            )
        }

        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            if self.nullable {
                Ok(Vec::new())
            } else {
                Err(E::invalid_type(serde::de::Unexpected::Unit, &self))
            }
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut items = Vec::new();
            while let Some(item) = seq.next_element::<Value>()? {
                let Value::String(text) = item else {
                    return Err(A::Error::custom(format!(
                        "`{}` must be a list of strings, found {} in it",
                        self.field,
                        kind(&item)
                    )));
                };
                if !(self.check)(text.trim()) {
                    BAD_ITEM.with(|b| b.replace(Some(text.clone())));
                    return Err(A::Error::custom(format!(
                        "`{}`: `{}` is not an {} such as `{}`",
                        self.field,
                        text.escape_debug(),
                        self.what,
                        self.example
                    )));
                }
                items.push(text);
            }
            if items.is_empty() && !self.nullable {
                return Err(A::Error::custom(format!(
                    "`{}` is an empty list",
                    self.field
                )));
            }
            Ok(items)
        }
    }

    pub(super) fn prefixes<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        d.deserialize_any(List {
            field: "addressPrefix",
            what: "IP prefix",
            plural: "IP prefixes",
            nullable: false,
            check: |s| s.parse::<IpNet>().is_ok(),
            example: "10.0.0.0/16",
        })
    }

    pub(super) fn addresses<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        d.deserialize_any(List {
            field: "nextHopIpAddress",
            what: "IP address",
            plural: "IP addresses",
            nullable: true,
            check: |s| s.parse::<IpAddr>().is_ok(),
            example: "10.0.1.4",
        })
    }

    fn text<'de, D: Deserializer<'de>>(d: D, field: &str) -> Result<String, D::Error> {
        match Value::deserialize(d)? {
            Value::String(s) => Ok(s),
            other => Err(D::Error::custom(format!(
                "`{field}` must be a string, found {}",
                kind(&other)
            ))),
        }
    }

    pub(super) fn next_hop_type<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        text(d, "nextHopType")
    }

    pub(super) fn source<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        text(d, "source")
    }

    pub(super) fn state<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        text(d, "state")
    }

    pub(super) fn optional_text<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<String>, D::Error> {
        match Value::deserialize(d)? {
            Value::Null => Ok(None),
            Value::String(s) => Ok(Some(s)),
            other => Err(D::Error::custom(format!(
                "`name` must be a string or null, found {}",
                kind(&other)
            ))),
        }
    }

    pub(super) fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        match Value::deserialize(d)? {
            Value::Null => Ok(false),
            Value::Bool(b) => Ok(b),
            other => Err(D::Error::custom(format!(
                "`disableBgpRoutePropagation` must be `true` or `false`, found {}",
                kind(&other)
            ))),
        }
    }

    /// The list of routes, read row by row so that an error keeps its position.
    pub(super) fn rows<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<AzEffectiveRoute>, D::Error> {
        struct Rows;
        impl<'de> Visitor<'de> for Rows {
            type Value = Vec<AzEffectiveRoute>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a list of routes")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut rows = Vec::new();
                while let Some(row) = seq.next_element()? {
                    rows.push(row);
                }
                Ok(rows)
            }
        }
        d.deserialize_seq(Rows)
    }
}

/// A row as compared: order and case of what Azure prints do not matter.
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct RouteRow {
    /// The route source.
    pub source: String,
    /// The prefixes, sorted.
    pub prefixes: Vec<String>,
    /// The next hop type.
    pub next_hop_type: String,
    /// The state.
    pub state: String,
    /// The next hop addresses, sorted.
    pub next_hop_ips: Vec<String>,
}

impl RouteRow {
    fn of(r: &AzEffectiveRoute) -> Self {
        let sorted = |v: &[String]| {
            let set: BTreeSet<String> = v.iter().map(|s| s.trim().to_string()).collect();
            set.into_iter().collect::<Vec<_>>()
        };
        Self {
            source: r.source.clone(),
            prefixes: sorted(&r.address_prefix),
            next_hop_type: r.next_hop_type.clone(),
            state: r.state.clone(),
            next_hop_ips: sorted(&r.next_hop_ip_address),
        }
    }

    /// What two rows must share to match in `pass`: source, state and next hop type compare
    /// without case, prefixes and addresses exactly (both sorted).
    fn key(&self, pass: Pass) -> RowKey {
        let lower = |s: &str| s.to_ascii_lowercase();
        let mut key = RowKey {
            source: lower(&self.source),
            prefixes: self.prefixes.clone(),
            ..RowKey::default()
        };
        if pass != Pass::SamePrefix {
            key.next_hop_type = lower(&self.next_hop_type);
        }
        if pass == Pass::Equal {
            key.state = lower(&self.state);
            key.next_hop_ips = self.next_hop_ips.clone();
        }
        key
    }
}

/// The passes of the comparison, strictest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pass {
    /// Every field equal.
    Equal,
    /// Source, prefixes and next hop type equal.
    SameRoute,
    /// Source and prefixes equal.
    SamePrefix,
}

/// The fields a [`Pass`] compares, normalised.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
struct RowKey {
    source: String,
    prefixes: Vec<String>,
    next_hop_type: String,
    state: String,
    next_hop_ips: Vec<String>,
}

/// One difference between azpath's table and Azure's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "difference")]
pub enum RouteDifference {
    /// azpath computes the row; Azure does not show it.
    Missing {
        /// azpath's row.
        expected: RouteRow,
    },
    /// Azure shows the row; azpath does not compute it.
    Extra {
        /// Azure's row.
        actual: RouteRow,
    },
    /// The same route (source, prefix and, unless `next_hop_type` is named, next hop type)
    /// with a different state or next hop.
    Differs {
        /// azpath's row.
        expected: RouteRow,
        /// Azure's row.
        actual: RouteRow,
        /// The fields that differ: `state`, `next_hop_type`, `next_hop_ips`.
        fields: Vec<String>,
    },
}

/// The comparison of one subnet's effective routes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct RouteComparison {
    /// The subnet, `vnet/subnet`.
    pub subnet: String,
    /// Rows equal on both sides.
    pub matched: usize,
    /// Every difference, azpath's row order first.
    pub differences: Vec<RouteDifference>,
}

/// Compares azpath's rows (`expected`, see [`crate::report::az::routes`]) with Azure's.
pub fn compare_routes(
    subnet: &str,
    expected: &[AzEffectiveRoute],
    actual: &[AzEffectiveRoute],
) -> RouteComparison {
    let mut left: Vec<Option<RouteRow>> = expected.iter().map(|r| Some(RouteRow::of(r))).collect();
    let mut right: Vec<Option<RouteRow>> = actual.iter().map(|r| Some(RouteRow::of(r))).collect();
    let mut matched = 0;
    let mut pairs: Vec<(usize, RouteRow, RouteRow)> = Vec::new();
    // Equal rows first, then the same route with other details, then the same prefix and
    // source with another next hop type. Each of azpath's rows, in order, takes the first of
    // Azure's rows still free that it matches, found through a hash of the pass's key, so the
    // comparison is linear in the rows.
    for pass in [Pass::Equal, Pass::SameRoute, Pass::SamePrefix] {
        let mut free: HashMap<RowKey, VecDeque<usize>> = HashMap::new();
        for (j, a) in right.iter().enumerate() {
            if let Some(a) = a {
                free.entry(a.key(pass)).or_default().push_back(j);
            }
        }
        for (i, slot) in left.iter_mut().enumerate() {
            let Some(e) = slot.as_ref() else { continue };
            // Azure's rows are taken only through these queues in a pass, so each index
            // popped is still free.
            let Some(j) = free.get_mut(&e.key(pass)).and_then(VecDeque::pop_front) else {
                continue;
            };
            let (Some(a), Some(e)) = (right.get_mut(j).and_then(Option::take), slot.take()) else {
                continue;
            };
            if pass == Pass::Equal {
                matched += 1;
            } else {
                pairs.push((i, e, a));
            }
        }
    }
    let mut ordered: Vec<(usize, RouteDifference)> = pairs
        .into_iter()
        .map(|(i, expected, actual)| {
            let fields = differing_fields(&expected, &actual);
            (
                i,
                RouteDifference::Differs {
                    expected,
                    actual,
                    fields,
                },
            )
        })
        .collect();
    for (i, slot) in left.into_iter().enumerate() {
        if let Some(expected) = slot {
            ordered.push((i, RouteDifference::Missing { expected }));
        }
    }
    ordered.sort_by_key(|(i, _)| *i);
    let mut differences: Vec<RouteDifference> = ordered.into_iter().map(|(_, d)| d).collect();
    differences.extend(
        right
            .into_iter()
            .flatten()
            .map(|actual| RouteDifference::Extra { actual }),
    );
    RouteComparison {
        subnet: subnet.to_string(),
        matched,
        differences,
    }
}

/// The fields in which two paired rows differ (next hop type and state without case).
fn differing_fields(expected: &RouteRow, actual: &RouteRow) -> Vec<String> {
    let mut fields = Vec::new();
    if !expected
        .next_hop_type
        .eq_ignore_ascii_case(&actual.next_hop_type)
    {
        fields.push("next_hop_type".to_string());
    }
    if !expected.state.eq_ignore_ascii_case(&actual.state) {
        fields.push("state".to_string());
    }
    if expected.next_hop_ips != actual.next_hop_ips {
        fields.push("next_hop_ips".to_string());
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(source: &str, prefix: &str, kind: &str, state: &str, ips: &[&str]) -> AzEffectiveRoute {
        AzEffectiveRoute {
            address_prefix: vec![prefix.into()],
            next_hop_ip_address: ips.iter().map(|s| s.to_string()).collect(),
            next_hop_type: kind.into(),
            source: source.into(),
            state: state.into(),
            ..AzEffectiveRoute::default()
        }
    }

    #[test]
    fn rows_in_another_order_match() {
        let a = row("Default", "10.0.0.0/16", "VnetLocal", "Active", &[]);
        let b = row(
            "User",
            "0.0.0.0/0",
            "VirtualAppliance",
            "Active",
            &["10.0.1.4"],
        );
        let c = compare_routes("s", &[a.clone(), b.clone()], &[b, a]);
        assert_eq!(c.matched, 2);
        assert!(c.differences.is_empty());
    }

    #[test]
    fn a_state_change_is_one_difference_not_a_missing_and_an_extra_row() {
        let a = row("Default", "0.0.0.0/0", "Internet", "Active", &[]);
        let b = row("Default", "0.0.0.0/0", "Internet", "Invalid", &[]);
        let c = compare_routes("s", &[a], &[b]);
        assert!(matches!(
            &c.differences[..],
            [RouteDifference::Differs { fields, .. }] if fields == &["state"]
        ));
    }

    #[test]
    fn another_next_hop_type_for_the_same_prefix_is_named() {
        let a = row(
            "User",
            "0.0.0.0/0",
            "VirtualAppliance",
            "Active",
            &["10.0.1.4"],
        );
        let b = row("User", "0.0.0.0/0", "Internet", "Active", &[]);
        let extra = row("Default", "10.9.0.0/16", "VNetPeering", "Active", &[]);
        let c = compare_routes("s", &[a], &[b, extra]);
        assert_eq!(c.differences.len(), 2);
        assert!(
            matches!(&c.differences[0], RouteDifference::Differs { fields, .. } if fields.contains(&"next_hop_type".to_string()))
        );
        assert!(matches!(&c.differences[1], RouteDifference::Extra { .. }));
    }

    fn refused(text: &str) -> AzRoutesError {
        parse_az_routes(text).unwrap_err()
    }

    const ROW: &str = r#"{"addressPrefix": ["10.0.0.0/16"], "nextHopType": "VnetLocal", "source": "Default", "state": "Active", "nextHopIpAddress": []}"#;

    #[test]
    fn an_invalid_prefix_is_a_located_error_not_a_difference() {
        let text = format!(
            "{{\"value\": [\n{ROW},\n{}]}}",
            ROW.replace("10.0.0.0/16", "10.0.0.0/33")
        );
        let e = refused(&text);
        let at = text.lines().nth(2).unwrap().find("\"10.0.0.0/33").unwrap() + 1;
        assert_eq!((e.line, e.column), (3, at), "{e}");
        assert!(
            e.message
                .contains("`addressPrefix`: `10.0.0.0/33` is not an IP prefix"),
            "{e}"
        );
    }

    #[test]
    fn an_invalid_next_hop_address_is_a_located_error() {
        let text = format!(
            "[{}]",
            ROW.replace(
                "\"nextHopIpAddress\": []",
                "\"nextHopIpAddress\": [\"10.0.1.256\"]"
            )
        );
        let e = refused(&text);
        assert_eq!(e.line, 1);
        assert!(
            e.message.contains("`10.0.1.256` is not an IP address"),
            "{e}"
        );
    }

    #[test]
    fn a_type_error_names_the_field_and_the_type_it_needs_without_serde_jargon() {
        let cases = [
            (
                ROW.replace("[\"10.0.0.0/16\"]", "\"10.0.0.0/16\""),
                "expected `addressPrefix` to be a list of IP prefixes such as [\"10.0.0.0/16\"], found string \"10.0.0.0/16\"",
            ),
            (
                ROW.replace("\"Active\"", "1"),
                "`state` must be a string, found the number `1`",
            ),
            (
                "{\"value\": 5}".to_string(),
                "expected a list of routes, found integer `5`",
            ),
            (
                "[5]".to_string(),
                "expected a route `{\"addressPrefix\": [...], ...}`, found integer `5`",
            ),
            (
                format!(
                    "{{\"value\": [{}]}}",
                    ROW.replace("\"state\": \"Active\", ", "")
                ),
                "missing field `state`",
            ),
            (
                "\"routes\"".to_string(),
                "expected `{\"value\": [...]}` or a list of routes",
            ),
        ];
        for (text, message) in cases {
            let text = if text.starts_with('{') && !text.starts_with("{\"value\"") {
                format!("[{text}]")
            } else {
                text
            };
            let e = refused(&text);
            assert_eq!(e.message, message, "{text}");
            assert!(
                !e.to_string().contains("untagged") && !e.to_string().contains("struct"),
                "{e}"
            );
        }
    }

    #[test]
    fn errors_after_multibyte_text_count_columns_in_characters() {
        let text = format!(
            "[{}]",
            ROW.replace("\"Active\"", "\"\u{e9}\u{e9}\", \"x\": [}")
        );
        let e = refused(&text);
        let at = text.chars().position(|c| c == '}').unwrap() + 1;
        assert_eq!((e.line, e.column), (1, at), "{e}");
    }

    #[test]
    fn a_byte_order_mark_is_accepted() {
        assert_eq!(
            parse_az_routes(&format!("\u{feff}[{ROW}]")).unwrap().len(),
            1
        );
    }

    #[test]
    fn twenty_thousand_rows_in_reverse_order_compare_in_linear_time() {
        let rows: Vec<AzEffectiveRoute> = (0..20_000u32)
            .map(|i| {
                let prefix = format!("10.{}.{}.0/24", i / 256, i % 256);
                row(
                    "VirtualNetworkGateway",
                    &prefix,
                    "VirtualNetworkGateway",
                    "Active",
                    &["10.0.255.4"],
                )
            })
            .collect();
        let mut reversed = rows.clone();
        reversed.reverse();
        reversed[0].state = "Invalid".into();
        let started = std::time::Instant::now();
        let c = compare_routes("s", &rows, &reversed);
        assert_eq!(c.matched, 19_999);
        assert_eq!(c.differences.len(), 1);
        assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
    }

    #[test]
    fn the_az_output_and_a_bare_list_both_parse() {
        let wrapped = r#"{"nextLink": null, "value": [{"addressPrefix": ["10.0.0.0/16"], "nextHopType": "VnetLocal", "source": "Default", "state": "Active", "nextHopIpAddress": [], "disableBgpRoutePropagation": false, "name": null}]}"#;
        assert_eq!(parse_az_routes(wrapped).unwrap().len(), 1);
        assert_eq!(parse_az_routes("[]").unwrap().len(), 0);
    }
}
