//! `AeronCnc`: read-only access to a media driver's command-and-control file (`aeron_cnc_t`):
//! its constants, heartbeat, counters, error log and loss report. Also the error log writer
//! (`AeronErrorLogger`) and the C structs behind error and loss records.

use crate::bindings;
use crate::counters_reader::AeronCountersReader;
use crate::error::{check, AeronCError};
use crate::handler::Guarded;
use crate::strings::{c_bytes_to_str, c_str_to_str};
use crate::ManagedCResource;
use std::ffi::CStr;
use std::os::raw::{c_char, c_void};
use std::time::Duration;

crate::c_wrapper!(
    /// A media driver's CnC file, mapped read-only (`aeron_cnc_init`), unmapped when the last
    /// clone drops (`aeron_cnc_close`). Monitoring tools use it to see a driver without being
    /// a client of it.
    ///
    /// Threads: `Send + Sync`: every call reads the mapped file.
    AeronCnc => bindings::aeron_cnc_t
);
unsafe impl Send for AeronCnc {}
unsafe impl Sync for AeronCnc {}

crate::c_struct_wrapper!(
    /// The constants of a CnC file (`aeron_cnc_constants_t`): version, buffer lengths, client
    /// liveness timeout, driver start time and pid.
    AeronCncConstants => bindings::aeron_cnc_constants_t
);
unsafe impl Send for AeronCncConstants {}
unsafe impl Sync for AeronCncConstants {}

impl AeronCncConstants {
    /// The CnC layout version (semantic version packed in an int).
    pub fn cnc_version(&self) -> i32 {
        self.clone_struct().cnc_version
    }
    /// The driver's process id.
    pub fn pid(&self) -> i64 {
        self.clone_struct().pid
    }
    /// When the driver started, epoch ms.
    pub fn start_timestamp(&self) -> i64 {
        self.clone_struct().start_timestamp
    }
    /// How long a client may go without a heartbeat before the driver drops it, in ns.
    pub fn client_liveness_timeout(&self) -> i64 {
        self.clone_struct().client_liveness_timeout
    }
    /// Length of the counters values buffer in bytes.
    pub fn counter_values_buffer_length(&self) -> i32 {
        self.clone_struct().counter_values_buffer_length
    }
    /// Length of the error log buffer in bytes.
    pub fn error_log_buffer_length(&self) -> i32 {
        self.clone_struct().error_log_buffer_length
    }
}

crate::c_struct_wrapper!(
    /// The header of a CnC file as the driver lays it out (`aeron_cnc_metadata_t`).
    AeronCncMetadata => bindings::aeron_cnc_metadata_t
);
unsafe impl Send for AeronCncMetadata {}
unsafe impl Sync for AeronCncMetadata {}

impl AeronCncMetadata {
    /// The CnC version, read with acquire ordering (`aeron_cnc_version_volatile`): 0 while the
    /// driver is still writing the file.
    pub fn version_volatile(&self) -> i32 {
        unsafe { bindings::aeron_cnc_version_volatile(self.get_inner()) }
    }
}

/// One distinct error from a driver's error log: how often it was seen, when first and last,
/// and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AeronError {
    /// How many times this error was observed.
    pub observation_count: i32,
    /// Epoch ms of the first observation.
    pub first_observation_timestamp: i64,
    /// Epoch ms of the last observation.
    pub last_observation_timestamp: i64,
    /// The error text (code and message, as the driver recorded it).
    pub message: String,
}

impl AeronCnc {
    /// Maps the CnC file in `aeron_dir`, waiting up to `timeout` for the driver to have
    /// written it (`aeron_cnc_init`). Fails with Aeron's message if there is no driver there.
    /// `Duration::MAX` waits as long as possible ([`C_DURATION_MAX`](crate::C_DURATION_MAX)); a
    /// directory longer than [`AERON_DIR_MAX_LENGTH`](crate::AERON_DIR_MAX_LENGTH) is refused.
    pub fn new(aeron_dir: &CStr, timeout: Duration) -> Result<Self, AeronCError> {
        crate::limits::check_dir("AeronCnc::new", "aeron_dir", aeron_dir)?;
        let timeout_ms = crate::duration_to_c_millis(timeout) as i64;
        let m = ManagedCResource::new(
            |p| unsafe { bindings::aeron_cnc_init(p, aeron_dir.as_ptr(), timeout_ms) },
            Some(Box::new(|p| {
                unsafe { bindings::aeron_cnc_close(p) };
                0
            })),
        )?;
        let cnc = unsafe { Self::from_managed(m) };
        let layout = CncLayout::of(&cnc)?;
        cnc.keep_alive(std::sync::Arc::new(layout));
        Ok(cnc)
    }

