//! `rusteron stat --serve ADDR`: the driver's counters over HTTP for Prometheus, one request at a
//! time on a plain `std::net` listener. Every `GET /metrics` reads the counters afresh through
//! `rusteron_client::metrics::AeronMetrics`; nothing runs between requests.

use crate::Result;
use rusteron_client::metrics::prometheus_client;
use rusteron_client::metrics::prometheus_client::registry::Registry;
use rusteron_client::metrics::AeronMetrics;
use rusteron_client::AeronCnc;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Serves until the process is stopped. Prints the address it listens on first (port 0 picks a
/// free port), on one line of stdout.
pub fn serve(dir: &str, cnc: &AeronCnc, addr: &str) -> Result<()> {
    let listener = TcpListener::bind(addr)
        .map_err(|e| crate::CliError::Input(format!("--serve {addr}: cannot listen there: {e}")))?;
    let local = listener.local_addr()?;
    let mut registry = Registry::default();
    AeronMetrics::from_cnc(cnc).register(&mut registry);
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "serving the counters of {dir} on http://{local}/metrics")?;
        out.flush()?;
    }
    for stream in listener.incoming() {
        match stream {
            Ok(stream) => {
                if let Err(e) = answer(stream, &registry) {
                    log::debug!("rusteron stat --serve: a request failed: {e}");
                }
            }
            Err(e) => log::warn!("rusteron stat --serve: accept failed: {e}"),
        }
    }
    Ok(())
}

/// Reads one request (its head only) and answers it; the connection is then closed.
fn answer(mut stream: TcpStream, registry: &Registry) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.set_write_timeout(Some(Duration::from_secs(5)))?;
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let head = String::from_utf8_lossy(&head);
    let mut words = head.lines().next().unwrap_or("").split_whitespace();
    let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    let path = target.split('?').next().unwrap_or("");
    let (status, content_type, body) = match (method, path) {
        ("GET" | "HEAD", "/metrics") => {
            let mut text = String::new();
            match prometheus_client::encoding::text::encode(&mut text, registry) {
                Ok(()) => ("200 OK", OPENMETRICS, text),
                Err(_) => ("500 Internal Server Error", "text/plain", "encoding the metrics failed\n".to_string()),
            }
        }
        ("GET" | "HEAD", "/") => {
            ("200 OK", "text/plain; charset=utf-8", "rusteron: the metrics are at /metrics\n".to_string())
        }
        ("GET" | "HEAD", _) => {
            ("404 Not Found", "text/plain; charset=utf-8", format!("no {path} here: try /metrics\n"))
        }
        _ => ("405 Method Not Allowed", "text/plain; charset=utf-8", "only GET and HEAD\n".to_string()),
    };
    let mut response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    if method != "HEAD" {
        response.push_str(&body);
    }
    stream.write_all(response.as_bytes())?;
    stream.flush()
}
