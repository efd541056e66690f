//! Names and the client side as written: PaaS services, private DNS, DNS forwarders and
//! resolvers, App Service VNet integration and API Management.

use serde::{Deserialize, Serialize};

use super::span::Text;

/// A PaaS service with a public endpoint (and perhaps private endpoints).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceDoc {
    /// Unique name; private endpoints name it in `target`.
    pub name: Text,
    /// What it is; decides the privatelink zone, the certificate and the 403 text.
    pub kind: ServiceKind,
    /// Its public FQDN, e.g. `aoai-dev.openai.azure.com`.
    pub fqdn: Text,
    /// Its public endpoint's address; default a placeholder in 198.51.100.0/24.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_ip: Option<Text>,
    /// `publicNetworkAccess`; absent: `Enabled`, except for a web app with a private
    /// endpoint, whose public access is then off unless set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_network_access: Option<PublicAccessDoc>,
    /// Names the service's certificate covers; default the kind's (e.g. `*.openai.azure.com`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub certificate_names: Vec<Text>,
    /// Whether it has private endpoint connections outside the scenario (say, in another
    /// tenant): its public name is then a CNAME into the privatelink zone even if no private
    /// endpoint here targets it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub private_endpoints_elsewhere: bool,
    /// A web app's access restrictions on its main site (`siteConfig.ipSecurityRestrictions`):
    /// they filter public inbound traffic only, never traffic through a private endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_restrictions: Option<AccessRestrictionsDoc>,
    /// A web app's advanced tools (scm, Kudu) site `<app>.scm.azurewebsites.net`: its own
    /// access restrictions (`scmIpSecurityRestrictions`, `scmIpSecurityRestrictionsDefaultAction`),
    /// public inbound only like the main site's. Absent: the scm site restricts nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scm_access_restrictions: Option<AccessRestrictionsDoc>,
    /// `scmIpSecurityRestrictionsUseMain`: the scm site uses the main site's rules and
    /// unmatched-rule action instead of its own (then `scm_access_restrictions` is refused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scm_use_main_restrictions: Option<super::span::Spanned<bool>>,
    /// A storage account's "secure transfer required" (`supportsHttpsTrafficOnly`): `true`, a
    /// plain HTTP request (port 80) is rejected with HTTP 400; `false`, it is served. Absent:
    /// port 80 is taken to be served and the trace says so (Azure turns the setting on by
    /// default for new accounts). Only for the storage kinds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secure_transfer_required: Option<super::span::Spanned<bool>>,
}

/// App Service access restrictions (<https://learn.microsoft.com/azure/app-service/overview-access-restrictions>).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessRestrictionsDoc {
    /// IP rules, evaluated by priority (lowest first), first match decides.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<AccessRestrictionDoc>,
    /// `ipSecurityRestrictionsDefaultAction` for requests no rule matches; absent: Azure's
    /// default, allow when there are no rules, deny once there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unmatched_action: Option<super::Access>,
    /// Whether requests carry a value each rule's `headers` filter lists (a trace does not know
    /// a request's HTTP headers): absent, `true`, the caller is taken to be the proxy the filter
    /// names (say, your own Front Door sending its `X-Azure-FDID`); `false`, rules with header
    /// filters never match. Each trace that meets such a rule states the assumption.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers_present: Option<bool>,
}

/// One IP access restriction rule.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessRestrictionDoc {
    /// Its name.
    pub name: Text,
    /// 1 (first) to 2147483647.
    pub priority: super::span::Spanned<u32>,
    /// `Allow` or `Deny`.
    pub action: super::Access,
    /// An IP rule (`ipAddress`): the caller's public address range (CIDR), several separated by
    /// commas (a multi-source rule, at most 8), or `AnyVnets` (any subnet with a `Microsoft.Web`
    /// service endpoint). Exactly one of `ip`, `service_tag` and `subnet` is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<Text>,
    /// A service-tag rule (`tag: ServiceTag`): the tag, e.g. `AzureFrontDoor.Backend`, several
    /// separated by commas (at most 8); its prefixes come from `service_tags`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_tag: Option<Text>,
    /// A service-endpoint rule (`vnetSubnetResourceId`): the subnet, as `vnet/subnet`. It
    /// matches requests that come from that subnet over its `Microsoft.Web` service endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subnet: Option<Text>,
    /// HTTP header filters (`headers`): the rule applies only when the request carries one of
    /// the listed values of each header (see `headers_present`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<HeaderFilterDoc>,
}

