//! Channel URIs: Aeron's C parser and string builder, and the pure-Rust `ChannelUri`.

use rusteron_client::*;

#[test]
fn c_parser_reads_udp_and_ipc_uris() {
    let uri = AeronUri::parse(
        "aeron:udp?endpoint=localhost:40123|interface=127.0.0.1|mtu=1408|ttl=4|tags=1001,1002|linger=5s|reliable=false",
    )
    .expect("valid udp uri");
    assert_eq!(uri.media(), Some(Media::Udp));
    let udp = uri.udp().expect("udp params");
    assert!(uri.ipc().is_none());
    assert_eq!(udp.endpoint(), Some("localhost:40123"));
    assert_eq!(udp.bind_interface(), Some("127.0.0.1"));
    assert_eq!(udp.ttl(), Some("4"));
    assert_eq!(udp.channel_tag(), Some("1001"));
    assert_eq!(udp.entity_tag(), Some("1002"));
    assert_eq!(udp.control(), None);
    assert_eq!(uri.get("endpoint"), Some("localhost:40123"));
    assert_eq!(uri.get("mtu"), Some("1408"));
    assert_eq!(uri.get("nope"), None);
    assert_eq!(uri.multicast_ttl(), 4);

    let params = uri.params().expect("params");
    let pairs: Vec<_> = params.iter().collect();
    assert!(pairs.contains(&("mtu", "1408")), "{pairs:?}");
    assert_eq!(params.get(&"mtu".into_c_string()), Some("1408"));
    assert_eq!(params.get_int32(&"mtu".into_c_string()).unwrap(), Some(1408));
    assert_eq!(params.get_int64(&"mtu".into_c_string()).unwrap(), Some(1408));
    assert_eq!(params.get_bool(&"reliable".into_c_string()).unwrap(), Some(false));
    assert_eq!(params.get_timeout_ns(&"linger".into_c_string()).unwrap(), Some(5_000_000_000));
    assert_eq!(params.get_int32(&"absent".into_c_string()).unwrap(), None);
    drop(uri);
    // Borrowed params keep the parsed URI alive.
    assert_eq!(udp.endpoint(), Some("localhost:40123"));
    assert_eq!(params.len(), pairs.len());

    let ipc = AeronUri::parse("aeron:ipc?term-length=65536|tags=7").unwrap();
    assert_eq!(ipc.media(), Some(Media::Ipc));
    assert_eq!(ipc.ipc().unwrap().channel_tag(), Some("7"));
    assert_eq!(ipc.get("term-length"), Some("65536"));
    let printed = ipc.sprint().unwrap();
    assert!(printed.starts_with("aeron:ipc"), "{printed}");
    assert!(printed.contains("term-length=65536"), "{printed}");
    assert_eq!(ipc.to_string(), printed);
}

#[test]
fn c_parser_rejects_malformed_uris_with_aerons_message() {
    for bad in ["", "udp?endpoint=x", "aeron:carrier-pigeon", "aeron:udp?=x"] {
        let e = AeronUri::parse(bad).err().unwrap_or_else(|| panic!("{bad:?} parsed"));
        assert!(e.message().is_some_and(|m| !m.is_empty()), "{bad:?}: {e}");
    }
    let long = format!("aeron:udp?endpoint={}", "a".repeat(5000));
    assert!(AeronUri::parse(&long).unwrap_err().to_string().contains("length"));
    // A malformed numeric parameter is an error when read.
    let uri = AeronUri::parse("aeron:udp?endpoint=localhost:1|mtu=lots").unwrap();
    assert!(uri.params().unwrap().get_int32(&"mtu".into_c_string()).is_err());
}

#[test]
fn c_parse_params_and_tags() {
    let mut seen = Vec::new();
    AeronUri::parse_params("a=1|b=two", &mut |k: &str, v: &str| {
        seen.push((k.to_string(), v.to_string()));
        0
    })
    .unwrap();
    assert_eq!(seen, vec![("a".into(), "1".into()), ("b".into(), "two".into())]);
    // A handler that refuses stops the parse with an error.
    assert!(AeronUri::parse_params("a=1|b=2", &mut |_: &str, _: &str| -1).is_err());
    AeronUri::parse_params("x=y", &mut AeronUriParseCallbackLogger).unwrap();
    assert_eq!(AeronUri::parse_tag(&"1234".into_c_string()), Some(1234));
    assert_eq!(AeronUri::parse_tag(&"abc".into_c_string()), None);
}

#[test]
fn string_builder_round_trip() {
    let original = "aeron:udp?endpoint=localhost:40123|mtu=1408";
    let b = AeronUriStringBuilder::init_on_string(&original.into_c_string()).expect("builder");
    assert_eq!(b.get(&"endpoint".into_c_string()).as_deref(), Some("localhost:40123"));
    assert_eq!(b.get(&"__media".into_c_string()).as_deref(), Some("udp"));
    let s = b.sprint().unwrap();
    let reparsed = ChannelUri::parse(&s).unwrap();
    assert_eq!(reparsed, ChannelUri::parse(original).unwrap(), "{s}");

    b.put(&"linger".into_c_string(), &"0".into_c_string()).unwrap();
    b.put_int32(&"term-length".into_c_string(), 65536).unwrap();
    b.put_int64(&"session-id".into_c_string(), 77).unwrap();
    b.remove(&"mtu".into_c_string()).unwrap();
    let s = b.to_string();
    let u = ChannelUri::parse(&s).unwrap();
    assert_eq!(u.get("linger"), Some("0"));
    assert_eq!(u.get("term-length"), Some("65536"));
    assert_eq!(u.get("session-id"), Some("77"));
    assert_eq!(u.get("mtu"), None);
    assert_eq!(u.endpoint(), Some("localhost:40123"));

    b.set_initial_position(65536 * 2 + 64, 5, 65536).unwrap();
    let u = ChannelUri::parse(&b.sprint().unwrap()).unwrap();
    assert_eq!(u.get("init-term-id"), Some("5"));
    assert_eq!(u.get("term-id"), Some("7"));
    assert_eq!(u.get("term-offset"), Some("64"));

    let spy = AeronUriStringBuilder::new().unwrap();
    spy.put(&"__prefix".into_c_string(), &"aeron-spy".into_c_string()).unwrap();
    spy.put(&"__media".into_c_string(), &"ipc".into_c_string()).unwrap();
    assert_eq!(spy.sprint().unwrap(), "aeron-spy:aeron:ipc");

    assert!(AeronUriStringBuilder::init_on_string(&"not a uri".into_c_string()).is_err());
    assert!(b.set_initial_position(-1, 0, 65536).is_err());
}

