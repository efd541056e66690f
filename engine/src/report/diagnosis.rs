//! A diagnosis as text: the checklist step by step, the root cause, and the verified fixes.

use std::fmt::Write;

use super::fix::{az, one_line, summary};
use crate::analysis::diagnose::{CheckStep, Diagnosis, Evidence, Status};
use crate::analysis::suggest::rank::Weakening;
use crate::analysis::suggest::{variant, Suggestion, Suggestions};
use crate::scenario::{self, Document};

/// The step as the checklist names it.
pub fn title(step: CheckStep) -> &'static str {
    match step {
        CheckStep::NameResolution => "name resolution",
        CheckStep::EntersVnet => "traffic enters the VNet",
        CheckStep::Path => "next hop and path",
        CheckStep::Nsgs => "NSGs on the way",
        CheckStep::Firewall => "firewall decision and SNAT",
        CheckStep::ReturnPath => "return path",
        CheckStep::PublicAccess => "service public access",
        CheckStep::Certificate => "name used vs certificate",
        CheckStep::PathQuality => "path quality",
    }
}

/// A step's evidence in one sentence. (One arm per kind of evidence, each a sentence: long,
/// but flat.)
pub fn evidence(e: &Evidence) -> String {
    let answered = |by: &Option<String>| by.clone().unwrap_or_else(|| "no record".into());
    match e {
        Evidence::ConnectsToAddress => "the client connects to an address, not a name".into(),
        Evidence::NameNotResolved {
            name,
            client,
            outcome,
        } => format!("`{name}` does not resolve for {client}: {outcome:?}"),
        Evidence::PublicAnswerDespiteEndpoint {
            name,
            client,
            address,
            answered_by,
            endpoints,
        } => format!(
            "`{name}` resolves to the public address {address} for {client} (answered by {}), though private endpoint {} serves it: no private zone linked to the client's VNet answers for it",
            answered(answered_by),
            names(endpoints.iter().map(|p| p.name.as_str()), ", ")
        ),
        Evidence::NameResolved {
            name,
            address,
            private,
            answered_by,
        } => format!(
            "`{name}` resolves to {address} ({}), answered by {}",
            if *private { "private" } else { "public" },
            answered(answered_by)
        ),
        Evidence::ClientIsNic => "the client is a NIC in the VNet".into(),
        Evidence::ClientOutsideAzure => {
            "the client is outside Azure: it enters at a public address or through a gateway".into()
        }
        Evidence::BypassesVnet {
            app,
            route_all,
            destination,
        } => format!(
            "`{app}` has route-all {}: its traffic to {} leaves from the app's own outbound address, past the VNet's routes, NSGs and firewall",
            if *route_all { "on" } else { "off" },
            destination.map_or_else(|| "the name".to_string(), |d| d.to_string())
        ),
        Evidence::AppEgress { app, enters_vnet } => format!(
            "`{app}`'s traffic {} the VNet",
            if *enters_vnet { "enters" } else { "does not enter" }
        ),
        Evidence::NoPacketSent => "no packet was sent".into(),
        Evidence::PathBroken { verdict, hops } => format!(
            "{} after {}",
            verdict.describe(),
            names(hops.iter().map(String::as_str), " -> ")
        ),
        Evidence::Path { hops } => format!(
            "{} hop(s): {}",
            hops.len(),
            names(hops.iter().map(String::as_str), " -> ")
        ),
        Evidence::NsgDenies {
            nsg,
            rule,
            nic,
            endpoint_subnet,
        } => {
            let policy = endpoint_subnet.as_ref().map_or(String::new(), |s| {
                format!(
                    " (a private endpoint: its subnet `{}` has privateEndpointNetworkPolicies {:?}, so the subnet's NSG applies to it)",
                    s.subnet.name, s.policies
                )
            });
            format!("rule `{rule}` of `{nsg}` denies the flow at `{nic}`{policy}")
        }
        Evidence::NoNsgEvaluated => "no NSG was evaluated".into(),
        Evidence::NsgsAllow { evaluations } => {
            format!("{evaluations} NSG evaluation(s), all allow")
        }
        Evidence::TraceVerdict { verdict } => verdict.describe(),
        Evidence::NoFirewall => "no firewall on the path".into(),
        Evidence::FirewallDenies {
            verdict,
            explanation,
        } => format!(
            "{}: {}",
            verdict.describe(),
            super::firewall_deny::sentence(explanation)
        ),
        Evidence::FirewallsAllow { decisions, snat } if snat.is_empty() => {
            format!("{decisions} firewall decision(s) allow, no SNAT")
        }
        Evidence::FirewallsAllow { decisions, snat } => {
            let snat: Vec<String> = snat.iter().map(|t| format!("{} -> {}", t.from, t.to)).collect();
            format!("{decisions} firewall decision(s) allow; SNAT {}", snat.join(", "))
        }
        Evidence::NoReply => "no reply was sent".into(),
        Evidence::ReplyReturns { hops } => format!("the reply comes back over {hops} hop(s)"),
        Evidence::AnsweredPublicly { service } => {
            format!("`{service}` answered on its public endpoint, not a private one")
        }
        Evidence::PublicEndpointNotOnPath => "the public endpoint is not on the path".into(),
        Evidence::NameNotInCertificate { name, certificate } => format!(
            "the client asks for `{name}`, which the certificate ({}) does not cover: call the service by its own FQDN",
            certificate.join(", ")
        ),
        Evidence::NameInCertificate => {
            "the name matches the certificate, or none is checked".into()
        }
        Evidence::NotDelivered => "not delivered".into(),
        Evidence::FragilePath {
            destination,
            regions,
            stateful_devices,
        } => format!(
            "delivered to {} across {} region(s) ({}) through {} stateful device(s) ({}): the shape of path the field reports as intermittent",
            destination.map_or("the service".to_string(), |a| a.to_string()),
            regions.len(),
            regions.join(" -> "),
            stateful_devices.len(),
            stateful_devices.join(", ")
        ),
        Evidence::ApimCutOff { service, blocked } => format!(
            "API Management `{service}` cannot work: {blocked}; clients reach its VIP and get errors though their own path is open"
        ),
        Evidence::HostNotServed { service, name } => format!(
            "API Management `{service}` does not serve `{name}`: it answers only its configured host names, so call it by one of them"
        ),
        Evidence::LeftTheModel { verdict, hops } => format!(
            "{} after {}: the flow does not reach its destination in the network",
            verdict.describe(),
            names(hops.iter().map(String::as_str), " -> ")
        ),
        Evidence::CleanPath { hops, regions } => {
            format!("{hops} hop(s) in {}", regions.join(", "))
        }
    }
}

