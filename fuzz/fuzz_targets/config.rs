//! Fuzz the gateway configuration reader: any text gives a validated configuration or the
//! list of problems, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = lienthong_gateway::config::Config::from_toml(text, std::path::Path::new("/nonexistent"));
});
