//! Links the system libspeexdsp (Debian: `apt-get install -y libspeexdsp-dev`). Only benches and
//! `cargo xtask eval` use this crate.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo:rustc-link-lib=speexdsp");
}
