//! The C media driver in this process (`aeronmd.h`, `libaeron_driver`): [`AeronDriverContext`]
//! (its configuration), [`EmbeddedMediaDriver`] (runs on its own threads) and
//! [`SteppedMediaDriver`] (the caller runs its duty cycle).
//!
//! The driver has no error handler to replace: what goes wrong while it runs is written to the
//! distinct error log of its CnC file (read it with [`AeronCnc::errors`](crate::AeronCnc::errors))
//! and start-up failures come back as an [`AeronCError`]. Two of its settings print to
//! stdout/stderr (`dir_warn_if_exists`, `print_configuration`); [`AeronDriverContext::new`]
//! turns the first off (the second is off by Aeron's default), so nothing prints unless asked.
//! One message C always writes to stderr: when a driver starts on the directory of a dead one
//! whose error log is not empty, it saves that log to a file and says where.

use crate::bindings;
use crate::error::{check, AeronCError};
use crate::{Aeron, AeronContext, ManagedCResource};
use std::ffi::{CStr, CString};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// How the driver spreads its three agents (conductor, sender, receiver) over threads
/// (`aeron_threading_mode_t`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AeronThreadingMode {
    /// One thread per agent (Aeron's default).
    Dedicated,
    /// The conductor on one thread, sender and receiver sharing another.
    SharedNetwork,
    /// All three agents on one thread.
    Shared,
    /// All three agents in the caller's duty cycle: only with [`SteppedMediaDriver`].
    Invoker,
}

impl AeronThreadingMode {
    fn to_c(self) -> bindings::aeron_threading_mode_t {
        match self {
            Self::Dedicated => bindings::aeron_threading_mode_enum_AERON_THREADING_MODE_DEDICATED,
            Self::SharedNetwork => bindings::aeron_threading_mode_enum_AERON_THREADING_MODE_SHARED_NETWORK,
            Self::Shared => bindings::aeron_threading_mode_enum_AERON_THREADING_MODE_SHARED,
            Self::Invoker => bindings::aeron_threading_mode_enum_AERON_THREADING_MODE_INVOKER,
        }
    }

    fn from_c(mode: bindings::aeron_threading_mode_t) -> Option<Self> {
        [Self::Dedicated, Self::SharedNetwork, Self::Shared, Self::Invoker].into_iter().find(|m| m.to_c() == mode)
    }
}

crate::c_wrapper!(
    /// Configuration of an embedded media driver (`aeron_driver_context_t`): its directory,
    /// threading mode, term lengths, timeouts, idle strategies, ... Created with Aeron's defaults
    /// (which read the `AERON_*` environment variables, as `aeronmd` does), closed with
    /// `aeron_driver_context_close` when the last clone drops.
    ///
    /// Threads: neither `Send` nor `Sync` (plain C writes; clones share one C context). Configure
    /// it on one thread, or move it with [`handoff`](Self::handoff). Starting a driver takes it
    /// and refuses while a clone exists, so nothing can change it under a running driver.
    ///
    /// ```compile_fail,E0277
    /// fn configure_elsewhere(ctx: &rusteron_client::AeronDriverContext) {
    ///     let clone = ctx.clone();
    ///     std::thread::spawn(move || clone.set_term_buffer_length(65536));
    /// }
    /// ```
    AeronDriverContext => bindings::aeron_driver_context_t
);
crate::single_threaded!(AeronDriverContext);

/// A string the driver context keeps a pointer to (C stores some strings without copying them).
struct KeptString(CString);

/// Declares the setter and getter of one agent's idle strategy, by name. `$what` (a doc line)
/// names the agent.
macro_rules! idle_strategy_property {
    (#[doc = $what:literal] $set:ident, $get:ident, $cset:ident, $cget:ident) => {
        #[doc = concat!("Sets the idle strategy of", $what, " by name (`", stringify!($cset), "`): one of")]
        /// [`AERON_IDLE_STRATEGY_NAMES`](crate::AERON_IDLE_STRATEGY_NAMES); any other name is refused
        /// (C would look it up as a process symbol). Its init arguments are set separately, before.
        pub fn $set(&self, value: &CStr) -> Result<i32, AeronCError> {
            crate::idle_strategy::check_idle_strategy_name(concat!("AeronDriverContext::", stringify!($set)), value)?;
            check(unsafe { bindings::$cset(self.get_inner(), value.as_ptr()) })
        }

        #[doc = concat!("The name of the idle strategy of", $what, ".")]
        pub fn $get(&self) -> String {
            unsafe { crate::strings::c_str_to_str(bindings::$cget(self.get_inner())) }.to_owned()
        }
    };
}

/// Declares a string property whose C setter keeps the pointer: the context keeps a copy of
/// the text (see `set_kept_string`). `$what` (a doc line) says what the string is.
macro_rules! kept_string_property {
    (#[doc = $what:literal] $set:ident, $get:ident, $cset:ident, $cget:ident) => {
        #[doc = concat!($what, " (`", stringify!($cset), "`). C keeps the pointer, so the context keeps a copy.")]
        pub fn $set(&self, value: &CStr) -> Result<i32, AeronCError> {
            self.set_kept_string(stringify!($set), value, bindings::$cset)
        }

        #[doc = concat!($what, " (empty when unset).")]
        pub fn $get(&self) -> String {
            unsafe { crate::strings::c_str_to_str(bindings::$cget(self.get_inner())) }.to_owned()
        }
    };
}

impl AeronDriverContext {
    /// A driver context with Aeron's defaults (`aeron_driver_context_init`, which also reads the
    /// `AERON_*` environment variables), except for two that suit a driver owned by this process:
    /// `dir_warn_if_exists` is off (C would print to stderr) and `dir_delete_on_shutdown` is on
    /// (the directory goes when the driver that ran on it is dropped). Both can be set back.
    ///
    /// Aeron's defaults include 16 MiB network and 64 MiB IPC terms and the directory
    /// `/dev/shm/aeron-<user>` on Linux, the one a client uses by default.
    ///
    /// # Files
    /// A context never deletes anything by itself: dropping one that no driver ran on (never
    /// started, refused, or whose start failed) leaves its directory exactly as it was, whatever
    /// `dir_delete_on_shutdown` says. Only a driver that ran removes its directory, when it is
    /// dropped (see [`set_dir_delete_on_shutdown`](Self::set_dir_delete_on_shutdown)).
    pub fn new() -> Result<Self, AeronCError> {
        let m = ManagedCResource::new(
            |p| unsafe { bindings::aeron_driver_context_init(p) },
            Some(Box::new(|p| unsafe {
                // C's close deletes `aeron_dir` whenever the flag is set, whether or not a driver
                // ever ran on it: that would delete a live driver's directory. The delete the flag
                // asks for is done by `DriverCore` for a driver that ran; the close never deletes.
                bindings::aeron_driver_context_set_dir_delete_on_shutdown(p, false);
                bindings::aeron_driver_context_close(p)
            })),
        )?;
        let ctx = unsafe { Self::from_managed(m) };
        ctx.set_dir_warn_if_exists(false)?;
        ctx.set_dir_delete_on_shutdown(true)?;
        Ok(ctx)
    }

