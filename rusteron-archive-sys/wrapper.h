/* The headers bindgen reads. Public API first, then the lower-level headers that the safe layer's
 * public types rest on (URI parsing, counters, CnC, log buffers, protocol frames, loss reports). */
#include <aeronc.h>
#include <aeron_common.h>
#include <aeron_client.h>
#include <aeron_client_conductor.h>
#include <aeron_cnc_file_descriptor.h>
#include <aeron_counters.h>
#include <aeron_image.h>
#include <aeron_log_buffer.h>
#include <aeron_publication.h>
#include <aeron_exclusive_publication.h>
#include <aeron_subscription.h>
#include <aeron_counter.h>
#include <aeron_fragment_assembler.h>
#include <aeron_alloc.h>
#include <collections/aeron_str_to_ptr_hash_map.h>
#include <concurrent/aeron_atomic.h>
#include <concurrent/aeron_counters_manager.h>
#include <concurrent/aeron_distinct_error_log.h>
#include <concurrent/aeron_logbuffer_descriptor.h>
#include <protocol/aeron_udp_protocol.h>
#include <reports/aeron_loss_reporter.h>
#include <uri/aeron_uri.h>
#include <uri/aeron_uri_string_builder.h>
#include <util/aeron_error.h>
#include <util/aeron_fileutil.h>

/* The C media driver (libaeron_driver), for the embedded driver. */
#include <aeronmd.h>

#include <aeron_archive.h>
#include <aeron_archive_client.h>
#include <aeron_archive_async_connect.h>
#include <aeron_archive_client_version.h>
#include <aeron_archive_configuration.h>
#include <aeron_archive_context.h>
#include <aeron_archive_control_response_poller.h>
#include <aeron_archive_credentials_supplier.h>
#include <aeron_archive_proxy.h>
#include <aeron_archive_recording_descriptor_poller.h>
#include <aeron_archive_recording_signal.h>
#include <aeron_archive_recording_subscription_descriptor_poller.h>
#include <aeron_archive_replay_params.h>
#include <aeron_archive_persistent_subscription.h>