    /// Where this file's error log is, fixed when it was mapped.
    fn layout(&self) -> Option<CncLayout> {
        let m = self.resource().managed()?;
        m.dependencies().iter().find_map(|d| d.downcast_ref::<CncLayout>().cloned())
    }

    /// The file's constants (`aeron_cnc_constants`).
    pub fn get_constants(&self) -> Result<AeronCncConstants, AeronCError> {
        let c = AeronCncConstants::new_zeroed();
        check(unsafe { bindings::aeron_cnc_constants(self.get_inner(), c.get_inner()) })?;
        Ok(c)
    }

    /// The CnC file's path (`aeron_cnc_filename`).
    pub fn filename(&self) -> &str {
        unsafe { c_str_to_str(bindings::aeron_cnc_filename(self.get_inner())) }
    }

    /// Epoch ms of the last heartbeat any client sent the driver (`aeron_cnc_to_driver_heartbeat`).
    pub fn to_driver_heartbeat(&self) -> i64 {
        unsafe { bindings::aeron_cnc_to_driver_heartbeat(self.get_inner()) }
    }

    /// The driver's counters (`aeron_cnc_counters_reader`). The reader holds this CnC mapping.
    pub fn counters_reader(&self) -> AeronCountersReader {
        let ptr = unsafe { bindings::aeron_cnc_counters_reader(self.get_inner()) };
        AeronCountersReader::owned_by(ptr, self.as_dependency())
    }

    /// Calls `handler` for each distinct error observed since `since_timestamp` (epoch ms; 0
    /// for all) and returns how many there were.
    ///
    /// Read in Rust, not by C's `aeron_cnc_error_log_read`: the file is another process's (or
    /// any file at all: `new` takes any directory), so every record length is checked against
    /// the error log's bounds before anything is read, and each message is copied out of the
    /// mapping. The walk stops at the first record that does not fit (logged at `warn`).
    pub fn error_log_read<H: AeronErrorLogReaderFuncCallback + ?Sized>(
        &self,
        handler: &mut H,
        since_timestamp: i64,
    ) -> usize {
        let Some(layout) = self.layout() else { return 0 };
        // SAFETY: `layout` describes a part of this CnC mapping (checked against the file's
        // length when it was mapped), which `self` keeps mapped.
        unsafe { read_error_log(layout.error_log as *const u8, layout.error_log_length, handler, since_timestamp) }
    }

    /// [`error_log_read`](Self::error_log_read) with a closure
    /// `|observation_count, first_timestamp, last_timestamp, message|`.
    pub fn error_log_read_once<F: FnMut(i32, i64, i64, &str)>(&self, mut f: F, since_timestamp: i64) -> usize {
        self.error_log_read(&mut f, since_timestamp)
    }

    /// The distinct errors observed since `since_timestamp` (epoch ms; 0 for all), copied.
    pub fn errors(&self, since_timestamp: i64) -> Vec<AeronError> {
        let mut v = Vec::new();
        self.error_log_read_once(
            |count, first, last, msg| {
                v.push(AeronError {
                    observation_count: count,
                    first_observation_timestamp: first,
                    last_observation_timestamp: last,
                    message: msg.to_string(),
                })
            },
            since_timestamp,
        );
        v
    }