#[test]
fn channel_uri_parse_display_round_trips() {
    for s in [
        "aeron:ipc",
        "aeron:udp",
        "aeron:udp?endpoint=localhost:40123",
        "aeron:udp?endpoint=224.0.1.1:40456|interface=192.168.1.0/24|ttl=8",
        "aeron:udp?control=localhost:40001|control-mode=dynamic|tags=1,2",
        "aeron-spy:aeron:ipc?term-length=65536",
        "aeron:ipc?alias=with spaces and :colons:",
    ] {
        let u = ChannelUri::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        assert_eq!(u.to_string(), s);
        assert_eq!(s.parse::<ChannelUri>().unwrap(), u);
        // Aeron's C parser agrees on media and parameters (it wants a '?' after udp and
        // knows no prefixes).
        if s == "aeron:udp" || u.prefix().is_some() {
            continue;
        }
        let c = AeronUri::parse(s).unwrap_or_else(|e| panic!("C parser on {s}: {e}"));
        assert_eq!(c.media(), Some(u.media()), "{s}");
        for (k, v) in u.params() {
            if k != "tags" {
                assert_eq!(c.get(k), Some(v), "{s}: {k}");
            }
        }
    }
    let u = ChannelUri::parse("aeron-spy:aeron:udp?endpoint=localhost:1|control-mode=manual").unwrap();
    assert!(u.is_spy());
    assert!(u.is_udp() && !u.is_ipc());
    assert_eq!(u.prefix(), Some("aeron-spy"));
    assert_eq!(u.control_mode().unwrap(), Some(ControlMode::Manual));
    assert_eq!(u.endpoint(), Some("localhost:1"));
}

#[test]
fn channel_uri_builder() {
    let mut u = ChannelUri::udp().with("endpoint", "localhost:40123").with("mtu", 1408);
    u.set_control_mode(ControlMode::Response).put("mtu", "8192");
    assert_eq!(u.to_string(), "aeron:udp?endpoint=localhost:40123|mtu=8192|control-mode=response");
    assert_eq!(u.remove("mtu").as_deref(), Some("8192"));
    assert!(!u.contains("mtu"));
    u.set_prefix(Some("aeron-spy"));
    assert_eq!(u.to_string(), "aeron-spy:aeron:udp?endpoint=localhost:40123|control-mode=response");
    assert_eq!(ChannelUri::ipc().spy().to_string(), format!("{SPY_PREFIX}{AERON_IPC_MEDIA}"));
    assert_eq!(ChannelUri::ipc().to_string(), AERON_IPC_STREAM);
    assert_eq!(ChannelUri::udp().to_string(), AERON_UDP_MEDIA);
    assert_eq!(ChannelUri::ipc().to_c_string().unwrap().to_str().unwrap(), "aeron:ipc");
    assert!(ChannelUri::is_tagged("tag:1001"));
    assert_eq!(ChannelUri::tag_id("tag:1001"), Some(1001));
    assert_eq!(ChannelUri::tag_id("1001"), None);
    assert_eq!(TAG_PREFIX, "tag:");
}

#[test]
fn channel_uri_errors() {
    for (bad, needle) in [
        ("", "empty"),
        ("udp?endpoint=x", "aeron:"),
        ("aeron:", "media"),
        ("aeron:tcp?endpoint=x", "tcp"),
        ("aeron:udp?", "no parameters"),
        ("aeron:udp?endpoint", "no '='"),
        ("aeron:udp?=x", "empty key"),
        ("aeron:udp?endpoint=x||mtu=1", "no '='"),
    ] {
        let e = ChannelUri::parse(bad).err().unwrap_or_else(|| panic!("{bad:?} parsed"));
        let msg = e.message().unwrap();
        assert!(msg.contains(needle), "{bad:?}: {msg}");
    }
    assert_eq!(Media::parse("udp").unwrap(), Media::Udp);
    assert_eq!("ipc".parse::<Media>().unwrap(), Media::Ipc);
    assert!(Media::parse("UDP").is_err());
    assert_eq!(Media::Udp.as_str(), "udp");
    assert_eq!(Media::Ipc.to_string(), "ipc");
    for m in [ControlMode::Manual, ControlMode::Dynamic, ControlMode::Response] {
        assert_eq!(ControlMode::parse(m.as_str()).unwrap(), m);
        assert_eq!(m.to_string().parse::<ControlMode>().unwrap(), m);
    }
    assert!(ControlMode::parse("auto").is_err());
    let u = ChannelUri::parse("aeron:udp?control-mode=sometimes").unwrap();
    assert!(u.control_mode().is_err());
}
