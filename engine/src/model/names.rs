//! Names and the client side in resolved form: services, private DNS, DNS servers, App Service
//! integration and API Management.

use std::net::IpAddr;

use ipnet::IpNet;

use super::{IdVec, VnetId, WorkloadId, ZoneId};
use crate::scenario::Span;
pub use crate::scenario::{split_zone_label, zone_label, ApimMode, ServiceKind};

/// Azure-provided DNS: the virtual public IP present in every VNet.
pub const AZURE_DNS: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(168, 63, 129, 16));

impl ServiceKind {
    /// Every public DNS zone the service answers in, each with the privatelink zone Microsoft
    /// recommends for its private endpoints, primary first ("Azure Private Endpoint private DNS
    /// zone values", <https://learn.microsoft.com/azure/private-link/private-endpoint-dns>;
    /// an AI Foundry / AI services account needs all three of its zones, "Set up private
    /// networking for Foundry Agent Service",
    /// <https://learn.microsoft.com/azure/ai-foundry/agents/how-to/virtual-networks>).
    pub fn zones(self) -> &'static [(&'static str, &'static str)] {
        match self {
            ServiceKind::OpenAI => &[("openai.azure.com", "privatelink.openai.azure.com")],
            ServiceKind::CognitiveServices => &[(
                "cognitiveservices.azure.com",
                "privatelink.cognitiveservices.azure.com",
            )],
            ServiceKind::StorageBlob => {
                &[("blob.core.windows.net", "privatelink.blob.core.windows.net")]
            }
            ServiceKind::KeyVault => &[("vault.azure.net", "privatelink.vaultcore.azure.net")],
            ServiceKind::Sql => &[("database.windows.net", "privatelink.database.windows.net")],
            ServiceKind::AiSearch => &[("search.windows.net", "privatelink.search.windows.net")],
            ServiceKind::CosmosDb => &[("documents.azure.com", "privatelink.documents.azure.com")],
            ServiceKind::WebApp => &[("azurewebsites.net", "privatelink.azurewebsites.net")],
            ServiceKind::ApiManagement => &[("azure-api.net", "privatelink.azure-api.net")],
            ServiceKind::AiServices => &[
                (
                    "cognitiveservices.azure.com",
                    "privatelink.cognitiveservices.azure.com",
                ),
                ("openai.azure.com", "privatelink.openai.azure.com"),
                ("services.ai.azure.com", "privatelink.services.ai.azure.com"),
            ],
            ServiceKind::StorageFile => {
                &[("file.core.windows.net", "privatelink.file.core.windows.net")]
            }
            ServiceKind::StorageQueue => &[(
                "queue.core.windows.net",
                "privatelink.queue.core.windows.net",
            )],
            ServiceKind::StorageTable => &[(
                "table.core.windows.net",
                "privatelink.table.core.windows.net",
            )],
            ServiceKind::StorageWeb => {
                &[("web.core.windows.net", "privatelink.web.core.windows.net")]
            }
            ServiceKind::StorageDfs => {
                &[("dfs.core.windows.net", "privatelink.dfs.core.windows.net")]
            }
            ServiceKind::CosmosDbMongo => &[(
                "mongo.cosmos.azure.com",
                "privatelink.mongo.cosmos.azure.com",
            )],
            ServiceKind::CosmosDbCassandra => &[(
                "cassandra.cosmos.azure.com",
                "privatelink.cassandra.cosmos.azure.com",
            )],
            ServiceKind::CosmosDbGremlin => &[(
                "gremlin.cosmos.azure.com",
                "privatelink.gremlin.cosmos.azure.com",
            )],
            ServiceKind::CosmosDbTable => &[(
                "table.cosmos.azure.com",
                "privatelink.table.cosmos.azure.com",
            )],
            ServiceKind::CosmosDbAnalytical => &[(
                "analytics.cosmos.azure.com",
                "privatelink.analytics.cosmos.azure.com",
            )],
        }
    }

    /// Whether a connection on `protocol`/`port` carries the name the client used, so that an
    /// address or a `privatelink` name fails: HTTPS (TCP 443) for every kind, and for Azure SQL
    /// also the TDS login on TCP 1433, which the SQL gateway behind a private endpoint routes by
    /// the server's FQDN ("Any login attempts made directly to the IP address or using the
    /// private link FQDN shall fail", "Azure Private Link for Azure SQL Database",
    /// <https://learn.microsoft.com/azure/azure-sql/database/private-endpoint-overview>).
    pub fn checks_name_on(self, protocol: super::FlowProtocol, port: u16) -> bool {
        protocol == super::FlowProtocol::Tcp
            && (port == 443 || (self == ServiceKind::Sql && port == 1433))
    }

    /// The public DNS zone the service's primary FQDN lives in.
    pub fn public_zone(self) -> &'static str {
        self.zones().first().map_or("", |z| z.0)
    }

    /// The private DNS zone Microsoft recommends for its private endpoints, for the primary
    /// FQDN ("Azure Private Endpoint private DNS zone values").
    pub fn private_zone(self) -> &'static str {
        self.zones().first().map_or("", |z| z.1)
    }

    /// The public zone of the kind that `name` lives in (`None`: none of them).
    pub fn zone_of(self, name: &str) -> Option<(&'static str, &'static str)> {
        self.zones()
            .iter()
            .copied()
            .find(|(public, _)| name != *public && under(name, public))
    }
}