    /// Property setters run this first. Nothing to refuse: a running driver owns the only
    /// handle on its context, so no setter can reach it.
    fn before_set(&self, _setter: &'static str) -> Result<(), AeronCError> {
        Ok(())
    }

    /// Sets the Aeron directory of the driver (`aeron_driver_context_set_dir`). A directory
    /// longer than [`AERON_DIR_MAX_LENGTH`](crate::AERON_DIR_MAX_LENGTH) bytes (which C would cut
    /// short) is refused with an `EINVAL` error.
    pub fn set_dir(&self, value: &CStr) -> Result<i32, AeronCError> {
        crate::limits::check_dir("AeronDriverContext::set_dir", "dir", value)?;
        check(unsafe { bindings::aeron_driver_context_set_dir(self.get_inner(), value.as_ptr()) })
    }

    /// The Aeron directory of the driver.
    pub fn get_dir(&self) -> String {
        unsafe { crate::strings::c_str_to_str(bindings::aeron_driver_context_get_dir(self.get_inner())) }.to_owned()
    }

    /// Sets the threading mode (`aeron_driver_context_set_threading_mode`).
    pub fn set_threading_mode(&self, mode: AeronThreadingMode) -> Result<i32, AeronCError> {
        check(unsafe { bindings::aeron_driver_context_set_threading_mode(self.get_inner(), mode.to_c()) })
    }

    /// The threading mode (`None` for a value this crate does not know).
    pub fn get_threading_mode(&self) -> Option<AeronThreadingMode> {
        AeronThreadingMode::from_c(unsafe { bindings::aeron_driver_context_get_threading_mode(self.get_inner()) })
    }

    /// [`set_client_liveness_timeout_ns`](Self::set_client_liveness_timeout_ns) from a `Duration`.
    pub fn set_client_liveness_timeout(&self, timeout: std::time::Duration) -> Result<i32, AeronCError> {
        self.set_client_liveness_timeout_ns(crate::duration_to_c_nanos(timeout))
    }

    /// [`set_publication_linger_timeout_ns`](Self::set_publication_linger_timeout_ns) from a
    /// `Duration`.
    pub fn set_publication_linger_timeout(&self, timeout: std::time::Duration) -> Result<i32, AeronCError> {
        self.set_publication_linger_timeout_ns(crate::duration_to_c_nanos(timeout))
    }

    /// [`set_driver_timeout_ms`](Self::set_driver_timeout_ms) from a `Duration`.
    pub fn set_driver_timeout(&self, timeout: std::time::Duration) -> Result<i32, AeronCError> {
        self.set_driver_timeout_ms(crate::duration_to_c_millis(timeout))
    }

    /// [`set_image_liveness_timeout_ns`](Self::set_image_liveness_timeout_ns) from a `Duration`.
    pub fn set_image_liveness_timeout(&self, timeout: std::time::Duration) -> Result<i32, AeronCError> {
        self.set_image_liveness_timeout_ns(crate::duration_to_c_nanos(timeout))
    }

    /// Stores a copy of `value` with the context for setters whose C side keeps the pointer.
    fn set_kept_string(
        &self,
        slot: &'static str,
        value: &CStr,
        set: unsafe extern "C" fn(*mut bindings::aeron_driver_context_t, *const std::os::raw::c_char) -> i32,
    ) -> Result<i32, AeronCError> {
        let kept = Arc::new(KeptString(value.to_owned()));
        let rc = check(unsafe { set(self.get_inner(), kept.0.as_ptr()) })?;
        // Replaces (and frees) the previous copy only after C points at the new one.
        self.keep_alive_as(slot, kept);
        Ok(rc)
    }

    idle_strategy_property!(
        /// the sender thread (`DEDICATED` mode)
        set_sender_idle_strategy, get_sender_idle_strategy,
        aeron_driver_context_set_sender_idle_strategy, aeron_driver_context_get_sender_idle_strategy);
    idle_strategy_property!(
        /// the conductor thread
        set_conductor_idle_strategy, get_conductor_idle_strategy,
        aeron_driver_context_set_conductor_idle_strategy, aeron_driver_context_get_conductor_idle_strategy);
    idle_strategy_property!(
        /// the receiver thread (`DEDICATED` mode)
        set_receiver_idle_strategy, get_receiver_idle_strategy,
        aeron_driver_context_set_receiver_idle_strategy, aeron_driver_context_get_receiver_idle_strategy);
    idle_strategy_property!(
        /// the sender/receiver thread (`SHARED_NETWORK` mode)
        set_sharednetwork_idle_strategy, get_sharednetwork_idle_strategy,
        aeron_driver_context_set_sharednetwork_idle_strategy, aeron_driver_context_get_sharednetwork_idle_strategy);
    idle_strategy_property!(
        /// the single thread (`SHARED` mode)
        set_shared_idle_strategy, get_shared_idle_strategy,
        aeron_driver_context_set_shared_idle_strategy, aeron_driver_context_get_shared_idle_strategy);
    idle_strategy_property!(
        /// the native resource agent
        set_native_resource_agent_idle_strategy, get_native_resource_agent_idle_strategy,
        aeron_driver_context_set_native_resource_agent_idle_strategy,
        aeron_driver_context_get_native_resource_agent_idle_strategy);

    kept_string_property!(
        /// Name of this driver for the driver name resolver
        set_resolver_name, get_resolver_name,
        aeron_driver_context_set_resolver_name, aeron_driver_context_get_resolver_name);
    kept_string_property!(
        /// Interface (`host:port`) the driver name resolver binds
        set_resolver_interface, get_resolver_interface,
        aeron_driver_context_set_resolver_interface, aeron_driver_context_get_resolver_interface);
    kept_string_property!(
        /// Bootstrap neighbour (`host:port`) of the driver name resolver
        set_resolver_bootstrap_neighbor, get_resolver_bootstrap_neighbor,
        aeron_driver_context_set_resolver_bootstrap_neighbor, aeron_driver_context_get_resolver_bootstrap_neighbor);
    kept_string_property!(
        /// Arguments of the name resolver
        set_name_resolver_init_args, get_name_resolver_init_args,
        aeron_driver_context_set_name_resolver_init_args, aeron_driver_context_get_name_resolver_init_args);