    /// Calls `handler` for each loss observation in the driver's loss report
    /// (`loss-report.dat` next to the CnC file); returns how many there were.
    ///
    /// Read in Rust from a copy of the file, not by C's `aeron_cnc_loss_reporter_read`: every
    /// length in a record is checked against the file before it is used, and the walk stops at
    /// the first record that does not fit (logged at `warn`). A missing file is an error.
    pub fn loss_reporter_read<H: AeronLossReporterReadEntryFuncCallback + ?Sized>(
        &self,
        handler: &mut H,
    ) -> Result<i32, AeronCError> {
        let cnc_file = std::path::PathBuf::from(self.filename());
        let path = cnc_file.parent().map(|d| d.join("loss-report.dat")).unwrap_or_else(|| "loss-report.dat".into());
        let bytes = std::fs::read(&path).map_err(|e| {
            AeronCError::with_message(
                e.raw_os_error().unwrap_or(libc::EIO),
                format!("loss report {} could not be read: {e}", path.display()),
            )
        })?;
        Ok(read_loss_report(&bytes, handler) as i32)
    }

    /// [`loss_reporter_read`](Self::loss_reporter_read) with a closure taking
    /// `(observation_count, total_bytes_lost, first_ts, last_ts, session_id, stream_id, channel, source)`.
    #[allow(clippy::type_complexity)]
    pub fn loss_reporter_read_once<F: FnMut(i64, i64, i64, i64, i32, i32, &str, &str)>(
        &self,
        mut f: F,
    ) -> Result<i32, AeronCError> {
        self.loss_reporter_read(&mut f)
    }
}

/// Where a CnC file's error log is in its mapping, taken once when the file is mapped (the
/// lengths in the file are not read again).
#[derive(Clone, Copy, Debug)]
struct CncLayout {
    error_log: usize,
    error_log_length: usize,
}

/// Length of the CnC header (`AERON_CNC_VERSION_AND_META_DATA_LENGTH`: two 64-byte cache lines).
const CNC_HEADER_LENGTH: u64 = 64 * 2;

impl CncLayout {
    /// The error log's place, from the lengths in the header, after checking that the buffers
    /// they describe fit in the file (C checked it when mapping; checked again here against the
    /// lengths this layout uses).
    fn of(cnc: &AeronCnc) -> Result<Self, AeronCError> {
        let c = cnc.get_constants()?;
        let lengths = [
            c.to_driver_buffer_length,
            c.to_clients_buffer_length,
            c.counter_metadata_buffer_length,
            c.counter_values_buffer_length,
            c.error_log_buffer_length,
        ];
        let file = cnc.filename().to_string();
        if lengths.iter().any(|&l| l < 0) {
            return Err(AeronCError::with_message(
                libc::EINVAL,
                format!("CnC file {file}: a buffer length in its header is negative: {lengths:?}"),
            ));
        }
        let needed: u64 = CNC_HEADER_LENGTH + lengths.iter().map(|&l| l as u64).sum::<u64>();
        let file_length = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        if needed > file_length {
            return Err(AeronCError::with_message(
                libc::EINVAL,
                format!("CnC file {file}: its header describes {needed} bytes but the file has {file_length}"),
            ));
        }
        // foreach_counter walks the metadata records and reads each one's value: every record
        // (512 bytes) needs its value slot (128 bytes) inside the values buffer.
        let (metadata_length, values_length) = (c.counter_metadata_buffer_length, c.counter_values_buffer_length);
        if metadata_length / 512 > values_length / 128 {
            return Err(AeronCError::with_message(
                libc::EINVAL,
                format!(
                    "CnC file {file}: its counters metadata buffer ({metadata_length} bytes) describes more \
                     counters than its values buffer ({values_length} bytes) holds"
                ),
            ));
        }
        let reader = cnc.counters_reader();
        let buffers = reader.get_buffers()?;
        let values = buffers.clone_struct();
        // The error log follows the counter values buffer (aeron_cnc_error_log_buffer).
        let error_log = values.values as usize + c.counter_values_buffer_length as usize;
        Ok(CncLayout { error_log, error_log_length: c.error_log_buffer_length as usize })
    }
}

/// Length of an error log record's header (`aeron_error_log_entry_t`).
const ERROR_LOG_HEADER_LENGTH: usize = 24;
/// Records start on 8-byte boundaries (`AERON_ERROR_LOG_RECORD_ALIGNMENT`).
const ERROR_LOG_RECORD_ALIGNMENT: usize = 8;

