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
