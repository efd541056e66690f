//! Diagnosis from what the client saw: the user brings a symptom (an error string such as
//! `APIConnectionError`, `SSL_ERROR_SYSCALL`, a timeout, a 403, NXDOMAIN), and the scenario's
//! flows (or one given flow) are traced to find which of them produce it and why.
//!
//! A reported symptom is read into the closed vocabulary of [`SymptomName`] — the symptoms a
//! trace models — with how well each fits ([`Fit`]): an SDK's `APIConnectionError` is what every
//! failure before an HTTP answer looks like, a `403` is a service refusing the caller, and a
//! `401` is no network failure at all (the service answered). Causes are then ranked from the
//! flows that produce a fitting symptom, best fit first. When the flow asked about produces a
//! different symptom than the one reported, that disagreement is itself the finding
//! ([`Mismatch`]): either the model is not the network the client runs in, or the failure lies
//! outside what azpath models ([`Outside`]).

use serde::Serialize;

use super::diagnose::{diagnose, CheckStep, Evidence, Status};
use super::flow::FlowSpec;
use super::whatif::{every_flow, question_flows, too_many_flows};
use crate::scenario::{SymptomName, VerdictName};
use crate::trace::Symptom;
use crate::Loaded;

/// What a reported symptom is read as: one family of client-side errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
pub enum Family {
    /// The connect (or the whole request) times out: `ETIMEDOUT`, `ConnectTimeout`.
    Timeout,
    /// The TLS handshake is cut off: connection reset, `SSL_ERROR_SYSCALL`, `EOF occurred in
    /// violation of protocol`.
    TlsCutOff,
    /// An SDK's generic connection failure (OpenAI's `APIConnectionError`, httpx's
    /// `ConnectError`): any failure before an HTTP answer.
    ConnectionError,
    /// The connection is refused (`ECONNREFUSED`): a TCP reset answers the SYN.
    Refused,
    /// HTTP 403 from the service.
    Forbidden,
    /// HTTP 401 from the service: the request arrived and was answered.
    Unauthorized,
    /// HTTP 470 from Azure Firewall.
    FirewallHttp470,
    /// HTTP 503, API Management unavailable.
    Unavailable,
    /// The name does not exist: NXDOMAIN, `ENOTFOUND`, `Name or service not known`.
    NxDomain,
    /// The lookup fails or times out: SERVFAIL, `EAI_AGAIN`, `Temporary failure in name
    /// resolution`.
    DnsFailure,
    /// The certificate does not match the name: `CERTIFICATE_VERIFY_FAILED`.
    Certificate,
    /// Works sometimes, fails other times.
    Intermittent,
    /// Works.
    Works,
    /// One of the modelled symptoms, by its name.
    Exactly(SymptomName),
}

/// How well a modelled symptom fits a reported one.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
pub enum Fit {
    /// The modelled symptom is what the client reports.
    Exact,
    /// The client can report the modelled symptom this way (a timeout that ends in a reset, a
    /// lookup failure shown as "name not found").
    Possible,
    /// The flow leaves the model (for the Internet, on-premises, a service endpoint): what the
    /// client sees depends on what is there, so any failure can come from beyond.
    Beyond,
}

/// A modelled symptom consistent with the reported one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Consistent {
    /// The modelled symptom.
    pub symptom: SymptomName,
    /// How well it fits.
    pub fit: Fit,
}

/// A cause the model cannot see, which can produce the reported symptom on its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub enum Outside {
    /// The request arrived and the service refused the credential (key, token, role).
    Credentials,
    /// The destination host answered with a TCP reset: nothing listens on the port (no Azure
    /// NSG or Azure Firewall network rule answers a denied SYN; they drop it).
    NothingListens,
    /// The client calls another name or URL than the one traced (an SDK's endpoint setting,
    /// `AZURE_OPENAI_ENDPOINT`, a base URL with the public name).
    ClientCallsAnotherName,
    /// The client resolves through something the scenario does not model (a hosts file, a
    /// resolver of its own, a cached answer).
    ClientResolvesElsewhere,
    /// The service itself (throttling, load, an outage), after the network delivered.
    ServiceSide,
    /// A device's load, flow timeouts or SNAT port exhaustion on a long path, which a
    /// deterministic model shows only as the path's shape.
    PathUnderLoad,
}

