//! Exposes the duration tensor of a Piper VITS model as an extra graph output.
//!
//! Piper's exported ONNX graphs compute `w_ceil = ceil(exp(logw) · length_scale)`, the number of
//! spectrogram frames of every input ID, but do not output it. This module edits the ONNX protobuf
//! directly (no protobuf library, no Python): it finds the `Ceil` node in `ModelProto.graph`
//! (field 7) and appends a `ValueInfoProto` with its output name and element type `FLOAT` to
//! `GraphProto.output` (field 12). Everything else is copied byte for byte. Multiplying each value
//! by the hop size (256 samples for Piper voices) gives the per-ID sample counts.

use crate::TtsError;

/// What [`expose_durations`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Patched {
    /// The model bytes (unchanged if the output was there already).
    pub model: Vec<u8>,
    /// The name of the duration output.
    pub output: String,
}

fn varint(buf: &[u8], pos: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *buf.get(*pos)?;
        *pos += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// One protobuf field: number, wire type, the bytes of the whole field and of its payload
/// (length-delimited fields only; empty otherwise).
struct Field<'a> {
    number: u64,
    whole: &'a [u8],
    payload: &'a [u8],
}

fn fields(buf: &[u8]) -> Option<Vec<Field<'_>>> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < buf.len() {
        let start = pos;
        let key = varint(buf, &mut pos)?;
        let (number, wire) = (key >> 3, key & 7);
        let payload = match wire {
            0 => {
                varint(buf, &mut pos)?;
                &[][..]
            }
            1 => {
                pos = pos.checked_add(8)?;
                &[][..]
            }
            2 => {
                let len = usize::try_from(varint(buf, &mut pos)?).ok()?;
                let end = pos.checked_add(len)?;
                let p = buf.get(pos..end)?;
                pos = end;
                p
            }
            5 => {
                pos = pos.checked_add(4)?;
                &[][..]
            }
            _ => return None,
        };
        out.push(Field {
            number,
            whole: buf.get(start..pos)?,
            payload,
        });
    }
    Some(out)
}

fn string_field(msg: &[u8], number: u64) -> Option<Vec<String>> {
    Some(
        fields(msg)?
            .iter()
            .filter(|f| f.number == number)
            .map(|f| String::from_utf8_lossy(f.payload).into_owned())
            .collect(),
    )
}

fn put_len_field(out: &mut Vec<u8>, number: u64, payload: &[u8]) {
    put_varint(out, (number << 3) | 2);
    put_varint(out, payload.len() as u64);
    out.extend_from_slice(payload);
}

/// `ValueInfoProto { name, type: TypeProto { tensor_type: { elem_type: FLOAT } } }`.
fn value_info(name: &str) -> Vec<u8> {
    let mut tensor = Vec::new();
    put_varint(&mut tensor, 1 << 3); // elem_type, varint
    put_varint(&mut tensor, 1); // FLOAT
    let mut ty = Vec::new();
    put_len_field(&mut ty, 1, &tensor);
    let mut vi = Vec::new();
    put_len_field(&mut vi, 1, name.as_bytes());
    put_len_field(&mut vi, 2, &ty);
    vi
}

fn bad(message: &str) -> TtsError {
    TtsError::Model {
        path: "<memory>".into(),
        message: message.into(),
    }
}

