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
