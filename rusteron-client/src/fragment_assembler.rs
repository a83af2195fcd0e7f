//! Fragment assemblers: handlers that reassemble messages larger than one frame (MTU) before
//! handing them to a delegate, so the delegate only sees whole messages.
//!
//! Four wrap Aeron's C assemblers (subscription or single image, plain or controlled); each owns
//! its delegate [`Handler`] and is polled with its own `poll` method (C's assembler handler is
//! called directly, nothing is allocated per poll) or used as a callback object with the
//! subscription's `poll_with`. [`AeronFragmentClosureAssembler`] is a Rust assembler over a
//! closure, allocation-free after its per-session buffers have grown to the largest message.
//!
//! A panic in a delegate is stopped before it reaches C, the rest of that poll's fragments are
//! skipped (consumed), and the panic resumes in the Rust code that polled.

use crate::bindings;
use crate::callbacks::*;
use crate::error::{check, AeronCError};
use crate::handler::{resume_nested_panic, Handler};
use crate::header::AeronHeader;
use crate::per_poll_assembler::AeronFragmentReassembler;
use crate::reentry::{busy_error, polling_all, Polled};
use crate::{AeronImage, AeronSubscription, ManagedCResource};
use std::os::raw::c_void;

/// Declares one C fragment assembler type.
macro_rules! c_assembler {
    (
        $(#[$doc:meta])* $name:ident => $ctype:ty,
        trait $cb:ident, trampoline $tramp:ident,
        create $create:ident, delete $delete:ident, handler $chandler:ident -> $ret:ty,
        polls $source:ident with $cpoll:ident
    ) => {
        crate::c_wrapper!(
            $(#[$doc])*
            ///
            /// Threads: neither `Send` nor `Sync`: an assembler's buffers are used by one polling
            /// thread and clones share the same C assembler. Create it on that thread or move it
            /// with `handoff()` (see [`Handoff`](crate::Handoff)).
            ///
            #[doc = concat!("```compile_fail,E0277\nfn poll_elsewhere(a: &rusteron_client::", stringify!($name), ") {\n    let clone = a.clone();\n    std::thread::spawn(move || drop(clone));\n}\n```")]
            $name => $ctype
        );
        crate::single_threaded!($name);

        impl $name {
            /// Creates an assembler delivering whole messages to `delegate`
            #[doc = concat!("(`", stringify!($create), "`); it keeps the delegate alive until it is")]
            #[doc = concat!("deleted (`", stringify!($delete), "`) when the last clone drops.")]
            pub fn new<H: $cb + Send + 'static>(delegate: &Handler<H>) -> Result<Self, AeronCError> {
                delegate.require_live(stringify!($create))?;
                let clientd = delegate.as_raw();
                let m = ManagedCResource::new(
                    |p| unsafe { bindings::$create(p, Some($tramp::<H>), clientd) },
                    Some(Box::new(|p| unsafe { bindings::$delete(p) })),
                )?;
                m.add_dependency(delegate.as_dependency());
                Ok(unsafe { Self::from_managed(m) })
            }

            /// Creates an assembler over a new handler made from `delegate` (a closure or a
            /// callback object), owned by the assembler alone.
            pub fn with_handler<H: $cb + Send + 'static>(delegate: H) -> Result<Self, AeronCError> {
                let mut h = Handler::leak(delegate);
                let a = Self::new(&h);
                h.release();
                a
            }

            /// The C handler function to pass with [`clientd`](Self::clientd) to a C poll.
            pub fn c_handler(&self) -> unsafe extern "C" fn(*mut c_void, *const u8, usize, *mut bindings::aeron_header_t) -> $ret {
                bindings::$chandler
            }

            /// The `clientd` to pass with [`c_handler`](Self::c_handler).
            pub fn clientd(&self) -> *mut c_void {
                self.get_inner() as *mut c_void
            }

            #[doc = concat!("Polls `source` (`", stringify!($cpoll), "`) through this assembler; returns the")]
            /// fragments consumed. Nothing is allocated (beyond C growing a session buffer for a
            /// larger message than before). A panic in the delegate resumes here.
            #[inline]
            pub fn poll(&self, source: &$source, fragment_limit: usize) -> Result<i32, AeronCError> {
                // Refused from inside this assembler's delegate, or a handler of a poll of the
                // same subscription or image: the inner poll would grow (reallocate) the session
                // buffer the delegate's message is in, or free what the outer poll walks (see
                // `reentry`).
                let rc = polling_all(&[Polled::Other(self.get_inner() as usize), source.polled()], || unsafe {
                    bindings::$cpoll(source.get_inner(), Some(bindings::$chandler), self.clientd(), fragment_limit)
                });
                resume_nested_panic();
                check(rc.ok_or_else(|| busy_error(concat!(stringify!($name), "::poll")))?)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, concat!(stringify!($name), "({:p})"), self.get_inner())
            }
        }
    };
}