    crate::scalar_property!(
        /// Whether the driver prints a warning to stderr when its directory already exists (off in `new`: library code never prints).
        set_dir_warn_if_exists, get_dir_warn_if_exists, aeron_driver_context_set_dir_warn_if_exists, aeron_driver_context_get_dir_warn_if_exists, bool);
    crate::scalar_property!(
        /// Delete the Aeron directory at start, without looking inside (Aeron's
        /// `dir_delete_on_start`; off by default).
        ///
        /// Either way a start recreates a directory that exists: with this off, Aeron first
        /// checks the CnC file and refuses (`EBUSY`) when a driver heartbeats there, otherwise
        /// it saves a non-empty error log of the dead driver to a file beside the directory and
        /// deletes the directory. With this on, Aeron would delete the directory even under a
        /// live driver; the embedded drivers here refuse that case (`EBUSY`, nothing touched)
        /// before Aeron sees it, so on is only "skip the error-log report".
        set_dir_delete_on_start, get_dir_delete_on_start, aeron_driver_context_set_dir_delete_on_start, aeron_driver_context_get_dir_delete_on_start, bool);
    crate::scalar_property!(
        /// Remove the Aeron directory when the driver that ran on it is dropped (on in `new`: an
        /// embedded driver owns its directory).
        ///
        /// Only a driver that ran removes anything: a context dropped unused, a refused start
        /// (another driver is active on the directory) or a start that failed leave the
        /// directory as they found it, even with this on.
        set_dir_delete_on_shutdown, get_dir_delete_on_shutdown, aeron_driver_context_set_dir_delete_on_shutdown, aeron_driver_context_get_dir_delete_on_shutdown, bool);
    crate::scalar_property!(
        /// Length of the ring buffer of commands from clients to the driver (bytes).
        set_to_conductor_buffer_length, get_to_conductor_buffer_length, aeron_driver_context_set_to_conductor_buffer_length, aeron_driver_context_get_to_conductor_buffer_length, usize);
    crate::scalar_property!(
        /// Length of the broadcast buffer from the driver to clients (bytes).
        set_to_clients_buffer_length, get_to_clients_buffer_length, aeron_driver_context_set_to_clients_buffer_length, aeron_driver_context_get_to_clients_buffer_length, usize);
    crate::scalar_property!(
        /// Length of the counters values buffer (bytes).
        set_counters_buffer_length, get_counters_buffer_length, aeron_driver_context_set_counters_buffer_length, aeron_driver_context_get_counters_buffer_length, usize);
    crate::scalar_property!(
        /// Length of the distinct error log in the CnC file (bytes).
        set_error_buffer_length, get_error_buffer_length, aeron_driver_context_set_error_buffer_length, aeron_driver_context_get_error_buffer_length, usize);
    crate::scalar_property!(
        /// How long a client may stay silent before the driver drops it (ns).
        set_client_liveness_timeout_ns, get_client_liveness_timeout_ns, aeron_driver_context_set_client_liveness_timeout_ns, aeron_driver_context_get_client_liveness_timeout_ns, u64, crate::saturate_c_nanos);
    crate::scalar_property!(
        /// Term length of network publications (bytes, a power of two from 64 KiB to 1 GiB; Aeron default 16 MiB).
        set_term_buffer_length, get_term_buffer_length, aeron_driver_context_set_term_buffer_length, aeron_driver_context_get_term_buffer_length, usize);
    crate::scalar_property!(
        /// Term length of IPC publications (bytes, a power of two from 64 KiB to 1 GiB; Aeron default 64 MiB).
        set_ipc_term_buffer_length, get_ipc_term_buffer_length, aeron_driver_context_set_ipc_term_buffer_length, aeron_driver_context_get_ipc_term_buffer_length, usize);
    crate::scalar_property!(
        /// Create log buffers as sparse files.
        set_term_buffer_sparse_file, get_term_buffer_sparse_file, aeron_driver_context_set_term_buffer_sparse_file, aeron_driver_context_get_term_buffer_sparse_file, bool);
    crate::scalar_property!(
        /// Check that the file system has room before creating a log buffer.
        set_perform_storage_checks, get_perform_storage_checks, aeron_driver_context_set_perform_storage_checks, aeron_driver_context_get_perform_storage_checks, bool);
    crate::scalar_property!(
        /// Free space below which the driver warns in its error log (bytes).
        set_low_file_store_warning_threshold, get_low_file_store_warning_threshold, aeron_driver_context_set_low_file_store_warning_threshold, aeron_driver_context_get_low_file_store_warning_threshold, u64);
    crate::scalar_property!(
        /// Whether spy subscriptions count as a connection for publications.
        set_spies_simulate_connection, get_spies_simulate_connection, aeron_driver_context_set_spies_simulate_connection, aeron_driver_context_get_spies_simulate_connection, bool);
    crate::scalar_property!(
        /// Page size used to align log buffer files (bytes).
        set_file_page_size, get_file_page_size, aeron_driver_context_set_file_page_size, aeron_driver_context_get_file_page_size, usize);
    crate::scalar_property!(
        /// Maximum transmission unit of network publications (bytes).
        set_mtu_length, get_mtu_length, aeron_driver_context_set_mtu_length, aeron_driver_context_get_mtu_length, usize);
    crate::scalar_property!(
        /// Maximum transmission unit of IPC publications (bytes).
        set_ipc_mtu_length, get_ipc_mtu_length, aeron_driver_context_set_ipc_mtu_length, aeron_driver_context_get_ipc_mtu_length, usize);
    crate::scalar_property!(
        /// Window an IPC publication may run ahead of its slowest subscriber (bytes; 0 means the default).
        set_ipc_publication_term_window_length, get_ipc_publication_term_window_length, aeron_driver_context_set_ipc_publication_term_window_length, aeron_driver_context_get_ipc_publication_term_window_length, usize);
    crate::scalar_property!(
        /// Window a network publication may run ahead of its receivers (bytes; 0 means the default).
        set_publication_term_window_length, get_publication_term_window_length, aeron_driver_context_set_publication_term_window_length, aeron_driver_context_get_publication_term_window_length, usize);
    crate::scalar_property!(
        /// How long a closed publication lingers so receivers can catch up (ns).
        set_publication_linger_timeout_ns, get_publication_linger_timeout_ns, aeron_driver_context_set_publication_linger_timeout_ns, aeron_driver_context_get_publication_linger_timeout_ns, u64, crate::saturate_c_nanos);
    crate::scalar_property!(
        /// SO_RCVBUF of UDP sockets (bytes; 0 leaves the OS default).
        set_socket_so_rcvbuf, get_socket_so_rcvbuf, aeron_driver_context_set_socket_so_rcvbuf, aeron_driver_context_get_socket_so_rcvbuf, usize);
    crate::scalar_property!(
        /// SO_SNDBUF of UDP sockets (bytes; 0 leaves the OS default).
        set_socket_so_sndbuf, get_socket_so_sndbuf, aeron_driver_context_set_socket_so_sndbuf, aeron_driver_context_get_socket_so_sndbuf, usize);
    crate::scalar_property!(
        /// Multicast TTL of UDP sockets (0 leaves the OS default).
        set_socket_multicast_ttl, get_socket_multicast_ttl, aeron_driver_context_set_socket_multicast_ttl, aeron_driver_context_get_socket_multicast_ttl, u8);
    crate::scalar_property!(
        /// IP type-of-service of UDP sockets.
        set_socket_tos, get_socket_tos, aeron_driver_context_set_socket_tos, aeron_driver_context_get_socket_tos, i32);
    crate::scalar_property!(
        /// Sends per poll for status messages in the sender.
        set_send_to_status_poll_ratio, get_send_to_status_poll_ratio, aeron_driver_context_set_send_to_status_poll_ratio, aeron_driver_context_get_send_to_status_poll_ratio, usize);
    crate::scalar_property!(
        /// Receiver polls per round of its slow work.
        set_receiver_poll_to_slow_work_ratio, get_receiver_poll_to_slow_work_ratio, aeron_driver_context_set_receiver_poll_to_slow_work_ratio, aeron_driver_context_get_receiver_poll_to_slow_work_ratio, usize);
    crate::scalar_property!(
        /// Interval of the status messages a receiver sends when idle (ns).
        set_rcv_status_message_timeout_ns, get_rcv_status_message_timeout_ns, aeron_driver_context_set_rcv_status_message_timeout_ns, aeron_driver_context_get_rcv_status_message_timeout_ns, u64, crate::saturate_c_nanos);
    crate::scalar_property!(
        /// How long an image stays without data before it is dropped (ns).
        set_image_liveness_timeout_ns, get_image_liveness_timeout_ns, aeron_driver_context_set_image_liveness_timeout_ns, aeron_driver_context_get_image_liveness_timeout_ns, u64, crate::saturate_c_nanos);
    crate::scalar_property!(
        /// Initial receiver window (bytes).
        set_rcv_initial_window_length, get_rcv_initial_window_length, aeron_driver_context_set_rcv_initial_window_length, aeron_driver_context_get_rcv_initial_window_length, usize);
    crate::scalar_property!(
        /// Length of the loss report file (bytes).
        set_loss_report_buffer_length, get_loss_report_buffer_length, aeron_driver_context_set_loss_report_buffer_length, aeron_driver_context_get_loss_report_buffer_length, usize);
    crate::scalar_property!(
        /// How long a blocked publication waits before the driver unblocks it (ns).
        set_publication_unblock_timeout_ns, get_publication_unblock_timeout_ns, aeron_driver_context_set_publication_unblock_timeout_ns, aeron_driver_context_get_publication_unblock_timeout_ns, u64, crate::saturate_c_nanos);
    crate::scalar_property!(
        /// How long a publication stays connected without status messages (ns).
        set_publication_connection_timeout_ns, get_publication_connection_timeout_ns, aeron_driver_context_set_publication_connection_timeout_ns, aeron_driver_context_get_publication_connection_timeout_ns, u64, crate::saturate_c_nanos);
    crate::scalar_property!(
        /// Interval of the conductor's timer checks (ns).
        set_timer_interval_ns, get_timer_interval_ns, aeron_driver_context_set_timer_interval_ns, aeron_driver_context_get_timer_interval_ns, u64, crate::saturate_c_nanos);
    crate::string_property!(
        /// Arguments of the sender's idle strategy.
        set_sender_idle_strategy_init_args, get_sender_idle_strategy_init_args, aeron_driver_context_set_sender_idle_strategy_init_args, aeron_driver_context_get_sender_idle_strategy_init_args);
    crate::string_property!(
        /// Arguments of the conductor's idle strategy.
        set_conductor_idle_strategy_init_args, get_conductor_idle_strategy_init_args, aeron_driver_context_set_conductor_idle_strategy_init_args, aeron_driver_context_get_conductor_idle_strategy_init_args);
    crate::string_property!(
        /// Arguments of the receiver's idle strategy.
        set_receiver_idle_strategy_init_args, get_receiver_idle_strategy_init_args, aeron_driver_context_set_receiver_idle_strategy_init_args, aeron_driver_context_get_receiver_idle_strategy_init_args);
    crate::string_property!(
        /// Arguments of the shared network thread's idle strategy.
        set_sharednetwork_idle_strategy_init_args, get_sharednetwork_idle_strategy_init_args, aeron_driver_context_set_sharednetwork_idle_strategy_init_args, aeron_driver_context_get_sharednetwork_idle_strategy_init_args);
    crate::string_property!(
        /// Arguments of the shared thread's idle strategy.
        set_shared_idle_strategy_init_args, get_shared_idle_strategy_init_args, aeron_driver_context_set_shared_idle_strategy_init_args, aeron_driver_context_get_shared_idle_strategy_init_args);
    crate::string_property!(
        /// Arguments of the native resource agent's idle strategy.
        set_native_resource_agent_idle_strategy_init_args, get_native_resource_agent_idle_strategy_init_args, aeron_driver_context_set_native_resource_agent_idle_strategy_init_args, aeron_driver_context_get_native_resource_agent_idle_strategy_init_args);
    crate::scalar_property!(
        /// How long a freed counter waits before reuse (ns).
        set_counters_free_to_reuse_timeout_ns, get_counters_free_to_reuse_timeout_ns, aeron_driver_context_set_counters_free_to_reuse_timeout_ns, aeron_driver_context_get_counters_free_to_reuse_timeout_ns, u64, crate::saturate_c_nanos);
    crate::scalar_property!(
        /// How long a receiver counts for multicast flow control without status messages (ns).
        set_flow_control_receiver_timeout_ns, get_flow_control_receiver_timeout_ns, aeron_driver_context_set_flow_control_receiver_timeout_ns, aeron_driver_context_get_flow_control_receiver_timeout_ns, u64, crate::saturate_c_nanos);
    crate::scalar_property!(
        /// Receiver group tag used by tagged flow control.
        set_flow_control_group_tag, get_flow_control_group_tag, aeron_driver_context_set_flow_control_group_tag, aeron_driver_context_get_flow_control_group_tag, i64);
    crate::scalar_property!(
        /// Minimum receiver group size for tagged flow control.
        set_flow_control_group_min_size, get_flow_control_group_min_size, aeron_driver_context_set_flow_control_group_min_size, aeron_driver_context_get_flow_control_group_min_size, i32);
    crate::scalar_property!(
        /// Print the configuration to stdout at start (off by default; library code never prints).
        set_print_configuration, get_print_configuration, aeron_driver_context_set_print_configuration, aeron_driver_context_get_print_configuration, bool);
    crate::scalar_property!(
        /// Whether streams are reliable (NAKs answered) by default.
        set_reliable_stream, get_reliable_stream, aeron_driver_context_set_reliable_stream, aeron_driver_context_get_reliable_stream, bool);
    crate::scalar_property!(
        /// Whether subscriptions are tethered (hold back publications) by default.
        set_tether_subscriptions, get_tether_subscriptions, aeron_driver_context_set_tether_subscriptions, aeron_driver_context_get_tether_subscriptions, bool);
    crate::scalar_property!(
        /// How long an untethered subscription may lag a full window before it is dropped (ns).
        set_untethered_window_limit_timeout_ns, get_untethered_window_limit_timeout_ns, aeron_driver_context_set_untethered_window_limit_timeout_ns, aeron_driver_context_get_untethered_window_limit_timeout_ns, u64, crate::saturate_c_nanos);
    crate::scalar_property!(
        /// How long an untethered subscription rests before it rejoins (ns).
        set_untethered_resting_timeout_ns, get_untethered_resting_timeout_ns, aeron_driver_context_set_untethered_resting_timeout_ns, aeron_driver_context_get_untethered_resting_timeout_ns, u64, crate::saturate_c_nanos);
    crate::scalar_property!(
        /// Timeout of the driver's own liveness, seen by clients (ms).
        set_driver_timeout_ms, get_driver_timeout_ms, aeron_driver_context_set_driver_timeout_ms, aeron_driver_context_get_driver_timeout_ms, u64, crate::saturate_c_millis);
    crate::scalar_property!(
        /// Expected size of multicast receiver groups, for NAK back-off.
        set_nak_multicast_group_size, get_nak_multicast_group_size, aeron_driver_context_set_nak_multicast_group_size, aeron_driver_context_get_nak_multicast_group_size, usize);
    crate::scalar_property!(
        /// Maximum back-off of multicast NAKs (ns).
        set_nak_multicast_max_backoff_ns, get_nak_multicast_max_backoff_ns, aeron_driver_context_set_nak_multicast_max_backoff_ns, aeron_driver_context_get_nak_multicast_max_backoff_ns, u64, crate::saturate_c_nanos);
    crate::scalar_property!(
        /// Delay before a unicast NAK (ns).
        set_nak_unicast_delay_ns, get_nak_unicast_delay_ns, aeron_driver_context_set_nak_unicast_delay_ns, aeron_driver_context_get_nak_unicast_delay_ns, u64, crate::saturate_c_nanos);
    crate::scalar_property!(
        /// Ratio of retry delay to first delay for unicast NAKs.
        set_nak_unicast_retry_delay_ratio, get_nak_unicast_retry_delay_ratio, aeron_driver_context_set_nak_unicast_retry_delay_ratio, aeron_driver_context_get_nak_unicast_retry_delay_ratio, u64);
    crate::scalar_property!(
        /// Maximum resends in flight per publication.
        set_max_resend, get_max_resend, aeron_driver_context_set_max_resend, aeron_driver_context_get_max_resend, u32);
    crate::scalar_property!(
        /// Delay before a unicast retransmit (ns).
        set_retransmit_unicast_delay_ns, get_retransmit_unicast_delay_ns, aeron_driver_context_set_retransmit_unicast_delay_ns, aeron_driver_context_get_retransmit_unicast_delay_ns, u64, crate::saturate_c_nanos);
    crate::scalar_property!(
        /// How long a unicast retransmit lingers (ns).
        set_retransmit_unicast_linger_ns, get_retransmit_unicast_linger_ns, aeron_driver_context_set_retransmit_unicast_linger_ns, aeron_driver_context_get_retransmit_unicast_linger_ns, u64, crate::saturate_c_nanos);
    crate::scalar_property!(
        /// Whether a receiver may rejoin a stream after its image went away.
        set_rejoin_stream, get_rejoin_stream, aeron_driver_context_set_rejoin_stream, aeron_driver_context_get_rejoin_stream, bool);
    crate::scalar_property!(
        /// Iteration threshold of the UDP transport poller.
        set_udp_channel_transport_poller_iteration_threshold, get_udp_channel_transport_poller_iteration_threshold, aeron_driver_context_set_udp_channel_transport_poller_iteration_threshold, aeron_driver_context_get_udp_channel_transport_poller_iteration_threshold, usize);
    crate::scalar_property!(
        /// Socket poll limit of the UDP transport poller.
        set_udp_channel_transport_poller_socket_poll_limit, get_udp_channel_transport_poller_socket_poll_limit, aeron_driver_context_set_udp_channel_transport_poller_socket_poll_limit, aeron_driver_context_get_udp_channel_transport_poller_socket_poll_limit, i32);
    crate::scalar_property!(
        /// Low end of the reserved session id range.
        set_publication_reserved_session_id_low, get_publication_reserved_session_id_low, aeron_driver_context_set_publication_reserved_session_id_low, aeron_driver_context_get_publication_reserved_session_id_low, i32);
    crate::scalar_property!(
        /// High end of the reserved session id range.
        set_publication_reserved_session_id_high, get_publication_reserved_session_id_high, aeron_driver_context_set_publication_reserved_session_id_high, aeron_driver_context_get_publication_reserved_session_id_high, i32);
    crate::scalar_property!(
        /// Timeout of a name resolver neighbour (ns).
        set_resolver_neighbor_timeout_ns, get_resolver_neighbor_timeout_ns, aeron_driver_context_set_resolver_neighbor_timeout_ns, aeron_driver_context_get_resolver_neighbor_timeout_ns, u64, crate::saturate_c_nanos);
    crate::scalar_property!(
        /// Interval of the name resolver's self resolution (ns).
        set_self_resolution_interval_ns, get_self_resolution_interval_ns, aeron_driver_context_set_self_resolution_interval_ns, aeron_driver_context_get_self_resolution_interval_ns, u64, crate::saturate_c_nanos);
    crate::scalar_property!(
        /// Interval of the name resolver's neighbour resolution (ns).
        set_resolver_neighbor_resolution_interval_ns, get_resolver_neighbor_resolution_interval_ns, aeron_driver_context_set_resolver_neighbor_resolution_interval_ns, aeron_driver_context_get_resolver_neighbor_resolution_interval_ns, u64, crate::saturate_c_nanos);
    crate::scalar_property!(
        /// Interval of re-resolution checks for endpoint names (ns).
        set_re_resolution_check_interval_ns, get_re_resolution_check_interval_ns, aeron_driver_context_set_re_resolution_check_interval_ns, aeron_driver_context_get_re_resolution_check_interval_ns, u64, crate::saturate_c_nanos);
    crate::scalar_property!(
        /// Receiver I/O vector capacity.
        set_receiver_io_vector_capacity, get_receiver_io_vector_capacity, aeron_driver_context_set_receiver_io_vector_capacity, aeron_driver_context_get_receiver_io_vector_capacity, u32);
    crate::scalar_property!(
        /// Sender I/O vector capacity.
        set_sender_io_vector_capacity, get_sender_io_vector_capacity, aeron_driver_context_set_sender_io_vector_capacity, aeron_driver_context_get_sender_io_vector_capacity, u32);
    crate::scalar_property!(
        /// Maximum messages per send of a network publication.
        set_network_publication_max_messages_per_send, get_network_publication_max_messages_per_send, aeron_driver_context_set_network_publication_max_messages_per_send, aeron_driver_context_get_network_publication_max_messages_per_send, u32);
    crate::scalar_property!(
        /// Maximum resources freed per conductor duty cycle.
        set_resource_free_limit, get_resource_free_limit, aeron_driver_context_set_resource_free_limit, aeron_driver_context_get_resource_free_limit, u32);
    crate::scalar_property!(
        /// CPU the conductor thread is pinned to (-1: none).
        set_conductor_cpu_affinity, get_conductor_cpu_affinity, aeron_driver_context_set_conductor_cpu_affinity, aeron_driver_context_get_conductor_cpu_affinity, i32);
    crate::scalar_property!(
        /// CPU the receiver thread is pinned to (-1: none).
        set_receiver_cpu_affinity, get_receiver_cpu_affinity, aeron_driver_context_set_receiver_cpu_affinity, aeron_driver_context_get_receiver_cpu_affinity, i32);
    crate::scalar_property!(
        /// CPU the sender thread is pinned to (-1: none).
        set_sender_cpu_affinity, get_sender_cpu_affinity, aeron_driver_context_set_sender_cpu_affinity, aeron_driver_context_get_sender_cpu_affinity, i32);
    crate::scalar_property!(
        /// CPU the native resource agent is pinned to (-1: none).
        set_native_resource_agent_cpu_affinity, get_native_resource_agent_cpu_affinity, aeron_driver_context_set_native_resource_agent_cpu_affinity, aeron_driver_context_get_native_resource_agent_cpu_affinity, i32);
    crate::scalar_property!(
        /// Whether affinity CPUs are offsets into the process's cpuset.
        set_thread_affinity_use_cpuset_offsets, get_thread_affinity_use_cpuset_offsets, aeron_driver_context_set_thread_affinity_use_cpuset_offsets, aeron_driver_context_get_thread_affinity_use_cpuset_offsets, bool);
    crate::scalar_property!(
        /// Whether the driver fails when the affinity settings are invalid.
        set_thread_affinity_fail_on_validation_errors, get_thread_affinity_fail_on_validation_errors, aeron_driver_context_set_thread_affinity_fail_on_validation_errors, aeron_driver_context_get_thread_affinity_fail_on_validation_errors, bool);
    crate::scalar_property!(
        /// Maximum sessions per stream.
        set_stream_session_limit, get_stream_session_limit, aeron_driver_context_set_stream_session_limit, aeron_driver_context_get_stream_session_limit, i32);
}