/// Reads `N` bytes of shared memory (volatile: another process writes it).
///
/// # Safety
/// `base + offset .. + N` must be readable.
unsafe fn shared_bytes<const N: usize>(base: *const u8, offset: usize) -> [u8; N] {
    crate::counters_reader::copy_shared::<N>(base.add(offset))
}

/// Walks a distinct error log of `length` bytes at `base` (the layout `aeron_error_log_read`
/// reads) with every record checked against the bounds.
///
/// # Safety
/// `base .. base + length` must be readable for the whole call.
unsafe fn read_error_log<H: AeronErrorLogReaderFuncCallback + ?Sized>(
    base: *const u8,
    length: usize,
    handler: &mut H,
    since_timestamp: i64,
) -> usize {
    let mut entries = 0;
    let mut offset = 0usize;
    while offset.checked_add(ERROR_LOG_HEADER_LENGTH).is_some_and(|end| end <= length) {
        let record_length = i32::from_le_bytes(shared_bytes::<4>(base, offset));
        std::sync::atomic::fence(std::sync::atomic::Ordering::Acquire);
        if record_length == 0 {
            break;
        }
        let fits = record_length as usize >= ERROR_LOG_HEADER_LENGTH && record_length as usize <= length - offset;
        if record_length < 0 || !fits {
            log::warn!(
                "rusteron: error log record at offset {offset} claims {record_length} bytes, which does not fit \
                 the {length}-byte log: the file is corrupted; the walk stops here"
            );
            break;
        }
        let record_length = record_length as usize;
        let observation_count = i32::from_le_bytes(shared_bytes::<4>(base, offset + 4));
        let last = i64::from_le_bytes(shared_bytes::<8>(base, offset + 8));
        let first = i64::from_le_bytes(shared_bytes::<8>(base, offset + 16));
        if last >= since_timestamp {
            entries += 1;
            let text_length = record_length - ERROR_LOG_HEADER_LENGTH;
            let mut text = vec![0u8; text_length];
            for (i, b) in text.iter_mut().enumerate() {
                *b = std::ptr::read_volatile(base.add(offset + ERROR_LOG_HEADER_LENGTH + i));
            }
            let message = String::from_utf8_lossy(&text);
            handler.handle_aeron_error_log_reader_func(observation_count, first, last, &message);
        }
        // The record fits, so this cannot pass `length` by more than the alignment.
        offset += record_length.next_multiple_of(ERROR_LOG_RECORD_ALIGNMENT);
    }
    entries
}

/// Length of the fixed part of a loss report entry (`aeron_loss_reporter_entry_t`, packed).
const LOSS_ENTRY_LENGTH: usize = 40;
/// Entries start on cache-line boundaries (`AERON_LOSS_REPORTER_ENTRY_ALIGNMENT`).
const LOSS_ENTRY_ALIGNMENT: usize = 64;

