//! A firewall deny in words: the rules that nearly matched, each with the field that failed,
//! and the log row Azure Firewall writes, as `Column: value` pairs a KQL query returns.

use std::fmt::Write;

use crate::analysis::firewall_deny::{DenyExplanation, LogRow, Mismatch, NearMiss, RuleKind};

/// One sentence: who denied and what it saw.
pub fn sentence(e: &DenyExplanation) -> String {
    let snat = e.snat.as_ref().map_or(String::new(), |(client, by)| {
        format!(" (the client's {client}, already SNATed by `{by}`)")
    });
    format!(
        "`{}` denies the flow from {}{snat}; {} rule(s) nearly matched",
        e.firewall,
        e.source,
        e.near_misses.len()
    )
}

/// The field a rule failed on, in words.
pub fn mismatch(m: &Mismatch) -> String {
    match m {
        Mismatch::Source { rule, seen, snat } => {
            let mut s = format!("source {seen} is not in [{}]", rule.join(", "));
            if let Some(x) = snat {
                let _ = write!(
                    s,
                    ": `{}` SNATed the client's {} to it{}",
                    x.by,
                    x.client,
                    if x.rule_matches_client {
                        ", and the rule allows the client's own address — the rule is right, the path is wrong (two firewalls on one flow)"
                    } else {
                        ""
                    }
                );
            }
            s
        }
        Mismatch::Destination { rule, seen } => {
            format!("destination {seen} is not in [{}]", rule.join(", "))
        }
        Mismatch::Port { rule, seen } => format!("port {seen} is not in [{}]", rule.join(", ")),
        Mismatch::Protocol { rule, seen } => format!("protocol {seen:?} is not {rule}"),
        Mismatch::Fqdn { rule, seen } => match seen {
            Some(h) => format!("`{h}` matches none of [{}]", rule.join(", ")),
            None => format!(
                "the client sent no name (it connected by address), and [{}] has no `*`",
                rule.join(", ")
            ),
        },
        Mismatch::DecidedEarlier { by } => {
            format!("it matches, but `{by}` comes first in processing order and denies")
        }
    }
}

fn near_miss(n: &NearMiss) -> String {
    let kind = match n.kind {
        RuleKind::Network => "network",
        RuleKind::Application => "application",
    };
    let fields: Vec<String> = n.failed.iter().map(mismatch).collect();
    format!(
        "{kind} rule `{}/{}/{}`: {}",
        n.place.group,
        n.place.collection,
        n.place.rule,
        fields.join("; ")
    )
}

/// The log row as `Table | Column: value, …`.
pub fn log_row(r: &LogRow) -> String {
    match r {
        LogRow::Network {
            source_ip,
            source_port,
            destination_ip,
            destination_port,
            protocol,
            action,
            rule_collection_group,
            rule_collection,
            rule,
            action_reason,
        } => format!(
            "AZFWNetworkRule | SourceIp: {source_ip}, SourcePort: {source_port}, DestinationIp: {destination_ip}, DestinationPort: {destination_port}, Protocol: {protocol}, Action: {action}, RuleCollectionGroup: {rule_collection_group:?}, RuleCollection: {rule_collection:?}, Rule: {rule:?}, ActionReason: {action_reason:?}"
        ),
        LogRow::Application {
            source_ip,
            source_port,
            destination_port,
            protocol,
            fqdn,
            action,
            rule_collection_group,
            rule_collection,
            rule,
            action_reason,
        } => format!(
            "AZFWApplicationRule | SourceIp: {source_ip}, SourcePort: {source_port}, DestinationPort: {destination_port}, Protocol: {protocol}, Fqdn: {fqdn:?}, Action: {action}, RuleCollectionGroup: {rule_collection_group:?}, RuleCollection: {rule_collection:?}, Rule: {rule:?}, ActionReason: {action_reason:?}"
        ),
    }
}

/// The near misses and the log row, indented under the root cause.
pub fn details(e: &DenyExplanation) -> String {
    let mut out = String::new();
    if e.near_misses.is_empty() {
        out += "   no allow rule comes close: the firewall has none for this kind of traffic\n";
    } else {
        out += "   rules that nearly matched (fewest failed fields first):\n";
        for n in &e.near_misses {
            let _ = writeln!(out, "     - {}", near_miss(n));
        }
    }
    let _ = writeln!(out, "   the row the firewall logs: {}", log_row(&e.log));
    out
}
