//! A gate's remote backend: where a fleet-wide pool's permits live (feature `redis`).
//!
//! A gate with a backend admits a call in two steps: a permit of its own first (so one process
//! never has more than the pool's capacity waiting on the backend), then a lease of the
//! backend's, held while the call runs. Without the feature, a gate has no backend and this is
//! empty.

#[cfg(feature = "redis")]
pub(crate) mod redis;

/// A lease of a backend, held by an admitted call: none without the feature.
#[cfg(feature = "redis")]
pub(crate) use redis::{Lease, Leasing};
#[cfg(not(feature = "redis"))]
pub(crate) type Lease = std::convert::Infallible;
#[cfg(not(feature = "redis"))]
pub(crate) type Leasing = std::convert::Infallible;
/// Whether a call's attempts to reach its backend are failing.
#[cfg(feature = "redis")]
pub(crate) type Failing = std::sync::Arc<std::sync::atomic::AtomicBool>;
#[cfg(not(feature = "redis"))]
pub(crate) type Failing = std::convert::Infallible;

/// A gate's backend, if it has one: declared by [`Gate::with_redis`](crate::Gate), connected at
/// run time by the pool's `connect`.
#[derive(Debug)]
pub(crate) struct Remote {
    /// The lease of a gate declared with a Redis backend.
    #[cfg(feature = "redis")]
    lease: Option<std::time::Duration>,
    /// Set by `connect`, once, to a backend that lives as long as the program (a gate with a
    /// backend is a pool's `static`).
    #[cfg(feature = "redis")]
    leases: crate::leaked::Leaked<redis::Leases>,
}

impl Remote {
    /// No backend.
    pub(crate) const fn none() -> Self {
        Remote {
            #[cfg(feature = "redis")]
            lease: None,
            #[cfg(feature = "redis")]
            leases: crate::leaked::Leaked::new(),
        }
    }

    /// A Redis backend whose permits are leases of `lease`, to be connected.
    #[cfg(feature = "redis")]
    pub(crate) const fn redis(lease: std::time::Duration) -> Self {
        Remote {
            lease: Some(lease),
            leases: crate::leaked::Leaked::new(),
        }
    }

    /// Whether the gate was declared with a backend.
    #[cfg(feature = "redis")]
    #[inline]
    pub(crate) fn declared(&self) -> bool {
        self.lease.is_some()
    }

    /// The declared lease, if any.
    #[cfg(feature = "redis")]
    pub(crate) fn lease(&self) -> Option<std::time::Duration> {
        self.lease
    }

    /// The connected backend, if `connect` succeeded.
    #[cfg(feature = "redis")]
    pub(crate) fn leases(&self) -> Option<&'static redis::Leases> {
        self.leases.get()
    }

    /// Connects the backend, once: `None` (and `leases` is dropped) when it already was.
    #[cfg(feature = "redis")]
    pub(crate) fn set(&self, leases: Box<redis::Leases>) -> Option<&'static redis::Leases> {
        self.leases.set(leases).ok()
    }
}