fn names<'a>(items: impl Iterator<Item = &'a str>, sep: &str) -> String {
    items.collect::<Vec<_>>().join(sep)
}

/// Renders the checklist and its root cause.
pub fn diagnosis(d: &Diagnosis) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Diagnosis of {}", d.flow);
    let _ = writeln!(out, "Verdict: {}", d.verdict.describe());
    let _ = writeln!(out, "Symptom: {}\n", d.trace.symptom);
    for (i, f) in d.findings.iter().enumerate() {
        let mark = match f.status {
            Status::Pass => "ok  ",
            Status::Fail => "FAIL",
            Status::Warn => "warn",
            Status::NotApplicable => "n/a ",
        };
        let _ = writeln!(
            out,
            "{}. [{mark}] {}: {}",
            super::terminal::pad_start(&(i + 1).to_string(), 2),
            title(f.step),
            evidence(&f.evidence)
        );
    }
    match &d.root_cause {
        Some(f) => {
            let _ = writeln!(
                out,
                "\nRoot cause ({}): {}",
                title(f.step),
                evidence(&f.evidence)
            );
            if let Evidence::FirewallDenies { explanation, .. } = &f.evidence {
                out += &super::firewall_deny::details(explanation);
            }
        }
        None => out += "\nNo step fails: the flow works.\n",
    }
    out
}

/// What a fix weakens, and so why it ranks where it does.
pub fn weakening(w: &Weakening) -> String {
    match w {
        Weakening::Nothing => "nothing: every NSG, firewall rule and policy stays as strict (ranked first)".into(),
        Weakening::WidensNsg { nsg, source } => format!(
            "`{nsg}` now allows {source} (ranked after fixes that weaken nothing)"
        ),
        Weakening::LeavesInspection { devices } => format!(
            "the flow no longer passes {} (their rules and logs no longer see it; ranked after fixes that weaken nothing)",
            devices.iter().map(|d| format!("`{d}`")).collect::<Vec<_>>().join(", ")
        ),
        Weakening::RemovesProtection { subnet, nsg, route_table } => format!(
            "{} of `{subnet}` stop applying to its private endpoints: a protection removed (ranked last)",
            match (nsg, route_table) {
                (true, true) => "the NSG and the route table",
                (true, false) => "the NSG",
                _ => "the route table",
            }
        ),
    }
}

