//! Compiles the C reference with the optimisation level of the build profile (the bench profile
//! gives -O3; `cc` passes the level on).

fn main() {
    println!("cargo::rerun-if-changed=csrc/g711_ref.c");
    cc::Build::new()
        .file("csrc/g711_ref.c")
        .warnings(true)
        .compile("g711_ref");
}
