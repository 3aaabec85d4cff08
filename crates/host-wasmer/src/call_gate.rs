//! [`CallGate`]: whether the host functions of one instance take calls
//! now, and if not, why.

use crate::HostError;

/// Whether the host functions of one instance take calls now.
///
/// Three things close the gate, each a bit of one byte, so that admitting
/// a call is one test: the instance is still being instantiated (its start
/// function called an import), a host function is already running (the
/// guest re-entered the host from `cabi_realloc`), or the instance was
/// torn down, for good.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct CallGate(u8);

impl CallGate {
    const STARTING: u8 = 1;
    const BUSY: u8 = 1 << 1;
    const TORN_DOWN: u8 = 1 << 2;

    /// The gate of an instance being instantiated: closed until
    /// [`CallGate::open`].
    pub(crate) const fn starting() -> Self {
        Self(Self::STARTING)
    }

    /// Instantiation has finished.
    pub(crate) fn open(&mut self) {
        self.0 &= !Self::STARTING;
    }

    /// Marks a host function as running, or as done.
    #[inline]
    pub(crate) fn set_busy(&mut self, busy: bool) {
        if busy {
            self.0 |= Self::BUSY;
        } else {
            self.0 &= !Self::BUSY;
        }
    }

    /// Closes the gate for good: the instance was torn down.
    pub(crate) fn tear_down(&mut self) {
        self.0 |= Self::TORN_DOWN;
    }

    /// Whether the instance was torn down.
    pub(crate) fn is_torn_down(self) -> bool {
        self.0 & Self::TORN_DOWN != 0
    }

    /// Whether a call is admitted now.
    #[inline(always)]
    pub(crate) fn admits(self) -> bool {
        self.0 == 0
    }

    /// Why a call is refused now (teardown first, then instantiation, then
    /// re-entry), or `None` if it is admitted.
    pub(crate) fn refusal(self) -> Option<HostError> {
        if self.is_torn_down() {
            Some(HostError::TornDown)
        } else if self.0 & Self::STARTING != 0 {
            Some(HostError::NotReady)
        } else if self.0 & Self::BUSY != 0 {
            Some(HostError::Reentrant)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CallGate;
    use crate::HostError;

    #[test]
    fn closed_while_starting_then_open() {
        let mut gate = CallGate::starting();
        assert!(!gate.admits());
        assert!(matches!(gate.refusal(), Some(HostError::NotReady)));
        gate.open();
        assert!(gate.admits());
        assert!(gate.refusal().is_none());
    }

    #[test]
    fn busy_refuses_reentry_until_done() {
        let mut gate = CallGate::starting();
        gate.open();
        gate.set_busy(true);
        assert!(matches!(gate.refusal(), Some(HostError::Reentrant)));
        gate.set_busy(false);
        assert!(gate.admits());
    }

    #[test]
    fn teardown_is_for_good_and_named_first() {
        let mut gate = CallGate::starting();
        gate.set_busy(true);
        gate.tear_down();
        assert!(gate.is_torn_down());
        assert!(matches!(gate.refusal(), Some(HostError::TornDown)));
        gate.open();
        gate.set_busy(false);
        assert!(!gate.admits());
        assert!(matches!(gate.refusal(), Some(HostError::TornDown)));
    }
}
