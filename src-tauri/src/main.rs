// Prevents an extra console window on Windows in release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use beproduct_images_lib::credentials;

fn main() {
    // First, before any thread, window or child process exists: the secrets leave the
    // environment (WebKit's helper processes would inherit them).
    let env_credentials = credentials::take_from_env();
    beproduct_images_lib::run(env_credentials)
}
