//! The in-use registry: which C objects something is using right now, and how many users each has.

use std::sync::Mutex;

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