/// Walks a loss report (the layout `aeron_loss_reporter_read` reads) with every length checked
/// against `report`.
fn read_loss_report<H: AeronLossReporterReadEntryFuncCallback + ?Sized>(report: &[u8], handler: &mut H) -> usize {
    fn i32_at(b: &[u8], at: usize) -> Option<i32> {
        Some(i32::from_le_bytes(b.get(at..at.checked_add(4)?)?.try_into().ok()?))
    }
    fn i64_at(b: &[u8], at: usize) -> Option<i64> {
        Some(i64::from_le_bytes(b.get(at..at.checked_add(8)?)?.try_into().ok()?))
    }
    fn text(b: &[u8], at: usize, len: i32) -> Option<std::borrow::Cow<'_, str>> {
        let len = usize::try_from(len).ok()?;
        Some(String::from_utf8_lossy(b.get(at..at.checked_add(len)?)?))
    }
    let mut records = 0;
    let mut offset = 0usize;
    while offset < report.len() {
        let Some(observation_count) = i64_at(report, offset) else { break };
        if observation_count <= 0 {
            break;
        }
        let entry = (|| {
            let total_bytes_lost = i64_at(report, offset + 8)?;
            let first = i64_at(report, offset + 16)?;
            let last = i64_at(report, offset + 24)?;
            let session_id = i32_at(report, offset + 32)?;
            let stream_id = i32_at(report, offset + 36)?;
            let channel_length = i32_at(report, offset + LOSS_ENTRY_LENGTH)?;
            let channel_at = offset + LOSS_ENTRY_LENGTH + 4;
            let channel = text(report, channel_at, channel_length)?;
            let source_length_at = channel_at.checked_add((channel_length as usize).next_multiple_of(4))?;
            let source_length = i32_at(report, source_length_at)?;
            let source = text(report, source_length_at + 4, source_length)?;
            let record_length = (source_length_at + 4 + source_length as usize) - offset;
            Some((total_bytes_lost, first, last, session_id, stream_id, channel, source, record_length))
        })();
        let Some((total_bytes_lost, first, last, session_id, stream_id, channel, source, record_length)) = entry else {
            log::warn!(
                "rusteron: loss report entry at offset {offset} has lengths that do not fit the {}-byte file: \
                 the file is corrupted; the walk stops here",
                report.len()
            );
            break;
        };
        records += 1;
        handler.handle_aeron_loss_reporter_read_entry_func(
            observation_count,
            total_bytes_lost,
            first,
            last,
            session_id,
            stream_id,
            &channel,
            &source,
        );
        match offset.checked_add(record_length.next_multiple_of(LOSS_ENTRY_ALIGNMENT)) {
            Some(next) => offset = next,
            None => break,
        }
    }
    records
}

// ---------------------------------------------------------------------------------------------
// aeron_error_log_reader_func_t

/// Called for each distinct error of an error log (`aeron_error_log_reader_func_t`).
pub trait AeronErrorLogReaderFuncCallback {
    /// One distinct error: how often, first and last seen (epoch ms), and its text.
    fn handle_aeron_error_log_reader_func(
        &mut self,
        observation_count: i32,
        first_observation_timestamp: i64,
        last_observation_timestamp: i64,
        error: &str,
    );
}

/// Logs each distinct error of the error log at `error` level (through the `log` crate).
#[derive(Debug, Default, Clone, Copy)]
pub struct AeronErrorLogReaderFuncLogger;

impl AeronErrorLogReaderFuncCallback for AeronErrorLogReaderFuncLogger {
    fn handle_aeron_error_log_reader_func(&mut self, count: i32, first: i64, last: i64, error: &str) {
        log::error!("aeron error log: {count} observations ({first}..{last}): {error}");
    }
}

impl<F: FnMut(i32, i64, i64, &str)> AeronErrorLogReaderFuncCallback for F {
    fn handle_aeron_error_log_reader_func(&mut self, count: i32, first: i64, last: i64, error: &str) {
        self(count, first, last, error)
    }
}

unsafe extern "C" fn error_log_reader_trampoline<H: AeronErrorLogReaderFuncCallback + ?Sized>(
    observation_count: i32,
    first_observation_timestamp: i64,
    last_observation_timestamp: i64,
    error: *const c_char,
    error_length: usize,
    clientd: *mut c_void,
) {
    Guarded::<H>::call(clientd, (), |h| {
        h.handle_aeron_error_log_reader_func(
            observation_count,
            first_observation_timestamp,
            last_observation_timestamp,
            c_bytes_to_str(error, error_length),
        )
    })
}

// ---------------------------------------------------------------------------------------------
// aeron_loss_reporter_read_entry_func_t

/// Called for each entry of a loss report (`aeron_loss_reporter_read_entry_func_t`).
pub trait AeronLossReporterReadEntryFuncCallback {
    /// One stream's losses: observations, bytes lost, first/last time (epoch ms), session,
    /// stream, channel and source.
    #[allow(clippy::too_many_arguments)]
    fn handle_aeron_loss_reporter_read_entry_func(
        &mut self,
        observation_count: i64,
        total_bytes_lost: i64,
        first_observation_timestamp: i64,
        last_observation_timestamp: i64,
        session_id: i32,
        stream_id: i32,
        channel: &str,
        source: &str,
    );
}

/// Logs each loss entry at `warn` level (through the `log` crate).
#[derive(Debug, Default, Clone, Copy)]
pub struct AeronLossReporterReadEntryFuncLogger;

