//! Links the system libsoxr (Debian: `apt-get install -y libsoxr-dev`). LGPL: this crate is only
//! used by benches, so no shipped binary links it.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo:rustc-link-lib=soxr");
}
