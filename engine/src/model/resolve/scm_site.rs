//! A web app's advanced tools (scm) site as written: its own access restrictions, or the main
//! site's (`scmIpSecurityRestrictionsUseMain`), checked like the main site's
//! (<https://learn.microsoft.com/azure/app-service/overview-access-restrictions>, "Restrict
//! access to the advanced tools site").

use super::Resolver;
use crate::model::ScmRestrictions;
use crate::scenario::{self as doc};

impl Resolver {
    /// Which restrictions guard the service's advanced tools site; scm settings on a service
    /// that is no web app, or both the site's own rules and use-main, are refused.
    pub(super) fn scm_restrictions(&mut self, s: &doc::ServiceDoc) -> ScmRestrictions {
        let use_main = s.scm_use_main_restrictions.as_ref();
        if s.kind != doc::ServiceKind::WebApp {
            if s.scm_access_restrictions.is_some() || use_main.is_some() {
                self.error(
                    s.name.span,
                    format!(
                        "service `{}` is {:?}, and only App Service web apps have an advanced tools (scm) site",
                        s.name.value, s.kind
                    ),
                    Some("remove `scm_access_restrictions` and `scm_use_main_restrictions`".into()),
                );
            }
            return ScmRestrictions::NoSite;
        }
        match (use_main, &s.scm_access_restrictions) {
            (Some(u), Some(_)) if u.value => {
                self.error(
                    u.span,
                    format!(
                        "web app `{}` sets `scm_use_main_restrictions: true` and its own `scm_access_restrictions`",
                        s.name.value
                    ),
                    Some("while the scm site uses the main site's rules its own are not evaluated: remove one of the two".into()),
                );
                ScmRestrictions::UseMain
            }
            (Some(u), None) if u.value => ScmRestrictions::UseMain,
            (_, Some(ar)) => ScmRestrictions::Own(Some(self.site_restrictions(ar))),
            (_, None) => ScmRestrictions::Own(None),
        }
    }
}
