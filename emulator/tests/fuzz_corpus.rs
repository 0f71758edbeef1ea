//! Replays the committed corpora of the emulator's fuzz targets (`fuzz/corpus/emulator_*`)
//! through their bodies on stable, so every finding stays fixed. Run with `--features fuzzing`.

use std::path::Path;

use cognito_flows_emulator::fuzz;

fn replay(target: &str, body: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        body(&std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())));
        count += 1;
    }
    assert!(count > 0, "no corpus in {}", dir.display());
}

#[test]
fn dispatch_corpus() {
    replay("emulator_dispatch", fuzz::dispatch);
}

#[test]
fn hosted_ui_corpus() {
    replay("emulator_hosted_ui", fuzz::hosted_ui);
}

#[test]
fn id_token_corpus() {
    replay("emulator_id_token", fuzz::id_token);
}

#[test]
fn list_users_filter_corpus() {
    replay("emulator_list_users_filter", fuzz::list_users_filter);
}

#[test]
fn user_import_csv_corpus() {
    replay("emulator_user_import_csv", fuzz::user_import_csv);
}

#[test]
fn webhook_answers_corpus() {
    replay("emulator_webhook_answers", fuzz::webhook_answers);
}

#[test]
fn data_directory_corpus() {
    replay("emulator_data_directory", fuzz::data_directory);
}

#[test]
fn config_corpus() {
    replay("emulator_config", fuzz::config_file);
}

#[test]
fn cimd_document_corpus() {
    replay("emulator_cimd_document", fuzz::cimd_document);
}
