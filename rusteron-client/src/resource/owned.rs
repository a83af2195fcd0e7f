//! Ownership: `ManagedCResource` runs a C object's close exactly once and keeps what the object
//! depends on alive until then; `CResource` says whether a wrapper owns its object or only
//! borrows it.

use super::close::{release_when, Close, CloseOutcome, OneShotNotification};
use super::{Dependency, LOG_TARGET};
use crate::error::AeronCError;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// What a resource keeps alive, each in an optional named slot (see
/// [`ManagedCResource::set_dependency`]).
pub(super) type Dependencies = Vec<(Option<&'static str>, Dependency)>;

/// A C object created by a C `*_init`/`*_add`/`*_create` call and closed by the matching
/// `*_close`/`*_delete`, exactly once, when the last wrapper sharing it is dropped.
///
/// It also holds the resources the C object depends on (`dependencies`), which are released only
/// after the C close has run, so a C object never outlives what it points into.
pub struct ManagedCResource<T> {
    resource: *mut T,
    close: Mutex<Option<Close<T>>>,
    closed: AtomicBool,
    dependencies: Mutex<Dependencies>,
}

// SAFETY: the raw pointer is only handed out; whether using it from several threads is allowed
// is decided per wrapper type (each wrapper has its own Send/Sync impls, documented there). The
// close runs once under a mutex.
unsafe impl<T> Send for ManagedCResource<T> {}
unsafe impl<T> Sync for ManagedCResource<T> {}

impl<T> ManagedCResource<T> {
    /// Runs `init` (a C constructor writing the new object through its out pointer) and takes
    /// ownership of the result; `cleanup` is the C destructor run on the last drop.
    pub fn new(
        init: impl FnOnce(*mut *mut T) -> i32,
        cleanup: Option<Box<dyn FnMut(*mut T) -> i32 + Send>>,
    ) -> Result<Self, AeronCError> {
        Self::create(init, cleanup.map(Close::Now))
    }

    /// [`new`](Self::new) with a close that may finish later, or take a notification.
    pub(crate) fn new_closed_by(init: impl FnOnce(*mut *mut T) -> i32, close: Close<T>) -> Result<Self, AeronCError> {
        Self::create(init, Some(close))
    }

    fn create(init: impl FnOnce(*mut *mut T) -> i32, close: Option<Close<T>>) -> Result<Self, AeronCError> {
        let mut resource: *mut T = std::ptr::null_mut();
        let rc = init(&mut resource);
        if rc < 0 {
            return Err(AeronCError::last());
        }
        if resource.is_null() {
            return Err(AeronCError::with_message(-1, "C constructor returned no object"));
        }
        Ok(Self::with_close(resource, close))
    }

    /// Takes ownership of an object that is already created.
    pub fn from_raw(resource: *mut T, cleanup: Option<Box<dyn FnMut(*mut T) -> i32 + Send>>) -> Self {
        Self::with_close(resource, cleanup.map(Close::Now))
    }

    /// Takes ownership of an object that is already created, closed by `close` (a close that
    /// may finish later, or take a notification).
    pub(crate) fn closed_by(resource: *mut T, close: Close<T>) -> Self {
        Self::with_close(resource, Some(close))
    }

    fn with_close(resource: *mut T, close: Option<Close<T>>) -> Self {
        #[cfg(feature = "extra-logging")]
        log::trace!(target: LOG_TARGET, "rusteron: created {} {:p}", std::any::type_name::<T>(), resource);
        ManagedCResource {
            resource,
            close: Mutex::new(close),
            closed: AtomicBool::new(false),
            dependencies: Mutex::new(Vec::new()),
        }
    }

    /// Owns a plain C struct value on the heap (freed on drop, no C close).
    pub fn new_struct(value: T) -> Self
    where
        T: 'static,
    {
        let ptr = Box::into_raw(Box::new(value));
        Self::from_raw(
            ptr,
            Some(Box::new(|p: *mut T| {
                // SAFETY: `p` came from Box::into_raw above and is freed once.
                drop(unsafe { Box::from_raw(p) });
                0
            })),
        )
    }

    /// The C object.
    #[inline(always)]
    pub fn get(&self) -> *mut T {
        self.resource
    }

    /// Keeps `dep` alive until this resource is closed.
    pub fn add_dependency(&self, dep: Dependency) {
        self.dependencies.lock().unwrap_or_else(|e| e.into_inner()).push((None, dep));
    }

    /// Keeps `dep` alive in the named slot, releasing what the slot held before: for a setter
    /// that replaces a callback (C no longer points at the old one), so setting it again and
    /// again does not pile up the old ones.
    pub fn set_dependency(&self, slot: &'static str, dep: Dependency) {
        let mut deps = self.dependencies.lock().unwrap_or_else(|e| e.into_inner());
        match deps.iter_mut().find(|(s, _)| *s == Some(slot)) {
            Some(entry) => entry.1 = dep,
            None => deps.push((Some(slot), dep)),
        }
    }

    /// Makes `other` keep alive everything this resource keeps alive (for a copy of a struct
    /// whose pointers point into the same owners).
    #[doc(hidden)]
    pub fn share_dependencies_with<U>(&self, other: &ManagedCResource<U>) {
        let deps = self.dependencies.lock().unwrap_or_else(|e| e.into_inner()).clone();
        other.dependencies.lock().unwrap_or_else(|e| e.into_inner()).extend(deps);
    }

    /// Handles on everything this resource keeps alive (for a copy of the C object that points
    /// to the same handlers: keeping these keeps them alive even if the original replaces them).
    #[doc(hidden)]
    pub fn dependencies(&self) -> Vec<Dependency> {
        self.dependencies.lock().unwrap_or_else(|e| e.into_inner()).iter().map(|(_, d)| d.clone()).collect()
    }

    /// True once the C close has run.
    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Marks the C object as gone without running its close: C freed it itself (an async add
    /// that completed or failed). Returns false if it was already closed or consumed.
    pub(crate) fn mark_consumed(&self) -> bool {
        !self.closed.swap(true, Ordering::AcqRel)
    }

    /// Gives the C close the notification `notification` (replacing, and freeing, one given
    /// before): C calls it once the close completes. Returns false, and frees it, when the
    /// close takes none (the object is a view of one owned elsewhere) or has already run.
    pub(crate) fn set_close_notification(&self, notification: OneShotNotification) -> bool {
        let mut close = self.close.lock().unwrap_or_else(|e| e.into_inner());
        match close.as_mut() {
            Some(Close::Notified(_, slot)) if !self.is_closed() => {
                let replaced = slot.replace(notification);
                drop(close);
                // Freed (the handler's reference dropped) outside the lock.
                drop(replaced);
                true
            }
            _ => {
                drop(close);
                drop(notification);
                false
            }
        }
    }

    /// Runs the C close now (at most once); later calls return `Ok(0)`. A close that C finishes
    /// later ([`CloseOutcome::Pending`]) returns `Ok(0)` at once, and what this resource keeps
    /// alive is released when C is done.
    pub(crate) fn close(&self) -> Result<i32, AeronCError> {
        if self.closed.swap(true, Ordering::AcqRel) {
            return Ok(0);
        }
        let close = self.close.lock().unwrap_or_else(|e| e.into_inner()).take();
        let outcome = match close {
            Some(close) => close.run(self.resource),
            None => CloseOutcome::Done(0),
        };
        let rc = match outcome {
            CloseOutcome::Done(rc) => rc,
            CloseOutcome::Pending(until) => {
                let deps = std::mem::take(&mut *self.dependencies.lock().unwrap_or_else(|e| e.into_inner()));
                release_when(until, deps);
                0
            }
        };
        #[cfg(feature = "extra-logging")]
        log::trace!(target: LOG_TARGET, "rusteron: closed {} {:p} rc={rc}", std::any::type_name::<T>(), self.resource);
        if rc < 0 {
            Err(AeronCError::last())
        } else {
            Ok(rc)
        }
    }
}

impl<T> Drop for ManagedCResource<T> {
    fn drop(&mut self) {
        if let Err(e) = self.close() {
            log::error!(target: LOG_TARGET, "rusteron: closing {} failed: {e}", std::any::type_name::<T>());
        }
        // Dependencies drop after the close above (field drop order follows).
    }
}

impl<T> fmt::Debug for ManagedCResource<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ManagedCResource")
            .field("type", &std::any::type_name::<T>())
            .field("resource", &self.resource)
            .field("closed", &self.is_closed())
            .finish()
    }
}

