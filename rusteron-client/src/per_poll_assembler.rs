//! [`AeronFragmentReassembler`]: fragment reassembly whose handler is given per poll (a closure
//! borrowing whatever the caller has at hand), not fixed for the assembler's lifetime.

use crate::bindings;
use crate::callbacks::{
    AeronControlledFragmentHandlerAction, AeronControlledFragmentHandlerCallback, AeronFragmentHandlerCallback,
};
use crate::error::AeronCError;
use crate::header::AeronHeader;
use crate::{AeronImage, AeronSubscription};

/// One session's partial message.
#[derive(Debug)]
struct Partial {
    session_id: i32,
    in_progress: bool,
    data: Vec<u8>,
    /// The length of `data` without an end fragment: a controlled handler that aborted (or
    /// panicked) on the whole message gets the end fragment again, which replaces the first.
    before_end: usize,
}

impl Partial {
    /// Adds a fragment of a fragmented message; true when `data` now holds a whole message
    /// (the end fragment arrived). A middle or end fragment without its beginning (joined
    /// mid-message) is dropped.
    #[inline]
    fn append(&mut self, flags: u8, buffer: &[u8]) -> bool {
        if flags & AeronHeader::BEGIN_FLAG != 0 {
            self.data.clear();
            self.data.extend_from_slice(buffer);
            self.before_end = self.data.len();
            self.in_progress = true;
            false
        } else if !self.in_progress {
            false
        } else if flags & AeronHeader::END_FLAG != 0 {
            // An end fragment seen before (aborted, or its handler panicked) is replaced.
            self.data.truncate(self.before_end);
            self.data.extend_from_slice(buffer);
            true
        } else {
            self.data.truncate(self.before_end);
            self.data.extend_from_slice(buffer);
            self.before_end = self.data.len();
            false
        }
    }
}

/// Reassembles messages larger than one frame, with the handler passed to each poll.
///
/// [`AeronFragmentAssembler`](crate::AeronFragmentAssembler) and
/// [`AeronFragmentClosureAssembler`](crate::AeronFragmentClosureAssembler) own their handler for
/// their whole life; this one owns only the reassembly buffers (one per session, kept and
/// reused, so nothing is allocated per message once they have grown to the largest message),
/// and each [`poll`](Self::poll) takes a closure that may borrow local state for that call.
/// Messages that fit one frame are handed on without a copy; a fragmented one is delivered
/// whole, with the header of its last fragment.
///
/// ```
/// use rusteron_client::*;
/// use std::time::Duration;
///
/// let timeout = Duration::from_secs(10);
/// let driver = testing::start_embedded_driver()?;
/// let aeron = driver.connect()?;
/// let subscription = aeron.add_subscription(c"aeron:ipc", 31, Handlers::NONE, Handlers::NONE, timeout)?;
/// let publication = aeron.add_publication(c"aeron:ipc", 31, timeout)?;
/// let big = vec![7u8; 3 * publication.max_payload_length()? + 5]; // four fragments
/// assert!(testing::wait_until(timeout, || publication.offer(&big).is_ok()));
///
/// let mut assembler = AeronFragmentReassembler::new();
/// let mut sizes = Vec::new(); // borrowed by this poll's closure only
/// assert!(testing::wait_until(timeout, || {
///     assembler.poll(&subscription, |msg, _header| sizes.push(msg.len()), 10).unwrap();
///     !sizes.is_empty()
/// }));
/// assert_eq!(sizes, [big.len()]);
///
/// // The published rusteron's form: a context and a function per poll.
/// struct Stats { bytes: usize }
/// fn on_message(stats: &mut Stats, msg: &[u8], _header: AeronHeader<'_>) { stats.bytes += msg.len(); }
/// let mut stats = Stats { bytes: 0 };
/// assert!(testing::wait_until(timeout, || publication.offer(&big).is_ok()));
/// assert!(testing::wait_until(timeout, || {
///     assembler.poll_with_context(&subscription, &mut stats, on_message, 10).unwrap();
///     stats.bytes > 0
/// }));
/// assert_eq!(stats.bytes, big.len());
/// # Ok::<(), AeronCError>(())
/// ```
///
/// Threads: `Send` and `Sync` (it holds plain buffers); a poll takes `&mut self`.
#[derive(Debug)]
pub struct AeronFragmentReassembler {
    sessions: Vec<Partial>,
    initial_capacity: usize,
}

