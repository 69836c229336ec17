//! Library use: read the alert rules of a data directory and print their PromQL expressions.
//!
//!     cargo run --example list_rules -- [DATA_DIR]

use hivemind::store::StateStore;

fn main() -> std::process::ExitCode {
    let dir = std::env::args().nth(1).map_or_else(
        || hivemind::commands::resolve_data_dir(None),
        |d| Ok(std::path::PathBuf::from(d)),
    );
    let rules = dir
        .and_then(|d| StateStore::new(d).load())
        .map(|state| state.rules);
    match rules {
        Ok(rules) => {
            for rule in rules {
                // A real program would render through hivemind::render; this keeps it short.
                #[allow(clippy::print_stdout)]
                {
                    println!("{}\tfor {}\t{}", rule.name, rule.duration, rule.expr);
                }
            }
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("error: {e}");
            }
            std::process::ExitCode::from(2)
        }
    }
}
