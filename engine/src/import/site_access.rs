//! A web app's inbound access settings: `publicNetworkAccess` and the main site's access
//! restrictions (`siteConfig.ipSecurityRestrictions`, `ipSecurityRestrictionsDefaultAction`),
//! read from the `Microsoft.Web/sites` resource or its `Microsoft.Web/sites/config` child named
//! `web` ("Set up Azure App Service access restrictions",
//! <https://learn.microsoft.com/azure/app-service/app-service-ip-restrictions>, section "Manage
//! access restriction programmatically"), and the advanced tools (scm) site's
//! (`scmIpSecurityRestrictions`, `scmIpSecurityRestrictionsDefaultAction`,
//! `scmIpSecurityRestrictionsUseMain`). Every rule field azpath does not know is listed as left
//! out.

use serde_json::Value;

use super::context::{text, Context};
use super::field::{kind_of, Invalid, Node, Vocabulary};
use super::resource::Resource;
use super::Section;
use crate::scenario::{
    Access, AccessRestrictionDoc, AccessRestrictionsDoc, HeaderFilterDoc, PublicAccessDoc,
    ServiceDoc, ServiceKind, Spanned,
};

/// The priority Azure gives the pseudo-rule that stands for the unmatched-rule action
/// (`"ipAddress": "Any"`, named "Allow all" or "Deny all") when it lists the rules.
const UNMATCHED_PRIORITY: u64 = 2_147_483_647;

/// The rule fields azpath reads; `subnetMask` is the legacy way of writing the range, and
/// `description`, `vnetTrafficTag` and `subnetTrafficTag` change no answer.
const KNOWN_RULE_FIELDS: [&str; 11] = [
    "name",
    "priority",
    "action",
    "ipAddress",
    "subnetMask",
    "tag",
    "vnetSubnetResourceId",
    "headers",
    "description",
    "vnetTrafficTag",
    "subnetTrafficTag",
];

/// `publicNetworkAccess` of a web app.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SiteAccess {
    Enabled,
    Disabled,
}

impl Vocabulary for SiteAccess {
    const VALUES: &'static [(&'static str, Self)] = &[
        ("Enabled", SiteAccess::Enabled),
        ("Disabled", SiteAccess::Disabled),
    ];
}

/// A rule's `tag`: `Default` (an IP or subnet rule), `ServiceTag`, or the legacy `XffProxy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RuleTag {
    Default,
    ServiceTag,
    XffProxy,
}

impl Vocabulary for RuleTag {
    const VALUES: &'static [(&'static str, Self)] = &[
        ("Default", RuleTag::Default),
        ("ServiceTag", RuleTag::ServiceTag),
        ("XffProxy", RuleTag::XffProxy),
    ];
}

/// The site's configuration: its `web` config child's properties if the input has one, else
/// `properties.siteConfig`. `None`: neither.
fn site_config<'v>(cx: &mut Context<'v>, r: &'v Resource) -> Option<Node<'v>> {
    let web = cx
        .children_of(&r.id, "Microsoft.Web/sites/config")
        .into_iter()
        .find(|i| {
            cx.res(*i)
                .is_some_and(|c| c.name.rsplit('/').next() == Some("web"))
        });
    if let Some(i) = web {
        cx.take(i);
        return cx.res(i).map(Resource::props);
    }
    r.props().prop("/siteConfig")
}

/// Whether the rule is Azure's listing of the unmatched-rule action (`ipAddress: "Any"` at the
/// last priority), and with which action.
fn unmatched_pseudo_rule(rule: &Node<'_>) -> Result<Option<Access>, Invalid> {
    let any = rule
        .opt_str("/ipAddress")?
        .is_some_and(|a| a.eq_ignore_ascii_case("Any"));
    if !any {
        return Ok(None);
    }
    let priority = rule.number("/priority", 0..=UNMATCHED_PRIORITY)?;
    if priority != UNMATCHED_PRIORITY {
        return Err(rule.invalid(format!(
            "has `ipAddress: Any` at priority {priority}; Azure writes it only for the unmatched-rule action, at {UNMATCHED_PRIORITY}"
        )));
    }
    Ok(Some(rule.vocab::<Access>("/action")?))
}