unsafe extern "C" fn log_driver_activity(message: *const std::os::raw::c_char) {
    crate::handler::guard_detached((), || {
        log::debug!("is_driver_active: {}", unsafe { crate::strings::c_str_to_str(message) });
    })
}

/// True when a media driver (in any process) is active on Aeron directory `dir`: its CnC file
/// exists and its heartbeat is younger than `timeout` (`aeron_is_driver_active`, defined by the
/// driver library). What C reports while checking is logged at `debug`.
pub fn is_driver_active(dir: &CStr, timeout: std::time::Duration) -> bool {
    if crate::limits::check_dir("is_driver_active", "dir", dir).is_err() {
        return false;
    }
    unsafe {
        bindings::aeron_is_driver_active(
            dir.as_ptr(),
            crate::duration_to_c_millis(timeout) as i64,
            Some(log_driver_activity),
        )
    }
}

/// The version word at the start of `dir/cnc.dat` (0 while its driver initialises), read as a
/// plain file; `None` when there is no such file or it is shorter than the word.
fn cnc_version_on_disk(dir: &Path) -> Option<i32> {
    use std::io::Read;
    let mut word = [0u8; 4];
    std::fs::File::open(dir.join("cnc.dat")).ok()?.read_exact(&mut word).ok()?;
    Some(i32::from_ne_bytes(word))
}