impl AeronLossReporterReadEntryFuncCallback for AeronLossReporterReadEntryFuncLogger {
    fn handle_aeron_loss_reporter_read_entry_func(
        &mut self,
        observation_count: i64,
        total_bytes_lost: i64,
        _first: i64,
        _last: i64,
        session_id: i32,
        stream_id: i32,
        channel: &str,
        source: &str,
    ) {
        log::warn!("loss: {total_bytes_lost} bytes in {observation_count} observations, session {session_id} stream {stream_id} {channel} from {source}");
    }
}

impl<F: FnMut(i64, i64, i64, i64, i32, i32, &str, &str)> AeronLossReporterReadEntryFuncCallback for F {
    fn handle_aeron_loss_reporter_read_entry_func(
        &mut self,
        observation_count: i64,
        total_bytes_lost: i64,
        first: i64,
        last: i64,
        session_id: i32,
        stream_id: i32,
        channel: &str,
        source: &str,
    ) {
        self(observation_count, total_bytes_lost, first, last, session_id, stream_id, channel, source)
    }
}

#[allow(clippy::too_many_arguments)]
unsafe extern "C" fn loss_reporter_read_entry_trampoline<H: AeronLossReporterReadEntryFuncCallback + ?Sized>(
    clientd: *mut c_void,
    observation_count: i64,
    total_bytes_lost: i64,
    first_observation_timestamp: i64,
    last_observation_timestamp: i64,
    session_id: i32,
    stream_id: i32,
    channel: *const c_char,
    channel_length: i32,
    source: *const c_char,
    source_length: i32,
) {
    Guarded::<H>::call(clientd, (), |h| {
        h.handle_aeron_loss_reporter_read_entry_func(
            observation_count,
            total_bytes_lost,
            first_observation_timestamp,
            last_observation_timestamp,
            session_id,
            stream_id,
            c_bytes_to_str(channel, channel_length.max(0) as usize),
            c_bytes_to_str(source, source_length.max(0) as usize),
        )
    })
}

// ---------------------------------------------------------------------------------------------
// Error log writer and the plain C records

crate::c_wrapper!(
    /// A distinct error log (`aeron_distinct_error_log_t`) over a buffer it owns: records each
    /// distinct error once and counts repeats, in the same format as a driver's CnC error log,
    /// so the same readers work on it.
    ///
    /// Threads: `Send + Sync`: recording takes the log's own mutex; reads are lock-free.
    AeronErrorLogger => bindings::aeron_distinct_error_log_t
);
unsafe impl Send for AeronErrorLogger {}
unsafe impl Sync for AeronErrorLogger {}

unsafe extern "C" fn epoch_clock() -> i64 {
    unsafe { bindings::aeron_epoch_clock() }
}

impl AeronErrorLogger {
    /// A log over a new zeroed buffer of `capacity` bytes (`aeron_distinct_error_log_init`),
    /// timestamped with the epoch clock.
    pub fn new(capacity: usize) -> Result<Self, AeronCError> {
        if capacity < 64 {
            return Err(AeronCError::with_message(
                libc::EINVAL,
                format!("error log capacity {capacity} is below 64 bytes"),
            ));
        }
        let mut storage = Vec::new();
        if storage.try_reserve_exact(capacity).is_err() {
            return Err(AeronCError::with_message(
                libc::ENOMEM,
                format!("error log capacity {capacity} bytes cannot be allocated"),
            ));
        }
        storage.resize(capacity, 0u8);
        let buffer: Box<[u8]> = storage.into_boxed_slice();
        let buf = Box::into_raw(buffer) as *mut u8 as usize;
        let log: Box<bindings::aeron_distinct_error_log_t> = Box::new(unsafe { std::mem::zeroed() });
        let log = Box::into_raw(log);
        let rc = unsafe { bindings::aeron_distinct_error_log_init(log, buf as *mut u8, capacity, Some(epoch_clock)) };
        let free_all = move |l: *mut bindings::aeron_distinct_error_log_t| unsafe {
            drop(Box::from_raw(l));
            drop(Box::from_raw(std::ptr::slice_from_raw_parts_mut(buf as *mut u8, capacity)));
        };
        if rc < 0 {
            let e = AeronCError::last();
            free_all(log);
            return Err(e);
        }
        let m = ManagedCResource::from_raw(
            log,
            Some(Box::new(move |l| {
                unsafe { bindings::aeron_distinct_error_log_close(l) };
                free_all(l);
                0
            })),
        );
        Ok(unsafe { Self::from_managed(m) })
    }

