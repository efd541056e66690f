//! The mapping from a trace's verdict to the verdict vocabulary scenarios write.

use crate::scenario::VerdictName;
use crate::trace::Verdict;

/// The name a scenario gives `verdict`: the variant without its details ([`Verdict::kind`]).
pub fn verdict_name(verdict: &Verdict) -> VerdictName {
    verdict.kind()
}
