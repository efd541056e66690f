//! Network security groups: custom `securityRules`; `defaultSecurityRules` are Azure's six
//! defaults, which azpath builds in, so they are counted and left out.

use super::context::{text, Context, Ns};
use super::field::{is_ipv6, Invalid, Node, Vocabulary};
use super::Section;
use crate::scenario::{Access, Direction, NsgDoc, NsgRuleDoc, Protocol, Spanned, Text};

/// `SecurityRuleAccess`.
impl Vocabulary for Access {
    const VALUES: &'static [(&'static str, Self)] =
        &[("Allow", Access::Allow), ("Deny", Access::Deny)];
}

/// `SecurityRuleDirection`.
impl Vocabulary for Direction {
    const VALUES: &'static [(&'static str, Self)] = &[
        ("Inbound", Direction::Inbound),
        ("Outbound", Direction::Outbound),
    ];
}

/// `SecurityRuleProtocol`: an NSG rule's protocol (the API writes "any" as `*`).
impl Vocabulary for Protocol {
    const VALUES: &'static [(&'static str, Self)] = &[
        ("Tcp", Protocol::Tcp),
        ("Udp", Protocol::Udp),
        ("Icmp", Protocol::Icmp),
        ("Esp", Protocol::Esp),
        ("Ah", Protocol::Ah),
        ("*", Protocol::Any),
    ];
}

const RULES: &str = "Microsoft.Network/networkSecurityGroups/securityRules";

pub(super) fn import(cx: &mut Context<'_>) {
    for i in cx.of_kind("Microsoft.Network/networkSecurityGroups") {
        let Some(r) = cx.res(i) else { continue };
        cx.take(i);
        let name = cx.name(Ns::Nsg, &r.id, &r.name);
        cx.comment(Section::Nsg, &name, r.id.clone());
        let props = r.props();
        let lists = props
            .items("/defaultSecurityRules")
            .and_then(|d| Ok((d.len(), props.items("/securityRules")?)));
        let (defaults, embedded) = match lists {
            Ok(l) => l,
            Err(e) => {
                cx.forget(Ns::Nsg, &r.id);
                cx.invalid(None, format!("NSG {}", r.id), &e);
                continue;
            }
        };
        cx.notes.default_rules += defaults;
        let mut rules: Vec<NsgRuleDoc> = Vec::new();
        let mut all = embedded;
        // Rules exported as child resources (ARM templates) belong here too.
        for j in cx.children_of(&r.id, RULES) {
            let Some(child) = cx.res(j) else { continue };
            cx.take(j);
            all.push(child.node());
        }
        for rule in all {
            // A portal export holds each rule twice: inside the NSG and as a child resource.
            if let Some(doc) = security_rule(cx, &name, &rule) {
                if !rules
                    .iter()
                    .any(|d| d.name.value.eq_ignore_ascii_case(&doc.name.value))
                {
                    rules.push(doc);
                }
            }
        }
        cx.doc.nsgs.push(NsgDoc {
            name: text(name),
            rules,
        });
    }
}

/// One custom rule, or `None` (with a note) when it uses what azpath does not model or holds
/// a value Azure does not accept.
fn security_rule(cx: &mut Context<'_>, nsg: &str, rule: &Node<'_>) -> Option<NsgRuleDoc> {
    let name = rule
        .value
        .get("name")
        .and_then(|n| n.as_str())
        .unwrap_or("");
    // A child resource at the top of a template is named `parent/child`.
    let name = name.rsplit('/').next().unwrap_or(name);
    let what = format!("rule `{name}` of NSG `{nsg}`");
    match read_rule(cx, rule, name) {
        Ok(Ok(doc)) => Some(doc),
        Ok(Err(reason)) => {
            cx.comment(Section::Nsg, nsg, format!("left out {what}: {reason}"));
            cx.skip(what, reason);
            None
        }
        Err(e) => {
            cx.invalid(Some((Section::Nsg, nsg)), what, &e);
            None
        }
    }
}

