//! Names as Azure takes them: one segment of a resource ID (no `/`), printable, and compared
//! without regard to case ("Naming rules and restrictions for Azure resources": resource names
//! are case-insensitive), so `App` and `app` name one resource.

use std::collections::BTreeMap;

use super::Resolver;
use crate::scenario::Text;

/// Names declared so far in one namespace, by their case-folded form.
pub(super) type Seen = BTreeMap<String, Declared>;

/// The first declaration of a name in a namespace.
#[derive(Clone, Debug)]
pub(super) struct Declared {
    /// As written.
    name: String,
    /// What it names, e.g. "vnet".
    kind: String,
}

/// The form two names are compared in: Azure resource names are case-insensitive.
pub(super) fn fold(name: &str) -> String {
    name.to_lowercase()
}

/// Why `c` cannot be in a name that is printed and compared: a control character, or one that
/// is invisible or reorders text (zero-width and bidirectional formatting characters), which
/// make two different names print the same.
pub(super) fn unprintable(c: char) -> Option<&'static str> {
    match c {
        _ if c.is_control() => Some("a control character"),
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' | '\u{180E}' => {
            Some("an invisible (zero-width) character")
        }
        '\u{200E}'
        | '\u{200F}'
        | '\u{061C}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2066}'..='\u{2069}' => Some("a bidirectional formatting character"),
        '\u{2061}'..='\u{2064}' | '\u{FFF9}'..='\u{FFFB}' => Some("an invisible format character"),
        _ => None,
    }
}

/// `name` with each character [`unprintable`] written `\u{…}`, so an error shows it.
pub(super) fn shown(name: &str) -> String {
    name.chars()
        .map(|c| match unprintable(c) {
            Some(_) => format!("\\u{{{:x}}}", u32::from(c)),
            None => c.to_string(),
        })
        .collect()
}

/// The first character of `name` that cannot be in a name, with why.
pub(super) fn first_unprintable(name: &str) -> Option<(char, &'static str)> {
    name.chars()
        .find_map(|c| unprintable(c).map(|why| (c, why)))
}

impl Resolver {
    /// Whether `name` can name a resource: not empty, printable, not an IP address (questions
    /// read those as addresses), and without `/` (a name is one segment of the resource's ID;
    /// `vnet/subnet` is how azpath writes a subnet's full name).
    pub(super) fn well_formed_name(&mut self, name: &Text, kind: &str) -> bool {
        if name.value.is_empty() {
            self.error(
                name.span,
                format!("{kind} name is empty"),
                Some("give it a name".into()),
            );
            return false;
        }
        if let Some((c, why)) = first_unprintable(&name.value) {
            self.error(
                name.span,
                format!(
                    "{kind} name `{}` contains U+{:04X}, {why}",
                    shown(&name.value),
                    u32::from(c)
                ),
                Some("names are printed in reports and compared as written; use visible characters only".into()),
            );
            return false;
        }
        if name.value.trim().parse::<std::net::IpAddr>().is_ok() {
            self.error(
                name.span,
                format!("{kind} name `{}` is an IP address", name.value),
                Some("questions take an address where a name could go (`Trace(from: \"10.0.0.4\")` starts on the Internet); give it a name".into()),
            );
            return false;
        }
        if name.value.contains('/') {
            self.error(
                name.span,
                format!("{kind} name `{}` contains `/`", name.value),
                Some("a name is one segment of an Azure resource ID; `vnet/subnet` is kept for subnets".into()),
            );
            return false;
        }
        true
    }

    /// Declares `name` in the namespace `seen`: well formed, and unique without regard to case.
    pub(super) fn unique(&mut self, seen: &mut Seen, name: &Text, kind: &str) -> bool {
        if !self.well_formed_name(name, kind) {
            return false;
        }
        let key = fold(&name.value);
        if let Some(first) = seen.get(&key) {
            let (message, hint) = clash(first, name, kind);
            self.error(name.span, message, Some(hint));
            return false;
        }
        seen.insert(
            key,
            Declared {
                name: name.value.clone(),
                kind: kind.to_string(),
            },
        );
        true
    }

    /// Records `name` of `kind` in `seen` without a check (it was checked in its own
    /// namespace), so that later names of other kinds that share a look-up with it clash.
    pub(super) fn reserve(seen: &mut Seen, name: &str, kind: &str) {
        seen.entry(fold(name)).or_insert_with(|| Declared {
            name: name.to_string(),
            kind: kind.to_string(),
        });
    }

    /// The declaration `name` clashes with in `seen`, if any.
    pub(super) fn taken<'a>(seen: &'a Seen, name: &str) -> Option<&'a str> {
        seen.get(&fold(name)).map(|d| d.name.as_str())
    }

    /// Refuses a site or branch named like a workload, since a trace's `from` names either;
    /// false when it clashes.
    pub(super) fn site_name_free(&mut self, name: &Text) -> bool {
        let Some(other) = Self::taken(&self.nic_names, &name.value) else {
            return true;
        };
        let message = format!(
            "site name `{}` is already the name of `{other}`",
            name.value
        );
        let hint = "a trace's `from` names a workload or a site; give them different names";
        self.error(name.span, message, Some(hint.into()));
        false
    }
}

/// The error for `name` (of `kind`) declared again after `first`.
fn clash(first: &Declared, name: &Text, kind: &str) -> (String, String) {
    if first.kind != kind {
        return (
            format!(
                "{kind} name `{}` is already the name of {} `{}`",
                name.value, first.kind, first.name
            ),
            "questions and `via` look both up by name, so they would name two things; rename one"
                .into(),
        );
    }
    let message = format!("duplicate {kind} name `{}`", name.value);
    if first.name == name.value {
        (
            message,
            format!("{kind} names must be unique; rename one of them"),
        )
    } else {
        (
            message,
            format!(
                "Azure names are case-insensitive: `{}` and `{}` name the same {kind}; rename one",
                first.name, name.value
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_differing_only_in_case_fold_to_one() {
        assert_eq!(fold("App"), fold("app"));
        assert_ne!(fold("app1"), fold("app"));
    }

    #[test]
    fn unprintable_characters_are_shown_escaped_and_others_as_written() {
        assert_eq!(shown("v\u{200B}m"), "v\\u{200b}m");
        assert_eq!(shown("café-日"), "café-日");
    }

    #[test]
    fn control_zero_width_and_bidi_characters_are_unprintable() {
        for c in [
            '\n', '\u{7}', '\u{200B}', '\u{FEFF}', '\u{202E}', '\u{2066}',
        ] {
            assert!(unprintable(c).is_some(), "U+{:04X}", u32::from(c));
        }
        for c in ['a', 'Z', '-', '_', '.', 'é', '日'] {
            assert!(unprintable(c).is_none(), "{c}");
        }
    }
}
