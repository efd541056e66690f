//! A web app's advanced tools site (scm, Kudu): its name, its privatelink name and which access
//! restrictions guard it.
//!
//! "Azure App Service access restrictions"
//! (<https://learn.microsoft.com/azure/app-service/overview-access-restrictions>): "For any
//! app, you have both the main site and the advanced tools site (also known as scm or kudu
//! site)"; "The advanced tools site ... has an individual rules collection that you can
//! configure. You can also configure the unmatched rule for this site. A setting allows you to
//! use the rules configured for the main site." App access (`publicNetworkAccess`) is evaluated
//! before either site's rules, so it covers both; traffic through a private endpoint meets
//! neither.
//!
//! "Use private endpoints for Azure App Service apps"
//! (<https://learn.microsoft.com/azure/app-service/overview-private-endpoint>): for the Kudu
//! console or REST API through a private endpoint "you must create two records pointing to the
//! private endpoint IP": `mywebapp.privatelink.azurewebsites.net` and
//! `mywebapp.scm.privatelink.azurewebsites.net`.

use super::{AccessRestrictions, Service, ServiceKind};

/// The label App Service puts after an app's own label to name its advanced tools site.
pub const SCM_LABEL: &str = "scm";

/// Which access restrictions guard a web app's advanced tools site.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ScmRestrictions {
    /// Its own rules collection and unmatched-rule action (`None`: it restricts nothing).
    Own(Option<AccessRestrictions>),
    /// `scmIpSecurityRestrictionsUseMain`: the main site's rules and unmatched-rule action.
    UseMain,
    /// Not a web app: there is no advanced tools site.
    #[default]
    NoSite,
}

/// The advanced tools site's name for a web app whose FQDN is `fqdn`: `.scm` after its first
/// label (`mywebapp.azurewebsites.net` → `mywebapp.scm.azurewebsites.net`). `None`: not a
/// web app, or the FQDN has no first label.
pub fn scm_name(kind: ServiceKind, fqdn: &str) -> Option<String> {
    if kind != ServiceKind::WebApp {
        return None;
    }
    let (label, rest) = fqdn.split_once('.')?;
    (!label.is_empty() && !rest.is_empty()).then(|| format!("{label}.{SCM_LABEL}.{rest}"))
}

impl Service {
    /// Whether `name` is its advanced tools site's name.
    pub fn is_scm_name(&self, name: &str) -> bool {
        let name = name.trim_end_matches('.');
        self.scm_fqdn
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case(name))
    }

    /// Whether `name` is one of its names: a public one or its advanced tools site's.
    pub fn answers_any(&self, name: &str) -> bool {
        self.answers(name) || self.is_scm_name(name)
    }

    /// The advanced tools site's privatelink name, the record Azure registers beside the
    /// app's: `mywebapp.scm.privatelink.azurewebsites.net`.
    pub fn scm_privatelink_name(&self) -> Option<String> {
        self.scm_fqdn.as_ref()?;
        let label = self.fqdn.split('.').next().filter(|l| !l.is_empty())?;
        Some(format!("{label}.{SCM_LABEL}.{}", self.kind.private_zone()))
    }

    /// The access restrictions a public request for `name` meets: the advanced tools site's
    /// (or the main site's, when it uses them) for the scm name, else the main site's.
    /// `None`: that site restricts nothing.
    pub fn restrictions_for(&self, name: &str) -> Option<&AccessRestrictions> {
        if !self.is_scm_name(name) {
            return self.access_restrictions.as_ref();
        }
        match &self.scm_restrictions {
            ScmRestrictions::Own(r) => r.as_ref(),
            ScmRestrictions::UseMain => self.access_restrictions.as_ref(),
            ScmRestrictions::NoSite => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_advanced_tools_site_is_named_scm_after_the_apps_own_label() {
        assert_eq!(
            scm_name(ServiceKind::WebApp, "mywebapp.azurewebsites.net").as_deref(),
            Some("mywebapp.scm.azurewebsites.net")
        );
        assert_eq!(
            scm_name(ServiceKind::StorageBlob, "acct.blob.core.windows.net"),
            None
        );
        assert_eq!(scm_name(ServiceKind::WebApp, "nodot"), None);
    }
}
