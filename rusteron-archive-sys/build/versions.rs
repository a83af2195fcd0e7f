//! Reads `versions.env`, the one file that pins Aeron, SBE and the Java archive versions.

use std::collections::HashMap;
use std::path::Path;

pub struct Versions {
    pub aeron: String,
    pub libaeron_sys_crate: String,
    pub sbe: String,
    /// `AERON_PATCHES`: the patches applied to Aeron's C sources, in order (comma-separated).
    pub patches: String,
    /// `PRECOMPILED_SHA256`: `<target>:<sha256>` of each release archive, comma-separated.
    #[cfg(feature = "precompile")]
    pub precompiled_sha256: String,
}

impl Versions {
    pub fn load(path: &Path) -> Self {
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| crate::fail(format!("cannot read {}: {e}", path.display())));
        let map: HashMap<&str, &str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.trim(), v.trim()))
            .collect();
        let get = |k: &str| {
            map.get(k).map(|v| v.to_string()).unwrap_or_else(|| crate::fail(format!("{} has no {k}=", path.display())))
        };
        Versions {
            aeron: get("AERON_VERSION"),
            libaeron_sys_crate: get("LIBAERON_SYS_CRATE_VERSION"),
            sbe: get("SBE_VERSION"),
            patches: get("AERON_PATCHES"),
            #[cfg(feature = "precompile")]
            precompiled_sha256: get("PRECOMPILED_SHA256"),
        }
    }

    /// The sha256 `PRECOMPILED_SHA256` pins for the release archive of `target`, if any.
    #[cfg(feature = "precompile")]
    pub fn precompiled_sha256(&self, target: &str) -> Option<String> {
        self.precompiled_sha256.split(',').filter_map(|e| e.trim().split_once(':')).find_map(|(t, sha)| {
            (t.trim() == target && !sha.trim().is_empty()).then(|| sha.trim().to_ascii_lowercase())
        })
    }
}