/// One HTTP header filter of an access restriction rule.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HeaderFilterDoc {
    /// `X-Forwarded-For`, `X-Forwarded-Host`, `X-Azure-FDID` or `X-FD-HealthProbe`.
    pub name: Text,
    /// Up to 8 values.
    pub values: Vec<Text>,
}

/// Service kinds azpath knows the DNS zones and error texts of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, Serialize, schemars::JsonSchema)]
pub enum ServiceKind {
    /// Azure OpenAI (`openai.azure.com`).
    #[serde(alias = "OpenAi")]
    OpenAI,
    /// Azure AI services / Cognitive Services (`cognitiveservices.azure.com`).
    CognitiveServices,
    /// Storage blob (`blob.core.windows.net`).
    StorageBlob,
    /// Key Vault (`vault.azure.net`).
    KeyVault,
    /// Azure SQL Database (`database.windows.net`).
    Sql,
    /// Azure AI Search (`search.windows.net`).
    AiSearch,
    /// Cosmos DB for NoSQL (sub-resource `Sql`, `documents.azure.com`).
    #[serde(alias = "CosmosDbSql")]
    CosmosDb,
    /// App Service web app (`azurewebsites.net`).
    WebApp,
    /// API Management gateway (`azure-api.net`).
    ApiManagement,
    /// An Azure AI Foundry / AI services account (`kind: AIServices`, private link sub-resource
    /// `account`): one endpoint answering on `<name>.cognitiveservices.azure.com`,
    /// `<name>.openai.azure.com` and `<name>.services.ai.azure.com`, each with its own
    /// privatelink zone.
    AiServices,
    /// Storage file / Azure Files (`file.core.windows.net`).
    StorageFile,
    /// Storage queue (`queue.core.windows.net`).
    StorageQueue,
    /// Storage table (`table.core.windows.net`).
    StorageTable,
    /// Storage static website (`web.core.windows.net`).
    StorageWeb,
    /// Data Lake Storage Gen2 (`dfs.core.windows.net`).
    StorageDfs,
    /// Cosmos DB for MongoDB (sub-resource `MongoDB`, `<account>.mongo.cosmos.azure.com`);
    /// `CosmosDb` is the NoSQL API (sub-resource `Sql`). Each Cosmos DB sub-resource is its
    /// own private endpoint and privatelink zone, like a storage account's.
    CosmosDbMongo,
    /// Cosmos DB for Apache Cassandra (sub-resource `Cassandra`,
    /// `<account>.cassandra.cosmos.azure.com`).
    CosmosDbCassandra,
    /// Cosmos DB for Apache Gremlin (sub-resource `Gremlin`,
    /// `<account>.gremlin.cosmos.azure.com`).
    CosmosDbGremlin,
    /// Cosmos DB for Table (sub-resource `Table`, `<account>.table.cosmos.azure.com`).
    CosmosDbTable,
    /// Cosmos DB analytical store (sub-resource `Analytical`,
    /// `<account>.analytics.cosmos.azure.com`).
    CosmosDbAnalytical,
}

/// `publicNetworkAccess` and the service firewall.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
pub enum PublicAccessDoc {
    /// Open to all networks (Azure's default).
    #[default]
    Enabled,
    /// Closed: the public endpoint answers 403.
    Disabled,
    /// Open to these public prefixes only.
    SelectedNetworks(Vec<Text>),
}

/// Private DNS and the servers that resolve names.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DnsDoc {
    /// Private DNS zones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub zones: Vec<ZoneDoc>,
    /// Custom DNS servers running on workloads (VMs), with conditional forwarding.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forwarders: Vec<ForwarderDoc>,
    /// DNS Private Resolver inbound endpoints.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inbound_endpoints: Vec<InboundEndpointDoc>,
    /// DNS forwarding rulesets (of a Private Resolver's outbound endpoint), linked to VNets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rulesets: Vec<RulesetDoc>,
    /// Public records beyond the services' own, e.g. `www.example.com`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub public_records: Vec<RecordDoc>,
}

/// A private DNS zone.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ZoneDoc {
    /// The zone, e.g. `privatelink.openai.azure.com`.
    pub name: Text,
    /// Its resource group. A zone is identified by its resource group and name, so the same
    /// zone name may exist in several resource groups (a regional copy of a privatelink zone
    /// per region, each linked to its own region's VNets); a VNet links at most one zone of a
    /// name. Required when two zones share a name; elsewhere `remove` and `via` write a zone
    /// with one as `resource-group/zone-name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_group: Option<Text>,
    /// VNets linked to the zone (resolution policy `Default`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Text>,
    /// Of those, the links whose `resolutionPolicy` is `NxDomainRedirect` (fallback to the
    /// Internet when the zone has no record).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nx_domain_redirect: Vec<Text>,
    /// Record sets, by relative name (`@` for the apex).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub records: Vec<RecordDoc>,
}

