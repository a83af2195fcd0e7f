//! `AeronCountersReader`: read access to the driver's counters (`aeron_counters_reader_t`).

use crate::bindings;

crate::c_wrapper!(
    /// Reads the counters the media driver publishes in the CnC file (values, labels, keys,
    /// states). Borrowed from a client ([`crate::Aeron::counters_reader`]) or a CnC file
    /// ([`crate::AeronCnc`]); it keeps its owner alive.
    ///
    /// Threads: `Send + Sync`: every read is a plain or acquire load from shared memory.
    AeronCountersReader => bindings::aeron_counters_reader_t
);
unsafe impl Send for AeronCountersReader {}
unsafe impl Sync for AeronCountersReader {}