    /// Records an error (`aeron_distinct_error_log_record`): a new entry for a new
    /// (code, description) pair, else one more observation of the existing one.
    pub fn record(&self, error_code: i32, description: &CStr) -> Result<(), AeronCError> {
        check(unsafe { bindings::aeron_distinct_error_log_record(self.get_inner(), error_code, description.as_ptr()) })
            .map(|_| ())
    }

    /// How many distinct errors are recorded (`aeron_distinct_error_log_num_observations`).
    pub fn num_observations(&self) -> usize {
        unsafe { bindings::aeron_distinct_error_log_num_observations(self.get_inner()) }
    }

    /// Reads the log like [`AeronCnc::error_log_read`] (`aeron_error_log_read`).
    pub fn read<H: AeronErrorLogReaderFuncCallback + ?Sized>(&self, handler: &mut H, since_timestamp: i64) -> usize {
        let log = unsafe { &*self.get_inner() };
        Guarded::run(handler, |clientd| unsafe {
            bindings::aeron_error_log_read(
                log.buffer,
                log.buffer_capacity,
                Some(error_log_reader_trampoline::<H>),
                clientd,
                since_timestamp,
            )
        })
    }

    /// True once at least one error is in the buffer (`aeron_error_log_exists`).
    pub fn exists(&self) -> bool {
        let log = unsafe { &*self.get_inner() };
        unsafe { bindings::aeron_error_log_exists(log.buffer, log.buffer_capacity) }
    }
}

crate::c_struct_wrapper!(
    /// A loss report over a buffer (`aeron_loss_reporter_t`), as the driver keeps in
    /// `loss-report.dat`. Read a driver's report with [`AeronCnc::loss_reporter_read`].
    AeronLossReporter => bindings::aeron_loss_reporter_t
);
unsafe impl Send for AeronLossReporter {}

impl AeronLossReporter {
    /// Reads every entry of the report's buffer (`aeron_loss_reporter_read`); returns how many.
    ///
    /// # Safety
    /// The struct's `buffer` must point to `capacity` readable bytes of a loss report.
    pub unsafe fn read<H: AeronLossReporterReadEntryFuncCallback + ?Sized>(&self, handler: &mut H) -> usize {
        let r = self.clone_struct();
        Guarded::run(handler, |clientd| {
            bindings::aeron_loss_reporter_read(
                r.buffer,
                r.capacity,
                Some(loss_reporter_read_entry_trampoline::<H>),
                clientd,
            )
        })
    }
}

crate::c_struct_wrapper!(
    /// The fixed part of one loss report entry (`aeron_loss_reporter_entry_t`): counts,
    /// timestamps, session and stream.
    AeronLossReporterEntry => bindings::aeron_loss_reporter_entry_t
);
unsafe impl Send for AeronLossReporterEntry {}
unsafe impl Sync for AeronLossReporterEntry {}

crate::c_struct_wrapper!(
    /// A thread's last error as Aeron's C code keeps it (`aeron_per_thread_error_t`): code and
    /// message. [`AeronCError::last`] reads the calling thread's one.
    AeronPerThreadError => bindings::aeron_per_thread_error_t
);
unsafe impl Send for AeronPerThreadError {}
unsafe impl Sync for AeronPerThreadError {}

impl AeronPerThreadError {
    /// The error code.
    pub fn errcode(&self) -> i32 {
        unsafe { (*self.get_inner()).errcode }
    }

    /// The message text (up to its NUL).
    pub fn errmsg(&self) -> &str {
        let e = unsafe { &*self.get_inner() };
        let bytes: &[u8] = unsafe { std::slice::from_raw_parts(e.errmsg.as_ptr() as *const u8, e.errmsg.len()) };
        let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
        std::str::from_utf8(&bytes[..end]).unwrap_or("")
    }
}
