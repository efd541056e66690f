//! Network interfaces of virtual machines and appliances: each becomes a workload named after
//! its VM (or the NIC, when it is attached to none).

use serde_json::Value;

use super::context::{inner, items, text, Context, Ns};
use super::resource::last_segment;
use super::Section;
use crate::scenario::{WorkloadDoc, WorkloadKind};

pub(super) fn import(cx: &mut Context<'_>) {
    for i in cx.of_kind("Microsoft.Network/networkInterfaces") {
        let Some(r) = cx.res(i) else { continue };
        if r.prop("/privateEndpoint/id").is_some() {
            // The NIC Azure creates for a private endpoint: the endpoint itself is imported.
            cx.take(i);
            continue;
        }
        if r.prop("/privateLinkService/id").is_some() {
            continue;
        }
        cx.take(i);
        let configs = items(r.prop("/ipConfigurations"));
        let primary = configs
            .iter()
            .find(|c| inner(c, "/primary").and_then(Value::as_bool) == Some(true))
            .or_else(|| configs.first());
        let Some(config) = primary else {
            cx.skip(r.id.clone(), "it has no IP configuration");
            continue;
        };
        let subnet_id = inner(config, "/subnet/id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let Some(subnet) = cx.subnet_name(subnet_id) else {
            cx.skip(
                r.id.clone(),
                format!("its subnet {subnet_id} is not in an imported VNet"),
            );
            continue;
        };
        let ip = inner(config, "/privateIPAddress")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let preferred = r
            .prop_str("/virtualMachine/id")
            .map(last_segment)
            .unwrap_or(&r.name)
            .to_string();
        let name = cx.name(Ns::Nic, &r.id, &preferred);
        cx.comment(Section::Workload, &name, r.id.clone());
        if configs.len() > 1 {
            cx.comment(
                Section::Workload,
                &name,
                "further IP configurations are not imported: azpath gives a workload one address",
            );
        }
        let nsg = match r.prop_str("/networkSecurityGroup/id") {
            Some(id) => {
                let found = cx.name_of(Ns::Nsg, id);
                if found.is_none() {
                    cx.skip(
                        format!("NSG of workload `{name}`: {id}"),
                        "not in the input: the NIC is imported without it",
                    );
                }
                found
            }
            None => None,
        };
        let forwards = r.prop_bool("/enableIPForwarding").unwrap_or(false);
        if forwards {
            cx.comment(
                Section::Workload,
                &name,
                "IP forwarding on: an appliance, assumed stateful and not SNATing",
            );
        }
        cx.doc.workloads.push(WorkloadDoc {
            name: text(name),
            kind: if forwards {
                WorkloadKind::Nva
            } else {
                WorkloadKind::Vm
            },
            subnet: text(subnet),
            ip: text(ip),
            nsg: nsg.map(text),
            stateful: None,
            snat: false,
        });
    }
}