/// A PaaS service.
#[derive(Clone, Debug)]
pub struct Service {
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: ServiceKind,
    /// Its public FQDN, lower case.
    pub fqdn: String,
    /// Every public name it answers on, lower case, `fqdn` first: one per zone of its kind
    /// (an AI services account answers on three).
    pub fqdns: Vec<String>,
    /// Its public endpoint's address.
    pub public_ip: IpAddr,
    /// `publicNetworkAccess`.
    pub public_access: PublicAccess,
    /// Names its certificate covers, lower case (`*.x` covers one label under `x`).
    pub certificate_names: Vec<String>,
    /// Private endpoint connections outside the scenario.
    pub private_endpoints_elsewhere: bool,
    /// A web app's access restrictions (public inbound only).
    pub access_restrictions: Option<AccessRestrictions>,
    /// Where it was declared.
    pub span: Span,
    /// A web app's advanced tools site name (`<app>.scm.azurewebsites.net`), lower case.
    pub scm_fqdn: Option<String>,
    /// Which access restrictions guard the advanced tools site.
    pub scm_restrictions: super::ScmRestrictions,
    /// A storage account's "secure transfer required": `Some(true)` rejects plain HTTP,
    /// `Some(false)` serves it, `None` (not declared) serves it on an assumption.
    pub secure_transfer_required: Option<bool>,
}

impl Service {
    /// Whether the certificate covers `host` (`*.x` covers exactly one label under `x`).
    pub fn certificate_covers(&self, host: &str) -> bool {
        // Certificate names are held in lower case; an ASCII host (every DNS name on the
        // wire) is compared without case and without copying it.
        let host = host.trim_end_matches('.');
        if !host.is_ascii() {
            return self.certificate_covers_lowercase(&host.to_lowercase());
        }
        self.certificate_names
            .iter()
            .any(|c| match c.strip_prefix("*.") {
                Some(suffix) => strip_suffix_lowered(host, suffix)
                    .and_then(|h| h.strip_suffix('.'))
                    .is_some_and(|label| !label.is_empty() && !label.contains('.')),
                None => lowered_eq(host, c),
            })
    }

    /// [`Self::certificate_covers`] for a host already in lower case.
    fn certificate_covers_lowercase(&self, host: &str) -> bool {
        self.certificate_names
            .iter()
            .any(|c| match c.strip_prefix("*.") {
                Some(suffix) => host
                    .strip_suffix(suffix)
                    .and_then(|h| h.strip_suffix('.'))
                    .is_some_and(|label| !label.is_empty() && !label.contains('.')),
                None => c == host,
            })
    }

    /// The name Azure gives it under its privatelink zone: the first label of its FQDN.
    pub fn privatelink_name(&self) -> String {
        let label = self.fqdn.split('.').next().unwrap_or_default();
        format!("{label}.{}", self.kind.private_zone())
    }

    /// Whether `name` is one of its public names.
    pub fn answers(&self, name: &str) -> bool {
        let name = name.trim_end_matches('.');
        self.fqdns.iter().any(|f| f.eq_ignore_ascii_case(name))
    }

    /// The privatelink name its public name `name` is a CNAME to: the first label under the
    /// privatelink zone that goes with `name`'s zone (`None`: not one of its names).
    pub fn privatelink_name_for(&self, name: &str) -> Option<String> {
        if self.is_scm_name(name) {
            return self.scm_privatelink_name();
        }
        // The public name as the service holds it, in lower case: `name` needs no copy.
        let trimmed = name.trim_end_matches('.');
        let name = self
            .fqdns
            .iter()
            .find(|f| f.eq_ignore_ascii_case(trimmed))?;
        let (_, private) = self.kind.zone_of(name)?;
        let label = name.split('.').next()?;
        Some([label, private].join("."))
    }

    /// Every privatelink name, one per public name.
    pub fn privatelink_names(&self) -> Vec<String> {
        self.fqdns
            .iter()
            .filter_map(|f| self.privatelink_name_for(f))
            .collect()
    }
}

