//! `AeronCounter`: a counter this client allocated in the driver (`aeron_counter_t`).

use crate::bindings;

crate::c_wrapper!(
    /// A counter allocated by this client, freed when the last clone drops.
    ///
    /// Threads: `Send + Sync`: the value is an atomic 64-bit slot in shared memory.
    AeronCounter => bindings::aeron_counter_t
);
unsafe impl Send for AeronCounter {}
unsafe impl Sync for AeronCounter {}
