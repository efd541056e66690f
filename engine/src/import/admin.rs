//! Azure Virtual Network Manager security admin rules: each rule collection of a
//! `Microsoft.Network/networkManagers/securityAdminConfigurations` becomes a
//! `security_admin_rules` entry applied to the VNets of its network groups (Microsoft Learn,
//! "Security admin rules in Azure Virtual Network Manager").
//!
//! Two things the input cannot say are stated, never guessed silently: whether a configuration
//! is deployed (a commit is an action, not a resource, so every configuration in the input is
//! taken as deployed), and a network group's members that Azure Policy adds (only its static
//! members are resources).

use std::collections::{BTreeMap, BTreeSet};

use super::context::{text, Context, Ns};
use super::field::{Invalid, Node, Vocabulary};
use super::resource::Resource;
use crate::scenario::{
    AdminAccess, AdminRuleCollectionDoc, AdminRuleDoc, Direction, IntentPolicyServices, Protocol,
    Spanned, Text,
};

const CONFIGURATIONS: &str = "Microsoft.Network/networkManagers/securityAdminConfigurations";
const COLLECTIONS: &str =
    "Microsoft.Network/networkManagers/securityAdminConfigurations/ruleCollections";
const RULES: &str =
    "Microsoft.Network/networkManagers/securityAdminConfigurations/ruleCollections/rules";
const GROUPS: &str = "Microsoft.Network/networkManagers/networkGroups";
const MEMBERS: &str = "Microsoft.Network/networkManagers/networkGroups/staticMembers";
const MANAGERS: &str = "Microsoft.Network/networkManagers";

/// `SecurityConfigurationRuleAccess`.
impl Vocabulary for AdminAccess {
    const VALUES: &'static [(&'static str, Self)] = &[
        ("Allow", AdminAccess::Allow),
        ("AlwaysAllow", AdminAccess::AlwaysAllow),
        ("Deny", AdminAccess::Deny),
    ];
}

/// `SecurityConfigurationRuleProtocol`: unlike an NSG rule's, "any" is spelled `Any`.
#[derive(Clone, Copy)]
struct AdminProtocol(Protocol);

impl Vocabulary for AdminProtocol {
    const VALUES: &'static [(&'static str, Self)] = &[
        ("Tcp", AdminProtocol(Protocol::Tcp)),
        ("Udp", AdminProtocol(Protocol::Udp)),
        ("Icmp", AdminProtocol(Protocol::Icmp)),
        ("Esp", AdminProtocol(Protocol::Esp)),
        ("Ah", AdminProtocol(Protocol::Ah)),
        ("Any", AdminProtocol(Protocol::Any)),
    ];
}

/// `NetworkIntentPolicyBasedService`. `All` is accepted by the API but Learn documents only
/// `None` and `AllowRulesOnly`, so a configuration saying `All` is listed, not imported.
#[derive(Clone, Copy, PartialEq)]
enum IntentOption {
    None,
    All,
    AllowRulesOnly,
}

impl Vocabulary for IntentOption {
    const VALUES: &'static [(&'static str, Self)] = &[
        ("None", IntentOption::None),
        ("All", IntentOption::All),
        ("AllowRulesOnly", IntentOption::AllowRulesOnly),
    ];
}

/// `AddressPrefixType`.
#[derive(Clone, Copy, PartialEq)]
enum PrefixType {
    IpPrefix,
    ServiceTag,
    NetworkGroup,
}

impl Vocabulary for PrefixType {
    const VALUES: &'static [(&'static str, Self)] = &[
        ("IPPrefix", PrefixType::IpPrefix),
        ("ServiceTag", PrefixType::ServiceTag),
        ("NetworkGroup", PrefixType::NetworkGroup),
    ];
}

/// Why a rule is left out although its values are ones Azure accepts.
enum Unmodelled {
    Default,
    GroupAddresses,
}

