//! Fuzz the lenient edXML reader: any bytes give a package or an error, never a panic;
//! a package written canonically reads back.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(parsed) = lienthong_edxml::read(data) {
        let xml = lienthong_edxml::write(&parsed.package);
        lienthong_edxml::read(xml.as_bytes()).expect("canonical output must read back");
    }
});