/// How a wrapper holds its C object.
pub enum CResource<T> {
    /// Owned: shared by every clone of the wrapper, closed when the last clone drops.
    OwnedOnHeap(Arc<ManagedCResource<T>>),
    /// Borrowed from C (a header or image inside a callback, a struct inside another object):
    /// never freed by the wrapper.
    Borrowed(*mut T),
}

impl<T> Clone for CResource<T> {
    fn clone(&self) -> Self {
        match self {
            CResource::OwnedOnHeap(a) => CResource::OwnedOnHeap(Arc::clone(a)),
            CResource::Borrowed(p) => CResource::Borrowed(*p),
        }
    }
}

impl<T> CResource<T> {
    /// The C object.
    #[inline(always)]
    pub fn get(&self) -> *mut T {
        match self {
            CResource::OwnedOnHeap(a) => a.get(),
            CResource::Borrowed(p) => *p,
        }
    }

    /// The owning resource, if this is not a borrow.
    pub fn managed(&self) -> Option<&Arc<ManagedCResource<T>>> {
        match self {
            CResource::OwnedOnHeap(a) => Some(a),
            CResource::Borrowed(_) => None,
        }
    }
}

/// `Ok` if `resource` is the only handle on an object it owns: not a borrowed view, not a view
/// kept alive by its owner (no close of its own), and no other strong reference (clones, and
/// everything made from the object, hold one). For [`SingleThreaded`](crate::SingleThreaded).
#[doc(hidden)]
pub fn sole_handle<T>(resource: &mut CResource<T>) -> Result<(), &'static str> {
    match resource {
        CResource::Borrowed(_) => Err("it is a borrowed view of an object C owns"),
        CResource::OwnedOnHeap(a) => match Arc::get_mut(a) {
            None => Err("other handles on the same C object exist (clones, or objects made from it such as \
                 images, assemblers, pollers, a proxy or a replay merge); drop them first, or create the \
                 object on the thread that uses it"),
            Some(m) => {
                if *m.closed.get_mut() {
                    Err("it is already closed")
                } else if m.close.get_mut().unwrap_or_else(|e| e.into_inner()).is_none() {
                    Err("it is a view of an object owned elsewhere")
                } else {
                    Ok(())
                }
            }
        },
    }
}

impl<T> fmt::Debug for CResource<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CResource::OwnedOnHeap(a) => write!(f, "Owned({:p})", a.get()),
            CResource::Borrowed(p) => write!(f, "Borrowed({:p})", p),
        }
    }
}