/// How a private DNS zone is written where several zones may share its name:
/// `resource-group/zone-name` when it has a resource group, else its name. Zone names have no
/// `/`, so the label splits back unambiguously ([`split_zone_label`]).
pub fn zone_label(resource_group: Option<&str>, name: &str) -> String {
    match resource_group {
        Some(rg) => format!("{rg}/{name}"),
        None => name.to_string(),
    }
}

/// A [`zone_label`] split into its resource group (if any) and zone name.
pub fn split_zone_label(label: &str) -> (Option<&str>, &str) {
    match label.split_once('/') {
        Some((rg, name)) => (Some(rg), name),
        None => (None, label),
    }
}

/// A record set: A addresses or one CNAME.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordDoc {
    /// Relative name in a zone (`@` for the apex), or a full name among public records.
    pub name: Text,
    /// A (or AAAA) records.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub a: Vec<Text>,
    /// A CNAME target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cname: Option<Text>,
}

/// A DNS server on a workload, with conditional forwarders.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ForwarderDoc {
    /// The workload it runs on (its IP is the server's address).
    pub workload: Text,
    /// Conditional forwarders: the longest matching domain wins.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<ForwardRuleDoc>,
    /// Where everything else goes: `Recursive` (resolves on the Internet itself, the default)
    /// or `Forward([...])`.
    #[serde(default)]
    pub otherwise: OtherwiseDoc,
}

/// A conditional forwarding rule.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ForwardRuleDoc {
    /// The domain, e.g. `openai.azure.com` (a trailing dot is allowed; `.` matches all).
    pub domain: Text,
    /// Target DNS servers; `168.63.129.16` is Azure DNS as seen from the server's VNet.
    pub forward_to: Vec<Text>,
}

/// What a forwarder does with names no rule matches.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
pub enum OtherwiseDoc {
    /// Resolves them on the Internet (root hints): no private zones.
    #[default]
    Recursive,
    /// Forwards them to these servers.
    Forward(Vec<Text>),
}

/// A DNS Private Resolver inbound endpoint: an address that resolves with Azure DNS in the
/// context of its VNet.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InboundEndpointDoc {
    /// Unique name.
    pub name: Text,
    /// Its dedicated subnet, `vnet/subnet`.
    pub subnet: Text,
    /// Its address.
    pub ip: Text,
}

/// A DNS forwarding ruleset.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RulesetDoc {
    /// Unique name.
    pub name: Text,
    /// VNets that use it.
    pub links: Vec<Text>,
    /// Rules: the longest matching domain wins.
    pub rules: Vec<ForwardRuleDoc>,
}

/// An App Service app with regional VNet integration.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AppServiceDoc {
    /// Unique name (shared with workloads: traces start from it).
    pub name: Text,
    /// The integration subnet, `vnet/subnet`; none: not integrated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integration_subnet: Option<Text>,
    /// The instance's address in the integration subnet; default the subnet's first usable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_ip: Option<Text>,
    /// `vnetRouteAllEnabled` (`outboundVnetRouting.applicationTraffic`); default `false`.
    #[serde(default)]
    pub route_all: bool,
    /// `WEBSITE_DNS_SERVER` / `dnsConfiguration.dnsServers`: overrides the VNet's DNS.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dns_servers: Vec<Text>,
    /// The app's public outbound address, for service firewalls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outbound_ip: Option<Text>,
}

/// API Management in a VNet (classic tiers).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiManagementDoc {
    /// Unique name; the default host names derive from it.
    pub name: Text,
    /// `Internal` (private VIP only) or `External`.
    #[serde(default)]
    pub mode: ApimMode,
    /// Its subnet, `vnet/subnet`.
    pub subnet: Text,
    /// Its private VIP.
    pub private_ip: Text,
    /// Host names it serves; default `<name>.azure-api.net` and the portal, developer,
    /// management and scm names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hostnames: Vec<Text>,
}

/// API Management's VNet mode.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Deserialize, Serialize, schemars::JsonSchema,
)]
pub enum ApimMode {
    /// Reachable only inside the VNet, on its private VIP.
    #[default]
    Internal,
    /// Also reachable from the Internet.
    External,
}