impl Default for AeronFragmentReassembler {
    fn default() -> Self {
        Self::new()
    }
}

impl AeronFragmentReassembler {
    /// A reassembler whose session buffers start at 4 KiB.
    pub fn new() -> Self {
        Self::with_capacity(4096)
    }

    /// A reassembler whose session buffers start at `initial_capacity` bytes.
    pub fn with_capacity(initial_capacity: usize) -> Self {
        AeronFragmentReassembler { sessions: Vec::new(), initial_capacity }
    }

    /// Polls `subscription`, handing each whole message to `handler`; returns the fragments
    /// consumed. A panic in `handler` resumes here once C has returned (the rest of that poll's
    /// fragments are consumed unseen), as for [`AeronSubscription::poll_once`].
    #[inline]
    pub fn poll<F: FnMut(&[u8], AeronHeader<'_>)>(
        &mut self,
        subscription: &AeronSubscription,
        handler: F,
        fragment_limit: usize,
    ) -> Result<i32, AeronCError> {
        subscription.poll_once(self.reassemble(handler), fragment_limit)
    }

    /// [`poll`](Self::poll) with `ctx` handed to `func` for each whole message (the published
    /// rusteron's `AeronFragmentClosureAssembler::poll(&subscription, &mut ctx, func, limit)`).
    #[inline]
    pub fn poll_with_context<T: ?Sized>(
        &mut self,
        subscription: &AeronSubscription,
        ctx: &mut T,
        func: fn(&mut T, &[u8], AeronHeader<'_>),
        fragment_limit: usize,
    ) -> Result<i32, AeronCError> {
        self.poll(subscription, |msg, header| func(ctx, msg, header), fragment_limit)
    }

    /// [`poll`](Self::poll) of one image.
    #[inline]
    pub fn poll_image<F: FnMut(&[u8], AeronHeader<'_>)>(
        &mut self,
        image: &AeronImage,
        handler: F,
        fragment_limit: usize,
    ) -> Result<i32, AeronCError> {
        image.poll_once(self.reassemble(handler), fragment_limit)
    }

    /// This reassembler with `handler` as a fragment handler for any poll that takes one (a
    /// replay, an image's `bounded_poll`, ...): `subscription.poll_with(&mut
    /// assembler.reassemble(handler), 10)`.
    #[inline]
    pub fn reassemble<H: AeronFragmentHandlerCallback>(&mut self, handler: H) -> Reassembling<'_, H> {
        Reassembling { assembler: self, handler }
    }

    /// Controlled poll of `subscription`: `handler` returns an `AERON_ACTION_*` for each whole
    /// message. `ABORT` on a reassembled message keeps it (its last fragment is delivered again
    /// by the next poll, and the message handed over whole again, not doubled); `BREAK` and
    /// `COMMIT` act on the fragment that completed it.
    #[inline]
    pub fn controlled_poll<F: FnMut(&[u8], AeronHeader<'_>) -> AeronControlledFragmentHandlerAction>(
        &mut self,
        subscription: &AeronSubscription,
        handler: F,
        fragment_limit: usize,
    ) -> Result<i32, AeronCError> {
        subscription.controlled_poll_with(&mut self.reassemble_controlled(handler), fragment_limit)
    }

    /// [`controlled_poll`](Self::controlled_poll) of one image.
    #[inline]
    pub fn controlled_poll_image<F: FnMut(&[u8], AeronHeader<'_>) -> AeronControlledFragmentHandlerAction>(
        &mut self,
        image: &AeronImage,
        handler: F,
        fragment_limit: usize,
    ) -> Result<i32, AeronCError> {
        image.controlled_poll_with(&mut self.reassemble_controlled(handler), fragment_limit)
    }

