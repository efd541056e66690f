//! A suggested fix in words and as the Azure CLI commands that apply it.
//!
//! Every value taken from the scenario is shell-quoted (`shlex`), so a name holding `$(…)`,
//! spaces or quotes pastes as that name and runs nothing; names inside `#` comments have their
//! control characters escaped, so a newline in a name cannot end the comment. `<rg>` and the
//! other `<…>` placeholders are left for the user to fill in.

use std::fmt::Write;

use crate::analysis::suggest::colocated_endpoint::ColocateEndpoint;
use crate::analysis::suggest::host_route::HostRouteToInternet;
use crate::analysis::suggest::udr::{AddUdr, Table};
use crate::analysis::suggest::Fix;
use crate::model::{ServiceKind, AZURE_DNS};

/// The private endpoint sub-resource (`--group-id`) of a service kind, as Azure's "private
/// endpoint private DNS zone values" table lists it per resource type.
pub fn group_id(kind: ServiceKind) -> &'static str {
    match kind {
        // Microsoft.CognitiveServices/accounts (Azure OpenAI and AI services).
        ServiceKind::OpenAI | ServiceKind::CognitiveServices => "account",
        // Microsoft.Storage/storageAccounts, the blob endpoint.
        ServiceKind::StorageBlob => "blob",
        // Microsoft.KeyVault/vaults.
        ServiceKind::KeyVault => "vault",
        // Microsoft.Sql/servers.
        ServiceKind::Sql => "sqlServer",
        // Microsoft.Search/searchServices.
        ServiceKind::AiSearch => "searchService",
        // Microsoft.DocumentDB/databaseAccounts, the NoSQL API (documents.azure.com).
        ServiceKind::CosmosDb => "Sql",
        // Microsoft.Web/sites.
        ServiceKind::WebApp => "sites",
        // Microsoft.ApiManagement/service.
        ServiceKind::ApiManagement => "Gateway",
        // Microsoft.CognitiveServices/accounts of kind AIServices (AI Foundry).
        ServiceKind::AiServices => "account",
        // Microsoft.Storage/storageAccounts, one sub-resource per endpoint.
        ServiceKind::StorageFile => "file",
        ServiceKind::StorageQueue => "queue",
        ServiceKind::StorageTable => "table",
        ServiceKind::StorageWeb => "web",
        ServiceKind::StorageDfs => "dfs",
        // Microsoft.DocumentDB/databaseAccounts, one sub-resource per API.
        ServiceKind::CosmosDbMongo => "MongoDB",
        ServiceKind::CosmosDbCassandra => "Cassandra",
        ServiceKind::CosmosDbGremlin => "Gremlin",
        ServiceKind::CosmosDbTable => "Table",
        ServiceKind::CosmosDbAnalytical => "Analytical",
    }
}

/// `value` as one shell word: unchanged when it is safe, quoted otherwise.
pub fn quote(value: &str) -> String {
    match shlex::try_quote(value) {
        Ok(q) => q.into_owned(),
        // Only a NUL byte cannot be quoted; no command line can hold one.
        Err(_) => "<name with a NUL byte>".to_string(),
    }
}

