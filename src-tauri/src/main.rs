//! The desktop app's entry point: everything lives in the library so that
//! it can be read (and tested) without a window.

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    reservas_desk::run()
}
