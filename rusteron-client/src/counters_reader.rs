//! `AeronCountersReader`: read access to the driver's counters (`aeron_counters_reader_t`), the
//! descriptors of its two buffers, and the `foreach` callback.

use crate::bindings;
use crate::error::AeronCError;
use crate::handler::Guarded;
use crate::resource::Dependency;
use crate::{Aeron, ManagedCResource};
use std::os::raw::{c_char, c_void};
use std::sync::atomic::{AtomicI64, Ordering};

crate::c_wrapper!(
    /// Reads the counters the media driver publishes in the CnC file (values, labels, keys,
    /// states). Borrowed from a client ([`Aeron::counters_reader`]) or a CnC file
    /// ([`crate::AeronCnc::counters_reader`]); it holds its owner, so it stays valid however long
    /// it is kept.
    ///
    /// Every call checks the counter id against [`max_counter_id`](Self::max_counter_id) and
    /// returns an error for ids out of range.
    ///
    /// Threads: `Send + Sync`: every read is a plain or acquire load from shared memory.
    AeronCountersReader => bindings::aeron_counters_reader_t
);
unsafe impl Send for AeronCountersReader {}
unsafe impl Sync for AeronCountersReader {}

crate::c_struct_wrapper!(
    /// Where the counters reader's two buffers are (`aeron_counters_reader_buffers_t`): the
    /// values buffer (one 128-byte [`AeronCounterValueDescriptor`] per counter) and the metadata
    /// buffer (one 512-byte [`AeronCounterMetadataDescriptor`] per counter).
    AeronCountersReaderBuffers => bindings::aeron_counters_reader_buffers_t
);
unsafe impl Send for AeronCountersReaderBuffers {}
unsafe impl Sync for AeronCountersReaderBuffers {}

impl AeronCountersReaderBuffers {
    /// Length in bytes of the values buffer.
    pub fn values_length(&self) -> usize {
        self.clone_struct().values_length
    }

    /// Length in bytes of the metadata buffer.
    pub fn metadata_length(&self) -> usize {
        self.clone_struct().metadata_length
    }
}

crate::c_struct_wrapper!(
    /// A copy of one counter's value record (`aeron_counter_value_descriptor_t`): value,
    /// registration id, owner id and reference id.
    AeronCounterValueDescriptor => bindings::aeron_counter_value_descriptor_t
);
unsafe impl Send for AeronCounterValueDescriptor {}
unsafe impl Sync for AeronCounterValueDescriptor {}

impl AeronCounterValueDescriptor {
    /// The counter's value when the copy was taken.
    pub fn counter_value(&self) -> i64 {
        self.clone_struct().counter_value
    }

    /// The registration id of the counter.
    pub fn registration_id(&self) -> i64 {
        self.clone_struct().registration_id
    }

    /// The id of the client that owns the counter.
    pub fn owner_id(&self) -> i64 {
        self.clone_struct().owner_id
    }

    /// The id of what the counter refers to (for example a publication's registration id).
    pub fn reference_id(&self) -> i64 {
        self.clone_struct().reference_id
    }
}

crate::c_struct_wrapper!(
    /// A copy of one counter's metadata record (`aeron_counter_metadata_descriptor_t`): state,
    /// type id, free-for-reuse deadline, key and label.
    AeronCounterMetadataDescriptor => bindings::aeron_counter_metadata_descriptor_t
);
unsafe impl Send for AeronCounterMetadataDescriptor {}
unsafe impl Sync for AeronCounterMetadataDescriptor {}

impl AeronCounterMetadataDescriptor {
    /// The record's state: `AERON_COUNTER_RECORD_UNUSED` (0), `_ALLOCATED` (1) or
    /// `_RECLAIMED` (-1).
    pub fn state(&self) -> i32 {
        self.clone_struct().state
    }

    /// The counter's type id.
    pub fn type_id(&self) -> i32 {
        self.clone_struct().type_id
    }

    /// Epoch ms after which a freed record may be reused.
    pub fn free_for_reuse_deadline_ms(&self) -> i64 {
        self.clone_struct().free_for_reuse_deadline_ms
    }

    /// The key bytes (the whole 112-byte area: the record does not store the key's length).
    pub fn key(&self) -> &[u8] {
        // SAFETY: a packed struct field read through a raw pointer; u8 arrays have alignment 1.
        unsafe { &*std::ptr::addr_of!((*self.get_inner()).key) }
    }

    /// The label (empty if it is not UTF-8).
    pub fn label(&self) -> &str {
        let d = self.clone_struct();
        let len = (d.label_length.max(0) as usize).min(d.label.len());
        // SAFETY: as in `key`; the length is clamped to the array.
        let bytes: &[u8] = unsafe { &*std::ptr::addr_of!((*self.get_inner()).label) };
        std::str::from_utf8(&bytes[..len]).unwrap_or("")
    }
}

