//! The media driver's counters as Prometheus / OpenMetrics metrics (feature `prometheus`).
//!
//! [`AeronMetrics`] is a [`prometheus_client`] [`Collector`]: it holds a counters reader (of a
//! client, or of a driver's CnC file) and reads every counter **when it is scraped**, in the
//! scraping thread. No thread of ours runs, nothing is sampled on the hot path, and a publisher
//! or subscriber pays nothing for being watched: the driver already keeps these counters in
//! shared memory.
//!
//! ```no_run
//! use prometheus_client::registry::Registry;
//! use rusteron_client::metrics::AeronMetrics;
//! use rusteron_client::*;
//! # fn main() -> Result<(), AeronCError> {
//! let cnc = AeronCnc::new(c"/dev/shm/aeron-me", std::time::Duration::from_secs(1))?;
//! let mut registry = Registry::default();
//! AeronMetrics::from_cnc(&cnc).register(&mut registry);
//! // Serve `registry` with any HTTP server; each GET reads the counters afresh:
//! let mut text = String::new();
//! prometheus_client::encoding::text::encode(&mut text, &registry).unwrap();
//! # Ok(()) }
//! ```
//!
//! What is exposed (names are OpenMetrics names; a counter gains `_total` when encoded):
//!
//! | metric | type | from |
//! | --- | --- | --- |
//! | `aeron_<system counter>` (`aeron_bytes_sent_total`, `aeron_errors_total`, ...) | counter, or gauge for the max cycle times, mapped bytes, versions and idle status | the driver's 46 system counters |
//! | `aeron_publisher_position`, `aeron_publisher_limit`, `aeron_sender_position`, `aeron_sender_limit`, `aeron_receiver_hwm`, `aeron_receiver_position`, `aeron_subscriber_position` | gauge, labels `session_id`, `stream_id`, `channel`, `registration_id` | per-stream position counters |
//! | `aeron_sender_bpe`, `aeron_sender_naks_received`, `aeron_receiver_naks_sent` | counter, same labels | per-stream event counters |
//! | `aeron_counter` | gauge, labels `id`, `type_id`, `label` | every other counter (client heartbeats, channel status, archive and cluster counters, ...) |
//! | `aeron_driver_heartbeat_age_ms`, `aeron_driver_distinct_errors` | gauge | the CnC file ([`AeronMetrics::from_cnc`] only) |
//!
//! The same reading, without Prometheus types, is [`sample_counters`]: one pass over the counters
//! giving each one's id, type, value, label and, for a per-stream counter, its stream.

use crate::{bindings, AeronCError, AeronCnc, AeronCountersReader, AeronSystemCounterType};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric, MetricEncoder};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Registry;
use std::collections::BTreeMap;
use std::fmt;

pub use prometheus_client;

/// The per-stream counters of a media driver: each one's key is a stream (registration id,
/// session id, stream id, channel) and its type id says what it counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AeronStreamCounterKind {
    /// `pub-pos`: how far a publication has written (type id 12).
    PublisherPosition,
    /// `pub-lmt`: how far a publication may write before back pressure (type id 1).
    PublisherLimit,
    /// `snd-pos`: how far the sender has sent a network publication (type id 2).
    SenderPosition,
    /// `snd-lmt`: how far flow control lets the sender send (type id 9).
    SenderLimit,
    /// `snd-bpe`: how often the sender was held back by flow control (type id 13).
    SenderBackPressureEvents,
    /// `snd-naks-received`: NAKs the sender received for this stream (type id 19).
    SenderNaksReceived,
    /// `rcv-hwm`: the highest position a receiver has seen of an image (type id 3).
    ReceiverHwm,
    /// `rcv-pos`: how far a receiver has rebuilt an image without gaps (type id 5).
    ReceiverPosition,
    /// `rcv-naks-sent`: NAKs a receiver sent for this image (type id 20).
    ReceiverNaksSent,
    /// `sub-pos`: how far one subscription has consumed an image (type id 4).
    SubscriberPosition,
}

