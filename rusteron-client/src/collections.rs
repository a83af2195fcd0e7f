//! Plain C structs the bindings expose from Aeron's collections and from the platform's
//! pthread types (they appear inside Aeron structs such as the distinct error log's mutex):
//! `AeronStrToPtrHashMap` (`aeron_str_to_ptr_hash_map_t`, the map behind the URI string
//! builder), its key, and the glibc internals `__pthread_cond_s`, `__pthread_mutex_s`,
//! `__pthread_internal_list` and `__atomic_wide_counter`'s 32-bit halves.
//!
//! They are wrapped so that every type reachable from the public structs has a safe name;
//! they hold raw pointers and are neither `Send` nor `Sync`.

use crate::bindings;

crate::c_struct_wrapper!(
    /// A string-keyed hash map of pointers (`aeron_str_to_ptr_hash_map_t`).
    AeronStrToPtrHashMap => bindings::aeron_str_to_ptr_hash_map_t
);

impl AeronStrToPtrHashMap {
    /// How many entries the map holds.
    pub fn size(&self) -> usize {
        self.clone_struct().size
    }

    /// How many slots the map has.
    pub fn capacity(&self) -> usize {
        self.clone_struct().capacity
    }
}

crate::c_struct_wrapper!(
    /// One key of an [`AeronStrToPtrHashMap`] (`aeron_str_to_ptr_hash_map_key_t`): string
    /// pointer, hash and length.
    AeronStrToPtrHashMapKey => bindings::aeron_str_to_ptr_hash_map_key_t
);

// glibc internals that Aeron's headers pull in: they exist only on Linux with glibc.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
crate::c_struct_wrapper!(
    /// glibc's condition variable internals (`__pthread_cond_s`).
    PthreadCondS => bindings::__pthread_cond_s
);

// glibc internals that Aeron's headers pull in: they exist only on Linux with glibc.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
crate::c_struct_wrapper!(
    /// glibc's mutex internals (`__pthread_mutex_s`).
    PthreadMutexS => bindings::__pthread_mutex_s
);

// glibc internals that Aeron's headers pull in: they exist only on Linux with glibc.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
crate::c_struct_wrapper!(
    /// glibc's intrusive list node used by robust mutexes (`__pthread_internal_list`).
    PthreadInternalList => bindings::__pthread_internal_list
);

// glibc internals that Aeron's headers pull in: they exist only on Linux with glibc.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
crate::c_struct_wrapper!(
    /// The two 32-bit halves of glibc's `__atomic_wide_counter`
    /// (`__atomic_wide_counter__bindgen_ty_1`), used inside condition variables.
    AtomicWideCounterBindgenTy1 => bindings::__atomic_wide_counter__bindgen_ty_1
);

#[cfg(all(target_os = "linux", target_env = "gnu"))]
impl AtomicWideCounterBindgenTy1 {
    /// The low 32 bits.
    pub fn low(&self) -> u32 {
        self.clone_struct().__low
    }

    /// The high 32 bits.
    pub fn high(&self) -> u32 {
        self.clone_struct().__high
    }
}
