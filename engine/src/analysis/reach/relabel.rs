//! Carrying a representative's verdict over to the other pairs of its class. The verdict of an
//! alike pair is the representative's with the endpoints' names and addresses exchanged, so a
//! verdict that names neither endpoint holds as it is, and one that names an endpoint only in
//! a field of its own (the NIC whose NSG dropped, the address nobody holds, where a loop
//! closed, the address a client used as the name its certificate was checked against) holds
//! with that field set to the pair's own. Any other mention of an endpoint (in a
//! sentence of a reason) is not rewritten: those pairs are traced one by one.
//!
//! Only the pair's own endpoints need looking for: a verdict cannot name a third member of
//! either class, since a path meets a NIC only by its address, and the addresses it meets are
//! the pair's own or next hops, whose /32s are in every address signature, so a NIC that is a
//! next hop is alike with nothing.

use std::borrow::Cow;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::Endpoint;
use crate::trace::Verdict;

/// Which field of a class's verdict is each pair's own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum Relabel {
    /// None: the verdict names neither endpoint.
    Nothing,
    /// The NIC named (whose NSG dropped, or where a loop closed) is the source.
    SourceNic,
    /// The NIC named is the destination.
    DestinationNic,
    /// The address nobody holds is the destination's.
    DestinationAddress,
    /// The name whose certificate check failed is the destination's address (the client
    /// connected by address).
    DestinationAddressAsName,
}

/// The verdict as JSON: how endpoints are looked for in it, and the key outcomes are shared by.
pub(super) fn fingerprint(v: &Verdict) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// How an endpoint's name and address are written in a verdict's JSON: what [`relabel_for`]
/// looks for. Computed once per endpoint of a matrix, not once per trace.
#[derive(Clone, Debug)]
pub(super) struct Marks {
    /// The name as JSON writes it inside a string (escaped).
    name: String,
    /// The address as text.
    ip: String,
}

impl Marks {
    pub(super) fn of(e: &Endpoint) -> Self {
        let json = serde_json::to_string(&e.name).unwrap_or_default();
        Marks {
            name: json.trim_matches('"').to_string(),
            ip: e.ip.to_string(),
        }
    }
}

/// How the representative pair's verdict `v` carries over to the other pairs of its class, with
/// its fingerprint; or `None` when it cannot (it mentions an endpoint where no field can be
/// rewritten). `marks` are the source's and the destination's [`Marks`].
pub(super) fn relabel_for(
    v: &mut Verdict,
    source: &Endpoint,
    destination: &Endpoint,
    (source_marks, destination_marks): (&Marks, &Marks),
    seen: &mut Fingerprints,
) -> Option<(Relabel, Arc<str>)> {
    // Names as JSON writes them (escaped), so a mention inside any string is found.
    let marks = [
        source_marks.name.as_str(),
        destination_marks.name.as_str(),
        source_marks.ip.as_str(),
        destination_marks.ip.as_str(),
    ];
    let silent = |text: &str| !marks.iter().any(|m| text.contains(m));
    // A port a service does not listen on (or plain HTTP a storage account rejects) names the
    // destination endpoint's service, which alike endpoints (of one kind) do not share: those
    // pairs are traced one by one.
    if matches!(
        v,
        Verdict::PortNotServed { .. } | Verdict::SecureTransferRequired { .. }
    ) {
        return None;
    }
    let field = match &*v {
        Verdict::DroppedByNsg { nic, .. } | Verdict::Loop { at: nic } if *nic == source.name => {
            Relabel::SourceNic
        }
        Verdict::DroppedByNsg { nic, .. } | Verdict::Loop { at: nic }
            if *nic == destination.name =>
        {
            Relabel::DestinationNic
        }
        Verdict::NoDestination { address } if *address == destination.ip => {
            Relabel::DestinationAddress
        }
        Verdict::TlsNameMismatch { name, .. } if *name == destination_marks.ip => {
            Relabel::DestinationAddressAsName
        }
        _ => Relabel::Nothing,
    };
    // The verdict with the pair's own field cleared is what is searched for other mentions,
    // and (with the field) the key alike outcomes share, since every pair's verdict is the
    // shared one with that field set to its own.
    let key = seen.key(field, v);
    silent(&key).then_some((field, key))
}

