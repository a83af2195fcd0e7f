//! The waits the sys crate's patches bound, exercised through the raw bindings where no archive
//! is needed (the archive client's are exercised by rusteron-archive's fault matrix freeze
//! stress). Each test runs the C call on its own thread and fails, naming the call, if it has not
//! returned by a deadline: a hang fails the test instead of hanging the run.

use rusteron_archive_sys::*;
use std::ffi::{CStr, CString};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

struct Driver {
    child: Child,
    dir: PathBuf,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn unique_dir(what: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    std::env::temp_dir().join(format!("rusteron-sys-{what}-{}-{nanos}", std::process::id()))
}

/// The CnC file of a real `aeronmd`, once it is complete.
fn real_cnc_file() -> Vec<u8> {
    let dir = unique_dir("bounded-driver");
    assert!(Path::new(AERONMD_PATH).exists(), "aeronmd missing at {AERONMD_PATH}");
    let child = Command::new(AERONMD_PATH)
        .env("AERON_DIR", &dir)
        .env("AERON_THREADING_MODE", "SHARED")
        .env("AERON_DIR_DELETE_ON_START", "1")
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("start aeronmd");
    let driver = Driver { child, dir };
    let cnc = driver.dir.join("cnc.dat");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        // The driver writes the version last: a non-zero first word means a complete file.
        if let Ok(bytes) = std::fs::read(&cnc) {
            if bytes.len() > 4096 && bytes[..4] != [0, 0, 0, 0] {
                return bytes;
            }
        }
        assert!(Instant::now() < deadline, "aeronmd did not write {} within 10 s", cnc.display());
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A CnC file whose header is intact but which is shorter than the buffers its header declares
/// (a driver that died while creating it, a full disk, a partial copy): `aeron_init` must fail
/// within the client's driver timeout (patch 0005), not wait forever for the missing bytes.
#[test]
fn a_truncated_cnc_file_fails_the_client_within_its_driver_timeout() {
    let full = real_cnc_file();
    let dir = unique_dir("truncated-cnc");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("cnc.dat"), &full[..4096]).unwrap();
    let driver_timeout = Duration::from_millis(500);
    let c_dir = CString::new(dir.to_str().unwrap()).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let t0 = Instant::now();
    std::thread::spawn(move || unsafe {
        let mut ctx: *mut aeron_context_t = std::ptr::null_mut();
        assert!(aeron_context_init(&mut ctx) >= 0);
        aeron_context_set_dir(ctx, c_dir.as_ptr());
        aeron_context_set_driver_timeout_ms(ctx, driver_timeout.as_millis() as u64);
        let mut client: *mut aeron_t = std::ptr::null_mut();
        let rc = aeron_init(&mut client, ctx);
        let message = CStr::from_ptr(aeron_errmsg()).to_string_lossy().into_owned();
        if rc >= 0 {
            aeron_close(client);
        }
        aeron_context_close(ctx);
        let _ = tx.send((rc, message));
    });
    let bound = driver_timeout + Duration::from_secs(3);
    let result = rx.recv_timeout(bound);
    let took = t0.elapsed();
    let _ = std::fs::remove_dir_all(&dir);
    let (rc, message) = result.unwrap_or_else(|_| {
        panic!(
            "aeron_init on a truncated cnc.dat had not returned after {took:?}: it waits forever (patch 0005 missing?)"
        )
    });
    println!("aeron_init on a truncated cnc.dat: rc {rc} after {took:?}: {message}");
    assert!(rc < 0, "aeron_init accepted a truncated cnc.dat");
    assert!(message.contains("CnC file is shorter than its buffers need"), "{message}");
}

/// A CnC file that is created but never initialised (version 0: a driver that is slow to start,
/// or that died starting): `aeron_init` fails at the driver timeout, having unmapped the file.
/// Unpatched, the context kept the file's address, so `aeron_context_close` (or the error path
/// itself) unmapped that address again, and whatever another thread had mapped there since (a
/// client's CnC file or log buffers) went away under it: a SIGSEGV in another thread. Patch 0006
/// makes `aeron_unmap` forget the address. Checked twice: the context holds no address after the
/// failed start, and a region mapped into the freed range survives the context's close.
#[test]
fn a_failed_client_start_leaves_no_stale_mapping() {
    let mut cnc = real_cnc_file();
    cnc[..4].copy_from_slice(&[0, 0, 0, 0]); // the version, written last by a starting driver
    let dir = unique_dir("uninitialised-cnc");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("cnc.dat"), &cnc).unwrap();
    let c_dir = CString::new(dir.to_str().unwrap()).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || unsafe {
        let mut ctx: *mut aeron_context_t = std::ptr::null_mut();
        assert!(aeron_context_init(&mut ctx) >= 0);
        aeron_context_set_dir(ctx, c_dir.as_ptr());
        aeron_context_set_driver_timeout_ms(ctx, 200);
        let mut client: *mut aeron_t = std::ptr::null_mut();
        let rc = aeron_init(&mut client, ctx);
        let message = CStr::from_ptr(aeron_errmsg()).to_string_lossy().into_owned();
        let stale = (*ctx).cnc_map.addr;
        let length = cnc.len();
        // Map a region of the file's length: the kernel usually hands out the range just freed.
        let region = libc::mmap(
            std::ptr::null_mut(),
            length,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        );
        assert_ne!(region, libc::MAP_FAILED);
        aeron_context_close(ctx);
        // msync fails with ENOMEM on a range that is no longer mapped.
        let survived = libc::msync(region, length, libc::MS_ASYNC) == 0;
        libc::munmap(region, length);
        let _ = tx.send((rc, message, stale as usize, region as usize, survived));
    });
    let result = rx.recv_timeout(Duration::from_secs(10));
    let _ = std::fs::remove_dir_all(&dir);
    let (rc, message, stale, region, survived) =
        result.expect("aeron_init on an uninitialised cnc.dat had not returned after 10 s");
    println!(
        "aeron_init on an uninitialised cnc.dat: rc {rc}; context's CnC address after it: {stale:#x}; new region at \
         {region:#x} survived the context's close: {survived}; {message}"
    );
    assert!(rc < 0, "aeron_init accepted an uninitialised cnc.dat");
    assert_eq!(stale, 0, "the context still holds the address of the CnC file it unmapped (patch 0006 missing?)");
    assert!(survived, "aeron_context_close unmapped a region mapped after the failed start (patch 0006 missing?)");
}
