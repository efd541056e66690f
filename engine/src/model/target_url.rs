//! A destination written as a URL, as users copy it from their code or portal
//! (`https://name.openai.azure.com/openai/deployments/x`): the host is the name the client
//! resolves and asks for, the port is the URL's or its scheme's default (`https` 443, `http` 80),
//! and the path and query are kept as a note — they are part of the request, not of the flow.

use serde::Serialize;

/// A URL read as a flow destination.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct UrlTarget {
    /// The host: a name or an address (IPv6 with brackets).
    pub host: String,
    /// The port: the URL's, else the scheme's default.
    pub port: u16,
    /// The path and query, when the URL has more than `/`.
    pub path: Option<String>,
}

impl UrlTarget {
    /// `host:port`, as the destination parsers read it.
    pub fn destination(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

/// `text` as a URL destination: `None` when it is not a URL (no `scheme://`), `Err` with why
/// when it is one azpath cannot trace.
pub fn parse_url_target(text: &str) -> Option<Result<UrlTarget, String>> {
    if !text.contains("://") {
        return None;
    }
    Some(parse(text))
}

fn parse(text: &str) -> Result<UrlTarget, String> {
    let url = url::Url::parse(text).map_err(|e| format!("`{text}` is not a URL: {e}"))?;
    let host = match url.host() {
        Some(url::Host::Domain(d)) => d.to_string(),
        Some(url::Host::Ipv4(a)) => a.to_string(),
        Some(url::Host::Ipv6(a)) => format!("[{a}]"),
        None => return Err(format!("`{text}` names no host")),
    };
    let port = url.port_or_known_default().ok_or_else(|| {
        format!(
            "`{text}`: scheme `{}` has no default port (hint: write the port, `{}://{host}:PORT`)",
            url.scheme(),
            url.scheme()
        )
    })?;
    let mut path = url.path().to_string();
    if let Some(q) = url.query() {
        path = format!("{path}?{q}");
    }
    Ok(UrlTarget {
        host,
        port,
        path: (path != "/" && !path.is_empty()).then_some(path),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_https_url_is_its_host_on_443_with_the_path_kept_as_a_note() {
        let t =
            parse_url_target("https://name.openai.azure.com/openai/deployments/x?api-version=1")
                .unwrap()
                .unwrap();
        assert_eq!(t.host, "name.openai.azure.com");
        assert_eq!(t.port, 443);
        assert_eq!(
            t.path.as_deref(),
            Some("/openai/deployments/x?api-version=1")
        );
        assert_eq!(t.destination(), "name.openai.azure.com:443");
    }

    #[test]
    fn an_http_url_is_port_80_and_an_explicit_port_wins() {
        let t = parse_url_target("http://app.contoso.com/")
            .unwrap()
            .unwrap();
        assert_eq!((t.port, t.path), (80, None));
        let t = parse_url_target("https://10.0.2.4:8443").unwrap().unwrap();
        assert_eq!((t.host.as_str(), t.port), ("10.0.2.4", 8443));
    }

    #[test]
    fn a_name_or_host_port_is_not_a_url_and_a_scheme_without_default_is_refused() {
        assert!(parse_url_target("name.openai.azure.com:443").is_none());
        let e = parse_url_target("foo://host/x").unwrap().unwrap_err();
        assert!(e.contains("no default port"), "{e}");
    }
}
