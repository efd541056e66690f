//! The ports each service listens on at its endpoints, one named function per kind, each citing
//! the Microsoft Learn page that documents it. Every table is TCP: no service azpath models
//! documents a UDP or ICMP listener. A kind with no documented table answers `None`, and a
//! trace that reaches it says so instead of answering as if every port were served.

use super::{FlowProtocol, PortRange, ServiceKind};

/// One port.
const fn one(port: u16) -> PortRange {
    PortRange {
        first: port,
        last: port,
    }
}

/// The ports `first` to `last`.
const fn span(first: u16, last: u16) -> PortRange {
    PortRange { first, last }
}

/// Which of a service's endpoints a flow reached: the tables differ for Azure SQL and Cosmos DB.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServiceEndpoint {
    /// A private endpoint of the service.
    Private,
    /// The service's public endpoint (directly, or over a service endpoint).
    Public,
}

/// HTTPS and plain HTTP.
const HTTP_AND_HTTPS: &[PortRange] = &[one(80), one(443)];
/// HTTPS alone.
const HTTPS: &[PortRange] = &[one(443)];

/// Key Vault: "All traffic to a key vault for all three functions (authentication, management,
/// and data plane access) goes over HTTPS: port 443" ("Access Azure Key Vault behind a
/// firewall", <https://learn.microsoft.com/azure/key-vault/general/access-behind-firewall>). The
/// occasional port 80 traffic the page names goes to certificate revocation lists, not to the
/// vault.
pub fn key_vault_ports() -> &'static [PortRange] {
    HTTPS
}

/// Blob, queue, table, static website and Data Lake Storage endpoints: the storage REST API
/// over HTTPS (443), and over plain HTTP (80), which the account serves only when secure
/// transfer is not required ("Require secure transfer to ensure secure connections",
/// <https://learn.microsoft.com/azure/storage/common/storage-require-secure-transfer>: with it
/// on, "requests over HTTP are rejected"; it is on by default).
pub fn storage_rest_ports() -> &'static [PortRange] {
    HTTP_AND_HTTPS
}

/// The ports of [`storage_rest_ports`] that only serve with secure transfer turned off.
pub fn storage_plain_http_port(port: u16) -> bool {
    port == 80
}

/// Azure Files: SMB on TCP 445, NFS on TCP 2049, and the FileREST API on 443 (80 with secure
/// transfer off) ("Azure Files networking considerations",
/// <https://learn.microsoft.com/azure/storage/files/storage-files-networking-overview>: "SMB
/// uses port 445", NFS shares use port 2049; "Troubleshoot Azure Files connectivity",
/// <https://learn.microsoft.com/troubleshoot/azure/azure-storage/files/connectivity/files-troubleshoot-smb-connectivity>).
pub fn azure_files_ports() -> &'static [PortRange] {
    const FILES: &[PortRange] = &[one(80), one(443), one(445), one(2049)];
    FILES
}

/// Azure SQL Database: the gateway "listens on port 1433" ("Azure SQL Database connectivity
/// architecture",
/// <https://learn.microsoft.com/azure/azure-sql/database/connectivity-architecture>); the
/// redirect ports 11000-11999 belong to the database nodes' addresses, not the gateway's. Through
/// a private endpoint the redirect connection policy sends the client to "port range 1433 to
/// 65535" of the endpoint ("Azure Private Link for Azure SQL Database", "Use Redirect connection
/// policy with private endpoints",
/// <https://learn.microsoft.com/azure/azure-sql/database/private-endpoint-overview>).
pub fn sql_ports(endpoint: ServiceEndpoint) -> &'static [PortRange] {
    match endpoint {
        ServiceEndpoint::Private => {
            const REDIRECT: &[PortRange] = &[span(1433, u16::MAX)];
            REDIRECT
        }
        ServiceEndpoint::Public => {
            const GATEWAY: &[PortRange] = &[one(1433)];
            GATEWAY
        }
    }
}