/// A prefix from `ipAddress` (and the legacy `subnetMask`).
fn ip_range(rule: &Node<'_>, address: &str) -> Result<String, Invalid> {
    let mask = rule.opt_str("/subnetMask")?;
    let parts: Vec<String> = address
        .split(',')
        .map(str::trim)
        .map(|a| match (a.contains('/'), mask) {
            (true, _) => Ok(a.to_string()),
            (false, None) => Ok(format!("{a}/32")),
            (false, Some(m)) => mask_length(m)
                .map(|len| format!("{a}/{len}"))
                .ok_or_else(|| rule.invalid(format!("has `subnetMask` `{m}`, not a netmask"))),
        })
        .collect::<Result<_, _>>()?;
    Ok(parts.join(","))
}

/// The prefix length of a dotted netmask (`255.255.255.0` → 24).
fn mask_length(mask: &str) -> Option<u32> {
    let m: std::net::Ipv4Addr = mask.parse().ok()?;
    let bits = u32::from(m);
    let len = bits.leading_ones();
    (bits.checked_shl(len).unwrap_or(0) == 0).then_some(len)
}

/// The header filters of a rule: an object of header name to a list of values.
fn headers(rule: &Node<'_>) -> Result<Vec<HeaderFilterDoc>, Invalid> {
    let Some(h) = rule.get("headers") else {
        return Ok(Vec::new());
    };
    let Some(map) = h.value.as_object() else {
        return Err(h.invalid(format!("is {}, not an object", kind_of(h.value))));
    };
    let mut out = Vec::new();
    for (name, values) in map {
        let node = h.get(name).unwrap_or_else(|| h.clone());
        let values = match values {
            Value::Array(a) => a
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(text)
                        .ok_or_else(|| node.invalid("holds a value that is not a string"))
                })
                .collect::<Result<Vec<_>, _>>()?,
            other => return Err(node.invalid(format!("is {}, not an array", kind_of(other)))),
        };
        out.push(HeaderFilterDoc {
            name: text(name.clone()),
            values,
        });
    }
    Ok(out)
}

/// One rule, or why it is left out (`Ok(None)` with a note) or invalid.
fn rule(
    cx: &mut Context<'_>,
    site: &str,
    node: &Node<'_>,
) -> Result<Option<AccessRestrictionDoc>, Invalid> {
    if let Some(map) = node.value.as_object() {
        for key in map.keys() {
            if !KNOWN_RULE_FIELDS.contains(&key.as_str()) {
                cx.skip(
                    format!("`{}/{key}` of web app `{site}`", node.path),
                    "an access restriction field azpath does not know: the rule is imported without it",
                );
            }
        }
    }
    let priority = node.number("/priority", 1..=UNMATCHED_PRIORITY)?;
    let name = node
        .opt_str("/name")?
        .map_or_else(|| format!("rule-{priority}"), str::to_string);
    let action = node.vocab::<Access>("/action")?;
    let tag = node
        .opt_vocab::<RuleTag>("/tag")?
        .unwrap_or(RuleTag::Default);
    let subnet_id = node.opt_str("/vnetSubnetResourceId")?;
    let address = node.opt_str("/ipAddress")?;
    let mut doc = AccessRestrictionDoc {
        name: text(name),
        priority: Spanned::new(u32::try_from(priority).unwrap_or(u32::MAX)),
        action,
        ip: None,
        service_tag: None,
        subnet: None,
        headers: headers(node)?,
    };
    match (tag, subnet_id, address) {
        (RuleTag::XffProxy, _, _) => {
            cx.skip(
                format!("`{}` of web app `{site}`", node.path),
                "an `XffProxy` rule (matched on X-Forwarded-For), which azpath does not model",
            );
            return Ok(None);
        }
        (_, Some(id), _) => match cx.subnet_name(id) {
            Some(subnet) => doc.subnet = Some(text(subnet)),
            None => {
                cx.skip(
                    format!("`{}` of web app `{site}`", node.path),
                    format!("its subnet {id} is not in an imported VNet"),
                );
                return Ok(None);
            }
        },
        (RuleTag::ServiceTag, None, Some(tags)) => {
            for t in tags.split(',') {
                cx.address(t);
            }
            doc.service_tag = Some(text(tags));
        }
        (RuleTag::Default, None, Some(a)) if a.trim().eq_ignore_ascii_case("AnyVnets") => {
            doc.ip = Some(text("AnyVnets"));
        }
        (RuleTag::Default, None, Some(a)) if a.contains(':') => {
            cx.skip(
                format!("`{}` of web app `{site}`", node.path),
                "IPv6, which azpath does not model (IPv4 only)",
            );
            return Ok(None);
        }
        (RuleTag::Default, None, Some(a)) => doc.ip = Some(text(ip_range(node, a)?)),
        (_, None, None) => {
            return Err(node.missing(
                "/ipAddress",
                "an address range, a service tag or `vnetSubnetResourceId`",
            ))
        }
    }
    Ok(Some(doc))
}

