//! The container deployment, checked by reading: no Docker engine runs where the tests
//! run, so `docker compose up` itself is not exercised.

use yaml_rust2::{Yaml, YamlLoader};

fn root(path: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

fn compose() -> Yaml {
    YamlLoader::load_from_str(&root("docker-compose.yml"))
        .unwrap()
        .remove(0)
}

#[test]
fn compose_runs_postgres_15_with_a_volume_and_a_healthcheck() {
    let compose = compose();
    let db = &compose["services"]["db"];
    assert!(db["image"].as_str().unwrap().starts_with("postgres:15"));
    assert!(db["healthcheck"]["test"][1].as_str().unwrap().contains("pg_isready"));
    let volume = db["volumes"][0].as_str().unwrap().split(':').next().unwrap();
    assert!(
        !compose["volumes"][volume].is_badvalue(),
        "the data lives in a named volume"
    );
}

#[test]
fn compose_starts_the_api_after_a_healthy_database_on_a_loopback_port() {
    let compose = compose();
    let api = &compose["services"]["api"];
    assert_eq!(api["depends_on"]["db"]["condition"].as_str(), Some("service_healthy"));
    for port in api["ports"].as_vec().unwrap() {
        assert!(
            port.as_str().unwrap().starts_with("127.0.0.1:"),
            "ports are bound to loopback: {port:?}"
        );
    }
    assert_eq!(api["env_file"][0]["path"].as_str(), Some(".env"));
    let environment = api["environment"].as_hash().unwrap();
    for key in environment.keys() {
        let key = key.as_str().unwrap();
        assert!(
            root(".env.example").contains(key),
            "{key} is set in compose but not documented in .env.example"
        );
    }
}

#[test]
fn every_setting_the_service_reads_is_documented_in_env_example_and_the_readme() {
    let config = root("src/config.rs");
    let example = root(".env.example");
    let readme = root("README.md");
    let names: Vec<&str> = config
        .split('"')
        .filter(|s| {
            (s.starts_with("SCRUTINY_") || s.starts_with("DATABASE_"))
                && s.chars().all(|c| c.is_ascii_uppercase() || c == '_')
        })
        .collect();
    assert!(names.len() >= 10, "{names:?}");
    for name in names {
        assert!(example.contains(name), "{name} is missing from .env.example");
        assert!(
            readme.contains(name),
            "{name} is missing from the README's configuration table"
        );
        assert!(docs_mention(name), "{name} is missing from docs/operations.md");
    }
}

#[test]
fn every_variable_the_readme_names_is_in_the_operations_reference() {
    let readme = root("README.md");
    let names: Vec<&str> = readme
        .split(|c: char| !(c.is_ascii_uppercase() || c == '_'))
        .filter(|word| word.starts_with("SCRUTINY_") || word.starts_with("DATABASE_") || *word == "RUST_LOG")
        .filter(|word| !word.ends_with('_'))
        .collect();
    assert!(names.len() >= 20, "{names:?}");
    for name in names {
        assert!(
            docs_mention(name),
            "{name} is in the README but not in docs/operations.md"
        );
    }
}

/// The shell lines of a Markdown document's `sh` blocks, continuation lines joined.
fn shell_lines(markdown: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut in_block = false;
    for line in markdown.lines() {
        if line.starts_with("```") {
            in_block = line == "```sh";
            continue;
        }
        if in_block {
            lines.push(line.split(" #").next().unwrap_or_default().trim().to_string());
        }
    }
    lines.retain(|line| !line.is_empty() && !line.starts_with('#'));
    lines
}

#[test]
fn the_readmes_commands_run_as_written_from_a_checkout() {
    for doc in ["README.md", "docs/operations.md"] {
        for line in shell_lines(&root(doc)) {
            // `scrutiny` is not on the PATH after `cargo run`: commands go through cargo.
            let command = line
                .split_whitespace()
                .find(|word| !word.contains('='))
                .unwrap_or_default();
            assert_ne!(
                command, "scrutiny",
                "{doc}: `{line}` cannot be run as written; say `cargo run -- …`"
            );
            // Every file it names exists (a glob matches at least one).
            for word in line.split_whitespace() {
                let looks_like_a_path = ["tests/", "scripts/", "data/", "docs/", "migrations/", "openapi/"]
                    .iter()
                    .any(|dir| word.starts_with(dir));
                if !looks_like_a_path {
                    continue;
                }
                let exists = match word.split_once('*') {
                    Some((dir, suffix)) => std::fs::read_dir(
                        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir),
                    )
                    .is_ok_and(|entries| {
                        entries
                            .flatten()
                            .any(|e| e.file_name().to_string_lossy().ends_with(suffix))
                    }),
                    None => std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(word).exists(),
                };
                assert!(exists, "{doc}: `{line}` names {word}, which is not in the repository");
            }
        }
    }
}

fn docs_mention(name: &str) -> bool {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/operations.md"))
        .is_ok_and(|text| text.contains(name))
}

#[test]
fn the_dockerfile_builds_in_stages_and_runs_as_a_non_root_user_with_a_healthcheck() {
    let dockerfile = root("Dockerfile");
    assert!(dockerfile.matches("\nFROM ").count() + usize::from(dockerfile.starts_with("FROM ")) >= 2);
    assert!(dockerfile.contains("\nUSER scrutiny"));
    assert!(dockerfile.contains("HEALTHCHECK") && dockerfile.contains("/health/ready"));
    for copied in ["migrations", "data", "templates", "src"] {
        assert!(
            dockerfile.contains(&format!("COPY {copied} {copied}")),
            "the build needs {copied}/"
        );
    }
}