c_assembler!(
    /// Reassembles fragmented messages from all images of a subscription
    /// (`aeron_fragment_assembler_t`).
    AeronFragmentAssembler => bindings::aeron_fragment_assembler_t,
    trait AeronFragmentHandlerCallback, trampoline fragment_handler_direct_trampoline,
    create aeron_fragment_assembler_create, delete aeron_fragment_assembler_delete,
    handler aeron_fragment_assembler_handler -> (),
    polls AeronSubscription with aeron_subscription_poll
);
c_assembler!(
    /// Reassembles fragmented messages for a controlled poll of a subscription
    /// (`aeron_controlled_fragment_assembler_t`).
    AeronControlledFragmentAssembler => bindings::aeron_controlled_fragment_assembler_t,
    trait AeronControlledFragmentHandlerCallback, trampoline controlled_fragment_handler_direct_trampoline,
    create aeron_controlled_fragment_assembler_create, delete aeron_controlled_fragment_assembler_delete,
    handler aeron_controlled_fragment_assembler_handler -> AeronControlledFragmentHandlerAction,
    polls AeronSubscription with aeron_subscription_controlled_poll
);
c_assembler!(
    /// Reassembles fragmented messages of a single image (`aeron_image_fragment_assembler_t`).
    AeronImageFragmentAssembler => bindings::aeron_image_fragment_assembler_t,
    trait AeronFragmentHandlerCallback, trampoline fragment_handler_direct_trampoline,
    create aeron_image_fragment_assembler_create, delete aeron_image_fragment_assembler_delete,
    handler aeron_image_fragment_assembler_handler -> (),
    polls AeronImage with aeron_image_poll
);
c_assembler!(
    /// Reassembles fragmented messages for a controlled poll of a single image
    /// (`aeron_image_controlled_fragment_assembler_t`).
    AeronImageControlledFragmentAssembler => bindings::aeron_image_controlled_fragment_assembler_t,
    trait AeronControlledFragmentHandlerCallback, trampoline controlled_fragment_handler_direct_trampoline,
    create aeron_image_controlled_fragment_assembler_create, delete aeron_image_controlled_fragment_assembler_delete,
    handler aeron_image_controlled_fragment_assembler_handler -> AeronControlledFragmentHandlerAction,
    polls AeronImage with aeron_image_controlled_poll
);

fn refuse_inside_delegate() -> Result<(), AeronCError> {
    if crate::callbacks::in_assembler_delegate() {
        Err(AeronCError::with_message(
            libc::EBUSY,
            "delete_session_buffer: called from inside an assembler's delegate; call it after the poll",
        ))
    } else {
        Ok(())
    }
}

impl AeronFragmentAssembler {
    /// Frees the reassembly buffer of a session (`aeron_fragment_assembler_delete_session_buffer`);
    /// true if there was one.
    ///
    /// Refused (an error) from inside an assembler's delegate: the buffer may hold the message
    /// being delivered, which C goes on using after the delegate returns.
    pub fn delete_session_buffer(&self, session_id: i32) -> Result<bool, AeronCError> {
        refuse_inside_delegate()?;
        Ok(unsafe { bindings::aeron_fragment_assembler_delete_session_buffer(self.get_inner(), session_id) })
    }
}

impl AeronControlledFragmentAssembler {
    /// Frees the reassembly buffer of a session
    /// (`aeron_controlled_fragment_assembler_delete_session_buffer`); true if there was one.
    ///
    /// Refused (an error) from inside an assembler's delegate: the buffer may hold the message
    /// being delivered, which C goes on using after the delegate returns.
    pub fn delete_session_buffer(&self, session_id: i32) -> Result<bool, AeronCError> {
        refuse_inside_delegate()?;
        Ok(unsafe { bindings::aeron_controlled_fragment_assembler_delete_session_buffer(self.get_inner(), session_id) })
    }
}

/// A C assembler used as the handler of a poll run from inside its own delegate: the fragment
/// cannot be handed on (the session buffer holds the message the outer delegate is reading) and
/// a handler cannot return an error, so this panics; the panic is stopped at the C boundary and
/// resumes in the code that polled.
#[cold]
#[inline(never)]
fn reentrant_forward(assembler: &str) -> ! {
    panic!("{}", busy_error(&format!("{assembler} used as a fragment handler")))
}