/// The reported symptom as read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Reported {
    /// What was given, as given.
    pub given: String,
    /// What it is read as.
    pub family: Family,
    /// The modelled symptoms consistent with it, best fit first.
    pub consistent: Vec<Consistent>,
    /// Whether (and how well) a delivered flow over a fragile path (across regions, through
    /// stateful devices) fits: the field reports such paths as intermittent, and their failures
    /// as timeouts and TLS handshakes cut off (`None`: it does not fit).
    pub fragile_paths: Option<Fit>,
    /// Causes beyond the model that produce it too.
    pub outside: Vec<Outside>,
}

/// Why a reported symptom was not understood.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown symptom `{given}` (hint: {hint})")]
pub struct UnknownSymptom {
    /// What was given.
    pub given: String,
    /// The likely intended word, or the words known.
    pub hint: String,
}

/// Every modelled symptom, by name (a test checks this against the schema's list).
pub const SYMPTOM_NAMES: [SymptomName; 20] = [
    SymptomName::Connected,
    SymptomName::ConnectTimeout,
    SymptomName::FirewallHttp470,
    SymptomName::TlsHandshakeReset,
    SymptomName::ReplyOnlyTimeout,
    SymptomName::HandshakeStalls,
    SymptomName::LeavesForInternet,
    SymptomName::LeavesForOnPremises,
    SymptomName::ReachesServiceEndpoint,
    SymptomName::NxDomain,
    SymptomName::DnsTimeout,
    SymptomName::DnsLoop,
    SymptomName::CertificateNameMismatch,
    SymptomName::PublicAccessDisabled,
    SymptomName::ServiceFirewallDenied,
    SymptomName::ConnectedPublicly,
    SymptomName::HostNotServed,
    SymptomName::ServiceUnavailable,
    SymptomName::ConnectionRefused,
    SymptomName::SecureTransferRequired,
];

/// The short words `--symptom` takes, each with its family (the first spelling of each family
/// is the one hints show).
pub const WORDS: [(&str, Family); 16] = [
    ("timeout", Family::Timeout),
    ("reset", Family::TlsCutOff),
    ("tls-eof", Family::TlsCutOff),
    ("api-connection-error", Family::ConnectionError),
    ("refused", Family::Refused),
    ("403", Family::Forbidden),
    ("401", Family::Unauthorized),
    ("470", Family::FirewallHttp470),
    ("503", Family::Unavailable),
    ("nxdomain", Family::NxDomain),
    ("servfail", Family::DnsFailure),
    ("certificate", Family::Certificate),
    ("intermittent", Family::Intermittent),
    ("works", Family::Works),
    ("forbidden", Family::Forbidden),
    ("unauthorized", Family::Unauthorized),
];

/// Markers of common error strings, in the order they are looked for (specific first), each
/// normalised as [`normal`] does.
const MARKERS: [(&str, Family); 34] = [
    ("apiconnectionerror", Family::ConnectionError),
    ("apitimeouterror", Family::Timeout),
    ("sslerrorsyscall", Family::TlsCutOff),
    ("eofoccurredinviolationofprotocol", Family::TlsCutOff),
    ("unexpectedeof", Family::TlsCutOff),
    ("econnreset", Family::TlsCutOff),
    ("connectionreset", Family::TlsCutOff),
    ("connectionwasforciblyclosed", Family::TlsCutOff),
    ("handshakefailure", Family::TlsCutOff),
    ("certificateverifyfailed", Family::Certificate),
    ("remotecertificatenamemismatch", Family::Certificate),
    ("hostnamemismatch", Family::Certificate),
    ("doesntmatch", Family::Certificate),
    ("econnrefused", Family::Refused),
    ("connectionrefused", Family::Refused),
    ("actively refused", Family::Refused),
    ("enotfound", Family::NxDomain),
    ("nameorservicenotknown", Family::NxDomain),
    ("nosuchhostisknown", Family::NxDomain),
    ("couldnotresolvehost", Family::NxDomain),
    ("eainoname", Family::NxDomain),
    ("nodename", Family::NxDomain),
    ("eaiagain", Family::DnsFailure),
    ("temporaryfailureinnameresolution", Family::DnsFailure),
    ("etimedout", Family::Timeout),
    ("timedout", Family::Timeout),
    ("connecterror", Family::ConnectionError),
    ("connectionerror", Family::ConnectionError),
    ("403", Family::Forbidden),
    ("forbiddenby", Family::Forbidden),
    ("authorizationfailure", Family::Forbidden),
    ("publicaccessisdisabled", Family::Forbidden),
    ("401", Family::Unauthorized),
    ("503", Family::Unavailable),
];