/// Renders the diagnosis followed by the fixes that were verified.
pub fn suggestions(s: &Suggestions) -> String {
    let mut out = diagnosis(&s.diagnosis);
    if !s.diagnosis.needs_fix() {
        return out;
    }
    let _ = writeln!(
        out,
        "\nFixes: {} candidate change(s) tried, {} make the flow work without breaking another question{}",
        s.tried,
        s.kept.len(),
        if s.kept.is_empty() { "." } else { ":" }
    );
    for (i, k) in s.kept.iter().enumerate() {
        let _ = writeln!(out, "\n{}. {}", i + 1, summary(&k.fix));
        let _ = writeln!(out, "   after: {} -> {}", k.flow, k.verdict.describe());
        let _ = writeln!(out, "   weakens: {}", weakening(&k.weakens));
        out += &super::whatif::blast_radius(k.blast_radius.as_ref());
        for cmd in az(&k.fix) {
            let _ = writeln!(out, "   $ {cmd}");
        }
        if !k.also_changes.is_empty() {
            let _ = writeln!(out, "   also changes (questions that state this flow's failure, or the same client's failures it now delivers):");
            for q in &k.also_changes {
                let _ = writeln!(out, "     - {}", super::text::asked(q));
            }
        }
    }
    for r in &s.rejected_for_regressions {
        let _ = writeln!(
            out,
            "\nRefused: {} (breaks: {})",
            summary(&r.fix),
            super::text::asked(&r.breaks)
        );
    }
    out
}

/// A kept suggestion as the text of a variant file extending `base`: a one-line comment saying
/// what the fix is, then the variant (its title and takeaway the fix's sentence). Every name is
/// written by the RON serializer or, in the comment, with its control characters escaped, so
/// no name can break the file.
pub fn variant_file(base: &str, original: &Document, s: &Suggestion) -> Result<String, ron::Error> {
    let sentence = summary(&s.fix);
    let mut doc = variant(base, original, s);
    doc.title = format!("Fix: {sentence}");
    doc.takeaway = Some(sentence.clone());
    let text = scenario::to_ron(&doc)?;
    Ok(format!(
        "// A fix azpath verified by re-simulation: {}.\n{text}\n",
        one_line(&sentence)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::flow::FlowSpec;
    use crate::analysis::suggest::suggest;

    fn lesson(rel: &str) -> crate::Loaded {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../scenarios")
            .join(rel);
        crate::load_file(&path).unwrap()
    }

    #[test]
    fn the_checklist_names_every_step_the_root_cause_and_each_fix_with_its_commands() {
        let loaded = lesson("dns/zone-linked-to-the-hub-only.ron");
        let flow = FlowSpec {
            from: "vm-app".into(),
            to: "contoso-aoai.openai.azure.com".into(),
            port: 443,
            host: None,
        };
        let s = suggest(&loaded, &flow).unwrap();
        let text = suggestions(&s);
        for f in &s.diagnosis.findings {
            assert!(text.contains(title(f.step)), "{text}");
        }
        assert!(text.contains("\nRoot cause (name resolution): `contoso-aoai.openai.azure.com` resolves to the public address 20.42.0.10"), "{text}");
        assert!(
            text.contains(
                "\n1. link private DNS zone `privatelink.openai.azure.com` to VNet `spoke-app`\n"
            ),
            "{text}"
        );
        assert!(text.contains("   $ az network private-dns link vnet create --resource-group <rg> --zone-name privatelink.openai.azure.com --name link-spoke-app --virtual-network spoke-app"), "{text}");
    }

    #[test]
    fn a_variant_file_is_one_comment_line_then_the_serialized_variant() {
        let loaded = lesson("dns/zone-linked-to-the-hub-only.ron");
        let flow = FlowSpec {
            from: "vm-app".into(),
            to: "contoso-aoai.openai.azure.com".into(),
            port: 443,
            host: None,
        };
        let s = suggest(&loaded, &flow).unwrap();
        let mut k = s.kept[0].clone();
        let crate::analysis::suggest::Fix::LinkZone(l) = &mut k.fix else {
            panic!("{:?}", k.fix)
        };
        l.vnet.name = "spoke\n)\nScenario(".into();
        let text = variant_file("base.ron", &loaded.document, &k).unwrap();
        let (comment, _) = text.split_once('\n').unwrap();
        assert!(comment.starts_with("// ") && comment.contains(r"spoke\n)\nScenario("));
        let doc =
            crate::scenario::parse(&crate::scenario::SourceFile::new("v.ron", &text)).unwrap();
        assert_eq!(doc.extends.unwrap().value, "base.ron");
        assert!(doc.title.starts_with("Fix: link private DNS zone"));
        assert_eq!(doc.questions.len(), 1, "the fixed flow, expected Delivered");
    }
}
