//! Callback registrations on a context cannot change under a running client. Against a real
//! aeronmd.

use rusteron_client::testing::*;
use rusteron_client::*;

#[test]
fn callbacks_cannot_be_swapped_under_a_running_client() {
    let md = MediaDriverProcess::start().unwrap();
    let ctx = md.context().unwrap();
    let first = Handlers::leak(|_code: i32, _msg: &str| {});
    // Before a client exists, setting (and replacing) a callback is fine.
    ctx.set_error_handler(Some(&first)).unwrap();
    ctx.set_error_handler(Some(&first)).unwrap();
    let aeron = Aeron::connect(&ctx).unwrap();
    // The conductor now reads the context: a setter refuses with a clear error, through the
    // caller's handle and through the client's own view of the context alike.
    let second = Handlers::leak(|_code: i32, _msg: &str| {});
    let e = ctx.set_error_handler(Some(&second)).expect_err("context in use");
    assert!(e.message().unwrap_or("").contains("a client runs on this context"), "{e}");
    assert!(aeron.context().set_error_handler(Some(&second)).is_err());
    // Once the client is gone, the context may be configured again.
    drop(aeron);
    ctx.set_error_handler(Some(&second)).unwrap();
}

#[test]
fn properties_cannot_change_under_a_running_client() {
    let md = MediaDriverProcess::start().unwrap();
    let ctx = md.context().unwrap();
    ctx.set_client_name(c"before").unwrap();
    ctx.set_resource_linger_duration_ns(1_000_000).unwrap();
    // Getters copy: the value read stays what it was whatever is set later.
    let name = ctx.get_client_name();
    ctx.set_client_name(c"renamed-before-connect").unwrap();
    assert_eq!(name, "before");
    let aeron = Aeron::connect(&ctx).unwrap();
    let e = ctx.set_client_name(c"during").expect_err("string setter while in use");
    assert_eq!(e.code, libc_ebusy(), "{e}");
    assert!(e.message().unwrap_or("").contains("set_client_name"), "{e}");
    assert!(ctx.set_resource_linger_duration_ns(5).is_err(), "scalar setter while in use");
    assert!(aeron.context().set_dir(c"/elsewhere").is_err(), "through the client's view");
    // Nothing was changed by the refused calls.
    assert_eq!(ctx.get_client_name(), "renamed-before-connect");
    assert_eq!(ctx.get_resource_linger_duration_ns(), 1_000_000);
    drop(aeron);
    ctx.set_client_name(c"after").unwrap();
    assert_eq!(ctx.get_client_name(), "after");
}

fn libc_ebusy() -> i32 {
    16 // EBUSY on Linux and macOS
}

#[test]
fn one_client_per_context() {
    let md = MediaDriverProcess::start().unwrap();
    let ctx = md.context().unwrap();
    let first = Aeron::connect(&ctx).unwrap();
    // The C client keeps its command queue in the context: a second client on it is refused.
    let e = Aeron::connect(&ctx).expect_err("second client on one context");
    assert_eq!(e.code, libc_ebusy(), "{e}");
    assert!(e.message().unwrap_or("").contains("its own AeronContext"), "{e}");
    // The first client is unaffected, and once it is gone the context can serve a new one.
    let publication = first.add_publication(c"aeron:ipc", 5, std::time::Duration::from_secs(5)).unwrap();
    drop(publication);
    drop(first);
    let again = Aeron::connect(&ctx).unwrap();
    assert!(again.client_id() >= 0);
}

/// In agent invoker mode the caller runs the conductor's duty cycle, which reads single-consumer
/// queues: a second duty cycle of the same client at the same time (here: from a callback the
/// first one is running) is refused instead of entered.
#[test]
fn one_duty_cycle_at_a_time() {
    use std::sync::{Arc, Mutex};
    let md = MediaDriverProcess::start().unwrap();
    let ctx = md.context().unwrap();
    ctx.set_use_conductor_agent_invoker(true).unwrap();
    let client: Arc<Mutex<Option<Aeron>>> = Arc::new(Mutex::new(None));
    let nested: Arc<Mutex<Vec<Result<i32, AeronCError>>>> = Arc::new(Mutex::new(Vec::new()));
    let (c, n) = (client.clone(), nested.clone());
    let on_new_publication = Handlers::leak(move |_ch: &str, _stream: i32, _session: i32, _corr: i64| {
        if let Some(a) = c.lock().unwrap().as_ref() {
            n.lock().unwrap().push(a.main_do_work());
        }
    });
    ctx.set_on_new_publication(Some(&on_new_publication)).unwrap();
    let aeron = Aeron::connect(&ctx).unwrap();
    *client.lock().unwrap() = Some(aeron.clone());
    // add_publication drives the duty cycle itself; the callback runs inside it.
    let publication = aeron.add_publication(c"aeron:ipc", 9, std::time::Duration::from_secs(5)).unwrap();
    let results = std::mem::take(&mut *nested.lock().unwrap());
    assert_eq!(results.len(), 1, "new-publication callback ran once");
    let e = results[0].as_ref().expect_err("nested duty cycle refused");
    assert_eq!(e.code, libc_ebusy(), "{e}");
    // Outside the callback the duty cycle runs normally.
    assert!(aeron.main_do_work().unwrap() >= 0);
    client.lock().unwrap().take();
    drop(publication);
}