/// `value` with its control characters (and Unicode line and paragraph separators) escaped,
/// for text that must stay on one line: a comment, a sentence.
pub fn one_line(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
            let _ = write!(out, "{}", c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// `--resource-group … --zone-name …` for a zone labelled `resource-group/name` (the
/// resource group a placeholder when the scenario gives none).
fn zone_args(label: &str) -> String {
    let (rg, name) = crate::model::split_zone_label(label);
    format!(
        "--resource-group {} --zone-name {}",
        rg.map_or_else(|| "<rg>".to_string(), quote),
        quote(name)
    )
}

/// The fix in one sentence (names on one line, in backquotes).
pub fn summary(fix: &Fix) -> String {
    let n = |s: &str| one_line(s);
    match fix {
        Fix::LinkZone(f) => format!(
            "link private DNS zone `{}` to VNet `{}`",
            n(&f.zone.name),
            n(&f.vnet.name)
        ),
        Fix::RouteAll(f) => format!(
            "turn on route-all (vnetRouteAllEnabled) for `{}`",
            n(&f.app.name)
        ),
        Fix::EndpointPolicies(f) => format!(
            "set privateEndpointNetworkPolicies of `{}` to {:?}",
            n(&f.subnet.name),
            f.policies
        ),
        Fix::AllowInNsg(f) => format!(
            "add {:?} rule `{}` (priority {}) to `{}` allowing {} -> {}:{}",
            f.direction,
            n(&f.rule),
            f.priority,
            n(&f.nsg.name),
            f.source,
            f.destination,
            f.port
        ),
        Fix::ColocateEndpoint(f) => format!(
            "create private endpoint `{}` at {} in {}`{}`, for the service of `{}`, and use it",
            n(&f.endpoint),
            f.ip,
            f.new_prefix
                .map_or(String::new(), |p| format!("a new dedicated subnet ({p}) ")),
            n(&f.subnet.name),
            n(&f.copies.name)
        ),
        Fix::ForwardZone(f) => format!(
            "add a conditional forwarder for `{}` to {AZURE_DNS} on DNS server `{}`",
            n(&f.domain),
            n(&f.server.name)
        ),
        Fix::AddUdr(f) => format!(
            "route {} from `{}` to the appliance at {} (route table `{}`)",
            f.prefix,
            n(&f.subnet.name),
            f.appliance,
            n(f.table.name())
        ),
        Fix::AlwaysSnat(f) => format!(
            "make firewall `{}` always SNAT network-rule traffic (private ranges 255.255.255.255/32)",
            n(&f.firewall.name)
        ),
        Fix::HostRoute(f) => format!(
            "route {} from `{}` to the Internet (route table `{}`), so replies reach firewall `{}` where its session is",
            ipnet::IpNet::from(f.address),
            n(&f.subnet.name),
            n(f.table.name()),
            n(&f.firewall)
        ),
        Fix::UseFqdn(f) => format!("call the service by its FQDN `{}`", n(&f.fqdn)),
        Fix::CreateZone(f) => format!(
            "create private DNS zone `{}` with {} record(s) ({}) and link it to VNet `{}`",
            n(&f.zone),
            f.records.len(),
            f.records
                .iter()
                .map(|r| format!("{} -> {}", n(&r.name), r.ip))
                .collect::<Vec<_>>()
                .join(", "),
            n(&f.vnet.name)
        ),
        Fix::AddRecord(f) => format!(
            "add record `{}` -> {} to private DNS zone `{}`",
            n(&f.name),
            f.ip,
            n(&f.zone.name)
        ),
        Fix::RelinkZone(f) => format!(
            "move VNet `{}`'s link from zone `{}` to zone `{}` (a VNet links one zone of a name)",
            n(&f.vnet.name),
            n(&f.from.name),
            n(&f.to.name)
        ),
        Fix::ApimRules(f) => format!(
            "allow API Management's required inbound traffic in `{}` ({}), keeping every other rule",
            n(&f.nsg.name),
            f.rules
                .iter()
                .map(|r| format!(
                    "{} -> {} (priority {})",
                    r.requirement.tag(),
                    r.requirement.port(),
                    r.priority
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The Azure CLI commands that apply the fix (`<rg>` stands for the resource group), one per
/// line; lines starting with `#` are what no `az` command does.
pub fn az(fix: &Fix) -> Vec<String> {
    let q = |s: &str| quote(s);
    match fix {
        Fix::LinkZone(f) => vec![format!(
            "az network private-dns link vnet create {} --name {} --virtual-network {} --registration-enabled false",
            zone_args(&f.zone.name),
            q(&format!("link-{}", f.vnet.name)),
            q(&f.vnet.name)
        )],
        Fix::RouteAll(f) => vec![format!(
            "az webapp config set --resource-group <rg> --name {} --vnet-route-all-enabled true",
            q(&f.app.name)
        )],
        Fix::EndpointPolicies(f) => vec![format!(
            "az network vnet subnet update --resource-group <rg> {} --private-endpoint-network-policies {:?}",
            subnet_args(&f.subnet.name),
            f.policies
        )],
        Fix::AllowInNsg(f) => vec![format!(
            "az network nsg rule create --resource-group <rg> --nsg-name {} --name {} --priority {} --direction {:?} --access Allow --protocol Tcp --source-address-prefixes {} --destination-address-prefixes {} --destination-port-ranges {}",
            q(&f.nsg.name),
            q(&f.rule),
            f.priority,
            f.direction,
            q(&f.source.to_string()),
            q(&f.destination.to_string()),
            f.port
        )],
        Fix::ColocateEndpoint(f) => colocate(f),
        Fix::ForwardZone(f) => vec![format!(
            "# on DNS server {} (Windows DNS): Add-DnsServerConditionalForwarderZone -Name {} -MasterServers {AZURE_DNS}",
            one_line(&f.server.name),
            one_line(&f.domain)
        )],
        Fix::AddUdr(f) => add_udr(f),
        Fix::HostRoute(f) => host_route(f),
        Fix::AlwaysSnat(f) => vec![
            format!(
                "# <policy> is the firewall policy of firewall {}",
                one_line(&f.firewall.name)
            ),
            "az network firewall policy update --resource-group <rg> --name <policy> --private-ranges 255.255.255.255/32".to_string(),
        ],
        Fix::UseFqdn(f) => vec![format!(
            "# no Azure change: configure the client to call https://{}/",
            one_line(&f.fqdn)
        )],
        Fix::CreateZone(f) => {
            let mut cmds = vec![format!(
                "az network private-dns zone create --resource-group <rg> --name {}",
                q(&f.zone)
            )];
            cmds.extend(f.records.iter().map(|r| {
                format!(
                    "az network private-dns record-set a add-record --resource-group <rg> --zone-name {} --record-set-name {} --ipv4-address {}",
                    q(&f.zone),
                    q(&r.name),
                    r.ip
                )
            }));
            cmds.push(format!(
                "az network private-dns link vnet create --resource-group <rg> --zone-name {} --name {} --virtual-network {} --registration-enabled false",
                q(&f.zone),
                q(&format!("link-{}", f.vnet.name)),
                q(&f.vnet.name)
            ));
            cmds
        }
        Fix::AddRecord(f) => vec![format!(
            "az network private-dns record-set a add-record {} --record-set-name {} --ipv4-address {}",
            zone_args(&f.zone.name),
            q(&f.name),
            f.ip
        )],
        Fix::RelinkZone(f) => vec![
            format!(
                "# <link> is the name of the link from zone {} to VNet {}",
                one_line(&f.from.name),
                one_line(&f.vnet.name)
            ),
            format!(
                "az network private-dns link vnet delete {} --name <link> --yes",
                zone_args(&f.from.name)
            ),
            format!(
                "az network private-dns link vnet create {} --name {} --virtual-network {} --registration-enabled false",
                zone_args(&f.to.name),
                q(&format!("link-{}", f.vnet.name)),
                q(&f.vnet.name)
            ),
        ],
        Fix::ApimRules(f) => f
            .rules
            .iter()
            .map(|r| format!(
                "az network nsg rule create --resource-group <rg> --nsg-name {} --name {} --priority {} --direction Inbound --access Allow --protocol Tcp --source-address-prefixes {} --destination-address-prefixes VirtualNetwork --destination-port-ranges {}",
                q(&f.nsg.name),
                q(&r.rule),
                r.priority,
                r.requirement.tag(),
                r.requirement.port()
            ))
            .collect(),
    }
}

/// `vnet/subnet` as `--vnet-name V --name S`.
fn subnet_args(name: &str) -> String {
    let (v, s) = name.split_once('/').unwrap_or((name, ""));
    format!("--vnet-name {} --name {}", quote(v), quote(s))
}

/// The endpoint, then each record re-pointed: the new address added, the old one removed.
fn colocate(f: &ColocateEndpoint) -> Vec<String> {
    let q = |s: &str| quote(s);
    let group = f.service.map_or("<group>", group_id);
    let (v, s) = f
        .subnet
        .name
        .split_once('/')
        .unwrap_or((&f.subnet.name, ""));
    let mut cmds = Vec::new();
    if let Some(prefix) = f.new_prefix {
        cmds.push(format!(
            "az network vnet subnet create --resource-group <rg> {} --address-prefixes {}",
            subnet_args(&f.subnet.name),
            quote(&prefix.to_string())
        ));
    }
    cmds.push(format!(
        "az network private-endpoint create --resource-group <rg> --name {} --vnet-name {} --subnet {} --private-connection-resource-id <service-id> --group-id {group} --connection-name {} --ip-config name=ipconfig1 private-ip-address={}",
        q(&f.endpoint),
        q(v),
        q(s),
        q(&f.endpoint),
        f.ip
    ));
    for r in &f.records {
        let record = format!(
            "{} --record-set-name {}",
            zone_args(&r.zone.name),
            q(&r.name)
        );
        cmds.push(format!(
            "az network private-dns record-set a add-record {record} --ipv4-address {}",
            f.ip
        ));
        cmds.push(format!(
            "az network private-dns record-set a remove-record {record} --ipv4-address {} --keep-empty-record-set",
            f.replaces
        ));
    }
    cmds
}

/// Creating `table` and associating it with `subnet`, when it is new; nothing otherwise.
fn new_table(table: &Table, subnet: &str) -> Vec<String> {
    let Table::New { .. } = table else {
        return Vec::new();
    };
    let name = quote(table.name());
    vec![
        format!("az network route-table create --resource-group <rg> --name {name}"),
        format!(
            "az network vnet subnet update --resource-group <rg> {} --route-table {name}",
            subnet_args(subnet)
        ),
    ]
}

/// The host route to the Internet (after the table and its association, when it is new).
fn host_route(f: &HostRouteToInternet) -> Vec<String> {
    let table = quote(f.table.name());
    let mut cmds = new_table(&f.table, &f.subnet.name);
    cmds.push(format!(
        "az network route-table route create --resource-group <rg> --route-table-name {table} --name {} --address-prefix {} --next-hop-type Internet",
        quote(&f.route),
        quote(&ipnet::IpNet::from(f.address).to_string())
    ));
    cmds
}

/// The route (after the table and its association, when the table is new).
fn add_udr(f: &AddUdr) -> Vec<String> {
    let table = quote(f.table.name());
    let mut cmds = new_table(&f.table, &f.subnet.name);
    cmds.push(format!(
        "az network route-table route create --resource-group <rg> --route-table-name {table} --name {} --address-prefix {} --next-hop-type VirtualAppliance --next-hop-ip-address {}",
        quote(&f.route),
        quote(&f.prefix.to_string()),
        f.appliance
    ));
    cmds
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::suggest::forward_zone::ForwardZone;
    use crate::analysis::suggest::link_zone::LinkZone;
    use crate::analysis::suggest::record::RecordRef;
    use crate::analysis::suggest::Named;
    use crate::model::{PrivateEndpointId, SubnetId, VnetId, WorkloadId, ZoneId};

    const HOSTILE: [&str; 4] = [
        "$(touch /tmp/pwned)",
        "a name with spaces",
        "it's \"quoted\"",
        "`id`;rm -rf x",
    ];

    /// Splits a command line as a POSIX shell would (no expansion happens inside the quotes
    /// `quote` writes).
    fn words(line: &str) -> Vec<String> {
        shlex::split(line).unwrap()
    }

    #[test]
    fn every_name_in_an_az_command_is_one_shell_word_whatever_it_holds() {
        for name in HOSTILE {
            let fix = Fix::LinkZone(LinkZone {
                zone: Named::new(ZoneId::for_test(0), "privatelink.openai.azure.com"),
                vnet: Named::new(VnetId::for_test(0), name),
            });
            let [cmd] = az(&fix).try_into().unwrap();
            let w = words(&cmd);
            let at = w.iter().position(|x| x == "--virtual-network").unwrap();
            assert_eq!(w[at + 1], name, "{cmd}");
            let at = w.iter().position(|x| x == "--name").unwrap();
            assert_eq!(w[at + 1], format!("link-{name}"), "{cmd}");
            // Nothing outside quotes could expand: the quoted form starts with a quote.
            assert!(!cmd.contains(&format!(" {name}")), "{cmd}");
        }
    }

    #[test]
    fn a_subnet_and_record_with_hostile_names_paste_as_themselves() {
        let name = "$(reboot) x";
        let fix = Fix::ColocateEndpoint(ColocateEndpoint {
            endpoint: format!("pe-{name}"),
            subnet: Named::new(Some(SubnetId::for_test(0)), format!("v'1/{name}")),
            new_prefix: None,
            ip: "10.1.2.5".parse().unwrap(),
            copies: Named::new(PrivateEndpointId::for_test(0), "pe"),
            replaces: "10.0.2.4".parse().unwrap(),
            service: None,
            records: vec![RecordRef {
                zone: Named::new(ZoneId::for_test(0), "privatelink.blob.core.windows.net"),
                name: "acct.dev".into(),
            }],
        });
        let cmds = az(&fix);
        let create = words(&cmds[0]);
        let arg =
            |w: &[String], flag: &str| w[w.iter().position(|x| x == flag).unwrap() + 1].clone();
        assert_eq!(arg(&create, "--vnet-name"), "v'1");
        assert_eq!(arg(&create, "--subnet"), name);
        assert_eq!(arg(&create, "--group-id"), "<group>");
        // A record name with a dot is one name in its zone.
        let add = words(&cmds[1]);
        assert_eq!(arg(&add, "--record-set-name"), "acct.dev");
        assert_eq!(
            arg(&add, "--zone-name"),
            "privatelink.blob.core.windows.net"
        );
        assert_eq!(arg(&add, "--ipv4-address"), "10.1.2.5");
        let remove = words(&cmds[2]);
        assert_eq!(arg(&remove, "--ipv4-address"), "10.0.2.4");
    }

    #[test]
    fn the_group_id_is_the_sub_resource_azure_lists_for_the_service_kind() {
        assert_eq!(group_id(ServiceKind::OpenAI), "account");
        assert_eq!(group_id(ServiceKind::CognitiveServices), "account");
        assert_eq!(group_id(ServiceKind::StorageBlob), "blob");
        assert_eq!(group_id(ServiceKind::KeyVault), "vault");
        assert_eq!(group_id(ServiceKind::Sql), "sqlServer");
        assert_eq!(group_id(ServiceKind::AiSearch), "searchService");
        assert_eq!(group_id(ServiceKind::CosmosDb), "Sql");
        assert_eq!(group_id(ServiceKind::WebApp), "sites");
        assert_eq!(group_id(ServiceKind::ApiManagement), "Gateway");
    }

    #[test]
    fn a_value_no_command_line_can_hold_is_a_placeholder() {
        assert_eq!(quote("a\0b"), "<name with a NUL byte>");
        assert_eq!(quote("spoke-app"), "spoke-app");
    }

    #[test]
    fn a_name_in_a_comment_cannot_end_the_comment() {
        let fix = Fix::ForwardZone(ForwardZone {
            server: Named::new(WorkloadId::for_test(0), "dns\nrm -rf /\r\u{2028}x"),
            domain: "openai.azure.com".into(),
        });
        let [line] = az(&fix).try_into().unwrap();
        assert!(
            line.starts_with('#') && !line.contains(['\n', '\r', '\u{2028}']),
            "{line}"
        );
        assert!(line.contains(r"dns\nrm -rf /\r\u{2028}x"), "{line}");
        assert!(!summary(&fix).contains('\n'));
    }
}
