//! Locating and checking the stored test data (`VL_TEST_DATA`, default `../shared/data` relative
//! to the workspace root).

use std::path::PathBuf;
use std::sync::OnceLock;

/// The test-data folder; panics with a clear message (failing the test) if it is missing.
pub(crate) fn data_dir() -> PathBuf {
    let dir = std::env::var_os("VL_TEST_DATA").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
        PathBuf::from,
    );
    assert!(
        dir.join("g711").is_dir(),
        "test data not found: {} has no g711/ folder. Set VL_TEST_DATA to the shared data folder \
         (default: ../shared/data beside the workspace root).",
        dir.display()
    );
    dir
}

/// CRC-32 (IEEE 802.3, reflected, as zlib computes it).
pub(crate) fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0_u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// The G.711 vector files and their published CRC-32 (shared/data/README.md and the STL README).
pub(crate) const G711_FILES: [(&str, u32); 7] = [
    ("sweep.src", 0xC8BA_7682),
    ("sweep-r.a", 0x7471_9FE4),
    ("sweep-r.a-a", 0xABCE_AA69),
    ("sweep-r.rea", 0xABCE_AA69),
    ("sweep-r.u", 0xCD17_0E15),
    ("sweep-r.u-u", 0x6364_1C01),
    ("sweep-r.reu", 0x6364_1C01),
];

/// Reads all G.711 vector files once, checking size and CRC-32 so corrupt data fails loudly.
fn g711_files() -> &'static Vec<(&'static str, Vec<u8>)> {
    static FILES: OnceLock<Vec<(&'static str, Vec<u8>)>> = OnceLock::new();
    FILES.get_or_init(|| {
        let dir = data_dir().join("g711");
        G711_FILES
            .iter()
            .map(|&(name, crc)| {
                let path = dir.join(name);
                let bytes = std::fs::read(&path)
                    .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
                assert_eq!(
                    bytes.len(),
                    131_072,
                    "{} is not 65,536 16-bit words: corrupt or wrong test data",
                    path.display()
                );
                assert_eq!(
                    crc32(&bytes),
                    crc,
                    "{} fails its CRC-32 check: corrupt or wrong test data \
                     (`sha256sum -c SHA256SUMS` in the data folder)",
                    path.display()
                );
                (name, bytes)
            })
            .collect()
    })
}

/// The 65,536 little-endian 16-bit words of a G.711 vector file.
pub(crate) fn words(name: &str) -> Vec<u16> {
    let (_, bytes) = g711_files()
        .iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("{name} is not a G.711 vector file"));
    bytes
        .chunks_exact(2)
        .map(|b| u16::from_le_bytes([b[0], b[1]]))
        .collect()
}

/// A vector file as PCM16 samples.
pub(crate) fn pcm(name: &str) -> Vec<i16> {
    words(name).into_iter().map(|w| w as i16).collect()
}

/// A coded vector file as G.711 octets (the low byte of each word; the high byte must be 0).
pub(crate) fn codes(name: &str) -> Vec<u8> {
    words(name)
        .into_iter()
        .enumerate()
        .map(|(i, w)| {
            assert_eq!(w >> 8, 0, "{name} word {i} has a non-zero high byte");
            w as u8
        })
        .collect()
}

#[test]
fn crc32_matches_the_standard_check_value() {
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
}

#[test]
fn every_vector_file_passes_its_checksum() {
    assert_eq!(g711_files().len(), G711_FILES.len());
    // sweep.src is the ramp −32768..=32767 the README describes.
    let src = pcm("sweep.src");
    assert!(src.iter().copied().eq(i16::MIN..=i16::MAX));
}