/// `publicNetworkAccess` and the service firewall.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PublicAccess {
    /// Any caller.
    Enabled,
    /// No caller: 403.
    Disabled,
    /// Callers from these public prefixes.
    SelectedNetworks(Vec<IpNet>),
}

/// Private DNS and the servers that resolve names.
#[derive(Clone, Debug, Default)]
pub struct Dns {
    /// Private DNS zones.
    pub zones: IdVec<ZoneId, Zone>,
    /// DNS servers on workloads.
    pub forwarders: Vec<Forwarder>,
    /// Private Resolver inbound endpoints.
    pub inbound_endpoints: Vec<InboundEndpoint>,
    /// Forwarding rulesets.
    pub rulesets: Vec<Ruleset>,
    /// Public records beyond the services' own, sorted by name.
    pub public_records: Vec<Record>,
    /// The public names services answer: their FQDN, and for those with private endpoints
    /// their privatelink name; sorted by name.
    pub public_names: Vec<(String, PublicName)>,
}

/// What a service's public name is in public DNS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PublicName {
    /// The service's FQDN: its address, or a CNAME into the privatelink zone when the service
    /// has private endpoints.
    Fqdn {
        /// The service.
        service: super::ServiceId,
        /// Whether it has private endpoints (here or elsewhere).
        private_link: bool,
    },
    /// `<name>.privatelink.<zone>` of a service with private endpoints: publicly, its address.
    PrivateLink {
        /// The service.
        service: super::ServiceId,
    },
}

impl Dns {
    /// What public DNS holds for `name` among the services.
    pub fn public_name(&self, name: &str) -> Option<PublicName> {
        let i = self
            .public_names
            .binary_search_by(|(n, _)| n.as_str().cmp(name))
            .ok()?;
        self.public_names.get(i).map(|(_, p)| *p)
    }

    /// A declared public record.
    pub fn public_record(&self, name: &str) -> Option<&Record> {
        find_record(&self.public_records, name)
    }
}

/// A record in a list sorted by name.
pub fn find_record<'a>(records: &'a [Record], name: &str) -> Option<&'a Record> {
    let i = records
        .binary_search_by(|r| r.name.as_str().cmp(name))
        .ok()?;
    records.get(i)
}

/// A private DNS zone.
#[derive(Clone, Debug)]
pub struct Zone {
    /// Its name, lower case.
    pub name: String,
    /// Its resource group, when the scenario gives one: with the name, the zone's identity
    /// (the same name may be in several resource groups).
    pub resource_group: Option<String>,
    /// Linked VNets with each link's resolution policy.
    pub links: Vec<(VnetId, ResolutionPolicy)>,
    /// Its records, by full name, sorted.
    pub records: Vec<Record>,
}

impl Zone {
    /// How reports and fixes name the zone: `resource-group/zone-name`, or the name alone for
    /// a zone without a resource group ([`zone_label`]).
    pub fn label(&self) -> String {
        zone_label(self.resource_group.as_deref(), &self.name)
    }
}

/// `resolutionPolicy` of a virtual network link.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
pub enum ResolutionPolicy {
    /// The zone's answer is final, NXDOMAIN included.
    #[default]
    Default,
    /// On NXDOMAIN, Azure DNS retries the name on the Internet.
    NxDomainRedirect,
}

/// A record set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// Full name, lower case, no trailing dot.
    pub name: String,
    /// What it holds.
    pub data: RecordData,
}

/// A record set's data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordData {
    /// Addresses.
    A(Vec<IpAddr>),
    /// An alias.
    Cname(String),
}

/// A DNS server on a workload.
#[derive(Clone, Debug)]
pub struct Forwarder {
    /// The workload.
    pub workload: WorkloadId,
    /// Its name.
    pub name: String,
    /// Its address.
    pub ip: IpAddr,
    /// Its VNet: where Azure DNS answers it from.
    pub vnet: VnetId,
    /// Conditional forwarders.
    pub rules: Vec<ForwardRule>,
    /// Everything else: `None` resolves on the Internet, else forwards here.
    pub otherwise: Option<Vec<IpAddr>>,
}

/// A forwarding rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForwardRule {
    /// The domain, lower case, no trailing dot; empty for the root (`.`).
    pub domain: String,
    /// Targets.
    pub targets: Vec<IpAddr>,
}

impl ForwardRule {
    /// Whether the rule covers `name`.
    pub fn covers(&self, name: &str) -> bool {
        under(name, &self.domain)
    }
}

/// Whether ASCII `s` in lower case is `lower`, without copying `s`.
pub(crate) fn lowered_eq(s: &str, lower: &str) -> bool {
    s.len() == lower.len()
        && s.bytes()
            .zip(lower.bytes())
            .all(|(a, b)| a.to_ascii_lowercase() == b)
}

