//! A web app's access restrictions as written, checked the way App Service checks them
//! ("Azure App Service access restrictions",
//! <https://learn.microsoft.com/azure/app-service/overview-access-restrictions>, and "Set up
//! Azure App Service access restrictions",
//! <https://learn.microsoft.com/azure/app-service/app-service-ip-restrictions>): each rule is an
//! IP rule, a service-tag rule or a service-endpoint rule, with up to 8 sources and optional
//! HTTP header filters of four documented names.

use super::{find, unknown_name_hint, Resolver};
use crate::model::*;
use crate::scenario::{self as doc, Text};

/// Sources one multi-source rule may combine ("up to eight IP ranges or eight service tags").
pub const MAX_RULE_SOURCES: usize = 8;

/// Values one header filter may list ("up to eight values").
pub const MAX_HEADER_VALUES: usize = 8;

/// The HTTP headers a rule may filter on, as Learn spells them.
pub const RESTRICTION_HEADERS: [&str; 4] = [
    "X-Forwarded-For",
    "X-Forwarded-Host",
    "X-Azure-FDID",
    "X-FD-HealthProbe",
];

/// The IP-rule text that stands for every subnet with a `Microsoft.Web` service endpoint.
pub const ANY_VNETS: &str = "AnyVnets";

/// Whether requests are taken to carry the values of rules' header filters when the scenario
/// does not say: yes, a rule with a header filter is written for the proxy that sends it.
pub fn headers_present_default(written: Option<bool>) -> bool {
    written.unwrap_or(true)
}

/// The parts of a multi-source text (`a,b,c`), trimmed, each keeping the text's span.
fn sources(text: &Text) -> Vec<Text> {
    text.value
        .split(',')
        .map(|part| Text {
            value: part.trim().to_string(),
            span: text.span,
        })
        .collect()
}

impl Resolver {
    /// A web app's access restrictions, rules sorted by priority; refused on other services.
    pub(super) fn access_restrictions(
        &mut self,
        s: &doc::ServiceDoc,
    ) -> Option<AccessRestrictions> {
        let ar = s.access_restrictions.as_ref()?;
        if s.kind != doc::ServiceKind::WebApp {
            self.error(
                s.name.span,
                format!(
                    "service `{}` is {:?}, and only App Service web apps have access restrictions",
                    s.name.value, s.kind
                ),
                Some(
                    "use `public_network_access: SelectedNetworks([...])` for the service firewall"
                        .into(),
                ),
            );
            return None;
        }
        Some(self.site_restrictions(ar))
    }

    /// One site's access restrictions (the main site's or the advanced tools site's), rules
    /// sorted by priority.
    pub(super) fn site_restrictions(
        &mut self,
        ar: &doc::AccessRestrictionsDoc,
    ) -> AccessRestrictions {
        let mut rules = Vec::new();
        for r in &ar.rules {
            if r.priority.value == 0 {
                self.error(
                    r.priority.span,
                    format!("access restriction `{}` has priority 0", r.name.value),
                    Some("priorities run from 1 (first) to 2147483647".into()),
                );
            }
            let source = self.restriction_source(r);
            let headers = self.restriction_headers(r);
            if let (Some(source), Some(headers)) = (source, headers) {
                rules.push(AccessRestriction {
                    name: r.name.value.clone(),
                    priority: r.priority.value,
                    action: r.action,
                    source,
                    headers,
                });
            }
        }
        // Stable: rules of one priority keep the order Azure lists them in.
        rules.sort_by_key(|r| r.priority);
        let unmatched = ar
            .unmatched_action
            .unwrap_or_else(|| unmatched_action_default(!rules.is_empty()));
        AccessRestrictions {
            rules,
            unmatched,
            headers_present: headers_present_default(ar.headers_present),
        }
    }