/// Adds the output of the graph's `Ceil` node to the graph outputs (see the module docs).
///
/// Errors if the bytes are not a parseable ONNX model or the graph has no `Ceil` node (then the
/// model cannot give durations and callers fall back to estimated timing).
pub fn expose_durations(model: &[u8]) -> Result<Patched, TtsError> {
    let top = fields(model).ok_or_else(|| bad("not a protobuf message"))?;
    let graph = top
        .iter()
        .find(|f| f.number == 7)
        .ok_or_else(|| bad("no graph"))?;
    let graph_fields = fields(graph.payload).ok_or_else(|| bad("bad graph"))?;
    let mut ceil_outputs = Vec::new();
    let mut outputs = Vec::new();
    for f in &graph_fields {
        match f.number {
            1 => {
                let op = string_field(f.payload, 4).ok_or_else(|| bad("bad node"))?;
                if op.iter().any(|o| o == "Ceil") {
                    ceil_outputs.extend(string_field(f.payload, 2).ok_or_else(|| bad("bad node"))?);
                }
            }
            12 => outputs.extend(string_field(f.payload, 1).ok_or_else(|| bad("bad output"))?),
            _ => {}
        }
    }
    let name = match ceil_outputs.as_slice() {
        [one] => one.clone(),
        [] => return Err(bad("the graph has no Ceil node (no duration tensor)")),
        _ => {
            return Err(bad(
                "the graph has several Ceil nodes; cannot tell which one is w_ceil",
            ));
        }
    };
    if outputs.contains(&name) {
        return Ok(Patched {
            model: model.to_vec(),
            output: name,
        });
    }
    let mut new_graph = Vec::with_capacity(graph.payload.len() + 64);
    new_graph.extend_from_slice(graph.payload);
    put_len_field(&mut new_graph, 12, &value_info(&name));
    let mut out = Vec::with_capacity(model.len() + 64);
    for f in &top {
        if f.number == 7 {
            put_len_field(&mut out, 7, &new_graph);
        } else {
            out.extend_from_slice(f.whole);
        }
    }
    Ok(Patched {
        model: out,
        output: name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(op: &str, input: &str, output: &str) -> Vec<u8> {
        let mut n = Vec::new();
        put_len_field(&mut n, 1, input.as_bytes());
        put_len_field(&mut n, 2, output.as_bytes());
        put_len_field(&mut n, 4, op.as_bytes());
        n
    }

    /// A tiny model: ir_version (varint 1), graph { Exp, Ceil, Mul; output "y" }, opset (field 8).
    fn model(ceils: usize) -> Vec<u8> {
        let mut g = Vec::new();
        put_len_field(&mut g, 1, &node("Exp", "x", "w"));
        for i in 0..ceils {
            put_len_field(&mut g, 1, &node("Ceil", "w", &format!("w_ceil{i}")));
        }
        put_len_field(&mut g, 1, &node("Mul", "w", "y"));
        put_len_field(&mut g, 2, b"graph-name");
        put_len_field(&mut g, 12, &value_info("y"));
        let mut m = Vec::new();
        put_varint(&mut m, 1 << 3);
        put_varint(&mut m, 8);
        put_len_field(&mut m, 7, &g);
        let mut opset = Vec::new();
        put_varint(&mut opset, 2 << 3);
        put_varint(&mut opset, 17);
        put_len_field(&mut m, 8, &opset);
        m
    }

    #[test]
    fn adds_the_ceil_output_and_keeps_the_rest() {
        let m = model(1);
        let p = expose_durations(&m).unwrap();
        assert_eq!(p.output, "w_ceil0");
        let top = fields(&p.model).unwrap();
        assert_eq!(top.len(), 3);
        assert_eq!(top[0].whole, &m[..2]);
        let g = fields(top[1].payload).unwrap();
        let outs: Vec<String> = g
            .iter()
            .filter(|f| f.number == 12)
            .flat_map(|f| string_field(f.payload, 1).unwrap())
            .collect();
        assert_eq!(outs, vec!["y", "w_ceil0"]);
        // The opset field after the graph is unchanged.
        assert_eq!(top[2].whole, fields(&m).unwrap()[2].whole);
        // Patching again changes nothing.
        let again = expose_durations(&p.model).unwrap();
        assert_eq!(again.model, p.model);
    }

    #[test]
    fn rejects_models_without_a_single_ceil() {
        assert!(expose_durations(&model(0)).is_err());
        assert!(expose_durations(&model(2)).is_err());
        assert!(expose_durations(b"\xff\xff\xff").is_err());
        assert!(expose_durations(&[]).is_err());
    }

    #[test]
    fn varints_round_trip() {
        for v in [0u64, 1, 127, 128, 300, 1 << 35, u64::MAX] {
            let mut b = Vec::new();
            put_varint(&mut b, v);
            let mut pos = 0;
            assert_eq!(varint(&b, &mut pos), Some(v));
            assert_eq!(pos, b.len());
        }
    }
}
