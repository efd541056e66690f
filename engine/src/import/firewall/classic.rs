//! Classic rule collections: the NAT, network and application rules on the firewall itself.

use super::super::context::{text, Context};
use super::super::field::{Invalid, Node, Vocabulary};
use super::super::resource::Resource;
use super::super::Section;
use super::rules::{
    app_rule, dnat, invalid_rule, name_of, network_rule, priority, written_name, FilterAction,
};
use crate::scenario::{FirewallDoc, RuleCollectionDoc, RuleCollectionGroupDoc, Spanned};

/// `AzureFirewallNatRCActionType` (classic NAT collections; a policy's is always `DNAT`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NatAction {
    Dnat,
    Snat,
}

impl Vocabulary for NatAction {
    const VALUES: &'static [(&'static str, Self)] =
        &[("Dnat", NatAction::Dnat), ("Snat", NatAction::Snat)];
}

/// Classic rule collections (rules on the firewall itself), as one group `classic-rules`.
pub(super) fn classic(
    cx: &mut Context<'_>,
    r: &Resource,
    fw: &mut FirewallDoc,
) -> Result<(), Invalid> {
    let mut group = RuleCollectionGroupDoc {
        name: text("classic-rules"),
        priority: Spanned::new(100),
        collections: Vec::new(),
    };
    let fw_name = fw.name.value.clone();
    let props = r.props();
    for c in props.items("/natRuleCollections")? {
        nat_collection(cx, fw, &c);
    }
    for (key, app) in [
        ("/networkRuleCollections", false),
        ("/applicationRuleCollections", true),
    ] {
        for c in props.items(key)? {
            if let Some(doc) = filter_collection(cx, &fw_name, &c, app) {
                group.collections.push(doc);
            }
        }
    }
    if !group.collections.is_empty() {
        cx.comment(
            Section::Firewall,
            &fw_name,
            "classic rule collections are written as the group `classic-rules`",
        );
        fw.rule_collection_groups.push(group);
    }
    Ok(())
}

/// A classic NAT collection: DNAT rules go to `dnat_rules`; SNAT collections are left out.
fn nat_collection(cx: &mut Context<'_>, fw: &mut FirewallDoc, c: &Node<'_>) {
    let fw_name = fw.name.value.clone();
    let where_ = format!("classic/{}", written_name(c));
    let read = name_of(c, "the collection's name")
        .and_then(|_| priority(c))
        .and_then(|_| c.vocab::<NatAction>("/action/type"))
        .and_then(|action| Ok((action, c.items("/rules")?)));
    match read {
        Ok((NatAction::Dnat, rules)) => {
            for rule in rules {
                dnat(cx, fw, &where_, &rule, None);
            }
        }
        Ok((NatAction::Snat, _)) => {
            let what = format!("collection `{where_}` of firewall `{fw_name}`");
            cx.comment(
                Section::Firewall,
                &fw_name,
                format!("left out {what}: SNAT collections are not modelled"),
            );
            cx.skip(what, "SNAT collections are not modelled");
        }
        Err(e) => cx.invalid(
            Some((Section::Firewall, &fw_name)),
            format!("collection `{where_}` of firewall `{fw_name}`"),
            &e,
        ),
    }
}

/// A classic network (`app` false) or application rule collection; `None` when it is invalid
/// or no rule in it is kept.
fn filter_collection(
    cx: &mut Context<'_>,
    fw_name: &str,
    c: &Node<'_>,
    app: bool,
) -> Option<RuleCollectionDoc> {
    let name = written_name(c);
    let where_ = format!("classic/{name}");
    let read = name_of(c, "the collection's name").and_then(|name| {
        Ok((
            name,
            priority(c)?,
            c.vocab::<FilterAction>("/action/type")?,
            c.items("/rules")?,
        ))
    });
    let (name, priority, FilterAction(action), rules) = match read {
        Ok(x) => x,
        Err(e) => {
            cx.invalid(
                Some((Section::Firewall, fw_name)),
                format!("collection `{where_}` of firewall `{fw_name}`"),
                &e,
            );
            return None;
        }
    };
    let mut doc = RuleCollectionDoc {
        name: text(name),
        priority,
        action,
        network_rules: Vec::new(),
        application_rules: Vec::new(),
    };
    for rule in rules {
        let read = if app {
            app_rule(cx, fw_name, &where_, &rule).map(|a| doc.application_rules.extend(a))
        } else {
            network_rule(cx, fw_name, &where_, &rule).map(|n| doc.network_rules.extend(n))
        };
        if let Err(e) = read {
            invalid_rule(cx, fw_name, &where_, &rule, &e);
        }
    }
    (!doc.network_rules.is_empty() || !doc.application_rules.is_empty()).then_some(doc)
}
