//! `cargo xtask eval <WHAT>`: quality evaluations that print the same metrics as the anchors in
//! `../shared/docs/audio-dsp.md`.

/// Dispatches `eval <WHAT> [args]`.
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let Some((what, _rest)) = args.split_first() else {
        return Err(
            "usage: cargo xtask eval <WHAT> [args]; `cargo xtask eval help` lists them".into(),
        );
    };
    match what.as_str() {
        "help" | "--help" => {
            println!("cargo xtask eval <WHAT>\n\nNo evaluations are wired yet.");
            Ok(())
        }
        other => Err(format!(
            "unknown evaluation `{other}`; `cargo xtask eval help` lists them"
        )),
    }
}