impl AeronStreamCounterKind {
    /// Every kind, in the order a stream's data flows (publisher, sender, receiver, subscriber).
    pub const ALL: [AeronStreamCounterKind; 10] = [
        Self::PublisherPosition,
        Self::PublisherLimit,
        Self::SenderPosition,
        Self::SenderLimit,
        Self::SenderBackPressureEvents,
        Self::SenderNaksReceived,
        Self::ReceiverHwm,
        Self::ReceiverPosition,
        Self::ReceiverNaksSent,
        Self::SubscriberPosition,
    ];

    /// The kind of a counter with this type id, if it is a per-stream counter.
    pub fn from_type_id(type_id: i32) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.type_id() == type_id)
    }

    /// The counter type id (`AERON_COUNTER_*_TYPE_ID` of `aeron_counters.h`).
    pub const fn type_id(self) -> i32 {
        (match self {
            Self::PublisherLimit => bindings::AERON_COUNTER_PUBLISHER_LIMIT_TYPE_ID,
            Self::SenderPosition => bindings::AERON_COUNTER_SENDER_POSITION_TYPE_ID,
            Self::ReceiverHwm => bindings::AERON_COUNTER_RECEIVER_HWM_TYPE_ID,
            Self::SubscriberPosition => bindings::AERON_COUNTER_SUBSCRIPTION_POSITION_TYPE_ID,
            Self::ReceiverPosition => bindings::AERON_COUNTER_RECEIVER_POSITION_TYPE_ID,
            Self::SenderLimit => bindings::AERON_COUNTER_SENDER_LIMIT_TYPE_ID,
            Self::PublisherPosition => bindings::AERON_COUNTER_PUBLISHER_POSITION_TYPE_ID,
            Self::SenderBackPressureEvents => bindings::AERON_COUNTER_SENDER_BPE_TYPE_ID,
            Self::SenderNaksReceived => bindings::AERON_COUNTER_SENDER_NAKS_RECEIVED_TYPE_ID,
            Self::ReceiverNaksSent => bindings::AERON_COUNTER_RECEIVER_NAKS_SENT_TYPE_ID,
        }) as i32
    }

    /// The short name the driver starts the counter's label with (`AERON_COUNTER_*_NAME`).
    pub const fn short_name(self) -> &'static str {
        match self {
            Self::PublisherLimit => "pub-lmt",
            Self::SenderPosition => "snd-pos",
            Self::ReceiverHwm => "rcv-hwm",
            Self::SubscriberPosition => "sub-pos",
            Self::ReceiverPosition => "rcv-pos",
            Self::SenderLimit => "snd-lmt",
            Self::PublisherPosition => "pub-pos",
            Self::SenderBackPressureEvents => "snd-bpe",
            Self::SenderNaksReceived => "snd-naks-received",
            Self::ReceiverNaksSent => "rcv-naks-sent",
        }
    }

    /// The metric's name (without the `_total` an OpenMetrics counter gains).
    pub const fn metric_name(self) -> &'static str {
        match self {
            Self::PublisherLimit => "aeron_publisher_limit",
            Self::SenderPosition => "aeron_sender_position",
            Self::ReceiverHwm => "aeron_receiver_hwm",
            Self::SubscriberPosition => "aeron_subscriber_position",
            Self::ReceiverPosition => "aeron_receiver_position",
            Self::SenderLimit => "aeron_sender_limit",
            Self::PublisherPosition => "aeron_publisher_position",
            Self::SenderBackPressureEvents => "aeron_sender_bpe",
            Self::SenderNaksReceived => "aeron_sender_naks_received",
            Self::ReceiverNaksSent => "aeron_receiver_naks_sent",
        }
    }

    /// True for a position or limit (a gauge, in bytes), false for an event count.
    pub const fn is_position(self) -> bool {
        !matches!(self, Self::SenderBackPressureEvents | Self::SenderNaksReceived | Self::ReceiverNaksSent)
    }
}

impl fmt::Display for AeronStreamCounterKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.short_name())
    }
}

/// The stream a per-stream counter belongs to, from its key
/// (`aeron_stream_position_counter_key_layout_t`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AeronStreamKey {
    /// The registration id of the publication or subscription the counter was made for.
    pub registration_id: i64,
    /// The session id of the stream.
    pub session_id: i32,
    /// The stream id.
    pub stream_id: i32,
    /// The channel (the key holds at most its first 92 bytes).
    pub channel: String,
}