/// Using a C assembler as a callback object (e.g. `subscription.poll_with(&mut assembler, 10)`)
/// forwards each fragment to C's assembler handler.
macro_rules! forward_fragment {
    ($t:ty, $chandler:ident) => {
        impl AeronFragmentHandlerCallback for $t {
            #[inline]
            fn handle_aeron_fragment_handler(&mut self, buffer: &[u8], header: AeronHeader<'_>) {
                let done = polling_all(&[Polled::Other(self.get_inner() as usize)], || unsafe {
                    bindings::$chandler(self.clientd(), buffer.as_ptr(), buffer.len(), header.get_inner())
                });
                resume_nested_panic();
                if done.is_none() {
                    reentrant_forward(stringify!($t));
                }
            }
        }
    };
}
forward_fragment!(AeronFragmentAssembler, aeron_fragment_assembler_handler);
forward_fragment!(AeronImageFragmentAssembler, aeron_image_fragment_assembler_handler);

macro_rules! forward_controlled {
    ($t:ty, $chandler:ident) => {
        impl AeronControlledFragmentHandlerCallback for $t {
            #[inline]
            fn handle_aeron_controlled_fragment_handler(
                &mut self,
                buffer: &[u8],
                header: AeronHeader<'_>,
            ) -> AeronControlledFragmentHandlerAction {
                let action = polling_all(&[Polled::Other(self.get_inner() as usize)], || unsafe {
                    bindings::$chandler(self.clientd(), buffer.as_ptr(), buffer.len(), header.get_inner())
                });
                resume_nested_panic();
                match action {
                    Some(action) => action,
                    None => reentrant_forward(stringify!($t)),
                }
            }
        }
    };
}
forward_controlled!(AeronControlledFragmentAssembler, aeron_controlled_fragment_assembler_handler);
forward_controlled!(AeronImageControlledFragmentAssembler, aeron_image_controlled_fragment_assembler_handler);

impl AeronSubscription {
    /// Polls through a fragment assembler: the assembler's delegate sees whole messages.
    #[inline]
    pub fn poll_with_assembler(
        &self,
        assembler: &AeronFragmentAssembler,
        fragment_limit: usize,
    ) -> Result<i32, AeronCError> {
        assembler.poll(self, fragment_limit)
    }

    /// Controlled poll through a controlled fragment assembler.
    #[inline]
    pub fn controlled_poll_with_assembler(
        &self,
        assembler: &AeronControlledFragmentAssembler,
        fragment_limit: usize,
    ) -> Result<i32, AeronCError> {
        assembler.poll(self, fragment_limit)
    }
}

/// A fragment assembler in Rust over any fragment handler (a closure `FnMut(&[u8], AeronHeader)`
/// or a callback object): messages that fit in one frame are passed through without a copy;
/// fragmented ones are gathered per session and delivered whole, with the header of their last
/// fragment.
///
/// Buffers are kept and reused, so after warm-up (one buffer per session, grown to the largest
/// message) nothing is allocated per message. Use it as the handler of any poll:
/// `subscription.poll_with(&mut assembler, 10)`.
///
/// Threads: `Send` when the handler is.
pub struct AeronFragmentClosureAssembler<F> {
    handler: F,
    /// The per-session buffers: the same reassembly as [`AeronFragmentReassembler`], whose
    /// handler comes with each poll; here it is fixed for the assembler's life.
    buffers: AeronFragmentReassembler,
}

impl<F: AeronFragmentHandlerCallback> AeronFragmentClosureAssembler<F> {
    /// An assembler delivering whole messages to `handler`.
    pub fn new(handler: F) -> Self {
        Self::with_capacity(handler, 4096)
    }

    /// Like [`new`](Self::new), with each session buffer starting at `initial_capacity` bytes.
    pub fn with_capacity(handler: F, initial_capacity: usize) -> Self {
        AeronFragmentClosureAssembler { handler, buffers: AeronFragmentReassembler::with_capacity(initial_capacity) }
    }

    /// The handler.
    pub fn handler(&mut self) -> &mut F {
        &mut self.handler
    }

    /// Gives the handler back.
    pub fn into_handler(self) -> F {
        self.handler
    }

    /// Frees the buffer of a session (e.g. once its image went away); true if there was one.
    pub fn delete_session_buffer(&mut self, session_id: i32) -> bool {
        self.buffers.delete_session_buffer(session_id)
    }

    /// Polls `subscription` through this assembler; returns the fragments consumed.
    #[inline]
    pub fn poll(&mut self, subscription: &AeronSubscription, fragment_limit: usize) -> Result<i32, AeronCError> {
        subscription.poll_with(self, fragment_limit)
    }
}

impl<F: AeronFragmentHandlerCallback> AeronFragmentHandlerCallback for AeronFragmentClosureAssembler<F> {
    #[inline]
    fn handle_aeron_fragment_handler(&mut self, buffer: &[u8], header: AeronHeader<'_>) {
        self.buffers.on_fragment(&mut self.handler, buffer, header);
    }
}

impl<F> std::fmt::Debug for AeronFragmentClosureAssembler<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AeronFragmentClosureAssembler").field("sessions", &self.buffers.session_count()).finish()
    }
}