/// Cosmos DB for NoSQL: gateway mode on 443, direct mode on 10000-20000 over public endpoints,
/// and "the full range of TCP ports - from 0 to 65535" through a private endpoint ("Azure
/// Cosmos DB SQL SDK connectivity modes", "Service port ranges",
/// <https://learn.microsoft.com/azure/cosmos-db/nosql/sdk-connection-modes>).
pub fn cosmos_nosql_ports(endpoint: ServiceEndpoint) -> &'static [PortRange] {
    match endpoint {
        ServiceEndpoint::Private => {
            const EVERY_PORT: &[PortRange] = &[span(0, u16::MAX)];
            EVERY_PORT
        }
        ServiceEndpoint::Public => {
            const GATEWAY_AND_DIRECT: &[PortRange] = &[one(443), span(10000, 20000)];
            GATEWAY_AND_DIRECT
        }
    }
}

/// Cosmos DB for MongoDB: "MongoDB (10250, 10255, 10256)" (same page, the API/service port
/// table; 10250 is an account without geo-replication's).
pub fn cosmos_mongo_ports() -> &'static [PortRange] {
    const MONGO: &[PortRange] = &[one(10250), one(10255), one(10256)];
    MONGO
}

/// Cosmos DB for Apache Cassandra: "Cassandra (10350)" (same page).
pub fn cosmos_cassandra_ports() -> &'static [PortRange] {
    const CASSANDRA: &[PortRange] = &[one(10350)];
    CASSANDRA
}

/// Cosmos DB for Apache Gremlin: "Graph (443)" (same page).
pub fn cosmos_gremlin_ports() -> &'static [PortRange] {
    HTTPS
}

/// Cosmos DB for Table: "Table (443)" (same page).
pub fn cosmos_table_ports() -> &'static [PortRange] {
    HTTPS
}

/// Azure OpenAI, AI services (Cognitive Services) and AI Foundry accounts: REST over HTTPS
/// ("Configure Azure AI services virtual networks",
/// <https://learn.microsoft.com/azure/ai-services/cognitive-services-virtual-networks>: every
/// endpoint is an `https://` URL; "Azure OpenAI in Azure AI Foundry Models REST API reference",
/// <https://learn.microsoft.com/azure/ai-foundry/openai/reference>).
pub fn ai_services_ports() -> &'static [PortRange] {
    HTTPS
}

/// Azure AI Search: the REST API is served over HTTPS only ("Azure AI Search REST API",
/// <https://learn.microsoft.com/rest/api/searchservice/>: "All requests must be sent over
/// HTTPS").
pub fn ai_search_ports() -> &'static [PortRange] {
    HTTPS
}

/// App Service: apps are reached over HTTP (80) and HTTPS (443) only ("Azure App Service
/// networking features",
/// <https://learn.microsoft.com/azure/app-service/networking-features>; "App Service on Linux
/// FAQ": only ports 80 and 443 are exposed,
/// <https://learn.microsoft.com/troubleshoot/azure/app-service/faqs-app-service-linux>).
pub fn app_service_ports() -> &'static [PortRange] {
    HTTP_AND_HTTPS
}

/// API Management gateway: client communication on TCP 80 and 443, the management endpoint on
/// 3443 (from `ApiManagement`) and the Azure infrastructure load balancer on 6390 ("Virtual
/// network configuration reference: API Management",
/// <https://learn.microsoft.com/azure/api-management/virtual-network-reference>).
pub fn api_management_ports() -> &'static [PortRange] {
    const GATEWAY_AND_MANAGEMENT: &[PortRange] = &[one(80), one(443), one(3443), one(6390)];
    GATEWAY_AND_MANAGEMENT
}