pub(super) fn import(cx: &mut Context<'_>) {
    let groups = network_groups(cx);
    let mut names = BTreeSet::new();
    let mut imported = false;
    for i in cx.of_kind(CONFIGURATIONS) {
        let Some(config) = cx.res(i) else { continue };
        cx.take(i);
        let option = match intent_option(&config.props()) {
            Ok(o) => o,
            Err(e) => {
                cx.invalid(
                    None,
                    format!("security admin configuration {}", config.id),
                    &e,
                );
                continue;
            }
        };
        let services = match option {
            IntentOption::None => IntentPolicyServices::None,
            IntentOption::AllowRulesOnly => IntentPolicyServices::AllowRulesOnly,
            IntentOption::All => {
                cx.skip(
                    config.id.clone(),
                    "`applyOnNetworkIntentPolicyBasedServices: All` is not modelled (Learn documents `None` and `AllowRulesOnly`), so its rule collections are left out",
                );
                continue;
            }
        };
        for j in cx.children_of(&config.id, COLLECTIONS) {
            let Some(collection) = cx.res(j) else {
                continue;
            };
            cx.take(j);
            if let Some(doc) =
                rule_collection(cx, config, collection, services, &groups, &mut names)
            {
                cx.doc.security_admin_rules.push(doc);
                imported = true;
            }
        }
        cx.notes.assumptions.push(format!(
            "security admin configuration `{}` is taken as deployed to the regions of the VNets it applies to: a deployment (commit) is not a resource, so the input cannot say",
            config.name
        ));
    }
    if imported {
        for i in cx.of_kind(MANAGERS) {
            cx.take(i);
        }
    }
}

/// The VNets of each network group (by lower-case id): its static members in the input.
fn network_groups(cx: &mut Context<'_>) -> BTreeMap<String, (String, Vec<String>)> {
    let mut out = BTreeMap::new();
    for i in cx.of_kind(GROUPS) {
        let Some(group) = cx.res(i) else { continue };
        cx.take(i);
        if let Some(kind) = group.prop_str("/memberType") {
            if !kind.eq_ignore_ascii_case("VirtualNetwork") {
                cx.skip(
                    group.id.clone(),
                    format!("network group of `{kind}` members: security admin rules apply to groups of VNets"),
                );
                continue;
            }
        }
        let mut vnets = Vec::new();
        for j in cx.children_of(&group.id, MEMBERS) {
            let Some(member) = cx.res(j) else { continue };
            cx.take(j);
            let Some(id) = member.prop_str("/resourceId") else {
                let e = member
                    .props()
                    .missing("/resourceId", "the member VNet's id");
                cx.invalid(None, format!("static member {}", member.id), &e);
                continue;
            };
            match cx.name_of(Ns::Vnet, id) {
                Some(vnet) => vnets.push(vnet),
                None => cx.skip(
                    format!("member {id} of network group {}", group.id),
                    "the VNet is not in the input",
                ),
            }
        }
        cx.notes.assumptions.push(format!(
            "network group `{}` holds its static members only: members Azure Policy adds are not resources, so the input cannot list them",
            group.name
        ));
        out.insert(group.id.to_lowercase(), (group.name.clone(), vnets));
    }
    out
}

fn intent_option(props: &Node<'_>) -> Result<IntentOption, Invalid> {
    let mut chosen = IntentOption::None;
    for n in props.items("/applyOnNetworkIntentPolicyBasedServices")? {
        let o: IntentOption = super::field::parse(&n)?;
        if o != IntentOption::None {
            chosen = o;
        }
    }
    Ok(chosen)
}

fn rule_collection(
    cx: &mut Context<'_>,
    config: &Resource,
    collection: &Resource,
    services: IntentPolicyServices,
    groups: &BTreeMap<String, (String, Vec<String>)>,
    names: &mut BTreeSet<String>,
) -> Option<AdminRuleCollectionDoc> {
    let applies_to = match applies_to(cx, collection, groups) {
        Ok(v) => v,
        Err(e) => {
            cx.invalid(None, format!("rule collection {}", collection.id), &e);
            return None;
        }
    };
    if applies_to.is_empty() {
        cx.skip(
            collection.id.clone(),
            "none of its network groups has a VNet in the input, so it applies nowhere azpath can see",
        );
        return None;
    }
    let mut rules = Vec::new();
    for k in cx.children_of(&collection.id, RULES) {
        let Some(r) = cx.res(k) else { continue };
        cx.take(k);
        match admin_rule(cx, r) {
            Ok(Ok(rule)) => rules.push(rule),
            Ok(Err(Unmodelled::Default)) => cx.skip(
                r.id.clone(),
                "a `Default` (Microsoft-provided) admin rule: its contents are not in the input",
            ),
            Ok(Err(Unmodelled::GroupAddresses)) => cx.skip(
                r.id.clone(),
                "an address of type `NetworkGroup` (a group's address space) is not modelled",
            ),
            Err(e) => cx.invalid(None, format!("security admin rule {}", r.id), &e),
        }
    }
    let mut name = collection.name.clone();
    if !names.insert(name.to_lowercase()) {
        name = format!("{}/{}", config.name, collection.name);
        names.insert(name.to_lowercase());
    }
    Some(AdminRuleCollectionDoc {
        name: text(name),
        applies_to: applies_to.into_iter().map(text).collect(),
        rules,
        apply_on_network_intent_policy_based_services: services,
    })
}

