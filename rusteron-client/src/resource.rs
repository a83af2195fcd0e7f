//! Ownership of C objects: `ManagedCResource` runs a C object's close exactly once, `CResource`
//! says whether a wrapper owns its object or only borrows it.

use crate::error::AeronCError;
use std::any::Any;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Something a resource keeps alive until it is closed (the client behind a publication, a
/// handler registered with a context, ...). Type-erased so any wrapper can hold any other.
pub type Dependency = Arc<dyn Any + Send + Sync>;

type Cleanup<T> = Box<dyn FnMut(*mut T) -> i32 + Send>;

/// What a cleanup returns (through [`close_pending`]) when it started a close that C finishes
/// later: C may still use what the resource keeps alive until then (a subscription's image
/// handlers while the conductor closes it), so the dependencies are released by a helper thread
/// once the close is over, never on the calling thread.
const CLOSE_PENDING: i32 = i32::MIN;

/// How long the helper thread waits for a pending close before it keeps the dependencies forever
/// (leaked, never freed under C).
const PENDING_CLOSE_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

type CloseDone = Box<dyn Fn() -> bool + Send>;

thread_local! {
    static PENDING_CLOSE_DONE: std::cell::RefCell<Option<CloseDone>> = const { std::cell::RefCell::new(None) };
}

/// Returned by a cleanup whose C close completes later: `done` tells when it has. The resource's
/// dependencies are then dropped by a helper thread once `done()` holds.
pub(crate) fn close_pending(done: impl Fn() -> bool + Send + 'static) -> i32 {
    PENDING_CLOSE_DONE.with(|d| *d.borrow_mut() = Some(Box::new(done)));
    CLOSE_PENDING
}

type Dependencies = Vec<(Option<&'static str>, Dependency)>;

/// Drops `deps` on a helper thread once `done()` holds; keeps them forever if it does not within
/// [`PENDING_CLOSE_WAIT`] or if no thread can be started.
fn release_when(done: Option<CloseDone>, deps: Dependencies) {
    let slot = Arc::new(Mutex::new(Some(deps)));
    let for_thread = slot.clone();
    let spawned = std::thread::Builder::new().name("rusteron-release".into()).spawn(move || {
        let deadline = std::time::Instant::now() + PENDING_CLOSE_WAIT;
        let deps = for_thread.lock().unwrap_or_else(|e| e.into_inner()).take();
        let mut pause = std::time::Duration::from_micros(100);
        loop {
            if done.as_ref().is_some_and(|d| d()) {
                drop(deps);
                return;
            }
            if std::time::Instant::now() >= deadline {
                log::warn!("rusteron: a C close did not complete within {PENDING_CLOSE_WAIT:?}; what it uses is kept");
                std::mem::forget(deps);
                return;
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(std::time::Duration::from_millis(50));
        }
    });
    if spawned.is_err() {
        std::mem::forget(slot.lock().unwrap_or_else(|e| e.into_inner()).take());
    }
}

/// A C object created by a C `*_init`/`*_add`/`*_create` call and closed by the matching
/// `*_close`/`*_delete`, exactly once, when the last wrapper sharing it is dropped.
///
/// It also holds the resources the C object depends on (`dependencies`), which are released only
/// after the C close has run, so a C object never outlives what it points into.
pub struct ManagedCResource<T> {
    resource: *mut T,
    cleanup: Mutex<Option<Cleanup<T>>>,
    closed: AtomicBool,
    dependencies: Mutex<Dependencies>,
}

// SAFETY: the raw pointer is only handed out; whether using it from several threads is allowed
// is decided per wrapper type (each wrapper has its own Send/Sync impls, documented there). The
// cleanup runs once under a mutex.
unsafe impl<T> Send for ManagedCResource<T> {}
unsafe impl<T> Sync for ManagedCResource<T> {}

impl<T> ManagedCResource<T> {
    /// Runs `init` (a C constructor writing the new object through its out pointer) and takes
    /// ownership of the result; `cleanup` is the C destructor run on the last drop.
    pub fn new(
        init: impl FnOnce(*mut *mut T) -> i32,
        cleanup: Option<Box<dyn FnMut(*mut T) -> i32 + Send>>,
    ) -> Result<Self, AeronCError> {
        let mut resource: *mut T = std::ptr::null_mut();
        let rc = init(&mut resource);
        if rc < 0 {
            return Err(AeronCError::last());
        }
        if resource.is_null() {
            return Err(AeronCError::with_message(-1, "C constructor returned no object"));
        }
        Ok(Self::from_raw(resource, cleanup))
    }

    /// Takes ownership of an object that is already created.
    pub fn from_raw(resource: *mut T, cleanup: Option<Box<dyn FnMut(*mut T) -> i32 + Send>>) -> Self {
        #[cfg(feature = "extra-logging")]
        log::trace!("rusteron: created {} {:p}", std::any::type_name::<T>(), resource);
        ManagedCResource {
            resource,
            cleanup: Mutex::new(cleanup),
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

    /// Marks the C object as gone without running the cleanup: C freed it itself (an async add
    /// that completed or failed). Returns false if it was already closed or consumed.
    pub(crate) fn mark_consumed(&self) -> bool {
        !self.closed.swap(true, Ordering::AcqRel)
    }

    /// Runs the C close now (at most once); later calls return `Ok(0)`.
    pub(crate) fn close(&self) -> Result<i32, AeronCError> {
        if self.closed.swap(true, Ordering::AcqRel) {
            return Ok(0);
        }
        let cleanup = self.cleanup.lock().unwrap_or_else(|e| e.into_inner()).take();
        let mut rc = match cleanup {
            Some(mut f) => f(self.resource),
            None => 0,
        };
        if rc == CLOSE_PENDING {
            let done = PENDING_CLOSE_DONE.with(|d| d.borrow_mut().take());
            let deps = std::mem::take(&mut *self.dependencies.lock().unwrap_or_else(|e| e.into_inner()));
            release_when(done, deps);
            rc = 0;
        }
        #[cfg(feature = "extra-logging")]
        log::trace!("rusteron: closed {} {:p} rc={rc}", std::any::type_name::<T>(), self.resource);
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
            log::error!("rusteron: closing {} failed: {e}", std::any::type_name::<T>());
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
                } else if m.cleanup.get_mut().unwrap_or_else(|e| e.into_inner()).is_none() {
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

/// Declares a wrapper type over one C type: the struct (raw pointer plus `CResource`), `Clone`,
/// `Debug`, raw accessors and constructors. Everything specific to the type (its methods, its
/// Send/Sync impls and their reasons) is written in the type's own file.
#[macro_export]
#[doc(hidden)]
macro_rules! c_wrapper {
    ($(#[$meta:meta])* $name:ident => $ctype:ty) => {
        $crate::c_wrapper!(@without_clone $(#[$meta])* $name => $ctype);

        impl Clone for $name {
            /// Another handle on the same C object.
            fn clone(&self) -> Self {
                Self { ptr: self.ptr, inner: self.inner.clone() }
            }
        }
    };
    (@without_clone $(#[$meta:meta])* $name:ident => $ctype:ty) => {
        $(#[$meta])*
        pub struct $name {
            ptr: *mut $ctype,
            inner: $crate::CResource<$ctype>,
        }

        impl $name {
            /// The C object this wrapper stands for. Valid while any clone of the wrapper lives.
            #[inline(always)]
            pub fn get_inner(&self) -> *mut $ctype {
                self.ptr
            }

            /// Wraps a C object that something else owns. The wrapper never frees it.
            ///
            /// # Safety
            /// `ptr` must point to a valid object for as long as the wrapper (and its clones)
            /// are used.
            #[inline]
            pub unsafe fn from_borrowed(ptr: *mut $ctype) -> Self {
                Self { ptr, inner: $crate::CResource::Borrowed(ptr) }
            }

            /// Wraps a C object that lives inside another object (`owner`), without ever freeing
            /// it: the wrapper and its clones keep `owner` alive, so the view cannot outlive the
            /// memory it points into, whatever the drop order.
            ///
            /// # Safety
            /// `ptr` must point to a valid object for as long as `owner` is alive.
            #[doc(hidden)]
            pub unsafe fn from_borrowed_kept_alive(ptr: *mut $ctype, owner: $crate::resource::Dependency) -> Self {
                let m = $crate::ManagedCResource::from_raw(ptr, None);
                m.add_dependency(owner);
                unsafe { Self::from_managed(m) }
            }

            /// Wraps an owned C object; closed when the last clone drops.
            ///
            /// # Safety
            /// `managed` must hold a valid object of this type (what the matching C constructor
            /// returned, or a plain value of a struct type), with its dependencies; the wrapper's
            /// safe methods pass it to C.
            pub unsafe fn from_managed(managed: $crate::ManagedCResource<$ctype>) -> Self {
                let ptr = managed.get();
                Self { ptr, inner: $crate::CResource::OwnedOnHeap(std::sync::Arc::new(managed)) }
            }

            /// How this wrapper holds its C object.
            pub fn resource(&self) -> &$crate::CResource<$ctype> {
                &self.inner
            }

            /// Keeps `dep` alive as long as this (owned) C object; no-op for a borrow.
            #[allow(dead_code)]
            pub(crate) fn keep_alive(&self, dep: $crate::resource::Dependency) {
                if let Some(m) = self.inner.managed() {
                    m.add_dependency(dep);
                }
            }

            /// Keeps `dep` alive in the named slot, replacing (and releasing) what was there;
            /// no-op for a borrow.
            #[allow(dead_code)]
            pub(crate) fn keep_alive_as(&self, slot: &'static str, dep: $crate::resource::Dependency) {
                if let Some(m) = self.inner.managed() {
                    m.set_dependency(slot, dep);
                }
            }

            /// Type-erased handle that keeps this wrapper's C object alive.
            #[doc(hidden)]
            pub fn as_dependency(&self) -> $crate::resource::Dependency {
                std::sync::Arc::new(self.inner.managed().cloned())
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, concat!(stringify!($name), "({:?})"), self.inner)
            }
        }
    };
}

/// Declares a wrapper over a plain C struct (no C constructor or destructor): everything
/// `c_wrapper!` gives (but `Clone` copies an owned value instead of sharing it), plus
/// `new_zeroed()` (owned, heap-allocated, freed on drop), `from_value()` (`unsafe` with
/// `@pointers`, for structs whose pointer fields getters follow), `clone_struct()` (a copy
/// of the C value) and `Deref` to the C struct's fields. `DerefMut` only with `@mut`, for structs
/// without pointer fields: several structs hold pointers that their getters follow, and safe code
/// must not be able to point them anywhere (edit a `clone_struct()` copy and use `from_value()`).
#[macro_export]
#[doc(hidden)]
macro_rules! c_struct_wrapper {
    (@mut $(#[$meta:meta])* $name:ident => $ctype:ty) => {
        $crate::c_struct_wrapper!($(#[$meta])* $name => $ctype);

        impl std::ops::DerefMut for $name {
            fn deref_mut(&mut self) -> &mut $ctype {
                // SAFETY: valid while self lives; &mut self is exclusive (owned values are copied
                // on clone). Only declared (`@mut`) for structs whose fields hold no pointer that
                // a getter follows, so any value written is harmless.
                unsafe { &mut *self.ptr }
            }
        }
    };
    (@pointers $(#[$meta:meta])* $name:ident => $ctype:ty) => {
        $crate::c_struct_wrapper!(@impl [unsafe] $(#[$meta])* $name => $ctype);
    };
    ($(#[$meta:meta])* $name:ident => $ctype:ty) => {
        $crate::c_struct_wrapper!(@impl [] $(#[$meta])* $name => $ctype);
    };
    (@impl [$($unsafety:ident)?] $(#[$meta:meta])* $name:ident => $ctype:ty) => {
        $crate::c_wrapper!(@without_clone $(#[$meta])* $name => $ctype);

        impl Clone for $name {
            /// An owned value is copied (each clone has its own, so `DerefMut` on one never
            /// races with a read of another); a borrowed one stays a view of the same C memory.
            fn clone(&self) -> Self {
                match &self.inner {
                    $crate::CResource::OwnedOnHeap(m) => {
                        // The copy keeps alive what this value keeps alive (the object its
                        // pointers point into).
                        // SAFETY: the copy's pointers are this value's, kept alive by the
                        // dependencies shared just below.
                        #[allow(unused_unsafe)]
                        let copy = unsafe { Self::from_value(self.clone_struct()) };
                        if let Some(c) = copy.inner.managed() {
                            m.share_dependencies_with(c);
                        }
                        copy
                    }
                    $crate::CResource::Borrowed(p) => Self { ptr: *p, inner: $crate::CResource::Borrowed(*p) },
                }
            }
        }

        impl $name {
            /// A new zero-initialised value owned by this wrapper.
            pub fn new_zeroed() -> Self {
                // SAFETY: bindgen's plain C structs are valid when zeroed.
                unsafe { Self::from_managed($crate::ManagedCResource::new_struct(std::mem::zeroed::<$ctype>())) }
            }

            /// An owned wrapper around a copy of `value`.
            ///
            /// # Safety
            /// Only `unsafe` for structs declared `@pointers` (their getters follow pointer
            /// fields): those pointers must stay valid for as long as the wrapper and its clones
            /// are used. Always safe otherwise.
            pub $($unsafety)? fn from_value(value: $ctype) -> Self {
                unsafe { Self::from_managed($crate::ManagedCResource::new_struct(value)) }
            }

            /// A copy of the C struct (shallow: pointers inside are copied, not what they point to).
            pub fn clone_struct(&self) -> $ctype {
                // SAFETY: the pointer is valid while self lives; the C types are Copy.
                unsafe { *self.ptr }
            }
        }

        impl std::ops::Deref for $name {
            type Target = $ctype;
            fn deref(&self) -> &$ctype {
                // SAFETY: valid while self lives.
                unsafe { &*self.ptr }
            }
        }

    };
}

/// Declares a getter/setter pair for a scalar property of a C config object
/// (`aeron_*_set_x(obj, value) -> int` and `aeron_*_get_x(obj) -> value`). Used inside the
/// `impl` of a `c_wrapper!` type, which provides `fn before_set(&self, setter: &str) ->
/// Result<(), AeronCError>` (run before every setter: it may refuse). An optional last argument
/// is a function the value goes through before C sees it (timeouts saturate, for instance).
#[macro_export]
#[doc(hidden)]
macro_rules! scalar_property {
    ($(#[$doc:meta])* $set:ident, $get:ident, $cset:ident, $cget:ident, $t:ty) => {
        $crate::scalar_property!($(#[$doc])* $set, $get, $cset, $cget, $t, std::convert::identity);
    };
    ($(#[$doc:meta])* $set:ident, $get:ident, $cset:ident, $cget:ident, $t:ty, $adjust:expr) => {
        $(#[$doc])*
        pub fn $set(&self, value: $t) -> Result<i32, $crate::AeronCError> {
            self.before_set(stringify!($set))?;
            let value: $t = ($adjust)(value);
            $crate::__private::check(unsafe { $crate::bindings::$cset(self.get_inner(), value) })
        }
        $(#[$doc])*
        pub fn $get(&self) -> $t {
            unsafe { $crate::bindings::$cget(self.get_inner()) }
        }
    };
}

/// Declares a getter/setter pair for a string property of a C config object (`&CStr` in, an
/// owned `String` out: the setter takes `&self` and C may free or rewrite the old text, so a
/// borrowed `&str` from the getter could dangle).
#[macro_export]
#[doc(hidden)]
macro_rules! string_property {
    ($(#[$doc:meta])* $set:ident, $get:ident, $cset:ident, $cget:ident) => {
        $(#[$doc])*
        pub fn $set(&self, value: &std::ffi::CStr) -> Result<i32, $crate::AeronCError> {
            self.before_set(stringify!($set))?;
            $crate::__private::check(unsafe { $crate::bindings::$cset(self.get_inner(), value.as_ptr()) })
        }
        $(#[$doc])*
        pub fn $get(&self) -> String {
            unsafe { $crate::c_str_to_str($crate::bindings::$cget(self.get_inner())) }.to_owned()
        }
    };
}

/// A set of C objects (by address) that something is using right now, each with how many users:
/// contexts a running client or archive reads, clients whose duty cycle a thread runs. Each
/// registry is a `static`; a mark leaves it when dropped. Only touched when objects are created,
/// closed or reconfigured (and once per duty cycle in agent invoker mode), never on a data path.
pub struct InUse {
    users: Mutex<Vec<(usize, usize)>>,
}

impl InUse {
    /// An empty registry (for a `static`).
    pub const fn new() -> Self {
        InUse { users: Mutex::new(Vec::new()) }
    }

    fn users(&self) -> std::sync::MutexGuard<'_, Vec<(usize, usize)>> {
        self.users.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// True while `object` has a mark.
    pub fn contains(&self, object: usize) -> bool {
        self.users().iter().any(|(o, _)| *o == object)
    }

    /// Marks `object` in use by one more user.
    pub fn mark(&'static self, object: usize) -> InUseMark {
        let mut users = self.users();
        match users.iter_mut().find(|(o, _)| *o == object) {
            Some(entry) => entry.1 += 1,
            None => users.push((object, 1)),
        }
        InUseMark { registry: self, object }
    }

    /// Marks `object` in use by its only user; `None` if it already has one.
    pub fn mark_exclusive(&'static self, object: usize) -> Option<InUseMark> {
        let mut users = self.users();
        if users.iter().any(|(o, _)| *o == object) {
            return None;
        }
        users.push((object, 1));
        Some(InUseMark { registry: self, object })
    }
}

impl Default for InUse {
    fn default() -> Self {
        Self::new()
    }
}

/// One user's mark in an [`InUse`] registry, removed when dropped.
pub struct InUseMark {
    registry: &'static InUse,
    object: usize,
}

impl Drop for InUseMark {
    fn drop(&mut self) {
        let mut users = self.registry.users();
        if let Some(i) = users.iter().position(|(o, _)| *o == self.object) {
            users[i].1 -= 1;
            if users[i].1 == 0 {
                users.swap_remove(i);
            }
        }
    }
}