/// Length of a counter's key area in bytes (`AERON_COUNTER_MAX_KEY_LENGTH`).
pub const AERON_COUNTER_MAX_KEY_LENGTH: usize = 112;
/// Length of a counter's label area in bytes (`AERON_COUNTER_MAX_LABEL_LENGTH`).
pub const AERON_COUNTER_MAX_LABEL_LENGTH: usize = 380;

impl Aeron {
    /// The client's counters reader (`aeron_counters_reader`). It holds this client, so it is
    /// valid for as long as it is kept.
    pub fn counters_reader(&self) -> AeronCountersReader {
        let ptr = unsafe { bindings::aeron_counters_reader(self.get_inner()) };
        AeronCountersReader::owned_by(ptr, self.as_dependency())
    }
}

impl AeronCountersReader {
    /// Wraps a reader that `owner` owns (a client, a CnC file): never freed by the wrapper,
    /// and `owner` stays alive while the wrapper does.
    pub(crate) fn owned_by(ptr: *mut bindings::aeron_counters_reader_t, owner: Dependency) -> Self {
        let m = ManagedCResource::from_raw(ptr, None);
        m.add_dependency(owner);
        unsafe { Self::from_managed(m) }
    }

    /// The largest counter id this reader can hold (`aeron_counters_reader_max_counter_id`).
    pub fn max_counter_id(&self) -> i32 {
        unsafe { bindings::aeron_counters_reader_max_counter_id(self.get_inner()) }
    }

    fn check_id(&self, counter_id: i32) -> Result<(), AeronCError> {
        let max = self.max_counter_id();
        if counter_id < 0 || counter_id > max {
            Err(AeronCError::with_message(libc::EINVAL, format!("counter id {counter_id} is out of range 0..={max}")))
        } else {
            Ok(())
        }
    }

    fn out_of_range(&self, counter_id: i32) -> AeronCError {
        self.check_id(counter_id).err().unwrap_or_else(|| AeronCError::with_message(-1, "counter read failed"))
    }

    /// Reads one metadata field of a counter through a C getter with an out parameter; an id
    /// outside the reader is an "out of range" error.
    fn read_field<T: Default>(
        &self,
        counter_id: i32,
        getter: unsafe extern "C" fn(*mut bindings::aeron_counters_reader_t, i32, *mut T) -> std::os::raw::c_int,
    ) -> Result<T, AeronCError> {
        let mut v = T::default();
        if unsafe { getter(self.get_inner(), counter_id, &mut v) } < 0 {
            Err(self.out_of_range(counter_id))
        } else {
            Ok(v)
        }
    }

    /// The address of a counter's value (`aeron_counters_reader_addr`).
    pub fn addr(&self, counter_id: i32) -> Result<*mut i64, AeronCError> {
        self.check_id(counter_id)?;
        Ok(unsafe { bindings::aeron_counters_reader_addr(self.get_inner(), counter_id) })
    }

    /// A counter's current value (acquire load).
    pub fn get_counter_value(&self, counter_id: i32) -> Result<i64, AeronCError> {
        let p = self.addr(counter_id)?;
        // SAFETY: in range, so inside the mapped values buffer; 8-byte aligned.
        Ok(unsafe { AtomicI64::from_ptr(p) }.load(Ordering::Acquire))
    }

    /// A counter's registration id (`aeron_counters_reader_counter_registration_id`).
    pub fn get_counter_registration_id(&self, counter_id: i32) -> Result<i64, AeronCError> {
        self.read_field(counter_id, bindings::aeron_counters_reader_counter_registration_id)
    }

    /// The id of the client that owns a counter (`aeron_counters_reader_counter_owner_id`).
    pub fn get_counter_owner_id(&self, counter_id: i32) -> Result<i64, AeronCError> {
        self.read_field(counter_id, bindings::aeron_counters_reader_counter_owner_id)
    }

    /// The id of what a counter refers to (`aeron_counters_reader_counter_reference_id`).
    pub fn get_counter_reference_id(&self, counter_id: i32) -> Result<i64, AeronCError> {
        self.read_field(counter_id, bindings::aeron_counters_reader_counter_reference_id)
    }

    /// A counter's record state (`aeron_counters_reader_counter_state`):
    /// `AERON_COUNTER_RECORD_UNUSED` (0), `_ALLOCATED` (1) or `_RECLAIMED` (-1).
    pub fn get_counter_state(&self, counter_id: i32) -> Result<i32, AeronCError> {
        self.read_field(counter_id, bindings::aeron_counters_reader_counter_state)
    }