impl AeronStreamKey {
    const FIXED: usize = 8 + 4 + 4 + 4;

    /// Parses a stream position counter's key bytes; `None` if they are too short to be one.
    pub fn parse(key: &[u8]) -> Option<Self> {
        if key.len() < Self::FIXED {
            return None;
        }
        let i64_at = |o: usize| i64::from_ne_bytes(key[o..o + 8].try_into().unwrap_or_default());
        let i32_at = |o: usize| i32::from_ne_bytes(key[o..o + 4].try_into().unwrap_or_default());
        let channel_length = (i32_at(16).max(0) as usize).min(key.len() - Self::FIXED);
        Some(AeronStreamKey {
            registration_id: i64_at(0),
            session_id: i32_at(8),
            stream_id: i32_at(12),
            channel: String::from_utf8_lossy(&key[Self::FIXED..Self::FIXED + channel_length]).into_owned(),
        })
    }
}

/// One counter as read by [`sample_counters`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AeronCounterSample {
    /// The counter id.
    pub id: i32,
    /// The counter's type id.
    pub type_id: i32,
    /// Its value when read.
    pub value: i64,
    /// Its label.
    pub label: String,
    /// For a per-stream counter ([`AeronStreamCounterKind`]): what it counts and its stream.
    pub stream: Option<(AeronStreamCounterKind, AeronStreamKey)>,
}

impl AeronCounterSample {
    /// The system counter this is, if it is one.
    pub fn system_counter(&self) -> Option<AeronSystemCounterType> {
        if self.type_id == crate::AERON_COUNTER_SYSTEM_COUNTER_TYPE_ID {
            AeronSystemCounterType::from_id(self.id)
        } else {
            None
        }
    }
}

/// Every allocated counter of `reader`, in id order, read in one pass
/// (`aeron_counters_reader_foreach_counter`).
pub fn sample_counters(reader: &AeronCountersReader) -> Vec<AeronCounterSample> {
    let mut samples = Vec::new();
    reader.foreach_counter_once(|value, id, type_id, key, label| {
        let stream =
            AeronStreamCounterKind::from_type_id(type_id).and_then(|k| AeronStreamKey::parse(key).map(|s| (k, s)));
        samples.push(AeronCounterSample { id, type_id, value, label: label.to_string(), stream });
    });
    samples
}

/// The metric name of a system counter: `aeron_` and its name in snake case
/// (`BytesSent` gives `aeron_bytes_sent`, `AeronVersion` gives `aeron_version`).
pub fn system_counter_metric_name(counter: AeronSystemCounterType) -> String {
    let mut name = String::from("aeron_");
    let debug = format!("{counter:?}");
    for (i, c) in debug.strip_prefix("Aeron").unwrap_or(&debug).chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                name.push('_');
            }
            name.push(c.to_ascii_lowercase());
        } else {
            name.push(c);
        }
    }
    name
}

/// True for the system counters that go up and down (or hold a maximum, a version or a status)
/// rather than count events: exposed as gauges.
fn system_counter_is_gauge(counter: AeronSystemCounterType) -> bool {
    use AeronSystemCounterType as T;
    matches!(
        counter,
        T::ControllableIdleStrategy
            | T::ConductorMaxCycleTime
            | T::SenderMaxCycleTime
            | T::ReceiverMaxCycleTime
            | T::NameResolverMaxTime
            | T::AeronVersion
            | T::BytesCurrentlyMapped
            | T::ControlProtocolVersion
    )
}

/// A driver's counters as a [`Collector`]: every scrape reads them afresh through the counters
/// reader it holds (see the [module documentation](self) for the metrics). Cloning shares the
/// reader; the CnC mapping or client it comes from stays alive while this does.
#[derive(Clone)]
pub struct AeronMetrics {
    reader: AeronCountersReader,
    cnc: Option<AeronCnc>,
}

