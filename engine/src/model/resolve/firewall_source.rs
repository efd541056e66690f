//! Azure Firewall rule sources: addresses, prefixes, ranges, `*` and IP groups, never a service
//! tag. "Service tags can be used in the destination field for network rules and application
//! rules" and nowhere else ("Azure Firewall service tags",
//! <https://learn.microsoft.com/azure/firewall/service-tags>); import refuses such rules too.

use super::Resolver;
use crate::scenario::Text;

/// Whether a rule address is written as a service tag (a name, not an address, a prefix, a
/// range or `*`/`Any`).
fn names_a_service_tag(raw: &str) -> bool {
    let raw = raw.trim();
    raw.starts_with(|c: char| c.is_ascii_alphabetic())
        && !raw.contains(':')
        && !raw.eq_ignore_ascii_case("any")
}

impl Resolver {
    /// Refuses every service tag among a firewall rule's sources, each with its place; `true`
    /// when there is none.
    pub(super) fn service_tags_are_destinations_only(
        &mut self,
        sources: &[Text],
        rule: &Text,
    ) -> bool {
        let mut clean = true;
        for t in sources.iter().filter(|t| names_a_service_tag(&t.value)) {
            self.error(
                t.span,
                format!(
                    "firewall rule `{}` has the service tag `{}` as its source",
                    rule.value,
                    t.value.trim()
                ),
                Some(
                    "Azure Firewall takes service tags as rule destinations only (https://learn.microsoft.com/azure/firewall/service-tags): write the source's addresses or an IP group"
                        .into(),
                ),
            );
            clean = false;
        }
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::names_a_service_tag;

    #[test]
    fn names_are_tags_and_addresses_are_not() {
        for tag in [
            "AzureCloud",
            "Storage.WestEurope",
            "VirtualNetwork",
            "Internet",
        ] {
            assert!(names_a_service_tag(tag), "{tag}");
        }
        for not in ["*", "Any", "10.0.0.0/8", "10.0.0.1-10.0.0.9", "fd00::/8"] {
            assert!(!names_a_service_tag(not), "{not}");
        }
    }
}