    /// What the rule matches callers by: exactly one of `ip`, `service_tag`, `subnet`.
    fn restriction_source(&mut self, r: &doc::AccessRestrictionDoc) -> Option<RestrictionSource> {
        match (&r.ip, &r.service_tag, &r.subnet) {
            (Some(ip), None, None) => self.ip_source(r, ip),
            (None, Some(tag), None) => self.tag_source(r, tag),
            (None, None, Some(subnet)) => {
                let id = self.found(find(&self.subnet_ids, subnet, "subnet"))?;
                self.warn_without_web_endpoint(r, subnet, id);
                Some(RestrictionSource::Subnet(id))
            }
            _ => {
                self.error(
                    r.name.span,
                    format!(
                        "access restriction `{}` must name exactly one of `ip`, `service_tag` and `subnet`",
                        r.name.value
                    ),
                    Some("an IP rule, a service-tag rule and a service-endpoint rule are separate rules; write one each".into()),
                );
                None
            }
        }
    }

    /// Too many sources in one rule, refused.
    fn too_many_sources(&mut self, r: &doc::AccessRestrictionDoc, text: &Text, n: usize) -> bool {
        if n <= MAX_RULE_SOURCES {
            return false;
        }
        self.error(
            text.span,
            format!("access restriction `{}` combines {n} sources", r.name.value),
            Some(format!(
                "a multi-source rule holds at most {MAX_RULE_SOURCES} ranges or tags; split it"
            )),
        );
        true
    }

    /// An IP rule: CIDR ranges, or `AnyVnets` alone.
    fn ip_source(
        &mut self,
        r: &doc::AccessRestrictionDoc,
        text: &Text,
    ) -> Option<RestrictionSource> {
        let parts = sources(text);
        if parts
            .iter()
            .any(|p| p.value.eq_ignore_ascii_case(ANY_VNETS))
        {
            if parts.len() > 1 {
                self.error(
                    text.span,
                    format!(
                        "access restriction `{}` mixes `{ANY_VNETS}` with address ranges",
                        r.name.value
                    ),
                    Some(format!("write `{ANY_VNETS}` in a rule of its own")),
                );
                return None;
            }
            return Some(RestrictionSource::AnyVnets);
        }
        if self.too_many_sources(r, text, parts.len()) {
            return None;
        }
        let prefixes: Vec<_> = parts
            .iter()
            .map(|p| self.prefix(p, "access restriction address"))
            .collect();
        prefixes
            .into_iter()
            .collect::<Option<Vec<_>>>()
            .map(RestrictionSource::Ip)
    }

    /// A service-tag rule: every tag declared in `service_tags` with prefixes, or refused
    /// (azpath has no copy of Azure's tag ranges, and a tag matching nothing would be silent).
    fn tag_source(
        &mut self,
        r: &doc::AccessRestrictionDoc,
        text: &Text,
    ) -> Option<RestrictionSource> {
        let parts = sources(text);
        if self.too_many_sources(r, text, parts.len()) {
            return None;
        }
        let mut tags = Vec::new();
        let mut prefixes = Vec::new();
        let mut ok = true;
        for tag in &parts {
            let declared = self
                .tag_ids
                .get(&tag.value)
                .and_then(|i| self.net.service_tags.get(*i))
                .map(|(_, p)| p.clone());
            match declared {
                Some(p) if !p.is_empty() => {
                    prefixes.extend(p);
                    tags.push(tag.value.clone());
                }
                Some(_) => {
                    ok = false;
                    self.error(
                        tag.span,
                        format!(
                            "access restriction `{}` names service tag `{}`, which is declared with no prefixes",
                            r.name.value, tag.value
                        ),
                        Some(format!("list the prefixes of `{}` in `service_tags`", tag.value)),
                    );
                }
                None => {
                    ok = false;
                    let known = unknown_name_hint(
                        &tag.value,
                        self.net.service_tags.iter().map(|(n, _)| n.as_str()),
                        "service tag",
                    );
                    self.error(
                        tag.span,
                        format!(
                            "access restriction `{}` names service tag `{}`, whose prefixes this scenario does not declare",
                            r.name.value, tag.value
                        ),
                        Some(format!(
                            "azpath has no copy of Azure's tag ranges: declare `service_tags: [(name: \"{}\", prefixes: [...])]` from a dated Service Tags download ({known})",
                            tag.value
                        )),
                    );
                }
            }
        }
        ok.then_some(RestrictionSource::ServiceTag { tags, prefixes })
    }