/// A started C driver and the context it runs on, closed in that order, once; then, for a
/// driver that ran and was asked to, its directory is removed.
struct DriverCore {
    driver: *mut bindings::aeron_driver_t,
    /// Closed right after `aeron_driver_close` (taken in `Drop`). Its close never deletes the
    /// directory (see `AeronDriverContext::new`): `Drop` does, for a driver that ran.
    context: Option<AeronDriverContext>,
    dir: PathBuf,
    /// `dir_delete_on_shutdown` as configured when the driver started.
    delete_dir_on_shutdown: bool,
    /// `dir` did not exist before this start: a failed start removes what it made there.
    created_dir: bool,
    /// Set once `aeron_driver_start` succeeded: the driver ran on `dir` and owns it.
    ran: bool,
}

impl DriverCore {
    fn start(call: &str, mut context: AeronDriverContext, manual_main_loop: bool) -> Result<Self, AeronCError> {
        if let Err(why) = crate::SingleThreaded::check_sole_handle(&mut context) {
            return Err(AeronCError::with_message(
                libc::EBUSY,
                format!("{call}: the driver context must be the only handle on it, but {why}"),
            ));
        }
        if !manual_main_loop && context.get_threading_mode() == Some(AeronThreadingMode::Invoker) {
            return Err(AeronCError::with_message(
                libc::EINVAL,
                format!("{call}: the INVOKER threading mode runs no thread of its own; use SteppedMediaDriver"),
            ));
        }
        let dir = PathBuf::from(context.get_dir());
        // Refuse a directory a live driver heartbeats in before Aeron sees it: with
        // `dir_delete_on_start` Aeron would delete it without looking. Without that flag Aeron
        // refuses by itself, as fast. A live driver's CnC file answers at once; a CnC file whose
        // version is still 0 (a driver initialising, or one whose init failed and left it)
        // makes `aeron_is_driver_active` wait up to the driver timeout for the version: that
        // wait is done once, here only when Aeron itself would not look (delete on start).
        let timeout = std::time::Duration::from_millis(context.get_driver_timeout_ms());
        let version = cnc_version_on_disk(&dir);
        let must_look = version.is_some_and(|v| v != 0) || (version == Some(0) && context.get_dir_delete_on_start());
        let dir_c = CString::new(dir.as_os_str().as_encoded_bytes()).unwrap_or_default();
        if must_look && is_driver_active(&dir_c, timeout) {
            return Err(AeronCError::with_message(
                libc::EBUSY,
                format!(
                    "{call}: another media driver is active on {} (its heartbeat is younger than the driver \
                     timeout, {} ms); nothing in the directory was touched",
                    dir.display(),
                    timeout.as_millis()
                ),
            ));
        }
        let delete_dir_on_shutdown = context.get_dir_delete_on_shutdown();
        let created_dir = !dir.exists();
        let mut driver: *mut bindings::aeron_driver_t = std::ptr::null_mut();
        if unsafe { bindings::aeron_driver_init(&mut driver, context.get_inner()) } < 0 || driver.is_null() {
            let e = AeronCError::last();
            drop(context);
            if created_dir {
                remove_failed_start_dir(&dir);
            }
            return Err(AeronCError::with_message(
                e.code,
                format!(
                    "{call}: the media driver did not initialise on {}: {}",
                    dir.display(),
                    e.message().unwrap_or("")
                ),
            ));
        }
        let mut core =
            DriverCore { driver, context: Some(context), dir, delete_dir_on_shutdown, created_dir, ran: false };
        if unsafe { bindings::aeron_driver_start(core.driver, manual_main_loop) } < 0 {
            let e = AeronCError::last();
            return Err(AeronCError::with_message(
                e.code,
                format!(
                    "{call}: the media driver did not start on {}: {}",
                    core.dir.display(),
                    e.message().unwrap_or("")
                ),
            ));
        }
        core.ran = true;
        log::debug!("{call}: media driver running on {}", core.dir.display());
        Ok(core)
    }