/// Lower case, letters and digits only: how words and markers are compared.
fn normal(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// A modelled symptom's name as `--symptom` takes it (kebab case: `connect-timeout`).
pub fn symptom_word(name: SymptomName) -> String {
    let debug = format!("{name:?}");
    let mut out = String::new();
    for (i, c) in debug.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('-');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// Reads what the client saw: a short word ([`WORDS`]), a modelled symptom's name
/// (`ConnectTimeout`, `connect-timeout`), or a common error string containing a known marker
/// (`openai.APIConnectionError: Connection error.`); anything else is refused with the likely
/// intended word.
pub fn read(given: &str) -> Result<Reported, UnknownSymptom> {
    let n = normal(given);
    let family = WORDS
        .iter()
        .find(|(w, _)| normal(w) == n)
        .map(|(_, f)| *f)
        .or_else(|| {
            SYMPTOM_NAMES
                .iter()
                .find(|s| normal(&format!("{s:?}")) == n)
                .map(|s| Family::Exactly(*s))
        })
        .or_else(|| {
            MARKERS
                .iter()
                .find(|(m, _)| !n.is_empty() && n.contains(&normal(m)))
                .map(|(_, f)| *f)
        });
    match family {
        Some(family) => Ok(reported(given, family)),
        None => {
            let words: Vec<String> = WORDS
                .iter()
                .map(|(w, _)| (*w).to_string())
                .chain(SYMPTOM_NAMES.iter().map(|s| symptom_word(*s)))
                .collect();
            Err(UnknownSymptom {
                given: given.to_string(),
                hint: crate::diag::unknown_name_hint(
                    given,
                    words.iter().map(String::as_str),
                    "symptom",
                ),
            })
        }
    }
}

/// The reading of `family`: which modelled symptoms fit it, and what beyond the model does.
pub fn reported(given: &str, family: Family) -> Reported {
    use SymptomName as S;
    let exact = |s: &[S]| s.iter().map(|s| (*s, Fit::Exact)).collect::<Vec<_>>();
    let possible = |s: &[S]| s.iter().map(|s| (*s, Fit::Possible)).collect::<Vec<_>>();
    let (mut fits, outside): (Vec<(S, Fit)>, Vec<Outside>) = match family {
        Family::Timeout => (
            [
                exact(&[S::ConnectTimeout, S::ReplyOnlyTimeout, S::DnsTimeout]),
                possible(&[S::HandshakeStalls, S::DnsLoop]),
            ]
            .concat(),
            vec![Outside::ServiceSide, Outside::PathUnderLoad],
        ),
        Family::TlsCutOff => (
            exact(&[S::TlsHandshakeReset, S::HandshakeStalls]),
            vec![Outside::PathUnderLoad],
        ),
        Family::ConnectionError => (
            [
                exact(&[
                    S::ConnectTimeout,
                    S::ReplyOnlyTimeout,
                    S::TlsHandshakeReset,
                    S::HandshakeStalls,
                    S::NxDomain,
                    S::DnsTimeout,
                    S::DnsLoop,
                    S::CertificateNameMismatch,
                    S::ConnectionRefused,
                ]),
                possible(&[S::FirewallHttp470]),
            ]
            .concat(),
            vec![Outside::NothingListens, Outside::PathUnderLoad],
        ),
        Family::Refused => (
            [
                exact(&[S::ConnectionRefused]),
                possible(&[S::TlsHandshakeReset]),
            ]
            .concat(),
            vec![Outside::NothingListens],
        ),
        Family::Forbidden => (
            exact(&[S::PublicAccessDisabled, S::ServiceFirewallDenied]),
            vec![Outside::Credentials, Outside::ClientCallsAnotherName],
        ),
        Family::Unauthorized => (
            possible(&[S::Connected, S::ConnectedPublicly]),
            vec![Outside::Credentials, Outside::ClientCallsAnotherName],
        ),
        Family::FirewallHttp470 => (exact(&[S::FirewallHttp470]), Vec::new()),
        Family::Unavailable => (
            [
                exact(&[S::ServiceUnavailable]),
                possible(&[S::HostNotServed]),
            ]
            .concat(),
            vec![Outside::ServiceSide],
        ),
        Family::NxDomain => (
            [exact(&[S::NxDomain]), possible(&[S::DnsLoop])].concat(),
            vec![
                Outside::ClientCallsAnotherName,
                Outside::ClientResolvesElsewhere,
            ],
        ),
        Family::DnsFailure => (
            [
                exact(&[S::DnsTimeout, S::DnsLoop]),
                possible(&[S::NxDomain]),
            ]
            .concat(),
            vec![Outside::ClientResolvesElsewhere],
        ),
        Family::Certificate => (
            exact(&[S::CertificateNameMismatch]),
            vec![Outside::ClientCallsAnotherName],
        ),
        Family::Intermittent => (
            [
                exact(&[S::HandshakeStalls, S::ReplyOnlyTimeout]),
                possible(&[S::TlsHandshakeReset]),
            ]
            .concat(),
            vec![Outside::PathUnderLoad, Outside::ServiceSide],
        ),
        Family::Works => (exact(&[S::Connected, S::ConnectedPublicly]), Vec::new()),
        Family::Exactly(s) => (exact(&[s]), Vec::new()),
    };
    let leaves_model = !matches!(
        family,
        Family::Works
            | Family::Exactly(_)
            | Family::NxDomain
            | Family::DnsFailure
            | Family::Unauthorized
    );
    if leaves_model {
        for s in [
            S::LeavesForInternet,
            S::LeavesForOnPremises,
            S::ReachesServiceEndpoint,
        ] {
            fits.push((s, Fit::Beyond));
        }
    }
    Reported {
        given: given.to_string(),
        family,
        consistent: fits
            .into_iter()
            .map(|(symptom, fit)| Consistent { symptom, fit })
            .collect(),
        fragile_paths: match family {
            Family::Intermittent => Some(Fit::Exact),
            Family::Timeout | Family::TlsCutOff | Family::ConnectionError => Some(Fit::Possible),
            _ => None,
        },
        outside,
    }
}

impl Reported {
    /// How well a flow's modelled outcome fits: by its symptom, or (for an intermittent report)
    /// by a delivered path of the shape the field reports as intermittent.
    pub fn fit(&self, symptom: &Symptom, fragile: bool) -> Option<(Fit, Through)> {
        let kind = symptom.kind();
        let by_symptom = self
            .consistent
            .iter()
            .find(|c| c.symptom == kind)
            .map(|c| (c.fit, Through::Symptom));
        let by_shape = self
            .fragile_paths
            .filter(|_| fragile)
            .map(|fit| (fit, Through::FragilePath));
        match (by_symptom, by_shape) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// How a flow produces the reported symptom.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
pub enum Through {
    /// Its modelled symptom fits.
    Symptom,
    /// It is delivered over a fragile path (across regions, through stateful devices).
    FragilePath,
}

/// A flow that produces the reported symptom.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Producing {
    /// The flow.
    pub flow: FlowSpec,
    /// What its client sees, as modelled.
    pub symptom: Symptom,
    /// Its verdict, by name.
    pub verdict: VerdictName,
    /// How well it fits the report.
    pub fit: Fit,
    /// How it produces it.
    pub through: Through,
    /// The checklist step that explains it (`None`: no step fails or warns).
    pub step: Option<CheckStep>,
    /// What the trace shows at that step.
    pub evidence: Option<Evidence>,
}

/// One cause of the reported symptom: flows that produce it the same way.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Cause {
    /// How well it fits.
    pub fit: Fit,
    /// The checklist step at fault (`None`: none fails; the verdict itself is the cause).
    pub step: Option<CheckStep>,
    /// The verdict, by name.
    pub verdict: VerdictName,
    /// The flows it explains, in the order examined.
    pub flows: Vec<FlowSpec>,
    /// The first flow's evidence at that step.
    pub evidence: Option<Evidence>,
}

/// The reported symptom and the model disagree.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[serde(tag = "mismatch")]
pub enum Mismatch {
    /// The flow asked about produces another symptom than the one reported.
    FlowDisagrees {
        /// The flow.
        flow: FlowSpec,
        /// What the model says its client sees.
        modelled: Symptom,
        /// Its verdict, by name.
        verdict: VerdictName,
    },
    /// No flow examined produces the reported symptom.
    NoFlowProduces {
        /// How many flows were examined.
        examined: usize,
    },
}

/// What `diagnose --symptom` answers.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct SymptomDiagnosis {
    /// The reported symptom, as read.
    pub reported: Reported,
    /// The flow asked about (`None`: every flow of the scenario was examined).
    pub flow: Option<FlowSpec>,
    /// How many flows were traced.
    pub flows_examined: usize,
    /// Whether the every-client-to-every-endpoint flows were left out (more than
    /// [`BLAST_RADIUS_LIMIT`](super::whatif::BLAST_RADIUS_LIMIT) traces), so only the questions' flows were examined.
    pub estate_left_out: bool,
    /// The flows that produce the reported symptom, best fit first.
    pub producing: Vec<Producing>,
    /// The causes, ranked: best fit first, then the most flows, then the checklist's order.
    pub causes: Vec<Cause>,
    /// When the model disagrees with the report: the finding, never ignored.
    pub mismatch: Option<Mismatch>,
    /// When the flow asked about disagrees: other flows of the same client, or to the same
    /// destination, that do produce the symptom (the client may not be making the flow traced).
    pub nearby: Vec<Producing>,
}

impl SymptomDiagnosis {
    /// Whether something needs fixing: a flow produces the reported failure, or the model
    /// disagrees with the report (a mismatch is a finding, never a pass).
    pub fn needs_fix(&self) -> bool {
        let failure = !matches!(self.reported.family, Family::Works);
        self.mismatch.is_some() || (failure && !self.producing.is_empty())
    }
}

/// Traces `flow` (or, without one, every flow of the scenario's questions and every client to
/// every private endpoint and service) and reads each against `reported`. `None` when the
/// given flow's client is not in the scenario.
pub fn diagnose_symptom(
    loaded: &Loaded,
    reported: Reported,
    flow: Option<&FlowSpec>,
) -> Option<SymptomDiagnosis> {
    let net = &loaded.network;
    let estate_left_out = flow.is_none() && too_many_flows(net);
    let flows: Vec<FlowSpec> = match flow {
        Some(f) => vec![f.clone()],
        None => {
            let mut all = question_flows(&loaded.document);
            if !estate_left_out {
                all.extend(every_flow(net));
            }
            all.into_iter().collect()
        }
    };
    let mut examined = 0;
    let mut producing = Vec::new();
    let mut mismatch = None;
    for f in &flows {
        let Some(d) = diagnose(net, loaded.dataplane(), f) else {
            if flow.is_some() {
                return None;
            }
            continue;
        };
        examined += 1;
        let root = d.root_cause.as_ref();
        let fragile =
            root.is_some_and(|r| r.step == CheckStep::PathQuality && r.status == Status::Warn);
        match reported.fit(&d.trace.symptom, fragile) {
            Some((fit, through)) => producing.push(Producing {
                flow: f.clone(),
                symptom: d.trace.symptom.clone(),
                verdict: d.verdict.kind(),
                fit,
                through,
                step: root.map(|r| r.step),
                evidence: root.map(|r| r.evidence.clone()),
            }),
            None if flow.is_some() => {
                mismatch = Some(Mismatch::FlowDisagrees {
                    flow: f.clone(),
                    modelled: d.trace.symptom.clone(),
                    verdict: d.verdict.kind(),
                });
            }
            None => {}
        }
    }
    if flow.is_none() && producing.is_empty() {
        mismatch = Some(Mismatch::NoFlowProduces { examined });
    }
    producing.sort_by_key(|p| p.fit);
    let nearby = match (flow, &mismatch) {
        (Some(f), Some(_)) => nearby(loaded, &reported, f),
        _ => Vec::new(),
    };
    Some(SymptomDiagnosis {
        causes: causes(&producing),
        flow: flow.cloned(),
        flows_examined: examined,
        estate_left_out,
        producing,
        mismatch,
        nearby,
        reported,
    })
}

/// Flows of the same client, or to the same destination, that produce the symptom.
fn nearby(loaded: &Loaded, reported: &Reported, flow: &FlowSpec) -> Vec<Producing> {
    let mut others = super::whatif::question_flows(&loaded.document);
    let net = &loaded.network;
    if !too_many_flows(net) {
        others.extend(every_flow(net));
    }
    others.retain(|o| o != flow && (o.from == flow.from || o.to.eq_ignore_ascii_case(&flow.to)));
    let others: Vec<FlowSpec> = others.into_iter().collect();
    let mut found: Vec<Producing> = others
        .iter()
        .filter_map(|o| {
            let d = diagnose(net, loaded.dataplane(), o)?;
            let root = d.root_cause.as_ref();
            let fragile =
                root.is_some_and(|r| r.step == CheckStep::PathQuality && r.status == Status::Warn);
            let (fit, through) = reported.fit(&d.trace.symptom, fragile)?;
            (fit != Fit::Beyond).then(|| Producing {
                flow: o.clone(),
                symptom: d.trace.symptom.clone(),
                verdict: d.verdict.kind(),
                fit,
                through,
                step: root.map(|r| r.step),
                evidence: root.map(|r| r.evidence.clone()),
            })
        })
        .collect();
    found.sort_by_key(|p| p.fit);
    found
}

/// The producing flows grouped by how they produce the symptom, ranked.
fn causes(producing: &[Producing]) -> Vec<Cause> {
    let mut out: Vec<Cause> = Vec::new();
    for p in producing {
        match out
            .iter_mut()
            .find(|c| c.fit == p.fit && c.step == p.step && c.verdict == p.verdict)
        {
            Some(c) => c.flows.push(p.flow.clone()),
            None => out.push(Cause {
                fit: p.fit,
                step: p.step,
                verdict: p.verdict,
                flows: vec![p.flow.clone()],
                evidence: p.evidence.clone(),
            }),
        }
    }
    out.sort_by(|a, b| {
        a.fit
            .cmp(&b.fit)
            .then(b.flows.len().cmp(&a.flows.len()))
            .then(a.step.cmp(&b.step))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_error_strings_read_as_their_families() {
        let family = |s: &str| read(s).map(|r| r.family);
        assert_eq!(
            family("openai.APIConnectionError: Connection error."),
            Ok(Family::ConnectionError)
        );
        assert_eq!(
            family("httpcore.ConnectError: EOF occurred in violation of protocol (_ssl.c:1016)"),
            Ok(Family::TlsCutOff)
        );
        assert_eq!(
            family("curl: (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL"),
            Ok(Family::TlsCutOff)
        );
        assert_eq!(
            family("getaddrinfo ENOTFOUND x.openai.azure.com"),
            Ok(Family::NxDomain)
        );
        assert_eq!(family("timeout"), Ok(Family::Timeout));
        assert_eq!(family("403"), Ok(Family::Forbidden));
        assert_eq!(family("tls-eof"), Ok(Family::TlsCutOff));
        assert_eq!(
            family("connect-timeout"),
            Ok(Family::Exactly(SymptomName::ConnectTimeout))
        );
        assert_eq!(
            family("TlsHandshakeReset"),
            Ok(Family::Exactly(SymptomName::TlsHandshakeReset))
        );
    }

    #[test]
    fn an_unknown_symptom_is_refused_with_the_likely_word() {
        let e = read("timout").unwrap_err();
        assert!(e.hint.contains("`timeout`"), "{e}");
        assert!(read("").is_err());
        assert!(read("banana split").is_err());
    }

    #[test]
    fn a_401_means_the_service_answered_so_only_connected_flows_fit() {
        let r = read("401").unwrap();
        assert!(r.consistent.iter().all(|c| matches!(
            c.symptom,
            SymptomName::Connected | SymptomName::ConnectedPublicly
        )));
        assert!(r.outside.contains(&Outside::Credentials));
    }

    #[test]
    fn a_refused_connection_is_not_what_nsgs_or_firewall_network_rules_do() {
        let r = read("ECONNREFUSED").unwrap();
        assert!(!r
            .consistent
            .iter()
            .any(|c| c.symptom == SymptomName::ConnectTimeout));
        assert!(r.outside.contains(&Outside::NothingListens));
    }

    #[test]
    fn every_symptom_name_is_listed_once() {
        let schema = schemars::schema_for!(SymptomName);
        let count = |key: &str| {
            schema
                .get(key)
                .and_then(|e| e.as_array())
                .map(|e| e.len())
                .unwrap_or_default()
        };
        let listed = count("enum") + count("oneOf");
        assert_eq!(listed, SYMPTOM_NAMES.len());
        let mut names = SYMPTOM_NAMES.to_vec();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), SYMPTOM_NAMES.len());
    }

    #[test]
    fn each_word_reads_as_its_own_family() {
        for (w, f) in WORDS {
            assert_eq!(read(w).map(|r| r.family), Ok(f), "{w}");
        }
        for s in SYMPTOM_NAMES {
            // `nxdomain` is the short word too, read as the whole family.
            if s == SymptomName::NxDomain {
                continue;
            }
            assert_eq!(
                read(&symptom_word(s)).map(|r| r.family),
                Ok(Family::Exactly(s))
            );
        }
    }
}