/// The main site's access restrictions, `None` when the site has none and no default action.
fn restrictions(
    cx: &mut Context<'_>,
    site: &str,
    config: &Node<'_>,
) -> Result<Option<AccessRestrictionsDoc>, Invalid> {
    restrictions_at(
        cx,
        site,
        config,
        "/ipSecurityRestrictions",
        "/ipSecurityRestrictionsDefaultAction",
    )
}

/// One site's access restrictions from its rule list at `list` and its unmatched-rule action at
/// `default_action`, `None` when the site has none and no default action.
fn restrictions_at(
    cx: &mut Context<'_>,
    site: &str,
    config: &Node<'_>,
    list: &str,
    default_action: &str,
) -> Result<Option<AccessRestrictionsDoc>, Invalid> {
    let explicit = config.opt_vocab::<Access>(default_action)?;
    let mut listed = None;
    let mut rules = Vec::new();
    let mut read = 0_usize;
    for n in config.items(list)? {
        if let Some(action) = unmatched_pseudo_rule(&n)? {
            // Azure lists the unmatched-rule action as this last rule.
            listed = Some(action);
            continue;
        }
        read += 1;
        if let Some(r) = rule(cx, site, &n)? {
            rules.push(r);
        }
    }
    // "Allow all" alone is what Azure prints for a site that restricts nothing.
    if read == 0 && explicit.is_none() && listed != Some(Access::Deny) {
        return Ok(None);
    }
    // Once a rule exists the unmatched action is Deny; that holds for the rules Azure has, so
    // it is written out when some were left out here and the action is not given, lest the
    // rules kept (perhaps none) turn the site open.
    let unmatched = explicit
        .or(listed)
        .or((read > rules.len()).then_some(Access::Deny));
    Ok(Some(AccessRestrictionsDoc {
        rules,
        unmatched_action: unmatched,
        headers_present: None,
    }))
}

/// A site whose input holds no access restriction list (no `config/web` child, and
/// `siteConfig.ipSecurityRestrictions` absent or null, as a site read back from Azure shows
/// it): taken as restricting nothing, and said so, since the list may live in a part of the
/// estate the input does not hold.
fn restrictions_not_in_input(cx: &mut Context<'_>, site: &str) {
    cx.skip(
        format!("access restrictions of web app `{site}`"),
        "the input holds no `ipSecurityRestrictions` (no `config/web` child, none in `siteConfig`), so the main site is taken as restricting nothing; add the `config/web` resource to import them",
    );
}

/// The scm site's counterpart of [`restrictions_not_in_input`]: neither its own list nor
/// `scmIpSecurityRestrictionsUseMain` is in the input, so it is taken as restricting nothing.
fn scm_restrictions_not_in_input(cx: &mut Context<'_>, site: &str) {
    cx.skip(
        format!("restrictions of the advanced tools (scm) site of web app `{site}`"),
        "the input holds neither `scmIpSecurityRestrictions` nor `scmIpSecurityRestrictionsUseMain`, so the scm site is taken as restricting nothing; add the `config/web` resource to import them",
    );
}

/// The advanced tools (scm) site's settings: `scmIpSecurityRestrictionsUseMain` (then its own
/// list is not evaluated, and listed as left out if it says anything), else its own rules and
/// unmatched-rule action read like the main site's.
fn scm(
    cx: &mut Context<'_>,
    site: &str,
    config: &Node<'_>,
) -> Result<(Option<AccessRestrictionsDoc>, bool), Invalid> {
    if config.opt_bool("/scmIpSecurityRestrictionsUseMain")? == Some(true) {
        for n in config.items("/scmIpSecurityRestrictions")? {
            if unmatched_pseudo_rule(&n)? != Some(Access::Allow) {
                cx.skip(
                    format!("`{}` of web app `{site}`", n.path),
                    "not evaluated: `scmIpSecurityRestrictionsUseMain` gives the advanced tools site the main site's rules",
                );
            }
        }
        return Ok((None, true));
    }
    let own = restrictions_at(
        cx,
        site,
        config,
        "/scmIpSecurityRestrictions",
        "/scmIpSecurityRestrictionsDefaultAction",
    )?;
    Ok((own, false))
}