    fn client_context(&self) -> Result<AeronContext, AeronCError> {
        let ctx = AeronContext::new()?;
        ctx.set_dir(&crate::IntoCString::into_c_string_for(
            self.dir.to_string_lossy().as_ref(),
            "the driver directory",
        )?)?;
        Ok(ctx)
    }
}

impl Drop for DriverCore {
    fn drop(&mut self) {
        // Stops and joins the driver's threads, then frees the driver.
        if unsafe { bindings::aeron_driver_close(self.driver) } < 0 {
            log::error!("aeron_driver_close failed: {}", AeronCError::last());
        }
        // Unmaps the CnC and loss-report files and frees the context (never deletes).
        drop(self.context.take());
        log::debug!("media driver on {} closed", self.dir.display());
        if self.ran && self.delete_dir_on_shutdown {
            match std::fs::remove_dir_all(&self.dir) {
                Ok(()) => log::debug!("removed the driver's directory {}", self.dir.display()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => log::error!("cannot remove the driver's directory {}: {e}", self.dir.display()),
            }
        } else if !self.ran && self.created_dir {
            remove_failed_start_dir(&self.dir);
        }
    }
}

/// After a start that failed on a directory that did not exist before it: removes what the start
/// made, so the directory is as it was found (absent). Kept when a driver that did start there
/// since (another process racing this one) marked its CnC file ready.
fn remove_failed_start_dir(dir: &Path) {
    if cnc_version_on_disk(dir).is_some_and(|v| v != 0) {
        log::debug!("{} now holds another driver's ready CnC file: kept", dir.display());
        return;
    }
    match std::fs::remove_dir_all(dir) {
        Ok(()) => log::debug!("removed {}, made by a start that failed", dir.display()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => log::error!("cannot remove {}, made by a start that failed: {e}", dir.display()),
    }
}

/// The C media driver running inside this process on its own threads
/// (`aeron_driver_start(driver, false)`), as `aeronmd` would in a process of its own. Dropping it
/// stops the threads, closes the driver and its context and, with `dir_delete_on_shutdown` (on by
/// default in [`AeronDriverContext::new`]), deletes its directory. Only a driver that ran
/// deletes: a refused or failed start leaves the directory alone (see [`start`](Self::start)).
///
/// Threads: `Send + Sync`. The driver runs on its own threads; this handle only knows where and
/// stops it on drop.
///
/// ```
/// use rusteron_client::*;
/// use rusteron_client::testing::{embedded_driver_context, wait_until};
/// use std::time::Duration;
///
/// let driver = EmbeddedMediaDriver::start(embedded_driver_context()?)?;
/// let aeron = driver.connect()?;
/// let publication = aeron.add_publication(c"aeron:ipc", 7, Duration::from_secs(5))?;
/// let subscription = aeron.add_subscription(
///     c"aeron:ipc", 7, no_available_image_handler(), no_unavailable_image_handler(), Duration::from_secs(5))?;
/// assert!(wait_until(Duration::from_secs(5), || publication.offer(b"in-process").is_ok()));
/// let mut got = Vec::new();
/// assert!(wait_until(Duration::from_secs(5), || {
///     subscription.poll_fn(|msg, _header| got.push(msg.to_vec()), 10).unwrap();
///     !got.is_empty()
/// }));
/// assert_eq!(got[0], b"in-process");
/// # Ok::<(), AeronCError>(())
/// ```
pub struct EmbeddedMediaDriver {
    core: DriverCore,
    threading_mode: Option<AeronThreadingMode>,
}

// SAFETY: no method touches the C driver or its context after start (the driver's threads own
// them); `Drop` closes them with exclusive access, and aeron_driver_close may run on any thread.
unsafe impl Send for EmbeddedMediaDriver {}
unsafe impl Sync for EmbeddedMediaDriver {}

impl EmbeddedMediaDriver {
    /// Initialises a driver on `context` and starts its threads. The context must be the only
    /// handle on it (no clone): the driver keeps it and closes it on drop.
    ///
    /// # Errors
    /// `EBUSY` when a clone of the context exists; `EINVAL` for the `INVOKER` threading mode
    /// (use [`SteppedMediaDriver`]); Aeron's error when the driver refuses its settings (a term
    /// length that is not a power of two, say).
    ///
    /// `EBUSY` at once, with nothing in the directory touched, when another driver (in any
    /// process) heartbeats in the directory, even with `dir_delete_on_start`.
    ///
    /// # Files and waits
    /// An existing directory without a live driver is deleted and recreated (Aeron's rule; the
    /// dead driver's non-empty error log is first saved to a file beside it). A start that
    /// fails removes the directory only if it did not exist before the call; an existing one
    /// is left as far as Aeron's init got (recreated, never removed). One case
    /// waits: a `cnc.dat` whose version word is still 0 (a driver initialising there, or one
    /// whose init failed and left the file) is watched for up to the context's driver timeout
    /// ([`AeronDriverContext::set_driver_timeout`], 10 s by default) before Aeron decides no
    /// driver is coming and recreates the directory; shorten that timeout to shorten the wait.
    pub fn start(context: AeronDriverContext) -> Result<Self, AeronCError> {
        let threading_mode = context.get_threading_mode();
        Ok(EmbeddedMediaDriver {
            core: DriverCore::start("EmbeddedMediaDriver::start", context, false)?,
            threading_mode,
        })
    }

    /// [`start`](Self::start) with a context of Aeron's defaults on directory `dir`.
    pub fn start_on(dir: &CStr) -> Result<Self, AeronCError> {
        let context = AeronDriverContext::new()?;
        context.set_dir(dir)?;
        Self::start(context)
    }

    /// The driver's Aeron directory.
    pub fn dir(&self) -> &Path {
        &self.core.dir
    }

    /// The threading mode it runs with.
    pub fn threading_mode(&self) -> Option<AeronThreadingMode> {
        self.threading_mode
    }

    /// A client context pointing at this driver's directory.
    pub fn client_context(&self) -> Result<AeronContext, AeronCError> {
        self.core.client_context()
    }

    /// A started client of this driver.
    pub fn connect(&self) -> Result<Aeron, AeronCError> {
        Aeron::connect(&self.client_context()?)
    }
}

impl std::fmt::Debug for EmbeddedMediaDriver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedMediaDriver")
            .field("dir", &self.core.dir)
            .field("threading_mode", &self.threading_mode)
            .finish()
    }
}

