//! `ecg-panorama`: the command-line entry point (the desktop app opens when no subcommand is given).

mod cli;

fn main() -> std::process::ExitCode {
    ecg_panorama::fix_thread_count();
    ecg_panorama::tune_allocator();
    cli::run()
}