impl ServiceKind {
    /// The TCP ports the service listens on at `endpoint`; `None`: azpath has no documented
    /// table for the kind (the Cosmos DB analytical store, whose endpoint Synapse reaches).
    pub fn listens(self, endpoint: ServiceEndpoint) -> Option<&'static [PortRange]> {
        Some(match self {
            ServiceKind::KeyVault => key_vault_ports(),
            ServiceKind::StorageBlob
            | ServiceKind::StorageQueue
            | ServiceKind::StorageTable
            | ServiceKind::StorageWeb
            | ServiceKind::StorageDfs => storage_rest_ports(),
            ServiceKind::StorageFile => azure_files_ports(),
            ServiceKind::Sql => sql_ports(endpoint),
            ServiceKind::CosmosDb => cosmos_nosql_ports(endpoint),
            ServiceKind::CosmosDbMongo => cosmos_mongo_ports(),
            ServiceKind::CosmosDbCassandra => cosmos_cassandra_ports(),
            ServiceKind::CosmosDbGremlin => cosmos_gremlin_ports(),
            ServiceKind::CosmosDbTable => cosmos_table_ports(),
            ServiceKind::OpenAI | ServiceKind::CognitiveServices | ServiceKind::AiServices => {
                ai_services_ports()
            }
            ServiceKind::AiSearch => ai_search_ports(),
            ServiceKind::WebApp => app_service_ports(),
            ServiceKind::ApiManagement => api_management_ports(),
            ServiceKind::CosmosDbAnalytical => return None,
        })
    }

    /// Whether a plain HTTP request on `port` is served only when the account does not require
    /// secure transfer (a storage account's port 80): the service's `secure_transfer_required`
    /// decides, and when the scenario leaves it unset the trace states that it is taken off.
    pub fn needs_secure_transfer_off(self, protocol: FlowProtocol, port: u16) -> bool {
        protocol == FlowProtocol::Tcp && storage_plain_http_port(port) && self.is_storage()
    }

    /// Whether the service is a storage account's (one of its endpoints): the kinds that have
    /// the account's "secure transfer required" setting.
    pub fn is_storage(self) -> bool {
        matches!(
            self,
            ServiceKind::StorageBlob
                | ServiceKind::StorageQueue
                | ServiceKind::StorageTable
                | ServiceKind::StorageWeb
                | ServiceKind::StorageDfs
                | ServiceKind::StorageFile
        )
    }
}

/// What a service makes of a flow on `protocol`/`port` at `endpoint`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortAnswer {
    /// A port it listens on.
    Served,
    /// A port (or a protocol) it does not listen on, with the ports it does.
    NotServed(&'static [PortRange]),
    /// azpath has no documented table for the kind.
    Unknown,
}

