//! The memory-mapped log of a publication or image, as plain C structs: the mapped file
//! (`aeron_mapped_file_t`), its buffers (`aeron_mapped_buffer_t`), the raw log with its three
//! term buffers (`aeron_mapped_raw_log_t`), the client's log buffer (`aeron_log_buffer_t`) and
//! the log's metadata page (`aeron_logbuffer_metadata_t`).
//!
//! These wrappers copy or borrow the C values; they never map or unmap anything. The
//! pointers inside are valid only while the publication or image that owns the log lives.
//!
//! Threads: `Send` only: the values hold raw pointers into a mapping someone else owns.

use crate::bindings;

crate::c_struct_wrapper!(
    /// A memory-mapped file: address and length (`aeron_mapped_file_t`).
    AeronMappedFile => bindings::aeron_mapped_file_t
);
unsafe impl Send for AeronMappedFile {}

impl AeronMappedFile {
    /// Length of the mapping in bytes.
    pub fn length(&self) -> usize {
        self.clone_struct().length
    }
}

crate::c_struct_wrapper!(
    /// A buffer inside a mapping: address and length (`aeron_mapped_buffer_t`).
    AeronMappedBuffer => bindings::aeron_mapped_buffer_t
);
unsafe impl Send for AeronMappedBuffer {}

impl AeronMappedBuffer {
    /// Length of the buffer in bytes.
    pub fn length(&self) -> usize {
        self.clone_struct().length
    }
}

crate::c_struct_wrapper!(
    /// A stream's mapped log (`aeron_mapped_raw_log_t`): three term buffers, the metadata
    /// buffer, the whole mapping and the term length.
    AeronMappedRawLog => bindings::aeron_mapped_raw_log_t
);
unsafe impl Send for AeronMappedRawLog {}

impl AeronMappedRawLog {
    /// Length of each term buffer in bytes.
    pub fn term_length(&self) -> usize {
        self.clone_struct().term_length
    }

    /// Term buffer `index` (0, 1 or 2), copied.
    pub fn term_buffer(&self, index: usize) -> Option<AeronMappedBuffer> {
        self.clone_struct().term_buffers.get(index).copied().map(AeronMappedBuffer::from_value)
    }

    /// The metadata buffer, copied.
    pub fn log_meta_data(&self) -> AeronMappedBuffer {
        AeronMappedBuffer::from_value(self.clone_struct().log_meta_data)
    }

    /// The whole mapping, copied.
    pub fn mapped_file(&self) -> AeronMappedFile {
        AeronMappedFile::from_value(self.clone_struct().mapped_file)
    }
}

crate::c_struct_wrapper!(
    /// The client's handle on a mapped log (`aeron_log_buffer_t`): raw log, correlation id
    /// and reference count.
    AeronLogBuffer => bindings::aeron_log_buffer_t
);
unsafe impl Send for AeronLogBuffer {}

impl AeronLogBuffer {
    /// The registration id of the publication or image this log belongs to.
    pub fn correlation_id(&self) -> i64 {
        self.clone_struct().correlation_id
    }

    /// The mapped raw log, copied.
    pub fn mapped_raw_log(&self) -> AeronMappedRawLog {
        AeronMappedRawLog::from_value(self.clone_struct().mapped_raw_log)
    }
}

crate::c_struct_wrapper!(
    /// The metadata page at the end of a log (`aeron_logbuffer_metadata_t`): term tails,
    /// active term count, end of stream, connection state, and the stream's configuration
    /// (initial term id, MTU, term length, page size, windows, socket buffers, ...).
    AeronLogbufferMetadata => bindings::aeron_logbuffer_metadata_t
);
unsafe impl Send for AeronLogbufferMetadata {}

impl AeronLogbufferMetadata {
    /// The initial term id of the stream.
    pub fn initial_term_id(&self) -> i32 {
        self.clone_struct().initial_term_id
    }

    /// The term length in bytes.
    pub fn term_length(&self) -> i32 {
        self.clone_struct().term_length
    }

    /// The MTU length in bytes.
    pub fn mtu_length(&self) -> i32 {
        self.clone_struct().mtu_length
    }

    /// The correlation id of the log.
    pub fn correlation_id(&self) -> i64 {
        self.clone_struct().correlation_id
    }
}