/// The C media driver inside this process, its main agent run by the caller
/// (`aeron_driver_start(driver, true)`): each [`do_work`](Self::do_work) is one duty cycle of the
/// conductor (or, in the `SHARED` and `INVOKER` modes, of all three agents), and
/// [`idle`](Self::idle) applies the driver's own idle strategy. In the `DEDICATED` and
/// `SHARED_NETWORK` modes the sender and receiver still run on threads of their own.
///
/// Threads: `Send`, so it can be created on one thread and stepped on another; `do_work` and
/// `idle` take `&mut self`, so one thread steps it at a time. Dropped like
/// [`EmbeddedMediaDriver`].
///
/// ```
/// use rusteron_client::*;
/// use rusteron_client::testing::embedded_driver_context;
///
/// let context = embedded_driver_context()?;
/// context.set_threading_mode(AeronThreadingMode::Invoker)?;
/// let mut driver = SteppedMediaDriver::start(context)?;
/// let mut work = 0;
/// for _ in 0..100 {
///     let n = driver.do_work()?;
///     work += n;
///     driver.idle(n);
/// }
/// assert!(work > 0, "a fresh driver has start-up work to do");
/// # Ok::<(), AeronCError>(())
/// ```
pub struct SteppedMediaDriver {
    core: DriverCore,
}