impl fmt::Debug for AeronMetrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AeronMetrics")
            .field("cnc", &self.cnc.as_ref().map(|c| c.filename().to_string()))
            .field("max_counter_id", &self.reader.max_counter_id())
            .finish()
    }
}

impl AeronMetrics {
    /// Metrics of the driver whose CnC file this is: its counters, plus the age of its heartbeat
    /// and the number of distinct errors in its error log.
    pub fn from_cnc(cnc: &AeronCnc) -> Self {
        AeronMetrics { reader: cnc.counters_reader(), cnc: Some(cnc.clone()) }
    }

    /// Metrics from any counters reader (a client's: [`Aeron::counters_reader`](crate::Aeron::counters_reader)).
    pub fn from_counters_reader(reader: AeronCountersReader) -> Self {
        AeronMetrics { reader, cnc: None }
    }

    /// Registers these metrics as a collector of `registry`.
    pub fn register(self, registry: &mut Registry) {
        registry.register_collector(Box::new(self));
    }

    /// The metrics now, in the OpenMetrics text format (a registry holding only these).
    pub fn encode_text(&self) -> Result<String, AeronCError> {
        let mut registry = Registry::default();
        self.clone().register(&mut registry);
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &registry)
            .map_err(|_| AeronCError::with_message(-1, "AeronMetrics::encode_text: the OpenMetrics encoder failed"))?;
        Ok(text)
    }
}

fn encode_gauge(encoder: MetricEncoder<'_>, value: i64) -> Result<(), fmt::Error> {
    ConstGauge::new(value).encode(encoder)
}

fn encode_counter(encoder: MetricEncoder<'_>, value: i64) -> Result<(), fmt::Error> {
    ConstCounter::new(value.max(0) as u64).encode(encoder)
}

impl Collector for AeronMetrics {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), fmt::Error> {
        let samples = sample_counters(&self.reader);
        if let Some(cnc) = &self.cnc {
            let age = crate::epoch_clock() - cnc.to_driver_heartbeat();
            let e = encoder.encode_descriptor(
                "aeron_driver_heartbeat_age_ms",
                "Milliseconds since the media driver's last heartbeat in its CnC file",
                None,
                MetricType::Gauge,
            )?;
            encode_gauge(e, age)?;
            let distinct = cnc.error_log_read_once(|_, _, _, _| {}, 0) as i64;
            let e = encoder.encode_descriptor(
                "aeron_driver_distinct_errors",
                "Distinct errors in the media driver's error log",
                None,
                MetricType::Gauge,
            )?;
            encode_gauge(e, distinct)?;
        }
        let mut per_stream: BTreeMap<AeronStreamCounterKind, Vec<&AeronCounterSample>> = BTreeMap::new();
        let mut others = Vec::new();
        for s in &samples {
            if let Some(system) = s.system_counter() {
                let name = system_counter_metric_name(system);
                if system_counter_is_gauge(system) {
                    encode_gauge(encoder.encode_descriptor(&name, system.label(), None, MetricType::Gauge)?, s.value)?;
                } else {
                    encode_counter(
                        encoder.encode_descriptor(&name, system.label(), None, MetricType::Counter)?,
                        s.value,
                    )?;
                }
            } else if let Some((kind, _)) = &s.stream {
                per_stream.entry(*kind).or_default().push(s);
            } else {
                others.push(s);
            }
        }
        for (kind, samples) in per_stream {
            let help = format!("{} counters of the driver's streams (type id {})", kind.short_name(), kind.type_id());
            let metric_type = if kind.is_position() { MetricType::Gauge } else { MetricType::Counter };
            let mut family = encoder.encode_descriptor(kind.metric_name(), &help, None, metric_type)?;
            for s in samples {
                let Some((_, key)) = &s.stream else { continue };
                let labels = [
                    ("session_id", key.session_id.to_string()),
                    ("stream_id", key.stream_id.to_string()),
                    ("channel", key.channel.clone()),
                    ("registration_id", key.registration_id.to_string()),
                ];
                let e = family.encode_family(&labels)?;
                if kind.is_position() {
                    encode_gauge(e, s.value)?;
                } else {
                    encode_counter(e, s.value)?;
                }
            }
        }
        if !others.is_empty() {
            let mut family = encoder.encode_descriptor(
                "aeron_counter",
                "Every other counter of the driver, by id, type id and label",
                None,
                MetricType::Gauge,
            )?;
            for s in others {
                let labels = [("id", s.id.to_string()), ("type_id", s.type_id.to_string()), ("label", s.label.clone())];
                encode_gauge(family.encode_family(&labels)?, s.value)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_counter_names_are_snake_case() {
        assert_eq!(system_counter_metric_name(AeronSystemCounterType::BytesSent), "aeron_bytes_sent");
        assert_eq!(system_counter_metric_name(AeronSystemCounterType::AeronVersion), "aeron_version");
        assert_eq!(
            system_counter_metric_name(AeronSystemCounterType::NativeResourceAgentProxyFails),
            "aeron_native_resource_agent_proxy_fails"
        );
        let mut names: Vec<_> = AeronSystemCounterType::ALL.iter().map(|c| system_counter_metric_name(*c)).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), AeronSystemCounterType::ALL.len(), "two system counters share a metric name");
    }

