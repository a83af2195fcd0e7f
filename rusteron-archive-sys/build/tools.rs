//! Locates the external tools the source build needs and checks their versions.

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Tools {
    pub cmake: PathBuf,
    /// None when the package ships the archive codecs: SbeTool does not run, and CMake's
    /// `find_package(Java 17)` is answered by a stub (see `cmake_build::java_for_cmake`).
    pub java: Option<PathBuf>,
    pub ninja: Option<PathBuf>,
}

const MIN_CMAKE: (u32, u32) = (3, 30);

fn output(cmd: &PathBuf, arg: &str) -> Option<String> {
    let out = Command::new(cmd).arg(arg).output().ok()?;
    let mut s = String::from_utf8_lossy(&out.stdout).into_owned();
    s.push_str(&String::from_utf8_lossy(&out.stderr));
    out.status.success().then_some(s)
}

fn cmake_version(cmake: &PathBuf) -> Option<(u32, u32)> {
    let text = output(cmake, "--version")?;
    let v = text.split_whitespace().nth(2)?;
    let mut it = v.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    Some((it.next()?, it.next()?))
}

/// Candidates for cmake: $CMAKE, `cmake` on PATH, the virtualenv `just setup` installs into the
/// cache, then the bin dir of PyPI's `cmake` package for the `python3` on PATH.
fn cmake_candidates(cache_dir: &Path) -> Vec<PathBuf> {
    let mut c = Vec::new();
    if let Some(p) = crate::env_path("CMAKE") {
        c.push(p);
    }
    c.push(PathBuf::from("cmake"));
    c.push(cache_dir.join("cmake-venv/bin/cmake"));
    for py in ["python3", "python"] {
        if let Ok(out) = Command::new(py).args(["-c", "import cmake; print(cmake.CMAKE_BIN_DIR)"]).output() {
            if out.status.success() {
                let dir = String::from_utf8_lossy(&out.stdout).trim().to_string();
                c.push(PathBuf::from(dir).join("cmake"));
                break;
            }
        }
    }
    c
}

pub fn find_java() -> Option<PathBuf> {
    let mut c = Vec::new();
    if let Some(home) = crate::env_path("JAVA_HOME") {
        c.push(home.join("bin/java"));
    }
    c.push(PathBuf::from("java"));
    c.into_iter().find(|j| output(j, "-version").is_some())
}

pub fn find_mvn() -> Option<PathBuf> {
    let mvn = PathBuf::from("mvn");
    output(&mvn, "-v").map(|_| mvn)
}

impl Tools {
    pub fn locate(cache_dir: &Path, need_java: bool) -> Self {
        let mut seen = Vec::new();
        let mut cmake = None;
        for cand in cmake_candidates(cache_dir) {
            match cmake_version(&cand) {
                Some(v) if v >= MIN_CMAKE => {
                    cmake = Some(cand);
                    break;
                }
                Some(v) => seen.push(format!("{} is {}.{}", cand.display(), v.0, v.1)),
                None => {}
            }
        }
        let cmake = cmake.unwrap_or_else(|| {
            let found = if seen.is_empty() { "no cmake found".to_string() } else { seen.join(", ") };
            crate::fail(format!(
                "Aeron needs CMake >= {}.{} ({found}): install it with `python3 -m venv ~/.cmake && ~/.cmake/bin/pip install \"cmake>=3.30,<4\"` and set CMAKE=~/.cmake/bin/cmake (in the rusteron repository, `just setup` does this)",
                MIN_CMAKE.0, MIN_CMAKE.1
            ))
        });
        let java = if need_java {
            Some(find_java().unwrap_or_else(|| {
                crate::fail("java (JDK 17+) not found: building from the git repository generates the archive codecs with SbeTool; run `apt-get install -y openjdk-17-jdk-headless` (or `just setup`), or set JAVA_HOME (a build from the packaged crate needs no Java)")
            }))
        } else {
            None
        };
        let ninja = Some(PathBuf::from("ninja")).filter(|n| output(n, "--version").is_some());
        check_cxx();
        if ninja.is_none() && output(&PathBuf::from("make"), "--version").is_none() {
            crate::fail("neither ninja nor make found: CMake needs one to build Aeron; run `apt-get install -y ninja-build` (or `just setup`)");
        }
        Tools { cmake, java, ninja }
    }
}

/// Aeron's top CMakeLists declares `project(aeron C CXX)`: configuring fails without a C++
/// compiler ("No CMAKE_CXX_COMPILER could be found") even though only C is compiled. Say so first.
fn check_cxx() {
    let mut tried = Vec::new();
    if let Some(cxx) = crate::env_path("CXX") {
        if output(&cxx, "--version").is_some() {
            return;
        }
        tried.push(format!("CXX={}", cxx.display()));
    }
    for name in ["c++", "g++", "clang++"] {
        if output(&PathBuf::from(name), "--version").is_some() {
            return;
        }
        tried.push(name.to_string());
    }
    crate::fail(format!(
        "no C++ compiler found (tried {}): Aeron's CMake project declares C++ and will not configure without one, although only C is compiled; run `apt-get install -y g++` (Fedora: `dnf install gcc-c++`), or set CXX",
        tried.join(", ")
    ));
}
