//! Fuzz the directory readers (TOML and JSON): any text gives a directory or a list of
//! problems, never a panic; a directory written back as its model loads the same.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for d in [
        lienthong_routing::Directory::from_toml(text),
        lienthong_routing::Directory::from_json(text),
    ]
    .into_iter()
    .flatten()
    {
        let again = lienthong_routing::Directory::from_spec(&d.to_spec())
            .expect("a directory's own model must load");
        assert_eq!(again.to_spec(), d.to_spec());
    }
});
