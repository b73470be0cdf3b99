//! `ecg-panorama`: the command-line entry point (the desktop app opens when no subcommand is given).

mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}
