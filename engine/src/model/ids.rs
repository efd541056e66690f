//! Typed ids and the vectors they index. Only `model` mints ids: an id in circulation was made
//! by resolving a document, so it names something that exists.

use std::fmt;
use std::marker::PhantomData;

/// The permission to mint an id from a number; only `model` can make one.
#[derive(Clone, Copy, Debug)]
pub struct Mint(());

/// The one [`Mint`], for `model`'s own use.
pub(in crate::model) const MINT: Mint = Mint(());

/// A typed index into one of [`super::Network`]'s vectors.
pub trait Id: Copy {
    /// The position it stands for, for rendering and sorting.
    fn index(self) -> usize;
    /// The id at position `index`; needs a [`Mint`], which only `model` holds.
    fn mint(index: usize, mint: Mint) -> Self;
}

macro_rules! id {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
        pub struct $name(pub(in crate::model) usize);

        impl $name {
            /// The position it stands for, for rendering and sorting.
            pub fn index(self) -> usize {
                self.0
            }

            /// The id at position `index`, for unit tests that need an id without a network.
            #[cfg(test)]
            #[allow(dead_code)]
            pub(crate) fn for_test(index: usize) -> Self {
                Self(index)
            }
        }

        impl Id for $name {
            fn index(self) -> usize {
                self.0
            }
            fn mint(index: usize, _: Mint) -> Self {
                Self(index)
            }
        }
    )*};
}

id!(
    /// Index of a VNet in [`super::Network::vnets`].
    VnetId,
    /// Index of a subnet in [`super::Network::subnets`].
    SubnetId,
    /// Index of a route table in [`super::Network::route_tables`].
    RouteTableId,
    /// Index of a peering in [`super::Network::peerings`].
    PeeringId,
    /// Index of a gateway in [`super::Network::gateways`].
    GatewayId,
    /// Index of a private endpoint in [`super::Network::private_endpoints`].
    PrivateEndpointId,
    /// Index of a workload in [`super::Network::workloads`].
    WorkloadId,
    /// Index of an NSG in [`super::Network::nsgs`].
    NsgId,
    /// Index of a firewall in [`super::Network::firewalls`].
    FirewallId,
    /// Index of a virtual hub in [`super::Network::virtual_hubs`].
    VirtualHubId,
    /// Index of a service in [`super::Network::services`].
    ServiceId,
    /// Index of a private DNS zone in [`super::Dns::zones`].
    ZoneId,
    /// Index of an on-premises site in [`super::Network::sites`].
    OnPremSiteId,
    /// Index of a load balancer in [`super::Network::load_balancers`].
    LoadBalancerId,
    /// Index of a NAT gateway in [`super::Network::nat_gateways`].
    NatGatewayId,
);

/// A vector indexed by a typed id `I`. Only `model` adds to it, so the ids it hands out are
/// the only ones there are.
pub struct IdVec<I, T> {
    items: Vec<T>,
    id: PhantomData<fn() -> I>,
}

impl<I: Id, T> IdVec<I, T> {
    /// An empty vector.
    pub fn new() -> Self {
        Self {
            items: Vec::new(),
            id: PhantomData,
        }
    }

    /// The element with id `id`.
    pub fn get(&self, id: I) -> Option<&T> {
        self.items.get(id.index())
    }

    /// The element with id `id`, to change it while resolving.
    pub(in crate::model) fn get_mut(&mut self, id: I) -> Option<&mut T> {
        self.items.get_mut(id.index())
    }

    /// Adds `item` and returns its id.
    pub(in crate::model) fn push(&mut self, item: T) -> I {
        let id = I::mint(self.items.len(), MINT);
        self.items.push(item);
        id
    }

    /// The elements, in id order.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }

    /// The elements, to change them in place; nothing is added or removed, so every id stays
    /// valid.
    pub fn iter_mut(&mut self) -> std::slice::IterMut<'_, T> {
        self.items.iter_mut()
    }

    /// The elements with their ids, in id order.
    pub fn iter_ids(&self) -> impl DoubleEndedIterator<Item = (I, &T)> + ExactSizeIterator + Clone {
        self.items
            .iter()
            .enumerate()
            .map(|(i, t)| (I::mint(i, MINT), t))
    }

    /// Every id, in order.
    pub fn ids(&self) -> impl DoubleEndedIterator<Item = I> + ExactSizeIterator + Clone {
        (0..self.items.len()).map(|i| I::mint(i, MINT))
    }

    /// The first element's id whose element satisfies `pred`.
    pub fn position(&self, pred: impl FnMut(&T) -> bool) -> Option<I> {
        self.items.iter().position(pred).map(|i| I::mint(i, MINT))
    }

    /// The first element.
    pub fn first(&self) -> Option<&T> {
        self.items.first()
    }

    /// The last element.
    pub fn last(&self) -> Option<&T> {
        self.items.last()
    }

    /// How many elements.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The elements as a slice, in id order.
    pub fn as_slice(&self) -> &[T] {
        &self.items
    }
}

impl<I: Id, T> Default for IdVec<I, T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<I, T: Clone> Clone for IdVec<I, T> {
    fn clone(&self) -> Self {
        Self {
            items: self.items.clone(),
            id: PhantomData,
        }
    }
}

impl<I, T: fmt::Debug> fmt::Debug for IdVec<I, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.items.fmt(f)
    }
}

impl<'a, I: Id, T> IntoIterator for &'a IdVec<I, T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl<I: Id, T> IntoIterator for IdVec<I, T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}
