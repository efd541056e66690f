//! `diagnose --symptom` as text: how the reported symptom was read, the flows that produce it,
//! the causes ranked, and any disagreement between the model and the report.

use std::fmt::Write;

use super::diagnosis::{evidence, title};
use crate::analysis::symptom::{
    symptom_word, Cause, Family, Fit, Mismatch, Outside, Producing, SymptomDiagnosis, Through,
};

/// What a family of reported errors means, in a few words.
pub fn family(f: Family) -> String {
    match f {
        Family::Timeout => "a timeout".into(),
        Family::TlsCutOff => "a TLS handshake cut off (reset, SSL_ERROR_SYSCALL, EOF)".into(),
        Family::ConnectionError => {
            "an SDK connection error: any failure before an HTTP answer".into()
        }
        Family::Refused => "a refused connection (a TCP reset answers the SYN)".into(),
        Family::Forbidden => "HTTP 403 from the service".into(),
        Family::Unauthorized => {
            "HTTP 401 from the service: the request arrived and was answered".into()
        }
        Family::FirewallHttp470 => "HTTP 470 from Azure Firewall".into(),
        Family::Unavailable => "HTTP 503 from API Management".into(),
        Family::NxDomain => "a name that does not resolve (NXDOMAIN)".into(),
        Family::DnsFailure => "a DNS lookup that fails or times out".into(),
        Family::Certificate => "a certificate that does not match the name".into(),
        Family::Intermittent => "intermittent failures".into(),
        Family::Works => "a working connection".into(),
        Family::Exactly(s) => format!("the modelled symptom `{}`", symptom_word(s)),
    }
}

fn fit(f: Fit) -> &'static str {
    match f {
        Fit::Exact => "exact",
        Fit::Possible => "possible",
        Fit::Beyond => "beyond the model",
    }
}

/// A cause the model cannot see, in a sentence.
pub fn outside(o: Outside) -> &'static str {
    match o {
        Outside::Credentials => "the service refused the credential (key, token or role): the network delivered",
        Outside::NothingListens => "the destination answered with a TCP reset because nothing listens on the port (NSGs and Azure Firewall network rules drop a denied SYN silently)",
        Outside::ClientCallsAnotherName => "the client calls another name or URL than the one traced (check the SDK's endpoint setting, e.g. AZURE_OPENAI_ENDPOINT)",
        Outside::ClientResolvesElsewhere => "the client resolves through something the scenario does not model (a hosts file, its own resolver, a cached answer)",
        Outside::ServiceSide => "the service itself (throttling, load, an outage) after the network delivered",
        Outside::PathUnderLoad => "a device on a long path under load (flow timeouts, SNAT port exhaustion), which the model shows only as the path's shape",
    }
}

fn flows_line(c: &Cause) -> String {
    let shown: Vec<String> = c.flows.iter().take(3).map(ToString::to_string).collect();
    let more = c.flows.len().saturating_sub(3);
    let more = if more > 0 {
        format!(", and {more} more")
    } else {
        String::new()
    };
    format!("{}{more}", shown.join("; "))
}

fn producing_line(p: &Producing) -> String {
    let how = match p.through {
        Through::Symptom => p.symptom.to_string(),
        Through::FragilePath => "delivered over a fragile path".to_string(),
    };
    format!("{} [{}]: {how} ({:?})", p.flow, fit(p.fit), p.verdict)
}

/// Renders the answer.
pub fn symptom(d: &SymptomDiagnosis) -> String {
    let mut out = String::new();
    let r = &d.reported;
    let _ = writeln!(out, "Reported: `{}`, read as {}", r.given, family(r.family));
    for f in [Fit::Exact, Fit::Possible, Fit::Beyond] {
        let mut names: Vec<String> = r
            .consistent
            .iter()
            .filter(|c| c.fit == f)
            .map(|c| symptom_word(c.symptom))
            .collect();
        if r.fragile_paths == Some(f) {
            names.push(
                "a delivered flow over a fragile path (across regions, through stateful devices)"
                    .into(),
            );
        }
        if !names.is_empty() {
            let _ = writeln!(out, "  fits ({}): {}", fit(f), names.join(", "));
        }
    }
    match &d.flow {
        Some(f) => {
            let _ = writeln!(out, "Flow: {f}");
        }
        None => {
            let _ = writeln!(
                out,
                "Examined {} flow(s): every question's flow and every client to every private endpoint and service{}",
                d.flows_examined,
                if d.estate_left_out {
                    " (the estate is too large: only the questions' flows)"
                } else {
                    ""
                }
            );
        }
    }
    if !d.causes.is_empty() {
        let _ = writeln!(
            out,
            "\n{} flow(s) produce it. Causes, most likely first:",
            d.producing.len()
        );
        for (i, c) in d.causes.iter().enumerate() {
            let step = c.step.map_or("the verdict itself", title);
            let _ = writeln!(
                out,
                "{}. [{}] {step}: {:?}, {} flow(s): {}",
                i + 1,
                fit(c.fit),
                c.verdict,
                c.flows.len(),
                flows_line(c)
            );
            if let Some(e) = &c.evidence {
                let _ = writeln!(out, "   {}", evidence(e));
            }
        }
    }
    match &d.mismatch {
        Some(Mismatch::FlowDisagrees {
            flow,
            modelled,
            verdict,
        }) => {
            let _ = writeln!(
                out,
                "\nMISMATCH: the model says the client of {flow} sees {modelled} ({verdict:?}), not {}.",
                family(r.family)
            );
            out += "Either the scenario is not the network the client runs in, or the cause lies outside the model.\n";
            if !d.nearby.is_empty() {
                out += "Flows of the same client or to the same destination that do produce it:\n";
                for p in &d.nearby {
                    let _ = writeln!(out, "  - {}", producing_line(p));
                }
            }
        }
        Some(Mismatch::NoFlowProduces { examined }) => {
            let _ = writeln!(
                out,
                "\nMISMATCH: none of the {examined} flow(s) examined produces {}: the scenario does not reproduce what the client sees.",
                family(r.family)
            );
        }
        None => {}
    }
    if !r.outside.is_empty() {
        out += "\nOutside the model, this symptom also comes from:\n";
        for o in &r.outside {
            let _ = writeln!(out, "  - {}", outside(*o));
        }
    }
    if let Some(p) = d.producing.first().filter(|_| d.flow.is_none()) {
        let _ = writeln!(
            out,
            "\nNext: `azpath diagnose FILE --from {} --to {}` for the checklist and verified fixes.",
            p.flow.from,
            if p.flow.to.contains(':') {
                format!("[{}]:{}", p.flow.to, p.flow.port)
            } else {
                format!("{}:{}", p.flow.to, p.flow.port)
            }
        );
    }
    out
}
