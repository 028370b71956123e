//! The CLI as a Unix tool: a refused token or URL is an error (not the
//! cache with a warning), and a reader that closes the pipe early (`| head`)
//! ends the output quietly instead of a panic.

mod common;

use common::*;
use std::io::Read;
use std::process::{Command, Stdio};

#[test]
fn list_with_a_refused_token_or_url_fails_with_one_line() {
    let (server, _token) = start_server(server_opts());
    let dir = tempfile::tempdir().unwrap();
    let g = global(&server.url(), "not-a-token", &cache_file(&dir), &[]);
    let (code, out, err) = run_cli(&g, &["list"]);
    assert_eq!(code, 1);
    assert!(out.is_empty(), "{out}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.starts_with("error:") && err.contains("401"), "{err}");
    let (_, token) = server.create_business(None);
    let wrong_url = format!("{}/nope", server.url());
    let g = global(&wrong_url, &token, &cache_file(&dir), &[]);
    let (code, _, err) = run_cli(&g, &["list"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("404"), "{err}");
}

#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    let (server, token) = start_server(server_opts());
    let api = Api::new(&server.url(), &token);
    for i in 0..400 {
        api.create(&format!("Huésped {i}"));
    }
    let dir = tempfile::tempdir().unwrap();
    let g = global(&server.url(), &token, &cache_file(&dir), &[]);
    // ~200 KB of JSON, far more than a pipe buffer: the reader leaves after
    // a few bytes, like `reservas list --json | head -c 10`.
    let mut child = Command::new(CLI)
        .args(&g)
        .args(["list", "--json"])
        .env("RUST_BACKTRACE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 10];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // (the pipe's read end is dropped here)
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(out.status.code(), Some(0), "{err}");
}