/// Reads the site's inbound access settings onto the service that stands for it: the one its
/// private endpoints reach, or a new `WebApp` service when the site restricts access.
pub(super) fn import<'v>(cx: &mut Context<'v>, r: &'v Resource) {
    if let Err(e) = site(cx, r) {
        cx.invalid(None, format!("access settings of web app {}", r.id), &e);
    }
}

fn site<'v>(cx: &mut Context<'v>, r: &'v Resource) -> Result<(), Invalid> {
    let props = r.props();
    let config = site_config(cx, r);
    let access = match props.opt_vocab::<SiteAccess>("/publicNetworkAccess")? {
        Some(a) => Some(a),
        None => match &config {
            Some(c) => c.opt_vocab::<SiteAccess>("/publicNetworkAccess")?,
            None => None,
        },
    };
    let (restrictions, (scm_restrictions, scm_use_main)) = match &config {
        Some(c) => {
            if c.get("ipSecurityRestrictions").is_none() {
                restrictions_not_in_input(cx, &r.name);
            }
            if c.get("scmIpSecurityRestrictions").is_none()
                && c.get("scmIpSecurityRestrictionsUseMain").is_none()
            {
                scm_restrictions_not_in_input(cx, &r.name);
            }
            (restrictions(cx, &r.name, c)?, scm(cx, &r.name, c)?)
        }
        None => {
            restrictions_not_in_input(cx, &r.name);
            scm_restrictions_not_in_input(cx, &r.name);
            (None, (None, false))
        }
    };
    let scm_use_main_restrictions = scm_use_main.then(|| Spanned::new(true));
    let key = (r.id.to_lowercase(), "sites".to_string());
    let existing = cx.service_by_sub_resource.get(&key).cloned();
    let public_network_access = access.map(|a| match a {
        SiteAccess::Enabled => PublicAccessDoc::Enabled,
        SiteAccess::Disabled => PublicAccessDoc::Disabled,
    });
    if let Some(name) = existing {
        if let Some(s) = cx.doc.services.iter_mut().find(|s| s.name.value == name) {
            s.access_restrictions = restrictions;
            s.scm_access_restrictions = scm_restrictions;
            s.scm_use_main_restrictions = scm_use_main_restrictions;
            // The site's own setting, which may be in `siteConfig` only; unset stays unset,
            // so that a private endpoint closes the app as Azure does.
            s.public_network_access = public_network_access;
        }
        return Ok(());
    }
    if restrictions.is_none()
        && public_network_access.is_none()
        && scm_restrictions.is_none()
        && scm_use_main_restrictions.is_none()
    {
        return Ok(());
    }
    let host = props.opt_str("/defaultHostName")?.map_or_else(
        || format!("{}.azurewebsites.net", r.name),
        str::to_lowercase,
    );
    if !host.ends_with(".azurewebsites.net") {
        cx.skip(
            format!("access settings of web app {}", r.id),
            format!("its host name `{host}` is not under azurewebsites.net (an App Service Environment app), which azpath does not model"),
        );
        return Ok(());
    }
    let mut name = r.name.clone();
    if cx.is_service(&name) {
        name = format!("{name}-site");
    }
    cx.add_service(&name);
    cx.service_by_sub_resource.insert(key, name.clone());
    cx.comment(Section::Service, &name, r.id.clone());
    cx.comment(
        Section::Service,
        &name,
        "its public IP is not in the input: a placeholder address stands for it",
    );
    cx.doc.services.push(ServiceDoc {
        name: text(name),
        kind: ServiceKind::WebApp,
        fqdn: text(host),
        public_ip: None,
        public_network_access,
        certificate_names: Vec::new(),
        private_endpoints_elsewhere: false,
        access_restrictions: restrictions,
        scm_access_restrictions: scm_restrictions,
        scm_use_main_restrictions,
        secure_transfer_required: None,
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::mask_length;

    #[test]
    fn a_legacy_subnet_mask_is_a_prefix_length() {
        assert_eq!(mask_length("255.255.255.0"), Some(24));
        assert_eq!(mask_length("255.255.255.255"), Some(32));
        assert_eq!(mask_length("0.0.0.0"), Some(0));
        assert_eq!(mask_length("255.0.255.0"), None);
        assert_eq!(mask_length("nope"), None);
    }
}