/// The rule as azpath writes it; `Ok(Err(reason))` when it is left out: it names an
/// application security group that is not in the input, or one of its sides names IPv6
/// prefixes only (it never matches an IPv4 flow). IPv6 prefixes beside IPv4 ones are listed
/// as skipped.
fn read_rule(
    cx: &mut Context<'_>,
    rule: &Node<'_>,
    name: &str,
) -> Result<Result<NsgRuleDoc, String>, Invalid> {
    if name.is_empty() {
        return Err(rule.missing("/name", "the rule's name"));
    }
    let priority = rule.number("/priority", 100..=4096)?;
    let direction = rule.vocab::<Direction>("/direction")?;
    let access = rule.vocab::<Access>("/access")?;
    let protocol = rule.vocab::<Protocol>("/protocol")?;
    let mut groups = Vec::new();
    for p in [
        "/sourceApplicationSecurityGroups",
        "/destinationApplicationSecurityGroups",
    ] {
        let mut names = Vec::new();
        for g in rule.items(p)? {
            let id = g.str("/id")?;
            match cx.name_of(Ns::Asg, id) {
                Some(n) => names.push(text(n)),
                None => {
                    return Ok(Err(format!(
                        "its application security group {id} is not in the input"
                    )))
                }
            }
        }
        groups.push(names);
    }
    let mut groups = groups.into_iter();
    let (source_asgs, destination_asgs) = (
        groups.next().unwrap_or_default(),
        groups.next().unwrap_or_default(),
    );
    let source = endpoints(
        rule,
        "/sourceAddressPrefix",
        "/sourceAddressPrefixes",
        !source_asgs.is_empty(),
    )?;
    let source_ports = endpoints(rule, "/sourcePortRange", "/sourcePortRanges", false)?;
    let destination = endpoints(
        rule,
        "/destinationAddressPrefix",
        "/destinationAddressPrefixes",
        !destination_asgs.is_empty(),
    )?;
    let destination_ports = endpoints(
        rule,
        "/destinationPortRange",
        "/destinationPortRanges",
        false,
    )?;
    let mut sides = Vec::new();
    for (all, single, plural) in [
        (source, "/sourceAddressPrefix", "/sourceAddressPrefixes"),
        (
            destination,
            "/destinationAddressPrefix",
            "/destinationAddressPrefixes",
        ),
    ] {
        let (v6, v4): (Vec<String>, Vec<String>) = all.into_iter().partition(|a| is_ipv6(a));
        let field = if rule.strings(plural)?.is_empty() {
            single
        } else {
            plural
        };
        let path = rule.path_of(field);
        if v4.is_empty() && !v6.is_empty() {
            return Ok(Err(format!(
                "its `{}` are IPv6 only (`{path}`), which azpath does not model (IPv4 only)",
                field.trim_start_matches('/')
            )));
        }
        let listed: Vec<(String, String)> = v6.into_iter().map(|a| (path.clone(), a)).collect();
        cx.skip_ipv6(&listed, &format!("NSG rule `{name}`"));
        sides.push(v4);
    }
    let mut sides = sides.into_iter();
    let (source, destination) = (
        sides.next().unwrap_or_default(),
        sides.next().unwrap_or_default(),
    );
    let addresses = |cx: &mut Context<'_>, all: Vec<String>| -> Vec<Text> {
        all.iter().map(|a| text(cx.address(a))).collect()
    };
    // A side naming groups has no addresses: azpath writes it `*` with the groups beside it.
    let any = |all: Vec<Text>| if all.is_empty() { vec![text("*")] } else { all };
    let source = any(addresses(cx, source));
    let destination = any(addresses(cx, destination));
    Ok(Ok(NsgRuleDoc {
        name: text(name),
        priority: Spanned::new(u32::try_from(priority).unwrap_or(u32::MAX)),
        direction,
        access,
        protocol,
        source,
        source_ports: source_ports.into_iter().map(text).collect(),
        destination,
        destination_ports: destination_ports.into_iter().map(text).collect(),
        source_asgs,
        destination_asgs,
    }))
}

/// A rule's prefixes or ports: the plural list when it has entries, else the single value.
/// Azure requires one of them (an address side may instead name application security groups,
/// `asgs`): neither is invalid, never "any".
fn endpoints(
    rule: &Node<'_>,
    single: &str,
    plural: &str,
    asgs: bool,
) -> Result<Vec<String>, Invalid> {
    let all = rule.strings(plural)?;
    if !all.is_empty() {
        return Ok(all);
    }
    match rule.opt_str(single)? {
        Some(one) if !one.is_empty() => Ok(vec![one.to_string()]),
        _ if asgs => Ok(Vec::new()),
        _ => Err(rule.missing(
            single,
            &format!(
                "and so is `{}`: Azure requires one, `*` meaning any",
                plural.trim_start_matches('/')
            ),
        )),
    }
}