    /// A counter's type id (`aeron_counters_reader_counter_type_id`).
    pub fn get_counter_type_id(&self, counter_id: i32) -> Result<i32, AeronCError> {
        self.read_field(counter_id, bindings::aeron_counters_reader_counter_type_id)
    }

    /// Epoch ms after which a freed counter record may be reused
    /// (`aeron_counters_reader_free_for_reuse_deadline_ms`).
    pub fn get_free_for_reuse_deadline_ms(&self, counter_id: i32) -> Result<i64, AeronCError> {
        self.read_field(counter_id, bindings::aeron_counters_reader_free_for_reuse_deadline_ms)
    }

    /// A copy of a counter's key area (`aeron_counters_reader_metadata_key`): all 112 bytes.
    ///
    /// A copy, not a slice: the key lives in memory the media driver rewrites (when the record
    /// is freed and reused for another counter), and a `&[u8]` into it would promise bytes that
    /// never change.
    ///
    /// ```compile_fail,E0515
    /// // The key is owned: no borrow of the reader's shared memory escapes.
    /// fn key_slice(reader: &rusteron_client::AeronCountersReader) -> &[u8] {
    ///     &reader.get_counter_key(0).unwrap()[..]
    /// }
    /// ```
    pub fn get_counter_key(&self, counter_id: i32) -> Result<[u8; AERON_COUNTER_MAX_KEY_LENGTH], AeronCError> {
        let mut p: *mut u8 = std::ptr::null_mut();
        let rc = unsafe { bindings::aeron_counters_reader_metadata_key(self.get_inner(), counter_id, &mut p) };
        if rc < 0 || p.is_null() {
            return Err(self.out_of_range(counter_id));
        }
        // SAFETY: the key area is AERON_COUNTER_MAX_KEY_LENGTH bytes in the mapped metadata buffer.
        Ok(unsafe { copy_shared(p) })
    }

    /// A counter's label, copied (`aeron_counters_reader_counter_label`).
    pub fn get_counter_label(&self, counter_id: i32) -> Result<String, AeronCError> {
        let mut buf = [0u8; AERON_COUNTER_MAX_LABEL_LENGTH];
        let rc = unsafe {
            bindings::aeron_counters_reader_counter_label(
                self.get_inner(),
                counter_id,
                buf.as_mut_ptr() as *mut c_char,
                buf.len(),
            )
        };
        if rc < 0 {
            return Err(self.out_of_range(counter_id));
        }
        Ok(String::from_utf8_lossy(&buf[..rc as usize]).into_owned())
    }

    /// A copy of a counter's value record.
    pub fn get_counter_value_descriptor(&self, counter_id: i32) -> Result<AeronCounterValueDescriptor, AeronCError> {
        let b = self.get_buffers()?;
        self.check_id(counter_id)?;
        let size = std::mem::size_of::<bindings::aeron_counter_value_descriptor_t>();
        let offset = counter_id as usize * size;
        if offset + size > b.values_length() {
            return Err(self.out_of_range(counter_id));
        }
        // SAFETY: bounds checked against the values buffer; read unaligned (packed struct).
        let d = unsafe {
            std::ptr::read_unaligned(b.values.add(offset) as *const bindings::aeron_counter_value_descriptor_t)
        };
        Ok(AeronCounterValueDescriptor::from_value(d))
    }

    /// A copy of a counter's metadata record.
    pub fn get_counter_metadata_descriptor(
        &self,
        counter_id: i32,
    ) -> Result<AeronCounterMetadataDescriptor, AeronCError> {
        let b = self.get_buffers()?;
        self.check_id(counter_id)?;
        let size = std::mem::size_of::<bindings::aeron_counter_metadata_descriptor_t>();
        let offset = counter_id as usize * size;
        if offset + size > b.metadata_length() {
            return Err(self.out_of_range(counter_id));
        }
        // SAFETY: bounds checked against the metadata buffer.
        let d = unsafe {
            std::ptr::read_unaligned(b.metadata.add(offset) as *const bindings::aeron_counter_metadata_descriptor_t)
        };
        Ok(AeronCounterMetadataDescriptor::from_value(d))
    }

    /// The reader's buffers (`aeron_counters_reader_get_buffers`).
    pub fn get_buffers(&self) -> Result<AeronCountersReaderBuffers, AeronCError> {
        let b = AeronCountersReaderBuffers::new_zeroed();
        crate::error::check(unsafe { bindings::aeron_counters_reader_get_buffers(self.get_inner(), b.get_inner()) })?;
        Ok(b)
    }