    /// [`reassemble`](Self::reassemble) for controlled polls.
    #[inline]
    pub fn reassemble_controlled<H: AeronControlledFragmentHandlerCallback>(
        &mut self,
        handler: H,
    ) -> ReassemblingControlled<'_, H> {
        ReassemblingControlled { assembler: self, handler }
    }

    /// Frees the buffer of a session (e.g. once its image went away); true if there was one.
    pub fn delete_session_buffer(&mut self, session_id: i32) -> bool {
        match self.sessions.iter().position(|s| s.session_id == session_id) {
            Some(i) => {
                self.sessions.swap_remove(i);
                true
            }
            None => false,
        }
    }

    /// How many sessions have a buffer.
    pub fn session_count(&self) -> usize {
        self.sessions.len()
    }

    /// The buffer of `session_id`, made on first use.
    #[inline]
    fn session(&mut self, session_id: i32) -> &mut Partial {
        let index = match self.sessions.iter().position(|s| s.session_id == session_id) {
            Some(i) => i,
            None => {
                self.sessions.push(Partial {
                    session_id,
                    in_progress: false,
                    data: Vec::with_capacity(self.initial_capacity),
                    before_end: 0,
                });
                self.sessions.len() - 1
            }
        };
        &mut self.sessions[index]
    }

    #[inline]
    fn on_controlled_fragment<H: AeronControlledFragmentHandlerCallback + ?Sized>(
        &mut self,
        handler: &mut H,
        buffer: &[u8],
        header: AeronHeader<'_>,
    ) -> AeronControlledFragmentHandlerAction {
        let flags = header.flags();
        if flags & AeronHeader::UNFRAGMENTED == AeronHeader::UNFRAGMENTED {
            return handler.handle_aeron_controlled_fragment_handler(buffer, header);
        }
        let session = self.session(header.session_id());
        if session.append(flags, buffer) {
            let action = handler.handle_aeron_controlled_fragment_handler(&session.data, header);
            // ABORT: the end fragment comes again and replaces this one (`append`).
            if action != bindings::aeron_controlled_fragment_handler_action_en_AERON_ACTION_ABORT {
                session.in_progress = false;
            }
            return action;
        }
        bindings::aeron_controlled_fragment_handler_action_en_AERON_ACTION_CONTINUE
    }

    /// Reassembles one fragment, handing a whole message to `handler` (also the body of
    /// [`AeronFragmentClosureAssembler`](crate::AeronFragmentClosureAssembler)).
    #[inline]
    pub(crate) fn on_fragment<H: AeronFragmentHandlerCallback + ?Sized>(
        &mut self,
        handler: &mut H,
        buffer: &[u8],
        header: AeronHeader<'_>,
    ) {
        let flags = header.flags();
        if flags & AeronHeader::UNFRAGMENTED == AeronHeader::UNFRAGMENTED {
            handler.handle_aeron_fragment_handler(buffer, header);
            return;
        }
        let session = self.session(header.session_id());
        if session.append(flags, buffer) {
            session.in_progress = false;
            handler.handle_aeron_fragment_handler(&session.data, header);
        }
    }
}

/// An [`AeronFragmentReassembler`] lent to one poll with its handler; made by
/// [`AeronFragmentReassembler::reassemble`]. A fragment handler: whole messages go to the
/// handler.
#[derive(Debug)]
pub struct Reassembling<'a, H> {
    assembler: &'a mut AeronFragmentReassembler,
    handler: H,
}

impl<H> Reassembling<'_, H> {
    /// Gives the handler back.
    pub fn into_handler(self) -> H {
        self.handler
    }
}

impl<H: AeronFragmentHandlerCallback> AeronFragmentHandlerCallback for Reassembling<'_, H> {
    #[inline]
    fn handle_aeron_fragment_handler(&mut self, buffer: &[u8], header: AeronHeader<'_>) {
        let Reassembling { assembler, handler } = self;
        assembler.on_fragment(handler, buffer, header);
    }
}

/// An [`AeronFragmentReassembler`] lent to one controlled poll with its handler; made by
/// [`AeronFragmentReassembler::reassemble_controlled`].
#[derive(Debug)]
pub struct ReassemblingControlled<'a, H> {
    assembler: &'a mut AeronFragmentReassembler,
    handler: H,
}

impl<H> ReassemblingControlled<'_, H> {
    /// Gives the handler back.
    pub fn into_handler(self) -> H {
        self.handler
    }
}

impl<H: AeronControlledFragmentHandlerCallback> AeronControlledFragmentHandlerCallback
    for ReassemblingControlled<'_, H>
{
    #[inline]
    fn handle_aeron_controlled_fragment_handler(
        &mut self,
        buffer: &[u8],
        header: AeronHeader<'_>,
    ) -> AeronControlledFragmentHandlerAction {
        let ReassemblingControlled { assembler, handler } = self;
        assembler.on_controlled_fragment(handler, buffer, header)
    }
}
