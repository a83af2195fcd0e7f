//! The macros that declare a wrapper type over a C type, and getter/setter pairs of its properties.

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