/// Whether the service of `kind` listens on `protocol`/`port` at `endpoint`: only TCP is
/// served, on the ports of its table.
pub fn port_answer(
    kind: ServiceKind,
    endpoint: ServiceEndpoint,
    protocol: FlowProtocol,
    port: u16,
) -> PortAnswer {
    let Some(listens) = kind.listens(endpoint) else {
        return PortAnswer::Unknown;
    };
    if protocol == FlowProtocol::Tcp && listens.iter().any(|r| r.contains(port)) {
        PortAnswer::Served
    } else {
        PortAnswer::NotServed(listens)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn served(kind: ServiceKind, endpoint: ServiceEndpoint, port: u16) -> bool {
        port_answer(kind, endpoint, FlowProtocol::Tcp, port) == PortAnswer::Served
    }

    #[test]
    fn key_vault_listens_only_on_https_443() {
        for endpoint in [ServiceEndpoint::Private, ServiceEndpoint::Public] {
            assert!(served(ServiceKind::KeyVault, endpoint, 443));
            for port in [80, 1433, 8443, 22] {
                assert!(!served(ServiceKind::KeyVault, endpoint, port), "{port}");
            }
        }
    }

    #[test]
    fn sql_private_endpoint_accepts_the_redirect_port_range() {
        let pe = ServiceEndpoint::Private;
        for port in [1433, 1434, 11000, 11999, 40000, 65535] {
            assert!(served(ServiceKind::Sql, pe, port), "{port}");
        }
        for port in [443, 1432, 80] {
            assert!(!served(ServiceKind::Sql, pe, port), "{port}");
        }
    }

    #[test]
    fn sql_gateway_listens_on_1433_only() {
        let public = ServiceEndpoint::Public;
        assert!(served(ServiceKind::Sql, public, 1433));
        assert!(!served(ServiceKind::Sql, public, 11000));
        assert!(!served(ServiceKind::Sql, public, 443));
    }

    #[test]
    fn azure_files_serves_smb_445_nfs_2049_and_rest_443() {
        for port in [445, 2049, 443] {
            assert!(served(
                ServiceKind::StorageFile,
                ServiceEndpoint::Private,
                port
            ));
        }
        assert!(!served(
            ServiceKind::StorageBlob,
            ServiceEndpoint::Private,
            445
        ));
    }

    #[test]
    fn storage_plain_http_is_served_only_without_secure_transfer() {
        assert!(served(
            ServiceKind::StorageBlob,
            ServiceEndpoint::Public,
            80
        ));
        assert!(ServiceKind::StorageBlob.needs_secure_transfer_off(FlowProtocol::Tcp, 80));
        assert!(!ServiceKind::StorageBlob.needs_secure_transfer_off(FlowProtocol::Tcp, 443));
        assert!(!ServiceKind::KeyVault.needs_secure_transfer_off(FlowProtocol::Tcp, 80));
    }

    #[test]
    fn cosmos_db_private_endpoint_direct_mode_uses_the_whole_tcp_range() {
        assert!(served(ServiceKind::CosmosDb, ServiceEndpoint::Private, 1));
        assert!(served(
            ServiceKind::CosmosDb,
            ServiceEndpoint::Public,
            10250
        ));
        assert!(!served(
            ServiceKind::CosmosDb,
            ServiceEndpoint::Public,
            21000
        ));
    }

    #[test]
    fn cosmos_db_apis_listen_on_their_own_ports() {
        let pe = ServiceEndpoint::Private;
        assert!(served(ServiceKind::CosmosDbMongo, pe, 10255));
        assert!(!served(ServiceKind::CosmosDbMongo, pe, 443));
        assert!(served(ServiceKind::CosmosDbCassandra, pe, 10350));
        assert!(served(ServiceKind::CosmosDbGremlin, pe, 443));
        assert!(served(ServiceKind::CosmosDbTable, pe, 443));
    }

    #[test]
    fn services_serve_tcp_only() {
        let answer = port_answer(
            ServiceKind::KeyVault,
            ServiceEndpoint::Private,
            FlowProtocol::Udp,
            443,
        );
        assert_eq!(answer, PortAnswer::NotServed(key_vault_ports()));
    }

    #[test]
    fn the_cosmos_db_analytical_store_has_no_documented_port_table() {
        let answer = port_answer(
            ServiceKind::CosmosDbAnalytical,
            ServiceEndpoint::Private,
            FlowProtocol::Tcp,
            443,
        );
        assert_eq!(answer, PortAnswer::Unknown);
    }

    #[test]
    fn app_service_and_api_management_listen_on_http_and_https() {
        for kind in [ServiceKind::WebApp, ServiceKind::ApiManagement] {
            assert!(served(kind, ServiceEndpoint::Public, 80));
            assert!(served(kind, ServiceEndpoint::Private, 443));
            assert!(!served(kind, ServiceEndpoint::Private, 8080));
        }
    }

    #[test]
    fn api_management_also_listens_on_its_management_and_load_balancer_ports() {
        for port in [3443, 6390] {
            assert!(served(
                ServiceKind::ApiManagement,
                ServiceEndpoint::Private,
                port
            ));
            assert!(!served(ServiceKind::WebApp, ServiceEndpoint::Private, port));
        }
    }

    #[test]
    fn cosmos_db_for_mongodb_listens_on_10250_10255_and_10256() {
        for port in [10250, 10255, 10256] {
            assert!(served(
                ServiceKind::CosmosDbMongo,
                ServiceEndpoint::Private,
                port
            ));
        }
        assert!(!served(
            ServiceKind::CosmosDbMongo,
            ServiceEndpoint::Private,
            10251
        ));
    }
}