// SAFETY: the C driver has no thread affinity (no thread-local state between duty cycles);
// `&mut self` on every call that touches it means one thread at a time.
unsafe impl Send for SteppedMediaDriver {}

impl SteppedMediaDriver {
    /// Initialises a driver on `context` (the only handle on it) without starting its main
    /// agent: the caller runs it with [`do_work`](Self::do_work). Errors as
    /// [`EmbeddedMediaDriver::start`], the `INVOKER` mode included.
    pub fn start(context: AeronDriverContext) -> Result<Self, AeronCError> {
        Ok(SteppedMediaDriver { core: DriverCore::start("SteppedMediaDriver::start", context, true)? })
    }

    /// Runs one duty cycle of the driver's main agent (`aeron_driver_main_do_work`); returns its
    /// work count (0 when there was nothing to do).
    pub fn do_work(&mut self) -> Result<i32, AeronCError> {
        check(unsafe { bindings::aeron_driver_main_do_work(self.core.driver) })
    }

    /// Idles with the main agent's idle strategy after a duty cycle that did `work_count` work
    /// (`aeron_driver_main_idle_strategy`).
    pub fn idle(&mut self, work_count: i32) {
        unsafe { bindings::aeron_driver_main_idle_strategy(self.core.driver, work_count) }
    }

    /// Runs duty cycles (with the idle strategy between them) until `done` returns true or
    /// `timeout` passes; returns whether `done` became true.
    pub fn run_until(
        &mut self,
        timeout: std::time::Duration,
        mut done: impl FnMut() -> bool,
    ) -> Result<bool, AeronCError> {
        let deadline = crate::__private::deadline_after(timeout);
        loop {
            if done() {
                return Ok(true);
            }
            if std::time::Instant::now() >= deadline {
                return Ok(false);
            }
            let n = self.do_work()?;
            self.idle(n);
        }
    }

    /// The driver's Aeron directory.
    pub fn dir(&self) -> &Path {
        &self.core.dir
    }

    /// A client context pointing at this driver's directory. A client's adds wait for the
    /// driver's answer, so step the driver on another thread meanwhile, or use the async adds.
    pub fn client_context(&self) -> Result<AeronContext, AeronCError> {
        self.core.client_context()
    }
}

impl std::fmt::Debug for SteppedMediaDriver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SteppedMediaDriver").field("dir", &self.core.dir).finish()
    }
}