    /// The id of the allocated counter with this type id and registration id
    /// (`aeron_counters_reader_find_by_type_id_and_registration_id`), if there is one.
    pub fn find_by_type_id_and_registration_id(&self, type_id: i32, registration_id: i64) -> Option<i32> {
        let id = unsafe {
            bindings::aeron_counters_reader_find_by_type_id_and_registration_id(
                self.get_inner(),
                type_id,
                registration_id,
            )
        };
        if id == bindings::AERON_NULL_COUNTER_ID {
            None
        } else {
            Some(id)
        }
    }

    /// Calls `handler` for every allocated counter (`aeron_counters_reader_foreach_counter`).
    /// A panic in the handler stops the walk and is resumed here once C has returned.
    pub fn foreach_counter<H: AeronCountersReaderForeachCounterFuncCallback + ?Sized>(&self, handler: &mut H) {
        Guarded::run(handler, |clientd| unsafe {
            bindings::aeron_counters_reader_foreach_counter(
                self.get_inner(),
                Some(foreach_counter_trampoline::<H>),
                clientd,
            )
        });
    }

    /// [`foreach_counter`](Self::foreach_counter) with a closure
    /// `|value, id, type_id, key, label|`.
    pub fn foreach_counter_once<F: FnMut(i64, i32, i32, &[u8], &str)>(&self, mut f: F) {
        self.foreach_counter(&mut f)
    }
}

/// Called by [`AeronCountersReader::foreach_counter`] for each allocated counter
/// (`aeron_counters_reader_foreach_counter_func_t`).
pub trait AeronCountersReaderForeachCounterFuncCallback {
    /// One counter: its value, id, type id, key bytes and label.
    fn handle_aeron_counters_reader_foreach_counter_func(
        &mut self,
        value: i64,
        id: i32,
        type_id: i32,
        key: &[u8],
        label: &str,
    );
}

/// Logs each counter (id, type id, value, label) at `debug` level (through the `log` crate).
#[derive(Debug, Default, Clone, Copy)]
pub struct AeronCountersReaderForeachCounterFuncLogger;

impl AeronCountersReaderForeachCounterFuncCallback for AeronCountersReaderForeachCounterFuncLogger {
    fn handle_aeron_counters_reader_foreach_counter_func(
        &mut self,
        value: i64,
        id: i32,
        type_id: i32,
        _key: &[u8],
        label: &str,
    ) {
        log::debug!("counter {id} (type {type_id}) = {value}: {label}");
    }
}

impl<F: FnMut(i64, i32, i32, &[u8], &str)> AeronCountersReaderForeachCounterFuncCallback for F {
    fn handle_aeron_counters_reader_foreach_counter_func(
        &mut self,
        value: i64,
        id: i32,
        type_id: i32,
        key: &[u8],
        label: &str,
    ) {
        self(value, id, type_id, key, label)
    }
}

#[allow(clippy::too_many_arguments)]
unsafe extern "C" fn foreach_counter_trampoline<H: AeronCountersReaderForeachCounterFuncCallback + ?Sized>(
    value: i64,
    id: i32,
    type_id: i32,
    key: *const u8,
    key_length: usize,
    label: *const c_char,
    label_length: usize,
    clientd: *mut c_void,
) {
    Guarded::<H>::call(clientd, (), |h| {
        // Copies, not slices into the metadata record: the driver rewrites a record when it is
        // freed and reused, and the lengths come from the record itself (a corrupted file may
        // hold any): each is clamped to its area.
        let key_copy: [u8; AERON_COUNTER_MAX_KEY_LENGTH] =
            if key.is_null() { [0; AERON_COUNTER_MAX_KEY_LENGTH] } else { copy_shared(key) };
        let label_copy: [u8; AERON_COUNTER_MAX_LABEL_LENGTH] =
            if label.is_null() { [0; AERON_COUNTER_MAX_LABEL_LENGTH] } else { copy_shared(label as *const u8) };
        let key = &key_copy[..key_length.min(AERON_COUNTER_MAX_KEY_LENGTH)];
        let label = &label_copy[..label_length.min(AERON_COUNTER_MAX_LABEL_LENGTH)];
        h.handle_aeron_counters_reader_foreach_counter_func(
            value,
            id,
            type_id,
            key,
            std::str::from_utf8(label).unwrap_or(""),
        )
    })
}

/// A copy of `N` bytes of memory another process may write at any time (the driver's counters
/// metadata): read with volatile loads, so the compiler neither assumes the bytes are stable
/// nor reads them again later.
///
/// # Safety
/// `src` must point to `N` readable bytes.
#[inline]
pub(crate) unsafe fn copy_shared<const N: usize>(src: *const u8) -> [u8; N] {
    let mut out = [0u8; N];
    for (i, b) in out.iter_mut().enumerate() {
        *b = std::ptr::read_volatile(src.add(i));
    }
    out
}