/// ASCII `s` without `lower`, the suffix compared with `s` in lower case.
pub(crate) fn strip_suffix_lowered<'s>(s: &'s str, lower: &str) -> Option<&'s str> {
    let cut = s.len().checked_sub(lower.len())?;
    let (head, tail) = (s.get(..cut)?, s.get(cut..)?);
    lowered_eq(tail, lower).then_some(head)
}

/// Whether `name` is `domain` or below it (the empty domain is the root).
pub fn under(name: &str, domain: &str) -> bool {
    domain.is_empty()
        || name == domain
        || (name.len() > domain.len()
            && name.ends_with(domain)
            && name.as_bytes().get(name.len() - domain.len() - 1) == Some(&b'.'))
}

/// A Private Resolver inbound endpoint.
#[derive(Clone, Debug)]
pub struct InboundEndpoint {
    /// Its name.
    pub name: String,
    /// Its VNet.
    pub vnet: VnetId,
    /// Its address.
    pub ip: IpAddr,
}

/// A forwarding ruleset.
#[derive(Clone, Debug)]
pub struct Ruleset {
    /// Its name.
    pub name: String,
    /// Linked VNets.
    pub links: Vec<VnetId>,
    /// Its rules.
    pub rules: Vec<ForwardRule>,
}

/// An App Service app integrated with a VNet: its instance is a workload in the integration
/// subnet.
#[derive(Clone, Debug)]
pub struct AppService {
    /// Its name (the workload's).
    pub name: String,
    /// The workload standing for its instance.
    pub workload: WorkloadId,
    /// `vnetRouteAllEnabled`.
    pub route_all: bool,
    /// DNS servers set on the app, overriding the VNet's.
    pub dns_servers: Vec<IpAddr>,
    /// Its public outbound address.
    pub outbound_ip: Option<IpAddr>,
}

/// API Management in a VNet: its VIP is a workload in its subnet.
#[derive(Clone, Debug)]
pub struct ApiManagement {
    /// Its name (the workload's).
    pub name: String,
    /// Internal or external.
    pub mode: ApimMode,
    /// The workload standing for its private VIP.
    pub workload: WorkloadId,
    /// Host names it serves, lower case.
    pub hostnames: Vec<String>,
}

/// App Service access restrictions on the main site, rules sorted by priority
/// (<https://learn.microsoft.com/azure/app-service/overview-access-restrictions>).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessRestrictions {
    /// The rules, lowest priority first (ties in declaration order, as Azure lists them).
    pub rules: Vec<AccessRestriction>,
    /// What a request no rule matches gets.
    pub unmatched: super::Access,
    /// Whether requests are taken to carry the values rules' header filters list (a trace
    /// knows no HTTP headers).
    pub headers_present: bool,
}

/// One access restriction rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessRestriction {
    /// Its name.
    pub name: String,
    /// Its priority.
    pub priority: u32,
    /// Allow or deny.
    pub action: super::Access,
    /// The callers it matches.
    pub source: RestrictionSource,
    /// HTTP header filters (name, values), all of which must hold.
    pub headers: Vec<(String, Vec<String>)>,
}

/// What an access restriction rule matches the caller by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RestrictionSource {
    /// An IP rule: public caller addresses (one range, or up to 8 in a multi-source rule).
    Ip(Vec<IpNet>),
    /// A service-tag rule: the tags and their declared prefixes.
    ServiceTag {
        /// The tags as written.
        tags: Vec<String>,
        /// Their prefixes.
        prefixes: Vec<IpNet>,
    },
    /// A service-endpoint rule: requests from this subnet over its `Microsoft.Web` service
    /// endpoint.
    Subnet(super::SubnetId),
    /// `AnyVnets`: requests from any subnet over a `Microsoft.Web` service endpoint.
    AnyVnets,
}

/// The action for requests no access restriction matches when the app does not set it: allow
/// while there are no rules, deny once there is one ("the unmatched rule action ... defaults to
/// Allow ... once you add a rule it becomes Deny", <https://learn.microsoft.com/azure/app-service/overview-access-restrictions>).
pub fn unmatched_action_default(has_rules: bool) -> super::Access {
    if has_rules {
        super::Access::Deny
    } else {
        super::Access::Allow
    }
}

/// The service endpoint that carries a subnet's requests to App Service.
pub const WEB_SERVICE_ENDPOINT: &str = "Microsoft.Web";

/// Whether a subnet's service endpoints include `Microsoft.Web`.
pub fn subnet_has_web_endpoint(endpoints: &[String]) -> bool {
    endpoints
        .iter()
        .any(|e| e.eq_ignore_ascii_case(WEB_SERVICE_ENDPOINT))
}
