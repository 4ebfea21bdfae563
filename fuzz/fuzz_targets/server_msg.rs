//! libFuzzer entry point; the properties asserted are in [`campo_fuzz::server_msg`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| campo_fuzz::server_msg(data));