    #[test]
    fn stream_keys_parse_and_short_keys_are_refused() {
        let mut key = vec![0u8; 112];
        key[0..8].copy_from_slice(&77i64.to_ne_bytes());
        key[8..12].copy_from_slice(&(-5i32).to_ne_bytes());
        key[12..16].copy_from_slice(&1001i32.to_ne_bytes());
        key[16..20].copy_from_slice(&9i32.to_ne_bytes());
        key[20..29].copy_from_slice(b"aeron:ipc");
        let k = AeronStreamKey::parse(&key).unwrap();
        assert_eq!((k.registration_id, k.session_id, k.stream_id, k.channel.as_str()), (77, -5, 1001, "aeron:ipc"));
        // A channel length larger than the key is clamped, never read past the key.
        key[16..20].copy_from_slice(&i32::MAX.to_ne_bytes());
        assert_eq!(AeronStreamKey::parse(&key).unwrap().channel.len(), 92);
        assert_eq!(AeronStreamKey::parse(&key[..19]), None);
        for kind in AeronStreamCounterKind::ALL {
            assert_eq!(AeronStreamCounterKind::from_type_id(kind.type_id()), Some(kind));
        }
        assert_eq!(AeronStreamCounterKind::from_type_id(0), None);
        assert_eq!(AeronStreamCounterKind::PublisherLimit.type_id(), 1);
    }

    #[test]
    fn short_names_are_the_c_names() {
        let c = |b: &[u8]| std::ffi::CStr::from_bytes_with_nul(b).unwrap().to_str().unwrap().to_string();
        use AeronStreamCounterKind as K;
        for (kind, name) in [
            (K::PublisherLimit, c(bindings::AERON_COUNTER_PUBLISHER_LIMIT_NAME)),
            (K::SenderPosition, c(bindings::AERON_COUNTER_SENDER_POSITION_NAME)),
            (K::ReceiverHwm, c(bindings::AERON_COUNTER_RECEIVER_HWM_NAME)),
            (K::SubscriberPosition, c(bindings::AERON_COUNTER_SUBSCRIPTION_POSITION_NAME)),
            (K::ReceiverPosition, c(bindings::AERON_COUNTER_RECEIVER_POSITION_NAME)),
            (K::SenderLimit, c(bindings::AERON_COUNTER_SENDER_LIMIT_NAME)),
            (K::SenderBackPressureEvents, c(bindings::AERON_COUNTER_SENDER_BPE_NAME)),
            (K::SenderNaksReceived, c(bindings::AERON_COUNTER_SENDER_NAKS_RECEIVED_NAME)),
            (K::ReceiverNaksSent, c(bindings::AERON_COUNTER_RECEIVER_NAKS_SENT_NAME)),
        ] {
            assert_eq!(kind.short_name(), name);
        }
        // The publisher position's label says "pub-pos (exclusive)" or "pub-pos (concurrent)".
        assert!(
            c(bindings::AERON_COUNTER_PUBLISHER_POSITION_NAME_EXCLUSIVE).starts_with(K::PublisherPosition.short_name())
        );
    }
}
