//! The `vl-load` binary as `cargo xtask load` and CI's load step run it: its exit status and
//! report are what they gate on.

use std::net::TcpListener;
use std::process::Command;

/// A loopback port nothing listens on (bound, then released).
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local addr").port()
}

#[test]
fn sessions_that_cannot_open_fail_the_run_and_are_reported() {
    let dir = std::env::temp_dir().join(format!("vl-load-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let report = dir.join("report.json");
    let url = format!(
        "ws://127.0.0.1:{}/voice-live/realtime?api-version=2026-07-15&model=gpt-realtime",
        closed_port()
    );
    let out = Command::new(env!("CARGO_BIN_EXE_vl-load"))
        .args([
            "--url",
            &url,
            "--sessions",
            "3",
            "--seconds",
            "1",
            "--ramp",
            "0",
        ])
        .arg("--report")
        .arg(&report)
        .output()
        .expect("run vl-load");
    assert!(
        !out.status.success(),
        "vl-load must fail when no session opens; stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).expect("the report is written"))
            .expect("the report is JSON");
    assert_eq!(json["sessions"], 3, "{json}");
    assert_eq!(json["sessions_opened"], 0, "{json}");
    let _ = std::fs::remove_dir_all(&dir);
}