    /// A service-endpoint rule on a subnet without the `Microsoft.Web` service endpoint is
    /// accepted by Azure ("Ignore missing Microsoft.Web service endpoints") but matches nothing
    /// until the endpoint is enabled: the subnet's requests arrive from its public address.
    fn warn_without_web_endpoint(
        &mut self,
        r: &doc::AccessRestrictionDoc,
        subnet: &Text,
        id: SubnetId,
    ) {
        let enabled = self
            .net
            .subnet(id)
            .is_some_and(|s| subnet_has_web_endpoint(&s.service_endpoints));
        if !enabled {
            self.warn(
                subnet.span,
                format!(
                    "access restriction `{}` names subnet `{}`, which has no `{WEB_SERVICE_ENDPOINT}` service endpoint, so the rule matches none of its requests",
                    r.name.value, subnet.value
                ),
                Some(format!(
                    "add `{WEB_SERVICE_ENDPOINT}` to the subnet's `service_endpoints` (its requests otherwise reach the app from the subnet's public address)"
                )),
            );
        }
    }

    /// Header filters: the four documented headers, 1 to 8 values each.
    fn restriction_headers(
        &mut self,
        r: &doc::AccessRestrictionDoc,
    ) -> Option<Vec<(String, Vec<String>)>> {
        let mut out = Vec::new();
        let mut ok = true;
        for h in &r.headers {
            let Some(name) = RESTRICTION_HEADERS
                .iter()
                .find(|n| n.eq_ignore_ascii_case(h.name.value.trim()))
            else {
                ok = false;
                let hint = unknown_name_hint(
                    h.name.value.trim(),
                    RESTRICTION_HEADERS.iter().copied(),
                    "header",
                );
                self.error(
                    h.name.span,
                    format!(
                        "access restriction `{}` filters on header `{}`, which App Service does not support",
                        r.name.value, h.name.value
                    ),
                    Some(format!("{hint} Supported: {}", RESTRICTION_HEADERS.join(", "))),
                );
                continue;
            };
            if h.values.is_empty() || h.values.len() > MAX_HEADER_VALUES {
                ok = false;
                self.error(
                    h.name.span,
                    format!(
                        "header filter `{name}` of access restriction `{}` lists {} values",
                        r.name.value,
                        h.values.len()
                    ),
                    Some(format!("list 1 to {MAX_HEADER_VALUES} values")),
                );
                continue;
            }
            out.push((
                (*name).to_string(),
                h.values.iter().map(|v| v.value.clone()).collect(),
            ));
        }
        ok.then_some(out)
    }

    /// Learn: "Access restriction rules based on service endpoints are not supported on apps
    /// that have private endpoint configured" — warned, and evaluated as written.
    pub(super) fn service_endpoint_rules_beside_private_endpoints(
        &mut self,
        services: &[doc::ServiceDoc],
        endpoints: &[doc::PrivateEndpointDoc],
    ) {
        let targets = super::endpoint_targets(endpoints);
        for s in services {
            let has_endpoint =
                s.private_endpoints_elsewhere || targets.contains(s.name.value.as_str());
            if !has_endpoint {
                continue;
            }
            let rules = s
                .access_restrictions
                .iter()
                .chain(s.scm_access_restrictions.iter())
                .flat_map(|ar| ar.rules.iter());
            for r in rules.filter(|r| {
                r.subnet.is_some()
                    || r.ip
                        .as_ref()
                        .is_some_and(|t| t.value.trim().eq_ignore_ascii_case(ANY_VNETS))
            }) {
                self.warn(
                    r.name.span,
                    format!(
                        "access restriction `{}` of `{}` is a service-endpoint rule on an app with a private endpoint, which App Service does not support",
                        r.name.value, s.name.value
                    ),
                    Some("azpath evaluates it as written; Azure documents no behaviour for it, so use an IP rule or reach the app through its private endpoint".into()),
                );
            }
        }
    }
}
