//! The self-hosted Voice Live server binary.

fn main() {
    eprintln!(
        "vl-server: the server lands with the vl-engine + vl-server issue; nothing to run yet"
    );
    std::process::exit(2);
}
