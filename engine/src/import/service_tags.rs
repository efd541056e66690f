//! The ranges of the service tags an import declared, from Microsoft's weekly "Azure IP Ranges
//! and Service Tags – Public" download or the output of `az network list-service-tags` (one
//! format: `changeNumber`, `cloud`, and `values[]` with `name` and
//! `properties.addressPrefixes`; "Discover service tags by using downloadable JSON files",
//! <https://learn.microsoft.com/azure/virtual-network/service-tags-overview#discover-service-tags-by-using-downloadable-json-files>).
//!
//! The ranges change every week, so the file's `changeNumber` and cloud are stated as an
//! assumption. IPv4 prefixes only (azpath models IPv4): each tag's IPv6 prefixes are listed as
//! left out with their count; a tag the file does not hold stays listed.

use std::collections::BTreeMap;

use ipnet::IpNet;
use serde::Deserialize;

use super::{Imported, Section};
use crate::diag::{Located, Severity};
use crate::scenario::Text;
use crate::span::SourceFile;

/// The download's top level; fields the file has besides these are not read.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TagsFile {
    /// A number in the download, a string in `az network list-service-tags` output.
    change_number: serde_json::Value,
    cloud: String,
    values: Vec<TagEntry>,
}

#[derive(Deserialize)]
struct TagEntry {
    name: String,
    properties: TagProperties,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TagProperties {
    address_prefixes: Vec<String>,
}

/// What filling did, for the summary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filled {
    /// Tags given their IPv4 prefixes.
    pub filled: usize,
    /// Tags the file does not hold (still listed as left out).
    pub missing: Vec<String>,
}

/// Gives each service tag `imported` declared the IPv4 prefixes `text` (the file `file`) lists
/// for it, and records where they came from.
pub fn fill_service_tags(
    imported: &mut Imported,
    file: &str,
    text: &str,
) -> Result<Filled, Located> {
    let source = crate::input::strip_bom(text);
    const HINT: &str = "give Microsoft's weekly \"Service Tags – Public\" JSON download or the output of `az network list-service-tags --location REGION`";
    // serde would read an array as the object's fields in order: refuse it as what it is.
    let rest = source.trim_start();
    if !rest.is_empty() && !rest.starts_with('{') {
        let at = source.len().saturating_sub(rest.len());
        let (line, column) = SourceFile::new(file, source).line_col(at);
        return Err(located(
            file,
            line,
            column,
            "not a Service Tags file: it is not a JSON object with `changeNumber`, `cloud` and `values`".into(),
            HINT,
        ));
    }
    let parsed: TagsFile = serde_json::from_str(source).map_err(|e| {
        let at = crate::input::json_error_offset(source, &e);
        let (line, column) = SourceFile::new(file, source).line_col(at);
        located(
            file,
            line,
            column,
            format!("not a Service Tags file: {e}"),
            HINT,
        )
    })?;
    let change_number = match &parsed.change_number {
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::String(s) => s.clone(),
        other => {
            let (line, column) = position_of(file, source, "changeNumber");
            return Err(located(
                file,
                line,
                column,
                format!("not a Service Tags file: `changeNumber` is {other}, not a number"),
                HINT,
            ));
        }
    };
    let by_name: BTreeMap<String, (usize, &TagEntry)> = parsed
        .values
        .iter()
        .enumerate()
        .rev()
        .map(|(i, e)| (e.name.to_lowercase(), (i, e)))
        .collect();
    let dated = format!(
        "{file} (changeNumber {change_number}, cloud `{}`)",
        parsed.cloud
    );
    let mut out = Filled::default();
    let notes = &mut imported.notes;
    for tag in &mut imported.document.service_tags {
        let name = tag.name.value.clone();
        let listed = format!("prefixes of service tag `{name}`");
        let Some((i, entry)) = by_name.get(&name.to_lowercase()) else {
            for s in notes.skipped.iter_mut().filter(|s| s.what == listed) {
                s.reason = format!("not in the input nor in {dated}, so rules naming the tag match nothing and routes naming it cover no address");
            }
            out.missing.push(name);
            continue;
        };
        let (mut v4, mut v6) = (Vec::new(), 0usize);
        for (j, p) in entry.properties.address_prefixes.iter().enumerate() {
            match p.trim().parse::<IpNet>() {
                Ok(IpNet::V4(net)) if net.trunc() == net => v4.push(Text::new(net.to_string())),
                Ok(IpNet::V6(_)) => v6 += 1,
                _ => {
                    let (line, column) = position_of(file, source, p);
                    return Err(located(
                        file,
                        line,
                        column,
                        format!("`/values/{i}/properties/addressPrefixes/{j}` is `{p}`, not an address prefix with its host bits clear (service tag `{}`)", entry.name),
                        "the file is not as Microsoft publishes it: download it again",
                    ));
                }
            }
        }
        if v6 > 0 {
            let what = format!("IPv6 prefixes of service tag `{name}`");
            let why = format!("{v6} IPv6 prefix(es) in {dated}: azpath models IPv4 only");
            notes.comment(Section::ServiceTag, &name, format!("{what}: {why}"));
            notes.skip(what, why);
        }
        if v4.is_empty() {
            out.missing.push(name);
            continue;
        }
        tag.prefixes = v4;
        out.filled += 1;
        notes.skipped.retain(|s| s.what != listed);
        if let Some(lines) = notes.comments.get_mut(&(Section::ServiceTag, name.clone())) {
            lines.retain(|l| !l.starts_with(&listed));
        }
        notes.comment(
            Section::ServiceTag,
            &name,
            format!("IPv4 prefixes from {dated}"),
        );
    }
    notes.skipped.sort();
    notes.assumptions.push(format!(
        "service tag prefixes are those of {dated}: Azure changes them weekly, so they hold as of that file"
    ));
    Ok(out)
}

fn located(file: &str, line: usize, column: usize, message: String, hint: &str) -> Located {
    Located {
        file: file.to_string(),
        line,
        column,
        severity: Severity::Error,
        message,
        hint: Some(hint.to_string()),
    }
}

/// Where the string `value` is first written in `text` (line 1, column 1 when not found).
fn position_of(file: &str, text: &str, value: &str) -> (usize, usize) {
    let quoted = serde_json::to_string(value).unwrap_or_default();
    match text.find(&quoted) {
        Some(at) => SourceFile::new(file, text).line_col(at),
        None => (1, 1),
    }
}
