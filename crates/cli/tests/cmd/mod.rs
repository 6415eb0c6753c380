//! Running the `lienthong` binary in a chosen language, with nothing else from the test's
//! environment that would change what it does: no `LC_ALL` or `LC_MESSAGES`, no profile
//! file, no `LIENTHONG_*` connection variables.
#![allow(dead_code, unreachable_pub)]

use std::process::Command;

/// The variables that choose a client command's gateway and identity.
pub const CONNECTION_VARS: [&str; 5] = [
    "LIENTHONG_GATEWAY",
    "LIENTHONG_CA",
    "LIENTHONG_CERT",
    "LIENTHONG_KEY",
    "LIENTHONG_PROFILE",
];

/// `lienthong`, with `LANG` set to `lang` or (`None`) no locale at all, so Vietnamese.
/// Arguments and other variables are the caller's to add.
pub fn command(lang: Option<&str>) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lienthong"));
    cmd.env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("XDG_CONFIG_HOME", "/nonexistent/lienthong-test-config");
    for k in CONNECTION_VARS {
        cmd.env_remove(k);
    }
    match lang {
        Some(l) => cmd.env("LANG", l),
        None => cmd.env_remove("LANG"),
    };
    cmd
}
