//! `switchboard-desktop`: Switchboard's desktop app (see the library for what it does).

// No console window on Windows in release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    std::process::exit(switchboard_desktop::run());
}
