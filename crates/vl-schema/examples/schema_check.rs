//! `schema_check`: exposes vl-schema's decoder, canonical encoder and dialect mapping as a CLI,
//! for the Python conformance tests that cross-check it against the official clients
//! (`tests/conformance/test_schema_*.py`).
//!
//! ```text
//! schema_check decode-client FILE...          decode a Voice Live client event, print the canonical re-encoding
//! schema_check decode-server FILE...          the same for server events
//! schema_check ga-to-vl client|server FILE... map OpenAI GA JSON to Voice Live JSON (server: null
//!                                             when the GA event has no Voice Live counterpart)
//! schema_check vl-to-ga client|server FILE... map Voice Live JSON to OpenAI GA JSON (server: an
//!                                             array, one Voice Live event may become several)
//! schema_check types                          print {"client": [...], "server": [...]}: every wire type
//! ```
//!
//! Each FILE holds one JSON text (`-` reads stdin). The output is one JSON array with one entry per
//! FILE, in order: `{"file", "ok": true, "type", "json"}` or `{"file", "ok": false, "error": {...}}`.
//! A rejected event is a normal result (exit 0); only bad usage or unreadable files exit non-zero.

use std::io::Read as _;
use std::process::ExitCode;

use serde_json::{Value, json};
use vl_schema::{DecodeError, dialect};

/// One operation over the text of one file: the output JSON, or an error object.
type Op = fn(&str) -> Result<Value, Value>;

const USAGE: &str = "usage: schema_check decode-client|decode-server FILE...\n       \
                     schema_check ga-to-vl|vl-to-ga client|server FILE...";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((mode, rest)) = args.split_first() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    if mode == "types" {
        let types = json!({
            "client": vl_schema::ClientEvent::TYPES,
            "server": vl_schema::ServerEvent::TYPES,
        });
        println!("{types}");
        return ExitCode::SUCCESS;
    }
    let (op, files): (Op, &[String]) = match mode.as_str() {
        "decode-client" => (decode_client, rest),
        "decode-server" => (decode_server, rest),
        "ga-to-vl" | "vl-to-ga" => {
            let Some((side, files)) = rest.split_first() else {
                eprintln!("{USAGE}");
                return ExitCode::from(2);
            };
            let op: Op = match (mode.as_str(), side.as_str()) {
                ("ga-to-vl", "client") => ga_to_vl_client,
                ("ga-to-vl", "server") => ga_to_vl_server,
                ("vl-to-ga", "client") => vl_to_ga_client,
                ("vl-to-ga", "server") => vl_to_ga_server,
                _ => {
                    eprintln!("{USAGE}");
                    return ExitCode::from(2);
                }
            };
            (op, files)
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let mut results = Vec::with_capacity(files.len());
    for file in files {
        let text = match read(file) {
            Ok(text) => text,
            Err(e) => {
                eprintln!("schema_check: cannot read {file}: {e}");
                return ExitCode::from(1);
            }
        };
        results.push(match op(&text) {
            Ok(value) => {
                let ty = value.get("type").cloned().unwrap_or(Value::Null);
                let mut entry = json!({"file": file, "ok": true, "type": ty, "json": value});
                if mode == "decode-client" {
                    entry["unknown_fields"] = client_unknown_fields(&text);
                }
                entry
            }
            Err(error) => json!({"file": file, "ok": false, "error": error}),
        });
    }
    match serde_json::to_string(&Value::Array(results)) {
        Ok(out) => {
            println!("{out}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("schema_check: cannot encode the results: {e}");
            ExitCode::from(1)
        }
    }
}

fn read(file: &str) -> std::io::Result<String> {
    if file == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        Ok(s)
    } else {
        std::fs::read_to_string(file)
    }
}

/// The JSON form of a decode error: its kind, protocol code, JSON path and message.
fn decode_error(e: &DecodeError) -> Value {
    json!({
        "kind": format!("{:?}", e.kind()),
        "code": e.code(),
        "param": e.param(),
        "message": e.to_string(),
    })
}

fn other_error(message: String) -> Value {
    json!({"kind": "Other", "code": Value::Null, "param": Value::Null, "message": message})
}

fn parse(text: &str) -> Result<Value, Value> {
    serde_json::from_str(text).map_err(|e| other_error(format!("invalid JSON: {e}")))
}

fn reparse(encoded: &str) -> Result<Value, Value> {
    serde_json::from_str(encoded)
        .map_err(|e| other_error(format!("vl-schema encoded invalid JSON: {e}")))
}

fn decode_client(text: &str) -> Result<Value, Value> {
    let event = vl_schema::decode_client_event(text).map_err(|e| decode_error(&e))?;
    reparse(&vl_schema::encode_client_event(&event))
}

/// The JSON paths of input fields the decoded client event does not know (ignored fields).
fn client_unknown_fields(text: &str) -> Value {
    match vl_schema::decode_client_event(text) {
        Ok(event) => json!(vl_schema::unknown_fields(text, &event)),
        Err(_) => Value::Null,
    }
}

fn decode_server(text: &str) -> Result<Value, Value> {
    let event = vl_schema::decode_server_event(text).map_err(|e| decode_error(&e))?;
    reparse(&vl_schema::encode_server_event(&event))
}

fn ga_to_vl_client(text: &str) -> Result<Value, Value> {
    Ok(dialect::client_event_from_ga(parse(text)?))
}

/// `null` when the GA event has no Voice Live counterpart (dropped by the dialect).
fn ga_to_vl_server(text: &str) -> Result<Value, Value> {
    Ok(dialect::server_event_from_ga(parse(text)?).unwrap_or(Value::Null))
}

fn vl_to_ga_client(text: &str) -> Result<Value, Value> {
    Ok(dialect::client_event_to_ga(parse(text)?))
}

/// Always a JSON array: one Voice Live server event can become several GA events.
fn vl_to_ga_server(text: &str) -> Result<Value, Value> {
    Ok(Value::Array(dialect::server_event_to_ga(parse(text)?)))
}
