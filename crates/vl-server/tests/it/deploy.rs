//! The Kustomize base in `deploy/kubernetes/` matches the server: every flag the Deployment
//! passes parses with the real command line and resolves to a valid config, the probes and the
//! scrape annotation name routes the server serves, and every resource the kustomization lists
//! exists.

use std::path::PathBuf;

use clap::Parser as _;
use vl_server::config::{Cli, Config};

fn deploy_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../deploy/kubernetes")
}

/// The `- --flag...` items of the container's `args:` list.
fn container_args(yaml: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut inside = false;
    for line in yaml.lines() {
        let t = line.trim();
        if t == "args:" {
            inside = true;
            continue;
        }
        if inside {
            match t.strip_prefix("- ") {
                Some(item) if item.starts_with("--") => {
                    args.push(item.trim_matches('"').to_owned())
                }
                _ => inside = false,
            }
        }
    }
    args
}

#[test]
fn the_deployment_flags_parse_with_the_real_command_line() {
    let yaml = std::fs::read_to_string(deploy_dir().join("deployment.yaml")).unwrap();
    let args = container_args(&yaml);
    assert!(
        args.len() >= 3,
        "no args found in deployment.yaml: {args:?}"
    );
    let cli = Cli::try_parse_from(std::iter::once("vl-server".to_owned()).chain(args.clone()))
        .unwrap_or_else(|e| panic!("deployment.yaml args {args:?}: {e}"));
    let config = Config::from_cli(cli).unwrap();
    assert_eq!(config.listen.port(), 8080);
    // Kubernetes must wait longer than the drain plus the shutdown timeout.
    let grace: u64 = yaml
        .lines()
        .find_map(|l| l.trim().strip_prefix("terminationGracePeriodSeconds:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("terminationGracePeriodSeconds");
    let needed = config.limits.drain_timeout + config.limits.shutdown_timeout;
    assert!(grace > needed.as_secs(), "grace {grace} s <= {needed:?}");
    for route in ["path: /healthz", "prometheus.io/path: /metrics"] {
        assert!(yaml.contains(route), "{route} missing");
    }
}

#[test]
fn every_kustomization_resource_exists() {
    let k = std::fs::read_to_string(deploy_dir().join("kustomization.yaml")).unwrap();
    let files: Vec<&str> = k
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- "))
        .collect();
    assert_eq!(files.len(), 4, "{files:?}");
    for f in files {
        assert!(deploy_dir().join(f).is_file(), "{f} listed but missing");
    }
}