/// The VNets of the collection's `appliesToGroups`, each once, in input order.
fn applies_to(
    cx: &mut Context<'_>,
    collection: &Resource,
    groups: &BTreeMap<String, (String, Vec<String>)>,
) -> Result<Vec<String>, Invalid> {
    let mut vnets: Vec<String> = Vec::new();
    for g in collection.props().items("/appliesToGroups")? {
        let id = g.str("/networkGroupId")?;
        let found = groups.get(&id.to_lowercase()).or_else(|| {
            cx.find(id)
                .and_then(|i| cx.res(i))
                .and_then(|r| groups.get(&r.id.to_lowercase()))
        });
        match found {
            Some((_, members)) => {
                for v in members {
                    if !vnets.contains(v) {
                        vnets.push(v.clone());
                    }
                }
            }
            None => cx.skip(
                format!("network group {id} of rule collection {}", collection.id),
                "the network group is not in the input",
            ),
        }
    }
    Ok(vnets)
}

/// One `Custom` admin rule; `Ok(Err(_))` for a rule Azure accepts that azpath does not model.
fn admin_rule(
    cx: &mut Context<'_>,
    r: &Resource,
) -> Result<Result<AdminRuleDoc, Unmodelled>, Invalid> {
    let root = r.node();
    if let Some(kind) = root
        .get("kind")
        .and_then(|k| k.value.as_str().map(str::to_string))
    {
        if kind.eq_ignore_ascii_case("Default") {
            return Ok(Err(Unmodelled::Default));
        }
    }
    let p = r.props();
    let priority = u32::try_from(p.number("/priority", 1..=4096)?)
        .map_err(|_| p.missing("/priority", "a whole number from 1 to 4096"))?;
    let direction: Direction = p.vocab("/direction")?;
    let access: AdminAccess = p.vocab("/access")?;
    let AdminProtocol(protocol) = p.vocab("/protocol")?;
    let Some(source) = addresses(cx, &p, "/sources")? else {
        return Ok(Err(Unmodelled::GroupAddresses));
    };
    let Some(destination) = addresses(cx, &p, "/destinations")? else {
        return Ok(Err(Unmodelled::GroupAddresses));
    };
    let source_ports = ports(cx, r, &p, "/sourcePortRanges")?;
    let destination_ports = ports(cx, r, &p, "/destinationPortRanges")?;
    Ok(Ok(AdminRuleDoc {
        name: text(r.name.clone()),
        priority: Spanned::new(priority),
        direction,
        access,
        protocol,
        source,
        source_ports,
        destination,
        destination_ports,
    }))
}

/// A rule's sources or destinations; `None` when one is a network group's address space.
/// An entry without `addressPrefixType` is read by its form (an address, a prefix, `*` or a
/// tag name cannot be mistaken for one another). An empty list is refused: Azure does not
/// document what a rule without sources or destinations matches.
fn addresses(
    cx: &mut Context<'_>,
    p: &Node<'_>,
    pointer: &str,
) -> Result<Option<Vec<Text>>, Invalid> {
    let items = p.items(pointer)?;
    if items.is_empty() {
        return Err(p.missing(pointer, "at least one address prefix or service tag"));
    }
    let mut out = Vec::new();
    for n in items {
        let prefix = n.str("/addressPrefix")?;
        let kind: Option<PrefixType> = n.opt_vocab("/addressPrefixType")?;
        match kind {
            Some(PrefixType::NetworkGroup) => return Ok(None),
            Some(PrefixType::ServiceTag | PrefixType::IpPrefix) | None => {
                out.push(text(cx.address(prefix)));
            }
        }
    }
    Ok(Some(out))
}

/// A rule's port ranges; none given is every port, as for an NSG rule, and said so.
fn ports(
    cx: &mut Context<'_>,
    r: &Resource,
    p: &Node<'_>,
    pointer: &str,
) -> Result<Vec<Text>, Invalid> {
    let ranges = p.strings(pointer)?;
    if ranges.is_empty() {
        cx.notes.assumptions.push(format!(
            "security admin rule `{}` gives no `{}`: taken as every port (`*`)",
            r.name,
            pointer.trim_start_matches('/')
        ));
        return Ok(vec![text("*")]);
    }
    Ok(ranges.into_iter().map(text).collect())
}
