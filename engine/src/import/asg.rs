//! Application security groups: each `Microsoft.Network/applicationSecurityGroups` becomes a
//! group, with the imported workloads whose (primary) IP configuration names it as members.

use std::collections::BTreeMap;

use super::context::{text, Context, Ns};
use super::field::{Invalid, Node};
use crate::scenario::ApplicationSecurityGroupDoc;

const KIND: &str = "Microsoft.Network/applicationSecurityGroups";

pub(super) fn import(cx: &mut Context<'_>) {
    let mut members: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for i in cx.of_kind("Microsoft.Network/networkInterfaces") {
        let Some(r) = cx.res(i) else { continue };
        let Some(workload) = cx.name_of(Ns::Nic, &r.id) else {
            continue;
        };
        if !cx.doc.workloads.iter().any(|w| w.name.value == workload) {
            continue;
        }
        match groups_of(&r.props()) {
            Ok(ids) => {
                for id in ids {
                    match cx.name_of(Ns::Asg, &id) {
                        Some(g) => members.entry(g).or_default().push(workload.clone()),
                        None => cx.skip(
                            format!("membership of workload `{workload}` in {id}"),
                            "the application security group is not in the input",
                        ),
                    }
                }
            }
            Err(e) => cx.invalid(None, format!("application security groups of {}", r.id), &e),
        }
    }
    for i in cx.of_kind(KIND) {
        let Some(r) = cx.res(i) else { continue };
        cx.take(i);
        let name = cx.name(Ns::Asg, &r.id, &r.name);
        let members = members.remove(&name).unwrap_or_default();
        cx.doc
            .application_security_groups
            .push(ApplicationSecurityGroupDoc {
                name: text(name),
                members: members.into_iter().map(text).collect(),
            });
    }
}

/// The groups named by the NIC's primary IP configuration (the one azpath imports), or by its
/// first when none is marked primary.
fn groups_of(props: &Node<'_>) -> Result<Vec<String>, Invalid> {
    let configs = props.items("/ipConfigurations")?;
    let mut primary = None;
    for c in &configs {
        if c.opt_bool("/primary")? == Some(true) && primary.is_none() {
            primary = Some(c);
        }
    }
    let Some(config) = primary.or_else(|| configs.first()) else {
        return Ok(Vec::new());
    };
    config
        .items("/applicationSecurityGroups")?
        .iter()
        .map(|g| g.str("/id").map(str::to_string))
        .collect()
}
