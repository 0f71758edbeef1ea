#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| cognito_flows::fuzz::cookie(data));
