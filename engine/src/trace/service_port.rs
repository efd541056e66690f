//! Whether the service at the end of the path listens on the port the flow reached it on
//! ([`crate::model::port_answer`]): a flow to a port it does not serve ends `PortNotServed`,
//! whichever of its endpoints it reached.

use super::walk::Tracer;
use super::{Assumption, Verdict};
use crate::model::{port_answer, FlowProtocol, PortAnswer, Service, ServiceEndpoint};

impl Tracer<'_> {
    /// `Some(PortNotServed)` when `s` does not listen on `protocol`/`port` at `endpoint`;
    /// `None` when it does, stating what that rests on: no documented port table for the
    /// kind, or a storage account's plain HTTP port that only serves with secure transfer off.
    pub(super) fn unserved_port(
        &mut self,
        s: &Service,
        endpoint: ServiceEndpoint,
        protocol: FlowProtocol,
        port: u16,
    ) -> Option<Verdict> {
        match port_answer(s.kind, endpoint, protocol, port) {
            PortAnswer::Served => {
                if s.kind.needs_secure_transfer_off(protocol, port) {
                    self.assumptions.push(Assumption::SecureTransferAssumedOff {
                        service: s.name.clone(),
                    });
                }
                None
            }
            PortAnswer::Unknown => {
                self.assumptions.push(Assumption::ServicePortsUnknown {
                    service: s.name.clone(),
                    port,
                });
                None
            }
            PortAnswer::NotServed(listens) => {
                let refused = self.net.assumptions.unserved_port_refused;
                self.assumptions
                    .push(Assumption::UnservedPortAnswer { refused });
                Some(Verdict::PortNotServed {
                    service: s.name.clone(),
                    kind: s.kind,
                    protocol,
                    port,
                    listens: listens.to_vec(),
                    refused,
                })
            }
        }
    }
}