/// How many fingerprints [`Fingerprints`] remembers.
const REMEMBERED: usize = 32;

/// The fingerprints of the verdicts one worker met last: a matrix meets few distinct verdicts,
/// so a verdict met again is compared with the ones remembered rather than serialised again.
#[derive(Debug, Default)]
pub(super) struct Fingerprints {
    seen: Vec<(Relabel, Verdict, Arc<str>)>,
    next: usize,
}

/// A field taken out of a verdict while it is compared, to be put back.
enum Taken {
    Nothing,
    Name(String),
    Address(IpAddr),
}

/// Clears `v`'s `field` in place (an empty name, the unspecified address), returning what was
/// there.
fn take(v: &mut Verdict, field: Relabel) -> Taken {
    match (v, field) {
        (
            Verdict::DroppedByNsg { nic: name, .. } | Verdict::Loop { at: name },
            Relabel::SourceNic | Relabel::DestinationNic,
        )
        | (Verdict::TlsNameMismatch { name, .. }, Relabel::DestinationAddressAsName) => {
            Taken::Name(std::mem::take(name))
        }
        (Verdict::NoDestination { address }, Relabel::DestinationAddress) => Taken::Address(
            std::mem::replace(address, IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
        ),
        _ => Taken::Nothing,
    }
}

/// Puts back what [`take`] took.
fn put_back(v: &mut Verdict, taken: Taken) {
    match (v, taken) {
        (
            Verdict::DroppedByNsg { nic: slot, .. }
            | Verdict::Loop { at: slot }
            | Verdict::TlsNameMismatch { name: slot, .. },
            Taken::Name(name),
        ) => *slot = name,
        (Verdict::NoDestination { address }, Taken::Address(a)) => *address = a,
        _ => {}
    }
}

impl Fingerprints {
    /// The fingerprint of `v` with its `field` cleared, prefixed with the field. `v` is
    /// cleared in place while it is looked up and left as it was.
    fn key(&mut self, field: Relabel, v: &mut Verdict) -> Arc<str> {
        let taken = take(v, field);
        let key = self.key_of_cleared(field, v);
        put_back(v, taken);
        key
    }

    fn key_of_cleared(&mut self, field: Relabel, cleared: &Verdict) -> Arc<str> {
        if let Some((_, _, key)) = self
            .seen
            .iter()
            .find(|(f, w, _)| *f == field && w == cleared)
        {
            return Arc::clone(key);
        }
        let key: Arc<str> = match field {
            Relabel::Nothing => fingerprint(cleared).into(),
            _ => format!("{field:?}:{}", fingerprint(cleared)).into(),
        };
        let entry = (field, cleared.clone(), Arc::clone(&key));
        if self.seen.len() < REMEMBERED {
            self.seen.push(entry);
        } else if let Some(slot) = self.seen.get_mut(self.next) {
            *slot = entry;
            self.next = (self.next + 1) % REMEMBERED;
        }
        key
    }
}

/// The verdict of the pair (`source`, `destination`), from its class's verdict.
pub(super) fn carry<'a>(
    v: &'a Verdict,
    relabel: Relabel,
    source: &Endpoint,
    destination: &Endpoint,
) -> Cow<'a, Verdict> {
    match relabel {
        Relabel::Nothing => Cow::Borrowed(v),
        _ => Cow::Owned(apply(
            v,
            relabel,
            &source.name,
            destination.ip,
            &destination.name,
        )),
    }
}

fn apply(
    v: &Verdict,
    relabel: Relabel,
    source: &str,
    address: IpAddr,
    destination: &str,
) -> Verdict {
    let mut out = v.clone();
    match (&mut out, relabel) {
        (Verdict::DroppedByNsg { nic, .. } | Verdict::Loop { at: nic }, Relabel::SourceNic) => {
            *nic = source.to_string();
        }
        (
            Verdict::DroppedByNsg { nic, .. } | Verdict::Loop { at: nic },
            Relabel::DestinationNic,
        ) => {
            *nic = destination.to_string();
        }
        (Verdict::NoDestination { address: a }, Relabel::DestinationAddress) => *a = address,
        (Verdict::TlsNameMismatch { name, .. }, Relabel::DestinationAddressAsName) => {
            *name = address.to_string();
        }
        _ => {}
    }
    out
}
