//! NAT gateways in Terraform: `azurerm_nat_gateway` and the associations that give it public
//! IPs and prefixes, written as Azure's `natGateways` resource with `publicIpAddresses` and
//! `publicIpPrefixes`, so that the NAT gateway import reads them as it reads `az` output
//! (<https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/nat_gateway_public_ip_association>).
//! A subnet's `azurerm_subnet_nat_gateway_association` is read with the other subnet
//! associations.

use serde_json::{json, Value};

use super::{Convert, TfResource};

impl Convert {
    /// `azurerm_nat_gateway` and its public IP and public IP prefix associations.
    pub(super) fn nat_gateway(&mut self, r: &TfResource, v: &Value) {
        let (attr, key) = match r.kind.as_str() {
            "azurerm_nat_gateway" => {
                self.push(
                    r,
                    "natGateways",
                    json!({"publicIpAddresses": [], "publicIpPrefixes": []}),
                );
                return;
            }
            "azurerm_nat_gateway_public_ip_association" => {
                ("public_ip_address_id", "publicIpAddresses")
            }
            _ => ("public_ip_prefix_id", "publicIpPrefixes"),
        };
        let (Some(gateway), Some(target)) = (
            self.id_attr(r, v, "nat_gateway_id"),
            self.id_attr(r, v, attr),
        ) else {
            self.out.left_out.push((
                r.pointer.clone(),
                format!(
                    "{}: its NAT gateway or its {} is not known",
                    r.address,
                    attr.trim_end_matches("_id")
                ),
            ));
            return;
        };
        if !self.push_on(&gateway, key, json!({"id": target})) {
            self.out.left_out.push((
                r.pointer.clone(),
                format!("{}: {gateway} is not in the input", r.address),
            ));
        }
    }
}
