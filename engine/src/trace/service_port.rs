//! Whether the service at the end of the path listens on the port the flow reached it on
//! ([`crate::model::port_answer`]): a flow to a port it does not serve ends `PortNotServed`,
//! whichever of its endpoints it reached; plain HTTP to a storage account that requires secure
//! transfer ends `SecureTransferRequired`.

use super::walk::Tracer;
use super::{Assumption, Verdict};
use crate::model::{
    port_answer, FlowProtocol, PortAnswer, Service, ServiceEndpoint, ServiceKind, WorkloadId,
};

impl Tracer<'_> {
    /// `Some(PortNotServed)` when `s` does not listen on `protocol`/`port` at `endpoint`;
    /// `Some(SecureTransferRequired)` for a storage account's plain HTTP port when the account
    /// requires secure transfer (it rejects any HTTP request); `None` when it serves the port,
    /// stating what that rests on: no documented port table for the kind, or plain HTTP to an
    /// account whose secure transfer setting the scenario does not give.
    pub(super) fn unserved_port(
        &mut self,
        s: &Service,
        endpoint: ServiceEndpoint,
        protocol: FlowProtocol,
        port: u16,
    ) -> Option<Verdict> {
        match port_answer(s.kind, endpoint, protocol, port) {
            PortAnswer::Served => {
                if !s.kind.needs_secure_transfer_off(protocol, port) {
                    return None;
                }
                match s.secure_transfer_required {
                    Some(true) => Some(Verdict::SecureTransferRequired {
                        service: s.name.clone(),
                        kind: s.kind,
                    }),
                    Some(false) => None,
                    None => {
                        self.assumptions.push(Assumption::SecureTransferAssumedOff {
                            service: s.name.clone(),
                        });
                        None
                    }
                }
            }
            PortAnswer::Unknown => {
                self.assumptions.push(Assumption::ServicePortsUnknown {
                    service: s.name.clone(),
                    port,
                });
                None
            }
            PortAnswer::NotServed(listens) => {
                Some(self.port_not_served(&s.name, s.kind, protocol, port, listens))
            }
        }
    }

    /// For a VNet-injected API Management instance standing as workload `w`: `Some` when its
    /// gateway does not listen on `protocol`/`port` (it serves TCP 80 and 443).
    pub(super) fn apim_unserved_port(
        &mut self,
        w: WorkloadId,
        protocol: FlowProtocol,
        port: u16,
    ) -> Option<Verdict> {
        let apim = self.net.api_managements.iter().find(|a| a.workload == w)?;
        let listens = match port_answer(
            ServiceKind::ApiManagement,
            ServiceEndpoint::Private,
            protocol,
            port,
        ) {
            PortAnswer::NotServed(listens) => listens,
            PortAnswer::Served | PortAnswer::Unknown => return None,
        };
        let name = apim.name.clone();
        Some(self.port_not_served(&name, ServiceKind::ApiManagement, protocol, port, listens))
    }

    /// The verdict for a service that does not listen on `protocol`/`port`, with the switch
    /// deciding whether the client sees a timeout or a reset stated.
    fn port_not_served(
        &mut self,
        service: &str,
        kind: ServiceKind,
        protocol: FlowProtocol,
        port: u16,
        listens: &[crate::model::PortRange],
    ) -> Verdict {
        let refused = self.net.assumptions.unserved_port_refused;
        self.assumptions
            .push(Assumption::UnservedPortAnswer { refused });
        Verdict::PortNotServed {
            service: service.to_string(),
            kind,
            protocol,
            port,
            listens: listens.to_vec(),
            refused,
        }
    }
}
