//! Which backend of a pool a flow's hash picks: shared by new flows ([`super::balance`]) and
//! established ones ([`super::established`]), so that both pick alike.

use crate::model::WorkloadId;

/// The backend a flow with hash `hash` reaches among `healthy`, in declaration order.
pub(super) fn choose(healthy: &[WorkloadId], hash: u64) -> Option<WorkloadId> {
    let n = u64::try_from(healthy.len()).ok().filter(|n| *n > 0)?;
    let i = usize::try_from(hash % n).ok()?;
    healthy.get(i).copied()
}
